#include "scheduler/explain.h"

#include <algorithm>
#include <sstream>

namespace lpv::scheduler {

ExplainLog::ExplainLog(size_t attempts_per_pod, size_t max_pods, size_t max_nodes)
    : attempts_per_pod_(std::max<size_t>(1, attempts_per_pod)),
      max_pods_(std::max<size_t>(1, max_pods)),
      max_nodes_(max_nodes) {}

void ExplainLog::Record(const std::string& pod_key, SchedulingAttempt attempt) {
  attempt.nodes.shrink_to_fit();  // kept for a while: no spare capacity with it
  std::lock_guard<std::mutex> l(mu_);
  auto it = pods_.find(pod_key);
  if (it == pods_.end()) {
    order_.push_back(pod_key);
    while (order_.size() > max_pods_) {
      pods_.erase(order_.front());
      order_.pop_front();
    }
    it = pods_.emplace(pod_key, std::deque<SchedulingAttempt>()).first;
  }
  auto& attempts = it->second;
  for (auto& a : attempts) {
    if (a.cycle == attempt.cycle) {
      a = std::move(attempt);
      return;
    }
  }
  attempts.push_back(std::move(attempt));
  while (attempts.size() > attempts_per_pod_) attempts.pop_front();
}

SchedulingAttempt* ExplainLog::FindLocked(const std::string& pod_key, int64_t cycle) {
  auto it = pods_.find(pod_key);
  if (it == pods_.end()) return nullptr;
  for (auto& a : it->second) {
    if (a.cycle == cycle) return &a;
  }
  return nullptr;
}

void ExplainLog::AddStep(const std::string& pod_key, int64_t cycle, const std::string& step) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto* a = FindLocked(pod_key, cycle)) a->steps.push_back(step);
}

void ExplainLog::SetRequeue(const std::string& pod_key, int64_t cycle,
                            const std::string& requeue) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto* a = FindLocked(pod_key, cycle)) a->requeue = requeue;
}

void ExplainLog::SetOutcome(const std::string& pod_key, int64_t cycle,
                            const std::string& outcome) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto* a = FindLocked(pod_key, cycle)) a->outcome = outcome;
}

bool ExplainLog::Has(const std::string& pod_key) const {
  std::lock_guard<std::mutex> l(mu_);
  return pods_.count(pod_key) > 0;
}

std::vector<SchedulingAttempt> ExplainLog::Attempts(const std::string& pod_key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = pods_.find(pod_key);
  if (it == pods_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

namespace {

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

const char* Bool(bool b) { return b ? "true" : "false"; }

void RenderNode(std::ostringstream& out, const NodeVerdict& v, size_t width) {
  std::string name = v.node;
  name.resize(std::max(width, name.size()), ' ');
  const std::string pad(width + 4, ' ');
  out << "    " << name << (v.fits ? "  fits" : "  FAILS");
  if (!v.fits) {
    out << "  " << v.predicate;
    if (!v.plugin.empty() && v.plugin != v.predicate) out << " (" << v.plugin << ")";
    out << ": " << Join(v.reasons, ", ");
  }
  if (v.score) out << "  score " << *v.score;
  out << "\n";
  if (v.volumes_checked) {
    out << pad << "    FindPodVolumes -> unboundSatisfied=" << Bool(v.unbound_satisfied)
        << ", boundSatisfied=" << Bool(v.bound_satisfied) << "\n";
    for (const auto& [claim, pv] : v.picks) {
      out << pad << "    would bind claim " << claim << " to PV " << pv << "\n";
    }
    for (const auto& claim : v.provisions) {
      out << pad << "    would provision claim " << claim << " (volume.kubernetes.io/selected-node="
          << v.node << ")\n";
    }
    for (const auto& note : v.volume_notes) out << pad << "    " << note << "\n";
  }
}

}  // namespace

std::string ExplainLog::Render(const std::string& pod_key, const std::string& now_state) const {
  std::lock_guard<std::mutex> l(mu_);
  std::ostringstream out;
  auto it = pods_.find(pod_key);
  out << "Pod " << pod_key << "\n";
  if (!now_state.empty()) out << "Now: " << now_state << "\n";
  if (it == pods_.end() || it->second.empty()) {
    out << "\nThe scheduler has not tried to schedule this pod (it has no record of it).\n";
    return out.str();
  }
  const auto& attempts = it->second;
  out << "Scheduling attempts: the last " << attempts.size()
      << (attempts.size() == 1 ? " is" : " are") << " shown, oldest first.\n";
  out << "Predicates run node by node in Kubernetes' order (NodeUnschedulable, NodeName,\n"
         "TaintToleration, NodeAffinity, NodeResourcesFit, VolumeBinding); a node fails at\n"
         "the first one it does not pass.\n";
  for (const auto& a : attempts) {
    out << "\nAttempt " << a.attempt << " (scheduling cycle " << a.cycle << ") at "
        << FormatRFC3339(a.started) << "\n";
    if (!a.queued_by.empty()) {
      out << "  Queued: " << a.queued_by << " (" << FormatRFC3339(a.queued_at) << ")\n";
    }
    if (!a.claims.empty()) {
      out << "  Claims (GetPodVolumes):\n";
      for (const auto& c : a.claims) out << "    " << c << "\n";
    }
    if (!a.prefilter.empty()) {
      out << "  Before trying any node: " << a.prefilter << "\n";
    } else if (a.nodes_total > 0) {
      out << "  Nodes (" << a.nodes_total << "):\n";
      size_t width = 0;
      for (const auto& v : a.nodes) width = std::max(width, v.node.size());
      for (const auto& v : a.nodes) RenderNode(out, v, width);
      if (!a.omitted.empty()) {
        int n = 0;
        for (const auto& [r, c] : a.omitted) n += c;
        out << "    ... and " << n << " more node(s) not listed:";
        for (const auto& [r, c] : a.omitted) out << " " << c << " " << r << ";";
        out << "\n";
      }
    }
    if (!a.chosen_node.empty()) {
      out << "  Chosen node: " << a.chosen_node;
      if (!a.chosen_why.empty()) out << " (" << a.chosen_why << ")";
      out << "\n";
    }
    for (const auto& s : a.steps) out << "  " << s << "\n";
    if (!a.outcome.empty()) out << "  Result: " << a.outcome << "\n";
    if (!a.requeue.empty()) out << "  Requeued: " << a.requeue << "\n";
  }
  return out.str();
}

}  // namespace lpv::scheduler
