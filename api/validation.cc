#include "api/validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "api/message_equal.h"
#include "api/quantity.h"
#include "api/selectors.h"

namespace lpv::api {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using StringMap = google::protobuf::Map<std::string, std::string>;

// ---------------------------------------------------------------- paths and errors

std::string Child(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}
std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}
std::string Key(const std::string& path, std::string_view key) {
  return path + "[" + std::string(key) + "]";
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

// Go's %q for the strings lpv deals with (as status.cc quotes Invalid values).
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void Append(FieldErrors* errs, FieldErrors more) {
  errs->insert(errs->end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
}

FieldError NotFound(std::string path, const std::string& value) {
  return {FieldError::Type::NotFound, std::move(path), GoQuote(value), ""};
}

// field.NotSupported with a value Go prints bare (%#v of a non-string).
FieldError NotSupportedRaw(std::string path, std::string raw,
                           const std::vector<std::string>& supported) {
  FieldError e = FieldError::NotSupported(std::move(path), "", supported);
  e.value = std::move(raw);
  return e;
}

FieldError TooLong(std::string path, int max_bytes) {
  return {FieldError::Type::TooLong, std::move(path), "",
          "may not be more than " + std::to_string(max_bytes) + " bytes"};
}

FieldError DuplicateRaw(std::string path, std::string raw, std::string detail = "") {
  return {FieldError::Type::Duplicate, std::move(path), std::move(raw), std::move(detail)};
}

// apimachinery IsNegativeErrorMsg.
constexpr const char* kIsNegative = "must be greater than or equal to 0";
constexpr const char* kImmutable = "field is immutable";

void ValidateNonnegative(int64_t value, const std::string& path, FieldErrors* errs) {
  if (value < 0) errs->push_back(FieldError::InvalidRaw(path, std::to_string(value), kIsNegative));
}

template <class M>
std::map<std::string, std::string> Sorted(const M& m) {
  return std::map<std::string, std::string>(m.begin(), m.end());
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------- formats

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchesDNS1123Label(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; });
}

// label(\.label)*
bool MatchesDNS1123Subdomain(std::string_view s) {
  size_t start = 0;
  for (;;) {
    size_t dot = s.find('.', start);
    if (!MatchesDNS1123Label(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchesQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::string MaxLenError(int n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

std::string RegexError(const std::string& msg, const std::string& fmt,
                       const std::vector<std::string>& examples) {
  if (examples.empty()) return msg + " (regex used for validation is '" + fmt + "')";
  std::string out = msg + " (e.g. ";
  for (size_t i = 0; i < examples.size(); ++i) {
    if (i) out += " or ";
    out += "'" + examples[i] + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

const char* const kDNS1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char* const kDNS1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
const char* const kDNS1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const char* const kDNS1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
const char* const kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const char* const kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
const char* const kLabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
const char* const kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";

// maskTrailingDash, quirk included (it drops two characters).
std::string MaskTrailingDash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-')
    return std::string(name.substr(0, name.size() - 2)) + "a";
  return std::string(name);
}

// ---------------------------------------------------------------- Go renderings

std::string GoTime(const std::string& rfc3339) {
  // metav1.Time prints through time.Time.String; lpv stores RFC 3339 UTC ("...Z").
  if (rfc3339.empty()) return "0001-01-01 00:00:00 +0000 UTC";
  if (rfc3339.size() == 20 && rfc3339[10] == 'T' && rfc3339.back() == 'Z') {
    return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 8) + " +0000 UTC";
  }
  return rfc3339;
}

std::string GoLabelSelector(const LabelSelector& sel) {
  std::string out =
      "v1.LabelSelector{MatchLabels:" + GoStringMap(sel.match_labels()) + ", MatchExpressions:";
  if (sel.match_expressions().empty()) {
    out += "[]v1.LabelSelectorRequirement(nil)";
  } else {
    out += "[]v1.LabelSelectorRequirement{";
    for (int i = 0; i < sel.match_expressions_size(); ++i) {
      const LabelSelectorRequirement& r = sel.match_expressions(i);
      if (i) out += ", ";
      out += "v1.LabelSelectorRequirement{Key:" + GoQuote(r.key()) +
             ", Operator:" + GoQuote(r.operator_()) + ", Values:" +
             GoStringSlice({r.values().begin(), r.values().end()}, r.values().empty()) + "}";
    }
    out += "}";
  }
  return out + "}";
}

// core.ResourceList as %#v prints it (quantities shown by their string, an approximation of
// the resource.Quantity struct Go dumps).
std::string GoResourceList(const StringMap& list) {
  if (list.empty()) return "core.ResourceList(nil)";
  std::string out = "core.ResourceList{";
  bool first = true;
  for (const auto& [k, v] : Sorted(list)) {
    if (!first) out += ", ";
    first = false;
    out += GoQuote(k) + ":" + GoQuote(v);
  }
  return out + "}";
}

// ---------------------------------------------------------------- semantic equality

// apimachinery's Semantic.DeepEqual over lpv messages: quantities in resource lists compare
// by value ("1Gi" == "1024Mi"), empty and absent lists/maps are equal, optional scalars
// compare presence (Go pointers). Absent and empty sub-messages are equal (Go would tell a
// nil pointer from an empty struct for a few fields, e.g. a claim's selector).
bool IsResourceList(const FieldDescriptor* f) {
  static const std::set<std::string> kNames = {"capacity", "allocatable", "limits", "requests"};
  return f->is_map() && kNames.count(f->name()) > 0;
}

bool QuantityStringsEqual(const std::string& a, const std::string& b) {
  Result<Quantity> qa = Quantity::Parse(a), qb = Quantity::Parse(b);
  if (qa.ok() && qb.ok()) return qa->Cmp(*qb) == 0;
  return a == b;
}

std::map<std::string, std::string> MapField(const Message& m, const FieldDescriptor* f) {
  std::map<std::string, std::string> out;
  const Reflection* r = m.GetReflection();
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    const auto* d = entry.GetDescriptor();
    const Reflection* er = entry.GetReflection();
    out[er->GetString(entry, d->FindFieldByName("key"))] =
        er->GetString(entry, d->FindFieldByName("value"));
  }
  return out;
}

bool FieldsEqual(const Message& a, const Message& b);

bool FieldEqual(const Message& a, const Message& b, const FieldDescriptor* f) {
  const Reflection* ra = a.GetReflection();
  const Reflection* rb = b.GetReflection();
  if (f->is_map()) {
    auto ma = MapField(a, f), mb = MapField(b, f);
    if (!IsResourceList(f)) return ma == mb;
    if (ma.size() != mb.size()) return false;
    for (const auto& [k, v] : ma) {
      auto it = mb.find(k);
      if (it == mb.end() || !QuantityStringsEqual(v, it->second)) return false;
    }
    return true;
  }
  if (f->is_repeated()) {
    int n = ra->FieldSize(a, f);
    if (n != rb->FieldSize(b, f)) return false;
    for (int i = 0; i < n; ++i) {
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (!FieldsEqual(ra->GetRepeatedMessage(a, f, i), rb->GetRepeatedMessage(b, f, i))) {
            return false;
          }
          break;
        case FieldDescriptor::CPPTYPE_STRING:
          if (ra->GetRepeatedString(a, f, i) != rb->GetRepeatedString(b, f, i)) return false;
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          if (ra->GetRepeatedInt32(a, f, i) != rb->GetRepeatedInt32(b, f, i)) return false;
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          if (ra->GetRepeatedInt64(a, f, i) != rb->GetRepeatedInt64(b, f, i)) return false;
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          if (ra->GetRepeatedBool(a, f, i) != rb->GetRepeatedBool(b, f, i)) return false;
          break;
        default:
          break;
      }
    }
    return true;
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    return FieldsEqual(ra->GetMessage(a, f), rb->GetMessage(b, f));
  }
  if (f->has_presence() && ra->HasField(a, f) != rb->HasField(b, f)) return false;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return ra->GetString(a, f) == rb->GetString(b, f);
    case FieldDescriptor::CPPTYPE_INT32:
      return ra->GetInt32(a, f) == rb->GetInt32(b, f);
    case FieldDescriptor::CPPTYPE_INT64:
      return ra->GetInt64(a, f) == rb->GetInt64(b, f);
    case FieldDescriptor::CPPTYPE_BOOL:
      return ra->GetBool(a, f) == rb->GetBool(b, f);
    default:
      return true;
  }
}

bool FieldsEqual(const Message& a, const Message& b) {
  const auto* d = a.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (!FieldEqual(a, b, d->field(i))) return false;
  }
  return true;
}

// Most updates leave the part compared untouched (a status write keeps the spec), and
// equal bytes are equal fields. Serializing is generated code and far cheaper than walking
// the fields by reflection, which is left for what differs in bytes but may not in meaning
// ("1Gi" against "1024Mi").
bool SemanticEqual(const Message& a, const Message& b) {
  if (SameMessage(a, b)) return true;
  return FieldsEqual(a, b);
}

std::string FieldText(const Message& m, const FieldDescriptor* f) {
  std::unique_ptr<Message> only(m.New());
  only->CopyFrom(m);
  const auto* d = m.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i) != f) only->GetReflection()->ClearField(only.get(), d->field(i));
  }
  std::string text = only->ShortDebugString();
  return text.empty() ? f->name() + ": <unset>" : text;
}

// The diff Kubernetes appends to "immutable" messages comes from go-cmp, whose output is
// deliberately unstable; this is a readable stand-in in the same shape:
//   <type>{
//   - 	field: old
//   + 	field: new
//     }
std::string SpecDiff(const Message& old_msg, const Message& new_msg, const std::string& type) {
  std::string out = "  " + type + "{\n";
  const auto* d = old_msg.GetDescriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (FieldEqual(old_msg, new_msg, f)) continue;
    out += "- \t" + FieldText(old_msg, f) + "\n";
    out += "+ \t" + FieldText(new_msg, f) + "\n";
  }
  return out + "  }\n";
}

// ---------------------------------------------------------------- shared validators

std::optional<Quantity> ParseQuantityAt(const std::string& path, const std::string& value,
                                        FieldErrors* errs) {
  Result<Quantity> q = Quantity::Parse(value);
  if (!q.ok()) {
    errs->push_back(FieldError::Invalid(path, value, q.status().message()));
    return std::nullopt;
  }
  return *q;
}

std::vector<std::string> IsValidPathSegmentName(std::string_view name, bool prefix) {
  if (!prefix) {
    if (name == ".") return {"may not be '.'"};
    if (name == "..") return {"may not be '..'"};
  }
  std::vector<std::string> errs;
  if (name.find('/') != std::string_view::npos) errs.push_back("may not contain '/'");
  if (name.find('%') != std::string_view::npos) errs.push_back("may not contain '%'");
  return errs;
}

void ValidateLabelName(const std::string& name, const std::string& path, FieldErrors* errs) {
  for (const std::string& msg : IsQualifiedName(name)) {
    errs->push_back(FieldError::Invalid(path, name, msg));
  }
}

void ValidateNameWith(NameValidator fn, const std::string& name, const std::string& path,
                      FieldErrors* errs) {
  for (const std::string& msg : fn(name, false))
    errs->push_back(FieldError::Invalid(path, name, msg));
}

