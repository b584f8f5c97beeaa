#include "api/validation.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "api/defaults.h"

namespace lpv::api {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

template <class T>
T FromText(const std::string& text) {
  T msg;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &msg)) << text;
  return msg;
}

std::vector<std::string> Messages(const FieldErrors& errs) {
  std::vector<std::string> out;
  for (const FieldError& e : errs) out.push_back(e.ToString());
  return out;
}

const std::string kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must "
    "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string kNamePartMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// A table case: mutate a valid object, expect exactly these errors.
template <class T>
struct Case {
  const char* name;
  std::function<void(T*)> mutate;
  std::vector<std::string> want;
};

template <class T>
void RunCases(const T& valid, const std::vector<Case<T>>& cases) {
  ASSERT_THAT(Messages(Validate(valid)), IsEmpty()) << "the base object must be valid";
  for (const auto& c : cases) {
    T obj = valid;
    c.mutate(&obj);
    EXPECT_EQ(Messages(Validate(obj)), c.want) << c.name;
  }
}

template <class T>
void RunUpdateCases(const T& old, const std::vector<Case<T>>& cases) {
  for (const auto& c : cases) {
    T updated = old;
    c.mutate(&updated);
    EXPECT_EQ(Messages(ValidateUpdate(updated, old)), c.want) << c.name;
  }
}

// ------------------------------------------------------------------ formats

TEST(FormatTest, NameRules) {
  EXPECT_THAT(IsDNS1123Subdomain("local-pv-7a3c91f2"), IsEmpty());
  EXPECT_THAT(IsDNS1123Subdomain("a.b-c.d"), IsEmpty());
  EXPECT_THAT(IsDNS1123Subdomain("Local"), ElementsAre(kSubdomainMsg));
  EXPECT_THAT(IsDNS1123Subdomain("a..b"), ElementsAre(kSubdomainMsg));
  EXPECT_THAT(IsDNS1123Subdomain(std::string(254, 'a')),
              ElementsAre("must be no more than 253 characters"));
  EXPECT_THAT(IsDNS1123Label("node-1"), IsEmpty());
  EXPECT_THAT(IsDNS1123Label("a.b"), ElementsAre("must not contain dots"));
  EXPECT_THAT(IsDNS1123Label("-a"), ElementsAre(kLabelMsg));
  EXPECT_THAT(IsDNS1123Label(std::string(64, 'a')),
              ElementsAre("must be no more than 63 characters"));
  EXPECT_THAT(IsQualifiedName("kubernetes.io/hostname"), IsEmpty());
  EXPECT_THAT(IsQualifiedName("My_Name.x"), IsEmpty());
  EXPECT_THAT(IsQualifiedName("/a"), ElementsAre("prefix part must be non-empty"));
  EXPECT_THAT(IsQualifiedName("a/"), ElementsAre("name part must be non-empty", kNamePartMsg));
  EXPECT_THAT(IsQualifiedName(std::string(64, 'a')),
              ElementsAre("name part must be no more than 63 characters"));
  EXPECT_THAT(IsValidLabelValue(""), IsEmpty());
  EXPECT_THAT(IsValidLabelValue("a b"), ElementsAre(kLabelValueMsg));
  EXPECT_THAT(NameIsDNSSubdomain("web-", true), IsEmpty());
  EXPECT_THAT(NameIsDNSSubdomain("web-", false), ElementsAre(kSubdomainMsg));
  EXPECT_THAT(NameIsPathSegment("..", false), ElementsAre("may not be '..'"));
  EXPECT_THAT(NameIsPathSegment("a/b%", false),
              ElementsAre("may not contain '/'", "may not contain '%'"));
}

TEST(FormatTest, GoRenderings) {
  EXPECT_EQ(GoStringSlice({"a", "b"}), "[]string{\"a\", \"b\"}");
  EXPECT_EQ(GoStringSlice({}, true), "[]string(nil)");
  EXPECT_EQ(GoStringSlice({}), "[]string{}");
  EXPECT_EQ(GoStringMap(std::map<std::string, std::string>{{"b", "2"}, {"a", "1"}}),
            "map[string]string{\"a\":\"1\", \"b\":\"2\"}");
  EXPECT_EQ(GoStringMap(std::map<std::string, std::string>{}), "map[string]string(nil)");
}

// ------------------------------------------------------------------ object meta

TEST(ObjectMetaTest, Rules) {
  const struct {
    const char* name;
    std::string meta;
    bool namespaced;
    std::vector<std::string> want;
  } cases[] = {
      {"valid", R"pb(name: "a" namespace: "default")pb", true, {}},
      {"no name",
       R"pb(namespace: "default")pb",
       true,
       {"metadata.name: Required value: name or generateName is required"}},
      {"generateName instead of a name",
       R"pb(generate_name: "web-" namespace: "default")pb",
       true,
       {}},
      {"bad generateName",
       R"pb(generate_name: "Web-" namespace: "default")pb",
       true,
       {"metadata.generateName: Invalid value: \"Web-\": " + kSubdomainMsg}},
      {"bad name",
       R"pb(name: "My_PV")pb",
       false,
       {"metadata.name: Invalid value: \"My_PV\": " + kSubdomainMsg}},
      {"long name",
       "name: \"" + std::string(254, 'a').append("\""),
       false,
       {"metadata.name: Invalid value: \"" + std::string(254, 'a') +
        "\": must be no more than 253 characters"}},
      {"namespace required", R"pb(name: "a")pb", true, {"metadata.namespace: Required value"}},
      {"namespace is a DNS label",
       R"pb(name: "a" namespace: "My_NS")pb",
       true,
       {"metadata.namespace: Invalid value: \"My_NS\": " + kLabelMsg}},
      {"namespace without dots",
       R"pb(name: "a" namespace: "a.b")pb",
       true,
       {"metadata.namespace: Invalid value: \"a.b\": must not contain dots"}},
      {"namespace on a cluster-scoped kind",
       R"pb(name: "a" namespace: "default")pb",
       false,
       {"metadata.namespace: Forbidden: not allowed on this type"}},
      {"bad label key",
       R"pb(name: "a"
            labels { key: "-bad" value: "x" })pb",
       false,
       {"metadata.labels: Invalid value: \"-bad\": " + kNamePartMsg}},
      {"bad label value",
       R"pb(name: "a"
            labels { key: "app" value: "a b" })pb",
       false,
       {"metadata.labels: Invalid value: \"a b\": " + kLabelValueMsg}},
      {"long label value",
       "name: \"a\" labels { key: \"app\" value: \"" + std::string(64, 'x') + "\" }",
       false,
       {"metadata.labels: Invalid value: \"" + std::string(64, 'x') +
        "\": must be no more than 63 characters"}},
      {"annotation keys ignore case",
       R"pb(name: "a"
            annotations { key: "Example.com/Foo" value: "x" })pb",
       false,
       {}},
      {"bad annotation key",
       R"pb(name: "a"
            annotations { key: "a b" value: "x" })pb",
       false,
       {"metadata.annotations: Invalid value: \"a b\": " + kNamePartMsg}},
      {"negative generation",
       R"pb(name: "a" generation: -1)pb",
       false,
       {"metadata.generation: Invalid value: -1: must be greater than or equal to 0"}},
      {"qualified finalizer",
       R"pb(name: "a" finalizers: "kubernetes.io/pv-protection")pb",
       false,
       {}},
      {"unqualified finalizer",
       R"pb(name: "a" finalizers: "custom")pb",
       false,
       {"metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer "
        "name nor is "
        "it fully qualified"}},
      {"owner reference without uid",
       R"pb(name: "a"
            owner_references { api_version: "apps/v1" kind: "StatefulSet" name: "web" })pb",
       false,
       {"metadata.ownerReferences.uid: Invalid value: \"\": must not be empty"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Messages(ValidateObjectMeta(FromText<ObjectMeta>(c.meta), c.namespaced)), c.want)
        << c.name;
  }
  EXPECT_THAT(Messages(ValidateObjectMeta(FromText<ObjectMeta>(R"pb(name: "web.v1")pb"), false,
                                          NameIsDNSLabel)),
              ElementsAre("metadata.name: Invalid value: \"web.v1\": must not contain dots"));
}

