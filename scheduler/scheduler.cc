#include "scheduler/scheduler.h"

#include <algorithm>
#include <optional>

#include "api/scheme.h"
#include "client/thread_name.h"
#include "pvcontroller/annotations.h"
#include "scheduler/priorities.h"

namespace lpv::scheduler {

namespace {

using Code = PredicateStatus::Code;
using SteadyClock = std::chrono::steady_clock;

constexpr char kReasonUnschedulable[] = "Unschedulable";    // v1.PodReasonUnschedulable
constexpr char kReasonSchedulerError[] = "SchedulerError";  // v1.PodReasonSchedulerError
constexpr int kMinFeasibleNodesToFind = 100;
constexpr int kMinFeasibleNodesPercentageToFind = 5;

const api::KindInfo& KindByName(const char* kind) { return *api::KindOf(kind); }

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string FormatDuration(Duration d) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// nodeSchedulingPropertiesChange: a node update matters to pending pods only when it
// changes what the predicates read; heartbeats (lastHeartbeatTime) do not.
bool SameMap(const google::protobuf::Map<std::string, std::string>& a,
             const google::protobuf::Map<std::string, std::string>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || it->second != v) return false;
  }
  return true;
}

bool NodeSchedulingPropertiesChanged(const api::Node& a, const api::Node& b) {
  if (a.spec().unschedulable() != b.spec().unschedulable()) return true;
  if (!SameMap(a.status().allocatable(), b.status().allocatable())) return true;
  if (!SameMap(a.metadata().labels(), b.metadata().labels())) return true;
  if (a.spec().taints_size() != b.spec().taints_size()) return true;
  for (int i = 0; i < a.spec().taints_size(); ++i) {
    const auto &x = a.spec().taints(i), &y = b.spec().taints(i);
    if (x.key() != y.key() || x.value() != y.value() || x.effect() != y.effect()) return true;
  }
  std::map<std::string, std::string> ca, cb;
  for (const auto& c : a.status().conditions()) ca[c.type()] = c.status();
  for (const auto& c : b.status().conditions()) cb[c.type()] = c.status();
  return ca != cb;
}

// The predicates of the default profile, in its plugin order, each with the article's
// name and the plugin's.
struct NamedPredicate {
  const char* predicate;
  const char* plugin;
};
constexpr NamedPredicate kPredicateNames[] = {
    {"CheckNodeUnschedulable", "NodeUnschedulable"},
    {"PodFitsHost", "NodeName"},
    {"PodToleratesNodeTaints", "TaintToleration"},
    {"MatchNodeSelector", "NodeAffinity"},
    {"PodFitsResources", "NodeResourcesFit"},
    {"CheckVolumeBinding", "VolumeBinding"},
};

}  // namespace

struct Scheduler::BindWork {
  api::Pod assumed;  // spec.nodeName = the chosen node
  QueuedPodInfo qi;
  int64_t cycle = 0;
};

struct Scheduler::BindingCycle {
  api::Pod assumed;  // spec.nodeName = host
  std::string host;
  QueuedPodInfo qi;
  int64_t cycle = 0;
  SchedulingAttempt attempt;
};

struct Scheduler::VolumeWait {
  TimePoint started;
  std::string node;
  std::vector<std::string> claims;
  std::vector<std::string> pvs;
  TimerId timer = 0;
};

Scheduler::Scheduler(client::Client* client, Options options)
    : client_(client),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : RealClock::Get()),
      informers_(client::SharedOrOwn(options_.informers, &own_informers_, client, clock_)),
      pods_(informers_->InformerFor(KindByName("Pod"))),
      nodes_(informers_->InformerFor(KindByName("Node"))),
      pvs_(informers_->InformerFor(KindByName("PersistentVolume"))),
      pvcs_(informers_->InformerFor(KindByName("PersistentVolumeClaim"))),
      classes_(informers_->InformerFor(KindByName("StorageClass"))),
      node_cache_(&host_slots_),
      binder_(
          client,
          [this](const std::string& name) {
            return client::As<api::StorageClass>(classes_->Get(name));
          },
          &host_slots_),
      checker_(&binder_),
      queue_(clock_, QueueOptions{options_.pod_initial_backoff, options_.pod_max_backoff,
                                  options_.pod_max_in_unschedulable}),
      recorder_(client, clock_, kDefaultSchedulerName),
      explain_(options_.explain_attempts, options_.explain_max_pods, options_.explain_max_nodes),
      // Failed binds are retried through the scheduling queue, not here.
      volume_binder_bind_queue_(clock_),
      binding_cycle_queue_(clock_) {
  binder_.pv_cache().Attach(pvs_);
  binder_.pvc_cache().Attach(pvcs_);
  AddHandlers();
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  if (started_) return;
  started_ = true;
  for (auto* inf : {pods_, nodes_, pvs_, pvcs_, classes_}) inf->Start();
  scheduling_thread_ = std::thread([this] { Run(); });
  client::SetThreadName(scheduling_thread_, "scheduler");
  for (int i = 0; i < std::max(1, options_.bind_volumes_workers); ++i) {
    bind_volumes_threads_.emplace_back([this] { bindVolumesWorker(); });
    client::SetThreadName(bind_volumes_threads_.back(), "bind-volumes");
  }
  for (int i = 0; i < std::max(1, options_.binding_workers); ++i) {
    binding_threads_.emplace_back([this] { bindingCycleWorker(); });
    client::SetThreadName(binding_threads_.back(), "binding-cycle");
  }
}

void Scheduler::Stop() {
  if (stop_.exchange(true)) return;
  alive_->store(false);
  queue_.Close();
  volume_binder_bind_queue_.ShutDown();
  binding_cycle_queue_.ShutDown();
  if (scheduling_thread_.joinable()) scheduling_thread_.join();
  for (auto* threads : {&bind_volumes_threads_, &binding_threads_}) {
    for (auto& t : *threads) t.join();
    threads->clear();
  }
  if (own_informers_) own_informers_->Stop();
  std::lock_guard<std::mutex> l(wait_mu_);
  for (auto& [key, w] : waits_) {
    if (w->timer) clock_->CancelTimer(w->timer);
  }
}

bool Scheduler::WaitForCacheSync(std::chrono::milliseconds timeout) const {
  auto deadline = SteadyClock::now() + timeout;
  for (auto* inf : {pods_, nodes_, pvs_, pvcs_, classes_}) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() < 0 || !inf->WaitForCacheSync(left)) return false;
  }
  return true;
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard<std::mutex> l(stats_mu_);
  return stats_;
}

