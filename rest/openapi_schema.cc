#include "rest/openapi_schema.h"

#include <map>

#include "api/scheme.h"
#include "rest/openapi_facts.h"
#include "rest/patch.h"

namespace lpv::rest::openapi {
namespace {

namespace pb = google::protobuf;
using api::Json;
using FD = pb::FieldDescriptor;

const char kQuantity[] = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const char kIntOrString[] = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const char kTime[] = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
const char kMicroTime[] = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";

Json Ref(const std::string& definition) { return Json{{"$ref", "#/definitions/" + definition}}; }

// lpv stores timestamps as strings; Kubernetes types them as meta/v1 Time (seconds) or
// MicroTime (events' eventTime, leases' acquire and renew times).
const char* TimeDefinition(const std::string& json_name) {
  if (json_name == "eventTime" || json_name == "acquireTime" || json_name == "renewTime") {
    return kMicroTime;
  }
  if (json_name.ends_with("Timestamp") || json_name.ends_with("Time") || json_name == "startedAt" ||
      json_name == "timeAdded") {
    return kTime;
  }
  return nullptr;
}

class Generator {
 public:
  Json Document() {
    for (const auto& kind : api::AllKinds()) {
      const pb::Descriptor* desc = kind.prototype->GetDescriptor();
      Define(desc);
      definitions_[openapi::DefinitionName(desc->name())]["x-kubernetes-group-version-kind"] =
          Json::array(
              {Json{{"group", kind.group}, {"kind", kind.kind}, {"version", kind.version}}});
    }
    definitions_[kQuantity] = {
        {"description",
         "A quantity of a resource: a number with an optional suffix (100Gi, 500m, 1e3). "
         "Manifests may also write it as a number."},
        {"type", "string"}};
    definitions_[kIntOrString] = {
        {"description", "An integer or a string (a port number or name, a count or a percentage)."},
        {"type", "string"},
        {"format", "int-or-string"}};
    definitions_[kTime] = {{"description", "A time in RFC 3339 form, to the second, in UTC."},
                           {"type", "string"},
                           {"format", "date-time"}};
    definitions_[kMicroTime] = {
        {"description", "A time in RFC 3339 form, to the microsecond, in UTC."},
        {"type", "string"},
        {"format", "date-time"}};
    Json doc;
    doc["swagger"] = "2.0";
    doc["info"] = {{"title", "lpv"}, {"version", "v1.29.0"}};
    doc["paths"] = Json::object();
    doc["definitions"] = Json::object();
    for (auto& [name, schema] : definitions_) doc["definitions"][name] = std::move(schema);
    return doc;
  }

 private:
  void Define(const pb::Descriptor* desc) {
    std::string name = openapi::DefinitionName(desc->name());
    if (definitions_.count(name)) return;
    definitions_[name] = Json::object();     // placeholder: messages refer to each other
    std::map<std::string, Json> properties;  // sorted, as Kubernetes publishes them
    for (int i = 0; i < desc->field_count(); ++i) {
      const FD* field = desc->field(i);
      Json schema = FieldSchema(field);
      AddListStrategy(field->json_name(), field->is_repeated() && !field->is_map(), &schema);
      AddDescription(openapi::FieldDescription(desc->name(), field->json_name()), &schema);
      properties[field->json_name()] = std::move(schema);
    }
    for (const auto& extra : openapi::UnmodelledFields(desc->name())) {
      Json schema = UnmodelledSchema(extra.type);
      AddListStrategy(extra.name, schema.value("type", "") == "array", &schema);
      schema["description"] = UnmodelledDescription(extra.type);
      properties[extra.name] = std::move(schema);
    }
    Json def = Json::object();
    AddDescription(openapi::TypeDescription(desc->name()), &def);
    def["type"] = "object";
    def["properties"] = Json::object();
    for (auto& [field, schema] : properties) def["properties"][field] = std::move(schema);
    const auto& required = openapi::RequiredFields(desc->name());
    if (!required.empty()) def["required"] = required;
    definitions_[name] = std::move(def);
  }

  Json FieldSchema(const FD* field) {
    if (field->is_map()) {
      Json values = api::IsQuantityField(field) ? Ref(kQuantity) : Json{{"type", "string"}};
      return {{"type", "object"}, {"additionalProperties", std::move(values)}};
    }
    Json element = ElementSchema(field);
    if (!field->is_repeated()) return element;
    return {{"type", "array"}, {"items", std::move(element)}};
  }

  Json ElementSchema(const FD* field) {
    switch (field->cpp_type()) {
      case FD::CPPTYPE_MESSAGE:
        Define(field->message_type());
        return Ref(openapi::DefinitionName(field->message_type()->name()));
      case FD::CPPTYPE_INT32:
        return {{"type", "integer"}, {"format", "int32"}};
      case FD::CPPTYPE_INT64:
        return {{"type", "integer"}, {"format", "int64"}};
      case FD::CPPTYPE_BOOL:
        return {{"type", "boolean"}};
      default:
        if (api::IsQuantityField(field)) return Ref(kQuantity);
        if (const char* time = TimeDefinition(field->json_name())) return Ref(time);
        return {{"type", "string"}};
    }
  }

  // A field lpv does not model: typed at its top level; an object (or list item) is an
  // empty schema, which kubectl takes as any value, so neither its validation nor apply's
  // patch computation looks inside.
  static Json UnmodelledSchema(const std::string& type) {
    if (type == "map") return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
    if (type == "[]string") return {{"type", "array"}, {"items", {{"type", "string"}}}};
    if (type == "[]object") return {{"type", "array"}, {"items", Json::object()}};
    if (type == "object") return Json::object();
    if (type == "IntOrString") return Ref(kIntOrString);
    if (type == "Time") return Ref(kTime);
    if (type == "MicroTime") return Ref(kMicroTime);
    return {{"type", type}};  // string, integer, boolean
  }

  // explain shows an open schema as "<>" (a list of them "<[]>"): the text says what it is.
  static std::string UnmodelledDescription(const std::string& type) {
    std::string what = type == "object"     ? "An object lpv does not model"
                       : type == "[]object" ? "A list of objects lpv does not model"
                                            : "Not modelled by lpv";
    return what + ": kubectl accepts it, and lpv's server ignores it.";
  }

  static void AddListStrategy(const std::string& json_name, bool is_list, Json* schema) {
    if (!is_list) return;
    auto strategy = ListPatchStrategyOf(json_name);
    if (!strategy) return;
    if (!strategy->merge_key.empty()) {
      (*schema)["x-kubernetes-patch-merge-key"] = strategy->merge_key;
    }
    (*schema)["x-kubernetes-patch-strategy"] = strategy->strategy;
  }

  static void AddDescription(const std::string& text, Json* schema) {
    if (!text.empty()) (*schema)["description"] = text;
  }

  std::map<std::string, Json> definitions_;
};

}  // namespace

Json BuildDocument() { return Generator().Document(); }

}  // namespace lpv::rest::openapi