TEST(ObjectMetaTest, UpdateRules) {
  auto old = FromText<ObjectMeta>(R"pb(
    name: "a"
    namespace: "default"
    uid: "u1"
    resource_version: "5"
    generation: 2
    creation_timestamp: "2024-05-01T10:00:00Z"
  )pb");
  const struct {
    const char* name;
    std::function<void(ObjectMeta*)> mutate;
    std::vector<std::string> want;
  } cases[] = {
      {"labels may change", [](ObjectMeta* m) { (*m->mutable_labels())["x"] = "y"; }, {}},
      {"resourceVersion is required",
       [](ObjectMeta* m) { m->clear_resource_version(); },
       {"metadata.resourceVersion: Invalid value: \"\": must be specified for an update"}},
      {"name is immutable",
       [](ObjectMeta* m) { m->set_name("b"); },
       {"metadata.name: Invalid value: \"b\": field is immutable"}},
      {"namespace is immutable",
       [](ObjectMeta* m) { m->set_namespace_("other"); },
       {"metadata.namespace: Invalid value: \"other\": field is immutable"}},
      {"uid is immutable",
       [](ObjectMeta* m) { m->set_uid("u2"); },
       {"metadata.uid: Invalid value: \"u2\": field is immutable"}},
      {"creationTimestamp is immutable",
       [](ObjectMeta* m) { m->set_creation_timestamp("2024-05-02T10:00:00Z"); },
       {"metadata.creationTimestamp: Invalid value: 2024-05-02 10:00:00 +0000 UTC: field is "
        "immutable"}},
      {"generation may not go back",
       [](ObjectMeta* m) { m->set_generation(1); },
       {"metadata.generation: Invalid value: 1: must not be decremented"}},
  };
  for (const auto& c : cases) {
    ObjectMeta updated = old;
    c.mutate(&updated);
    EXPECT_EQ(Messages(ValidateObjectMetaUpdate(updated, old)), c.want) << c.name;
  }
  ObjectMeta deleting = old;
  deleting.set_deletion_timestamp("2024-05-03T10:00:00Z");
  deleting.add_finalizers("kubernetes.io/pv-protection");
  ObjectMeta more = deleting;
  more.add_finalizers("example.com/b");
  more.add_finalizers("example.com/a");
  EXPECT_THAT(
      Messages(ValidateObjectMetaUpdate(more, deleting)),
      ElementsAre(
          "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being "
          "deleted, found new finalizers []string{\"example.com/a\", \"example.com/b\"}"));
}

// ------------------------------------------------------------------ PersistentVolume

PersistentVolume LocalPV() {
  auto pv = FromText<PersistentVolume>(R"pb(
    metadata { name: "local-pv" }
    spec {
      capacity { key: "storage" value: "368Gi" }
      access_modes: "ReadWriteOnce"
      persistent_volume_reclaim_policy: "Retain"
      storage_class_name: "local-storage"
      local { path: "/mnt/disks/vol1" }
      node_affinity {
        required {
          node_selector_terms {
            match_expressions { key: "kubernetes.io/hostname" operator: "In" values: "node-1" }
          }
        }
      }
    }
  )pb");
  SetDefaults(&pv);
  return pv;
}

std::string Terms(const std::string& rest) {
  return "spec.nodeAffinity.required.nodeSelectorTerms" + rest;
}

