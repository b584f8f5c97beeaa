// Priorities: how the scheduler ranks the nodes that passed every predicate.
//
// LeastRequestedPriority (the article's era; NodeResourcesFit's LeastAllocated scoring
// strategy today): for CPU and memory, (allocatable - requested) * 100 / allocatable, where
// requested counts the node's pods and this one with non-zero defaults, averaged with equal
// weights. Emptier nodes score higher, so pods spread across nodes.
//
// Ties: Kubernetes picks one of the best nodes at random. lpv breaks ties by a hash of the
// seed, the pod and the node, so a run is reproducible for a given seed and different pods
// still spread over equally good nodes.
//
// Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scheduler/node_cache.h"

namespace lpv::scheduler {

inline constexpr int64_t kMaxNodeScore = 100;

// 0..100.
int64_t LeastRequestedPriority(const PodResources& pod, const NodeInfo& node);

struct NodeScore {
  std::string node;
  int64_t score = 0;
};

// The tie-break rank of a node for a pod (lower wins among equal scores).
uint64_t TieBreakHash(uint64_t seed, const std::string& pod_uid, const std::string& node);

// The node with the highest score; among equals the lowest TieBreakHash. "" when empty.
std::string SelectHost(const std::vector<NodeScore>& scores, uint64_t seed,
                       const std::string& pod_uid);

}  // namespace lpv::scheduler