void Scheduler::AddStat(int64_t SchedulerStats::*field, SteadyClock::time_point since) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now() - since);
  std::lock_guard<std::mutex> l(stats_mu_);
  stats_.*field += ns.count();
}

// ---------------------------------------------------------------- informer handlers

bool Scheduler::Responsible(const api::Pod& pod) const {
  const std::string& name = pod.spec().scheduler_name();
  return name == options_.scheduler_name ||
         (name.empty() && options_.scheduler_name == kDefaultSchedulerName);
}

void Scheduler::AddHandlers() {
  client::EventHandler pods;
  pods.on_add = [this](const client::ObjectRef& o) { OnPodAdd(o); };
  pods.on_update = [this](const client::ObjectRef& a, const client::ObjectRef& b) {
    OnPodUpdate(a, b);
  };
  pods.on_delete = [this](const client::ObjectRef& o) { OnPodDelete(o); };
  pods_->AddEventHandler(std::move(pods));

  client::EventHandler nodes;
  nodes.on_add = [this](const client::ObjectRef& o) {
    node_cache_.AddOrUpdateNode(client::As<api::Node>(o));
    queue_.MoveAllToActiveOrBackoffQueue("Node " + api::KeyOf(*o) + " added");
  };
  nodes.on_update = [this](const client::ObjectRef& a, const client::ObjectRef& b) {
    auto node = client::As<api::Node>(b);
    node_cache_.AddOrUpdateNode(node);
    if (a != b && NodeSchedulingPropertiesChanged(static_cast<const api::Node&>(*a), *node)) {
      queue_.MoveAllToActiveOrBackoffQueue("Node " + api::KeyOf(*b) + " changed");
    }
  };
  nodes.on_delete = [this](const client::ObjectRef& o) {
    node_cache_.RemoveNode(api::Meta(*o).name());
  };
  nodes_->AddEventHandler(std::move(nodes));

  // PVs and PVCs: the assume caches are attached first (constructor), so a pod moved by
  // these events already sees the new object.
  client::EventHandler pvs;
  pvs.on_add = [this](const client::ObjectRef& o) {
    // Pods created when no PV was available wait in the unschedulable set; a new PV
    // (static provisioning, WaitForFirstConsumer) is the event that can help them.
    queue_.MoveAllToActiveOrBackoffQueue("PersistentVolume " + api::KeyOf(*o) + " added");
  };
  pvs.on_update = [this](const client::ObjectRef& a, const client::ObjectRef& b) {
    if (a == b) return;  // resync
    std::string name = api::KeyOf(*b);
    // bindVolumesWorker's writes may fail on conflicts with the PV controller: pods sent
    // back for that come back on the PV's next update.
    queue_.MoveAllToActiveOrBackoffQueue("PersistentVolume " + name + " changed");
    // A pod waiting for its binds to complete cares when the PV lost its claimRef (the PV
    // controller unbinds a PV whose claim went away); its claim's update says when the bind
    // completed.
    if (static_cast<const api::PersistentVolume&>(*b).spec().has_claim_ref()) return;
    std::set<std::string> waiters;
    {
      std::lock_guard<std::mutex> l(wait_mu_);
      auto it = pv_waiters_.find(name);
      if (it != pv_waiters_.end()) waiters = it->second;
    }
    WakeWaiters("PersistentVolume " + name + " lost its claimRef", waiters);
  };
  pvs.on_delete = [this](const client::ObjectRef& o) {
    std::string name = api::KeyOf(*o);
    std::set<std::string> waiters;
    {
      std::lock_guard<std::mutex> l(wait_mu_);
      auto it = pv_waiters_.find(name);
      if (it != pv_waiters_.end()) waiters = it->second;
    }
    WakeWaiters("PersistentVolume " + name + " deleted", waiters);
  };
  pvs_->AddEventHandler(std::move(pvs));

  auto on_claim = [this](const client::ObjectRef& o, const std::string& what) {
    std::string key = api::KeyOf(*o);
    queue_.MoveAllToActiveOrBackoffQueue("PersistentVolumeClaim " + key + " " + what);
    std::set<std::string> waiters;
    {
      std::lock_guard<std::mutex> l(wait_mu_);
      auto it = claim_waiters_.find(key);
      if (it != claim_waiters_.end()) waiters = it->second;
    }
    WakeWaiters("PersistentVolumeClaim " + key + " " + what, waiters);
  };
  client::EventHandler pvcs;
  pvcs.on_add = [on_claim](const client::ObjectRef& o) { on_claim(o, "added"); };
  pvcs.on_update = [on_claim](const client::ObjectRef& a, const client::ObjectRef& b) {
    if (a != b) on_claim(b, "changed");
  };
  pvcs.on_delete = [on_claim](const client::ObjectRef& o) { on_claim(o, "deleted"); };
  pvcs_->AddEventHandler(std::move(pvcs));

  client::EventHandler classes;
  classes.on_add = [this](const client::ObjectRef& o) {
    queue_.MoveAllToActiveOrBackoffQueue("StorageClass " + api::KeyOf(*o) + " added");
  };
  classes.on_update = [this](const client::ObjectRef& a, const client::ObjectRef& b) {
    if (a != b) {
      queue_.MoveAllToActiveOrBackoffQueue("StorageClass " + api::KeyOf(*b) + " changed");
    }
  };
  classes_->AddEventHandler(std::move(classes));
}

void Scheduler::OnPodAdd(const client::ObjectRef& obj) {
  auto pod = client::As<api::Pod>(obj);
  if (!pod->spec().node_name().empty()) {
    node_cache_.AddOrUpdatePod(pod);
    return;
  }
  if (Responsible(*pod) && pod->metadata().deletion_timestamp().empty()) queue_.Add(pod);
}

void Scheduler::OnPodUpdate(const client::ObjectRef& old_obj, const client::ObjectRef& new_obj) {
  auto pod = client::As<api::Pod>(new_obj);
  std::string key = api::KeyOf(*pod);
  node_cache_.AddOrUpdatePod(pod);
  if (!pod->spec().node_name().empty()) {
    // Bound (by us or anyone): it leaves the scheduling queue. An assigned pod being added
    // frees nothing, so pending pods stay where they are.
    queue_.Delete(key);
    ForgetConditionCycle(key);
    return;
  }
  if (!Responsible(*pod)) return;
  if (!pod->metadata().deletion_timestamp().empty()) {
    queue_.Delete(key);
    return;
  }
  if (old_obj == new_obj) return;  // resync
  queue_.Update(client::As<api::Pod>(old_obj), pod);
}

