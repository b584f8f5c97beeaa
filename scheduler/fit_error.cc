#include "scheduler/fit_error.h"

#include <algorithm>

namespace lpv::scheduler {

namespace {
// SeparatorFormat of v1.25-v1.29 types.go: " %v."
std::string Separated(const std::string& msg) { return " " + msg + "."; }
}  // namespace

std::string FitError::Error() const {
  std::string msg = "0/" + std::to_string(num_all_nodes) + " nodes are available:";
  if (!diagnosis.prefilter_msg.empty()) {
    // The PreFilter's status was copied to every node; counting it per node would repeat it.
    msg += Separated(diagnosis.prefilter_msg);
  } else {
    std::map<std::string, int> reasons;
    for (const auto& [node, status] : diagnosis.node_to_status) {
      for (const auto& r : status.reasons) ++reasons[r];
    }
    std::vector<std::string> histogram;
    for (const auto& [reason, count] : reasons) {
      histogram.push_back(std::to_string(count) + " " + reason);
    }
    // sort.Strings over "<count> <reason>": the count decides first, as a string.
    std::sort(histogram.begin(), histogram.end());
    if (!histogram.empty()) {
      std::string joined;
      for (const auto& h : histogram) {
        if (!joined.empty()) joined += ", ";
        joined += h;
      }
      msg += Separated(joined);
    }
  }
  if (!diagnosis.postfilter_msg.empty()) msg += Separated(diagnosis.postfilter_msg);
  return msg;
}

std::string PreemptionMessage(const Diagnosis& diagnosis, const std::vector<NodeInfoRef>& nodes) {
  FitError inner;
  inner.num_all_nodes = 0;
  for (const auto& node : nodes) {
    auto it = diagnosis.node_to_status.find(node->name());
    // A node that passed every filter would have been chosen; it cannot be here.
    if (it == diagnosis.node_to_status.end()) continue;
    ++inner.num_all_nodes;
    PredicateStatus verdict;
    verdict.code = PredicateStatus::Code::UnschedulableAndUnresolvable;
    if (it->second.code == PredicateStatus::Code::UnschedulableAndUnresolvable) {
      // nodesWherePreemptionMightHelp: no eviction fixes a taint, an affinity or a volume.
      verdict.reasons = {kPreemptionNotHelpful};
    } else {
      // SelectVictimsOnNode without a lower-priority pod to remove.
      verdict.reasons = {kNoPreemptionVictims};
    }
    inner.diagnosis.node_to_status.emplace(node->name(), std::move(verdict));
  }
  return "preemption: " + inner.Error();
}

}  // namespace lpv::scheduler
