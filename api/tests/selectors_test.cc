#include "api/selectors.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace lpv::api {
namespace {

using Labels = std::map<std::string, std::string>;

template <class T>
T FromText(const std::string& text) {
  T msg;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &msg)) << text;
  return msg;
}

const char kNamePartMsg[] =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char kLabelValueMsg[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  "
    "or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// ------------------------------------------------------------------ label selectors

struct MatchCase {
  const char* selector;
  Labels labels;
  bool match;
};

TEST(ParseSelectorTest, MatchesByOperator) {
  const MatchCase cases[] = {
      {"a=b", {{"a", "b"}}, true},
      {"a=b", {{"a", "c"}}, false},
      {"a=b", {}, false},
      {"a==b", {{"a", "b"}}, true},
      {"a!=b", {}, true},
      {"a!=b", {{"a", "b"}}, false},
      {"a!=b", {{"a", "c"}}, true},
      {"a in (x,y)", {{"a", "y"}}, true},
      {"a in (x,y)", {{"a", "z"}}, false},
      {"a in (x,y)", {}, false},
      {"a notin (x)", {}, true},
      {"a notin (x)", {{"a", "x"}}, false},
      {"a notin (x)", {{"a", "y"}}, true},
      {"a", {{"a", ""}}, true},
      {"a", {{"b", "c"}}, false},
      {"!a", {}, true},
      {"!a", {{"a", "x"}}, false},
      {"a>1", {{"a", "2"}}, true},
      {"a>1", {{"a", "1"}}, false},
      {"a>1", {{"a", "x"}}, false},
      {"a>1", {}, false},
      {"a<10", {{"a", "-3"}}, true},
      {"a<10", {{"a", "10"}}, false},
      {"a=b,c", {{"a", "b"}, {"c", "d"}}, true},
      {"a=b,c", {{"a", "b"}}, false},
      {"a=", {{"a", ""}}, true},
      {"a in ()", {{"a", ""}}, true},
      {"", {{"anything", "at all"}}, true},
      {"app=local-test,!gone", {{"app", "local-test"}}, true},
  };
  for (const auto& c : cases) {
    Result<Selector> s = ParseSelector(c.selector);
    ASSERT_TRUE(s.ok()) << c.selector << ": " << s.status().message();
    EXPECT_EQ(s->Matches(c.labels), c.match) << c.selector;
  }
}

TEST(ParseSelectorTest, MatchesProtobufLabels) {
  auto meta = FromText<ObjectMeta>(R"pb(labels { key: "app" value: "web" })pb");
  EXPECT_TRUE(ParseSelector("app=web")->Matches(meta.labels()));
  EXPECT_FALSE(ParseSelector("app=db")->Matches(meta.labels()));
}

TEST(ParseSelectorTest, PrintsAsKubernetes) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"a=b", "a=b"},
      {"a==b", "a==b"},
      {"a!=b", "a!=b"},
      {"a in (y,x)", "a in (x,y)"},
      {"a notin (x)", "a notin (x)"},
      {"b=c,a", "a,b=c"},
      {"!a", "!a"},
      {"a>1", "a>1"},
      {"a<1", "a<1"},
      {"  a = b  ,  c  ", "a=b,c"},
      {"x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"},
      {"in in (in)", "in in (in)"},
      {"notin notin (notin)", "notin notin (notin)"},
      {"a in (x,x)", "a in (x)"},
      {"", ""},
  };
  for (const auto& c : cases) {
    Result<Selector> s = ParseSelector(c.in);
    ASSERT_TRUE(s.ok()) << c.in << ": " << s.status().message();
    EXPECT_EQ(s->String(), c.out) << c.in;
  }
  EXPECT_TRUE(ParseSelector("")->Empty());
  EXPECT_FALSE(ParseSelector("a")->Empty());
}