void Scheduler::ForgetConditionCycle(const std::string& pod_key) {
  std::lock_guard<std::mutex> l(condition_mu_);
  condition_cycle_.erase(pod_key);
}

void Scheduler::OnPodDelete(const client::ObjectRef& obj) {
  auto pod = client::As<api::Pod>(obj);
  std::string key = api::KeyOf(*pod);
  bool was_assigned = !pod->spec().node_name().empty() || node_cache_.NodeOf(key) != "";
  node_cache_.RemovePod(*pod);
  queue_.Delete(key);
  ForgetConditionCycle(key);
  EndVolumeWait(key);
  {
    // The bind worker rolls back the assumptions of a pod it holds; others are dropped here.
    std::lock_guard<std::mutex> l(bind_mu_);
    if (!bind_work_.count(key)) binder_.DeletePodBindings(key);
  }
  // A pod that held a node's resources is gone: pending pods may fit now.
  if (was_assigned) queue_.MoveAllToActiveOrBackoffQueue("Pod " + key + " deleted");
}

void Scheduler::WakeWaiters(const std::string& what, const std::set<std::string>& pods) {
  for (const auto& key : pods) queue_.Activate(key, what);
}

// ---------------------------------------------------------------- waiting for binds

void Scheduler::StartVolumeWait(const api::Pod& pod, const std::string& node,
                                const std::vector<std::string>& pvs, bool reset_clock) {
  std::string key = api::KeyOf(pod);
  std::lock_guard<std::mutex> l(wait_mu_);
  auto& w = waits_[key];
  if (!w || reset_clock) {
    if (w && w->timer) clock_->CancelTimer(w->timer);
    auto fresh = std::make_shared<VolumeWait>();
    fresh->started = clock_->Now();
    if (w && !reset_clock) fresh->started = w->started;
    // The pod comes back when the bind timeout passes, even if nothing changes.
    auto alive = alive_;
    std::string why = "bind timeout (" + FormatDuration(options_.bind_timeout) + ") passed";
    fresh->timer = clock_->AfterFunc(options_.bind_timeout, [this, alive, key, why] {
      if (alive->load()) queue_.Activate(key, why);
    });
    w = fresh;
  }
  for (const auto& c : w->claims) {
    claim_waiters_[c].erase(key);
  }
  for (const auto& p : w->pvs) pv_waiters_[p].erase(key);
  w->node = node;
  w->claims = SchedulerVolumeBinder::PodClaimKeys(pod);
  for (const auto& p : pvs) {
    if (std::find(w->pvs.begin(), w->pvs.end(), p) == w->pvs.end()) w->pvs.push_back(p);
  }
  for (const auto& c : w->claims) claim_waiters_[c].insert(key);
  for (const auto& p : w->pvs) pv_waiters_[p].insert(key);
}

void Scheduler::EndVolumeWait(const std::string& pod_key) {
  std::lock_guard<std::mutex> l(wait_mu_);
  auto it = waits_.find(pod_key);
  if (it == waits_.end()) return;
  if (it->second->timer) clock_->CancelTimer(it->second->timer);
  for (const auto& c : it->second->claims) {
    auto cw = claim_waiters_.find(c);
    if (cw == claim_waiters_.end()) continue;
    cw->second.erase(pod_key);
    if (cw->second.empty()) claim_waiters_.erase(cw);
  }
  for (const auto& p : it->second->pvs) {
    auto pw = pv_waiters_.find(p);
    if (pw == pv_waiters_.end()) continue;
    pw->second.erase(pod_key);
    if (pw->second.empty()) pv_waiters_.erase(pw);
  }
  waits_.erase(it);
}

std::optional<TimePoint> Scheduler::VolumeWaitStart(const std::string& pod_key) {
  std::lock_guard<std::mutex> l(wait_mu_);
  auto it = waits_.find(pod_key);
  if (it == waits_.end()) return std::nullopt;
  return it->second->started;
}

// ---------------------------------------------------------------- the scheduling thread

void Scheduler::Run() {
  // Never schedule from half-filled caches: a pod tried before the nodes are known would
  // fail for nothing.
  while (!stop_ && !WaitForCacheSync(std::chrono::milliseconds(100))) {
  }
  while (!stop_ && scheduleOne()) {
  }
}

PodRef Scheduler::CurrentPod(const std::string& key, const std::string& uid) const {
  auto pod = client::As<api::Pod>(pods_->Get(key));
  if (!pod || (!uid.empty() && pod->metadata().uid() != uid)) return nullptr;
  return pod;
}

int Scheduler::NumFeasibleNodesToFind(int num_all_nodes) const {
  if (num_all_nodes < kMinFeasibleNodesToFind || options_.percentage_of_nodes_to_score >= 100) {
    return num_all_nodes;
  }
  int percentage = options_.percentage_of_nodes_to_score;
  if (percentage <= 0) {
    percentage = 50 - num_all_nodes / 125;
    if (percentage < kMinFeasibleNodesPercentageToFind) {
      percentage = kMinFeasibleNodesPercentageToFind;
    }
  }
  int n = num_all_nodes * percentage / 100;
  return std::max(n, kMinFeasibleNodesToFind);
}

std::vector<std::string> Scheduler::DescribeClaims(const api::Pod& pod) const {
  std::vector<std::string> out;
  for (const auto& key : SchedulerVolumeBinder::PodClaimKeys(pod)) {
    std::string name = key.substr(key.find('/') + 1);
    auto pvc = binder_.pvc_cache().GetPVC(key);
    if (!pvc) {
      out.push_back(name + ": not found");
      continue;
    }
    std::string cls = pvcontroller::GetPersistentVolumeClaimClass(*pvc);
    auto sc = cls.empty() ? nullptr : client::As<api::StorageClass>(classes_->Get(cls));
    std::string mode = !sc ? (cls.empty() ? "no class" : "class \"" + cls + "\" (not found)")
                           : "class " + cls + " (" +
                                 (sc->has_volume_binding_mode() ? sc->volume_binding_mode()
                                                                : std::string("Immediate")) +
                                 ")";
    if (!pvc->spec().volume_name().empty()) {
      bool complete = pvcontroller::HasAnnotation(pvc->metadata(), pvcontroller::kAnnBindCompleted);
      out.push_back(name + ": bound to PV " + pvc->spec().volume_name() +
                    (complete ? "" : " (bind not completed yet)") +
                    " -> a node fits only if that PV's node affinity matches it");
    } else if (sc && sc->has_volume_binding_mode() &&
               sc->volume_binding_mode() == "WaitForFirstConsumer") {
      out.push_back(name + ": unbound, " + mode +
                    " -> the scheduler looks for a free PV on each node");
    } else {
      out.push_back(name + ": unbound, " + mode +
                    " -> the PV controller binds it; the pod waits for that");
    }
  }
  return out;
}

