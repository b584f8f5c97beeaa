// Finalizer bookkeeping shared by the protection controllers
// (pkg/controller/volume/protectionutil).
#pragma once

#include <algorithm>
#include <string>

#include "api/objects.pb.h"

namespace lpv::pvcontroller {

inline bool HasFinalizer(const api::ObjectMeta& meta, const std::string& finalizer) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) !=
         meta.finalizers().end();
}

// Being deleted and still held by `finalizer`: the controller decides whether to let go.
inline bool IsDeletionCandidate(const api::ObjectMeta& meta, const std::string& finalizer) {
  return !meta.deletion_timestamp().empty() && HasFinalizer(meta, finalizer);
}

// Alive and without `finalizer`: created before the admission plugin added it.
inline bool NeedToAddFinalizer(const api::ObjectMeta& meta, const std::string& finalizer) {
  return meta.deletion_timestamp().empty() && !HasFinalizer(meta, finalizer);
}

inline void RemoveFinalizer(api::ObjectMeta* meta, const std::string& finalizer) {
  auto* f = meta->mutable_finalizers();
  f->erase(std::remove(f->begin(), f->end(), finalizer), f->end());
}

}  // namespace lpv::pvcontroller
