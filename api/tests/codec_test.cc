#include "api/codec.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/objects.pb.h"
#include "api/scheme.h"

namespace lpv::api {
namespace {

std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(LPV_SOURCE_DIR) + "/examples/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CodecTest, StorageClassManifestLoadsUnchanged) {
  std::vector<std::string> warnings;
  auto objs = DecodeManifests(ReadExample("storageclass.yaml"), "storageclass.yaml", &warnings);
  ASSERT_TRUE(objs.ok()) << objs.status().ToString();
  ASSERT_EQ(objs->size(), 1u);
  const auto& sc = dynamic_cast<const StorageClass&>(*(*objs)[0].object);
  EXPECT_EQ(sc.metadata().name(), "local-storage");
  EXPECT_EQ(sc.provisioner(), "kubernetes.io/no-provisioner");
  EXPECT_EQ(sc.volume_binding_mode(), "WaitForFirstConsumer");
  EXPECT_TRUE(warnings.empty());
}

TEST(CodecTest, PersistentVolumeManifestLoadsUnchanged) {
  std::vector<std::string> warnings;
  auto objs = DecodeManifests(ReadExample("pv.yaml"), "pv.yaml", &warnings);
  ASSERT_TRUE(objs.ok()) << objs.status().ToString();
  const auto& pv = dynamic_cast<const PersistentVolume&>(*(*objs)[0].object);
  EXPECT_EQ(pv.metadata().name(), "example-pv");
  EXPECT_EQ(pv.spec().capacity().at("storage"), "100Gi");
  EXPECT_EQ(pv.spec().volume_mode(), "Filesystem");
  EXPECT_EQ(pv.spec().access_modes(0), "ReadWriteOnce");
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Delete");
  EXPECT_EQ(pv.spec().storage_class_name(), "local-storage");
  EXPECT_EQ(pv.spec().local().path(), "/mnt/disks/ssd1");
  const auto& expr = pv.spec().node_affinity().required().node_selector_terms(0).match_expressions(0);
  EXPECT_EQ(expr.key(), "kubernetes.io/hostname");
  EXPECT_EQ(expr.operator_(), "In");
  EXPECT_EQ(expr.values(0), "example-node");
  EXPECT_TRUE(warnings.empty());
}

TEST(CodecTest, StatefulSetManifestLoadsUnchanged) {
  std::vector<std::string> warnings;
  auto objs = DecodeManifests(ReadExample("statefulset.yaml"), "statefulset.yaml", &warnings);
  ASSERT_TRUE(objs.ok()) << objs.status().ToString();
  const auto& sts = dynamic_cast<const StatefulSet&>(*(*objs)[0].object);
  EXPECT_EQ(sts.metadata().name(), "local-test");
  EXPECT_EQ(sts.spec().replicas(), 3);
  EXPECT_EQ(sts.spec().service_name(), "local-service");
  EXPECT_EQ(sts.spec().selector().match_labels().at("app"), "local-test");
  const auto& c = sts.spec().template_().spec().containers(0);
  EXPECT_EQ(c.image(), "k8s.gcr.io/busybox");
  EXPECT_EQ(c.command(0), "/bin/sh");
  EXPECT_EQ(c.args(1), "sleep 100000");
  EXPECT_EQ(c.volume_mounts(0).mount_path(), "/usr/test-pod");
  const auto& tmpl = sts.spec().volume_claim_templates(0);
  EXPECT_EQ(tmpl.metadata().name(), "local-vol");
  EXPECT_EQ(tmpl.spec().storage_class_name(), "local-storage");
  EXPECT_EQ(tmpl.spec().resources().requests().at("storage"), "368Gi");
  EXPECT_TRUE(warnings.empty());
}

TEST(CodecTest, JsonRoundTripKeepsEveryField) {
  for (const char* file : {"storageclass.yaml", "pv.yaml", "statefulset.yaml"}) {
    auto objs = DecodeManifests(ReadExample(file), file, nullptr);
    ASSERT_TRUE(objs.ok());
    const auto& obj = *(*objs)[0].object;
    std::string json = ToJsonString(obj);
    auto back = DecodeManifests(json, "roundtrip.json", nullptr);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ((*back)[0].object->SerializeAsString(), obj.SerializeAsString()) << file;
    std::string yaml = ToYamlString(obj);
    auto back2 = DecodeManifests(yaml, "roundtrip.yaml", nullptr);
    ASSERT_TRUE(back2.ok()) << back2.status().ToString() << "\n" << yaml;
    EXPECT_EQ((*back2)[0].object->SerializeAsString(), obj.SerializeAsString()) << file;
  }
}

TEST(CodecTest, JsonKeepsKubernetesFieldOrderAndOmitsEmpty) {
  PersistentVolume pv;
  SetTypeMeta(&pv);
  pv.mutable_metadata()->set_name("local-pv-1");
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "368Gi";
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_status()->set_phase("Available");
  EXPECT_EQ(ToJsonString(pv, false),
            R"({"apiVersion":"v1","kind":"PersistentVolume","metadata":{"name":"local-pv-1"},)"
            R"("spec":{"capacity":{"storage":"368Gi"},"accessModes":["ReadWriteOnce"]},)"
            R"("status":{"phase":"Available"}})");
}

TEST(CodecTest, YamlIsSortedAndQuotesAmbiguousStrings) {
  PersistentVolumeClaim pvc;
  SetTypeMeta(&pvc);
  pvc.mutable_metadata()->set_name("local-vol-local-test-0");
  (*pvc.mutable_metadata()->mutable_annotations())["pv.kubernetes.io/bind-completed"] = "yes";
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  pvc.mutable_spec()->set_storage_class_name("");
  EXPECT_EQ(ToYamlString(pvc),
            "apiVersion: v1\n"
            "kind: PersistentVolumeClaim\n"
            "metadata:\n"
            "  annotations:\n"
            "    pv.kubernetes.io/bind-completed: \"yes\"\n"
            "  name: local-vol-local-test-0\n"
            "spec:\n"
            "  accessModes:\n"
            "  - ReadWriteOnce\n"
            "  storageClassName: \"\"\n");
}

TEST(CodecTest, EmptyStorageClassNameDiffersFromAbsent) {
  auto objs = DecodeManifests(
      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: a}\n"
      "spec: {storageClassName: \"\"}\n---\n"
      "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: b}\nspec: {}\n",
      "claims.yaml", nullptr);
  ASSERT_TRUE(objs.ok());
  ASSERT_EQ(objs->size(), 2u);
  EXPECT_TRUE(dynamic_cast<PersistentVolumeClaim&>(*(*objs)[0].object).spec().has_storage_class_name());
  EXPECT_FALSE(dynamic_cast<PersistentVolumeClaim&>(*(*objs)[1].object).spec().has_storage_class_name());
  EXPECT_EQ((*objs)[1].document, 1);
}

