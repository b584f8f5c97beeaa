// The scheduler: chooses a node for every pending pod and binds it there, binding the pod's
// WaitForFirstConsumer claims on the way — kube-scheduler as the article describes it
// (Kubernetes 1.10-1.14), with the messages of kube-scheduler v1.26.
//
// scheduleOne, one pod at a time:
//   pop (scheduling_queue.h)
//   -> predicates node by node (predicates.h, VolumeBindingChecker: FindPodVolumes)
//   -> priorities (priorities.h) -> the chosen node
//   -> assume the pod on that node (node_cache.h)
//   -> assumeAndBindVolumes: AssumePodVolumes(pod, node) -> allBound, bindingRequired
//        bindingRequired: the pod goes on volumeBinderBindQueue; bindVolumesWorker runs
//          BindPodVolumes(pod) (the PV claimRef writes) and puts the pod back in the
//          scheduling queue; the PV controller completes the binds;
//        neither: the binds are written and the PV controller has yet to complete them:
//          the pod waits, and comes back when one of its claims or PVs changes;
//        allBound: go on
//   -> the binding cycle, on a binding worker while the next pod is scheduled (upstream
//      runs each in its own goroutine): bind the pod (a Binding: spec.nodeName,
//      PodScheduled True) and record
//      `Normal Scheduled "Successfully assigned default/local-test-0 to node-1"`.
// When no node fits: PodScheduled False, reason Unschedulable, and `Warning
// FailedScheduling` with the message FitError composes (fit_error.h); the pod waits in the
// unschedulable set until a PV, PVC, StorageClass or node changes or an assigned pod goes.
// Any error (a conflict, a PV taken meanwhile, a bind timeout) rolls the assumptions back
// and retries the pod with backoff.
//
// Data flows one way: the scheduler reads its informer caches and writes through the
// client only (Binding, PV/PVC updates, pod status, events).
//
// Threads: five informer threads (pods, nodes, PVs, PVCs, StorageClasses) update the caches
// and the queue; one scheduling thread runs scheduleOne; Options.binding_workers threads
// run binding cycles; Options.bind_volumes_workers bindVolumesWorker threads drain
// volumeBinderBindQueue (a pod at most on one at a time); an event
// recorder thread writes events. The scheduling thread and the workers hand pods over
// through the queues only; a pod stays in flight in the scheduling queue until its binding
// cycle ends, so it is never scheduled twice at once.
//
// Thread-safety: Start and Stop from one thread; Explain and stats() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/clock.h"
#include "api/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/informer_factory.h"
#include "client/workqueue.h"
#include "scheduler/explain.h"
#include "scheduler/fit_error.h"
#include "scheduler/node_cache.h"
#include "scheduler/scheduling_queue.h"
#include "scheduler/volume_binder.h"
#include "scheduler/volume_binding_checker.h"

