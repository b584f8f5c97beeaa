// Kubernetes JSON and YAML for lpv's protobuf objects.
//
// Decoding walks the message descriptor, so manifests from a real cluster load unchanged:
// unknown fields become warnings (as kubectl's `Warning: unknown field "spec.foo"`), a
// value of the wrong type is an error naming the field, and YAML goes through JSON.
// Encoding omits empty fields as Kubernetes' omitempty does; JSON keeps the schema's field
// order (apiVersion, kind, metadata, spec, status), YAML sorts keys as kubectl does.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "api/status.h"

namespace lpv::api {

using Json = nlohmann::ordered_json;

// Fills `msg` from `json`. Unknown fields are appended to `warnings` as
// `unknown field "spec.foo"`. Errors are BadRequest naming the field.
Status FromJson(const Json& json, google::protobuf::Message* msg,
                std::vector<std::string>* warnings);
Json ToJson(const google::protobuf::Message& msg);

// Whether a string field (or a map's values) holds a resource.Quantity ("100Gi"), which
// Kubernetes also accepts as a JSON number (`storage: 5`): capacity, requests, limits,
// allocatable and an emptyDir's sizeLimit. The OpenAPI document types these as Quantity.
bool IsQuantityField(const google::protobuf::FieldDescriptor* field);

std::string ToJsonString(const google::protobuf::Message& msg, bool pretty = true);
std::string ToYamlString(const google::protobuf::Message& msg);
// A kubectl-style `List` of items.
std::string ListToJsonString(const std::vector<const google::protobuf::Message*>& items,
                             const std::string& resource_version);
std::string ListToYamlString(const std::vector<const google::protobuf::Message*>& items,
                             const std::string& resource_version);
std::string JsonToYaml(const Json& json);

struct DecodedObject {
  std::unique_ptr<google::protobuf::Message> object;
  int document = 0;  // 0-based index of the document in the file
};

// Decodes a file of one or many YAML documents (`---`) or JSON values; a `List` (kind
// List / *List) is flattened into its items; empty documents are skipped. apiVersion and
// kind must name a kind of the scheme. `source` names the file in messages. `validate` is
// kubectl's --validate: on, a document without apiVersion or kind fails "error validating"
// with kubectl's hint; off, it fails as the decoder does ("unable to decode").
Result<std::vector<DecodedObject>> DecodeManifests(std::string_view text,
                                                   const std::string& source,
                                                   std::vector<std::string>* warnings,
                                                   bool validate = true);
// Converts YAML text (one document) into JSON, keeping quoted scalars strings.
Result<Json> YamlToJson(std::string_view text);
// One object from JSON or YAML text whose kind is known in advance.
Status DecodeObject(std::string_view text, google::protobuf::Message* msg,
                    std::vector<std::string>* warnings);

}  // namespace lpv::api
