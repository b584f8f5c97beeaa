#include "kubelet-fake/node_lifecycle.h"

#include <algorithm>
#include <vector>

#include "api/scheme.h"
#include "client/thread_name.h"
#include "kubelet-fake/kubelet.h"

namespace lpv::kubelet {

namespace {

constexpr char kMonitorKey[] = "#monitor";  // '#' is never in a node name
constexpr char kNodeNameIndex[] = "spec.nodeName";
constexpr int kRetries = 5;

const api::KindInfo& NodeKind() { return *api::KindOf("Node"); }
const api::KindInfo& PodKind() { return *api::KindOf("Pod"); }
const api::KindInfo& LeaseKind() { return *api::KindOf("Lease"); }

const api::NodeCondition* FindCondition(const api::Node& node, const std::string& type) {
  for (const auto& c : node.status().conditions()) {
    if (c.type() == type) return &c;
  }
  return nullptr;
}

// nodeConditionToTaintKeyStatusMap: which condition in which status taints the node.
struct ConditionTaint {
  const char* condition;
  const char* status;
  const char* key;
};
constexpr ConditionTaint kConditionTaints[] = {
    {"Ready", "False", kTaintNodeNotReady},
    {"Ready", "Unknown", kTaintNodeUnreachable},
    {"MemoryPressure", "True", "node.kubernetes.io/memory-pressure"},
    {"DiskPressure", "True", "node.kubernetes.io/disk-pressure"},
    {"NetworkUnavailable", "True", "node.kubernetes.io/network-unavailable"},
    {"PIDPressure", "True", "node.kubernetes.io/pid-pressure"},
};

bool ManagedNoScheduleKey(const std::string& key) {
  if (key == kTaintNodeUnschedulable) return true;
  for (const auto& ct : kConditionTaints) {
    if (key == ct.key) return true;
  }
  return false;
}

// The taints the controller wants on `node`: (key, effect) pairs.
std::vector<std::pair<std::string, std::string>> DesiredTaints(const api::Node& node) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : node.status().conditions()) {
    for (const auto& ct : kConditionTaints) {
      if (c.type() == ct.condition && c.status() == ct.status) out.emplace_back(ct.key, "NoSchedule");
    }
  }
  if (node.spec().unschedulable()) out.emplace_back(kTaintNodeUnschedulable, "NoSchedule");
  // Taint-based eviction: "unreachable" and "not ready" are mutually exclusive.
  if (const auto* ready = FindCondition(node, "Ready")) {
    if (ready->status() == "False") out.emplace_back(kTaintNodeNotReady, "NoExecute");
    if (ready->status() == "Unknown") out.emplace_back(kTaintNodeUnreachable, "NoExecute");
  }
  return out;
}