bool Scheduler::scheduleOne() {
  auto popped = queue_.Pop();
  if (!popped) return false;
  QueuedPodInfo qi = std::move(*popped);
  const int64_t cycle = queue_.SchedulingCycle();
  const std::string key = qi.key;

  // The pod as it is now: it may have been bound, deleted or replaced meanwhile.
  PodRef pod = CurrentPod(key, qi.pod->metadata().uid());
  if (!pod || !pod->spec().node_name().empty() || !pod->metadata().deletion_timestamp().empty() ||
      !Responsible(*pod)) {
    queue_.Done(key, qi.pod->metadata().uid());
    return true;
  }
  qi.pod = pod;
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    ++stats_.cycles;
  }

  SchedulingAttempt attempt;
  attempt.cycle = cycle;
  attempt.attempt = qi.attempts;
  attempt.started = clock_->Now();
  attempt.queued_by = qi.activated_by;
  attempt.queued_at = qi.activated_at;
  attempt.claims = DescribeClaims(*pod);

  // A pod still assumed from its previous cycle (it was waiting for its volumes) leaves
  // its node for this cycle, so it is not counted twice.
  node_cache_.ForgetPod(key);
  binder_.DeletePodBindings(key);

  auto filter_start = SteadyClock::now();
  node_cache_.UpdateSnapshot(&snapshot_);
  const std::vector<NodeInfoRef>& nodes = snapshot_.nodes;
  if (nodes.empty()) {
    AddStat(&SchedulerStats::filter_ns, filter_start);
    // ErrNoNodesAvailable: UnschedulableAndUnresolvable; a node added brings the pod back.
    HandleSchedulingFailure(std::move(qi), cycle, kReasonUnschedulable, kErrNoNodesAvailable,
                            Requeue::Unschedulable, &attempt);
    return true;
  }

  // PreFilter: the pod's claims, once for all nodes.
  VolumeBindingChecker::PreFilterResult pre = checker_.PreFilter(*pod);
  if (!pre.status.ok()) {
    AddStat(&SchedulerStats::filter_ns, filter_start);
    if (pre.status.code == Code::Error) {
      HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError,
                              "running PreFilter plugin \"VolumeBinding\": " + pre.status.Message(),
                              Requeue::Backoff, &attempt);
      return true;
    }
    FitError fit;
    fit.num_all_nodes = static_cast<int>(nodes.size());
    fit.diagnosis.prefilter_msg = pre.status.Message();
    for (const auto& n : nodes) fit.diagnosis.node_to_status[n->name()] = pre.status;
    fit.diagnosis.postfilter_msg = PreemptionMessage(fit.diagnosis, nodes);
    attempt.prefilter = "CheckVolumeBinding (VolumeBinding PreFilter) rejects the pod: " +
                        pre.status.Message();
    HandleSchedulingFailure(std::move(qi), cycle, kReasonUnschedulable, fit.Error(),
                            Requeue::Unschedulable, &attempt);
    return true;
  }

  // The nodes PreFilter left (PreFilterResult.NodeNames, from GetEligibleNodes), else all;
  // names no node has are skipped, as findNodesThatFitPod does. Looked up by name: a cycle
  // costs the pod's nodes, not the cluster's.
  std::vector<NodeInfoRef> eligible;
  std::vector<HostSlots::Slot> eligible_slots;
  bool listed = false;  // `eligible` holds the narrowed nodes
  auto list = [&](const std::string& name) {
    if (auto n = snapshot_.Get(name)) {
      eligible_slots.push_back(n->host_slot);
      eligible.push_back(std::move(n));
    }
  };
  if (pre.node_names) {
    for (const auto& name : *pre.node_names) list(name);
    listed = true;
  } else if (auto hosts = binder_.FewHostsWithFreeVolumes(pre.free_volume_classes,
                                                          nodes.size() / 3)) {
    // lpv: when few nodes have a free PV left, they are listed (hostnames taken as node
    // names, as GetEligibleNodes does) instead of skipping the rest one by one.
    for (const auto& host : *hosts) list(host);
    listed = true;
  }

  // Predicates, node by node, from where the last cycle stopped (as findNodesThatPassFilters).
  PodResources request = ComputePodResources(*pod);
  Diagnosis diagnosis;
  std::vector<NodeInfoRef> feasible;
  std::vector<NodeVerdict> verdicts;
  verdicts.reserve(std::min(explain_.max_nodes(), nodes.size()));
  bool filter_error = false;
  // `narrow`: skip the nodes without a free PV the pod's claims need (lpv's narrowing, see
  // VolumeBindingChecker). A skipped node counts as processed, as the VolumeBinding filter
  // would have failed it, so over every node the nodes found and where the next cycle
  // starts are upstream's. (Over the few listed hosts the rotation is over that list, as
  // over PreFilter's NodeNames.)
  int skipped = 0;
  // The nodes to find are upstream's: a share of the nodes PreFilter left (NodeNames), of
  // every node when only lpv's free-PV narrowing applies.
  const int to_find_narrowed = NumFeasibleNodesToFind(
      static_cast<int>(pre.node_names ? eligible.size() : nodes.size()));
  // `slots`: the candidates' host slots, read without touching their NodeInfos.
  auto find_nodes_that_pass_filters = [&](const std::vector<NodeInfoRef>& candidates,
                                          const std::vector<HostSlots::Slot>& slots,
                                          bool narrow, int to_find) {
    const int num_nodes = static_cast<int>(candidates.size());
    int processed = 0;
    int fits_not_kept = 0;  // counted here, added to attempt.omitted once
    skipped = 0;
    for (int i = 0; i < num_nodes && static_cast<int>(feasible.size()) < to_find; ++i) {
      const int at = (next_start_node_index_ + i) % num_nodes;
      ++processed;
      if (narrow && !checker_.NodeHasFreeVolumes(pre, slots[at])) {
        ++skipped;
        continue;
      }
      const NodeInfo& node = *candidates[at];
      // Only the first max_nodes verdicts are kept whole; the rest are counted by reason.
      const bool keep = verdicts.size() < explain_.max_nodes();
      NodeVerdict verdict;
      if (keep) verdict.node = node.name();
      PredicateStatus status;
      size_t step = 0;
      for (; step < std::size(kPredicateNames); ++step) {
        switch (step) {
          case 0: status = CheckNodeUnschedulable(*pod, node); break;
          case 1: status = PodFitsHost(*pod, node); break;
          case 2: status = PodToleratesNodeTaints(*pod, node); break;
          case 3: status = PodMatchNodeSelector(*pod, node); break;
          case 4: status = PodFitsResources(*pod, request, node); break;
          case 5: {
            FindPodVolumesResult answer;
            status = checker_.predicate(*pod, pre, node, keep ? &answer : nullptr);
            if (keep && !pre.skip && status.code != Code::Error) {
              verdict.volumes_checked = true;
              verdict.unbound_satisfied = answer.unbound_satisfied;
              verdict.bound_satisfied = answer.bound_satisfied;
              for (const auto& b : answer.static_bindings) {
                verdict.picks.emplace_back(b.pvc->metadata().name(), b.pv->metadata().name());
              }
              for (const auto& c : answer.dynamic_provisions) {
                verdict.provisions.push_back(c->metadata().name());
              }
              if (answer.conflicting_claim) {
                const auto& c = *answer.conflicting_claim;
                verdict.volume_notes.push_back(
                    "claim " + c.metadata().name() + " is bound to PV " + c.spec().volume_name() +
                    (answer.bound_pvs_found ? ", whose node affinity does not match " + node.name()
                                            : ", which does not exist"));
              }
              for (const auto& c : answer.unmatched) {
                for (const auto& why : binder_.ExplainNoMatch(*c, *node.node)) {
                  verdict.volume_notes.push_back("claim " + c->metadata().name() + ": " + why);
                }
              }
            }
            break;
          }
        }
        if (!status.ok()) break;
      }
      if (status.code == Code::Error) {
        // A filter that errs aborts the cycle (RunFilterPlugins).
        if (fits_not_kept > 0) attempt.omitted["fits"] += fits_not_kept;
        AddStat(&SchedulerStats::filter_ns, filter_start);
        HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError,
                                "running \"" + status.plugin + "\" filter plugin: " +
                                    status.Message(),
                                Requeue::Backoff, &attempt);
        filter_error = true;
        return;
      }
      if (status.ok()) {
        verdict.fits = true;
        feasible.push_back(candidates[at]);
      } else {
        verdict.predicate = kPredicateNames[step].predicate;
        verdict.plugin = kPredicateNames[step].plugin;
        verdict.reasons = status.reasons;
        diagnosis.node_to_status[node.name()] = status;
      }
      if (keep) {
        verdicts.push_back(std::move(verdict));
      } else if (!verdict.fits) {
        ++attempt.omitted[verdict.predicate + ": " + Join(verdict.reasons)];
      } else {
        ++fits_not_kept;
      }
    }
    if (fits_not_kept > 0) attempt.omitted["fits"] += fits_not_kept;
    if (num_nodes > 0) next_start_node_index_ = (next_start_node_index_ + processed) % num_nodes;
    {
      std::lock_guard<std::mutex> l(stats_mu_);
      stats_.nodes_evaluated += processed - skipped;
    }
    AddStat(&SchedulerStats::filter_ns, filter_start);
    attempt.nodes_total = processed - skipped;
    if (processed < num_nodes) {
      attempt.omitted["not evaluated (percentageOfNodesToScore: enough nodes fit)"] +=
          num_nodes - processed;
    }
  };
  constexpr char kOnOtherNodes[] =
      "not evaluated (VolumeBinding PreFilter: the local PVs the pod's claims are bound to, "
      "or could bind, are on other nodes)";
  // The nodes' proposed bindings stay with the cycle (upstream's podVolumesByNode in the
  // cycle state); only the chosen node's go to the cache, below.
  NodeBindingsList recorded;
  pre.claims.record_to = &recorded;
  // The recorded picks are PVs the cache lends (no reference each) until the chosen node's
  // are taken below; the pin keeps them in memory until then.
  std::optional<PVAssumeCache::FreePVPin> pin;
  pin.emplace(binder_.pv_cache());
  const bool narrowed = pre.node_names || !pre.free_volume_classes.empty();
  if (narrowed) {
    const std::vector<NodeInfoRef>& candidates = listed ? eligible : nodes;
    find_nodes_that_pass_filters(candidates, listed ? eligible_slots : snapshot_.host_slots,
                                 /*narrow=*/true, to_find_narrowed);
    if (filter_error) return true;
    if (!feasible.empty()) {
      int others = skipped + static_cast<int>(nodes.size() - candidates.size());
      if (others > 0) attempt.omitted[kOnOtherNodes] += others;
    }
  }
  // lpv: upstream reports only the nodes PreFilter left. When none of them fits, lpv looks
  // at every node, so FailedScheduling says why each one cannot take the pod, as the
  // article's scheduler did ("2 node(s) had volume node affinity conflict").
  if (!narrowed || feasible.empty()) {
    feasible.clear();
    verdicts.clear();
    diagnosis = Diagnosis();
    attempt.omitted.clear();
    const int to_find = NumFeasibleNodesToFind(static_cast<int>(nodes.size()));
    recorded.reserve(recorded.size() + to_find);  // each node that fits adds one
    find_nodes_that_pass_filters(nodes, snapshot_.host_slots, /*narrow=*/false, to_find);
  }
  pre.claims.record_to = nullptr;
  if (filter_error) return true;

  if (feasible.empty()) {
    std::sort(verdicts.begin(), verdicts.end(),
              [](const NodeVerdict& a, const NodeVerdict& b) { return a.node < b.node; });
    attempt.nodes = std::move(verdicts);
    FitError fit;
    fit.num_all_nodes = static_cast<int>(nodes.size());
    fit.diagnosis = std::move(diagnosis);
    fit.diagnosis.postfilter_msg = PreemptionMessage(fit.diagnosis, nodes);
    HandleSchedulingFailure(std::move(qi), cycle, kReasonUnschedulable, fit.Error(),
                            Requeue::Unschedulable, &attempt);
    return true;
  }

  // Priorities.
  auto score_start = SteadyClock::now();
  std::vector<NodeScore> scores;
  scores.reserve(feasible.size());
  for (const auto& n : feasible) scores.push_back({n->name(), LeastRequestedPriority(request, *n)});
  std::string host = SelectHost(scores, options_.seed, pod->metadata().uid());
  AddStat(&SchedulerStats::score_ns, score_start);
  // AssumePodVolumes, BindPodVolumes and explain read the chosen node's bindings only. The
  // other nodes' are freed now, while the cycle's memory is still in the processor's cache
  // (at 5,000 nodes, hundreds of entries; their PVs are only lent, see the pin above).
  Status taken = binder_.TakeCycleBindings(key, host, &recorded);
  recorded.clear();
  pin.reset();
  if (!taken.ok()) {
    HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError,
                            "running Reserve plugin \"VolumeBinding\": " + taken.message(),
                            Requeue::Backoff, &attempt);
    return true;
  }
  int64_t best = 0;
  int ties = 0;
  for (const auto& s : scores) best = std::max(best, s.score);
  for (const auto& s : scores) ties += s.score == best ? 1 : 0;
  // The kept verdicts are the first nodes evaluated, so the ones that fit are the first
  // feasible nodes, in the same order: their scores are the first scores.
  size_t fit_index = 0;
  for (auto& v : verdicts) {
    if (v.fits && fit_index < scores.size()) v.score = scores[fit_index++].score;
  }
  std::sort(verdicts.begin(), verdicts.end(),
            [](const NodeVerdict& a, const NodeVerdict& b) { return a.node < b.node; });
  attempt.nodes = std::move(verdicts);
  attempt.chosen_node = host;
  attempt.chosen_why = "score " + std::to_string(best) + " of 100, LeastRequestedPriority" +
                       (ties > 1 ? "; " + std::to_string(ties) +
                                       " nodes tied, broken by the hash of seed " +
                                       std::to_string(options_.seed) + ", pod and node"
                                 : "");

  // Assume: the pod on its node, then its volumes.
  api::Pod assumed = *pod;
  if (!assumeAndBindVolumes(&assumed, host, qi, cycle, pre, attempt)) return true;
  StartBindingCycle(std::move(assumed), std::move(host), std::move(qi), cycle,
                    std::move(attempt));
  return true;
}

