// Selectors: label selectors (k8s.io/apimachinery/pkg/labels), node selectors
// (k8s.io/component-helpers/scheduling/corev1/nodeaffinity) and field selectors
// (k8s.io/apimachinery/pkg/fields), with Kubernetes' parse rules and error texts.
//
// Label selectors come from `kubectl -l` strings (ParseSelector) or from metav1
// LabelSelector objects (LabelSelectorAsSelector). Convention for absent selectors, as
// metav1.LabelSelectorAsSelector: a nil selector (pass nullptr) selects nothing; an empty
// one ({}) selects everything. Whether a field like a claim's spec.selector counts as
// "absent" is the caller's business (proto has_selector()).
//
// Value types; safe to share read-only across threads.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"

namespace lpv::api {

// ---------------------------------------------------------------- label selectors

// One requirement, as labels.Requirement.
struct LabelRequirement {
  enum class Op { In, NotIn, Equals, DoubleEquals, NotEquals, Exists, DoesNotExist, Gt, Lt };
  std::string key;
  Op op = Op::Exists;
  std::vector<std::string> values;

  // Requirement.Matches against a label lookup (nullptr: label absent).
  bool Matches(const std::function<const std::string*(const std::string&)>& lookup) const;
  // "a in (x,y)", "!a", "a!=b", "a>3" (values sorted, as Requirement.String).
  std::string String() const;
};

// labels.NewRequirement: validates the key, the operator/values combination and each value.
// Errors are BadRequest carrying Kubernetes' aggregated field-error text, e.g.
//   values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty
Result<LabelRequirement> NewLabelRequirement(std::string key, LabelRequirement::Op op,
                                             std::vector<std::string> values);

// A conjunction of requirements (labels.Selector), or the selector that matches nothing.
class Selector {
 public:
  // Everything.
  Selector() = default;
  static Selector Everything() { return Selector(); }
  static Selector Nothing();
  // Requirements are kept sorted by key (stable), as internalSelector.Add.
  static Selector FromRequirements(std::vector<LabelRequirement> reqs);

  bool Matches(const google::protobuf::Map<std::string, std::string>& labels) const;
  bool Matches(const std::map<std::string, std::string>& labels) const;
  // True when the selector does not restrict (Everything); false for Nothing.
  bool Empty() const { return !nothing_ && reqs_.empty(); }
  bool MatchesNothing() const { return nothing_; }
  // Requirements joined by ","; "" for Everything and Nothing.
  std::string String() const;
  const std::vector<LabelRequirement>& requirements() const { return reqs_; }
  // The single value the selector requires for `label` (=, ==, or `in` with one value).
  std::optional<std::string> RequiresExactMatch(std::string_view label) const;

 private:
  bool nothing_ = false;
  std::vector<LabelRequirement> reqs_;
};

// labels.Parse for `kubectl -l`: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
// `!a`, `a>1`, `a<1`, comma = AND. Errors are BadRequest with Kubernetes' message, e.g.
//   unable to parse requirement: <nil>: Invalid value: "a b": name part must consist of ...
//   found ',', expected: !, identifier, or 'end of string'
Result<Selector> ParseSelector(std::string_view selector);

// metav1.LabelSelectorAsSelector. `ps` == nullptr selects nothing; an empty selector selects
// everything. A bad operator is `"Foo" is not a valid label selector operator`.
Result<Selector> LabelSelectorAsSelector(const LabelSelector* ps);
// A selector that is present (never nil): empty selects everything.
Result<Selector> LabelSelectorAsSelector(const LabelSelector& ps);

// labels.SelectorFromSet: each label as key=value; empty selects everything.
Selector SelectorFromSet(const google::protobuf::Map<std::string, std::string>& set);
Selector SelectorFromSet(const std::map<std::string, std::string>& set);

// ---------------------------------------------------------------- node selectors

// The node selector operators, in Kubernetes' order: In NotIn Exists DoesNotExist Gt Lt.
const std::vector<std::string>& NodeSelectorOperators();
bool IsNodeSelectorOperator(std::string_view op);

// A term matches when every matchExpression matches the node's labels and every
// matchField (only metadata.name) matches its name. A term with neither matches nothing;
// a term with an invalid requirement (bad operator, Gt/Lt without one integer, bad key or
// value) matches nothing. Like Kubernetes, matchFields are not checked when node_name is
// empty.
bool NodeSelectorTermMatches(const NodeSelectorTerm& term,
                             const google::protobuf::Map<std::string, std::string>& labels,
                             std::string_view node_name);
bool NodeSelectorTermMatches(const NodeSelectorTerm& term,
                             const std::map<std::string, std::string>& labels,
                             std::string_view node_name);
// Terms are ORed; a selector without terms matches nothing.
bool NodeSelectorMatches(const NodeSelector& selector,
                         const google::protobuf::Map<std::string, std::string>& labels,
                         std::string_view node_name);
bool NodeSelectorMatches(const NodeSelector& selector,
                         const std::map<std::string, std::string>& labels,
                         std::string_view node_name);

// ---------------------------------------------------------------- field selectors

// fields.Selector: a conjunction of field=value / field!=value terms.
class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool equals = true;  // false for !=
    std::string value;   // unescaped
  };

  // Everything.
  FieldSelector() = default;

  // `get` returns a field's value; nullopt counts as "" (as fields.Set.Get). Callers reject
  // unsupported fields first (Fields()), with Kubernetes' `field label not supported: x`.
  bool Matches(const std::function<std::optional<std::string>(const std::string&)>& get) const;
  // The distinct fields named, in selector order.
  std::vector<std::string> Fields() const;
  bool Empty() const { return terms_.empty(); }
  // Terms joined by "," (values escaped), as Selector.String.
  std::string String() const;
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  friend Result<FieldSelector> ParseFieldSelector(std::string_view selector);
  std::vector<Term> terms_;
};

// fields.ParseSelector: `f=v`, `f==v`, `f!=v`, comma = AND; `\,` `\=` `\\` escape values.
// Terms are sorted as Kubernetes sorts them. Errors are BadRequest with Kubernetes' text:
//   invalid selector: 'x'; can't understand 'x'
//   invalid field selector: invalid escape sequence: \x
//   invalid field selector: unescaped character in value: 61   (Go prints the rune number)
Result<FieldSelector> ParseFieldSelector(std::string_view selector);

}  // namespace lpv::api