TEST(ParseSelectorTest, ReportsKubernetesErrors) {
  const struct {
    const char* in;
    std::string message;
  } cases[] = {
      {"a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"},
      {"a=b c", "found 'c', expected: ',' or 'end of string'"},
      {"a=b,", "found '', expected: identifier after ','"},
      {"a,,b", "found ',', expected: identifier after ','"},
      {",a", "found ',', expected: !, identifier, or 'end of string'"},
      {"!=a", "found '!=', expected: !, identifier, or 'end of string'"},
      {"a in x", "unable to parse requirement: found 'x' expected: '('"},
      {"a in (x", "unable to parse requirement: found '', expected: ',' or ')'"},
      {"a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
      {"a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"},
      {"a=(b)", "unable to parse requirement: found '(', expected: identifier"},
      {"!!a", "unable to parse requirement: found '!', expected: identifier"},
      {"!a=b", "found '=', expected: ',' or 'end of string'"},
      {"a>b",
       "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, "
       "the value must be an integer"},
      {"a=b@c", std::string("unable to parse requirement: values[0][a]: Invalid value: \"b@c\": ") +
                    kLabelValueMsg},
      // As kubectl shows for `kubectl get pods -l app:monolith`.
      {"app:monolith",
       std::string("unable to parse requirement: <nil>: Invalid value: \"app:monolith\": ") +
           kNamePartMsg},
      {"a/b/c",
       "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name must "
       "consist "
       "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
       "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
       "(e.g. 'example.com/MyName')"},
      {"app.kubernetes_io/name=x",
       "unable to parse requirement: <nil>: Invalid value: \"app.kubernetes_io/name\": prefix part "
       "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
       "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
       "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
  };
  for (const auto& c : cases) {
    Result<Selector> s = ParseSelector(c.in);
    ASSERT_FALSE(s.ok()) << "'" << c.in << "' parsed as " << s->String();
    EXPECT_EQ(s.status().message(), c.message) << c.in;
    EXPECT_EQ(s.status().reason(), Reason::BadRequest);
  }
}

TEST(SelectorTest, RequiresExactMatch) {
  Selector s = *ParseSelector("a=b,c in (d),e in (f,g),h!=i");
  EXPECT_EQ(s.RequiresExactMatch("a"), "b");
  EXPECT_EQ(s.RequiresExactMatch("c"), "d");
  EXPECT_EQ(s.RequiresExactMatch("e"), std::nullopt);
  EXPECT_EQ(s.RequiresExactMatch("h"), std::nullopt);
  EXPECT_EQ(s.RequiresExactMatch("z"), std::nullopt);
}

TEST(SelectorTest, EverythingAndNothing) {
  EXPECT_TRUE(Selector::Everything().Matches(Labels{}));
  EXPECT_TRUE(Selector::Everything().Empty());
  EXPECT_FALSE(Selector::Nothing().Matches(Labels{}));
  EXPECT_FALSE(Selector::Nothing().Matches(Labels{{"a", "b"}}));
  EXPECT_FALSE(Selector::Nothing().Empty());
  EXPECT_TRUE(Selector::Nothing().MatchesNothing());
  EXPECT_EQ(Selector::Nothing().String(), "");
}

TEST(SelectorFromSetTest, EachLabelMustMatch) {
  Selector s = SelectorFromSet(Labels{{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(s.String(), "a=1,b=2");
  EXPECT_TRUE(s.Matches(Labels{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_FALSE(s.Matches(Labels{{"a", "1"}}));
  EXPECT_TRUE(SelectorFromSet(Labels{}).Empty());
}

TEST(LabelSelectorAsSelectorTest, NilSelectsNothingEmptySelectsEverything) {
  Result<Selector> nil = LabelSelectorAsSelector(nullptr);
  ASSERT_TRUE(nil.ok());
  EXPECT_TRUE(nil->MatchesNothing());
  EXPECT_FALSE(nil->Matches(Labels{}));

  LabelSelector empty;
  Result<Selector> everything = LabelSelectorAsSelector(empty);
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->Empty());
  EXPECT_TRUE(everything->Matches(Labels{{"x", "y"}}));
  EXPECT_TRUE(LabelSelectorAsSelector(&empty)->Empty());
}

TEST(LabelSelectorAsSelectorTest, MatchLabelsAndExpressions) {
  auto sel = FromText<LabelSelector>(R"pb(
    match_labels { key: "app" value: "web" }
    match_expressions { key: "tier" operator: "In" values: "front" values: "back" }
    match_expressions { key: "env" operator: "NotIn" values: "dev" }
    match_expressions { key: "disk" operator: "Exists" }
    match_expressions { key: "gone" operator: "DoesNotExist" }
  )pb");
  Result<Selector> s = LabelSelectorAsSelector(sel);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->String(), "app=web,disk,env notin (dev),!gone,tier in (back,front)");
  EXPECT_TRUE(s->Matches(Labels{{"app", "web"}, {"tier", "front"}, {"disk", "ssd"}}));
  EXPECT_FALSE(
      s->Matches(Labels{{"app", "web"}, {"tier", "front"}, {"disk", "ssd"}, {"env", "dev"}}));
  EXPECT_FALSE(
      s->Matches(Labels{{"app", "web"}, {"tier", "front"}, {"disk", "ssd"}, {"gone", ""}}));
  EXPECT_FALSE(s->Matches(Labels{{"app", "web"}, {"tier", "middle"}, {"disk", "ssd"}}));
  EXPECT_FALSE(s->Matches(Labels{{"app", "web"}, {"tier", "front"}}));
}

TEST(LabelSelectorAsSelectorTest, ReportsKubernetesErrors) {
  const struct {
    const char* text;
    std::string message;
  } cases[] = {
      {R"pb(match_expressions { key: "name" operator: "Seriously" })pb",
       "\"Seriously\" is not a valid label selector operator"},
      {R"pb(match_expressions { key: "name" operator: "in" values: "a" })pb",
       "\"in\" is not a valid label selector operator"},
      {R"pb(match_expressions { key: "name" operator: "In" })pb",
       "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
       "empty"},
      {R"pb(match_expressions { key: "name" operator: "Exists" values: "x" })pb",
       "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not "
       "exist"},
      {R"pb(match_labels { key: "app" value: "b@d" })pb",
       std::string("values[0][app]: Invalid value: \"b@d\": ") + kLabelValueMsg},
      {R"pb(match_labels { key: "-app" value: "x" })pb",
       std::string("key: Invalid value: \"-app\": ") + kNamePartMsg},
      {R"pb(match_expressions { key: "-k" operator: "In" })pb",
       std::string("[key: Invalid value: \"-k\": ") + kNamePartMsg +
           ", values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't "
           "be empty]"},
  };
  for (const auto& c : cases) {
    Result<Selector> s = LabelSelectorAsSelector(FromText<LabelSelector>(c.text));
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().message(), c.message) << c.text;
  }
}

TEST(NewLabelRequirementTest, ValidatesOperatorValues) {
  using Op = LabelRequirement::Op;
  EXPECT_TRUE(NewLabelRequirement("a", Op::Gt, {"5"}).ok());
  EXPECT_EQ(NewLabelRequirement("a", Op::Gt, {"5", "6"}).status().message(),
            "values: Invalid value: []string{\"5\", \"6\"}: for 'Gt', 'Lt' operators, exactly one "
            "value is "
            "required");
  EXPECT_EQ(
      NewLabelRequirement("a", Op::Equals, {}).status().message(),
      "values: Invalid value: []string(nil): exact-match compatibility requires one single value");
}

// ------------------------------------------------------------------ node selectors

NodeSelectorTerm Term(const std::string& text) { return FromText<NodeSelectorTerm>(text); }

TEST(NodeSelectorTest, TermOperators) {
  const Labels node = {{"kubernetes.io/hostname", "node-1"}, {"disks", "3"}, {"zone", "a"}};
  const struct {
    const char* name;
    const char* term;
    bool match;
  } cases[] = {
      {"In matches the value",
       R"pb(match_expressions { key: "kubernetes.io/hostname" operator: "In" values: "node-1" })pb",
       true},
      {"In with other values", R"pb(match_expressions {
                                      key: "kubernetes.io/hostname"
                                      operator: "In"
                                      values: "node-2"
                                      values: "node-3"
                                    })pb",
       false},
      {"In on a missing label",
       R"pb(match_expressions { key: "rack" operator: "In" values: "r1" })pb", false},
      {"NotIn of another value",
       R"pb(match_expressions { key: "zone" operator: "NotIn" values: "b" })pb", true},
      {"NotIn of the value",
       R"pb(match_expressions { key: "zone" operator: "NotIn" values: "a" })pb", false},
      {"NotIn on a missing label",
       R"pb(match_expressions { key: "rack" operator: "NotIn" values: "r1" })pb", true},
      {"Exists", R"pb(match_expressions { key: "zone" operator: "Exists" })pb", true},
      {"Exists on a missing label", R"pb(match_expressions { key: "rack" operator: "Exists" })pb",
       false},
      {"DoesNotExist", R"pb(match_expressions { key: "rack" operator: "DoesNotExist" })pb", true},
      {"DoesNotExist on a present label",
       R"pb(match_expressions { key: "zone" operator: "DoesNotExist" })pb", false},
      {"Gt below", R"pb(match_expressions { key: "disks" operator: "Gt" values: "2" })pb", true},
      {"Gt equal", R"pb(match_expressions { key: "disks" operator: "Gt" values: "3" })pb", false},
      {"Lt above", R"pb(match_expressions { key: "disks" operator: "Lt" values: "4" })pb", true},
      {"Lt equal", R"pb(match_expressions { key: "disks" operator: "Lt" values: "3" })pb", false},
      {"Gt on a non-integer label",
       R"pb(match_expressions { key: "zone" operator: "Gt" values: "1" })pb", false},
      {"Gt with a non-integer value",
       R"pb(match_expressions { key: "disks" operator: "Gt" values: "two" })pb", false},
      {"Gt with two values",
       R"pb(match_expressions { key: "disks" operator: "Gt" values: "1" values: "2" })pb", false},
      {"unknown operator", R"pb(match_expressions { key: "zone" operator: "Near" values: "a" })pb",
       false},
      {"In without values", R"pb(match_expressions { key: "zone" operator: "In" })pb", false},
      {"Exists with values",
       R"pb(match_expressions { key: "zone" operator: "Exists" values: "a" })pb", false},
      {"invalid key", R"pb(match_expressions { key: "-zone" operator: "Exists" })pb", false},
      // An invalid expression the labels would satisfy still matches nothing.
      {"invalid key with DoesNotExist",
       R"pb(match_expressions { key: "-zone" operator: "DoesNotExist" })pb", false},
      {"NotIn without values", R"pb(match_expressions { key: "zone" operator: "NotIn" })pb",
       false},
      {"a matching expression with an invalid value",
       R"pb(match_expressions { key: "zone" operator: "In" values: "a" values: "b@d" })pb",
       false},
      {"expressions are ANDed",
       R"pb(match_expressions { key: "zone" operator: "In" values: "a" }
            match_expressions { key: "disks" operator: "Gt" values: "5" })pb",
       false},
      {"all expressions hold",
       R"pb(match_expressions { key: "zone" operator: "In" values: "a" }
            match_expressions { key: "disks" operator: "Gt" values: "1" })pb",
       true},
      {"an empty term matches nothing", "", false},
      {"matchFields on the name",
       R"pb(match_fields { key: "metadata.name" operator: "In" values: "node-1" })pb", true},
      {"matchFields on another name",
       R"pb(match_fields { key: "metadata.name" operator: "In" values: "node-2" })pb", false},
      {"matchFields NotIn",
       R"pb(match_fields { key: "metadata.name" operator: "NotIn" values: "node-2" })pb", true},
      {"matchFields NotIn own name",
       R"pb(match_fields { key: "metadata.name" operator: "NotIn" values: "node-1" })pb", false},
      {"matchFields with two values", R"pb(match_fields {
                                             key: "metadata.name"
                                             operator: "In"
                                             values: "node-1"
                                             values: "node-2"
                                           })pb",
       false},
      {"matchFields with Exists", R"pb(match_fields { key: "metadata.name" operator: "Exists" })pb",
       false},
      {"matchFields on another field",
       R"pb(match_fields { key: "metadata.uid" operator: "In" values: "node-1" })pb", false},
      {"expressions and fields",
       R"pb(match_expressions { key: "zone" operator: "In" values: "a" }
            match_fields { key: "metadata.name" operator: "In" values: "node-1" })pb",
       true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(NodeSelectorTermMatches(Term(c.term), node, "node-1"), c.match) << c.name;
  }
}