void ValidateDNS1123LabelAt(const std::string& value, const std::string& path, FieldErrors* errs) {
  for (const std::string& msg : IsDNS1123Label(value)) {
    errs->push_back(FieldError::Invalid(path, value, msg));
  }
}

void ValidateOwnerReferences(const ObjectMeta& meta, const std::string& path, FieldErrors* errs) {
  std::string first_controller;
  for (const OwnerReference& ref : meta.owner_references()) {
    // schema.FromAPIVersionAndKind: "v1" is version v1 of the core group; "a/b/c" has none.
    std::string api = ref.api_version(), group, version;
    size_t slash = api.find('/');
    if (slash == std::string::npos) {
      version = api;
    } else if (api.find('/', slash + 1) == std::string::npos) {
      group = api.substr(0, slash);
      version = api.substr(slash + 1);
    }
    if (version.empty()) {
      errs->push_back(
          FieldError::Invalid(Child(path, "apiVersion"), api, "version must not be empty"));
    }
    if (ref.kind().empty())
      errs->push_back(FieldError::Invalid(Child(path, "kind"), "", "must not be empty"));
    if (ref.name().empty())
      errs->push_back(FieldError::Invalid(Child(path, "name"), "", "must not be empty"));
    if (ref.uid().empty())
      errs->push_back(FieldError::Invalid(Child(path, "uid"), "", "must not be empty"));
    if (group.empty() && version == "v1" && ref.kind() == "Event") {
      errs->push_back(FieldError::InvalidRaw(
          path,
          "v1.OwnerReference{APIVersion:" + GoQuote(api) + ", Kind:" + GoQuote(ref.kind()) +
              ", Name:" + GoQuote(ref.name()) + ", UID:" + GoQuote(ref.uid()) + ", ...}",
          "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (ref.has_controller() && ref.controller()) {
      std::string current = ref.kind() + "/" + ref.name();
      if (!first_controller.empty()) {
        errs->push_back(FieldError::InvalidRaw(path, "[]v1.OwnerReference{...}",
                                               "Only one reference can have Controller set to "
                                               "true. Found \"true\" in references for " +
                                                   first_controller + " and " + current));
      } else {
        first_controller = current;
      }
    }
  }
}

bool IsStandardFinalizerName(const std::string& name) {
  return name == "kubernetes" || name == "orphan" || name == "foregroundDeletion";
}

void ValidateKubeFinalizerNames(const ObjectMeta& meta, const std::string& path,
                                FieldErrors* errs) {
  for (int i = 0; i < meta.finalizers_size(); ++i) {
    const std::string& f = meta.finalizers(i);
    if (f.find('/') == std::string::npos && !IsStandardFinalizerName(f)) {
      errs->push_back(FieldError::Invalid(
          Index(path, size_t(i)), f,
          "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

void ValidateFinalizers(const ObjectMeta& meta, const std::string& path, FieldErrors* errs) {
  bool orphan = false, foreground = false;
  for (const std::string& f : meta.finalizers()) {
    ValidateLabelName(f, path, errs);
    orphan = orphan || f == "orphan";
    foreground = foreground || f == "foregroundDeletion";
  }
  if (orphan && foreground) {
    errs->push_back(FieldError::InvalidRaw(
        path, GoStringSlice({meta.finalizers().begin(), meta.finalizers().end()}),
        "finalizer orphan and foregroundDeletion cannot be both set"));
  }
}

// validateLocalDescendingPath / validatePathNoBacksteps.
bool HasBacksteps(const std::string& p) {
  size_t start = 0;
  for (;;) {
    size_t slash = p.find('/', start);
    if (p.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
      return true;
    }
    if (slash == std::string::npos) return false;
    start = slash + 1;
  }
}

void ValidatePathNoBacksteps(const std::string& p, const std::string& path, FieldErrors* errs) {
  if (HasBacksteps(p)) errs->push_back(FieldError::Invalid(path, p, "must not contain '..'"));
}

void ValidateLocalDescendingPath(const std::string& p, const std::string& path, FieldErrors* errs) {
  if (!p.empty() && p[0] == '/')
    errs->push_back(FieldError::Invalid(path, p, "must be a relative path"));
  ValidatePathNoBacksteps(p, path, errs);
}

// path.Clean(p) == "/": a rooted path made only of empty, "." and ".." elements.
bool CleansToRoot(const std::string& p) {
  if (p.empty() || p[0] != '/') return false;
  size_t start = 1;
  for (;;) {
    size_t slash = p.find('/', start);
    std::string part =
        p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty() && part != "." && part != "..") return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

void ValidateHostPath(const HostPathVolumeSource& hp, const std::string& path, FieldErrors* errs) {
  if (hp.path().empty()) {
    errs->push_back(FieldError::Required(Child(path, "path")));
    return;
  }
  ValidatePathNoBacksteps(hp.path(), Child(path, "path"), errs);
  static const std::vector<std::string> kTypes = {
      "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
      "File", "FileOrCreate", "Socket"};
  if (hp.has_type() && std::find(kTypes.begin(), kTypes.end(), hp.type()) == kTypes.end()) {
    errs->push_back(FieldError::NotSupported(Child(path, "type"), hp.type(), kTypes));
  }
}

const std::vector<std::string>& AccessModes() {
  static const std::vector<std::string> kModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                                  "ReadWriteOncePod"};
  return kModes;
}

void ValidateAccessModes(const google::protobuf::RepeatedPtrField<std::string>& modes,
                         const std::string& path, FieldErrors* errs) {
  bool rwop = false, other = false;
  for (const std::string& mode : modes) {
    bool supported =
        std::find(AccessModes().begin(), AccessModes().end(), mode) != AccessModes().end();
    if (!supported) errs->push_back(FieldError::NotSupported(path, mode, AccessModes()));
    if (mode == "ReadWriteOncePod") {
      rwop = true;
    } else if (supported) {
      other = true;
    }
  }
  if (rwop && other) {
    errs->push_back(
        FieldError::Forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  }
}

const std::vector<std::string> kVolumeModes = {"Block", "Filesystem"};

// ValidateNodeSelectorRequirement.
void ValidateNodeSelectorRequirement(const NodeSelectorRequirement& rq, const std::string& path,
                                     FieldErrors* errs) {
  const std::string& op = rq.operator_();
  if (op == "In" || op == "NotIn") {
    if (rq.values().empty()) {
      errs->push_back(FieldError::Required(Child(path, "values"),
                                           "must be specified when `operator` is 'In' or 'NotIn'"));
    }
  } else if (op == "Exists" || op == "DoesNotExist") {
    if (!rq.values().empty()) {
      errs->push_back(FieldError::Forbidden(
          Child(path, "values"),
          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  } else if (op == "Gt" || op == "Lt") {
    if (rq.values_size() != 1) {
      errs->push_back(FieldError::Required(
          Child(path, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    }
  } else {
    errs->push_back(
        FieldError::Invalid(Child(path, "operator"), op, "not a valid selector operator"));
  }
  ValidateLabelName(rq.key(), Child(path, "key"), errs);
  for (int i = 0; i < rq.values_size(); ++i) {
    for (const std::string& msg : IsValidLabelValue(rq.values(i))) {
      errs->push_back(
          FieldError::Invalid(Index(Child(path, "values"), size_t(i)), rq.values(i), msg));
    }
  }
}

// ValidateNodeFieldSelectorRequirement: only metadata.name, with In/NotIn and one node name.
void ValidateNodeFieldSelectorRequirement(const NodeSelectorRequirement& rq,
                                          const std::string& path, FieldErrors* errs) {
  if (rq.operator_() == "In" || rq.operator_() == "NotIn") {
    if (rq.values_size() != 1) {
      errs->push_back(FieldError::Required(
          Child(path, "values"),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs->push_back(FieldError::Invalid(Child(path, "operator"), rq.operator_(),
                                        "not a valid selector operator"));
  }
  if (rq.key() != "metadata.name") {
    errs->push_back(
        FieldError::Invalid(Child(path, "key"), rq.key(), "not a valid field selector key"));
    return;
  }
  for (int i = 0; i < rq.values_size(); ++i) {
    for (const std::string& msg : NameIsDNSSubdomain(rq.values(i), false)) {
      errs->push_back(
          FieldError::Invalid(Index(Child(path, "values"), size_t(i)), rq.values(i), msg));
    }
  }
}

// ValidateTopologySelectorTerm; returns the term as key -> values for duplicate detection.
std::map<std::string, std::set<std::string>> ValidateTopologySelectorTerm(
    const TopologySelectorTerm& term, const std::string& path, FieldErrors* errs) {
  std::map<std::string, std::set<std::string>> expr_map;
  const std::string exprs_path = Child(path, "matchLabelExpressions");
  for (int i = 0; i < term.match_label_expressions_size(); ++i) {
    const TopologySelectorLabelRequirement& rq = term.match_label_expressions(i);
    const std::string idx = Index(exprs_path, size_t(i));
    const std::string values_path = Child(idx, "values");
    std::set<std::string> values;
    if (rq.values().empty()) errs->push_back(FieldError::Required(values_path));
    for (int j = 0; j < rq.values_size(); ++j) {
      if (values.count(rq.values(j))) {
        errs->push_back(FieldError::Duplicate(Index(values_path, size_t(j)), rq.values(j)));
      }
      values.insert(rq.values(j));
    }
    ValidateLabelName(rq.key(), Child(idx, "key"), errs);
    if (expr_map.count(rq.key()))
      errs->push_back(FieldError::Duplicate(Child(idx, "key"), rq.key()));
    expr_map[rq.key()] = values;
  }
  return expr_map;
}

// ValidateResourceQuantityValue for non-negative quantities.
void ValidateNonnegativeQuantity(const std::string& value, const std::string& path,
                                 FieldErrors* errs) {
  std::optional<Quantity> q = ParseQuantityAt(path, value, errs);
  if (q && q->Sign() < 0) errs->push_back(FieldError::Invalid(path, q->String(), kIsNegative));
}

// ---------------------------------------------------------------- pods

bool IsNativeResource(const std::string& name) {
  return name.find('/') == std::string::npos || name.find("kubernetes.io/") != std::string::npos;
}
bool IsHugePageResource(const std::string& name) { return name.rfind("hugepages-", 0) == 0; }
bool IsOvercommitAllowed(const std::string& name) {
  return IsNativeResource(name) && !IsHugePageResource(name);
}
bool IsExtendedResourceName(const std::string& name) {
  if (IsNativeResource(name) || name.rfind("requests.", 0) == 0) return false;
  return IsQualifiedName("requests." + name).empty();
}
bool IsStandardContainerResourceName(const std::string& name) {
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         IsHugePageResource(name);
}
bool IsStandardResourceName(const std::string& name) {
  static const std::set<std::string> kStandard = {"cpu",
                                                  "memory",
                                                  "ephemeral-storage",
                                                  "requests.cpu",
                                                  "requests.memory",
                                                  "requests.ephemeral-storage",
                                                  "limits.cpu",
                                                  "limits.memory",
                                                  "limits.ephemeral-storage",
                                                  "pods",
                                                  "services",
                                                  "replicationcontrollers",
                                                  "resourcequotas",
                                                  "secrets",
                                                  "configmaps",
                                                  "persistentvolumeclaims",
                                                  "storage",
                                                  "requests.storage",
                                                  "services.nodeports",
                                                  "services.loadbalancers"};
  return kStandard.count(name) > 0 || IsHugePageResource(name);
}

void ValidateContainerResourceName(const std::string& name, const std::string& path,
                                   FieldErrors* errs) {
  size_t before = errs->size();
  ValidateLabelName(name, path, errs);
  if (errs->size() != before) return;
  bool unprefixed = name.find('/') == std::string::npos;
  if (unprefixed && !IsStandardResourceName(name)) {
    errs->push_back(
        FieldError::Invalid(path, name, "must be a standard resource type or fully qualified"));
  }
  if (unprefixed) {
    if (!IsStandardContainerResourceName(name)) {
      errs->push_back(
          FieldError::Invalid(path, name, "must be a standard resource for containers"));
    }
  } else if (!IsNativeResource(name) && !IsExtendedResourceName(name)) {
    errs->push_back(
        FieldError::Invalid(path, name, "doesn't follow extended resource name standard"));
  }
}

void ValidateResourceQuantityValue(const std::string& name, const std::string& value,
                                   const std::string& path, FieldErrors* errs,
                                   std::optional<Quantity>* parsed) {
  *parsed = ParseQuantityAt(path, value, errs);
  if (!*parsed) return;
  const Quantity& q = **parsed;
  if (q.Sign() < 0) errs->push_back(FieldError::Invalid(path, q.String(), kIsNegative));
  if (IsExtendedResourceName(name) && q.MilliValue() % 1000 != 0) {
    errs->push_back(FieldError::Invalid(path, q.String(), "must be an integer"));
  }
}

void ValidateContainerResources(const ResourceRequirements& res, const std::string& path,
                                FieldErrors* errs) {
  const std::string lim_path = Child(path, "limits");
  const std::string req_path = Child(path, "requests");
  std::map<std::string, std::optional<Quantity>> limits;
  for (const auto& [name, value] : Sorted(res.limits())) {
    std::string fld = Key(lim_path, name);
    ValidateContainerResourceName(name, fld, errs);
    ValidateResourceQuantityValue(name, value, fld, errs, &limits[name]);
  }
  for (const auto& [name, value] : Sorted(res.requests())) {
    std::string fld = Key(req_path, name);
    ValidateContainerResourceName(name, fld, errs);
    std::optional<Quantity> q;
    ValidateResourceQuantityValue(name, value, fld, errs, &q);
    auto it = limits.find(name);
    if (it != limits.end()) {
      if (q && it->second) {
        const Quantity& limit = *it->second;
        if (q->Cmp(limit) != 0 && !IsOvercommitAllowed(name)) {
          errs->push_back(FieldError::Invalid(
              req_path, q->String(), "must be equal to " + name + " limit of " + limit.String()));
        } else if (q->Cmp(limit) > 0) {
          errs->push_back(FieldError::Invalid(
              req_path, q->String(),
              "must be less than or equal to " + name + " limit of " + limit.String()));
        }
      }
    } else if (!IsOvercommitAllowed(name)) {
      errs->push_back(
          FieldError::Required(lim_path, "Limit must be set for non overcommitable resources"));
    }
  }
}

// IsValidPortName.
std::vector<std::string> IsValidPortName(const std::string& port) {
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back(MaxLenError(15));
  if (port.empty() ||
      !std::all_of(port.begin(), port.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; })) {
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (std::none_of(port.begin(), port.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    errs.push_back("must contain at least one letter (a-z)");
  }
  if (port.find("--") != std::string::npos) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

void ValidateContainerPorts(const google::protobuf::RepeatedPtrField<ContainerPort>& ports,
                            const std::string& path, FieldErrors* errs) {
  std::set<std::string> names;
  for (int i = 0; i < ports.size(); ++i) {
    const ContainerPort& port = ports[i];
    const std::string idx = Index(path, size_t(i));
    if (!port.name().empty()) {
      auto msgs = IsValidPortName(port.name());
      if (!msgs.empty()) {
        for (const auto& msg : msgs)
          errs->push_back(FieldError::Invalid(Child(idx, "name"), port.name(), msg));
      } else if (names.count(port.name())) {
        errs->push_back(FieldError::Duplicate(Child(idx, "name"), port.name()));
      } else {
        names.insert(port.name());
      }
    }
    if (port.container_port() == 0) {
      errs->push_back(FieldError::Required(Child(idx, "containerPort")));
    } else if (port.container_port() < 1 || port.container_port() > 65535) {
      errs->push_back(FieldError::InvalidRaw(Child(idx, "containerPort"),
                                             std::to_string(port.container_port()),
                                             "must be between 1 and 65535, inclusive"));
    }
    if (port.protocol().empty()) {
      errs->push_back(FieldError::Required(Child(idx, "protocol")));
    } else if (port.protocol() != "TCP" && port.protocol() != "UDP" && port.protocol() != "SCTP") {
      errs->push_back(FieldError::NotSupported(Child(idx, "protocol"), port.protocol(),
                                               {"SCTP", "TCP", "UDP"}));
    }
  }
}

void ValidateEnv(const google::protobuf::RepeatedPtrField<EnvVar>& env, const std::string& path,
                 FieldErrors* errs) {
  for (int i = 0; i < env.size(); ++i) {
    const std::string name_path = Child(Index(path, size_t(i)), "name");
    const std::string& name = env[i].name();
    if (name.empty()) {
      errs->push_back(FieldError::Required(name_path));
      continue;
    }
    // IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on by default since 1.32).
    bool bad = std::any_of(name.begin(), name.end(), [](char c) {
      auto u = static_cast<unsigned char>(c);
      return u > 126 || u < 32 || c == '=';
    });
    if (bad) {
      errs->push_back(FieldError::Invalid(name_path, name,
                                          "a valid environment variable name must consist only of "
                                          "printable ASCII characters other than '='"));
    }
  }
}

void ValidateVolumeMounts(const Container& ctr, const std::set<std::string>& volumes,
                          const std::string& path, FieldErrors* errs) {
  std::set<std::string> mount_points;
  for (int i = 0; i < ctr.volume_mounts_size(); ++i) {
    const VolumeMount& mnt = ctr.volume_mounts(i);
    const std::string idx = Index(path, size_t(i));
    if (mnt.name().empty()) errs->push_back(FieldError::Required(Child(idx, "name")));
    if (!volumes.count(mnt.name())) errs->push_back(NotFound(Child(idx, "name"), mnt.name()));
    if (mnt.mount_path().empty()) errs->push_back(FieldError::Required(Child(idx, "mountPath")));
    if (mount_points.count(mnt.mount_path())) {
      errs->push_back(
          FieldError::Invalid(Child(idx, "mountPath"), mnt.mount_path(), "must be unique"));
    }
    mount_points.insert(mnt.mount_path());
    // Kubernetes reports subPath problems on the list's path (volumeMounts.subPath).
    if (!mnt.sub_path().empty())
      ValidateLocalDescendingPath(mnt.sub_path(), Child(path, "subPath"), errs);
  }
}

void ValidateContainerCommon(const Container& ctr, const std::set<std::string>& volumes,
                             const std::string& path, FieldErrors* errs) {
  if (ctr.name().empty()) {
    errs->push_back(FieldError::Required(Child(path, "name")));
  } else {
    ValidateDNS1123LabelAt(ctr.name(), Child(path, "name"), errs);
  }
  if (ctr.image().empty()) errs->push_back(FieldError::Required(Child(path, "image")));
  ValidateContainerPorts(ctr.ports(), Child(path, "ports"), errs);
  ValidateEnv(ctr.env(), Child(path, "env"), errs);
  ValidateVolumeMounts(ctr, volumes, Child(path, "volumeMounts"), errs);
  const std::string pull = Child(path, "imagePullPolicy");
  if (ctr.image_pull_policy().empty()) {
    errs->push_back(FieldError::Required(pull));
  } else if (ctr.image_pull_policy() != "Always" && ctr.image_pull_policy() != "IfNotPresent" &&
             ctr.image_pull_policy() != "Never") {
    errs->push_back(FieldError::NotSupported(pull, ctr.image_pull_policy(),
                                             {"Always", "IfNotPresent", "Never"}));
  }
  ValidateContainerResources(ctr.resources(), Child(path, "resources"), errs);
}

// ValidateVolumes: returns the names of the valid volumes.
std::set<std::string> ValidateVolumes(const google::protobuf::RepeatedPtrField<Volume>& volumes,
                                      const std::string& path, FieldErrors* errs) {
  std::set<std::string> names;
  for (int i = 0; i < volumes.size(); ++i) {
    const Volume& vol = volumes[i];
    const std::string idx = Index(path, size_t(i));
    FieldErrors el;
    int num = 0;
    if (vol.has_empty_dir()) {
      ++num;
      if (vol.empty_dir().has_size_limit()) {
        const std::string limit_path = Child(Child(idx, "emptyDir"), "sizeLimit");
        std::optional<Quantity> q = ParseQuantityAt(limit_path, vol.empty_dir().size_limit(), &el);
        if (q && q->Sign() < 0) {
          el.push_back(FieldError::Forbidden(limit_path,
                                             "SizeLimit field must be a valid resource quantity"));
        }
      }
    }
    if (vol.has_host_path()) {
      if (num > 0) {
        el.push_back(FieldError::Forbidden(Child(idx, "hostPath"),
                                           "may not specify more than 1 volume type"));
      } else {
        ++num;
        ValidateHostPath(vol.host_path(), Child(idx, "hostPath"), &el);
      }
    }
    if (vol.has_persistent_volume_claim()) {
      if (num > 0) {
        el.push_back(FieldError::Forbidden(Child(idx, "persistentVolumeClaim"),
                                           "may not specify more than 1 volume type"));
      } else {
        ++num;
        if (vol.persistent_volume_claim().claim_name().empty()) {
          el.push_back(
              FieldError::Required(Child(Child(idx, "persistentVolumeClaim"), "claimName")));
        }
      }
    }
    if (num == 0) el.push_back(FieldError::Required(idx, "must specify a volume type"));
    if (vol.name().empty()) {
      el.push_back(FieldError::Required(Child(idx, "name")));
    } else {
      ValidateDNS1123LabelAt(vol.name(), Child(idx, "name"), &el);
    }
    if (names.count(vol.name()))
      el.push_back(FieldError::Duplicate(Child(idx, "name"), vol.name()));
    if (el.empty()) {
      names.insert(vol.name());
    } else {
      Append(errs, std::move(el));
    }
  }
  return names;
}

void ValidateTolerations(const google::protobuf::RepeatedPtrField<Toleration>& tolerations,
                         const std::string& path, FieldErrors* errs) {
  for (int i = 0; i < tolerations.size(); ++i) {
    const Toleration& t = tolerations[i];
    const std::string idx = Index(path, size_t(i));
    if (!t.key().empty()) ValidateLabelName(t.key(), Child(idx, "key"), errs);
    if (t.key().empty() && t.operator_() != "Exists") {
      errs->push_back(FieldError::Invalid(Child(idx, "operator"), t.operator_(),
                                          "operator must be Exists when `key` is empty, which "
                                          "means \"match all values and all keys\""));
    }
    if (t.has_toleration_seconds() && t.effect() != "NoExecute") {
      errs->push_back(
          FieldError::Invalid(Child(idx, "effect"), t.effect(),
                              "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator_() == "Equal" || t.operator_().empty()) {
      auto msgs = IsValidLabelValue(t.value());
      if (!msgs.empty())
        errs->push_back(FieldError::Invalid(Child(idx, "operator"), t.value(), Join(msgs, ";")));
    } else if (t.operator_() == "Exists") {
      if (!t.value().empty()) {
        errs->push_back(FieldError::Invalid(Child(idx, "operator"), t.value(),
                                            "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errs->push_back(
          FieldError::NotSupported(Child(idx, "operator"), t.operator_(), {"Equal", "Exists"}));
    }
    if (!t.effect().empty() && t.effect() != "NoSchedule" && t.effect() != "PreferNoSchedule" &&
        t.effect() != "NoExecute") {
      errs->push_back(FieldError::NotSupported(Child(idx, "effect"), t.effect(),
                                               {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
  }
}

FieldErrors ValidatePodSpec(const PodSpec& spec, const std::string& path) {
  FieldErrors errs;
  if (!spec.has_termination_grace_period_seconds()) {
    errs.push_back(FieldError::Required(Child(path, "terminationGracePeriodSeconds")));
  }
  std::set<std::string> volumes = ValidateVolumes(spec.volumes(), Child(path, "volumes"), &errs);

  const std::string containers_path = Child(path, "containers");
  std::set<std::string> names;
  if (spec.containers().empty()) {
    errs.push_back(FieldError::Required(containers_path));
  } else {
    for (int i = 0; i < spec.containers_size(); ++i) {
      const Container& ctr = spec.containers(i);
      const std::string idx = Index(containers_path, size_t(i));
      ValidateContainerCommon(ctr, volumes, idx, &errs);
      if (names.count(ctr.name())) {
        errs.push_back(FieldError::Duplicate(Child(idx, "name"), ctr.name()));
      } else {
        names.insert(ctr.name());
      }
    }
  }
  const std::string init_path = Child(path, "initContainers");
  for (int i = 0; i < spec.init_containers_size(); ++i) {
    const Container& ctr = spec.init_containers(i);
    const std::string idx = Index(init_path, size_t(i));
    ValidateContainerCommon(ctr, volumes, idx, &errs);
    if (names.count(ctr.name())) {
      errs.push_back(FieldError::Duplicate(Child(idx, "name"), ctr.name()));
    } else if (!ctr.name().empty()) {
      names.insert(ctr.name());
    }
  }

  const std::string restart = Child(path, "restartPolicy");
  if (spec.restart_policy().empty()) {
    errs.push_back(FieldError::Required(restart));
  } else if (spec.restart_policy() != "Always" && spec.restart_policy() != "OnFailure" &&
             spec.restart_policy() != "Never") {
    errs.push_back(
        FieldError::NotSupported(restart, spec.restart_policy(), {"Always", "OnFailure", "Never"}));
  }
  const std::string dns = Child(path, "dnsPolicy");
  if (spec.dns_policy().empty()) {
    errs.push_back(FieldError::Required(dns));
  } else if (spec.dns_policy() != "ClusterFirstWithHostNet" &&
             spec.dns_policy() != "ClusterFirst" && spec.dns_policy() != "Default" &&
             spec.dns_policy() != "None") {
    errs.push_back(FieldError::NotSupported(
        dns, spec.dns_policy(), {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  Append(&errs, ValidateLabels(spec.node_selector(), Child(path, "nodeSelector")));
  if (spec.affinity().node_affinity().has_required_during_scheduling_ignored_during_execution()) {
    Append(
        &errs,
        ValidateNodeSelector(
            spec.affinity().node_affinity().required_during_scheduling_ignored_during_execution(),
            Child(path, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution")));
  }
  if (spec.dns_policy() == "None") {
    // lpv pods carry no dnsConfig, which None requires.
    errs.push_back(FieldError::Required(Child(path, "dnsConfig"),
                                        "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  if (!spec.service_account_name().empty()) {
    ValidateNameWith(NameIsDNSSubdomain, spec.service_account_name(),
                     Child(path, "serviceAccountName"), &errs);
  }
  if (!spec.node_name().empty())
    ValidateNameWith(NameIsDNSSubdomain, spec.node_name(), Child(path, "nodeName"), &errs);
  if (!spec.hostname().empty())
    ValidateDNS1123LabelAt(spec.hostname(), Child(path, "hostname"), &errs);
  if (!spec.subdomain().empty())
    ValidateDNS1123LabelAt(spec.subdomain(), Child(path, "subdomain"), &errs);
  if (!spec.tolerations().empty())
    ValidateTolerations(spec.tolerations(), Child(path, "tolerations"), &errs);
  return errs;
}

bool HasOuterWhitespace(const std::string& s) {
  return !s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) ||
                        std::isspace(static_cast<unsigned char>(s.back())));
}

void ValidateImagesOnlyForPod(const google::protobuf::RepeatedPtrField<Container>& containers,
                              const std::string& path, FieldErrors* errs) {
  for (int i = 0; i < containers.size(); ++i) {
    if (HasOuterWhitespace(containers[i].image())) {
      errs->push_back(FieldError::Invalid(Child(Index(path, size_t(i)), "image"),
                                          containers[i].image(),
                                          "must not have leading or trailing whitespace"));
    }
  }
}

// ValidateContainerUpdates: false when the container count changed (validation stops).
bool ValidateContainerUpdates(const google::protobuf::RepeatedPtrField<Container>& updated,
                              const google::protobuf::RepeatedPtrField<Container>& old,
                              const std::string& path, FieldErrors* errs) {
  if (updated.size() != old.size()) {
    errs->push_back(FieldError::Forbidden(path, "pod updates may not add or remove containers"));
    return false;
  }
  for (int i = 0; i < updated.size(); ++i) {
    const std::string image = Child(Index(path, size_t(i)), "image");
    if (updated[i].image().empty()) errs->push_back(FieldError::Required(image));
    if (HasOuterWhitespace(updated[i].image())) {
      errs->push_back(FieldError::Invalid(image, updated[i].image(),
                                          "must not have leading or trailing whitespace"));
    }
  }
  return true;
}

// ---------------------------------------------------------------- nodes

bool IsValidCIDR(const std::string& cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos || slash + 1 >= cidr.size()) return false;
  std::string ip = cidr.substr(0, slash), bits = cidr.substr(slash + 1);
  if (!std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      bits.size() > 3) {
    return false;
  }
  int prefix = std::stoi(bits);
  unsigned char buf[16];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) return prefix <= 32;
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) return prefix <= 128;
  return false;
}

void ValidateNodeTaints(const Node& node, FieldErrors* errs) {
  // Kubernetes reports taints under metadata.taints.
  const std::string path = "metadata.taints";
  std::map<std::string, std::set<std::string>> unique;  // effect -> keys
  for (int i = 0; i < node.spec().taints_size(); ++i) {
    const Taint& t = node.spec().taints(i);
    const std::string idx = Index(path, size_t(i));
    ValidateLabelName(t.key(), Child(idx, "key"), errs);
    auto msgs = IsValidLabelValue(t.value());
    if (!msgs.empty())
      errs->push_back(FieldError::Invalid(Child(idx, "value"), t.value(), Join(msgs, ";")));
    if (t.effect().empty()) {
      errs->push_back(FieldError::Required(Child(idx, "effect")));
    } else if (t.effect() != "NoSchedule" && t.effect() != "PreferNoSchedule" &&
               t.effect() != "NoExecute") {
      errs->push_back(FieldError::NotSupported(Child(idx, "effect"), t.effect(),
                                               {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (unique[t.effect()].count(t.key())) {
      errs->push_back(DuplicateRaw(idx,
                                   "core.Taint{Key:" + GoQuote(t.key()) +
                                       ", Value:" + GoQuote(t.value()) +
                                       ", Effect:" + GoQuote(t.effect()) + ", TimeAdded:<nil>}",
                                   "taints must be unique by key and effect pair"));
      continue;
    }
    unique[t.effect()].insert(t.key());
  }
}

void ValidateNodeResources(const Node& node, FieldErrors* errs) {
  for (const auto& [name, value] : Sorted(node.status().capacity())) {
    ValidateNonnegativeQuantity(value, "status.capacity." + name, errs);
  }
  for (const auto& [name, value] : Sorted(node.status().allocatable())) {
    ValidateNonnegativeQuantity(value, "status.allocatable." + name, errs);
  }
}

// ---------------------------------------------------------------- persistent volumes

// PV node affinity equality that lets a beta topology label key become its GA key.
bool RequirementEqualMasked(const NodeSelectorRequirement& updated,
                            const NodeSelectorRequirement& old) {
  static const std::map<std::string, std::string> kBetaToGA = {
      {"failure-domain.beta.kubernetes.io/zone", "topology.kubernetes.io/zone"},
      {"failure-domain.beta.kubernetes.io/region", "topology.kubernetes.io/region"},
      {"beta.kubernetes.io/os", "kubernetes.io/os"},
      {"beta.kubernetes.io/arch", "kubernetes.io/arch"},
      {"beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type"},
  };
  NodeSelectorRequirement masked = old;
  auto it = kBetaToGA.find(old.key());
  if (old.key() != updated.key() && it != kBetaToGA.end() && it->second == updated.key()) {
    masked.set_key(updated.key());
  }
  return SemanticEqual(updated, masked);
}

bool NodeAffinityEqualMasked(const PersistentVolumeSpec& updated, const PersistentVolumeSpec& old) {
  if (updated.has_node_affinity() != old.has_node_affinity()) return false;
  const VolumeNodeAffinity& a = updated.node_affinity();
  const VolumeNodeAffinity& b = old.node_affinity();
  if (a.has_required() != b.has_required()) return false;
  const auto& ta = a.required().node_selector_terms();
  const auto& tb = b.required().node_selector_terms();
  if (ta.size() != tb.size()) return false;
  for (int i = 0; i < ta.size(); ++i) {
    if (ta[i].match_expressions_size() != tb[i].match_expressions_size()) return false;
    for (int j = 0; j < ta[i].match_expressions_size(); ++j) {
      if (!RequirementEqualMasked(ta[i].match_expressions(j), tb[i].match_expressions(j)))
        return false;
    }
    if (ta[i].match_fields_size() != tb[i].match_fields_size()) return false;
    for (int j = 0; j < ta[i].match_fields_size(); ++j) {
      if (!SemanticEqual(ta[i].match_fields(j), tb[i].match_fields(j))) return false;
    }
  }
  return true;
}

std::string GoVolumeNodeAffinity(const PersistentVolumeSpec& spec) {
  if (!spec.has_node_affinity()) return "null";
  // Go prints the pointer address of Required; an address is no use here.
  return spec.node_affinity().has_required()
             ? "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(...)}"
             : "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(nil)}";
}

std::string OptionalValue(bool has, const std::string& value) {
  return has ? GoQuote(value) : "null";
}

// The mount-options check of pkg/volume/validation: local and hostPath volumes take none.
void CheckMountOptionAnnotation(const PersistentVolume& pv, FieldErrors* errs) {
  if (pv.metadata().annotations().count("volume.beta.kubernetes.io/mount-options")) {
    errs->push_back(
        FieldError::Forbidden("metadata.annotations.volume.beta.kubernetes.io/mount-options",
                              "may not specify mount options for this volume type"));
  }
}

FieldErrors ValidatePVSpec(const PersistentVolumeSpec& spec, const std::string& path) {
  FieldErrors errs;
  if (spec.access_modes().empty()) errs.push_back(FieldError::Required(Child(path, "accessModes")));
  ValidateAccessModes(spec.access_modes(), Child(path, "accessModes"), &errs);

  const std::string cap_path = Child(path, "capacity");
  if (spec.capacity().empty()) errs.push_back(FieldError::Required(cap_path));
  if (!spec.capacity().count("storage") || spec.capacity().size() > 1) {
    errs.push_back(NotSupportedRaw(cap_path, GoResourceList(spec.capacity()), {"storage"}));
  }
  for (const auto& [name, value] : Sorted(spec.capacity())) {
    const std::string fld = Key(cap_path, name);
    std::optional<Quantity> q = ParseQuantityAt(fld, value, &errs);
    if (!q) continue;
    if (q->Value() < 0) {
      errs.push_back(FieldError::InvalidRaw(fld, std::to_string(q->Value()),
                                            "must be a valid resource quantity"));
    }
    if (q->Sign() <= 0)
      errs.push_back(FieldError::Invalid(fld, q->String(), "must be greater than zero"));
  }

  static const std::vector<std::string> kReclaim = {"Delete", "Recycle", "Retain"};
  const std::string& reclaim = spec.persistent_volume_reclaim_policy();
  if (!reclaim.empty() && std::find(kReclaim.begin(), kReclaim.end(), reclaim) == kReclaim.end()) {
    errs.push_back(
        FieldError::NotSupported(Child(path, "persistentVolumeReclaimPolicy"), reclaim, kReclaim));
  }

  bool node_affinity_specified = spec.has_node_affinity();
  if (node_affinity_specified) {
    const std::string na_path = Child(path, "nodeAffinity");
    if (spec.node_affinity().has_required()) {
      Append(&errs,
             ValidateNodeSelector(spec.node_affinity().required(), Child(na_path, "required")));
    } else {
      errs.push_back(FieldError::Required(Child(na_path, "required"),
                                          "must specify required node constraints"));
    }
  }

  int num = 0;
  if (spec.has_host_path()) {
    ++num;
    ValidateHostPath(spec.host_path(), Child(path, "hostPath"), &errs);
  }
  if (spec.has_local()) {
    if (num > 0) {
      errs.push_back(
          FieldError::Forbidden(Child(path, "local"), "may not specify more than 1 volume type"));
    } else {
      ++num;
      // validateLocalVolumeSource: required, no backsteps. Kubernetes does not require an
      // absolute path here (the kubelet fails to mount a relative one).
      const std::string local_path = Child(Child(path, "local"), "path");
      if (spec.local().path().empty()) {
        errs.push_back(FieldError::Required(local_path));
      } else {
        ValidatePathNoBacksteps(spec.local().path(), local_path, &errs);
      }
      if (!node_affinity_specified) {
        errs.push_back(FieldError::Required(Child(path, "nodeAffinity"),
                                            "Local volume requires node affinity"));
      }
    }
  }
  if (num == 0) errs.push_back(FieldError::Required(path, "must specify a volume type"));

  if (spec.has_host_path() && CleansToRoot(spec.host_path().path()) && reclaim == "Recycle") {
    errs.push_back(FieldError::Forbidden(Child(path, "persistentVolumeReclaimPolicy"),
                                         "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (!spec.storage_class_name().empty()) {
    ValidateNameWith(NameIsDNSSubdomain, spec.storage_class_name(), Child(path, "storageClassName"),
                     &errs);
  }
  if (spec.has_volume_mode() && std::find(kVolumeModes.begin(), kVolumeModes.end(),
                                          spec.volume_mode()) == kVolumeModes.end()) {
    errs.push_back(
        FieldError::NotSupported(Child(path, "volumeMode"), spec.volume_mode(), kVolumeModes));
  }
  return errs;
}

FieldErrors ValidatePVCSpec(const PersistentVolumeClaimSpec& spec, const std::string& path) {
  FieldErrors errs;
  if (spec.access_modes().empty()) {
    errs.push_back(
        FieldError::Required(Child(path, "accessModes"), "at least 1 access mode is required"));
  }
  if (spec.has_selector())
    Append(&errs, ValidateLabelSelector(spec.selector(), Child(path, "selector")));
  ValidateAccessModes(spec.access_modes(), Child(path, "accessModes"), &errs);

  // Kubernetes' path is spec.resources[storage] (not resources.requests).
  const std::string storage_path = Key(Child(path, "resources"), "storage");
  auto it = spec.resources().requests().find("storage");
  if (it == spec.resources().requests().end()) {
    errs.push_back(FieldError::Required(storage_path));
  } else if (std::optional<Quantity> q = ParseQuantityAt(storage_path, it->second, &errs)) {
    if (q->Sign() <= 0)
      errs.push_back(FieldError::Invalid(storage_path, q->String(), "must be greater than zero"));
  }
  if (spec.has_storage_class_name() && !spec.storage_class_name().empty()) {
    ValidateNameWith(NameIsDNSSubdomain, spec.storage_class_name(), Child(path, "storageClassName"),
                     &errs);
  }
  if (spec.has_volume_mode() && std::find(kVolumeModes.begin(), kVolumeModes.end(),
                                          spec.volume_mode()) == kVolumeModes.end()) {
    errs.push_back(
        FieldError::NotSupported(Child(path, "volumeMode"), spec.volume_mode(), kVolumeModes));
  }
  return errs;
}

// ---------------------------------------------------------------- statefulsets

FieldErrors ValidateStatefulSetSpec(const StatefulSetSpec& spec, const std::string& path) {
  FieldErrors errs;
  const std::string pmp = Child(path, "podManagementPolicy");
  if (spec.pod_management_policy().empty()) {
    errs.push_back(FieldError::Required(pmp));
  } else if (spec.pod_management_policy() != "OrderedReady" &&
             spec.pod_management_policy() != "Parallel") {
    errs.push_back(FieldError::Invalid(pmp, spec.pod_management_policy(),
                                       "must be 'OrderedReady' or 'Parallel'"));
  }

  const std::string us = Child(path, "updateStrategy");
  const StatefulSetUpdateStrategy& strategy = spec.update_strategy();
  if (strategy.type().empty()) {
    errs.push_back(FieldError::Required(us));
  } else if (strategy.type() == "OnDelete") {
    if (strategy.has_rolling_update()) {
      errs.push_back(
          FieldError::InvalidRaw(Child(us, "rollingUpdate"),
                                 "apps.RollingUpdateStatefulSetStrategy{Partition:" +
                                     std::to_string(strategy.rolling_update().partition()) +
                                     ", MaxUnavailable:(*intstr.IntOrString)(nil)}",
                                 "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (strategy.type() == "RollingUpdate") {
    if (strategy.has_rolling_update()) {
      ValidateNonnegative(strategy.rolling_update().partition(),
                          Child(Child(us, "rollingUpdate"), "partition"), &errs);
    }
  } else {
    errs.push_back(FieldError::InvalidRaw(
        us,
        "apps.StatefulSetUpdateStrategy{Type:" + GoQuote(strategy.type()) + ", RollingUpdate:" +
            (strategy.has_rolling_update() ? "(*apps.RollingUpdateStatefulSetStrategy)(...)"
                                           : "(*apps.RollingUpdateStatefulSetStrategy)(nil)") +
            "}",
        "must be 'RollingUpdate' or 'OnDelete'"));
  }

  if (spec.has_persistent_volume_claim_retention_policy()) {
    const auto& policy = spec.persistent_volume_claim_retention_policy();
    const std::string pp = Child(path, "persistentVolumeClaimRetentionPolicy");
    for (const auto& [name, value] :
         {std::pair<const char*, std::string>{"whenDeleted", policy.when_deleted()},
          std::pair<const char*, std::string>{"whenScaled", policy.when_scaled()}}) {
      if (value != "Retain" && value != "Delete") {
        errs.push_back(FieldError::NotSupported(Child(pp, name), value, {"Retain", "Delete"}));
      }
    }
  }

  ValidateNonnegative(spec.replicas(), Child(path, "replicas"), &errs);
  ValidateNonnegative(spec.min_ready_seconds(), Child(path, "minReadySeconds"), &errs);

  const std::string sel_path = Child(path, "selector");
  if (!spec.has_selector()) {
    errs.push_back(FieldError::Required(sel_path));
  } else {
    Append(&errs, ValidateLabelSelector(spec.selector(), sel_path));
    if (spec.selector().match_labels().empty() && spec.selector().match_expressions().empty()) {
      errs.push_back(FieldError::InvalidRaw(sel_path, GoLabelSelector(spec.selector()),
                                            "empty selector is invalid for statefulset"));
    }
  }
  Result<Selector> selector =
      LabelSelectorAsSelector(spec.has_selector() ? &spec.selector() : nullptr);
  const std::string tmpl = Child(path, "template");
  if (!selector.ok()) {
    errs.push_back(FieldError::InvalidRaw(sel_path, GoLabelSelector(spec.selector()), ""));
  } else {
    const ObjectMeta& meta = spec.template_().metadata();
    if (!selector->Empty() && !selector->Matches(meta.labels())) {
      errs.push_back(FieldError::InvalidRaw(Child(Child(tmpl, "metadata"), "labels"),
                                            GoStringMap(meta.labels()),
                                            "`selector` does not match template `labels`"));
    }
    // Kubernetes' paths here are template.labels / template.annotations.
    Append(&errs, ValidateLabels(meta.labels(), Child(tmpl, "labels")));
    Append(&errs, ValidateAnnotations(meta.annotations(), Child(tmpl, "annotations")));
  }
  if (spec.template_().spec().restart_policy() != "Always") {
    errs.push_back(FieldError::NotSupported(Child(Child(tmpl, "spec"), "restartPolicy"),
                                            spec.template_().spec().restart_policy(), {"Always"}));
  }
  return errs;
}

// ---------------------------------------------------------------- events

FieldErrors LegacyValidateEvent(const Event& event) {
  FieldErrors errs;
  const std::string& ns = event.metadata().namespace_();
  const std::string& involved_ns = event.involved_object().namespace_();
  const std::string ns_path = "involvedObject.namespace";
  if (event.event_time().empty()) {
    if (involved_ns.empty()) {
      if (!ns.empty() && ns != "default") {
        errs.push_back(FieldError::Invalid(ns_path, involved_ns, "does not match event.namespace"));
      }
    } else if (ns != involved_ns) {
      errs.push_back(FieldError::Invalid(ns_path, involved_ns, "does not match event.namespace"));
    }
  } else {
    if (involved_ns.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(FieldError::Invalid(ns_path, involved_ns, "does not match event.namespace"));
    }
    // Kubernetes names the internal field: reportingComponent is reportingController.
    const std::string& controller = event.reporting_component();
    if (controller.empty()) errs.push_back(FieldError::Required("reportingController"));
    for (const auto& msg : IsQualifiedName(controller)) {
      errs.push_back(FieldError::Invalid("reportingController", controller, msg));
    }
    if (event.reporting_instance().empty())
      errs.push_back(FieldError::Required("reportingInstance"));
    if (event.reporting_instance().size() > 128) {
      errs.push_back(
          FieldError::Invalid("reportingInstance", "", "can have at most 128 characters"));
    }
    if (event.reason().empty()) errs.push_back(FieldError::Required("reason"));
    if (event.reason().size() > 128) {
      errs.push_back(FieldError::Invalid("reason", "", "can have at most 128 characters"));
    }
    if (event.message().size() > 1024) {
      errs.push_back(FieldError::Invalid("message", "", "can have at most 1024 characters"));
    }
  }
  for (const auto& msg : IsDNS1123Subdomain(ns))
    errs.push_back(FieldError::Invalid("namespace", ns, msg));
  return errs;
}

}  // namespace

// ================================================================ public: formats

std::vector<std::string> IsDNS1123Label(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchesDNS1123Label(value)) {
    if (MatchesDNS1123Subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDNS1123LabelErrMsg, kDNS1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> IsDNS1123Subdomain(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 253) errs.push_back(MaxLenError(253));
  if (!MatchesDNS1123Subdomain(value)) {
    errs.push_back(RegexError(kDNS1123SubdomainErrMsg, kDNS1123SubdomainFmt, {"example.com"}));
  }
  return errs;
}

std::vector<std::string> IsQualifiedName(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name;
  size_t slash = value.find('/');
  if (slash == std::string_view::npos) {
    name = value;
  } else if (value.find('/', slash + 1) == std::string_view::npos) {
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& msg : IsDNS1123Subdomain(prefix))
        errs.push_back("prefix part " + msg);
    }
  } else {
    errs.push_back(
        "a qualified name " +
        RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!MatchesQualifiedNamePart(name)) {
    errs.push_back("name part " + RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

std::vector<std::string> IsValidLabelValue(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!value.empty() && !MatchesQualifiedNamePart(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt, {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

std::vector<std::string> NameIsDNSSubdomain(std::string_view name, bool prefix) {
  return prefix ? IsDNS1123Subdomain(MaskTrailingDash(name)) : IsDNS1123Subdomain(name);
}

std::vector<std::string> NameIsDNSLabel(std::string_view name, bool prefix) {
  return prefix ? IsDNS1123Label(MaskTrailingDash(name)) : IsDNS1123Label(name);
}

std::vector<std::string> NameIsPathSegment(std::string_view name, bool prefix) {
  return IsValidPathSegmentName(name, prefix);
}

std::string GoStringSlice(const std::vector<std::string>& values, bool nil) {
  if (nil && values.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += GoQuote(values[i]);
  }
  return out + "}";
}

std::string GoStringMap(const std::map<std::string, std::string>& m) {
  if (m.empty()) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ", ";
    first = false;
    out += GoQuote(k) + ":" + GoQuote(v);
  }
  return out + "}";
}

std::string GoStringMap(const StringMap& m) { return GoStringMap(Sorted(m)); }

// ================================================================ public: shared pieces

FieldErrors ValidateObjectMeta(const ObjectMeta& meta, bool namespaced) {
  return ValidateObjectMeta(meta, namespaced, NameIsDNSSubdomain);
}

FieldErrors ValidateObjectMeta(const ObjectMeta& meta, bool namespaced, NameValidator name_fn) {
  FieldErrors errs;
  if (!meta.generate_name().empty()) {
    for (const auto& msg : name_fn(meta.generate_name(), true)) {
      errs.push_back(FieldError::Invalid("metadata.generateName", meta.generate_name(), msg));
    }
  }
  if (meta.name().empty()) {
    if (meta.generate_name().empty()) {
      errs.push_back(FieldError::Required("metadata.name", "name or generateName is required"));
    }
  } else {
    for (const auto& msg : name_fn(meta.name(), false)) {
      errs.push_back(FieldError::Invalid("metadata.name", meta.name(), msg));
    }
  }
  if (namespaced) {
    if (meta.namespace_().empty()) {
      errs.push_back(FieldError::Required("metadata.namespace"));
    } else {
      for (const auto& msg : NameIsDNSLabel(meta.namespace_(), false)) {
        errs.push_back(FieldError::Invalid("metadata.namespace", meta.namespace_(), msg));
      }
    }
  } else if (!meta.namespace_().empty()) {
    errs.push_back(FieldError::Forbidden("metadata.namespace", "not allowed on this type"));
  }
  ValidateNonnegative(meta.generation(), "metadata.generation", &errs);
  Append(&errs, ValidateLabels(meta.labels(), "metadata.labels"));
  Append(&errs, ValidateAnnotations(meta.annotations(), "metadata.annotations"));
  ValidateOwnerReferences(meta, "metadata.ownerReferences", &errs);
  ValidateFinalizers(meta, "metadata.finalizers", &errs);
  ValidateKubeFinalizerNames(meta, "metadata.finalizers", &errs);
  return errs;
}

FieldErrors ValidateObjectMetaUpdate(const ObjectMeta& updated, const ObjectMeta& old) {
  FieldErrors errs;
  if (!old.deletion_timestamp().empty()) {
    std::set<std::string> old_set(old.finalizers().begin(), old.finalizers().end());
    std::set<std::string> extra;
    for (const std::string& f : updated.finalizers()) {
      if (!old_set.count(f)) extra.insert(f);
    }
    if (!extra.empty()) {
      errs.push_back(FieldError::Forbidden(
          "metadata.finalizers",
          "no new finalizers can be added if the object is being deleted, found new finalizers " +
              GoStringSlice({extra.begin(), extra.end()})));
    }
  }
  if (updated.resource_version().empty()) {
    errs.push_back(
        FieldError::Invalid("metadata.resourceVersion", "", "must be specified for an update"));
  }
  if (updated.generation() < old.generation()) {
    errs.push_back(FieldError::InvalidRaw(
        "metadata.generation", std::to_string(updated.generation()), "must not be decremented"));
  }
  if (updated.name() != old.name())
    errs.push_back(FieldError::Invalid("metadata.name", updated.name(), kImmutable));
  if (updated.namespace_() != old.namespace_()) {
    errs.push_back(FieldError::Invalid("metadata.namespace", updated.namespace_(), kImmutable));
  }
  if (updated.uid() != old.uid())
    errs.push_back(FieldError::Invalid("metadata.uid", updated.uid(), kImmutable));
  if (updated.creation_timestamp() != old.creation_timestamp()) {
    errs.push_back(FieldError::InvalidRaw("metadata.creationTimestamp",
                                          GoTime(updated.creation_timestamp()), kImmutable));
  }
  if (updated.deletion_timestamp() != old.deletion_timestamp()) {
    errs.push_back(FieldError::InvalidRaw(
        "metadata.deletionTimestamp",
        updated.deletion_timestamp().empty() ? "null" : GoTime(updated.deletion_timestamp()),
        kImmutable));
  }
  if (updated.has_deletion_grace_period_seconds() != old.has_deletion_grace_period_seconds() ||
      updated.deletion_grace_period_seconds() != old.deletion_grace_period_seconds()) {
    errs.push_back(
        FieldError::InvalidRaw("metadata.deletionGracePeriodSeconds",
                               updated.has_deletion_grace_period_seconds()
                                   ? std::to_string(updated.deletion_grace_period_seconds())
                                   : "null",
                               kImmutable));
  }
  Append(&errs, ValidateLabels(updated.labels(), "metadata.labels"));
  Append(&errs, ValidateAnnotations(updated.annotations(), "metadata.annotations"));
  ValidateOwnerReferences(updated, "metadata.ownerReferences", &errs);
  ValidateKubeFinalizerNames(updated, "metadata.finalizers", &errs);
  return errs;
}

FieldErrors ValidateLabels(const StringMap& labels, const std::string& path) {
  FieldErrors errs;
  for (const auto& [k, v] : Sorted(labels)) {
    ValidateLabelName(k, path, &errs);
    for (const auto& msg : IsValidLabelValue(v)) errs.push_back(FieldError::Invalid(path, v, msg));
  }
  return errs;
}

FieldErrors ValidateAnnotations(const StringMap& annotations, const std::string& path) {
  FieldErrors errs;
  int64_t total = 0;
  for (const auto& [k, v] : Sorted(annotations)) {
    // The rule is a qualified name, case-insensitively.
    for (const auto& msg : IsQualifiedName(ToLower(k)))
      errs.push_back(FieldError::Invalid(path, k, msg));
    total += int64_t(k.size() + v.size());
  }
  if (total > 256 * 1024) errs.push_back(TooLong(path, 256 * 1024));
  return errs;
}

FieldErrors ValidateLabelSelector(const LabelSelector& selector, const std::string& path) {
  FieldErrors errs = ValidateLabels(selector.match_labels(), Child(path, "matchLabels"));
  for (int i = 0; i < selector.match_expressions_size(); ++i) {
    const LabelSelectorRequirement& sr = selector.match_expressions(i);
    const std::string idx = Index(Child(path, "matchExpressions"), size_t(i));
    const std::string& op = sr.operator_();
    if (op == "In" || op == "NotIn") {
      if (sr.values().empty()) {
        errs.push_back(FieldError::Required(
            Child(idx, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (!sr.values().empty()) {
        errs.push_back(FieldError::Forbidden(
            Child(idx, "values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push_back(
          FieldError::Invalid(Child(idx, "operator"), op, "not a valid selector operator"));
    }
    ValidateLabelName(sr.key(), Child(idx, "key"), &errs);
    for (int j = 0; j < sr.values_size(); ++j) {
      for (const auto& msg : IsValidLabelValue(sr.values(j))) {
        errs.push_back(
            FieldError::Invalid(Index(Child(idx, "values"), size_t(j)), sr.values(j), msg));
      }
    }
  }
  return errs;
}

FieldErrors ValidateNodeSelector(const NodeSelector& selector, const std::string& path) {
  FieldErrors errs;
  const std::string terms = Child(path, "nodeSelectorTerms");
  if (selector.node_selector_terms().empty()) {
    errs.push_back(FieldError::Required(terms, "must have at least one node selector term"));
    return errs;
  }
  for (int i = 0; i < selector.node_selector_terms_size(); ++i) {
    const NodeSelectorTerm& term = selector.node_selector_terms(i);
    const std::string idx = Index(terms, size_t(i));
    for (int j = 0; j < term.match_expressions_size(); ++j) {
      ValidateNodeSelectorRequirement(term.match_expressions(j),
                                      Index(Child(idx, "matchExpressions"), size_t(j)), &errs);
    }
    for (int j = 0; j < term.match_fields_size(); ++j) {
      ValidateNodeFieldSelectorRequirement(term.match_fields(j),
                                           Index(Child(idx, "matchFields"), size_t(j)), &errs);
    }
  }
  return errs;
}

// ================================================================ public: kinds

FieldErrors Validate(const StorageClass& sc) {
  FieldErrors errs = ValidateObjectMeta(sc.metadata(), /*namespaced=*/false);
  if (sc.provisioner().empty()) {
    errs.push_back(FieldError::Required("provisioner"));
  } else {
    // Checked (and shown) lowercased, as Kubernetes does.
    ValidateLabelName(ToLower(sc.provisioner()), "provisioner", &errs);
  }
  if (sc.parameters().size() > 512) {
    errs.push_back(TooLong("parameters", 512));
  } else {
    int64_t total = 0;
    for (const auto& [k, v] : Sorted(sc.parameters())) {
      if (k.empty())
        errs.push_back(FieldError::Invalid("parameters", k, "field can not be empty."));
      total += int64_t(k.size() + v.size());
    }
    if (total > 256 * 1024) errs.push_back(TooLong("parameters", 256 * 1024));
  }
  if (!sc.reclaim_policy().empty() && sc.reclaim_policy() != "Delete" &&
      sc.reclaim_policy() != "Retain") {
    errs.push_back(
        FieldError::NotSupported("reclaimPolicy", sc.reclaim_policy(), {"Delete", "Retain"}));
  }
  if (!sc.has_volume_binding_mode()) {
    errs.push_back(FieldError::Required("volumeBindingMode"));
  } else if (sc.volume_binding_mode() != "Immediate" &&
             sc.volume_binding_mode() != "WaitForFirstConsumer") {
    errs.push_back(FieldError::NotSupported("volumeBindingMode", sc.volume_binding_mode(),
                                            {"Immediate", "WaitForFirstConsumer"}));
  }
  std::vector<std::map<std::string, std::set<std::string>>> seen;
  for (int i = 0; i < sc.allowed_topologies_size(); ++i) {
    const std::string idx = Index("allowedTopologies", size_t(i));
    auto term = ValidateTopologySelectorTerm(sc.allowed_topologies(i), idx, &errs);
    for (const auto& other : seen) {
      if (other == term)
        errs.push_back(FieldError::Duplicate(Child(idx, "matchLabelExpressions"), ""));
    }
    seen.push_back(std::move(term));
  }
  return errs;
}

FieldErrors Validate(const PersistentVolume& pv) {
  FieldErrors errs = ValidateObjectMeta(pv.metadata(), /*namespaced=*/false);
  Append(&errs, ValidatePVSpec(pv.spec(), "spec"));
  CheckMountOptionAnnotation(pv, &errs);
  return errs;
}

FieldErrors Validate(const PersistentVolumeClaim& pvc) {
  FieldErrors errs = ValidateObjectMeta(pvc.metadata(), /*namespaced=*/true);
  Append(&errs, ValidatePVCSpec(pvc.spec(), "spec"));
  return errs;
}

FieldErrors Validate(const Pod& pod) {
  FieldErrors errs = ValidateObjectMeta(pod.metadata(), /*namespaced=*/true);
  Append(&errs, ValidatePodSpec(pod.spec(), "spec"));
  ValidateImagesOnlyForPod(pod.spec().containers(), "spec.containers", &errs);
  ValidateImagesOnlyForPod(pod.spec().init_containers(), "spec.initContainers", &errs);
  return errs;
}

FieldErrors Validate(const Node& node) {
  FieldErrors errs = ValidateObjectMeta(node.metadata(), /*namespaced=*/false);
  ValidateNodeTaints(node, &errs);
  ValidateNodeResources(node, &errs);
  if (!node.spec().pod_cidr().empty() && !IsValidCIDR(node.spec().pod_cidr())) {
    errs.push_back(
        FieldError::Invalid("spec.podCIDRs[0]", node.spec().pod_cidr(),
                            "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  }
  return errs;
}

FieldErrors Validate(const StatefulSet& set) {
  FieldErrors errs = ValidateObjectMeta(set.metadata(), /*namespaced=*/true, NameIsDNSLabel);
  Append(&errs, ValidateStatefulSetSpec(set.spec(), "spec"));
  return errs;
}

FieldErrors Validate(const Event& event) {
  FieldErrors errs = LegacyValidateEvent(event);
  // rest.BeforeCreate's generic metadata check runs once the kind's own rules passed.
  if (errs.empty())
    errs = ValidateObjectMeta(event.metadata(), /*namespaced=*/true, NameIsPathSegment);
  return errs;
}

FieldErrors Validate(const Binding& binding) {
  FieldErrors errs;
  if (!binding.target().kind().empty() && binding.target().kind() != "Node") {
    errs.push_back(
        FieldError::NotSupported("target.kind", binding.target().kind(), {"Node", "<empty>"}));
  }
  if (binding.target().name().empty()) errs.push_back(FieldError::Required("target.name"));
  return errs;
}

FieldErrors Validate(const Lease& lease) {
  FieldErrors errs = ValidateObjectMeta(lease.metadata(), /*namespaced=*/true);
  const LeaseSpec& spec = lease.spec();
  if (spec.has_lease_duration_seconds() && spec.lease_duration_seconds() <= 0) {
    errs.push_back(FieldError::InvalidRaw("spec.leaseDurationSeconds",
                                          std::to_string(spec.lease_duration_seconds()),
                                          "must be greater than 0"));
  }
  if (spec.has_lease_transitions() && spec.lease_transitions() < 0) {
    errs.push_back(FieldError::InvalidRaw("spec.leaseTransitions",
                                          std::to_string(spec.lease_transitions()), kIsNegative));
  }
  return errs;
}

FieldErrors ValidateUpdate(const StorageClass& updated, const StorageClass& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, Validate(updated));
  if (Sorted(updated.parameters()) != Sorted(old.parameters())) {
    errs.push_back(FieldError::Forbidden("parameters", "updates to parameters are forbidden."));
  }
  if (updated.provisioner() != old.provisioner()) {
    errs.push_back(FieldError::Forbidden("provisioner", "updates to provisioner are forbidden."));
  }
  if (updated.reclaim_policy() != old.reclaim_policy()) {
    errs.push_back(
        FieldError::Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  }
  if (updated.has_volume_binding_mode() != old.has_volume_binding_mode() ||
      updated.volume_binding_mode() != old.volume_binding_mode()) {
    errs.push_back(FieldError::InvalidRaw(
        "volumeBindingMode",
        OptionalValue(updated.has_volume_binding_mode(), updated.volume_binding_mode()),
        kImmutable));
  }
  return errs;
}

FieldErrors ValidateUpdate(const PersistentVolume& updated, const PersistentVolume& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, Validate(updated));
  // The volume source (local, hostPath) is immutable after creation.
  PersistentVolumeSpec new_source, old_source;
  if (updated.spec().has_local()) *new_source.mutable_local() = updated.spec().local();
  if (updated.spec().has_host_path()) *new_source.mutable_host_path() = updated.spec().host_path();
  if (old.spec().has_local()) *old_source.mutable_local() = old.spec().local();
  if (old.spec().has_host_path()) *old_source.mutable_host_path() = old.spec().host_path();
  if (updated.spec().has_local() != old.spec().has_local() ||
      updated.spec().has_host_path() != old.spec().has_host_path() ||
      !SemanticEqual(new_source, old_source)) {
    errs.push_back(
        FieldError::Forbidden("spec.persistentvolumesource",
                              "spec.persistentvolumesource is immutable after creation\n" +
                                  SpecDiff(old_source, new_source, "core.PersistentVolumeSource")));
  }
  if (updated.spec().has_volume_mode() != old.spec().has_volume_mode() ||
      updated.spec().volume_mode() != old.spec().volume_mode()) {
    // Kubernetes' path for this one lacks the spec. prefix.
    errs.push_back(FieldError::InvalidRaw(
        "volumeMode", OptionalValue(updated.spec().has_volume_mode(), updated.spec().volume_mode()),
        kImmutable));
  }
  if (old.spec().has_node_affinity() && !NodeAffinityEqualMasked(updated.spec(), old.spec())) {
    errs.push_back(
        FieldError::InvalidRaw("nodeAffinity", GoVolumeNodeAffinity(updated.spec()),
                               "field is immutable, except for updating from beta label to GA"));
  }
  return errs;
}

FieldErrors ValidateUpdate(const PersistentVolumeClaim& updated, const PersistentVolumeClaim& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, Validate(updated));

  PersistentVolumeClaimSpec new_spec = updated.spec();
  PersistentVolumeClaimSpec old_spec = old.spec();
  // The PV controller sets spec.volumeName once.
  if (old.spec().volume_name().empty()) old_spec.set_volume_name(new_spec.volume_name());

  const std::string kBetaClass = "volume.beta.kubernetes.io/storage-class";
  const auto& old_ann = old.metadata().annotations();
  const auto& new_ann = updated.metadata().annotations();
  auto old_class_ann = old_ann.find(kBetaClass);
  auto new_class_ann = new_ann.find(kBetaClass);
  bool upgrade_from_annotation =
      old_class_ann != old_ann.end() && !old.spec().has_storage_class_name() &&
      updated.spec().has_storage_class_name() &&
      updated.spec().storage_class_name() == old_class_ann->second &&
      (new_class_ann == new_ann.end() || new_class_ann->second == old_class_ann->second);
  if (upgrade_from_annotation) {
    new_spec.clear_storage_class_name();
  } else {
    std::string new_value = new_class_ann == new_ann.end() ? "" : new_class_ann->second;
    std::string old_value = old_class_ann == old_ann.end() ? "" : old_class_ann->second;
    if (new_value != old_value) {
      errs.push_back(
          FieldError::Invalid("metadata.annotations." + kBetaClass, new_value, kImmutable));
    }
    // A class may be set on a claim that had none (and no conflicting annotation).
    if (updated.spec().has_storage_class_name() && !old.spec().has_storage_class_name() &&
        (old_class_ann == old_ann.end() ||
         updated.spec().storage_class_name() == old_class_ann->second)) {
      new_spec.clear_storage_class_name();
    }
  }
  // Bound claims may change their storage request (expansion).
  if (updated.status().phase() == "Bound" && !new_spec.resources().requests().empty()) {
    auto* requests = new_spec.mutable_resources()->mutable_requests();
    auto it = old.spec().resources().requests().find("storage");
    if (it != old.spec().resources().requests().end()) {
      (*requests)["storage"] = it->second;
    } else {
      requests->erase("storage");
    }
  }
  if (!SemanticEqual(new_spec, old_spec)) {
    errs.push_back(
        FieldError::Forbidden("spec",
                              "spec is immutable after creation except resources.requests and "
                              "volumeAttributesClassName for "
                              "bound claims\n" +
                                  SpecDiff(old_spec, new_spec, "core.PersistentVolumeClaimSpec")));
  }

  auto quantity_of = [](const StringMap& list) {
    auto it = list.find("storage");
    if (it == list.end()) return Quantity();
    Result<Quantity> q = Quantity::Parse(it->second);
    return q.ok() ? *q : Quantity();
  };
  Quantity old_size = quantity_of(old.spec().resources().requests());
  Quantity new_size = quantity_of(updated.spec().resources().requests());
  Quantity status_size = quantity_of(old.status().capacity());
  // RecoverVolumeExpansionFailure: a request may shrink back, but not to or below what the
  // volume already has.
  if (new_size.Cmp(old_size) < 0 && new_size.Cmp(status_size) <= 0) {
    errs.push_back(FieldError::Forbidden("spec.resources.requests.storage",
                                         "field can not be less than status.capacity"));
  }
  if (updated.spec().has_volume_mode() != old.spec().has_volume_mode() ||
      updated.spec().volume_mode() != old.spec().volume_mode()) {
    errs.push_back(FieldError::InvalidRaw(
        "volumeMode", OptionalValue(updated.spec().has_volume_mode(), updated.spec().volume_mode()),
        kImmutable));
  }
  return errs;
}

FieldErrors ValidateUpdate(const Pod& updated, const Pod& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, Validate(updated));

  if (!ValidateContainerUpdates(updated.spec().containers(), old.spec().containers(),
                                "spec.containers", &errs)) {
    return errs;
  }
  if (!ValidateContainerUpdates(updated.spec().init_containers(), old.spec().init_containers(),
                                "spec.initContainers", &errs)) {
    return errs;
  }

  // Tolerations: only additions, and tolerationSeconds of existing ones may change.
  bool only_added = true;
  for (const Toleration& o : old.spec().tolerations()) {
    bool found = false;
    for (const Toleration& n : updated.spec().tolerations()) {
      Toleration clone = o;
      if (n.has_toleration_seconds()) {
        clone.set_toleration_seconds(n.toleration_seconds());
      } else {
        clone.clear_toleration_seconds();
      }
      if (SemanticEqual(clone, n)) {
        found = true;
        break;
      }
    }
    if (!found) {
      errs.push_back(FieldError::Forbidden(
          "spec.tolerations",
          "existing toleration can not be modified except its tolerationSeconds"));
      only_added = false;
      break;
    }
  }
  if (only_added) ValidateTolerations(updated.spec().tolerations(), "spec.tolerations", &errs);

  if (SemanticEqual(updated.spec(), old.spec())) return errs;
  PodSpec munged = updated.spec();
  for (int i = 0; i < munged.containers_size(); ++i) {
    munged.mutable_containers(i)->set_image(old.spec().containers(i).image());
  }
  for (int i = 0; i < munged.init_containers_size(); ++i) {
    munged.mutable_init_containers(i)->set_image(old.spec().init_containers(i).image());
  }
  *munged.mutable_tolerations() = old.spec().tolerations();
  if (old.spec().has_termination_grace_period_seconds() &&
      old.spec().termination_grace_period_seconds() < 0 &&
      munged.has_termination_grace_period_seconds() &&
      munged.termination_grace_period_seconds() == 1) {
    munged.set_termination_grace_period_seconds(old.spec().termination_grace_period_seconds());
  }
  if (!SemanticEqual(munged, old.spec())) {
    errs.push_back(FieldError::Forbidden(
        "spec",
        "pod updates may not change fields other than `spec.containers[*].image`,"
        "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
        "additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
        "was "
        "previously negative)\n" +
            SpecDiff(old.spec(), munged, "core.PodSpec")));
  }
  return errs;
}

FieldErrors ValidateUpdate(const StatefulSet& updated, const StatefulSet& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, ValidateStatefulSetSpec(updated.spec(), "spec"));
  StatefulSetSpec clone = updated.spec();
  const StatefulSetSpec& o = old.spec();
  if (o.has_replicas()) {
    clone.set_replicas(o.replicas());
  } else {
    clone.clear_replicas();
  }
  clone.clear_template_();
  if (o.has_template_()) *clone.mutable_template_() = o.template_();
  clone.clear_update_strategy();
  if (o.has_update_strategy()) *clone.mutable_update_strategy() = o.update_strategy();
  clone.set_min_ready_seconds(o.min_ready_seconds());
  clone.clear_persistent_volume_claim_retention_policy();
  if (o.has_persistent_volume_claim_retention_policy()) {
    *clone.mutable_persistent_volume_claim_retention_policy() =
        o.persistent_volume_claim_retention_policy();
  }
  if (!SemanticEqual(clone, o)) {
    errs.push_back(FieldError::Forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', "
        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

FieldErrors ValidateUpdate(const Node& updated, const Node& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  ValidateNodeResources(updated, &errs);
  if (!old.spec().pod_cidr().empty() && old.spec().pod_cidr() != updated.spec().pod_cidr()) {
    errs.push_back(FieldError::Forbidden(
        "spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
  }
  if (!old.spec().provider_id().empty() &&
      old.spec().provider_id() != updated.spec().provider_id()) {
    errs.push_back(FieldError::Forbidden(
        "spec.providerID", "node updates may not change providerID except from \"\" to valid"));
  }
  ValidateNodeTaints(updated, &errs);
  return errs;
}

FieldErrors ValidateUpdate(const Event& updated, const Event& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, LegacyValidateEvent(updated));
  return errs;
}

FieldErrors ValidateUpdate(const Lease& updated, const Lease& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  Append(&errs, Validate(updated));
  return errs;
}

// ================================================================ public: status updates

namespace {

// netutils.ParseIPSloppy: an IPv4 octet may carry leading zeros ("010.1.1.1"), which
// inet_pton refuses. Sets *v4 to the family.
bool ParseIPSloppy(const std::string& s, bool* v4) {
  unsigned char buf[16];
  if (s.find(':') != std::string::npos) {
    *v4 = false;
    return inet_pton(AF_INET6, s.c_str(), buf) == 1;
  }
  *v4 = true;
  int octets = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    int value = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      if (value > 255) return false;
      ++i;
    }
    if (i == start) return false;
    if (++octets == 4) return i == s.size();
    if (i == s.size() || s[i] != '.') return false;
    ++i;
  }
}

std::string GoPodIP(const std::string& ip) { return "core.PodIP{IP:" + GoQuote(ip) + "}"; }

// validatePodIPs.
void ValidatePodIPs(const Pod& pod, FieldErrors* errs) {
  const std::string path = "status.podIPs";
  const auto& ips = pod.status().pod_ips();
  int v4s = 0, v6s = 0;
  bool all_parsed = true;
  for (int i = 0; i < ips.size(); ++i) {
    bool v4 = false;
    if (!ParseIPSloppy(ips[i].ip(), &v4)) {
      errs->push_back(FieldError::Invalid(Index(path, size_t(i)), ips[i].ip(),
                                          "must be a valid IP address, (e.g. 10.9.8.7 or "
                                          "2001:db8::ffff)"));
      all_parsed = false;
      continue;
    }
    ++(v4 ? v4s : v6s);
  }
  if (ips.size() <= 1) return;
  // One of each family at most. (Kubernetes also reports an internal error from its
  // dual-stack check when an entry does not parse; lpv reports the entry only.)
  if (!all_parsed || v4s == 0 || v6s == 0 || ips.size() > 2) {
    std::vector<std::string> items;
    for (const auto& ip : ips) items.push_back(GoPodIP(ip.ip()));
    errs->push_back(FieldError::InvalidRaw(path, "[]core.PodIP{" + Join(items, ", ") + "}",
                                           "may specify no more than one IP for each IP family"));
  }
  std::set<std::string> seen;
  for (int i = 0; i < ips.size(); ++i) {
    if (!seen.insert(ips[i].ip()).second) {
      errs->push_back(DuplicateRaw(Index(path, size_t(i)), GoPodIP(ips[i].ip())));
    }
  }
}

}  // namespace

FieldErrors ValidateStatusUpdate(const PersistentVolume& updated, const PersistentVolume& old) {
  // The apiserver always names a resourceVersion, so Kubernetes' "resourceVersion:
  // Required value" cannot arise here.
  return ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
}

FieldErrors ValidateStatusUpdate(const PersistentVolumeClaim& updated,
                                 const PersistentVolumeClaim& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  // Kubernetes' path, capital S included.
  if (updated.spec().access_modes().empty())
    errs.push_back(FieldError::Required("Spec.accessModes"));
  for (const auto& [name, value] : Sorted(updated.status().capacity())) {
    const std::string path = Key("status.capacity", name);
    std::optional<Quantity> q = ParseQuantityAt(path, value, &errs);
    // validateBasicResource prints the integer value.
    if (q && q->Value() < 0) {
      errs.push_back(FieldError::InvalidRaw(path, std::to_string(q->Value()),
                                            "must be a valid resource quantity"));
    }
  }
  return errs;
}

FieldErrors ValidateStatusUpdate(const Pod& updated, const Pod& old) {
  FieldErrors errs = ValidateObjectMetaUpdate(updated.metadata(), old.metadata());
  // validatePodConditions: a custom condition type must be a qualified name. Kubernetes
  // builds the path from "metadata", so that is where it reports them.
  static const std::set<std::string> kSystemConditions = {"PodScheduled", "Ready",
                                                          "Initialized"};
  for (int i = 0; i < updated.status().conditions_size(); ++i) {
    const std::string& type = updated.status().conditions(i).type();
    if (kSystemConditions.count(type)) continue;
    for (const auto& msg : IsQualifiedName(type)) {
      errs.push_back(FieldError::Invalid(Child(Index("metadata.conditions", size_t(i)), "Type"),
                                         type, msg));
    }
  }
  // spec.nodeName cannot differ: the status subresource keeps the stored spec.
  const std::string& nominated = updated.status().nominated_node_name();
  if (!nominated.empty() && nominated != old.status().nominated_node_name()) {
    for (const auto& msg : NameIsDNSSubdomain(nominated, false)) {
      errs.push_back(FieldError::Invalid("status.nominatedNodeName", nominated, msg));
    }
  }
  // lpv's containers have no terminated state, so ValidateContainerStateTransition has
  // nothing to check.
  ValidatePodIPs(updated, &errs);
  return errs;
}

FieldErrors ValidateStatusUpdate(const StatefulSet& updated, const StatefulSet& old) {
  // ValidateStatefulSetStatus, then the metadata, then collisionCount.
  FieldErrors errs;
  const StatefulSetStatus& st = updated.status();
  ValidateNonnegative(st.replicas(), "status.replicas", &errs);
  ValidateNonnegative(st.ready_replicas(), "status.readyReplicas", &errs);
  ValidateNonnegative(st.current_replicas(), "status.currentReplicas", &errs);
  ValidateNonnegative(st.updated_replicas(), "status.updatedReplicas", &errs);
  ValidateNonnegative(st.available_replicas(), "status.availableReplicas", &errs);
  ValidateNonnegative(st.observed_generation(), "status.observedGeneration", &errs);
  ValidateNonnegative(st.collision_count(), "status.collisionCount", &errs);
  const char* kAboveReplicas = "cannot be greater than status.replicas";
  auto at_most = [&](int32_t value, int32_t limit, const char* path, const char* msg) {
    if (value > limit) errs.push_back(FieldError::InvalidRaw(path, std::to_string(value), msg));
  };
  at_most(st.ready_replicas(), st.replicas(), "status.readyReplicas", kAboveReplicas);
  at_most(st.current_replicas(), st.replicas(), "status.currentReplicas", kAboveReplicas);
  at_most(st.updated_replicas(), st.replicas(), "status.updatedReplicas", kAboveReplicas);
  at_most(st.available_replicas(), st.replicas(), "status.availableReplicas", kAboveReplicas);
  at_most(st.available_replicas(), st.ready_replicas(), "status.availableReplicas",
          "cannot be greater than status.readyReplicas");
  Append(&errs, ValidateObjectMetaUpdate(updated.metadata(), old.metadata()));
  if (st.collision_count() < old.status().collision_count()) {
    errs.push_back(FieldError::InvalidRaw("status.collisionCount",
                                          std::to_string(st.collision_count()),
                                          "cannot be decremented"));
  }
  return errs;
}

FieldErrors ValidateStatusUpdate(const Node& updated, const Node& old) {
  return ValidateUpdate(updated, old);
}

}  // namespace lpv::api
