// Per-kind rules of the registries, as Kubernetes' REST strategies: what create resets,
// what an update may change, validation and defaults, and the fields a field selector
// may name.
#pragma once

#include <optional>
#include <string>

#include <google/protobuf/message.h>

#include "api/scheme.h"
#include "api/status.h"

namespace lpv::apiserver {

using Message = google::protobuf::Message;

// Defaults, then status reset where Kubernetes resets it on create.
void PrepareForCreate(const api::KindInfo& kind, Message* obj);
// Spec update: status comes from the stored object. Status update: spec does.
void PrepareForUpdate(const api::KindInfo& kind, Message* updated, const Message& old,
                      bool status_subresource);
FieldErrors ValidateCreate(const api::KindInfo& kind, const Message& obj);
FieldErrors ValidateUpdate(const api::KindInfo& kind, const Message& updated,
                           const Message& old);
// The status subresource's validation (the status strategies' ValidateUpdate): metadata
// and status only, since the spec is the stored one.
FieldErrors ValidateStatusUpdate(const api::KindInfo& kind, const Message& updated,
                                 const Message& old);
// The value of a field selector's field for this object; nullopt = unsupported field.
std::optional<std::string> SelectableField(const api::KindInfo& kind, const Message& obj,
                                           const std::string& field);
// Whether a change of spec bumps metadata.generation.
bool SpecChanged(const Message& updated, const Message& old);
// Whether the kind's strategy keeps metadata.generation (1 on create, +1 per spec change).
// Of the kinds lpv serves only StatefulSet does, as apps/v1's strategies do; PVs, claims,
// classes, nodes, leases and events leave it unset, and pods only track it from 1.33
// (PodObservedGenerationTracking), after the version lpv reports.
bool TracksGeneration(const api::KindInfo& kind);

}  // namespace lpv::apiserver
