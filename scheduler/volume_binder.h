// SchedulerVolumeBinder: how the scheduler binds the claims of a pod whose class waits for
// the first consumer (WaitForFirstConsumer), named as in the article and Kubernetes
// 1.10-1.14 (pkg/controller/volume/persistentvolume/scheduler_binder.go):
//
//   type SchedulerVolumeBinder interface {
//       FindPodVolumes(pod *v1.Pod, node *v1.Node)
//       AssumePodVolumes(assumedPod *v1.Pod, nodeName string)
//       BindPodVolumes(assumedPod *v1.Pod) error
//       GetBindingsCache() PodBindingCache
//   }
//
// 1. FindPodVolumes(pod, node), for every node the predicates try (VolumeBindingChecker):
//    - a bound claim passes only where its PV's node affinity matches the node
//      (boundSatisfied);
//    - the unbound claims of a delayed class each need a distinct PV on the node:
//      findMatchingVolume(claim, volumes, node, chosen, true), smallest claims first
//      (unboundSatisfied); a claim with no PV passes only if its class can provision
//      (a real provisioner, not kubernetes.io/no-provisioner, whose allowedTopologies
//      admit the node);
//    - the PV it would pick for each claim is remembered per pod and node in the bindings
//      cache.
//    Only candidate PVs are looked at: the assume cache indexes PVs by class and by the
//    kubernetes.io/hostname values of their node affinity, so a node sees its own PVs, the
//    PVs usable anywhere and those already pre-bound to the claim, never all PVs.
// 2. AssumePodVolumes(pod, node) on the chosen node: allBound when every claim is already
//    fully bound; otherwise each chosen PV is assumed bound to its claim in the assume cache
//    (claimRef, pv.kubernetes.io/bound-by-controller), and each claim to provision gets
//    volume.kubernetes.io/selected-node; bindingRequired when anything new was assumed.
// 3. BindPodVolumes(pod), on the bind worker: the API updates of those assumed PVs (and
//    claims); the PV controller completes each bind (PV Bound, claim volumeName and
//    pv.kubernetes.io/bind-completed). A failed update rolls back what was not written.
//
// Differences from Kubernetes are marked "lpv:" where they happen.
//
// Thread-safety: safe for concurrent use (FindPodVolumes from several threads, the other
// calls serialized per pod by the scheduler).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"
#include "client/client.h"
#include "pvcontroller/pv_helpers.h"
#include "scheduler/assume_cache.h"
#include "scheduler/node_cache.h"