bool Scheduler::assumeAndBindVolumes(api::Pod* assumed, const std::string& host,
                                     QueuedPodInfo& qi, int64_t cycle,
                                     const VolumeBindingChecker::PreFilterResult& pre,
                                     SchedulingAttempt& attempt) {
  const std::string key = qi.key;
  auto assume_start = SteadyClock::now();
  auto result = binder_.AssumePodVolumes(assumed, host);
  assumed->mutable_spec()->set_node_name(host);
  if (!result.ok()) {
    AddStat(&SchedulerStats::assume_ns, assume_start);
    attempt.steps.push_back("AssumePodVolumes(" + key + ", " + host +
                            ") failed: " + result.status().message());
    HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError,
                            "running Reserve plugin \"VolumeBinding\": " + result.status().message(),
                            Requeue::Backoff, &attempt);
    return false;
  }
  Status assumed_pod = node_cache_.AssumePod(std::make_shared<api::Pod>(*assumed));
  AddStat(&SchedulerStats::assume_ns, assume_start);
  if (!assumed_pod.ok()) {
    binder_.RevertAssumedPodVolumes(key, host);
    HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError, assumed_pod.message(),
                            Requeue::Backoff, &attempt);
    return false;
  }
  std::string answer = "AssumePodVolumes(" + key + ", " + host + ") -> allBound=" +
                       (result->all_bound ? "true" : "false") + ", bindingRequired=" +
                       (result->binding_required ? "true" : "false");
  if (pre.skip) answer += " (the pod has no claims)";
  attempt.steps.push_back(answer);
  if (result->all_bound) return true;

  if (result->binding_required) {
    PodBindingCache::Entry entry;
    if (binder_.GetBindingsCache().GetBindings(key, host, &entry)) {
      for (const auto& b : entry.bindings) {
        attempt.steps.push_back("  assumed in the assume cache: PV " + b.pv->metadata().name() +
                                " claimRef -> " + pvcontroller::ClaimToClaimKey(*b.pvc));
      }
      for (const auto& c : entry.provisions) {
        attempt.steps.push_back("  assumed in the assume cache: claim " +
                                pvcontroller::ClaimToClaimKey(*c) + " " +
                                pvcontroller::kAnnSelectedNode + "=" + host);
      }
    }
    attempt.steps.push_back("  -> on the volume binder bind queue (volumeBinderBindQueue)");
    attempt.outcome = "waiting for bindVolumesWorker to run BindPodVolumes";
    explain_.Record(key, std::move(attempt));  // the cycle ends here
    auto work = std::make_shared<BindWork>();
    work->assumed = std::move(*assumed);  // scheduleOne reads it no more
    work->qi = std::move(qi);
    work->cycle = cycle;
    {
      std::lock_guard<std::mutex> l(bind_mu_);
      bind_work_[key] = std::move(work);
    }
    volume_binder_bind_queue_.Add(key);
    return false;
  }

  // The binds are written; the PV controller has not completed them yet.
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    ++stats_.volume_waits;
  }
  auto started = VolumeWaitStart(key);
  if (started && clock_->Now() - *started >= options_.bind_timeout) {
    node_cache_.ForgetPod(key);
    binder_.RevertAssumedPodVolumes(key, host);
    EndVolumeWait(key);
    HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError,
                            "running PreBind plugin \"VolumeBinding\": binding volumes: timed out "
                            "waiting for the condition",
                            Requeue::Backoff, &attempt);
    return false;
  }
  std::vector<std::string> pvs;
  for (const auto& c : pre.claims.unbound_delay_binding) {
    for (const auto& pv : binder_.pv_cache().ListPVsForClaim(pvcontroller::ClaimToClaimKey(*c))) {
      pvs.push_back(pv->metadata().name());
    }
  }
  StartVolumeWait(*assumed, host, pvs, /*reset_clock=*/false);
  attempt.outcome =
      "the volume binds BindPodVolumes wrote are not complete yet: waiting for the PV "
      "controller (a claim's pv.kubernetes.io/bind-completed)";
  attempt.requeue = "parked until one of its claims or PVs changes (bind timeout " +
                    FormatDuration(options_.bind_timeout) + "); the pod keeps its place on " +
                    host;
  explain_.Record(key, std::move(attempt));  // the cycle ends here
  queue_.AddWaitingForVolumes(std::move(qi), cycle);
  return false;
}

