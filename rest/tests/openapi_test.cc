// The OpenAPI v2 document kubectl reads from /openapi/v2: what its definitions say of lpv's
// kinds, and that the protobuf form kubectl parses is the same document as the JSON one.
#include <gtest/gtest.h>

#include <set>

#include "api/scheme.h"
#include "rest/openapi_facts.h"
#include "rest/openapi_proto.h"
#include "rest/openapi_schema.h"

namespace lpv::rest::openapi {
namespace {

using api::Json;

class OpenApiTest : public ::testing::Test {
 protected:
  const Json& Definition(const std::string& name) const { return doc_["definitions"].at(name); }
  const Json& Property(const std::string& definition, const std::string& field) const {
    return Definition(definition)["properties"].at(field);
  }

  Json doc_ = BuildDocument();
};

void CollectRefs(const Json& j, std::set<std::string>* refs) {
  if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      if (key == "$ref") refs->insert(value.get<std::string>());
      CollectRefs(value, refs);
    }
  } else if (j.is_array()) {
    for (const auto& el : j) CollectRefs(el, refs);
  }
}

TEST_F(OpenApiTest, EveryKindHasADefinitionNamedAsKubernetesNamesItWithItsGroupVersionKind) {
  EXPECT_EQ(doc_["swagger"], "2.0");
  std::map<std::string, std::string> names = {
      {"PersistentVolume", "io.k8s.api.core.v1.PersistentVolume"},
      {"PersistentVolumeClaim", "io.k8s.api.core.v1.PersistentVolumeClaim"},
      {"StatefulSet", "io.k8s.api.apps.v1.StatefulSet"},
      {"StorageClass", "io.k8s.api.storage.v1.StorageClass"},
      {"Lease", "io.k8s.api.coordination.v1.Lease"},
  };
  for (const auto& kind : api::AllKinds()) {
    std::string name = DefinitionName(kind.kind);
    if (names.count(kind.kind)) {
      EXPECT_EQ(name, names[kind.kind]);
    }
    const Json& def = Definition(name);
    EXPECT_EQ(def["type"], "object") << name;
    EXPECT_FALSE(def.value("description", "").empty()) << name;
    EXPECT_EQ(def["x-kubernetes-group-version-kind"],
              Json::array({Json{{"group", kind.group}, {"kind", kind.kind}, {"version", "v1"}}}))
        << name;
    EXPECT_EQ(def["properties"]["metadata"]["$ref"],
              "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  }
  // Only kinds carry the extension: kubectl maps a GVK to the one definition that has it.
  EXPECT_FALSE(
      Definition("io.k8s.api.core.v1.PodSpec").contains("x-kubernetes-group-version-kind"));
}

TEST_F(OpenApiTest, EveryRefNamesADefinition) {
  std::set<std::string> refs;
  CollectRefs(doc_["definitions"], &refs);
  EXPECT_GT(refs.size(), 30u);
  for (const auto& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/definitions/")) << ref;
    EXPECT_TRUE(doc_["definitions"].contains(ref.substr(14))) << ref;
  }
}

TEST_F(OpenApiTest, FieldTypesFollowTheCodec) {
  const std::string core = "io.k8s.api.core.v1.";
  const std::string meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
  const std::string quantity = "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity";
  // Quantities are strings of their own definition; manifests may write numbers, which
  // kubectl's validation of a string accepts.
  const Json& capacity = Property(core + "PersistentVolumeSpec", "capacity");
  EXPECT_EQ(capacity.at("type"), "object");
  EXPECT_EQ(capacity.at("additionalProperties"), (Json{{"$ref", quantity}}));
  EXPECT_EQ(Property(core + "EmptyDirVolumeSource", "sizeLimit")["$ref"], quantity);
  EXPECT_EQ(Definition("io.k8s.apimachinery.pkg.api.resource.Quantity")["type"], "string");
  EXPECT_EQ(Definition("io.k8s.apimachinery.pkg.util.intstr.IntOrString")["format"],
            "int-or-string");
  EXPECT_EQ(
      Property("io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy", "maxUnavailable")["$ref"],
      "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  EXPECT_EQ(Property(meta + "ObjectMeta", "creationTimestamp")["$ref"],
            "#/definitions/" + meta + "Time");
  EXPECT_EQ(Definition(meta + "Time")["format"], "date-time");
  EXPECT_EQ(Property(core + "Event", "eventTime")["$ref"], "#/definitions/" + meta + "MicroTime");
  const Json& labels = Property(meta + "ObjectMeta", "labels");
  EXPECT_EQ(labels.at("type"), "object");
  EXPECT_EQ(labels.at("additionalProperties"), (Json{{"type", "string"}}));
  EXPECT_EQ(labels.at("description"), FieldDescription("ObjectMeta", "labels"));
  EXPECT_EQ(Property(core + "PersistentVolumeSpec", "accessModes")["items"]["type"], "string");
  EXPECT_EQ(Property(core + "PersistentVolumeSpec", "claimRef")["$ref"],
            "#/definitions/" + core + "ObjectReference");
  EXPECT_EQ(Property("io.k8s.api.apps.v1.StatefulSetSpec", "replicas")["type"], "integer");
  EXPECT_EQ(Property("io.k8s.api.apps.v1.StatefulSetSpec", "volumeClaimTemplates")["items"]["$ref"],
            "#/definitions/" + core + "PersistentVolumeClaim");
  EXPECT_EQ(Property(core + "PodStatus", "podIP")["type"], "string");  // json_name kept
  EXPECT_EQ(Property(core + "ContainerStatus", "ready")["type"], "boolean");
}

TEST_F(OpenApiTest, ListsCarryTheirKubernetesPatchStrategy) {
  const Json& containers = Property("io.k8s.api.core.v1.PodSpec", "containers");
  EXPECT_EQ(containers["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(containers["x-kubernetes-patch-merge-key"], "name");
  const Json& volumes = Property("io.k8s.api.core.v1.PodSpec", "volumes");
  EXPECT_EQ(volumes["x-kubernetes-patch-strategy"], "merge,retainKeys");
  EXPECT_EQ(volumes["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(
      Property("io.k8s.api.core.v1.Container", "volumeMounts")["x-kubernetes-patch-merge-key"],
      "mountPath");
  const Json& finalizers =
      Property("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
  EXPECT_EQ(finalizers["x-kubernetes-patch-strategy"], "merge");
  EXPECT_FALSE(finalizers.contains("x-kubernetes-patch-merge-key"));
  // A field lpv does not model keeps its strategy too.
  EXPECT_EQ(
      Property("io.k8s.api.core.v1.PodSpec", "imagePullSecrets")["x-kubernetes-patch-merge-key"],
      "name");
  // Atomic lists: replaced whole, as in Kubernetes.
  EXPECT_FALSE(Property("io.k8s.api.apps.v1.StatefulSetSpec", "volumeClaimTemplates")
                   .contains("x-kubernetes-patch-strategy"));
  EXPECT_FALSE(Property("io.k8s.api.core.v1.PodSpec", "tolerations")
                   .contains("x-kubernetes-patch-strategy"));
}

TEST_F(OpenApiTest, FieldsLpvDoesNotModelAreOpenAndNeverShadowAModelledOne) {
  // Kubernetes' fields lpv leaves out: kubectl must accept them (manifests from a real
  // cluster), and must not look inside them.
  EXPECT_EQ(Property("io.k8s.api.core.v1.Container", "livenessProbe").size(), 1u);  // description
  EXPECT_EQ(Property("io.k8s.api.core.v1.PodSpec", "hostNetwork")["type"], "boolean");
  EXPECT_EQ(Property("io.k8s.api.core.v1.PersistentVolumeSpec", "csi").size(), 1u);
  // When a field joins api/objects.proto it must leave the table of unmodelled fields.
  for (const auto& kind : api::AllKinds()) {
    std::vector<const google::protobuf::Descriptor*> todo = {kind.prototype->GetDescriptor()};
    std::set<const google::protobuf::Descriptor*> seen;
    while (!todo.empty()) {
      const auto* desc = todo.back();
      todo.pop_back();
      if (!seen.insert(desc).second) continue;
      for (const auto& extra : UnmodelledFields(desc->name())) {
        for (int i = 0; i < desc->field_count(); ++i) {
          EXPECT_NE(desc->field(i)->json_name(), extra.name) << desc->name();
        }
      }
      for (int i = 0; i < desc->field_count(); ++i) {
        const auto* field = desc->field(i);
        if (field->message_type() != nullptr && !field->is_map()) {
          todo.push_back(field->message_type());
        }
      }
    }
  }
}

TEST_F(OpenApiTest, RequiredFieldsAreOnesLpvAlwaysWrites) {
  EXPECT_EQ(Definition("io.k8s.api.storage.v1.StorageClass")["required"],
            Json::array({"provisioner"}));
  EXPECT_EQ(Definition("io.k8s.api.core.v1.PodSpec")["required"], Json::array({"containers"}));
  // Kubernetes requires ready and restartCount, which lpv omits when false or 0: a pod
  // lpv printed must pass validation when applied back.
  EXPECT_FALSE(Definition("io.k8s.api.core.v1.ContainerStatus").contains("required"));
  EXPECT_FALSE(Definition("io.k8s.api.apps.v1.StatefulSetStatus").contains("required"));
}

// The protobuf form, read back into JSON: the same definitions, with extensions as YAML.
Json FromGnostic(const ::openapi::v2::Schema& s) {
  Json j = Json::object();
  if (!s._ref().empty()) j["$ref"] = s._ref();
  if (!s.format().empty()) j["format"] = s.format();
  if (!s.description().empty()) j["description"] = s.description();
  for (const auto& r : s.required()) j["required"].push_back(r);
  for (const auto& t : s.type().value()) j["type"] = t;
  if (s.has_items()) j["items"] = FromGnostic(s.items().schema(0));
  if (s.has_additional_properties()) {
    j["additionalProperties"] = FromGnostic(s.additional_properties().schema());
  }
  if (s.has_properties()) {
    j["properties"] = Json::object();
    for (const auto& p : s.properties().additional_properties()) {
      j["properties"][p.name()] = FromGnostic(p.value());
    }
  }
  for (const auto& ext : s.vendor_extension()) {
    auto value = api::YamlToJson(ext.value().yaml());
    EXPECT_TRUE(value.ok()) << ext.value().yaml();
    j[ext.name()] = *value;
  }
  return j;
}

TEST_F(OpenApiTest, TheProtobufFormIsTheSameDocument) {
  std::string bytes = ToGnostic(doc_).SerializeAsString();
  ::openapi::v2::Document parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.swagger(), "2.0");
  ASSERT_EQ(static_cast<size_t>(parsed.definitions().additional_properties_size()),
            doc_["definitions"].size());
  for (const auto& named : parsed.definitions().additional_properties()) {
    // Compared as sets of keys: the JSON keeps its own key order.
    EXPECT_EQ(nlohmann::json::parse(FromGnostic(named.value()).dump()),
              nlohmann::json::parse(Definition(named.name()).dump()))
        << named.name();
  }
  // Kubernetes' own YAML for the extension kubectl looks kinds up by.
  for (const auto& named : parsed.definitions().additional_properties()) {
    if (named.name() != "io.k8s.api.core.v1.PersistentVolume") continue;
    for (const auto& ext : named.value().vendor_extension()) {
      if (ext.name() != "x-kubernetes-group-version-kind") continue;
      EXPECT_EQ(ext.value().yaml(), "- group: \"\"\n  kind: PersistentVolume\n  version: v1\n");
    }
  }
}

}  // namespace
}  // namespace lpv::rest::openapi
