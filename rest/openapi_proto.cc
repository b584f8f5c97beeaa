#include "rest/openapi_proto.h"

namespace lpv::rest::openapi {
namespace {

namespace v2 = ::openapi::v2;
using api::Json;

void FillSchema(const Json& json, v2::Schema* schema) {
  for (const auto& [key, value] : json.items()) {
    if (key == "$ref") {
      schema->set__ref(value.get<std::string>());
    } else if (key == "format") {
      schema->set_format(value.get<std::string>());
    } else if (key == "description") {
      schema->set_description(value.get<std::string>());
    } else if (key == "required") {
      for (const auto& field : value) schema->add_required(field.get<std::string>());
    } else if (key == "type") {
      schema->mutable_type()->add_value(value.get<std::string>());
    } else if (key == "items") {
      FillSchema(value, schema->mutable_items()->add_schema());
    } else if (key == "additionalProperties") {
      FillSchema(value, schema->mutable_additional_properties()->mutable_schema());
    } else if (key == "properties") {
      // Present even when empty: kube-openapi tells an object with fields from a map by it.
      v2::Properties* properties = schema->mutable_properties();
      for (const auto& [name, sub] : value.items()) {
        v2::NamedSchema* named = properties->add_additional_properties();
        named->set_name(name);
        FillSchema(sub, named->mutable_value());
      }
    } else if (key.starts_with("x-")) {
      v2::NamedAny* extension = schema->add_vendor_extension();
      extension->set_name(key);
      extension->mutable_value()->set_yaml(api::JsonToYaml(value));
    }
  }
}

}  // namespace

v2::Document ToGnostic(const Json& document) {
  v2::Document doc;
  doc.set_swagger(document.value("swagger", ""));
  doc.mutable_info()->set_title(document["info"].value("title", ""));
  doc.mutable_info()->set_version(document["info"].value("version", ""));
  doc.mutable_paths();  // empty, as in the JSON form
  v2::Definitions* definitions = doc.mutable_definitions();
  for (const auto& [name, schema] : document["definitions"].items()) {
    v2::NamedSchema* named = definitions->add_additional_properties();
    named->set_name(name);
    FillSchema(schema, named->mutable_value());
  }
  return doc;
}

}  // namespace lpv::rest::openapi
