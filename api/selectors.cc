#include "api/selectors.h"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "api/validation.h"

namespace lpv::api {

namespace {

using Op = LabelRequirement::Op;
using Lookup = std::function<const std::string*(const std::string&)>;

// strconv.ParseInt(s, 10, 64).
bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
    if (s.empty()) return false;
  }
  uint64_t limit = negative ? uint64_t{1} << 63 : uint64_t(std::numeric_limits<int64_t>::max());
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned d = unsigned(c - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = negative ? int64_t(0 - v) : int64_t(v);
  return true;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// utilerrors.NewAggregate(errs).Error(): one error as is, several deduplicated in [a, b].
std::string AggregateMessage(const FieldErrors& errs) {
  if (errs.size() == 1) return errs[0].ToString();
  std::vector<std::string> seen;
  for (const FieldError& e : errs) {
    std::string msg = e.ToString();
    if (std::find(seen.begin(), seen.end(), msg) == seen.end()) seen.push_back(msg);
  }
  if (seen.size() == 1) return seen[0];
  return "[" + Join(seen, ", ") + "]";
}

// labels.NewRequirement with its field path prefix (empty: none, as field.ToPath()).
// `Values`: a std::vector<std::string> or a proto's repeated string field, so a node
// selector's expression is checked where it lies (the scheduler asks for every node).
template <typename Values>
FieldErrors RequirementErrors(const std::string& key, Op op, const Values& values,
                              const std::string& prefix) {
  const size_t n = static_cast<size_t>(values.size());
  auto listed = [&](bool nil) {
    return GoStringSlice(std::vector<std::string>(values.begin(), values.end()), nil);
  };
  auto child = [&](const std::string& name) { return prefix.empty() ? name : prefix + "." + name; };
  FieldErrors errs;
  if (auto msgs = IsQualifiedName(key); !msgs.empty()) {
    errs.push_back(FieldError::Invalid(child("key"), key, Join(msgs, "; ")));
  }
  const std::string values_path = child("values");
  switch (op) {
    case Op::In:
    case Op::NotIn:
      if (values.empty()) {
        errs.push_back(
            FieldError::InvalidRaw(values_path, listed(true),
                                   "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case Op::Equals:
    case Op::DoubleEquals:
    case Op::NotEquals:
      if (n != 1) {
        errs.push_back(
            FieldError::InvalidRaw(values_path, listed(values.empty()),
                                   "exact-match compatibility requires one single value"));
      }
      break;
    case Op::Exists:
    case Op::DoesNotExist:
      if (!values.empty()) {
        errs.push_back(
            FieldError::InvalidRaw(values_path, listed(false),
                                   "values set must be empty for exists and does not exist"));
      }
      break;
    case Op::Gt:
    case Op::Lt:
      if (n != 1) {
        errs.push_back(
            FieldError::InvalidRaw(values_path, listed(values.empty()),
                                   "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < n; ++i) {
        int64_t unused;
        if (!ParseInt64(values[i], &unused)) {
          errs.push_back(
              FieldError::Invalid(values_path + "[" + std::to_string(i) + "]", values[i],
                                  "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < n; ++i) {
    if (auto msgs = IsValidLabelValue(values[i]); !msgs.empty()) {
      errs.push_back(FieldError::Invalid(values_path + "[" + std::to_string(i) + "][" + key + "]",
                                         values[i], Join(msgs, "; ")));
    }
  }
  return errs;
}

// Requirement.Matches; `Values` as in RequirementErrors.
template <typename Values>
bool RequirementMatches(const std::string& key, Op op, const Values& values,
                        const Lookup& lookup) {
  const std::string* value = lookup(key);
  auto has = [&](const std::string& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  switch (op) {
    case Op::In:
    case Op::Equals:
    case Op::DoubleEquals:
      return value != nullptr && has(*value);
    case Op::NotIn:
    case Op::NotEquals:
      return value == nullptr || !has(*value);
    case Op::Exists:
      return value != nullptr;
    case Op::DoesNotExist:
      return value == nullptr;
    case Op::Gt:
    case Op::Lt: {
      int64_t label = 0, bound = 0;
      if (value == nullptr || !ParseInt64(*value, &label)) return false;
      if (values.size() != 1 || !ParseInt64(*values.begin(), &bound)) return false;
      return op == Op::Gt ? label > bound : label < bound;
    }
  }
  return false;
}

Lookup ProtoLookup(const google::protobuf::Map<std::string, std::string>& labels) {
  return [&labels](const std::string& key) -> const std::string* {
    auto it = labels.find(key);
    return it == labels.end() ? nullptr : &it->second;
  };
}

Lookup StdLookup(const std::map<std::string, std::string>& labels) {
  return [&labels](const std::string& key) -> const std::string* {
    auto it = labels.find(key);
    return it == labels.end() ? nullptr : &it->second;
  };
}

// ---- labels.Parse: lexer and recursive-descent parser, token for token ----

enum class Token {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
};

bool LiteralToken(std::string_view s, Token* tok) {
  static const std::pair<std::string_view, Token> kTokens[] = {
      {")", Token::ClosedPar},     {",", Token::Comma},    {"!", Token::DoesNotExist},
      {"==", Token::DoubleEquals}, {"=", Token::Equals},   {">", Token::GreaterThan},
      {"in", Token::In},           {"<", Token::LessThan}, {"!=", Token::NotEquals},
      {"notin", Token::NotIn},     {"(", Token::OpenPar},
  };
  for (const auto& [lit, t] : kTokens) {
    if (s == lit) {
      *tok = t;
      return true;
    }
  }
  return false;
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsSpecialSymbol(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

struct Item {
  Token tok;
  std::string lit;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Item Lex() {
    char ch = Read();
    while (IsWhitespace(ch)) ch = Read();
    if (ch == 0) return {Token::EndOfString, ""};
    Unread();
    return IsSpecialSymbol(ch) ? ScanSpecialSymbol() : ScanIdOrKeyword();
  }

 private:
  char Read() { return pos_ < s_.size() ? s_[pos_++] : 0; }
  void Unread() { --pos_; }

  Item ScanIdOrKeyword() {
    std::string buf;
    for (;;) {
      char ch = Read();
      if (ch == 0) break;
      if (IsSpecialSymbol(ch) || IsWhitespace(ch)) {
        Unread();
        break;
      }
      buf += ch;
    }
    Token tok;
    if (LiteralToken(buf, &tok)) return {tok, buf};
    return {Token::Identifier, buf};
  }

  Item ScanSpecialSymbol() {
    Item last{Token::Error, ""};
    std::string buf;
    for (;;) {
      char ch = Read();
      if (ch == 0) break;
      if (!IsSpecialSymbol(ch)) {
        Unread();
        break;
      }
      buf += ch;
      Token tok;
      if (LiteralToken(buf, &tok)) {
        last = {tok, buf};
      } else if (last.tok != Token::Error) {
        Unread();
        break;
      }
    }
    if (last.tok == Token::Error)
      return {Token::Error, "error expected: keyword found '" + buf + "'"};
    return last;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view s) {
    Lexer lexer(s);
    for (;;) {
      Item item = lexer.Lex();
      items_.push_back(item);
      if (item.tok == Token::EndOfString) break;
    }
  }

  // parse(): requirements in input order, or the error text.
  bool Parse(std::vector<LabelRequirement>* reqs, std::string* err) {
    for (;;) {
      Item next = Lookahead(true);
      switch (next.tok) {
        case Token::Identifier:
        case Token::DoesNotExist: {
          LabelRequirement r;
          std::string rerr;
          if (!ParseRequirement(&r, &rerr)) {
            *err = "unable to parse requirement: " + rerr;
            return false;
          }
          reqs->push_back(std::move(r));
          Item t = Consume(true);
          if (t.tok == Token::EndOfString) return true;
          if (t.tok == Token::Comma) {
            Item t2 = Lookahead(true);
            if (t2.tok != Token::Identifier && t2.tok != Token::DoesNotExist) {
              *err = "found '" + t2.lit + "', expected: identifier after ','";
              return false;
            }
            break;
          }
          *err = "found '" + t.lit + "', expected: ',' or 'end of string'";
          return false;
        }
        case Token::EndOfString:
          return true;
        default:
          *err = "found '" + next.lit + "', expected: !, identifier, or 'end of string'";
          return false;
      }
    }
  }

 private:
  // In the values context the keywords `in` and `notin` are identifiers.
  Item Adjust(Item item, bool values) const {
    if (values && (item.tok == Token::In || item.tok == Token::NotIn)) item.tok = Token::Identifier;
    return item;
  }
  Item Lookahead(bool values) const {
    return Adjust(items_[std::min(pos_, items_.size() - 1)], values);
  }
  Item Consume(bool values) {
    Item item = items_[std::min(pos_, items_.size() - 1)];
    ++pos_;
    return Adjust(item, values);
  }

  bool ParseRequirement(LabelRequirement* out, std::string* err) {
    std::string key;
    std::optional<Op> op;
    if (!ParseKeyAndInferOperator(&key, &op, err)) return false;
    std::vector<std::string> values;
    if (!(op == Op::Exists || op == Op::DoesNotExist)) {
      if (!ParseOperator(&op, err)) return false;
      std::set<std::string> set;
      bool ok =
          (*op == Op::In || *op == Op::NotIn) ? ParseValues(&set, err) : ParseExactValue(&set, err);
      if (!ok) return false;
      values.assign(set.begin(), set.end());
    }
    FieldErrors errs = RequirementErrors(key, *op, values, "");
    if (!errs.empty()) {
      *err = AggregateMessage(errs);
      return false;
    }
    *out = LabelRequirement{std::move(key), *op, std::move(values)};
    return true;
  }

  bool ParseKeyAndInferOperator(std::string* key, std::optional<Op>* op, std::string* err) {
    Item item = Consume(true);
    if (item.tok == Token::DoesNotExist) {
      *op = Op::DoesNotExist;
      item = Consume(true);
    }
    if (item.tok != Token::Identifier) {
      *err = "found '" + item.lit + "', expected: identifier";
      return false;
    }
    if (auto msgs = IsQualifiedName(item.lit); !msgs.empty()) {
      // validateLabelKey with the parser's nil path.
      *err = FieldError::Invalid("<nil>", item.lit, Join(msgs, "; ")).ToString();
      return false;
    }
    Token next = Lookahead(true).tok;
    if ((next == Token::EndOfString || next == Token::Comma) && *op != Op::DoesNotExist) {
      *op = Op::Exists;
    }
    *key = item.lit;
    return true;
  }

  bool ParseOperator(std::optional<Op>* op, std::string* err) {
    Item item = Consume(false);
    switch (item.tok) {
      case Token::In:
        *op = Op::In;
        return true;
      case Token::Equals:
        *op = Op::Equals;
        return true;
      case Token::DoubleEquals:
        *op = Op::DoubleEquals;
        return true;
      case Token::GreaterThan:
        *op = Op::Gt;
        return true;
      case Token::LessThan:
        *op = Op::Lt;
        return true;
      case Token::NotIn:
        *op = Op::NotIn;
        return true;
      case Token::NotEquals:
        *op = Op::NotEquals;
        return true;
      default:
        *err = "found '" + item.lit + "', expected: in, notin, =, ==, !=, gt, lt";
        return false;
    }
  }

  bool ParseValues(std::set<std::string>* out, std::string* err) {
    Item item = Consume(true);
    if (item.tok != Token::OpenPar) {
      *err = "found '" + item.lit + "' expected: '('";
      return false;
    }
    Item next = Lookahead(true);
    switch (next.tok) {
      case Token::Identifier:
      case Token::Comma:
        if (!ParseIdentifiersList(out, err)) return false;
        if (Consume(true).tok != Token::ClosedPar) {
          *err = "found '" + next.lit + "', expected: ')'";
          return false;
        }
        return true;
      case Token::ClosedPar:
        Consume(true);
        out->insert("");
        return true;
      default:
        *err = "found '" + next.lit + "', expected: ',', ')' or identifier";
        return false;
    }
  }

  bool ParseIdentifiersList(std::set<std::string>* s, std::string* err) {
    for (;;) {
      Item item = Consume(true);
      switch (item.tok) {
        case Token::Identifier: {
          s->insert(item.lit);
          Item next = Lookahead(true);
          if (next.tok == Token::Comma) continue;
          if (next.tok == Token::ClosedPar) return true;
          *err = "found '" + next.lit + "', expected: ',' or ')'";
          return false;
        }
        case Token::Comma: {
          if (s->empty()) s->insert("");  // "(,"
          Token next = Lookahead(true).tok;
          if (next == Token::ClosedPar) {
            s->insert("");  // ",)"
            return true;
          }
          if (next == Token::Comma) s->insert("");  // ",,"
          continue;
        }
        default:
          *err = "found '" + item.lit + "', expected: ',', or identifier";
          return false;
      }
    }
  }

  bool ParseExactValue(std::set<std::string>* out, std::string* err) {
    Token next = Lookahead(true).tok;
    if (next == Token::EndOfString || next == Token::Comma) {
      out->insert("");
      return true;
    }
    Item item = Consume(true);
    if (item.tok == Token::Identifier) {
      out->insert(item.lit);
      return true;
    }
    *err = "found '" + item.lit + "', expected: identifier";
    return false;
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

// A node selector operator by name; false for one nodeaffinity does not know.
bool NodeSelectorOp(const std::string& name, Op* op) {
  static const std::pair<const char*, Op> kOps[] = {{"In", Op::In},         {"NotIn", Op::NotIn},
                                                    {"Exists", Op::Exists}, {"DoesNotExist", Op::DoesNotExist},
                                                    {"Gt", Op::Gt},         {"Lt", Op::Lt}};
  for (const auto& [n, o] : kOps) {
    if (name == n) {
      *op = o;
      return true;
    }
  }
  return false;
}

// nodeaffinity: the term's matchExpressions, as the label requirements
// nodeSelectorRequirementsAsSelector makes of them, all match; an expression that would not
// make a requirement (unknown operator, invalid key or values) matches nothing. Checked in
// place, without copying the expressions: the scheduler asks this for every PV on every
// node it filters.
bool NodeTermMatches(const NodeSelectorTerm& term, const Lookup& lookup,
                     std::string_view node_name) {
  if (term.match_expressions().empty() && term.match_fields().empty()) return false;
  for (const NodeSelectorRequirement& expr : term.match_expressions()) {
    Op op;
    if (!NodeSelectorOp(expr.operator_(), &op)) return false;
    if (!RequirementMatches(expr.key(), op, expr.values(), lookup)) return false;
  }
  // Validity last: only a term that matches pays for it.
  for (const NodeSelectorRequirement& expr : term.match_expressions()) {
    Op op = Op::Exists;
    NodeSelectorOp(expr.operator_(), &op);  // known: the loop above checked it
    if (!RequirementErrors(expr.key(), op, expr.values(), "").empty()) return false;
  }
  bool fields_ok = true;
  for (const NodeSelectorRequirement& expr : term.match_fields()) {
    if ((expr.operator_() != "In" && expr.operator_() != "NotIn") || expr.values_size() != 1) {
      return false;  // a parse error: the term selects nothing
    }
    // The node's field set holds metadata.name only; other fields read as "".
    std::string value = expr.key() == "metadata.name" ? std::string(node_name) : "";
    bool equal = value == expr.values(0);
    if ((expr.operator_() == "In") != equal) fields_ok = false;
  }
  // Kubernetes skips matchFields for a node without a name.
  if (!term.match_fields().empty() && !node_name.empty() && !fields_ok) return false;
  return true;
}

bool NodeMatches(const NodeSelector& selector, const Lookup& lookup, std::string_view node_name) {
  for (const NodeSelectorTerm& term : selector.node_selector_terms()) {
    if (NodeTermMatches(term, lookup, node_name)) return true;
  }
  return false;
}

// fields.EscapeValue.
std::string EscapeFieldValue(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------- LabelRequirement

bool LabelRequirement::Matches(const Lookup& lookup) const {
  return RequirementMatches(key, op, values, lookup);
}

std::string LabelRequirement::String() const {
  std::string s;
  if (op == Op::DoesNotExist) s += "!";
  s += key;
  switch (op) {
    case Op::Equals:
      s += "=";
      break;
    case Op::DoubleEquals:
      s += "==";
      break;
    case Op::NotEquals:
      s += "!=";
      break;
    case Op::In:
      s += " in ";
      break;
    case Op::NotIn:
      s += " notin ";
      break;
    case Op::Gt:
      s += ">";
      break;
    case Op::Lt:
      s += "<";
      break;
    case Op::Exists:
    case Op::DoesNotExist:
      return s;
  }
  bool set = op == Op::In || op == Op::NotIn;
  if (set) s += "(";
  if (values.size() == 1) {
    s += values[0];
  } else {
    std::vector<std::string> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    s += Join(sorted, ",");
  }
  if (set) s += ")";
  return s;
}

Result<LabelRequirement> NewLabelRequirement(std::string key, LabelRequirement::Op op,
                                             std::vector<std::string> values) {
  FieldErrors errs = RequirementErrors(key, op, values, "");
  if (!errs.empty()) return Status::BadRequest(AggregateMessage(errs));
  return LabelRequirement{std::move(key), op, std::move(values)};
}

// ---------------------------------------------------------------- Selector

Selector Selector::Nothing() {
  Selector s;
  s.nothing_ = true;
  return s;
}

Selector Selector::FromRequirements(std::vector<LabelRequirement> reqs) {
  Selector s;
  s.reqs_ = std::move(reqs);
  std::stable_sort(
      s.reqs_.begin(), s.reqs_.end(),
      [](const LabelRequirement& a, const LabelRequirement& b) { return a.key < b.key; });
  return s;
}

bool Selector::Matches(const google::protobuf::Map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  Lookup lookup = ProtoLookup(labels);
  for (const LabelRequirement& r : reqs_) {
    if (!r.Matches(lookup)) return false;
  }
  return true;
}

bool Selector::Matches(const std::map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  Lookup lookup = StdLookup(labels);
  for (const LabelRequirement& r : reqs_) {
    if (!r.Matches(lookup)) return false;
  }
  return true;
}

std::string Selector::String() const {
  std::vector<std::string> parts;
  for (const LabelRequirement& r : reqs_) parts.push_back(r.String());
  return Join(parts, ",");
}

std::optional<std::string> Selector::RequiresExactMatch(std::string_view label) const {
  for (const LabelRequirement& r : reqs_) {
    if (r.key != label) continue;
    if ((r.op == Op::Equals || r.op == Op::DoubleEquals || r.op == Op::In) &&
        r.values.size() == 1) {
      return r.values[0];
    }
    return std::nullopt;
  }
  return std::nullopt;
}

Result<Selector> ParseSelector(std::string_view selector) {
  Parser parser(selector);
  std::vector<LabelRequirement> reqs;
  std::string err;
  if (!parser.Parse(&reqs, &err)) return Status::BadRequest(err);
  return Selector::FromRequirements(std::move(reqs));
}

Result<Selector> LabelSelectorAsSelector(const LabelSelector* ps) {
  if (ps == nullptr) return Selector::Nothing();
  return LabelSelectorAsSelector(*ps);
}

Result<Selector> LabelSelectorAsSelector(const LabelSelector& ps) {
  if (ps.match_labels().empty() && ps.match_expressions().empty()) return Selector::Everything();
  std::vector<LabelRequirement> reqs;
  // Go walks matchLabels in random order; sorted keys make the first error deterministic.
  std::map<std::string, std::string> labels(ps.match_labels().begin(), ps.match_labels().end());
  for (const auto& [k, v] : labels) {
    Result<LabelRequirement> r = NewLabelRequirement(k, Op::Equals, {v});
    if (!r.ok()) return r.status();
    reqs.push_back(std::move(*r));
  }
  for (const LabelSelectorRequirement& expr : ps.match_expressions()) {
    Op op;
    const std::string& name = expr.operator_();
    if (name == "In")
      op = Op::In;
    else if (name == "NotIn")
      op = Op::NotIn;
    else if (name == "Exists")
      op = Op::Exists;
    else if (name == "DoesNotExist")
      op = Op::DoesNotExist;
    else
      return Status::BadRequest("\"" + name + "\" is not a valid label selector operator");
    Result<LabelRequirement> r = NewLabelRequirement(
        expr.key(), op, std::vector<std::string>(expr.values().begin(), expr.values().end()));
    if (!r.ok()) return r.status();
    reqs.push_back(std::move(*r));
  }
  return Selector::FromRequirements(std::move(reqs));
}

Selector SelectorFromSet(const std::map<std::string, std::string>& set) {
  std::vector<LabelRequirement> reqs;
  for (const auto& [k, v] : set) reqs.push_back(LabelRequirement{k, Op::Equals, {v}});
  return Selector::FromRequirements(std::move(reqs));
}

Selector SelectorFromSet(const google::protobuf::Map<std::string, std::string>& set) {
  return SelectorFromSet(std::map<std::string, std::string>(set.begin(), set.end()));
}

// ---------------------------------------------------------------- node selectors

const std::vector<std::string>& NodeSelectorOperators() {
  static const std::vector<std::string> kOps = {"In",           "NotIn", "Exists",
                                                "DoesNotExist", "Gt",    "Lt"};
  return kOps;
}

bool IsNodeSelectorOperator(std::string_view op) {
  const auto& ops = NodeSelectorOperators();
  return std::find(ops.begin(), ops.end(), op) != ops.end();
}

bool NodeSelectorTermMatches(const NodeSelectorTerm& term,
                             const google::protobuf::Map<std::string, std::string>& labels,
                             std::string_view node_name) {
  return NodeTermMatches(term, ProtoLookup(labels), node_name);
}

bool NodeSelectorTermMatches(const NodeSelectorTerm& term,
                             const std::map<std::string, std::string>& labels,
                             std::string_view node_name) {
  return NodeTermMatches(term, StdLookup(labels), node_name);
}

bool NodeSelectorMatches(const NodeSelector& selector,
                         const google::protobuf::Map<std::string, std::string>& labels,
                         std::string_view node_name) {
  return NodeMatches(selector, ProtoLookup(labels), node_name);
}

bool NodeSelectorMatches(const NodeSelector& selector,
                         const std::map<std::string, std::string>& labels,
                         std::string_view node_name) {
  return NodeMatches(selector, StdLookup(labels), node_name);
}

// ---------------------------------------------------------------- field selectors

bool FieldSelector::Matches(
    const std::function<std::optional<std::string>(const std::string&)>& get) const {
  for (const Term& t : terms_) {
    std::string value = get(t.field).value_or("");
    if ((value == t.value) != t.equals) return false;
  }
  return true;
}

std::vector<std::string> FieldSelector::Fields() const {
  std::vector<std::string> fields;
  for (const Term& t : terms_) {
    if (std::find(fields.begin(), fields.end(), t.field) == fields.end()) fields.push_back(t.field);
  }
  return fields;
}

std::string FieldSelector::String() const {
  std::vector<std::string> parts;
  for (const Term& t : terms_) {
    parts.push_back(t.field + (t.equals ? "=" : "!=") + EscapeFieldValue(t.value));
  }
  return Join(parts, ",");
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const Term& t : terms_) {
    if (t.field == field && t.equals) return t.value;
  }
  return std::nullopt;
}

Result<FieldSelector> ParseFieldSelector(std::string_view selector) {
  // splitTerms: commas split terms unless backslash-escaped (the backslash stays).
  std::vector<std::string> parts;
  if (!selector.empty()) {
    size_t start = 0;
    bool in_slash = false;
    for (size_t i = 0; i < selector.size(); ++i) {
      char c = selector[i];
      if (in_slash) {
        in_slash = false;
      } else if (c == '\\') {
        in_slash = true;
      } else if (c == ',') {
        parts.emplace_back(selector.substr(start, i - start));
        start = i + 1;
      }
    }
    parts.emplace_back(selector.substr(start));
  }
  std::sort(parts.begin(), parts.end());

  FieldSelector out;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    // splitTerm: the leftmost operator, trying != then == then = at each position.
    size_t at = std::string::npos;
    std::string_view op;
    for (size_t i = 0; i < part.size() && at == std::string::npos; ++i) {
      for (std::string_view candidate : {"!=", "==", "="}) {
        if (part.compare(i, candidate.size(), candidate) == 0) {
          at = i;
          op = candidate;
          break;
        }
      }
    }
    if (at == std::string::npos) {
      return Status::BadRequest("invalid selector: '" + std::string(selector) +
                                "'; can't understand '" + part + "'");
    }
    std::string rhs = part.substr(at + op.size());
    // UnescapeValue.
    std::string value;
    bool in_slash = false;
    for (char c : rhs) {
      if (in_slash) {
        if (c != '\\' && c != ',' && c != '=') {
          return Status::BadRequest(
              std::string("invalid field selector: invalid escape sequence: \\") + c);
        }
        value += c;
        in_slash = false;
      } else if (c == '\\') {
        in_slash = true;
      } else if (c == ',' || c == '=') {
        // Go formats the rune with %v: its number.
        return Status::BadRequest("invalid field selector: unescaped character in value: " +
                                  std::to_string(int(c)));
      } else {
        value += c;
      }
    }
    if (in_slash) return Status::BadRequest("invalid field selector: invalid escape sequence: \\");
    out.terms_.push_back(FieldSelector::Term{part.substr(0, at), op != "!=", std::move(value)});
  }
  return out;
}

}  // namespace lpv::api