TEST(NodeSelectorTest, FieldsAreNotCheckedForANamelessNode) {
  NodeSelectorTerm term =
      Term(R"pb(match_fields { key: "metadata.name" operator: "In" values: "node-1" })pb");
  EXPECT_TRUE(NodeSelectorTermMatches(term, Labels{}, ""));
}

TEST(NodeSelectorTest, TermsAreORed) {
  auto selector = FromText<NodeSelector>(R"pb(
    node_selector_terms {
      match_expressions { key: "kubernetes.io/hostname" operator: "In" values: "node-1" }
    }
    node_selector_terms {
      match_expressions { key: "kubernetes.io/hostname" operator: "In" values: "node-2" }
    }
  )pb");
  EXPECT_TRUE(
      NodeSelectorMatches(selector, Labels{{"kubernetes.io/hostname", "node-2"}}, "node-2"));
  EXPECT_FALSE(
      NodeSelectorMatches(selector, Labels{{"kubernetes.io/hostname", "node-3"}}, "node-3"));
  auto node = FromText<Node>(R"pb(metadata {
                                    name: "node-1"
                                    labels { key: "kubernetes.io/hostname" value: "node-1" }
                                  })pb");
  EXPECT_TRUE(NodeSelectorMatches(selector, node.metadata().labels(), node.metadata().name()));
  // An empty term is skipped; other terms still count.
  auto with_empty = FromText<NodeSelector>(R"pb(
    node_selector_terms {}
    node_selector_terms { match_expressions { key: "kubernetes.io/hostname" operator: "Exists" } }
  )pb");
  EXPECT_TRUE(NodeSelectorMatches(with_empty, node.metadata().labels(), "node-1"));
  EXPECT_FALSE(NodeSelectorMatches(NodeSelector(), node.metadata().labels(), "node-1"));
}

