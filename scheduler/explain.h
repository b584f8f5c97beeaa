// `lpv explain pod NAME`: the last scheduling attempts of a pod, told for a learner.
//
// Each attempt records what the scheduler saw and did, under the article's names: the
// pod's claims (GetPodVolumes), every node's verdict (the first predicate that failed and
// its Kubernetes reason; for the volume binding check, FindPodVolumes' unboundSatisfied and
// boundSatisfied and the PV it would pick for each claim, or why none fits), the scores, the
// chosen node, what AssumePodVolumes and BindPodVolumes did, and how the pod was requeued.
//
// Bounded: the last `attempts_per_pod` attempts of at most `max_pods` pods, and at most
// `max_nodes` node verdicts per attempt (the rest are counted by reason).
//
// Thread-safety: safe for concurrent use (the scheduling thread and the binding workers
// record attempts, the bind workers append to them).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/clock.h"

namespace lpv::scheduler {

struct NodeVerdict {
  std::string node;
  bool fits = false;
  std::string predicate;  // the failing predicate, article name ("CheckVolumeBinding")
  std::string plugin;     // and plugin name ("VolumeBinding")
  std::vector<std::string> reasons;
  // The volume binding check, when it ran on this node.
  bool volumes_checked = false;
  bool unbound_satisfied = true;
  bool bound_satisfied = true;
  std::vector<std::pair<std::string, std::string>> picks;  // claim -> PV it would bind
  std::vector<std::string> provisions;                     // claims it would provision
  std::vector<std::string> volume_notes;                   // why no PV fits
  std::optional<int64_t> score;
};

struct SchedulingAttempt {
  int64_t cycle = 0;
  int attempt = 0;  // 1 for the pod's first attempt
  TimePoint started;
  std::string queued_by;  // why the pod was in the active queue
  TimePoint queued_at;
  std::vector<std::string> claims;  // one line per claim
  std::string prefilter;            // a rejection before any node was tried
  std::vector<NodeVerdict> nodes;
  int nodes_total = 0;
  std::map<std::string, int> omitted;  // verdicts not kept: reason -> node count
  std::string chosen_node;
  std::string chosen_why;
  std::vector<std::string> steps;  // AssumePodVolumes, bind queue, BindPodVolumes, Bind
  std::string outcome;             // the result in one line
  std::string requeue;             // where the pod went next
};

class ExplainLog {
 public:
  explicit ExplainLog(size_t attempts_per_pod = 5, size_t max_pods = 5000,
                      size_t max_nodes = 100);

  size_t max_nodes() const { return max_nodes_; }
  // A finished cycle's record (replaces a record of the same cycle).
  void Record(const std::string& pod_key, SchedulingAttempt attempt);
  // Later news about the attempt of `cycle` (a bind or binding worker, a requeue).
  void AddStep(const std::string& pod_key, int64_t cycle, const std::string& step);
  void SetRequeue(const std::string& pod_key, int64_t cycle, const std::string& requeue);
  void SetOutcome(const std::string& pod_key, int64_t cycle, const std::string& outcome);

  bool Has(const std::string& pod_key) const;
  // The teaching text; `now_state` is a line about where the pod is now.
  std::string Render(const std::string& pod_key, const std::string& now_state) const;
  std::vector<SchedulingAttempt> Attempts(const std::string& pod_key) const;

 private:
  SchedulingAttempt* FindLocked(const std::string& pod_key, int64_t cycle);

  const size_t attempts_per_pod_;
  const size_t max_pods_;
  const size_t max_nodes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::deque<SchedulingAttempt>> pods_;
  std::deque<std::string> order_;  // pods by first record, for eviction
};

}  // namespace lpv::scheduler
