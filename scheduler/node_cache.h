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
// The scheduling cycle reads an immutable view, a NodeSnapshot. NodeInfos are copy-on-write,
// so a snapshot holds one pointer per node and never blocks the informers; UpdateSnapshot
// (as Kubernetes' Cache.UpdateSnapshot) replaces only the nodes that changed since the last
// call, so a cycle on a 5,000-node cluster does not pay for 5,000 nodes when one changed.
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
#include <unordered_set>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"
#include "scheduler/host_slots.h"

namespace lpv::scheduler {

using PodRef = std::shared_ptr<const api::Pod>;
using NodeRef = std::shared_ptr<const api::Node>;

inline constexpr char kHostnameLabel[] = "kubernetes.io/hostname";
// The taints the node lifecycle controller keeps on a node whose Ready condition is False
// or Unknown.
inline constexpr char kTaintNodeNotReady[] = "node.kubernetes.io/not-ready";
inline constexpr char kTaintNodeUnreachable[] = "node.kubernetes.io/unreachable";

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
  HostSlots::Slot host_slot = HostSlots::kNone;  // hostname's number (kNone when absent)
  // The NoSchedule taint the node's Ready condition implies (kTaintNodeNotReady when False,
  // kTaintNodeUnreachable when Unknown), nullptr when Ready or without the condition. Read
  // once per node update, not once per pod the scheduler filters the node for.
  const char* implied_ready_taint = nullptr;
  // spec.unschedulable, and whether spec.taints has any: read once per node update, so a
  // node the filter passes over is not read for them (at 5,000 nodes, every Node the
  // rotation comes back to is out of the processor's cache).
  bool unschedulable = false;
  bool has_taints = false;
  // The Node's name, copied for the same reason ("" while the node has no Node object).
  std::string node_name;
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

// The key of the taint the node lifecycle controller puts on a node whose Ready condition
// is not True (nodelifecycle's NoSchedule taint map), or nullptr.
const char* ImpliedReadyTaintKey(const api::Node& node);

// The nodes as one scheduling cycle sees them: every node that has a Node object, by name.
struct NodeSnapshot {
  std::vector<NodeInfoRef> nodes;
  // nodes[i]->host_slot, side by side: the filter loop asks whether each node it comes to
  // has a free PV, and at 5,000 nodes most NodeInfos it would read are out of the
  // processor's cache.
  std::vector<HostSlots::Slot> host_slots;
  std::unordered_map<std::string, size_t> index;  // name -> position in nodes
  // nullptr when the snapshot has no such node.
  NodeInfoRef Get(const std::string& name) const;
};

class NodeCache {
 public:
  // Hostnames are numbered in `host_slots` (the volume binder's, so that both number them
  // alike); without one, the cache numbers them itself.
  explicit NodeCache(HostSlots* host_slots = nullptr);
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

  // Brings `snap` up to date: the nodes changed since the last call on it are replaced, or
  // the whole list is rebuilt when nodes came or went. One snapshot per cache (the
  // scheduling thread's).
  void UpdateSnapshot(NodeSnapshot* snap);
  // A fresh list of every node that has a Node object, by name (tests, O(nodes)).
  std::vector<NodeInfoRef> Snapshot() const;
  NodeInfoRef GetNodeInfo(const std::string& name) const;
  size_t NumNodes() const;

 private:
  // The node's info for writing: a fresh copy when a snapshot may hold the current one.
  NodeInfo& MutableLocked(const std::string& name);
  void AddPodLocked(const std::string& node, const std::string& key, PodRef pod, bool assumed);
  void RemovePodLocked(const std::string& key);

  std::unique_ptr<HostSlots> own_host_slots_;
  HostSlots* host_slots_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<NodeInfo>> nodes_;  // includes nodes without a Node
  std::unordered_map<std::string, std::string> pod_node_;   // pod key -> node
  // What changed since the last UpdateSnapshot: the nodes whose info was replaced, and
  // whether a Node came or went (then the list is rebuilt).
  std::unordered_set<std::string> changed_since_snapshot_;
  bool nodes_added_or_removed_ = true;
};

}  // namespace lpv::scheduler