TEST(NodeSelectorTest, Operators) {
  EXPECT_EQ(NodeSelectorOperators(),
            (std::vector<std::string>{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}));
  EXPECT_TRUE(IsNodeSelectorOperator("Gt"));
  EXPECT_FALSE(IsNodeSelectorOperator("in"));
}

// ------------------------------------------------------------------ field selectors

TEST(FieldSelectorTest, ParsesAndMatches) {
  const std::map<std::string, std::string> pod = {
      {"metadata.name", "local-test-0"}, {"spec.nodeName", "node-1"}, {"status.phase", "Running"}};
  auto get = [&](const std::string& f) -> std::optional<std::string> {
    auto it = pod.find(f);
    if (it == pod.end()) return std::nullopt;
    return it->second;
  };
  const struct {
    const char* selector;
    bool match;
  } cases[] = {
      {"spec.nodeName=node-1", true},
      {"spec.nodeName==node-1", true},
      {"spec.nodeName!=node-1", false},
      {"spec.nodeName=node-2", false},
      {"spec.nodeName=node-1,status.phase=Running", true},
      {"spec.nodeName=node-1,status.phase!=Running", false},
      {"spec.nodeName=", false},
      {"spec.hostname=", true},
      {"spec.hostname!=", false},
      {"", true},
      {"metadata.name=local-test-0,", true},
  };
  for (const auto& c : cases) {
    Result<FieldSelector> s = ParseFieldSelector(c.selector);
    ASSERT_TRUE(s.ok()) << c.selector << ": " << s.status().message();
    EXPECT_EQ(s->Matches(get), c.match) << c.selector;
  }
}