bool Managed(const api::Taint& t) {
  if (t.effect() == "NoSchedule") return ManagedNoScheduleKey(t.key());
  if (t.effect() == "NoExecute") {
    return t.key() == kTaintNodeNotReady || t.key() == kTaintNodeUnreachable;
  }
  return false;
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(client::Client* client,
                                                 NodeLifecycleOptions options)
    : client_(client), options_(options),
      clock_(options_.clock ? options_.clock : RealClock::Get()),
      recorder_(client, clock_, "node-controller"),
      leases_(client, LeaseKind(), kNodeLeaseNamespace, {}, clock_),
      queue_(std::make_shared<client::WorkQueue>(clock_)) {
  auto* informers = client::SharedOrOwn(options_.informers, &own_informers_, client, clock_);
  nodes_ = informers->InformerFor(NodeKind());
  pods_ = informers->InformerFor(PodKind());
  auto queue = queue_;
  auto enqueue = [queue](const client::ObjectRef& o) { queue->Add(api::Meta(*o).name()); };
  nodes_->AddEventHandler(
      {enqueue, [queue](const client::ObjectRef&, const client::ObjectRef& o) {
         queue->Add(api::Meta(*o).name());
       },
       nullptr});
  // A renewed lease is a heartbeat: look at the node now, not at the next monitor tick.
  leases_.AddEventHandler(
      {enqueue, [queue](const client::ObjectRef&, const client::ObjectRef& o) {
         queue->Add(api::Meta(*o).name());
       },
       nullptr});
  pods_->AddIndexer(kNodeNameIndex, [](const google::protobuf::Message& m) {
    const auto& pod = static_cast<const api::Pod&>(m);
    if (pod.spec().node_name().empty()) return std::vector<std::string>{};
    return std::vector<std::string>{pod.spec().node_name()};
  });
}

NodeLifecycleController::~NodeLifecycleController() { Stop(); }

void NodeLifecycleController::Start() {
  if (started_) return;
  started_ = true;
  nodes_->Start();
  pods_->Start();
  leases_.Start();
  // As every controller does (cache.WaitForCacheSync): the first look at a node must see
  // its Lease too, or the lease would seem renewed when it merely arrived late.
  for (auto* informer : {nodes_, pods_, &leases_}) {
    informer->WaitForCacheSync(std::chrono::seconds(30));
  }
  worker_ = std::thread([this] { Work(); });
  client::SetThreadName(worker_, "node-lifecycle");
  auto queue = queue_;
  monitor_ = std::make_unique<Ticker>(clock_, options_.monitor_period,
                                      [queue] { queue->Add(kMonitorKey); });
}

void NodeLifecycleController::Stop() {
  if (!started_) return;
  started_ = false;
  monitor_.reset();
  if (own_informers_) own_informers_->Stop();
  leases_.Stop();
  queue_->ShutDown();
  worker_.join();
  recorder_.Flush();
}

void NodeLifecycleController::Work() {
  std::string key;
  while (queue_->Get(&key)) {
    bool ok = true;
    if (key == kMonitorKey) {
      MonitorNodeHealth();
    } else {
      ok = SyncNodeTaints(key);
    }
    if (ok) {
      queue_->Forget(key);
    } else {
      queue_->AddRateLimited(key);
    }
    queue_->Done(key);
  }
}

void NodeLifecycleController::NodeEvent(const api::Node& node, const std::string& reason,
                                        const std::string& message) {
  api::Node ref;
  ref.mutable_metadata()->set_name(node.metadata().name());
  ref.mutable_metadata()->set_uid(node.metadata().uid());
  recorder_.Event(ref, "Normal", reason, message);
}

// ---------------------------------------------------------------- node health

void NodeLifecycleController::MonitorNodeHealth() {
  for (const auto& obj : nodes_->List()) {
    api::Node node = static_cast<const api::Node&>(*obj);
    for (int attempt = 0; attempt < kRetries; ++attempt) {
      if (UpdateNodeHealth(node)) break;
      auto fresh = client_->Get<api::Node>("", node.metadata().name());
      if (!fresh.ok()) break;  // deleted meanwhile
      node = std::move(*fresh);
    }
  }
}

TimePoint NodeLifecycleController::ObserveNodeHealth(const api::Node& node) {
  TimePoint now = clock_->Now();
  const api::NodeCondition* ready = FindCondition(node, "Ready");
  std::string heartbeat = ready ? ready->last_heartbeat_time() : "";
  auto it = health_.find(node.metadata().name());
  if (it == health_.end()) {
    // First sight: a node that never posted Ready counts from its creation (the startup
    // grace period applies), any other from now.
    TimePoint probe = now;
    if (ready == nullptr) {
      if (auto created = ParseRFC3339(node.metadata().creation_timestamp())) probe = *created;
    }
    it = health_.emplace(node.metadata().name(), NodeHealth{heartbeat, std::nullopt, probe}).first;
  } else if (it->second.heartbeat != heartbeat) {
    it->second.heartbeat = heartbeat;
    it->second.probe = now;
  }
  client::ObjectRef obj = leases_.Get(std::string(kNodeLeaseNamespace) + "/" + node.metadata().name());
  if (obj) ObserveLease(static_cast<const api::Lease&>(*obj), now);
  return it->second.probe;
}

void NodeLifecycleController::ObserveLease(const api::Lease& lease, TimePoint now) {
  auto it = health_.find(lease.metadata().name());
  if (it == health_.end()) return;
  auto renewed = ParseRFC3339(lease.spec().renew_time());
  if (lease.spec().holder_identity() == lease.metadata().name() && renewed &&
      (!it->second.renewed || *it->second.renewed < *renewed)) {
    it->second.renewed = renewed;
    it->second.probe = now;
  }
}

bool NodeLifecycleController::UpdateNodeHealth(const api::Node& in) {
  TimePoint now = clock_->Now();
  const api::NodeCondition* ready = FindCondition(in, "Ready");
  TimePoint probe = ObserveNodeHealth(in);
  Duration grace = ready ? options_.grace_period : options_.startup_grace_period;
  if (now <= probe + grace) return true;
  // Before giving up on the node, the Lease as the API has it: the informer may be behind,
  // and a renewal still in flight must not read as silence. Under a short grace period (the
  // demo's 400 ms) on a loaded machine, or a fake clock stepped ahead of the watch, that lag
  // is longer than the grace period itself.
  auto live = client_->Get<api::Lease>(kNodeLeaseNamespace, in.metadata().name());
  if (live.ok()) {
    ObserveLease(*live, now);
    probe = health_[in.metadata().name()].probe;
    if (now <= probe + grace) return true;
  }

  // The node stopped posting status: what it last said is no longer known.
  const std::string observed = ready ? ready->status() : "";
  api::Node node = in;
  std::string ts = FormatRFC3339(now);
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    api::NodeCondition* cur = nullptr;
    for (auto& c : *node.mutable_status()->mutable_conditions()) {
      if (c.type() == type) cur = &c;
    }
    if (cur == nullptr) {
      cur = node.mutable_status()->add_conditions();
      cur->set_type(type);
      cur->set_status("Unknown");
      cur->set_reason("NodeStatusNeverUpdated");
      cur->set_message("Kubelet never posted node status.");
      cur->set_last_heartbeat_time(in.metadata().creation_timestamp());
      cur->set_last_transition_time(ts);
    } else if (cur->status() != "Unknown") {
      cur->set_status("Unknown");
      cur->set_reason("NodeStatusUnknown");
      cur->set_message("Kubelet stopped posting node status.");
      cur->set_last_transition_time(ts);
    }
  }
  const api::NodeCondition* now_ready = FindCondition(node, "Ready");
  bool ready_changed = ready == nullptr || now_ready->status() != ready->status() ||
                       now_ready->reason() != ready->reason();
  if (!ready_changed) return true;
  auto written = client_->UpdateStatus(node);
  if (!written.ok()) return !written.status().IsConflict();
  if (observed == "True") {
    NodeEvent(node, "NodeNotReady",
              "Node " + node.metadata().name() + " status is now: NodeNotReady");
    MarkPodsNotReady(node.metadata().name());
  }
  return true;
}

