// What the OpenAPI document says about lpv's types beyond what api/objects.proto holds:
// Kubernetes' facts about the same types, kept here as small tables.
//
// - Each message's definition name in Kubernetes' OpenAPI (io.k8s.api.core.v1.PodSpec).
// - The required fields Kubernetes publishes, limited to those lpv itself always writes, so
//   that kubectl's client-side validation never rejects a manifest lpv printed (lpv omits
//   false and 0 where Kubernetes writes them: those are not listed).
// - The fields Kubernetes has that lpv does not model. They are published (typed at their
//   top level, their inside left open) so that kubectl accepts manifests from a real
//   cluster as lpv's server does (it ignores them), and rejects what no cluster knows.
// - Short descriptions, in lpv's own words, for the kinds and their main fields: what
//   `kubectl explain` prints.
//
// Keys are proto message names and JSON field names. Safe for concurrent use (constant).
#pragma once

#include <string>
#include <vector>

namespace lpv::rest::openapi {

// "io.k8s.api.core.v1.PersistentVolumeSpec" for "PersistentVolumeSpec".
std::string DefinitionName(const std::string& message);

const std::vector<std::string>& RequiredFields(const std::string& message);

struct UnmodelledField {
  const char* name;  // JSON name
  // "string", "integer", "boolean", "map" (of strings), "[]string", "object" (any value),
  // "[]object" (a list of any values), or a shared definition: "IntOrString", "Time",
  // "MicroTime".
  const char* type;
};
const std::vector<UnmodelledField>& UnmodelledFields(const std::string& message);

// The description of a message ("" for none).
std::string TypeDescription(const std::string& message);
// The description of a field of a message: its own, else the one every kind shares
// (apiVersion, kind, metadata, spec, status); "" for none.
std::string FieldDescription(const std::string& message, const std::string& field);

}  // namespace lpv::rest::openapi