namespace lpv::scheduler {

using pvcontroller::ClaimPtr;
using pvcontroller::ClassLister;
using pvcontroller::VolumePtr;

// The reasons FindPodVolumes gives for a node (volumebinding ConflictReason).
inline constexpr char kErrReasonBindConflict[] =
    "node(s) didn't find available persistent volumes to bind";
inline constexpr char kErrReasonNodeConflict[] = "node(s) had volume node affinity conflict";
inline constexpr char kErrReasonPVNotExist[] =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
// The PreFilter rejection of a pod with unbound Immediate claims.
inline constexpr char kErrReasonUnboundImmediate[] =
    "pod has unbound immediate PersistentVolumeClaims";

// A claim and the PV proposed for it.
struct BindingInfo {
  ClaimPtr pvc;
  VolumePtr pv;
};

// A pod's claims, sorted as GetPodVolumes sorts them.
// The bindings FindPodVolumes proposed for a pod on one node (PodBindingCache's entry).
struct NodeBindings {
  std::vector<BindingInfo> bindings;
  std::vector<ClaimPtr> provisions;
};
// Entries by node name, in the order they were recorded.
using NodeBindingsList = std::vector<std::pair<std::string, NodeBindings>>;

struct PodVolumeClaims {
  // Claims with spec.volumeName: their PV's node affinity decides (lpv: as 1.10-1.14, a
  // claim pre-bound by volumeName counts here rather than with the Immediate ones).
  std::vector<ClaimPtr> bound;
  // Claims without a volume whose class is WaitForFirstConsumer: the scheduler binds them.
  std::vector<ClaimPtr> unbound_delay_binding;
  // unbound_delay_binding without a selected-node annotation, the smallest request first
  // (FindMatchingVolumes' order): sorted once per cycle, not once per node.
  std::vector<ClaimPtr> to_match;
  // Whether any of unbound_delay_binding has the selected-node annotation.
  bool any_selected_node = false;
  // Claims without a volume whose class binds immediately: the PV controller should have
  // bound them already, so the pod waits.
  std::vector<ClaimPtr> unbound_immediate;
  // Delayed claims with a PV already pre-bound to them (claimRef) that fits them: that PV
  // alone decides on every node (FindMatchingVolume returns it, or nothing where its node
  // affinity fails), so FindPodVolumes need not look at the node's other PVs. By claim key.
  std::unordered_map<std::string, std::vector<VolumePtr>> prebound;
  // The pod's "namespace/name", the bindings cache's key (computed once per cycle, not per
  // node; empty: FindPodVolumes computes it).
  std::string pod_key;
  // Set by a scheduling cycle for its filter phase: FindPodVolumes moves each fitting
  // node's bindings here instead of copying them to the cache (its answer's
  // static_bindings and dynamic_provisions are then empty), and the cycle hands the chosen
  // node's over (TakeCycleBindings): hundreds of nodes take no lock, and the
  // cache keeps one entry per pod. (Upstream keeps them in the cycle state,
  // podVolumesByNode.) Null: to the cache.
  // The PVs recorded there are lent by the PV cache (FindMatchingFreePV's `borrow`): the
  // cycle holds a PVAssumeCache::FreePVPin from its filter until TakeCycleBindings.
  NodeBindingsList* record_to = nullptr;
  bool empty() const {
    return bound.empty() && unbound_delay_binding.empty() && unbound_immediate.empty();
  }
};

// FindPodVolumes' answer for one node.
struct FindPodVolumesResult {
  bool unbound_satisfied = true;
  bool bound_satisfied = true;
  bool bound_pvs_found = true;
  // The ConflictReasons, in Kubernetes' order (node conflict, bind conflict, PV missing).
  std::vector<std::string> reasons;
  // The PV each unbound claim would get on this node.
  std::vector<BindingInfo> static_bindings;
  // Unbound claims with no PV here that the class will provision (selected-node).
  std::vector<ClaimPtr> dynamic_provisions;
  // Unbound claims with no PV here that cannot be provisioned either.
  std::vector<ClaimPtr> unmatched;
  // A bound claim whose PV does not fit (or does not exist), when bound_satisfied or
  // bound_pvs_found is false.
  ClaimPtr conflicting_claim;
};

// AssumePodVolumes' answer.
struct AssumeResult {
  bool all_bound = false;
  bool binding_required = false;
};

// Per pod and node, the bindings FindPodVolumes proposed; after AssumePodVolumes, per pod
// and chosen node, the assumed bindings BindPodVolumes will write.
class PodBindingCache {
 public:
  using Entry = NodeBindings;
  // A pod's entries are a list, not a map: a scheduling cycle leaves one (the chosen
  // node's), a direct FindPodVolumes one per node that fits. A node recorded again
  // (AssumePodVolumes after FindPodVolumes) is appended again, and lookups search from the
  // end: the latest entry wins.
  using NodeEntries = NodeBindingsList;

  void UpdateBindings(const std::string& pod_key, const std::string& node, Entry entry);
  // From a scheduling cycle's entries (recorded node by node without the lock, see
  // PodVolumeClaims::record_to), the chosen node's latest, moved into the cache. Nothing
  // when the node has none (a pod without claims). `prepare`, when given, runs on that
  // entry first; its error leaves the cache as it was.
  Status TakeBindings(const std::string& pod_key, const std::string& node, NodeEntries* entries,
                      const std::function<Status(Entry&)>& prepare = nullptr);
  // false when nothing is recorded for the pod on that node.
  bool GetBindings(const std::string& pod_key, const std::string& node, Entry* entry) const;
  void DeleteBindings(const std::string& pod_key);
  size_t NumPods() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, NodeEntries> entries_;
};

class SchedulerVolumeBinder {
 public:
  // `client` is used by BindPodVolumes only; `classes` looks StorageClasses up.
  // `host_slots` numbers hostnames for the PV cache (the scheduler shares it with its node
  // cache); without one, the cache numbers them itself.
  SchedulerVolumeBinder(client::Client* client, ClassLister classes,
                        HostSlots* host_slots = nullptr);
  SchedulerVolumeBinder(const SchedulerVolumeBinder&) = delete;
  SchedulerVolumeBinder& operator=(const SchedulerVolumeBinder&) = delete;