namespace lpv::scheduler {

inline constexpr char kDefaultSchedulerName[] = "default-scheduler";

// Where the time goes, summed since Start (nanoseconds) with the counts that go with it.
struct SchedulerStats {
  int64_t cycles = 0;              // scheduling cycles run
  int64_t scheduled = 0;           // pods bound to a node
  int64_t unschedulable = 0;       // cycles that found no node
  int64_t errors = 0;              // cycles that ended in an error (requeued with backoff)
  int64_t volume_binds = 0;        // BindPodVolumes calls
  int64_t volume_waits = 0;        // cycles that found the binds written, not yet complete
  int64_t filter_ns = 0;           // GetPodVolumes + predicates on every node tried
  int64_t score_ns = 0;            // priorities
  int64_t assume_ns = 0;           // AssumePodVolumes + assuming the pod
  int64_t bind_volumes_ns = 0;     // BindPodVolumes (API writes of PVs)
  int64_t bind_ns = 0;             // the Binding API call (summed over binding workers)
  int64_t failure_ns = 0;          // PodScheduled condition writes + events
  int64_t nodes_evaluated = 0;     // predicate runs (node x cycle)
};

class Scheduler {
 public:
  struct Options {
    // Backoff, the bind timeout and event timestamps. Default: the real clock.
    Clock* clock = nullptr;
    // Breaks ties between equally good nodes, reproducibly for a given seed.
    uint64_t seed = 1;
    // The scheduling queue's backoff (podInitialBackoffSeconds, podMaxBackoffSeconds) and
    // how long an unschedulable pod waits at most before it is tried again.
    Duration pod_initial_backoff = std::chrono::seconds(1);
    Duration pod_max_backoff = std::chrono::seconds(10);
    Duration pod_max_in_unschedulable = std::chrono::minutes(5);
    // How long a pod waits for the PV controller to complete the binds BindPodVolumes
    // wrote before the attempt fails (Kubernetes' bindTimeoutSeconds, 600).
    Duration bind_timeout = std::chrono::seconds(600);
    // percentageOfNodesToScore: stop looking once this share of the nodes (at least 100)
    // fit. 0 is Kubernetes' adaptive default (50% - nodes/125, at least 5%); a cluster of
    // fewer than 100 nodes has every node tried either way, so `lpv explain` has a verdict
    // for each. 100 tries every node however many there are.
    int percentage_of_nodes_to_score = 0;
    // Pods whose spec.schedulerName is something else are not ours.
    std::string scheduler_name = kDefaultSchedulerName;
    // What `lpv explain` keeps: attempts per pod, pods, node verdicts per attempt.
    size_t explain_attempts = 5;
    size_t explain_max_pods = 5000;
    size_t explain_max_nodes = 100;
    // Threads running binding cycles (the Binding API call, the Scheduled event). Each
    // waits for its write to be durable; several at once share the store's group commits,
    // so a burst of pods binds at the store's batch rate, not one sync per pod.
    int binding_workers = 16;
    // bindVolumesWorker threads draining volumeBinderBindQueue. The article's scheduler ran
    // one; since Kubernetes 1.14 BindPodVolumes runs in each pod's binding cycle, so many
    // pods' PV writes are in flight at once, as here.
    int bind_volumes_workers = 8;
    // The informers to share with other controllers; none: the scheduler makes its own.
    client::SharedInformerFactory* informers = nullptr;
  };

