// The three patch types of the Kubernetes API, applied to an object's JSON:
//
// - application/merge-patch+json: RFC 7386 (null deletes, objects merge, the rest replaces);
// - application/json-patch+json: RFC 6902 operations;
// - application/strategic-merge-patch+json: like a merge patch, but lists whose items have
//   a merge key (containers and volumes by name, volumeMounts by mountPath, conditions by
//   type, ...) merge item by item, and the directives kubectl's three-way patch (`kubectl
//   apply`) sends are honoured: $patch (replace, delete, merge), $retainKeys,
//   $setElementOrder/<list>, $deleteFromPrimitiveList/<list>.
//
// Kubernetes reads the merge keys from the Go structs' patchMergeKey tags; lpv keys them by
// field name, which is unambiguous for the kinds it serves.
#pragma once

#include <optional>
#include <string>

#include "api/codec.h"
#include "api/status.h"

namespace lpv::rest {

inline constexpr const char* kMergePatch = "application/merge-patch+json";
inline constexpr const char* kJsonPatch = "application/json-patch+json";
inline constexpr const char* kStrategicMergePatch = "application/strategic-merge-patch+json";

// Applies `patch` (text of `content_type`) to `original`. Unsupported media types are
// UnsupportedMediaType (415) in Kubernetes; lpv answers BadRequest with its message.
Result<api::Json> ApplyPatch(const api::Json& original, const std::string& content_type,
                             const std::string& patch);

// Kubernetes' patch strategy for a list field, by its JSON name, as the Go structs'
// patchStrategy/patchMergeKey tags give it. The OpenAPI document (openapi_schema.h) publishes
// it, and kubectl's `apply` computes its patches from there.
struct ListPatchStrategy {
  std::string strategy;   // "merge", or "merge,retainKeys" (pod volumes)
  std::string merge_key;  // "" for a set of scalars (finalizers)
};
// nullopt for a list replaced whole (no strategy: an atomic list).
std::optional<ListPatchStrategy> ListPatchStrategyOf(const std::string& field);

// The strategic merge of `patch` into `original` (exposed for tests).
Result<api::Json> StrategicMerge(const api::Json& original, const api::Json& patch);

}  // namespace lpv::rest