TEST(PersistentVolumeTest, Validate) {
  using PV = PersistentVolume;
  const auto expr = [](PV* pv) {
    return pv->mutable_spec()
        ->mutable_node_affinity()
        ->mutable_required()
        ->mutable_node_selector_terms(0)
        ->mutable_match_expressions(0);
  };
  RunCases<PV>(
      LocalPV(),
      {
          {"local volume without node affinity",
           [](PV* pv) { pv->mutable_spec()->clear_node_affinity(); },
           {"spec.nodeAffinity: Required value: Local volume requires node affinity"}},
          {"no volume source",
           [](PV* pv) { pv->mutable_spec()->clear_local(); },
           {"spec: Required value: must specify a volume type"}},
          {"two volume sources",
           [](PV* pv) { pv->mutable_spec()->mutable_host_path()->set_path("/data"); },
           {"spec.local: Forbidden: may not specify more than 1 volume type"}},
          {"hostPath without node affinity is fine",
           [](PV* pv) {
             pv->mutable_spec()->clear_local();
             pv->mutable_spec()->clear_node_affinity();
             pv->mutable_spec()->mutable_host_path()->set_path("/data");
           },
           {}},
          {"no access modes",
           [](PV* pv) { pv->mutable_spec()->clear_access_modes(); },
           {"spec.accessModes: Required value"}},
          {"unknown access mode",
           [](PV* pv) { pv->mutable_spec()->set_access_modes(0, "ReadWriteSometimes"); },
           {"spec.accessModes: Unsupported value: \"ReadWriteSometimes\": supported values: "
            "\"ReadOnlyMany\", "
            "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""}},
          {"ReadWriteOncePod with another mode",
           [](PV* pv) { pv->mutable_spec()->add_access_modes("ReadWriteOncePod"); },
           {"spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"}},
          {"zero capacity",
           [](PV* pv) { (*pv->mutable_spec()->mutable_capacity())["storage"] = "0"; },
           {"spec.capacity[storage]: Invalid value: \"0\": must be greater than zero"}},
          {"negative capacity",
           [](PV* pv) { (*pv->mutable_spec()->mutable_capacity())["storage"] = "-1Gi"; },
           {"spec.capacity[storage]: Invalid value: -1073741824: must be a valid resource quantity",
            "spec.capacity[storage]: Invalid value: \"-1Gi\": must be greater than zero"}},
          {"unparsable capacity",
           [](PV* pv) { (*pv->mutable_spec()->mutable_capacity())["storage"] = "lots"; },
           {"spec.capacity[storage]: Invalid value: \"lots\": quantities must match the regular "
            "expression "
            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"}},
          {"capacity other than storage",
           [](PV* pv) { (*pv->mutable_spec()->mutable_capacity())["cpu"] = "1"; },
           {"spec.capacity: Unsupported value: core.ResourceList{\"cpu\":\"1\", "
            "\"storage\":\"368Gi\"}: supported "
            "values: \"storage\""}},
          {"unknown reclaim policy",
           [](PV* pv) { pv->mutable_spec()->set_persistent_volume_reclaim_policy("Keep"); },
           {"spec.persistentVolumeReclaimPolicy: Unsupported value: \"Keep\": supported values: "
            "\"Delete\", "
            "\"Recycle\", \"Retain\""}},
          {"unknown volume mode",
           [](PV* pv) { pv->mutable_spec()->set_volume_mode("Raw"); },
           {"spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", "
            "\"Filesystem\""}},
          {"bad storage class name",
           [](PV* pv) { pv->mutable_spec()->set_storage_class_name("Local_Storage"); },
           {"spec.storageClassName: Invalid value: \"Local_Storage\": " + kSubdomainMsg}},
          {"local path required",
           [](PV* pv) { pv->mutable_spec()->mutable_local()->clear_path(); },
           {"spec.local.path: Required value"}},
          {"local path with backsteps",
           [](PV* pv) { pv->mutable_spec()->mutable_local()->set_path("/mnt/../etc"); },
           {"spec.local.path: Invalid value: \"/mnt/../etc\": must not contain '..'"}},
          {"relative local path is Kubernetes-valid",
           [](PV* pv) { pv->mutable_spec()->mutable_local()->set_path("mnt/disks"); },
           {}},
          {"node affinity without required",
           [](PV* pv) { pv->mutable_spec()->mutable_node_affinity()->clear_required(); },
           {"spec.nodeAffinity.required: Required value: must specify required node constraints"}},
          {"node affinity without terms",
           [](PV* pv) {
             pv->mutable_spec()
                 ->mutable_node_affinity()
                 ->mutable_required()
                 ->clear_node_selector_terms();
           },
           {Terms(": Required value: must have at least one node selector term")}},
          {"unknown operator",
           [&](PV* pv) { expr(pv)->set_operator_("Near"); },
           {Terms("[0].matchExpressions[0].operator: Invalid value: \"Near\": not a valid selector "
                  "operator")}},
          {"In without values",
           [&](PV* pv) { expr(pv)->clear_values(); },
           {Terms("[0].matchExpressions[0].values: Required value: must be specified when "
                  "`operator` is 'In' or 'NotIn'")}},
          {"Exists with values",
           [&](PV* pv) { expr(pv)->set_operator_("Exists"); },
           {Terms("[0].matchExpressions[0].values: Forbidden: may not be specified when `operator` "
                  "is 'Exists' or "
                  "'DoesNotExist'")}},
          {"Gt with two values",
           [&](PV* pv) {
             expr(pv)->set_operator_("Gt");
             expr(pv)->set_values(0, "1");
             expr(pv)->add_values("2");
           },
           {Terms("[0].matchExpressions[0].values: Required value: must be specified single value "
                  "when `operator` is "
                  "'Lt' or 'Gt'")}},
          {"Gt with one integer",
           [&](PV* pv) {
             expr(pv)->set_operator_("Gt");
             expr(pv)->set_values(0, "5");
           },
           {}},
          {"bad key",
           [&](PV* pv) { expr(pv)->set_key("-host"); },
           {Terms("[0].matchExpressions[0].key: Invalid value: \"-host\": " + kNamePartMsg)}},
          {"bad value",
           [&](PV* pv) { expr(pv)->set_values(0, "node 1"); },
           {Terms("[0].matchExpressions[0].values[0]: Invalid value: \"node 1\": " +
                  kLabelValueMsg)}},
          {"matchFields on metadata.name",
           [](PV* pv) {
             auto* f = pv->mutable_spec()
                           ->mutable_node_affinity()
                           ->mutable_required()
                           ->mutable_node_selector_terms(0)
                           ->add_match_fields();
             f->set_key("metadata.name");
             f->set_operator_("In");
             f->add_values("node-1");
           },
           {}},
          {"matchFields on another field",
           [](PV* pv) {
             auto* f = pv->mutable_spec()
                           ->mutable_node_affinity()
                           ->mutable_required()
                           ->mutable_node_selector_terms(0)
                           ->add_match_fields();
             f->set_key("metadata.uid");
             f->set_operator_("Exists");
           },
           {Terms("[0].matchFields[0].operator: Invalid value: \"Exists\": not a valid selector "
                  "operator"),
            Terms("[0].matchFields[0].key: Invalid value: \"metadata.uid\": not a valid field "
                  "selector key")}},
          {"recycling a hostPath of /",
           [](PV* pv) {
             pv->mutable_spec()->clear_local();
             pv->mutable_spec()->mutable_host_path()->set_path("/");
             pv->mutable_spec()->set_persistent_volume_reclaim_policy("Recycle");
           },
           {"spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath "
            "mount of '/'"}},
          {"unknown hostPath type",
           [](PV* pv) {
             pv->mutable_spec()->clear_local();
             pv->mutable_spec()->mutable_host_path()->set_path("/data");
             pv->mutable_spec()->mutable_host_path()->set_type("Dir");
           },
           {"spec.hostPath.type: Unsupported value: \"Dir\": supported values: \"\", "
            "\"BlockDevice\", \"CharDevice\", "
            "\"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""}},
          {"namespace on a PV",
           [](PV* pv) { pv->mutable_metadata()->set_namespace_("default"); },
           {"metadata.namespace: Forbidden: not allowed on this type"}},
          {"mount options annotation",
           [](PV* pv) {
             (*pv->mutable_metadata()
                   ->mutable_annotations())["volume.beta.kubernetes.io/mount-options"] = "ro";
           },
           {"metadata.annotations.volume.beta.kubernetes.io/mount-options: Forbidden: may not "
            "specify mount options "
            "for this volume type"}},
      });
}

TEST(PersistentVolumeTest, EmptySpecReportsLikeKubernetes) {
  auto pv = FromText<PersistentVolume>(R"pb(metadata { name: "code-pv" })pb");
  SetDefaults(&pv);
  EXPECT_THAT(
      Messages(Validate(pv)),
      ElementsAre(
          "spec.accessModes: Required value", "spec.capacity: Required value",
          "spec.capacity: Unsupported value: core.ResourceList(nil): supported values: \"storage\"",
          "spec: Required value: must specify a volume type"));
}

TEST(PersistentVolumeTest, InvalidStatusReadsAsKubectlShowsIt) {
  PersistentVolume pv = LocalPV();
  pv.mutable_metadata()->set_name("manual-pv");
  pv.mutable_spec()->clear_node_affinity();
  Status s = Status::Invalid("PersistentVolume", "manual-pv", Validate(pv));
  EXPECT_EQ(s.KubectlString(),
            "The PersistentVolume \"manual-pv\" is invalid: spec.nodeAffinity: Required value: "
            "Local volume "
            "requires node affinity");
}

TEST(PersistentVolumeTest, ValidateUpdate) {
  using PV = PersistentVolume;
  PV old = LocalPV();
  old.mutable_metadata()->set_resource_version("7");
  RunUpdateCases<PV>(
      old, {
               {"status and claimRef may change",
                [](PV* pv) {
                  pv->mutable_status()->set_phase("Bound");
                  pv->mutable_spec()->mutable_claim_ref()->set_name("data-0");
                  pv->mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
                  (*pv->mutable_spec()->mutable_capacity())["storage"] = "400Gi";
                },
                {}},
               {"volumeMode is immutable",
                [](PV* pv) { pv->mutable_spec()->set_volume_mode("Block"); },
                {"volumeMode: Invalid value: \"Block\": field is immutable"}},
               {"node affinity is immutable once set",
                [](PV* pv) {
                  pv->mutable_spec()
                      ->mutable_node_affinity()
                      ->mutable_required()
                      ->mutable_node_selector_terms(0)
                      ->mutable_match_expressions(0)
                      ->set_values(0, "node-2");
                },
                {"nodeAffinity: Invalid value: "
                 "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(...)}: field is "
                 "immutable, except for updating from beta label to GA"}},
               {"resourceVersion is required",
                [](PV* pv) { pv->mutable_metadata()->clear_resource_version(); },
                {"metadata.resourceVersion: Invalid value: \"\": must be specified for an update"}},
           });

  PV moved = old;
  moved.mutable_spec()->mutable_local()->set_path("/mnt/disks/vol2");
  FieldErrors errs = ValidateUpdate(moved, old);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_THAT(
      errs[0].ToString(),
      StartsWith(
          "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after "
          "creation\n"));
  EXPECT_THAT(errs[0].ToString(), ::testing::HasSubstr("/mnt/disks/vol2"));

  // A beta topology key may become its GA key.
  PV beta = old;
  auto* e = beta.mutable_spec()
                ->mutable_node_affinity()
                ->mutable_required()
                ->mutable_node_selector_terms(0)
                ->mutable_match_expressions(0);
  e->set_key("failure-domain.beta.kubernetes.io/zone");
  PV ga = beta;
  ga.mutable_spec()
      ->mutable_node_affinity()
      ->mutable_required()
      ->mutable_node_selector_terms(0)
      ->mutable_match_expressions(0)
      ->set_key("topology.kubernetes.io/zone");
  EXPECT_THAT(Messages(ValidateUpdate(ga, beta)), IsEmpty());
  EXPECT_THAT(Messages(ValidateUpdate(beta, ga)),
              ElementsAre(StartsWith("nodeAffinity: Invalid value:")));

  // Node affinity may be added to a volume that had none.
  PV host = old;
  host.mutable_spec()->clear_local();
  host.mutable_spec()->clear_node_affinity();
  host.mutable_spec()->mutable_host_path()->set_path("/data");
  PV pinned = host;
  *pinned.mutable_spec()->mutable_node_affinity() = old.spec().node_affinity();
  EXPECT_THAT(Messages(ValidateUpdate(pinned, host)), IsEmpty());
}

// ------------------------------------------------------------------ PersistentVolumeClaim

PersistentVolumeClaim Claim() {
  auto pvc = FromText<PersistentVolumeClaim>(R"pb(
    metadata { name: "local-vol-local-test-0" namespace: "default" resource_version: "3" }
    spec {
      access_modes: "ReadWriteOnce"
      storage_class_name: "local-storage"
      resources { requests { key: "storage" value: "368Gi" } }
    }
  )pb");
  SetDefaults(&pvc);
  return pvc;
}

TEST(PersistentVolumeClaimTest, Validate) {
  using PVC = PersistentVolumeClaim;
  RunCases<PVC>(
      Claim(),
      {
          {"no access modes",
           [](PVC* c) { c->mutable_spec()->clear_access_modes(); },
           {"spec.accessModes: Required value: at least 1 access mode is required"}},
          {"no storage request",
           [](PVC* c) { c->mutable_spec()->mutable_resources()->clear_requests(); },
           {"spec.resources[storage]: Required value"}},
          {"zero request",
           [](PVC* c) {
             (*c->mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "0";
           },
           {"spec.resources[storage]: Invalid value: \"0\": must be greater than zero"}},
          {"negative request",
           [](PVC* c) {
             (*c->mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "-1";
           },
           {"spec.resources[storage]: Invalid value: \"-1\": must be greater than zero"}},
          {"no namespace",
           [](PVC* c) { c->mutable_metadata()->clear_namespace_(); },
           {"metadata.namespace: Required value"}},
          {"empty class means no class",
           [](PVC* c) { c->mutable_spec()->set_storage_class_name(""); },
           {}},
          {"bad class name",
           [](PVC* c) { c->mutable_spec()->set_storage_class_name("Fast"); },
           {"spec.storageClassName: Invalid value: \"Fast\": " + kSubdomainMsg}},
          {"unknown volume mode",
           [](PVC* c) { c->mutable_spec()->set_volume_mode("Raw"); },
           {"spec.volumeMode: Unsupported value: \"Raw\": supported values: \"Block\", "
            "\"Filesystem\""}},
          {"unknown access mode",
           [](PVC* c) { c->mutable_spec()->add_access_modes("RWO"); },
           {"spec.accessModes: Unsupported value: \"RWO\": supported values: \"ReadOnlyMany\", "
            "\"ReadWriteMany\", "
            "\"ReadWriteOnce\", \"ReadWriteOncePod\""}},
          {"selector with an unknown operator",
           [](PVC* c) {
             auto* e = c->mutable_spec()->mutable_selector()->add_match_expressions();
             e->set_key("disk");
             e->set_operator_("Near");
           },
           {"spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid "
            "selector operator"}},
          {"selector In without values",
           [](PVC* c) {
             auto* e = c->mutable_spec()->mutable_selector()->add_match_expressions();
             e->set_key("disk");
             e->set_operator_("In");
           },
           {"spec.selector.matchExpressions[0].values: Required value: must be specified when "
            "`operator` is 'In' or "
            "'NotIn'"}},
          {"selector with a bad label",
           [](PVC* c) {
             (*c->mutable_spec()->mutable_selector()->mutable_match_labels())["-disk"] = "ssd";
           },
           {"spec.selector.matchLabels: Invalid value: \"-disk\": " + kNamePartMsg}},
      });
}

TEST(PersistentVolumeClaimTest, ValidateUpdate) {
  using PVC = PersistentVolumeClaim;
  const std::string kImmutableSpec =
      "spec: Forbidden: spec is immutable after creation except resources.requests and "
      "volumeAttributesClassName "
      "for bound claims\n";
  PVC pending = Claim();
  PVC bound = Claim();
  bound.mutable_spec()->set_volume_name("local-pv-1");
  bound.mutable_status()->set_phase("Bound");
  (*bound.mutable_status()->mutable_capacity())["storage"] = "368Gi";
  auto request = [](PVC* c, const char* q) {
    (*c->mutable_spec()->mutable_resources()->mutable_requests())["storage"] = q;
  };

  RunUpdateCases<PVC>(
      pending,
      {
          {"the controller sets volumeName once",
           [](PVC* c) { c->mutable_spec()->set_volume_name("local-pv-1"); },
           {}},
          {"the same request written differently", [&](PVC* c) { request(c, "376832Mi"); }, {}},
          {"status may change", [](PVC* c) { c->mutable_status()->set_phase("Bound"); }, {}},
      });
  for (const auto& [name, mutate] : std::vector<std::pair<const char*, std::function<void(PVC*)>>>{
           {"access modes", [](PVC* c) { c->mutable_spec()->set_access_modes(0, "ReadOnlyMany"); }},
           {"an unbound claim's request", [&](PVC* c) { request(c, "400Gi"); }},
           {"the class", [](PVC* c) { c->mutable_spec()->set_storage_class_name("other"); }},
       }) {
    PVC updated = pending;
    mutate(&updated);
    std::vector<std::string> got = Messages(ValidateUpdate(updated, pending));
    ASSERT_EQ(got.size(), 1u) << name;
    EXPECT_THAT(got[0], StartsWith(kImmutableSpec)) << name;
  }

  RunUpdateCases<PVC>(bound,
                      {
                          {"a bound claim may grow", [&](PVC* c) { request(c, "400Gi"); }, {}},
                          {"a bound claim may not shrink to its capacity",
                           [&](PVC* c) { request(c, "300Gi"); },
                           {"spec.resources.requests.storage: Forbidden: field can not be less "
                            "than status.capacity"}},
                      });

  // Shrinking back towards a failed expansion is allowed while above the capacity.
  PVC expanding = bound;
  request(&expanding, "500Gi");
  PVC retreat = expanding;
  request(&retreat, "400Gi");
  EXPECT_THAT(Messages(ValidateUpdate(retreat, expanding)), IsEmpty());

  PVC renamed = bound;
  renamed.mutable_spec()->set_volume_name("other");
  EXPECT_THAT(Messages(ValidateUpdate(renamed, bound)), ElementsAre(StartsWith(kImmutableSpec)));

  // A class may be set on a claim that had none.
  PVC classless = pending;
  classless.mutable_spec()->clear_storage_class_name();
  PVC classed = classless;
  classed.mutable_spec()->set_storage_class_name("local-storage");
  EXPECT_THAT(Messages(ValidateUpdate(classed, classless)), IsEmpty());

  PVC block = pending;
  block.mutable_spec()->set_volume_mode("Block");
  EXPECT_THAT(Messages(ValidateUpdate(block, pending)),
              ElementsAre(StartsWith(kImmutableSpec),
                          "volumeMode: Invalid value: \"Block\": field is immutable"));
}

// ------------------------------------------------------------------ StorageClass

StorageClass LocalClass() {
  auto sc = FromText<StorageClass>(R"pb(
    metadata { name: "local-storage" resource_version: "1" }
    provisioner: "kubernetes.io/no-provisioner"
    volume_binding_mode: "WaitForFirstConsumer"
  )pb");
  SetDefaults(&sc);
  return sc;
}

TEST(StorageClassTest, Validate) {
  using SC = StorageClass;
  RunCases<SC>(LocalClass(),
               {
                   {"no provisioner",
                    [](SC* sc) { sc->clear_provisioner(); },
                    {"provisioner: Required value"}},
                   {"bad provisioner",
                    [](SC* sc) { sc->set_provisioner("a/b/c"); },
                    {"provisioner: Invalid value: \"a/b/c\": a qualified name must consist of "
                     "alphanumeric characters, '-', "
                     "'_' or '.', and must start and end with an alphanumeric character (e.g. "
                     "'MyName',  or 'my.name',  or "
                     "'123-abc', regex used for validation is "
                     "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional "
                     "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}},
                   {"provisioner case does not matter",
                    [](SC* sc) { sc->set_provisioner("Example.com/Local"); },
                    {}},
                   {"unknown binding mode",
                    [](SC* sc) { sc->set_volume_binding_mode("Later"); },
                    {"volumeBindingMode: Unsupported value: \"Later\": supported values: "
                     "\"Immediate\", \"WaitForFirstConsumer\""}},
                   {"no binding mode",
                    [](SC* sc) { sc->clear_volume_binding_mode(); },
                    {"volumeBindingMode: Required value"}},
                   {"recycling class",
                    [](SC* sc) { sc->set_reclaim_policy("Recycle"); },
                    {"reclaimPolicy: Unsupported value: \"Recycle\": supported values: \"Delete\", "
                     "\"Retain\""}},
                   {"empty parameter key",
                    [](SC* sc) { (*sc->mutable_parameters())[""] = "x"; },
                    {"parameters: Invalid value: \"\": field can not be empty."}},
                   {"namespace on a class",
                    [](SC* sc) { sc->mutable_metadata()->set_namespace_("default"); },
                    {"metadata.namespace: Forbidden: not allowed on this type"}},
                   {"topology term without values",
                    [](SC* sc) {
                      sc->add_allowed_topologies()->add_match_label_expressions()->set_key(
                          "kubernetes.io/hostname");
                    },
                    {"allowedTopologies[0].matchLabelExpressions[0].values: Required value"}},
                   {"duplicate topology terms",
                    [](SC* sc) {
                      for (int i = 0; i < 2; ++i) {
                        auto* e = sc->add_allowed_topologies()->add_match_label_expressions();
                        e->set_key("kubernetes.io/hostname");
                        e->add_values("node-1");
                      }
                    },
                    {"allowedTopologies[1].matchLabelExpressions: Duplicate value: \"\""}},
               });
}

TEST(StorageClassTest, ValidateUpdate) {
  using SC = StorageClass;
  RunUpdateCases<SC>(LocalClass(),
                     {
                         {"labels and expansion may change",
                          [](SC* sc) {
                            (*sc->mutable_metadata()->mutable_labels())["tier"] = "local";
                            sc->set_allow_volume_expansion(true);
                          },
                          {}},
                         {"provisioner",
                          [](SC* sc) { sc->set_provisioner("example.com/other"); },
                          {"provisioner: Forbidden: updates to provisioner are forbidden."}},
                         {"parameters",
                          [](SC* sc) { (*sc->mutable_parameters())["fsType"] = "ext4"; },
                          {"parameters: Forbidden: updates to parameters are forbidden."}},
                         {"reclaimPolicy",
                          [](SC* sc) { sc->set_reclaim_policy("Retain"); },
                          {"reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden."}},
                         {"volumeBindingMode",
                          [](SC* sc) { sc->set_volume_binding_mode("Immediate"); },
                          {"volumeBindingMode: Invalid value: \"Immediate\": field is immutable"}},
                     });
}

// ------------------------------------------------------------------ Pod

Pod LocalTestPod() {
  auto pod = FromText<Pod>(R"pb(
    metadata {
      name: "local-test-0"
      namespace: "default"
      resource_version: "4"
      labels { key: "app" value: "local-test" }
    }
    spec {
      containers {
        name: "test-container"
        image: "k8s.gcr.io/busybox"
        command: "/bin/sh"
        volume_mounts { name: "local-vol" mount_path: "/usr/test-pod" }
        ports { container_port: 8080 }
        resources {
          requests { key: "cpu" value: "100m" }
          limits { key: "cpu" value: "1" }
        }
      }
      volumes {
        name: "local-vol"
        persistent_volume_claim { claim_name: "local-vol-local-test-0" }
      }
      hostname: "local-test-0"
      subdomain: "local-test"
    }
  )pb");
  SetDefaults(&pod);
  return pod;
}

TEST(PodTest, Validate) {
  RunCases<Pod>(
      LocalTestPod(),
      {
          {"no containers",
           [](Pod* p) { p->mutable_spec()->clear_containers(); },
           {"spec.containers: Required value"}},
          {"duplicate container names",
           [](Pod* p) { *p->mutable_spec()->add_containers() = p->spec().containers(0); },
           {"spec.containers[1].name: Duplicate value: \"test-container\""}},
          {"init container named like a container",
           [](Pod* p) { *p->mutable_spec()->add_init_containers() = p->spec().containers(0); },
           {"spec.initContainers[0].name: Duplicate value: \"test-container\""}},
          {"mount of a missing volume",
           [](Pod* p) {
             p->mutable_spec()->mutable_containers(0)->mutable_volume_mounts(0)->set_name("data");
           },
           {"spec.containers[0].volumeMounts[0].name: Not found: \"data\""}},
          {"duplicate mount paths",
           [](Pod* p) {
             *p->mutable_spec()->mutable_containers(0)->add_volume_mounts() =
                 p->spec().containers(0).volume_mounts(0);
           },
           {"spec.containers[0].volumeMounts[1].mountPath: Invalid value: \"/usr/test-pod\": must "
            "be unique"}},
          {"absolute subPath",
           [](Pod* p) {
             p->mutable_spec()->mutable_containers(0)->mutable_volume_mounts(0)->set_sub_path("/x");
           },
           {"spec.containers[0].volumeMounts.subPath: Invalid value: \"/x\": must be a relative "
            "path"}},
          {"duplicate volume names",
           [](Pod* p) { *p->mutable_spec()->add_volumes() = p->spec().volumes(0); },
           {"spec.volumes[1].name: Duplicate value: \"local-vol\""}},
          {"volume without a source",
           [](Pod* p) { p->mutable_spec()->add_volumes()->set_name("scratch"); },
           {"spec.volumes[1]: Required value: must specify a volume type"}},
          {"volume with two sources",
           [](Pod* p) { p->mutable_spec()->mutable_volumes(0)->mutable_empty_dir(); },
           {"spec.volumes[0].persistentVolumeClaim: Forbidden: may not specify more than 1 volume "
            "type",
            "spec.containers[0].volumeMounts[0].name: Not found: \"local-vol\""}},
          {"claim without a name",
           [](Pod* p) {
             p->mutable_spec()
                 ->mutable_volumes(0)
                 ->mutable_persistent_volume_claim()
                 ->clear_claim_name();
           },
           {"spec.volumes[0].persistentVolumeClaim.claimName: Required value",
            "spec.containers[0].volumeMounts[0].name: Not found: \"local-vol\""}},
          {"negative emptyDir size",
           [](Pod* p) {
             auto* v = p->mutable_spec()->add_volumes();
             v->set_name("scratch");
             v->mutable_empty_dir()->set_size_limit("-1Gi");
           },
           {"spec.volumes[1].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid "
            "resource quantity"}},
          {"bad container name",
           [](Pod* p) { p->mutable_spec()->mutable_containers(0)->set_name("Test"); },
           {"spec.containers[0].name: Invalid value: \"Test\": " + kLabelMsg}},
          {"no image",
           [](Pod* p) { p->mutable_spec()->mutable_containers(0)->clear_image(); },
           {"spec.containers[0].image: Required value"}},
          {"image with spaces",
           [](Pod* p) { p->mutable_spec()->mutable_containers(0)->set_image(" busybox"); },
           {"spec.containers[0].image: Invalid value: \" busybox\": must not have leading or "
            "trailing whitespace"}},
          {"unknown pull policy",
           [](Pod* p) {
             p->mutable_spec()->mutable_containers(0)->set_image_pull_policy("Sometimes");
           },
           {"spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported "
            "values: \"Always\", "
            "\"IfNotPresent\", \"Never\""}},
          {"port zero",
           [](Pod* p) {
             p->mutable_spec()->mutable_containers(0)->mutable_ports(0)->set_container_port(0);
           },
           {"spec.containers[0].ports[0].containerPort: Required value"}},
          {"port out of range",
           [](Pod* p) {
             p->mutable_spec()->mutable_containers(0)->mutable_ports(0)->set_container_port(70000);
           },
           {"spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 "
            "and 65535, inclusive"}},
          {"unknown protocol",
           [](Pod* p) {
             p->mutable_spec()->mutable_containers(0)->mutable_ports(0)->set_protocol("HTTP");
           },
           {"spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": supported values: "
            "\"SCTP\", \"TCP\", "
            "\"UDP\""}},
          {"env name with =",
           [](Pod* p) { p->mutable_spec()->mutable_containers(0)->add_env()->set_name("A=B"); },
           {"spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable "
            "name must consist "
            "only of printable ASCII characters other than '='"}},
          {"request above limit",
           [](Pod* p) {
             (*p->mutable_spec()
                   ->mutable_containers(0)
                   ->mutable_resources()
                   ->mutable_requests())["cpu"] = "2";
           },
           {"spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or "
            "equal to cpu limit of 1"}},
          {"negative request",
           [](Pod* p) {
             (*p->mutable_spec()
                   ->mutable_containers(0)
                   ->mutable_resources()
                   ->mutable_requests())["memory"] = "-1";
           },
           {"spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must be greater "
            "than or equal to 0"}},
          {"unknown resource",
           [](Pod* p) {
             (*p->mutable_spec()
                   ->mutable_containers(0)
                   ->mutable_resources()
                   ->mutable_limits())["gpu"] = "1";
           },
           {"spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard "
            "resource type or fully "
            "qualified",
            "spec.containers[0].resources.limits[gpu]: Invalid value: \"gpu\": must be a standard "
            "resource for "
            "containers"}},
          {"unknown restart policy",
           [](Pod* p) { p->mutable_spec()->set_restart_policy("Sometimes"); },
           {"spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
            "\"OnFailure\", \"Never\""}},
          {"unknown dns policy",
           [](Pod* p) { p->mutable_spec()->set_dns_policy("Cluster"); },
           {"spec.dnsPolicy: Unsupported value: \"Cluster\": supported values: "
            "\"ClusterFirstWithHostNet\", "
            "\"ClusterFirst\", \"Default\", \"None\""}},
          {"bad node name",
           [](Pod* p) { p->mutable_spec()->set_node_name("Node_1"); },
           {"spec.nodeName: Invalid value: \"Node_1\": " + kSubdomainMsg}},
          {"bad hostname",
           [](Pod* p) { p->mutable_spec()->set_hostname("local.test"); },
           {"spec.hostname: Invalid value: \"local.test\": must not contain dots"}},
          {"bad node selector",
           [](Pod* p) { (*p->mutable_spec()->mutable_node_selector())["disk"] = "a b"; },
           {"spec.nodeSelector: Invalid value: \"a b\": " + kLabelValueMsg}},
          {"node affinity without terms",
           [](Pod* p) {
             p->mutable_spec()
                 ->mutable_affinity()
                 ->mutable_node_affinity()
                 ->mutable_required_during_scheduling_ignored_during_execution();
           },
           {"spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
            "nodeSelectorTerms: Required "
            "value: must have at least one node selector term"}},
          {"toleration without key must be Exists",
           [](Pod* p) { p->mutable_spec()->add_tolerations()->set_operator_("Equal"); },
           {"spec.tolerations[2].operator: Invalid value: \"Equal\": operator must be Exists when "
            "`key` is empty, "
            "which means \"match all values and all keys\""}},
          {"tolerationSeconds need NoExecute",
           [](Pod* p) {
             auto* t = p->mutable_spec()->add_tolerations();
             t->set_key("example.com/maintenance");
             t->set_operator_("Exists");
             t->set_effect("NoSchedule");
             t->set_toleration_seconds(60);
           },
           {"spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' "
            "when "
            "`tolerationSeconds` is set"}},
          {"unknown toleration operator",
           [](Pod* p) {
             auto* t = p->mutable_spec()->add_tolerations();
             t->set_key("k");
             t->set_operator_("In");
           },
           {"spec.tolerations[2].operator: Unsupported value: \"In\": supported values: \"Equal\", "
            "\"Exists\""}},
          {"no name",
           [](Pod* p) { p->mutable_metadata()->clear_name(); },
           {"metadata.name: Required value: name or generateName is required"}},
      });
}

TEST(PodTest, UndefaultedPodMissesDefaultedFields) {
  auto pod = FromText<Pod>(R"pb(
    metadata { name: "p" namespace: "default" }
    spec { containers { name: "c" image: "busybox" } }
  )pb");
  EXPECT_THAT(Messages(Validate(pod)),
              ElementsAre("spec.terminationGracePeriodSeconds: Required value",
                          "spec.containers[0].imagePullPolicy: Required value",
                          "spec.restartPolicy: Required value", "spec.dnsPolicy: Required value"));
}

TEST(PodTest, ValidateUpdate) {
  const std::string kForbidden =
      "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
      "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
      "additions to "
      "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
      "was previously "
      "negative)\n";
  Pod old = LocalTestPod();
  RunUpdateCases<Pod>(
      old,
      {
          {"image may change",
           [](Pod* p) { p->mutable_spec()->mutable_containers(0)->set_image("busybox:1.36"); },
           {}},
          {"tolerations may be added",
           [](Pod* p) {
             auto* t = p->mutable_spec()->add_tolerations();
             t->set_key("example.com/x");
             t->set_operator_("Exists");
           },
           {}},
          {"tolerationSeconds may change",
           [](Pod* p) { p->mutable_spec()->mutable_tolerations(0)->set_toleration_seconds(10); },
           {}},
          {"existing tolerations may not change",
           [](Pod* p) { p->mutable_spec()->mutable_tolerations(0)->set_key("example.com/other"); },
           {"spec.tolerations: Forbidden: existing toleration can not be modified except its "
            "tolerationSeconds"}},
          {"status and labels may change",
           [](Pod* p) {
             p->mutable_status()->set_phase("Running");
             (*p->mutable_metadata()->mutable_labels())["x"] = "y";
           },
           {}},
          {"containers may not be added",
           [](Pod* p) {
             auto* c = p->mutable_spec()->add_containers();
             *c = p->spec().containers(0);
             c->set_name("sidecar");
           },
           {"spec.containers: Forbidden: pod updates may not add or remove containers"}},
          {"image may not be cleared",
           [](Pod* p) { p->mutable_spec()->mutable_containers(0)->clear_image(); },
           {"spec.containers[0].image: Required value",
            "spec.containers[0].image: Required value"}},
      });
  Pod bound = old;
  bound.mutable_spec()->set_node_name("node-1");
  EXPECT_THAT(Messages(ValidateUpdate(bound, old)), ElementsAre(StartsWith(kForbidden)));
  Pod moved = bound;
  moved.mutable_spec()->set_node_name("node-2");
  EXPECT_THAT(Messages(ValidateUpdate(moved, bound)), ElementsAre(StartsWith(kForbidden)));

  // Quantities compare by value, as apimachinery's semantic equality: the same request
  // spelled otherwise is no change; another amount is.
  Pod requesting = old;
  (*requesting.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())
      ["memory"] = "1Gi";
  Pod respelled = requesting;
  (*respelled.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())
      ["memory"] = "1024Mi";
  EXPECT_THAT(Messages(ValidateUpdate(respelled, requesting)), IsEmpty());
  Pod more = requesting;
  (*more.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())
      ["memory"] = "2Gi";
  EXPECT_THAT(Messages(ValidateUpdate(more, requesting)), ElementsAre(StartsWith(kForbidden)));
}

// ------------------------------------------------------------------ StatefulSet

StatefulSet LocalTest() {
  auto set = FromText<StatefulSet>(R"pb(
    metadata { name: "local-test" namespace: "default" resource_version: "9" }
    spec {
      replicas: 3
      service_name: "local-service"
      selector { match_labels { key: "app" value: "local-test" } }
      template {
        metadata { labels { key: "app" value: "local-test" } }
        spec {
          containers {
            name: "test-container"
            image: "k8s.gcr.io/busybox"
            volume_mounts { name: "local-vol" mount_path: "/usr/test-pod" }
          }
        }
      }
      volume_claim_templates {
        metadata { name: "local-vol" }
        spec {
          access_modes: "ReadWriteOnce"
          storage_class_name: "local-storage"
          resources { requests { key: "storage" value: "368Gi" } }
        }
      }
    }
  )pb");
  SetDefaults(&set);
  return set;
}

TEST(StatefulSetTest, Validate) {
  using STS = StatefulSet;
  RunCases<STS>(
      LocalTest(),
      {
          {"selector does not match the template",
           [](STS* s) {
             (*s->mutable_spec()
                   ->mutable_template_()
                   ->mutable_metadata()
                   ->mutable_labels())["app"] = "db";
           },
           {"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"db\"}: "
            "`selector` does not "
            "match template `labels`"}},
          {"no selector",
           [](STS* s) { s->mutable_spec()->clear_selector(); },
           {"spec.selector: Required value",
            "spec.template.metadata.labels: Invalid value: "
            "map[string]string{\"app\":\"local-test\"}: `selector` does "
            "not match template `labels`"}},
          {"empty selector",
           [](STS* s) { s->mutable_spec()->mutable_selector()->clear_match_labels(); },
           {"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
            "statefulset"}},
          {"selector with a bad operator",
           [](STS* s) {
             auto* e = s->mutable_spec()->mutable_selector()->add_match_expressions();
             e->set_key("tier");
             e->set_operator_("Near");
           },
           {"spec.selector.matchExpressions[0].operator: Invalid value: \"Near\": not a valid "
            "selector operator",
            "spec.selector: Invalid value: "
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"local-test\"}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"
            "\"tier\", "
            "Operator:\"Near\", Values:[]string(nil)}}}"}},
          {"negative replicas",
           [](STS* s) { s->mutable_spec()->set_replicas(-1); },
           {"spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
          {"zero replicas", [](STS* s) { s->mutable_spec()->set_replicas(0); }, {}},
          {"unknown pod management policy",
           [](STS* s) { s->mutable_spec()->set_pod_management_policy("Random"); },
           {"spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or "
            "'Parallel'"}},
          {"parallel",
           [](STS* s) { s->mutable_spec()->set_pod_management_policy("Parallel"); },
           {}},
          {"no pod management policy",
           [](STS* s) { s->mutable_spec()->clear_pod_management_policy(); },
           {"spec.podManagementPolicy: Required value"}},
          {"unknown update strategy",
           [](STS* s) {
             s->mutable_spec()->mutable_update_strategy()->set_type("Blue");
             s->mutable_spec()->mutable_update_strategy()->clear_rolling_update();
           },
           {"spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:\"Blue\", "
            "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' "
            "or 'OnDelete'"}},
          {"OnDelete with rolling update settings",
           [](STS* s) { s->mutable_spec()->mutable_update_strategy()->set_type("OnDelete"); },
           {"spec.updateStrategy.rollingUpdate: Invalid value: "
            "apps.RollingUpdateStatefulSetStrategy{Partition:0, "
            "MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy "
            "'RollingUpdate'"}},
          {"negative partition",
           [](STS* s) {
             s->mutable_spec()->mutable_update_strategy()->mutable_rolling_update()->set_partition(
                 -1);
           },
           {"spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than "
            "or equal to 0"}},
          {"template restart policy must be Always",
           [](STS* s) {
             s->mutable_spec()->mutable_template_()->mutable_spec()->set_restart_policy("Never");
           },
           {"spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
            "\"Always\""}},
          {"unknown retention policy",
           [](STS* s) {
             s->mutable_spec()
                 ->mutable_persistent_volume_claim_retention_policy()
                 ->set_when_deleted("Keep");
           },
           {"spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: \"Keep\": "
            "supported values: "
            "\"Retain\", \"Delete\""}},
          {"names are DNS labels",
           [](STS* s) { s->mutable_metadata()->set_name("local.test"); },
           {"metadata.name: Invalid value: \"local.test\": must not contain dots"}},
          {"bad template label",
           [](STS* s) {
             (*s->mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["-x"] =
                 "y";
           },
           {"spec.template.labels: Invalid value: \"-x\": " + kNamePartMsg}},
      });
}

TEST(StatefulSetTest, ValidateUpdate) {
  using STS = StatefulSet;
  const std::string kForbidden =
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
      "'template', "
      "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are "
      "forbidden";
  RunUpdateCases<STS>(
      LocalTest(),
      {
          {"replicas", [](STS* s) { s->mutable_spec()->set_replicas(5); }, {}},
          {"template",
           [](STS* s) {
             s->mutable_spec()
                 ->mutable_template_()
                 ->mutable_spec()
                 ->mutable_containers(0)
                 ->set_image("busybox");
           },
           {}},
          {"update strategy",
           [](STS* s) {
             s->mutable_spec()->mutable_update_strategy()->mutable_rolling_update()->set_partition(
                 2);
           },
           {}},
          {"retention policy",
           [](STS* s) {
             s->mutable_spec()->mutable_persistent_volume_claim_retention_policy()->set_when_scaled(
                 "Delete");
           },
           {}},
          {"minReadySeconds", [](STS* s) { s->mutable_spec()->set_min_ready_seconds(10); }, {}},
          {"selector",
           [](STS* s) {
             (*s->mutable_spec()->mutable_selector()->mutable_match_labels())["tier"] = "x";
           },
           {"spec.template.metadata.labels: Invalid value: "
            "map[string]string{\"app\":\"local-test\"}: `selector` does "
            "not match template `labels`",
            kForbidden}},
          {"volume claim templates",
           [](STS* s) {
             (*s->mutable_spec()
                   ->mutable_volume_claim_templates(0)
                   ->mutable_spec()
                   ->mutable_resources()
                   ->mutable_requests())["storage"] = "400Gi";
           },
           {kForbidden}},
          {"service name",
           [](STS* s) { s->mutable_spec()->set_service_name("other"); },
           {kForbidden}},
          {"pod management policy",
           [](STS* s) { s->mutable_spec()->set_pod_management_policy("Parallel"); },
           {kForbidden}},
      });
}

// ------------------------------------------------------------------ Node, Event, Binding

TEST(NodeTest, Validate) {
  auto node = FromText<Node>(R"pb(
    metadata {
      name: "node-1"
      resource_version: "1"
      labels { key: "kubernetes.io/hostname" value: "node-1" }
    }
    spec { pod_cidr: "10.244.1.0/24" }
    status {
      capacity { key: "cpu" value: "4" }
      capacity { key: "memory" value: "8Gi" }
    }
  )pb");
  SetDefaults(&node);
  RunCases<Node>(
      node,
      {
          {"negative capacity",
           [](Node* n) { (*n->mutable_status()->mutable_capacity())["cpu"] = "-1"; },
           {"status.capacity.cpu: Invalid value: \"-1\": must be greater than or equal to 0"}},
          {"taint without effect",
           [](Node* n) {
             n->mutable_spec()->add_taints()->set_key("node.kubernetes.io/not-ready");
           },
           {"metadata.taints[0].effect: Required value"}},
          {"taint with an unknown effect",
           [](Node* n) {
             auto* t = n->mutable_spec()->add_taints();
             t->set_key("k");
             t->set_effect("NoRun");
           },
           {"metadata.taints[0].effect: Unsupported value: \"NoRun\": supported values: "
            "\"NoSchedule\", "
            "\"PreferNoSchedule\", \"NoExecute\""}},
          {"duplicate taints",
           [](Node* n) {
             for (int i = 0; i < 2; ++i) {
               auto* t = n->mutable_spec()->add_taints();
               t->set_key("node.kubernetes.io/unreachable");
               t->set_effect("NoExecute");
             }
           },
           {"metadata.taints[1]: Duplicate value: "
            "core.Taint{Key:\"node.kubernetes.io/unreachable\", Value:\"\", "
            "Effect:\"NoExecute\", TimeAdded:<nil>}: taints must be unique by key and effect "
            "pair"}},
          {"bad pod CIDR",
           [](Node* n) { n->mutable_spec()->set_pod_cidr("10.244.1.0"); },
           {"spec.podCIDRs[0]: Invalid value: \"10.244.1.0\": must be a valid CIDR value, (e.g. "
            "10.9.8.0/24 or "
            "2001:db8::/64)"}},
          {"namespace on a node",
           [](Node* n) { n->mutable_metadata()->set_namespace_("default"); },
           {"metadata.namespace: Forbidden: not allowed on this type"}},
      });
  RunUpdateCases<Node>(node, {
                                 {"conditions and taints may change",
                                  [](Node* n) {
                                    n->mutable_status()->add_conditions()->set_type("Ready");
                                    n->mutable_spec()->set_unschedulable(true);
                                  },
                                  {}},
                                 {"pod CIDR may not change",
                                  [](Node* n) { n->mutable_spec()->set_pod_cidr("10.244.2.0/24"); },
                                  {"spec.podCIDRs: Forbidden: node updates may not change podCIDR "
                                   "except from \"\" to valid"}},
                             });
}

TEST(LeaseTest, Validate) {
  auto lease = FromText<Lease>(
      R"(metadata { name: "node-1" namespace: "kube-node-lease" }
         spec { holder_identity: "node-1" lease_duration_seconds: 40
                renew_time: "2026-11-25T14:00:00.000001Z" })");
  EXPECT_THAT(Messages(Validate(lease)), IsEmpty());
  lease.mutable_spec()->set_lease_duration_seconds(0);
  lease.mutable_spec()->set_lease_transitions(-1);
  EXPECT_THAT(Messages(Validate(lease)),
              ElementsAre("spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
                          "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0"));
}

TEST(EventTest, Validate) {
  auto event = FromText<Event>(R"pb(
    metadata { name: "local-test-0.17a" namespace: "default" }
    involved_object { kind: "Pod" namespace: "default" name: "local-test-0" }
    reason: "Scheduled"
    message: "Successfully assigned default/local-test-0 to node-1"
    type: "Normal"
  )pb");
  RunCases<Event>(
      event,
      {
          {"namespace mismatch",
           [](Event* e) { e->mutable_involved_object()->set_namespace_("other"); },
           {"involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"}},
          {"cluster-scoped object in default",
           [](Event* e) {
             e->mutable_involved_object()->clear_namespace_();
             e->mutable_involved_object()->set_kind("PersistentVolume");
           },
           {}},
          {"no name",
           [](Event* e) { e->mutable_metadata()->clear_name(); },
           {"metadata.name: Required value: name or generateName is required"}},
          {"new-style event without reporter",
           [](Event* e) { e->set_event_time("2024-05-01T10:00:00.000000Z"); },
           {"reportingController: Required value",
            "reportingController: Invalid value: \"\": name part must be non-empty",
            "reportingController: Invalid value: \"\": " + kNamePartMsg,
            "reportingInstance: Required value"}},
      });
}

TEST(BindingTest, Validate) {
  auto binding = FromText<Binding>(R"pb(metadata { name: "p" namespace: "default" }
                                        target { kind: "Node" name: "node-1" })pb");
  EXPECT_THAT(Messages(Validate(binding)), IsEmpty());
  binding.mutable_target()->set_kind("Pod");
  binding.mutable_target()->clear_name();
  EXPECT_THAT(
      Messages(Validate(binding)),
      ElementsAre(
          "target.kind: Unsupported value: \"Pod\": supported values: \"Node\", \"<empty>\"",
          "target.name: Required value"));
}

// ------------------------------------------------------------------ status subresource

template <class T>
void RunStatusUpdateCases(T old, const std::vector<Case<T>>& cases) {
  old.mutable_metadata()->set_resource_version("7");
  for (const auto& c : cases) {
    T updated = old;
    c.mutate(&updated);
    EXPECT_EQ(Messages(ValidateStatusUpdate(updated, old)), c.want) << c.name;
  }
}

// A status update checks the metadata and the status; the spec is the stored one, so a
// spec the whole-object validation would refuse is not looked at.
TEST(StatusUpdateTest, PodStatus) {
  Pod old = LocalTestPod();
  old.mutable_spec()->mutable_containers(0)->set_image("");  // invalid, but not checked here
  ASSERT_THAT(Messages(Validate(old)), ::testing::Contains(StartsWith("spec.containers[0].image")));
  RunStatusUpdateCases<Pod>(
      old,
      {
          {"Running with one IP",
           [](Pod* p) {
             p->mutable_status()->set_phase("Running");
             p->mutable_status()->set_pod_ip("10.244.1.7");
             p->mutable_status()->add_pod_ips()->set_ip("10.244.1.7");
             p->mutable_status()->add_conditions()->set_type("Ready");
           },
           {}},
          {"leading zeros parse, as ParseIPSloppy",
           [](Pod* p) { p->mutable_status()->add_pod_ips()->set_ip("010.244.1.7"); },
           {}},
          {"one IP per family",
           [](Pod* p) {
             p->mutable_status()->add_pod_ips()->set_ip("10.244.1.7");
             p->mutable_status()->add_pod_ips()->set_ip("fd00::7");
           },
           {}},
          {"an invalid IP",
           [](Pod* p) { p->mutable_status()->add_pod_ips()->set_ip("10.244.1"); },
           {"status.podIPs[0]: Invalid value: \"10.244.1\": must be a valid IP address, (e.g. "
            "10.9.8.7 or 2001:db8::ffff)"}},
          {"two of a family, twice the same",
           [](Pod* p) {
             p->mutable_status()->add_pod_ips()->set_ip("10.0.0.1");
             p->mutable_status()->add_pod_ips()->set_ip("10.0.0.1");
           },
           {"status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:\"10.0.0.1\"}, "
            "core.PodIP{IP:\"10.0.0.1\"}}: may specify no more than one IP for each IP family",
            "status.podIPs[1]: Duplicate value: core.PodIP{IP:\"10.0.0.1\"}"}},
          {"a custom condition type must be a qualified name, reported under metadata",
           [](Pod* p) {
             p->mutable_status()->add_conditions()->set_type("example.com/Ok");
             p->mutable_status()->add_conditions()->set_type("not ok");
           },
           {"metadata.conditions[1].Type: Invalid value: \"not ok\": " + kNamePartMsg}},
          {"a new nominatedNodeName must be a node name",
           [](Pod* p) { p->mutable_status()->set_nominated_node_name("Node_1"); },
           {"status.nominatedNodeName: Invalid value: \"Node_1\": " + kSubdomainMsg}},
          {"metadata rules still apply",
           [](Pod* p) { p->mutable_metadata()->set_uid("other"); },
           {"metadata.uid: Invalid value: \"other\": field is immutable"}},
      });
}

TEST(StatusUpdateTest, ClaimStatus) {
  using PVC = PersistentVolumeClaim;
  RunStatusUpdateCases<PVC>(
      Claim(),
      {
          {"Bound with its capacity",
           [](PVC* c) {
             c->mutable_status()->set_phase("Bound");
             (*c->mutable_status()->mutable_capacity())["storage"] = "100Gi";
           },
           {}},
          {"a negative capacity",
           [](PVC* c) { (*c->mutable_status()->mutable_capacity())["storage"] = "-1Ki"; },
           {"status.capacity[storage]: Invalid value: -1024: must be a valid resource quantity"}},
          {"accessModes are required, under Kubernetes' capitalized path",
           [](PVC* c) { c->mutable_spec()->clear_access_modes(); },
           {"Spec.accessModes: Required value"}},
      });
}

TEST(StatusUpdateTest, VolumeStatusChecksOnlyMetadata) {
  using PV = PersistentVolume;
  RunStatusUpdateCases<PV>(
      LocalPV(), {
                     {"any phase", [](PV* pv) { pv->mutable_status()->set_phase("Released"); }, {}},
                     {"a spec the full update would refuse is not looked at",
                      [](PV* pv) { pv->mutable_spec()->set_volume_mode("Block"); },
                      {}},
                     {"metadata rules still apply",
                      [](PV* pv) { pv->mutable_metadata()->set_name("other"); },
                      {"metadata.name: Invalid value: \"other\": field is immutable"}},
                 });
}

TEST(StatusUpdateTest, StatefulSetStatus) {
  using STS = StatefulSet;
  STS old = LocalTest();
  old.mutable_status()->set_collision_count(2);
  RunStatusUpdateCases<STS>(
      old,
      {
          {"counts within replicas",
           [](STS* s) {
             s->mutable_status()->set_replicas(3);
             s->mutable_status()->set_ready_replicas(2);
             s->mutable_status()->set_available_replicas(2);
             s->mutable_status()->set_current_replicas(3);
             s->mutable_status()->set_updated_replicas(3);
           },
           {}},
          {"negative, above replicas, above ready",
           [](STS* s) {
             s->mutable_status()->set_replicas(-1);
             s->mutable_status()->set_ready_replicas(1);
             s->mutable_status()->set_available_replicas(2);
           },
           {"status.replicas: Invalid value: -1: must be greater than or equal to 0",
            "status.readyReplicas: Invalid value: 1: cannot be greater than status.replicas",
            "status.currentReplicas: Invalid value: 0: cannot be greater than status.replicas",
            "status.updatedReplicas: Invalid value: 0: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 2: cannot be greater than status.replicas",
            "status.availableReplicas: Invalid value: 2: cannot be greater than "
            "status.readyReplicas"}},
          {"collisionCount may not go down",
           [](STS* s) { s->mutable_status()->set_collision_count(1); },
           {"status.collisionCount: Invalid value: 1: cannot be decremented"}},
      });
}

}  // namespace
}  // namespace lpv::api