void Scheduler::BindPod(const api::Pod& assumed, const std::string& host, QueuedPodInfo& qi,
                        int64_t cycle, SchedulingAttempt& attempt) {
  const std::string key = qi.key;
  api::Binding binding;
  binding.mutable_metadata()->set_namespace_(assumed.metadata().namespace_());
  binding.mutable_metadata()->set_name(assumed.metadata().name());
  binding.mutable_metadata()->set_uid(assumed.metadata().uid());
  binding.mutable_target()->set_kind("Node");
  binding.mutable_target()->set_name(host);
  auto bind_start = SteadyClock::now();
  auto bound = client_->Bind(binding);
  AddStat(&SchedulerStats::bind_ns, bind_start);
  if (!bound.ok()) {
    ForgetAssumedPod(key, "unassumed: its binding failed");
    attempt.steps.push_back("Binding " + key + " -> " + host + " failed: " +
                            bound.status().message());
    HandleSchedulingFailure(std::move(qi), cycle, kReasonSchedulerError,
                            "running Bind plugin \"DefaultBinder\": " + bound.status().message(),
                            Requeue::Backoff, &attempt);
    return;
  }
  std::string message = "Successfully assigned " + key + " to " + host;
  attempt.steps.push_back("Binding " + key + " -> " + host +
                          ": spec.nodeName set, PodScheduled=True");
  attempt.outcome = "Normal Scheduled: " + message;
  // Recorded before the event is written: whoever sees the event finds the record.
  explain_.Record(key, std::move(attempt));
  recorder_.Event(assumed, "Normal", "Scheduled", message);
  EndVolumeWait(key);
  binder_.DeletePodBindings(key);
  queue_.Done(key, assumed.metadata().uid());
  std::lock_guard<std::mutex> l(stats_mu_);
  ++stats_.scheduled;
}