TEST(FieldSelectorTest, FieldsStringAndExactMatch) {
  FieldSelector s =
      *ParseFieldSelector("status.phase!=Failed,spec.nodeName=node-1,spec.nodeName!=x");
  EXPECT_EQ(s.Fields(), (std::vector<std::string>{"spec.nodeName", "status.phase"}));
  // Terms are sorted as Kubernetes sorts the raw terms.
  EXPECT_EQ(s.String(), "spec.nodeName!=x,spec.nodeName=node-1,status.phase!=Failed");
  EXPECT_EQ(s.RequiresExactMatch("spec.nodeName"), "node-1");
  EXPECT_EQ(s.RequiresExactMatch("status.phase"), std::nullopt);
  EXPECT_TRUE(ParseFieldSelector("")->Empty());
}

TEST(FieldSelectorTest, EscapedValues) {
  FieldSelector s = *ParseFieldSelector(R"(metadata.name=a\,b\=c\\d)");
  ASSERT_EQ(s.terms().size(), 1u);
  EXPECT_EQ(s.terms()[0].value, R"(a,b=c\d)");
  EXPECT_EQ(s.String(), R"(metadata.name=a\,b\=c\\d)");
  // The leftmost operator splits the term.
  FieldSelector bang = *ParseFieldSelector("a=!x");
  EXPECT_EQ(bang.terms()[0].value, "!x");
  EXPECT_TRUE(bang.terms()[0].equals);
}

TEST(FieldSelectorTest, ReportsKubernetesErrors) {
  const struct {
    const char* in;
    const char* message;
  } cases[] = {
      {"spec.nodeName", "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'"},
      {"a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
      {"a=b=c", "invalid field selector: unescaped character in value: 61"},
      {"a!==b", "invalid field selector: unescaped character in value: 61"},
      {R"(a=b\x)", R"(invalid field selector: invalid escape sequence: \x)"},
      {R"(a=b\)", R"(invalid field selector: invalid escape sequence: \)"},
  };
  for (const auto& c : cases) {
    Result<FieldSelector> s = ParseFieldSelector(c.in);
    ASSERT_FALSE(s.ok()) << c.in;
    EXPECT_EQ(s.status().message(), c.message) << c.in;
    EXPECT_EQ(s.status().reason(), Reason::BadRequest);
  }
}

}  // namespace
}  // namespace lpv::api
