#include "scheduler/predicates.h"

#include "api/selectors.h"

namespace lpv::scheduler {

namespace {

using Code = PredicateStatus::Code;

constexpr char kTaintNodeUnschedulable[] = "node.kubernetes.io/unschedulable";

}  // namespace

std::string PredicateStatus::Message() const {
  std::string out;
  for (const auto& r : reasons) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  return out;
}

std::string UntoleratedTaintReason(const api::Taint& taint) {
  return "node(s) had untolerated taint {" + taint.key() + ": " + taint.value() + "}";
}

bool TolerationToleratesTaint(const api::Toleration& t, const api::Taint& taint) {
  if (!t.effect().empty() && t.effect() != taint.effect()) return false;
  if (!t.key().empty() && t.key() != taint.key()) return false;
  // An empty operator means Equal.
  if (t.operator_().empty() || t.operator_() == "Equal") return t.value() == taint.value();
  return t.operator_() == "Exists";
}

bool TolerationsTolerateTaint(const google::protobuf::RepeatedPtrField<api::Toleration>& tols,
                              const api::Taint& taint) {
  for (const auto& t : tols) {
    if (TolerationToleratesTaint(t, taint)) return true;
  }
  return false;
}

PredicateStatus CheckNodeUnschedulable(const api::Pod& pod, const NodeInfo& node) {
  if (!node.unschedulable) return PredicateStatus::Success();
  api::Taint unschedulable;
  unschedulable.set_key(kTaintNodeUnschedulable);
  unschedulable.set_effect("NoSchedule");
  // A pod that tolerates the unschedulable taint tolerates spec.unschedulable too.
  if (!TolerationsTolerateTaint(pod.spec().tolerations(), unschedulable)) {
    return PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, "NodeUnschedulable",
                                 {kErrReasonUnschedulable});
  }
  return PredicateStatus::Success();
}

PredicateStatus PodFitsHost(const api::Pod& pod, const NodeInfo& node) {
  if (pod.spec().node_name().empty() || pod.spec().node_name() == node.name()) {
    return PredicateStatus::Success();
  }
  return PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, "NodeName",
                               {kErrReasonNodeName});
}

PredicateStatus PodToleratesNodeTaints(const api::Pod& pod, const NodeInfo& node) {
  if (!node.has_taints && node.implied_ready_taint == nullptr) return PredicateStatus::Success();
  bool has_ready_taint = false;
  for (const auto& taint : node.node->spec().taints()) {
    if (taint.key() == kTaintNodeNotReady || taint.key() == kTaintNodeUnreachable) {
      has_ready_taint = true;
    }
    // Only NoSchedule and NoExecute taints keep pods away.
    if (taint.effect() != "NoSchedule" && taint.effect() != "NoExecute") continue;
    if (!TolerationsTolerateTaint(pod.spec().tolerations(), taint)) {
      return PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, "TaintToleration",
                                   {UntoleratedTaintReason(taint)});
    }
  }
  const char* implied_key = has_ready_taint ? nullptr : node.implied_ready_taint;
  if (implied_key == nullptr) return PredicateStatus::Success();
  api::Taint implied;
  implied.set_key(implied_key);
  implied.set_effect("NoSchedule");
  if (!TolerationsTolerateTaint(pod.spec().tolerations(), implied)) {
    return PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, "TaintToleration",
                                 {UntoleratedTaintReason(implied)});
  }
  return PredicateStatus::Success();
}

PredicateStatus PodMatchNodeSelector(const api::Pod& pod, const NodeInfo& node) {
  const auto& spec = pod.spec();
  const bool required_affinity =
      spec.has_affinity() && spec.affinity().has_node_affinity() &&
      spec.affinity().node_affinity().has_required_during_scheduling_ignored_during_execution();
  // Most pods ask for nothing here: then the node's labels are not read.
  if (spec.node_selector().empty() && !required_affinity) return PredicateStatus::Success();
  const auto& labels = node.node->metadata().labels();
  for (const auto& [key, value] : spec.node_selector()) {
    auto it = labels.find(key);
    if (it == labels.end() || it->second != value) {
      return PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, "NodeAffinity",
                                   {kErrReasonNodeAffinity});
    }
  }
  if (required_affinity) {
    const auto& required =
        spec.affinity().node_affinity().required_during_scheduling_ignored_during_execution();
    if (!api::NodeSelectorMatches(required, labels, node.name())) {
      return PredicateStatus::Fail(Code::UnschedulableAndUnresolvable, "NodeAffinity",
                                   {kErrReasonNodeAffinity});
    }
  }
  return PredicateStatus::Success();
}

PredicateStatus PodFitsResources(const api::Pod&, const PodResources& request,
                                 const NodeInfo& node) {
  std::vector<std::string> reasons;
  if (static_cast<int64_t>(node.pods.size()) + 1 > node.allowed_pod_number) {
    reasons.push_back(kErrReasonTooManyPods);
  }
  if (request.milli_cpu > 0 &&
      request.milli_cpu > node.allocatable_milli_cpu - node.requested.milli_cpu) {
    reasons.push_back(kErrReasonInsufficientCPU);
  }
  if (request.memory > 0 && request.memory > node.allocatable_memory - node.requested.memory) {
    reasons.push_back(kErrReasonInsufficientMemory);
  }
  if (reasons.empty()) return PredicateStatus::Success();
  return PredicateStatus::Fail(Code::Unschedulable, "NodeResourcesFit", std::move(reasons));
}

}  // namespace lpv::scheduler
