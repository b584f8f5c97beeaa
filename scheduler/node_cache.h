// The scheduler's node cache, as Kubernetes' pkg/scheduler/internal/cache: every node with
// the pods on it and what they request, where "on it" includes pods the scheduler has
// *assumed* there (chosen, not yet bound, or waiting for their volumes), so two pods are
// never placed as if the other were not there.
//
// Pods reach the cache two ways: the pod informer (pods with spec.nodeName) and AssumePod
// (the scheduler's choice). When the informer later shows an assumed pod bound, the
// assumption is confirmed and the informer's pod replaces it; ForgetPod drops an
// assumption whose binding failed.
//
// Snapshot() gives the scheduling cycle an immutable view: NodeInfos are copy-on-write, so a
// snapshot costs one pointer per node and never blocks the informers.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"

namespace lpv::scheduler {

using PodRef = std::shared_ptr<const api::Pod>;
using NodeRef = std::shared_ptr<const api::Node>;

inline constexpr char kHostnameLabel[] = "kubernetes.io/hostname";

// What a pod asks of a node: the sum of its containers' requests, at least the largest init
// container's (as resourcehelper.PodRequests). The non-zero variants count 100m CPU and
// 200Mi memory for a container that requests nothing, as Kubernetes' scoring does
// (schedutil.DefaultMilliCPURequest, DefaultMemoryRequest), so empty pods still spread.
struct PodResources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t nonzero_milli_cpu = 0;
  int64_t nonzero_memory = 0;
};
PodResources ComputePodResources(const api::Pod& pod);

// One node and the pods on it. Immutable once published in a snapshot.
struct NodeInfo {
  NodeRef node;
  std::string hostname;  // the node's kubernetes.io/hostname label ("" when absent)
  // status.allocatable (capacity when allocatable is empty).
  int64_t allocatable_milli_cpu = 0;
  int64_t allocatable_memory = 0;
  int64_t allowed_pod_number = 0;
  // Pods on the node (bound or assumed), by "namespace/name".
  std::map<std::string, PodRef> pods;
  std::set<std::string> assumed;  // the keys of `pods` that are assumptions
  PodResources requested;         // sum over `pods`

  const std::string& name() const;
};
using NodeInfoRef = std::shared_ptr<const NodeInfo>;

class NodeCache {
 public:
  NodeCache() = default;
  NodeCache(const NodeCache&) = delete;
  NodeCache& operator=(const NodeCache&) = delete;

  // Node informer.
  void AddOrUpdateNode(NodeRef node);
  void RemoveNode(const std::string& name);

  // Pod informer: pods with spec.nodeName (others are ignored, or dropped when they lose
  // it). Adding a pod the scheduler assumed confirms the assumption.
  void AddOrUpdatePod(PodRef pod);
  void RemovePod(const api::Pod& pod);

  // The scheduler placed `pod` (its spec.nodeName says where) ahead of the API.
  // AlreadyExists when the pod is already on a node in the cache.
  Status AssumePod(PodRef pod);
  // Drops an assumption (no-op when the pod is not assumed).
  void ForgetPod(const std::string& pod_key);
  bool IsAssumed(const std::string& pod_key) const;
  // The node a pod is on (bound or assumed), "" when none.
  std::string NodeOf(const std::string& pod_key) const;

  // Every node that has a Node object, by name.
  std::vector<NodeInfoRef> Snapshot() const;
  NodeInfoRef GetNodeInfo(const std::string& name) const;
  size_t NumNodes() const;

 private:
  // The node's info for writing: a fresh copy when a snapshot may hold the current one.
  NodeInfo& MutableLocked(const std::string& name);
  void AddPodLocked(const std::string& node, const std::string& key, PodRef pod, bool assumed);
  void RemovePodLocked(const std::string& key);

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<NodeInfo>> nodes_;  // includes nodes without a Node
  std::unordered_map<std::string, std::string> pod_node_;   // pod key -> node
  mutable std::vector<NodeInfoRef> snapshot_;
  mutable bool snapshot_valid_ = false;
};

}  // namespace lpv::scheduler
