// Pod condition helpers (k8s.io/kubernetes/pkg/api/v1/pod: GetPodCondition, IsPodReady),
// shared by the controllers, the printers, the demo and the tests.
#pragma once

#include <string_view>

#include "api/objects.pb.h"

namespace lpv::api {

inline const PodCondition* GetPodCondition(const Pod& pod, std::string_view type) {
  for (const auto& c : pod.status().conditions()) {
    if (c.type() == type) return &c;
  }
  return nullptr;
}

// The Ready condition is True.
inline bool IsPodReady(const Pod& pod) {
  const PodCondition* c = GetPodCondition(pod, "Ready");
  return c != nullptr && c->status() == "True";
}

// Phase Running and Ready: what the StatefulSet controller waits for between ordinals.
inline bool IsPodRunningAndReady(const Pod& pod) {
  return pod.status().phase() == "Running" && IsPodReady(pod);
}

}  // namespace lpv::api
