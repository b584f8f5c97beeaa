// VolumeBindingChecker: the volume binding predicate (CheckVolumeBinding in 1.10-1.14; the
// VolumeBinding plugin's PreFilter and Filter today). As the article reads it,
// `func (c *VolumeBindingChecker) predicate` calls
//
//   unboundSatisfied, boundSatisfied, err := c.binder.Binder.FindPodVolumes(pod, node)
//
// and fails the node when either is false. PreFilter runs once per scheduling cycle: it
// gets the pod's claims (GetPodVolumes) and rejects a pod with an unbound claim of an
// Immediate class ("pod has unbound immediate PersistentVolumeClaims"): the PV controller
// binds those, and the pod waits for it. It also narrows the nodes to those the pod's
// bound local PVs allow (GetEligibleNodes, Kubernetes 1.25+), so a pod whose claims are bound
// to a PV on one node is filtered on that node alone, not on all of them; lpv narrows them
// further to the nodes of the PVs its unbound claims could take (pre-bound or free, when
// the class cannot provision: NarrowByPreBoundVolumes, FreeVolumeClasses). The pre-bound
// PVs' nodes are listed; the free ones are not (thousands of nodes may have a free disk):
// the scheduler skips a node without one (HasFreeVolumes) as it comes to it, or lists the
// hosts once few have one (SchedulerVolumeBinder::FewHostsWithFreeVolumes).
//
// Thread-safety: as SchedulerVolumeBinder.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "scheduler/predicates.h"
#include "scheduler/volume_binder.h"

namespace lpv::scheduler {

class VolumeBindingChecker {
 public:
  explicit VolumeBindingChecker(SchedulerVolumeBinder* binder) : binder_(binder) {}

  // What PreFilter learned about the pod.
  struct PreFilterResult {
    PredicateStatus status;  // a rejection applies to every node
    PodVolumeClaims claims;
    bool skip = false;  // the pod has no claims: predicate() passes every node
    // PreFilterResult.NodeNames: only these nodes are worth filtering (GetEligibleNodes);
    // nullopt = every node.
    std::optional<std::set<std::string>> node_names;
    // Classes of which a node needs a free PV pinned to it (FreeVolumeClasses); empty =
    // no such need.
    std::vector<std::string> free_volume_classes;
  };
  PreFilterResult PreFilter(const api::Pod& pod) const;

  // lpv: false when the node (by its kubernetes.io/hostname label, NodeInfo.hostname) can
  // be skipped without filtering it: it has no free PV of a class in
  // pre.free_volume_classes, so FindPodVolumes would fail it.
  bool NodeHasFreeVolumes(const PreFilterResult& pre, const std::string& hostname) const {
    return binder_->HasFreeVolumes(pre.free_volume_classes, hostname);
  }
  bool NodeHasFreeVolumes(const PreFilterResult& pre, HostSlots::Slot host) const {
    return binder_->HasFreeVolumes(pre.free_volume_classes, host);
  }

  // The predicate for one node; *answer (optional) receives FindPodVolumes' full answer.
  PredicateStatus predicate(const api::Pod& pod, const PreFilterResult& pre, const NodeInfo& node,
                            FindPodVolumesResult* answer) const;

  static constexpr char kPluginName[] = "VolumeBinding";

 private:
  SchedulerVolumeBinder* binder_;
};

}  // namespace lpv::scheduler