TEST(CodecTest, UnknownFieldsWarnAndDoNotFail) {
  std::vector<std::string> warnings;
  auto objs = DecodeManifests(
      "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: x\n  bogus: 1\n"
      "spec:\n  capacity: {storage: 1Gi}\n  fancy: true\n",
      "x.yaml", &warnings);
  ASSERT_TRUE(objs.ok());
  EXPECT_EQ(warnings, (std::vector<std::string>{"unknown field \"metadata.bogus\"",
                                                 "unknown field \"spec.fancy\""}));
}

TEST(CodecTest, NumbersAreQuantitiesInResourceMaps) {
  auto objs = DecodeManifests(
      "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: x}\n"
      "spec: {capacity: {storage: 100}}\n",
      "x.yaml", nullptr);
  ASSERT_TRUE(objs.ok()) << objs.status().ToString();
  EXPECT_EQ(dynamic_cast<PersistentVolume&>(*(*objs)[0].object).spec().capacity().at("storage"),
            "100");
}

TEST(CodecTest, AnEmptyDirSizeLimitIsAQuantityToo) {
  auto objs = DecodeManifests(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"
      "spec: {volumes: [{name: v, emptyDir: {sizeLimit: 1}}]}\n",
      "x.yaml", nullptr);
  ASSERT_TRUE(objs.ok()) << objs.status().ToString();
  EXPECT_EQ(dynamic_cast<Pod&>(*(*objs)[0].object).spec().volumes(0).empty_dir().size_limit(),
            "1");
}