void NodeLifecycleController::MarkPodsNotReady(const std::string& node_name) {
  for (const auto& obj : pods_->ByIndex(kNodeNameIndex, node_name)) {
    api::Pod pod = static_cast<const api::Pod&>(*obj);
    for (int attempt = 0; attempt < kRetries; ++attempt) {
      api::PodCondition* ready = nullptr;
      for (auto& c : *pod.mutable_status()->mutable_conditions()) {
        if (c.type() == "Ready") ready = &c;
      }
      if (ready == nullptr || ready->status() == "False") break;
      ready->set_status("False");
      ready->set_last_transition_time(FormatRFC3339(clock_->Now()));
      auto written = client_->UpdateStatus(pod);
      if (written.ok()) {
        recorder_.Event(pod, "Warning", "NodeNotReady", "Node is not ready");
        break;
      }
      if (!written.status().IsConflict()) break;
      auto fresh = client_->Get<api::Pod>(pod.metadata().namespace_(), pod.metadata().name());
      if (!fresh.ok() || fresh->spec().node_name() != node_name) break;
      pod = std::move(*fresh);
    }
  }
}

// ---------------------------------------------------------------- taints

bool NodeLifecycleController::SyncNodeTaints(const std::string& name) {
  client::ObjectRef obj = nodes_->Get(name);
  if (!obj) {
    known_nodes_.erase(name);
    health_.erase(name);
    return true;
  }
  api::Node node = static_cast<const api::Node&>(*obj);
  ObserveNodeHealth(node);
  if (known_nodes_.insert(name).second) {
    NodeEvent(node, "RegisteredNode",
              "Node " + name + " event: Registered Node " + name + " in Controller");
  }
  for (int attempt = 0; attempt < kRetries; ++attempt) {
    auto desired = DesiredTaints(node);
    std::vector<api::Taint> next;
    std::set<std::pair<std::string, std::string>> have;
    for (const auto& t : node.spec().taints()) {
      std::pair<std::string, std::string> ke{t.key(), t.effect()};
      bool wanted = std::find(desired.begin(), desired.end(), ke) != desired.end();
      if (Managed(t) && !wanted) continue;  // the condition behind it is gone
      next.push_back(t);
      have.insert(ke);
    }
    std::string now = FormatRFC3339(clock_->Now());
    for (const auto& ke : desired) {
      if (have.count(ke)) continue;
      api::Taint t;
      t.set_key(ke.first);
      t.set_effect(ke.second);
      t.set_time_added(now);  // SwapNodeControllerTaint stamps every taint it adds
      next.push_back(t);
      have.insert(ke);
    }
    bool same = static_cast<int>(next.size()) == node.spec().taints_size();
    for (size_t i = 0; same && i < next.size(); ++i) {
      const auto& a = next[i];
      const auto& b = node.spec().taints(static_cast<int>(i));
      same = a.key() == b.key() && a.effect() == b.effect() && a.value() == b.value();
    }
    if (same) return true;
    node.mutable_spec()->clear_taints();
    for (auto& t : next) *node.mutable_spec()->add_taints() = std::move(t);
    auto written = client_->Update(node);
    if (written.ok() || written.status().IsNotFound()) return true;
    if (!written.status().IsConflict()) return false;
    auto fresh = client_->Get<api::Node>("", name);
    if (!fresh.ok()) return fresh.status().IsNotFound();
    node = std::move(*fresh);
  }
  return false;
}

}  // namespace lpv::kubelet