// ---------------------------------------------------------------- binding cycles

void Scheduler::StartBindingCycle(api::Pod assumed, std::string host, QueuedPodInfo qi,
                                  int64_t cycle, SchedulingAttempt attempt) {
  std::string key = qi.key;
  auto work = std::make_unique<BindingCycle>();
  work->assumed = std::move(assumed);
  work->host = std::move(host);
  work->qi = std::move(qi);
  work->cycle = cycle;
  work->attempt = std::move(attempt);
  {
    std::lock_guard<std::mutex> l(bind_mu_);
    binding_cycles_[key] = std::move(work);
  }
  binding_cycle_queue_.Add(key);
}

void Scheduler::bindingCycleWorker() {
  std::string key;
  while (binding_cycle_queue_.Get(&key)) {
    std::unique_ptr<BindingCycle> work;
    {
      std::lock_guard<std::mutex> l(bind_mu_);
      auto it = binding_cycles_.find(key);
      if (it != binding_cycles_.end()) {
        work = std::move(it->second);
        binding_cycles_.erase(it);
      }
    }
    if (work && !CurrentPod(key, work->assumed.metadata().uid())) {
      // Deleted while its binding cycle waited: nothing to bind, no failure to record.
      ForgetAssumedPod(key, "deleted before its binding");
      binder_.DeletePodBindings(key);
      queue_.Done(key, work->assumed.metadata().uid());
    } else if (work) {
      BindPod(work->assumed, work->host, work->qi, work->cycle, work->attempt);
    }
    binding_cycle_queue_.Done(key);
  }
}

void Scheduler::ForgetAssumedPod(const std::string& key, const std::string& why) {
  node_cache_.ForgetPod(key);
  // Another pod's cycle may have found the node full of this one meanwhile (binding runs
  // beside scheduling): what it held is free again, as upstream's handleBindingCycleError.
  queue_.MoveAllToActiveOrBackoffQueue("Pod " + key + " " + why);
}

// ---------------------------------------------------------------- bindVolumesWorker

void Scheduler::bindVolumesWorker() {
  std::string key;
  while (volume_binder_bind_queue_.Get(&key)) {
    ProcessBindWork(key);
    volume_binder_bind_queue_.Done(key);
  }
}

void Scheduler::ProcessBindWork(const std::string& key) {
  std::shared_ptr<BindWork> work;
  {
    std::lock_guard<std::mutex> l(bind_mu_);
    auto it = bind_work_.find(key);
    if (it == bind_work_.end()) return;
    work = std::move(it->second);
    bind_work_.erase(it);
  }
  const std::string& node = work->assumed.spec().node_name();
  PodRef current = CurrentPod(key, work->assumed.metadata().uid());
  if (!current || !current->metadata().deletion_timestamp().empty()) {
    // The pod is gone: nothing to bind for. Roll the assumptions back.
    binder_.RevertAssumedPodVolumes(key, node);
    node_cache_.ForgetPod(key);
    explain_.AddStep(key, work->cycle,
                     "bindVolumesWorker: the pod was deleted before BindPodVolumes; its "
                     "assumptions were rolled back");
    queue_.Done(key, work->assumed.metadata().uid());
    return;
  }

  PodBindingCache::Entry entry;
  binder_.GetBindingsCache().GetBindings(key, node, &entry);
  std::vector<std::string> pvs;
  for (const auto& b : entry.bindings) pvs.push_back(b.pv->metadata().name());
  // The bind timeout runs from here: the writes, then the PV controller's part.
  StartVolumeWait(*current, node, pvs, /*reset_clock=*/true);
  auto start = SteadyClock::now();
  Status s = binder_.BindPodVolumes(work->assumed);
  AddStat(&SchedulerStats::bind_volumes_ns, start);
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    ++stats_.volume_binds;
  }
  std::string when = FormatRFC3339(clock_->Now());
  if (!s.ok()) {
    // Roll back: the PVs not written are restored (BindPodVolumes did it), the pod leaves its
    // node, and it is tried again after its backoff.
    binder_.RevertAssumedPodVolumes(key, node);
    ForgetAssumedPod(key, "unassumed: BindPodVolumes failed");
    EndVolumeWait(key);
    explain_.AddStep(key, work->cycle,
                     "bindVolumesWorker: BindPodVolumes(" + key + ") failed at " + when + ": " +
                         s.message() + "; assumptions rolled back");
    HandleSchedulingFailure(std::move(work->qi), work->cycle, kReasonSchedulerError,
                            "running PreBind plugin \"VolumeBinding\": " + s.message(),
                            Requeue::Backoff, nullptr);
    return;
  }
  std::string wrote;
  for (const auto& b : entry.bindings) {
    wrote += (wrote.empty() ? "" : ", ") + b.pv->metadata().name() + " claimRef=" +
             pvcontroller::ClaimToClaimKey(*b.pvc);
  }
  for (const auto& c : entry.provisions) {
    wrote += (wrote.empty() ? "" : ", ") + pvcontroller::ClaimToClaimKey(*c) + " " +
             pvcontroller::kAnnSelectedNode + "=" + node;
  }
  explain_.AddStep(key, work->cycle,
                   "bindVolumesWorker: BindPodVolumes(" + key + ") ok at " + when + ": wrote " +
                       wrote);
  explain_.SetOutcome(key, work->cycle,
                      "volumes pre-bound; the PV controller completes the binds");
  explain_.SetRequeue(key, work->cycle,
                      "back to the active queue at " + when +
                          ", as the article's scheduler does after BindPodVolumes; the next "
                          "cycle binds the pod once AssumePodVolumes finds allBound");
  // The pod keeps its place on the node until the next cycle.
  work->qi.pod = current;
  queue_.AddActive(std::move(work->qi), "BindPodVolumes succeeded");
}

