#include "scheduler/volume_binding_checker.h"

namespace lpv::scheduler {

using Code = PredicateStatus::Code;

VolumeBindingChecker::PreFilterResult VolumeBindingChecker::PreFilter(const api::Pod& pod) const {
  PreFilterResult out;
  if (SchedulerVolumeBinder::PodClaimKeys(pod).empty()) {
    out.skip = true;
    return out;
  }
  auto claims = binder_->GetPodVolumes(pod);
  if (!claims.ok()) {
    // A missing or terminating claim: nothing on any node can fix it.
    Code code = claims.status().IsNotFound() || claims.status().reason() == Reason::BadRequest
                    ? Code::UnschedulableAndUnresolvable
                    : Code::Error;
    out.status = PredicateStatus::Fail(code, kPluginName, {claims.status().message()});
    return out;
  }
  if (!claims->unbound_immediate.empty()) {
    // The PV controller binds these; the pod comes back when a claim changes.
    out.status = PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, kPluginName,
                                       {kErrReasonUnboundImmediate});
    return out;
  }
  // An empty set (bound PVs on different nodes) is not a rejection here: the scheduler
  // then filters every node, so the pod's event names each node's reason (see scheduler.cc).
  out.node_names =
      binder_->NarrowByPreBoundVolumes(*claims, binder_->GetEligibleNodes(claims->bound));
  out.free_volume_classes = binder_->FreeVolumeClasses(*claims);
  out.claims = std::move(*claims);
  return out;
}

PredicateStatus VolumeBindingChecker::predicate(const api::Pod& pod, const PreFilterResult& pre,
                                                const NodeInfo& node,
                                                FindPodVolumesResult* answer) const {
  if (pre.skip) return PredicateStatus::Success();
  auto found = binder_->FindPodVolumes(pod, pre.claims, node);
  if (!found.ok()) {
    return PredicateStatus::Fail(Code::Error, kPluginName, {found.status().message()});
  }
  PredicateStatus status =
      found->reasons.empty()
          ? PredicateStatus::Success()
          : PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, kPluginName, found->reasons);
  if (answer) {
    *answer = std::move(*found);
    // A fitting node's picks went to the cycle's list (PodVolumeClaims::record_to).
    if (status.ok() && pre.claims.record_to && !pre.claims.record_to->empty() &&
        pre.claims.record_to->back().first == node.name()) {
      const NodeBindings& picked = pre.claims.record_to->back().second;
      answer->static_bindings = picked.bindings;
      answer->dynamic_provisions = picked.provisions;
    }
  }
  return status;
}

}  // namespace lpv::scheduler