TEST(CodecTest, WrongTypesNameTheField) {
  struct Case {
    const char* doc;
    const char* message;
  } cases[] = {
      {"apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: x}\nspec: {capacity: 5}\n",
       "error decoding \"bad.yaml\": PersistentVolume in version \"v1\" cannot be handled as a "
       "PersistentVolume: json: cannot unmarshal number into Go struct field "
       "PersistentVolumeSpec.spec.capacity of type map[string]string"},
      {"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: x}\nspec: {replicas: three}\n",
       "error decoding \"bad.yaml\": StatefulSet in version \"v1\" cannot be handled as a "
       "StatefulSet: json: cannot unmarshal string into Go struct field "
       "StatefulSetSpec.spec.replicas of type int32"},
      {"apiVersion: v1\nkind: Pod\nmetadata: {name: x, labels: {a: 1}}\n",
       "error decoding \"bad.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: "
       "cannot unmarshal number into Go struct field ObjectMeta.metadata.labels[a] of type "
       "string"},
      {"kind: Pod\nmetadata: {name: x}\n",
       "error validating \"bad.yaml\": error validating data: apiVersion not set; if you choose "
       "to ignore these errors, turn validation off with --validate=false"},
      {"metadata: {name: x}\n",
       "error validating \"bad.yaml\": error validating data: [apiVersion not set, kind not "
       "set]; if you choose to ignore these errors, turn validation off with --validate=false"},
      {"apiVersion: v1\nkind: Widget\nmetadata: {name: w}\n",
       "resource mapping not found for name: \"w\" namespace: \"\" from \"bad.yaml\": no matches "
       "for kind \"Widget\" in version \"v1\""},
      {"apiVersion: v1\nkind: StatefulSet\nmetadata: {name: s}\n",
       "resource mapping not found for name: \"s\" namespace: \"\" from \"bad.yaml\": no matches "
       "for kind \"StatefulSet\" in version \"v1\""},
  };
  for (const auto& c : cases) {
    auto r = DecodeManifests(c.doc, "bad.yaml", nullptr);
    ASSERT_FALSE(r.ok()) << c.doc;
    EXPECT_EQ(r.status().message(), c.message);
  }
}

// With kubectl's --validate=false the decoder itself refuses a document without a kind or
// apiVersion (runtime.NewMissingKindErr / NewMissingVersionErr), quoting it as JSON.
TEST(CodecTest, WithoutValidationAMissingKindOrVersionIsTheDecodersError) {
  auto no_kind = DecodeManifests("apiVersion: v1\nmetadata: {name: x}\n", "STDIN", nullptr,
                                 /*validate=*/false);
  ASSERT_FALSE(no_kind.ok());
  EXPECT_EQ(no_kind.status().message(),
            "unable to decode \"STDIN\": Object 'Kind' is missing in "
            "'{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}'");
  auto no_version = DecodeManifests("kind: Pod\nmetadata: {name: x}\n", "STDIN", nullptr,
                                    /*validate=*/false);
  ASSERT_FALSE(no_version.ok());
  EXPECT_EQ(no_version.status().message(),
            "unable to decode \"STDIN\": Object 'apiVersion' is missing in "
            "'{\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"}}'");
  auto whole = DecodeManifests("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", "STDIN",
                               nullptr, /*validate=*/false);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->size(), 1u);
}

TEST(CodecTest, MalformedYamlNamesFileAndLine) {
  auto r = DecodeManifests("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n", "broken.yaml",
                           nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("error parsing broken.yaml: error converting YAML to "
                                       "JSON: yaml: line ", 0),
            0u)
      << r.status().message();
}

TEST(CodecTest, ListsAreFlattenedAndJsonAccepted) {
  auto r = DecodeManifests(
      R"({"apiVersion":"v1","kind":"List","items":[)"
      R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}},)"
      R"({"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"s"},"provisioner":"p"}]})",
      "list.json", nullptr);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(Meta(*(*r)[0].object).name(), "n1");
  EXPECT_EQ(KindOf(*(*r)[1].object)->kind, "StorageClass");
}

TEST(CodecTest, KubernetesJsonNamesForAcronyms) {
  Pod pod;
  pod.mutable_status()->set_pod_ip("10.0.0.1");
  pod.mutable_status()->set_host_ip("192.168.0.1");
  EXPECT_EQ(ToJson(pod)["status"].dump(), R"({"hostIP":"192.168.0.1","podIP":"10.0.0.1"})");
}