  // The assume caches; attach them to the PV and PVC informers (or feed them in tests).
  PVAssumeCache& pv_cache() { return pv_cache_; }
  PVCAssumeCache& pvc_cache() { return pvc_cache_; }
  const PVAssumeCache& pv_cache() const { return pv_cache_; }
  const PVCAssumeCache& pvc_cache() const { return pvc_cache_; }

  // The pod's claims by kind. Errors: `persistentvolumeclaim "x" not found`,
  // `persistentvolumeclaim "x" is being deleted`, a class without a binding mode.
  Result<PodVolumeClaims> GetPodVolumes(const api::Pod& pod) const;

  // FindPodVolumes for one node, with the claims GetPodVolumes returned (computed once per
  // scheduling cycle). Records the proposed bindings in the bindings cache. Errors: an
  // invalid claim selector, a claim to provision whose class is missing.
  Result<FindPodVolumesResult> FindPodVolumes(const api::Pod& pod, const PodVolumeClaims& claims,
                                              const api::Node& node);
  // The same for a node of the scheduler's cache: the node's name and the number of its
  // kubernetes.io/hostname label are NodeInfo's copies, so the filter does not read the
  // Node object (at 5,000 nodes, out of the processor's cache when the rotation returns).
  Result<FindPodVolumesResult> FindPodVolumes(const api::Pod& pod, const PodVolumeClaims& claims,
                                              const NodeInfo& node);
  // GetEligibleNodes (Kubernetes 1.25+): the nodes the pod's bound claims allow, from their
  // local PVs' kubernetes.io/hostname "In" node affinity (intersected across claims); nullopt
  // when the claims do not narrow the nodes (no such PV, or a PV not in the cache). An empty
  // set means no node can hold all of them.
  std::optional<std::set<std::string>> GetEligibleNodes(
      const std::vector<ClaimPtr>& bound_claims) const;
  // lpv's extension of GetEligibleNodes to unbound delayed claims with a PV pre-bound to them
  // (PodVolumeClaims.prebound: BindPodVolumes wrote the claimRef, the PV controller has not
  // bound the claim yet, or a user pre-bound the PV). FindMatchingVolume returns that PV or
  // nothing, so only its nodes can hold the claim, unless the class can provision a PV
  // elsewhere: such claims are left out. Narrows `eligible` (GetEligibleNodes' answer,
  // nullopt for every node) and returns it.
  std::optional<std::set<std::string>> NarrowByPreBoundVolumes(
      const PodVolumeClaims& claims, std::optional<std::set<std::string>> eligible) const;
  // lpv's extension for the other unbound delayed claims: when the class cannot provision,
  // FindMatchingVolume can only pick a free PV of the class (no claimRef), so only a node a
  // free PV of the class is pinned to (by kubernetes.io/hostname) can hold the claim.
  // Returns those classes, once each; a class with a free PV not pinned that simply (it may
  // suit any node) is left out. The nodes are not listed: HasFreeVolumes answers for one
  // node with one index lookup per class, so a cycle that finds enough nodes early never
  // pays for the cluster's.
  std::vector<std::string> FreeVolumeClasses(const PodVolumeClaims& claims) const;
  // Whether the node whose kubernetes.io/hostname label is `hostname` ("" = none) has a
  // free PV of each class (FreeVolumeClasses' answer).
  bool HasFreeVolumes(const std::vector<std::string>& classes, const std::string& hostname) const;
  // The same, with the hostname by its number (HostSlots::kNone = none).
  bool HasFreeVolumes(const std::vector<std::string>& classes, HostSlots::Slot host) const;
  // When few hosts have free PVs (fewer than `max` (class, hostname) pairs), the hostnames
  // with a free PV of each class, in order; nullopt otherwise. Late in a big rollout most
  // nodes are full, and listing the few left is cheaper than skipping the others one by
  // one.
  std::optional<std::vector<std::string>> FewHostsWithFreeVolumes(
      const std::vector<std::string>& classes, size_t max) const;
  // GetLocalPersistentVolumeNodeNames: the union over the PV's node selector terms of the
  // intersection of each term's kubernetes.io/hostname "In" values.
  static std::set<std::string> GetLocalPersistentVolumeNodeNames(const api::PersistentVolume& pv);

