// The predicates: one small function per check a node must pass, each failing with the
// reason string Kubernetes prints (pkg/scheduler/framework/plugins/*). In the article's era
// these were "predicates" (CheckNodeUnschedulable, PodFitsHost, PodToleratesNodeTaints,
// MatchNodeSelector, PodFitsResources, CheckVolumeBinding); today each is the Filter of a
// plugin (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodeResourcesFit,
// VolumeBinding). Both names are given below; the scheduler runs them in the plugin order
// of Kubernetes' default profile and stops at the first failure, as RunFilterPlugins does.
//
// The volume binding check lives in volume_binding_checker.h.
//
// Pure functions; safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "scheduler/node_cache.h"

namespace lpv::scheduler {

// A predicate's verdict, as framework.Status: Unschedulable means preemption might help
// (resources); UnschedulableAndUnresolvable means it cannot (everything else here).
struct PredicateStatus {
  enum class Code { Success, Unschedulable, UnschedulableAndUnresolvable, Error };
  Code code = Code::Success;
  std::string plugin;                // "NodeResourcesFit"
  std::vector<std::string> reasons;  // "Insufficient cpu", ...

  bool ok() const { return code == Code::Success; }
  bool rejected() const {
    return code == Code::Unschedulable || code == Code::UnschedulableAndUnresolvable;
  }
  static PredicateStatus Success() { return {}; }
  static PredicateStatus Fail(Code code, std::string plugin, std::vector<std::string> reasons) {
    return PredicateStatus{code, std::move(plugin), std::move(reasons)};
  }
  // "Insufficient cpu, Insufficient memory"
  std::string Message() const;
};

// Reason strings, as Kubernetes 1.26 spells them.
inline constexpr char kErrReasonUnschedulable[] = "node(s) were unschedulable";
inline constexpr char kErrReasonNodeName[] = "node(s) didn't match the requested node name";
inline constexpr char kErrReasonNodeAffinity[] = "node(s) didn't match Pod's node affinity/selector";
// "node(s) had untolerated taint {key: value}"
std::string UntoleratedTaintReason(const api::Taint& taint);
inline constexpr char kErrReasonTooManyPods[] = "Too many pods";
inline constexpr char kErrReasonInsufficientCPU[] = "Insufficient cpu";
inline constexpr char kErrReasonInsufficientMemory[] = "Insufficient memory";

// CheckNodeUnschedulable / NodeUnschedulable: spec.unschedulable, unless the pod tolerates
// the node.kubernetes.io/unschedulable:NoSchedule taint.
PredicateStatus CheckNodeUnschedulable(const api::Pod& pod, const NodeInfo& node);

// PodFitsHost / NodeName: a pod naming a node (spec.nodeName) fits only there. (Pods with
// spec.nodeName never reach the scheduler in lpv, as in Kubernetes; kept for completeness.)
PredicateStatus PodFitsHost(const api::Pod& pod, const NodeInfo& node);

// PodToleratesNodeTaints / TaintToleration: every NoSchedule and NoExecute taint must be
// tolerated; the first one that is not is named in the reason.
//
// lpv: a node whose Ready condition is False or Unknown but does not carry the taint the
// node lifecycle controller puts on such nodes (node.kubernetes.io/not-ready or
// unreachable) is treated as if it did. Upstream relies on the taint alone; lpv's node
// lifecycle controller adds it within one sync, and this closes that window so a pod never
// lands on a node that just went down.
PredicateStatus PodToleratesNodeTaints(const api::Pod& pod, const NodeInfo& node);

// MatchNodeSelector / NodeAffinity: spec.nodeSelector (every label) and the required node
// affinity (any term).
PredicateStatus PodMatchNodeSelector(const api::Pod& pod, const NodeInfo& node);

// PodFitsResources / NodeResourcesFit: the pod count, then CPU and memory requests, against
// allocatable minus what the node's pods (bound and assumed) request. Every shortage is a
// reason ("Insufficient cpu", "Insufficient memory"); preemption might help
// (Unschedulable).
PredicateStatus PodFitsResources(const api::Pod& pod, const PodResources& request,
                                 const NodeInfo& node);

// Toleration matching (v1helper.TolerationsTolerateTaint).
bool TolerationToleratesTaint(const api::Toleration& toleration, const api::Taint& taint);
bool TolerationsTolerateTaint(const google::protobuf::RepeatedPtrField<api::Toleration>& tols,
                              const api::Taint& taint);

}  // namespace lpv::scheduler
