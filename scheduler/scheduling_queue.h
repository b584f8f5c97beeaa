// The scheduling queue of pending pods, as Kubernetes' PriorityQueue
// (pkg/scheduler/internal/queue/scheduling_queue.go):
//
//  - activeQ: pods ready to be tried, highest priority first, then oldest first
//    (PrioritySort);
//  - backoffQ: pods that failed, each waiting out its backoff: 1 s after the first
//    attempt, doubling per attempt up to 10 s (podInitialBackoffSeconds,
//    podMaxBackoffSeconds); a clock timer moves them to activeQ when it ends;
//  - unschedulable set: pods no node fits. Something that could help (a PV, PVC,
//    StorageClass or node added or changed, a pod deleted) moves them all back:
//    MoveAllToActiveOrBackoffQueue sends each to backoffQ if its backoff is not over yet,
//    else to activeQ. A pod left there for 5 min is moved anyway
//    (podMaxInUnschedulablePodsDuration).
//  - SchedulerPopFromBackoffQ (beta and on since Kubernetes 1.33): when activeQ is empty,
//    Pop takes the pod whose backoff ends first instead of leaving the scheduler idle.
//    Pods backing off after an error (a failed write) wait their backoff out, as upstream's
//    separate error backoff queue does: a retry would likely meet the same error.
//
// A move that happens while a pod is being scheduled is not lost: the queue remembers the
// scheduling cycle of the last move (moveRequestCycle), and a pod whose cycle started
// before it goes to backoffQ instead of the unschedulable set.
//
// lpv adds one state for the volume binder's flow: a pod whose volumes BindPodVolumes
// wrote waits for the PV controller to complete the binds. It is parked
// (AddWaitingForVolumes) and comes back by Activate (its claims or PVs changed), by the
// 5-minute flush, or not at all while nothing about it changes: the ordinary moves skip it,
// so two hundred such pods do not all rerun on every PV event.
//
// Nothing polls: every wait is a condition variable or a clock timer, so with a FakeClock
// a test sees exactly the timers it expects.
//
// Thread-safety: safe for concurrent use. Timer callbacks run on the clock's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/objects.pb.h"
#include "api/status.h"
#include "scheduler/node_cache.h"

namespace lpv::scheduler {

// A pod in the queue, with its history.
struct QueuedPodInfo {
  PodRef pod;
  std::string key;  // namespace/name
  // When the pod was last added or failed: the start of its backoff.
  TimePoint timestamp;
  // When it was first added.
  TimePoint initial_attempt_timestamp;
  // How many times it was popped (scheduling attempts so far).
  int attempts = 0;
  // Why and when it last entered the active queue ("new pod", "PersistentVolume add",
  // "backoff completed", ...), for `lpv explain`.
  std::string activated_by;
  TimePoint activated_at;
};

struct QueueOptions {
  Duration pod_initial_backoff = std::chrono::seconds(1);
  Duration pod_max_backoff = std::chrono::seconds(10);
  Duration pod_max_in_unschedulable = std::chrono::minutes(5);
  // The SchedulerPopFromBackoffQ feature gate.
  bool pop_from_backoff_q = true;
};

class SchedulingQueue {
 public:
  enum class Where { None, Active, Backoff, Unschedulable, WaitingForVolumes, InFlight };

  SchedulingQueue(Clock* clock, QueueOptions options = {});
  ~SchedulingQueue();
  SchedulingQueue(const SchedulingQueue&) = delete;
  SchedulingQueue& operator=(const SchedulingQueue&) = delete;

  // A new pending pod: to activeQ. While a pod of that name is being scheduled, the new
  // version waits until that attempt ends (then replaces it, or is queued afresh when it
  // is another pod of the same name).
  void Add(PodRef pod);
  // The pod changed. In activeQ or backoffQ: updated in place. Unschedulable: moved back
  // when its spec or metadata changed (not for status-only updates, such as the
  // scheduler's own PodScheduled condition), updated in place otherwise. Unknown: added.
  void Update(const PodRef& old_pod, PodRef pod);
  void Delete(const std::string& key);

  // The next pod to schedule; blocks until there is one or Close(). Starts a scheduling
  // cycle and counts an attempt. With activeQ empty, a pod backing off after being
  // unschedulable is taken early (SchedulerPopFromBackoffQ).
  std::optional<QueuedPodInfo> Pop();
  // As Pop, waiting at most `timeout` (nullopt on timeout).
  std::optional<QueuedPodInfo> PopFor(std::chrono::milliseconds timeout);
  // The cycle of the last Pop.
  int64_t SchedulingCycle() const;

  // A pod no node fitted, popped at `pod_scheduling_cycle`: to the unschedulable set, or to
  // backoffQ when a move happened since that cycle began. AlreadyExists when queued.
  Status AddUnschedulableIfNotPresent(QueuedPodInfo info, int64_t pod_scheduling_cycle);
  // A pod whose cycle failed with an error (a conflict, a failed bind): to backoffQ.
  Status AddBackoff(QueuedPodInfo info);
  // Back to activeQ now: its volume binding made progress (BindPodVolumes succeeded).
  Status AddActive(QueuedPodInfo info, const std::string& why);
  // Parked until Activate: waiting for the PV controller to complete its volume binds.
  Status AddWaitingForVolumes(QueuedPodInfo info, int64_t pod_scheduling_cycle);
  // Moves a parked or unschedulable pod to activeQ now; for a pod being scheduled, its
  // next requeue goes straight to activeQ.
  void Activate(const std::string& key, const std::string& why);
  // Something changed that could make unschedulable pods schedulable (MoveAllToActiveQueue
  // in the article's 1.10-1.12 scheduler, which had no backoffQ yet).
  void MoveAllToActiveOrBackoffQueue(const std::string& event);
  // The pod `uid` left the scheduler (bound or gone): forget it. A new pod of the same
  // name that arrived meanwhile is queued.
  void Done(const std::string& key, const std::string& uid = "");
  // Wakes every Pop with nullopt; later calls are no-ops.
  void Close();

  // Introspection for tests and `lpv explain`.
  Where Locate(const std::string& key) const;
  size_t NumActive() const;
  size_t NumBackoff() const;
  size_t NumUnschedulable() const;  // including parked pods
  // The backoff of a pod after `attempts` attempts.
  Duration BackoffDuration(int attempts) const;
  // When a pod in backoffQ becomes active.
  std::optional<TimePoint> BackoffExpiry(const std::string& key) const;

  static const char* WhereName(Where w);

 private:
  class State;
  std::shared_ptr<State> st_;  // shared with clock timers that may outlive the queue
};

}  // namespace lpv::scheduler