  // The article's form: GetPodVolumes then FindPodVolumes. Unbound Immediate claims are an
  // error here ("pod has unbound immediate PersistentVolumeClaims"); the scheduler checks
  // them once per cycle instead (VolumeBindingChecker::PreFilter).
  Result<FindPodVolumesResult> FindPodVolumes(const api::Pod& pod, const api::Node& node);

  // Assumes the bindings FindPodVolumes proposed for `node` and sets
  // assumed_pod->spec.nodeName. Errors: nothing proposed for that node, an assume cache out
  // of sync (the PV changed since FindPodVolumes): everything assumed so far is restored.
  Result<AssumeResult> AssumePodVolumes(api::Pod* assumed_pod, const std::string& node);

  // Writes the assumed bindings of the pod on assumed_pod.spec.nodeName: each PV (claimRef
  // and annotations, conditional on the resourceVersion assumed, so a PV changed meanwhile
  // is a Conflict and is never bound twice), then each claim to provision. On failure the
  // assumptions not yet written are restored and the error is returned.
  Status BindPodVolumes(const api::Pod& assumed_pod);

  // Restores every assumption recorded for the pod on `node` (a pod deleted while waiting,
  // a bind that timed out) and forgets its bindings.
  void RevertAssumedPodVolumes(const std::string& pod_key, const std::string& node);

  PodBindingCache& GetBindingsCache() { return bindings_; }
  // The end of a cycle's filter: the chosen node's bindings from the cycle's list
  // (PodVolumeClaims::record_to), their lent PVs now referenced, into the cache
  // (PodBindingCache::TakeBindings). Call while the cycle's FreePVPin is held. Internal
  // when a lent PV can no longer be found (a pointer lent without a pin).
  Status TakeCycleBindings(const std::string& pod_key, const std::string& node,
                           NodeBindingsList* recorded);
  void DeletePodBindings(const std::string& pod_key) { bindings_.DeleteBindings(pod_key); }

  // True when every claim of the pod is fully bound (volumeName and bind-completed).
  bool ArePodVolumesBound(const api::Pod& pod) const;

  // For `lpv explain`: why no PV of the claim's class on `node` matches, one phrase per
  // candidate ("local-pv-1a2b: taken by default/data-0", "no PV of class \"x\" on node-2").
  std::vector<std::string> ExplainNoMatch(const api::PersistentVolumeClaim& claim,
                                          const api::Node& node) const;

  // The claim keys ("namespace/name") of the pod's volumes.
  static std::vector<std::string> PodClaimKeys(const api::Pod& pod);

 private:
  // (boundSatisfied, boundPVsFound) for the bound claims.
  void CheckBoundClaims(const std::vector<ClaimPtr>& claims, const api::Node& node,
                        FindPodVolumesResult* result) const;
  Result<FindPodVolumesResult> FindPodVolumesOn(const api::Pod& pod,
                                                const PodVolumeClaims& claims,
                                                const api::Node& node,
                                                const std::string& node_name,
                                                HostSlots::Slot host);
  // findMatchingVolumes: a distinct PV per claim, in the order given (the smallest request
  // first); claims without one go to *unmatched.
  Status FindMatchingVolumes(const std::vector<ClaimPtr>& claims,
                             const PodVolumeClaims& pod_claims,
                             const api::Node& node, HostSlots::Slot host,
                             std::vector<BindingInfo>* bindings,
                             std::vector<ClaimPtr>* unmatched) const;
  // checkVolumeProvisions.
  Result<bool> CheckVolumeProvisions(const std::vector<ClaimPtr>& claims, const api::Node& node,
                                     std::vector<ClaimPtr>* provisions) const;
  // Every PV of the claim's class on a node (see the class comment) and those pre-bound to
  // the claim, by name: what explain walks. (FindMatchingVolumes needs fewer: a PV bound to
  // another claim never matches.)
  std::vector<VolumePtr> CandidateVolumes(const api::PersistentVolumeClaim& claim,
                                          const std::string& hostname) const;
  // The PVs of the claim's class whose claimRef names it, by name.
  std::vector<VolumePtr> PreBoundVolumes(const api::PersistentVolumeClaim& claim) const;
  void RevertAssumedPVs(const std::vector<BindingInfo>& bindings);
  void RevertAssumedPVCs(const std::vector<ClaimPtr>& claims);

  client::Client* client_;
  ClassLister classes_;
  PVAssumeCache pv_cache_;
  PVCAssumeCache pvc_cache_;
  PodBindingCache bindings_;
};

}  // namespace lpv::scheduler