  Scheduler(client::Client* client, Options options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts the informers and the threads; the scheduling thread schedules once every
  // cache has synced (the workers only take what it hands them).
  void Start();
  // Stops the threads and informers; pods in flight stay as they are (assumptions are
  // in memory only).
  void Stop();
  bool WaitForCacheSync(std::chrono::milliseconds timeout) const;

  // The last scheduling attempts of a pod, told for a learner. NotFound when the pod
  // neither exists nor was ever tried.
  Result<std::string> Explain(const std::string& ns, const std::string& name);

  SchedulerStats stats() const;

 private:
  struct BindWork;
  struct BindingCycle;
  struct VolumeWait;

  // ---- informer handlers (informer threads)
  void AddHandlers();
  void OnPodAdd(const client::ObjectRef& obj);
  void OnPodUpdate(const client::ObjectRef& old_obj, const client::ObjectRef& new_obj);
  void OnPodDelete(const client::ObjectRef& obj);
  bool Responsible(const api::Pod& pod) const;
  void WakeWaiters(const std::string& what, const std::set<std::string>& pods);

  // ---- the scheduling thread
  void Run();
  bool scheduleOne();
  // assumeAndBindVolumes: true when the pod's volumes are all bound and the pod may be
  // bound to `host` now.
  bool assumeAndBindVolumes(api::Pod* assumed, const std::string& host, QueuedPodInfo& qi,
                            int64_t cycle, const VolumeBindingChecker::PreFilterResult& pre,
                            SchedulingAttempt& attempt);
  void BindPod(const api::Pod& assumed, const std::string& host, QueuedPodInfo& qi,
               int64_t cycle, SchedulingAttempt& attempt);

  // ---- binding cycles (binding workers)
  void StartBindingCycle(api::Pod assumed, std::string host, QueuedPodInfo qi, int64_t cycle,
                         SchedulingAttempt attempt);
  void bindingCycleWorker();
  // Drops the pod's assumption when its binding failed or it went, and brings back the
  // pods that could not fit beside it (`why` is the reason they are moved).
  void ForgetAssumedPod(const std::string& key, const std::string& why);

  // ---- the bind worker
  void bindVolumesWorker();
  void ProcessBindWork(const std::string& key);

  // ---- failures
  enum class Requeue { Unschedulable, Backoff };
  // Records the failure (PodScheduled condition, FailedScheduling event, explain) and
  // requeues the pod. *attempt (may be null) is moved into the explain record.
  void HandleSchedulingFailure(QueuedPodInfo qi, int64_t cycle, const std::string& reason,
                               const std::string& message, Requeue how,
                               SchedulingAttempt* attempt);
  void ForgetConditionCycle(const std::string& pod_key);  // the pod is bound or gone
  // Writes the PodScheduled=False condition of scheduling cycle `cycle`, unless a newer
  // cycle's failure was written already: a failed binding reports from the binding thread
  // while the pod, back from its backoff, may already be failing its next cycle.
  void UpdatePodScheduledCondition(const std::string& pod_key, int64_t cycle,
                                   const std::string& reason, const std::string& message);

  // ---- waiting for the PV controller
  void StartVolumeWait(const api::Pod& pod, const std::string& node,
                       const std::vector<std::string>& pvs, bool reset_clock);
  void EndVolumeWait(const std::string& pod_key);
  // When the current wait began; nullopt when the pod is not waiting.
  std::optional<TimePoint> VolumeWaitStart(const std::string& pod_key);

  std::vector<std::string> DescribeClaims(const api::Pod& pod) const;
  std::string DescribeNow(const std::string& pod_key);
  PodRef CurrentPod(const std::string& key, const std::string& uid) const;
  int NumFeasibleNodesToFind(int num_all_nodes) const;
  void AddStat(int64_t SchedulerStats::*field, std::chrono::steady_clock::time_point since);

  client::Client* client_;
  Options options_;
  Clock* clock_;

  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::SharedInformerFactory* informers_;
  client::Informer* pods_;
  client::Informer* nodes_;
  client::Informer* pvs_;
  client::Informer* pvcs_;
  client::Informer* classes_;

  HostSlots host_slots_;  // hostnames numbered alike for the node cache and the PV cache
  NodeCache node_cache_;
  SchedulerVolumeBinder binder_;
  VolumeBindingChecker checker_;
  SchedulingQueue queue_;
  client::EventRecorder recorder_;
  ExplainLog explain_;

  // volumeBinderBindQueue: pods whose volume bindings BindPodVolumes must write.
  client::WorkQueue volume_binder_bind_queue_;
  std::mutex bind_mu_;
  // Held across a condition write, so two threads' writes for a pod land in cycle order.
  std::mutex condition_write_mu_;
  std::mutex condition_mu_;  // guards condition_cycle_ (the informer thread erases)
  std::unordered_map<std::string, int64_t> condition_cycle_;  // pod -> newest failure written
  std::unordered_map<std::string, std::shared_ptr<BindWork>> bind_work_;

  // Pods whose binding cycle is queued or running.
  client::WorkQueue binding_cycle_queue_;
  std::unordered_map<std::string, std::unique_ptr<BindingCycle>> binding_cycles_;  // bind_mu_

  // Pods waiting for the PV controller, and the claims and PVs whose changes wake them.
  std::mutex wait_mu_;
  std::unordered_map<std::string, std::shared_ptr<VolumeWait>> waits_;
  std::unordered_map<std::string, std::set<std::string>> claim_waiters_;
  std::unordered_map<std::string, std::set<std::string>> pv_waiters_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);

  // Scheduling thread only.
  NodeSnapshot snapshot_;
  int next_start_node_index_ = 0;

  mutable std::mutex stats_mu_;
  SchedulerStats stats_;

  std::atomic<bool> stop_{false};
  bool started_ = false;
  std::thread scheduling_thread_;
  std::vector<std::thread> bind_volumes_threads_;
  std::vector<std::thread> binding_threads_;
};

}  // namespace lpv::scheduler