// ---------------------------------------------------------------- failures

void Scheduler::HandleSchedulingFailure(QueuedPodInfo qi, int64_t cycle, const std::string& reason,
                                        const std::string& message, Requeue how,
                                        SchedulingAttempt* attempt) {
  auto start = SteadyClock::now();
  const std::string key = qi.key;
  {
    std::lock_guard<std::mutex> l(stats_mu_);
    ++(reason == kReasonUnschedulable ? stats_.unschedulable : stats_.errors);
  }
  PodRef current = CurrentPod(key, qi.pod->metadata().uid());
  if (current) qi.pod = current;
  std::string when = FormatRFC3339(clock_->Now());
  std::string requeue;
  if (how == Requeue::Unschedulable) {
    requeue = "to the unschedulable set at " + when +
              "; it moves back when a PV, PVC, StorageClass or node changes or an assigned pod "
              "is deleted (at most " + FormatDuration(options_.pod_max_in_unschedulable) +
              " later), via the backoff queue if its backoff (" +
              FormatDuration(queue_.BackoffDuration(qi.attempts)) + ") is not over";
    queue_.AddUnschedulableIfNotPresent(std::move(qi), cycle);
    if (auto expiry = queue_.BackoffExpiry(key)) {
      requeue = "to the backoff queue at " + when +
                " (something changed while it was being scheduled); active again at " +
                FormatRFC3339(*expiry) + ", or sooner if the active queue empties";
    }
  } else {
    queue_.AddBackoff(std::move(qi));
    requeue = "to the backoff queue at " + when;
    if (auto expiry = queue_.BackoffExpiry(key)) {
      requeue += "; active again at " + FormatRFC3339(*expiry);
    }
  }
  std::string outcome = "Warning FailedScheduling: " + message;
  if (attempt) {
    attempt->outcome = outcome;
    attempt->requeue = requeue;
    explain_.Record(key, std::move(*attempt));
  } else {
    explain_.SetOutcome(key, cycle, outcome);
    explain_.SetRequeue(key, cycle, requeue);
  }
  // Told after the record is made: whoever sees the event or condition finds the record.
  if (current) {
    recorder_.Event(*current, "Warning", "FailedScheduling", message);
    UpdatePodScheduledCondition(key, cycle, reason, message);
  }
  AddStat(&SchedulerStats::failure_ns, start);
}

void Scheduler::UpdatePodScheduledCondition(const std::string& pod_key, int64_t cycle,
                                            const std::string& reason,
                                            const std::string& message) {
  std::lock_guard<std::mutex> write(condition_write_mu_);
  {
    std::lock_guard<std::mutex> l(condition_mu_);
    int64_t& newest = condition_cycle_[pod_key];
    if (cycle < newest) return;  // a later cycle's outcome is on the pod already
    newest = cycle;
  }
  PodRef pod = CurrentPod(pod_key, "");
  for (int attempt = 0; pod && attempt < 5; ++attempt) {
    const api::PodCondition* existing = nullptr;
    for (const auto& c : pod->status().conditions()) {
      if (c.type() == "PodScheduled") existing = &c;
    }
    // UpdatePodCondition: nothing to write when the condition already says this.
    if (existing && existing->status() == "False" && existing->reason() == reason &&
        existing->message() == message) {
      return;
    }
    api::Pod updated = *pod;
    api::PodCondition* cond = nullptr;
    for (auto& c : *updated.mutable_status()->mutable_conditions()) {
      if (c.type() == "PodScheduled") cond = &c;
    }
    if (!cond) {
      cond = updated.mutable_status()->add_conditions();
      cond->set_type("PodScheduled");
    }
    if (cond->status() != "False") cond->set_last_transition_time(FormatRFC3339(clock_->Now()));
    cond->set_status("False");
    cond->set_reason(reason);
    cond->set_message(message);
    cond->clear_last_probe_time();
    if (updated.status().phase().empty()) updated.mutable_status()->set_phase("Pending");
    auto r = client_->UpdateStatus(updated);
    if (r.ok() || !r.status().IsConflict()) return;
    // Someone wrote the pod meanwhile: read it again and retry.
    auto fresh = client_->Get<api::Pod>(updated.metadata().namespace_(), updated.metadata().name());
    if (!fresh.ok() || fresh->metadata().uid() != updated.metadata().uid() ||
        !fresh->spec().node_name().empty()) {
      return;
    }
    pod = std::make_shared<api::Pod>(std::move(*fresh));
  }
}

// ---------------------------------------------------------------- explain

std::string Scheduler::DescribeNow(const std::string& pod_key) {
  PodRef pod = CurrentPod(pod_key, "");
  if (!pod) return "the pod does not exist (any more)";
  if (!pod->spec().node_name().empty()) return "bound to " + pod->spec().node_name();
  std::string where = SchedulingQueue::WhereName(queue_.Locate(pod_key));
  std::string out = "pending, in the scheduling queue: " + where;
  {
    std::lock_guard<std::mutex> l(bind_mu_);
    if (bind_work_.count(pod_key)) out = "pending, on the volume binder bind queue";
  }
  std::string node = node_cache_.NodeOf(pod_key);
  if (!node.empty()) out += " (assumed on " + node + ")";
  return out;
}

Result<std::string> Scheduler::Explain(const std::string& ns, const std::string& name) {
  std::string key = (ns.empty() ? std::string("default") : ns) + "/" + name;
  if (!CurrentPod(key, "") && !explain_.Has(key)) return Status::NotFound("pods", name);
  return explain_.Render(key, DescribeNow(key));
}

}  // namespace lpv::scheduler