// Found by fuzz/manifest_fuzzer (corpus/manifest/crash-invalid-utf8): YAML bytes that are not
// UTF-8 were decoded into strings that then threw when printed as JSON.
TEST(CodecTest, YamlThatIsNotUtf8IsRejectedAsGoYamlRejectsIt) {
  struct Case {
    std::string bytes;
    std::string problem;
  } cases[] = {
      {"\xff", "invalid leading UTF-8 octet"},
      {"\xe2\x82", "incomplete UTF-8 octet sequence"},
      {"\xc3(", "invalid trailing UTF-8 octet"},
      {"\xc0\xaf", "invalid length of a UTF-8 sequence"},
      {"\xed\xa0\x80", "invalid Unicode character"},
      {"\x01", "control characters are not allowed"},
  };
  for (const auto& c : cases) {
    // Last: an incomplete sequence is one the text ends in.
    std::string doc = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv\nspec:\n"
                      "  capacity:\n    storage: 100" + c.bytes;
    auto r = DecodeManifests(doc, "pv.yaml", nullptr);
    ASSERT_FALSE(r.ok()) << c.problem;
    EXPECT_EQ(r.status().message(),
              "error parsing pv.yaml: error converting YAML to JSON: yaml: " + c.problem);
  }
  auto ok = DecodeManifests("apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n  labels:\n"
                            "    note: \"caf\xc3\xa9 \xf0\x9f\x92\xbe\"\n",
                            "node.yaml", nullptr);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
}

// Found by fuzz/selector_fuzzer (corpus/selector/crash-loadall-hang): yaml-cpp's LoadAll
// never returned on this stream. Documents are now cut as kubectl cuts them, so a YAML error's
// line counts from its own document.
TEST(CodecTest, DocumentsAreSplitAsKubectlSplitsThem) {
  EXPECT_FALSE(DecodeManifests("\"a\",\"b\"", "x.yaml", nullptr).ok());
  auto two = DecodeManifests("---\napiVersion: v1\nkind: Node\nmetadata: {name: a}\n--- # b\n"
                             "apiVersion: v1\nkind: Node\nmetadata: {name: b}\n---\n---\n",
                             "two.yaml", nullptr);
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ(Meta(*(*two)[1].object).name(), "b");
  EXPECT_EQ((*two)[1].document, 1);
  const std::string broken = "apiVersion: v1\nkind: Node\nmetadata:\n  name: [n2\n";
  auto alone = DecodeManifests(broken, "bad.yaml", nullptr);
  auto second = DecodeManifests("apiVersion: v1\nkind: Node\nmetadata: {name: a}\n---\n" +
                                    broken, "bad.yaml", nullptr);
  ASSERT_FALSE(alone.ok());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), alone.status().message());
}

// What was built in process is never checked on the way in; printing must not throw.
TEST(CodecTest, InvalidUtf8PrintsAsReplacementCharacter) {
  Node node;
  node.mutable_metadata()->set_name("n\xff");
  EXPECT_NE(ToJsonString(node, false).find("n\xef\xbf\xbd"), std::string::npos);
  EXPECT_NE(ToYamlString(node).find("n\xef\xbf\xbd"), std::string::npos);
}

TEST(SchemeTest, LooksUpKindsLikeKubectl) {
  for (const char* n : {"pv", "PV", "persistentvolume", "persistentvolumes", "PersistentVolume"}) {
    ASSERT_NE(LookupKind(n), nullptr) << n;
    EXPECT_EQ(LookupKind(n)->kind, "PersistentVolume");
  }
  EXPECT_EQ(LookupKind("sts")->kind, "StatefulSet");
  EXPECT_EQ(LookupKind("statefulsets.apps")->kind, "StatefulSet");
  EXPECT_EQ(LookupKind("sc")->ApiVersion(), "storage.k8s.io/v1");
  EXPECT_EQ(LookupKind("ev")->kind, "Event");
  EXPECT_EQ(LookupKind("po")->kind, "Pod");
  EXPECT_EQ(LookupKind("no")->kind, "Node");
  EXPECT_EQ(LookupKind("pvc")->kind, "PersistentVolumeClaim");
  EXPECT_EQ(LookupKind("widgets"), nullptr);
}

}  // namespace
}  // namespace lpv::api
