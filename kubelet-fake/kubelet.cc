#include "kubelet-fake/kubelet.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "api/message_equal.h"
#include "api/scheme.h"
#include "api/selectors.h"
#include "kubelet-fake/disks.h"

namespace lpv::kubelet {

namespace fs = std::filesystem;

namespace {

constexpr char kHeartbeatKey[] = "heartbeat";  // pod keys always hold a '/'
constexpr char kLeaseKey[] = "lease";
constexpr int kConflictRetries = 5;

const api::KindInfo& PodKind() { return *api::KindOf("Pod"); }

// Go's %v of a []string: [a b c].
std::string GoList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + v[i];
  return out + "]";
}

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// The node conditions the kubelet reports, in its order, with its reasons and messages
// (pkg/kubelet/nodestatus/setters.go), and the event it records when one changes.
struct ConditionSpec {
  const char* type;
  const char* status;
  const char* reason;
  const char* message;
  const char* event;
};
constexpr ConditionSpec kNodeConditions[] = {
    {"MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available", "NodeHasSufficientMemory"},
    {"DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure",
     "NodeHasNoDiskPressure"},
    {"PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available",
     "NodeHasSufficientPID"},
    {"Ready", "True", "KubeletReady", "kubelet is posting ready status", "NodeReady"},
};

// Sets a pod condition to `status`, keeping its lastTransitionTime unless it changes.
void SetPodCondition(api::PodStatus* status, const api::PodStatus& old, const std::string& type,
                     const std::string& value, const std::string& now,
                     const std::string& reason = "", const std::string& message = "") {
  api::PodCondition c;
  c.set_type(type);
  c.set_status(value);
  c.set_reason(reason);
  c.set_message(message);
  c.set_last_transition_time(now);
  for (const auto& o : old.conditions()) {
    if (o.type() == type && o.status() == value && !o.last_transition_time().empty()) {
      c.set_last_transition_time(o.last_transition_time());
    }
  }
  *status->add_conditions() = c;
}

// The names of the volumes the pod's containers mount: the only ones the volume manager
// processes ("Volume is not used in the pod, ignore it").
std::set<std::string> UsedVolumes(const api::Pod& pod) {
  std::set<std::string> used;
  for (const auto& c : pod.spec().init_containers()) {
    for (const auto& m : c.volume_mounts()) used.insert(m.name());
  }
  for (const auto& c : pod.spec().containers()) {
    for (const auto& m : c.volume_mounts()) used.insert(m.name());
  }
  return used;
}

bool ContainersRunning(const api::Pod& pod) {
  if (pod.status().container_statuses_size() == 0) return false;
  for (const auto& cs : pod.status().container_statuses()) {
    if (!cs.state().has_running()) return false;
  }
  return true;
}

// Appends "<ns>/<name> <uid> mounted at <time>" to the volume's marker file, once per pod.
Status WriteMarker(const std::string& dir, const api::Pod& pod, const std::string& now) {
  std::string who = pod.metadata().namespace_() + "/" + pod.metadata().name() + " " +
                    pod.metadata().uid() + " ";
  fs::path marker = fs::path(dir) / kMarkerFile;
  {
    std::ifstream in(marker);
    std::string line;
    while (std::getline(in, line)) {
      if (line.compare(0, who.size(), who) == 0) return Status::OK();
    }
  }
  std::ofstream out(marker, std::ios::app);
  out << who << "mounted at " << now << "\n";
  if (!out) return Status::Internal("cannot write " + marker.string());
  return Status::OK();
}

// Node statuses equal but for their conditions' lastHeartbeatTime.
bool SameButHeartbeats(api::NodeStatus a, api::NodeStatus b) {
  for (auto* st : {&a, &b}) {
    for (auto& c : *st->mutable_conditions()) c.clear_last_heartbeat_time();
  }
  return api::SameMessage(a, b);
}

}  // namespace

FakeKubelet::FakeKubelet(client::Client* client, KubeletOptions options)
    : client_(client), options_(std::move(options)),
      clock_(options_.clock ? options_.clock : RealClock::Get()),
      recorder_(options_.events
                    ? client::EventRecorder(options_.events, "kubelet", options_.node_name)
                    : client::EventRecorder(client, clock_, "kubelet", options_.node_name)) {
  node_labels_ = options_.labels;
  node_labels_["kubernetes.io/hostname"] = options_.node_name;
  node_labels_["kubernetes.io/os"] = "linux";
  node_labels_["kubernetes.io/arch"] = "amd64";
  node_labels_["beta.kubernetes.io/os"] = "linux";
  node_labels_["beta.kubernetes.io/arch"] = "amd64";
}

FakeKubelet::~FakeKubelet() { Stop(); }

// The first three octets of the node's pod CIDR: 10.244.<index> as kind numbers its first
// 255 nodes, then 10.<index / 256>.<index % 256> so a fleet of thousands still gets valid,
// distinct /24s.
std::string FakeKubelet::PodPrefix() const {
  int i = options_.node_index;
  if (i < 256) return "10.244." + std::to_string(i);
  return "10." + std::to_string(i / 256) + "." + std::to_string(i % 256);
}

std::string FakeKubelet::InternalIP() const {
  int n = options_.node_index + 1;  // 172.18.0.<index+1>, carrying into the third octet
  return "172.18." + std::to_string(n / 256) + "." + std::to_string(n % 256);
}

void FakeKubelet::NodeEvent(const std::string& reason, const std::string& message) {
  // The kubelet's node reference carries the node name as its UID.
  api::Node ref;
  ref.mutable_metadata()->set_name(options_.node_name);
  ref.mutable_metadata()->set_uid(options_.node_name);
  recorder_.Event(ref, "Normal", reason, message);
}

Status FakeKubelet::Register() {
  std::lock_guard<std::mutex> l(run_mu_);
  return RegisterLocked();
}

Status FakeKubelet::RegisterLocked() {
  if (running_ || registered_) return Status::OK();
  latest_lease_.reset();  // a kubelet (re)starting reads its Lease first, as a new controller
  Status s = PostNodeStatus(/*starting=*/true);
  if (!s.ok()) return s;
  s = RenewLease();
  if (!s.ok()) return s;
  registered_ = true;
  return Status::OK();
}

Status FakeKubelet::Start() {
  std::lock_guard<std::mutex> l(run_mu_);
  if (running_) return Status::OK();
  Status s = RegisterLocked();
  if (!s.ok()) return s;

  auto queue = std::make_shared<client::WorkQueue>(clock_, options_.mount_backoff);
  {
    std::lock_guard<std::mutex> ql(queue_mu_);
    queue_ = queue;
  }
  if (options_.pods) {
    pods_ = options_.pods;  // its owner routes this node's pods to Enqueue
  } else {
    own_pods_ = std::make_unique<client::Informer>(
        client_, PodKind(), "",
        client::ListOptions{"", "spec.nodeName=" + options_.node_name, ""}, clock_);
    auto enqueue = [queue](const client::ObjectRef& o) { queue->Add(api::KeyOf(*o)); };
    own_pods_->AddEventHandler({enqueue,
                                [queue](const client::ObjectRef&, const client::ObjectRef& o) {
                                  queue->Add(api::KeyOf(*o));
                                },
                                enqueue});
    pods_ = own_pods_.get();
    own_pods_->Start();
  }
  worker_.Start(queue, [this](const std::string& key) { return Sync(key); }, options_.workers,
                "kubelet");
  heartbeat_ = std::make_unique<Ticker>(clock_, options_.heartbeat_period,
                                        [queue] { queue->Add(kHeartbeatKey); });
  lease_ = std::make_unique<Ticker>(clock_, options_.lease_renew_interval,
                                    [queue] { queue->Add(kLeaseKey); });
  // Pods bound while the node was down (or before the shared informer's first events
  // reached a stopped node).
  if (options_.pods) {
    for (const auto& o : NodePods()) queue->Add(api::KeyOf(*o));
  }
  running_ = true;
  return Status::OK();
}

void FakeKubelet::Stop() {
  std::lock_guard<std::mutex> l(run_mu_);
  registered_ = false;
  if (!running_) return;
  running_ = false;
  heartbeat_.reset();
  lease_.reset();
  if (own_pods_) own_pods_->Stop();
  {
    std::lock_guard<std::mutex> ql(queue_mu_);
    queue_.reset();  // routed events stop here; the worker keeps its own reference
  }
  worker_.Stop();  // what is queued still runs, as before the node went down
  pods_ = nullptr;
  own_pods_.reset();
  recorder_.Flush();
}

void FakeKubelet::Resync() {
  std::lock_guard<std::mutex> l(run_mu_);
  if (!running_) return;
  for (const auto& o : NodePods()) Enqueue(api::KeyOf(*o));
}

void FakeKubelet::Enqueue(const std::string& pod_key) {
  std::lock_guard<std::mutex> l(queue_mu_);
  if (queue_) queue_->Add(pod_key);
}

void FakeKubelet::AddIndexers(client::Informer* pods) {
  pods->AddIndexer(kPodsByNodeIndex, [](const google::protobuf::Message& m) {
    const std::string& node = static_cast<const api::Pod&>(m).spec().node_name();
    return node.empty() ? std::vector<std::string>{} : std::vector<std::string>{node};
  });
}

std::vector<client::ObjectRef> FakeKubelet::NodePods() const {
  if (!pods_) return {};
  if (own_pods_) return pods_->List();  // its field selector already chose them
  return pods_->ByIndex(kPodsByNodeIndex, options_.node_name);
}

std::map<std::string, std::vector<std::string>> FakeKubelet::Mounts() const {
  std::lock_guard<std::mutex> l(mounts_mu_);
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [key, m] : mounts_) out[key] = m.paths;
  return out;
}

bool FakeKubelet::Sync(const std::string& key) {
  if (key == kHeartbeatKey) {
    PostNodeStatus(/*starting=*/false);  // a failed heartbeat waits for the next one
    return true;
  }
  if (key == kLeaseKey) {
    RenewLease();  // likewise
    return true;
  }
  return SyncPod(key);
}

// ---------------------------------------------------------------- node status

Status FakeKubelet::PostNodeStatus(bool starting) {
  const std::string& name = options_.node_name;
  for (int attempt = 0;; ++attempt) {
    // tryUpdateNodeStatus reads its first try with resourceVersion 0, from the API server's
    // cache: here the node informer's. A stale copy makes the write conflict, and the retry
    // reads the API. (A node the informer has not seen yet is read from the API too.)
    client::ObjectRef cached =
        attempt == 0 && !starting && options_.nodes ? options_.nodes->Get(name) : nullptr;
    Result<api::Node> cur = cached ? Result<api::Node>(static_cast<const api::Node&>(*cached))
                                   : client_->Get<api::Node>("", name);
    if (!cur.ok() && !cur.status().IsNotFound()) return cur.status();
    if (!cur.ok()) {
      // Like the real kubelet, only a starting kubelet registers its node: one deleted
      // behind its back stays deleted until the kubelet restarts.
      if (!starting) return cur.status();
      // registerWithAPIServer: the Node object first, its status right after.
      api::Node node;
      node.mutable_metadata()->set_name(name);
      // The pod CIDR node IPAM would give it; pod IPs come from it.
      node.mutable_spec()->set_pod_cidr(PodPrefix() + ".0/24");
      for (const auto& [k, v] : node_labels_) (*node.mutable_metadata()->mutable_labels())[k] = v;
      auto& ann = *node.mutable_metadata()->mutable_annotations();
      ann["node.alpha.kubernetes.io/ttl"] = "0";
      ann["volumes.kubernetes.io/controller-managed-attach-detach"] = "true";
      auto created = client_->CreateTyped(node);
      if (!created.ok() && !created.status().IsAlreadyExists()) return created.status();
      continue;
    }
    api::Node node = std::move(*cur);
    if (starting) {
      // Labels the kubelet owns are reconciled on every start.
      bool changed = false;
      auto& labels = *node.mutable_metadata()->mutable_labels();
      for (const auto& [k, v] : node_labels_) {
        auto it = labels.find(k);
        if (it == labels.end() || it->second != v) {
          labels[k] = v;
          changed = true;
        }
      }
      if (changed) {
        auto updated = client_->UpdateTyped(node);
        if (!updated.ok()) {
          if (updated.status().IsConflict() && attempt < kConflictRetries) continue;
          return updated.status();
        }
        node = std::move(*updated);
      }
    }

    std::string now = FormatRFC3339(clock_->Now());
    const api::NodeStatus old = node.status();
    api::NodeStatus* st = node.mutable_status();
    st->clear_capacity();
    st->clear_allocatable();
    for (const auto& [k, v] : options_.capacity) {
      (*st->mutable_capacity())[k] = v;
      (*st->mutable_allocatable())[k] = v;
    }
    std::vector<std::string> changed_events;
    st->clear_conditions();
    // Conditions the kubelet does not own (NetworkUnavailable) are kept.
    for (const auto& c : old.conditions()) {
      bool ours = false;
      for (const auto& spec : kNodeConditions) ours |= c.type() == spec.type;
      if (!ours) *st->add_conditions() = c;
    }
    for (const auto& spec : kNodeConditions) {
      api::NodeCondition c;
      c.set_type(spec.type);
      c.set_status(spec.status);
      c.set_reason(spec.reason);
      c.set_message(spec.message);
      c.set_last_heartbeat_time(now);
      c.set_last_transition_time(now);
      bool same = false;
      for (const auto& o : old.conditions()) {
        if (o.type() == spec.type && o.status() == spec.status) {
          c.set_last_transition_time(o.last_transition_time());
          same = true;
        }
      }
      if (!same || starting) changed_events.push_back(spec.event);
      *st->add_conditions() = c;
    }
    st->clear_addresses();
    auto* ip = st->add_addresses();
    ip->set_type("InternalIP");
    ip->set_address(InternalIP());
    auto* host = st->add_addresses();
    host->set_type("Hostname");
    host->set_address(name);
    auto* info = st->mutable_node_info();
    if (info->machine_id().empty()) {
      // Stable per node: a hash of its name, printed as a machine-id's 32 hex digits.
      uint64_t h = 1469598103934665603ull;
      for (char ch : name) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
      char buf[33];
      std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h),
                    static_cast<unsigned long long>(h * 0x9e3779b97f4a7c15ull));
      info->set_machine_id(buf);
    }
    info->set_kernel_version("6.1.0-lpv");
    info->set_os_image("lpv fake node");
    info->set_container_runtime_version("lpv://fake");
    info->set_kubelet_version(kKubeletVersion);
    info->set_kube_proxy_version(kKubeletVersion);
    info->set_operating_system("linux");
    info->set_architecture("amd64");

    // tryUpdateNodeStatus: nothing changed but the heartbeat, and the last report is
    // recent enough: the Lease says the node is alive, the status is not rewritten.
    if (!starting && changed_events.empty() &&
        options_.status_report_frequency > Duration::zero() &&
        clock_->Now() - last_status_report_ < options_.status_report_frequency &&
        SameButHeartbeats(old, *st)) {
      return Status::OK();
    }
    auto written = client_->UpdateStatusTyped(node);
    if (!written.ok()) {
      if (written.status().IsConflict() && attempt < kConflictRetries) continue;
      return written.status();
    }
    last_status_report_ = clock_->Now();
    node_uid_ = written->metadata().uid();
    if (starting) NodeEvent("Starting", "Starting kubelet.");
    for (const auto& ev : changed_events) {
      NodeEvent(ev, "Node " + name + " status is now: " + ev);
    }
    return Status::OK();
  }
}

// ---------------------------------------------------------------- pods

bool FakeKubelet::SyncPod(const std::string& key) {
  client::ObjectRef obj = pods_ ? pods_->Get(key) : nullptr;
  if (!obj) {
    // Gone from the API: whatever was mounted for it is unmounted.
    std::lock_guard<std::mutex> l(mounts_mu_);
    mounts_.erase(key);
    return true;
  }
  const auto& pod = static_cast<const api::Pod&>(*obj);
  if (pod.spec().node_name() != options_.node_name) return true;
  if (!pod.metadata().deletion_timestamp().empty()) return KillPod(pod);
  if (pod.status().phase() == "Succeeded" || pod.status().phase() == "Failed") return true;

  std::string now = FormatRFC3339(clock_->Now());
  const std::set<std::string> used = UsedVolumes(pod);
  const std::string& ns = pod.metadata().namespace_();

  // What the desired-state-of-world populator and the operation generator would say.
  struct ToMount {
    std::string spec_name;  // the PV name for a claim, else the pod's volume name
    std::string path;       // on the node
    bool host_path = false;
    std::string host_path_type;
    const api::VolumeNodeAffinity* affinity = nullptr;
  };
  std::vector<ToMount> to_mount;
  std::vector<api::PersistentVolume> pvs;  // keeps affinities alive
  pvs.reserve(pod.spec().volumes_size());
  std::vector<std::string> expected(used.begin(), used.end());
  std::vector<std::string> not_processed;
  std::vector<std::string> process_errors;
  for (const auto& vol : pod.spec().volumes()) {
    if (!used.count(vol.name())) continue;
    if (vol.has_persistent_volume_claim()) {
      const std::string& claim_name = vol.persistent_volume_claim().claim_name();
      auto fail = [&](const std::string& why) {
        not_processed.push_back(vol.name());
        process_errors.push_back("error processing PVC " + ns + "/" + claim_name + ": " + why);
      };
      auto claim = client_->Get<api::PersistentVolumeClaim>(ns, claim_name);
      if (!claim.ok()) {
        fail("failed to fetch PVC from API server: " + claim.status().message());
        continue;
      }
      if (!claim->metadata().deletion_timestamp().empty()) {
        fail("PVC is being deleted");
        continue;
      }
      if (claim->status().phase() != "Bound") {
        fail("PVC is not bound");
        continue;
      }
      const std::string& pv_name = claim->spec().volume_name();
      if (pv_name.empty()) {
        fail("PVC has empty pvc.Spec.VolumeName");
        continue;
      }
      auto pv = client_->Get<api::PersistentVolume>("", pv_name);
      if (!pv.ok()) {
        fail("failed to fetch PV " + pv_name + " from API server: " + pv.status().message());
        continue;
      }
      if (!pv->spec().has_claim_ref() || pv->spec().claim_ref().name().empty()) {
        fail("found PV object " + pv_name +
             " but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim");
        continue;
      }
      if (pv->spec().claim_ref().uid() != claim->metadata().uid()) {
        fail("found PV object " + pv_name + " but its pv.Spec.ClaimRef.UID " +
             pv->spec().claim_ref().uid() + " does not point to claim.UID " +
             claim->metadata().uid());
        continue;
      }
      pvs.push_back(std::move(*pv));
      const api::PersistentVolume& p = pvs.back();
      ToMount m;
      m.spec_name = pv_name;
      if (p.spec().has_local()) {
        m.path = p.spec().local().path();
      } else if (p.spec().has_host_path()) {
        m.path = p.spec().host_path().path();
        m.host_path = true;
        m.host_path_type = p.spec().host_path().type();
      } else {
        continue;  // no other volume plugin lives on this node's disks
      }
      if (p.spec().has_node_affinity()) m.affinity = &p.spec().node_affinity();
      to_mount.push_back(std::move(m));
    } else if (vol.has_host_path()) {
      ToMount m;
      m.spec_name = vol.name();
      m.path = vol.host_path().path();
      m.host_path = true;
      m.host_path_type = vol.host_path().type();
      to_mount.push_back(std::move(m));
    }
    // emptyDir and the rest need nothing from the node's disks.
  }

  std::vector<std::string> mount_errors;
  std::vector<std::string> mounted_paths;
  std::vector<std::string> unmounted;
  for (const auto& m : to_mount) {
    if (m.affinity && m.affinity->has_required() &&
        !api::NodeSelectorMatches(m.affinity->required(), node_labels_, options_.node_name)) {
      mount_errors.push_back("MountVolume.NodeAffinity check failed for volume \"" +
                             m.spec_name + "\" : no matching NodeSelectorTerms");
      continue;
    }
    auto host = HostPathOf(options_.node_root, m.path);
    if (!host.ok()) {
      mount_errors.push_back("MountVolume.NewMounter initialization failed for volume \"" +
                             m.spec_name + "\" : invalid path: " + m.path + " " +
                             host.status().message());
      continue;
    }
    std::error_code ec;
    if (m.host_path) {
      if (m.host_path_type == "Directory" && !fs::is_directory(*host, ec)) {
        mount_errors.push_back("MountVolume.SetUp failed for volume \"" + m.spec_name +
                               "\" : hostPath type check failed: " + m.path +
                               " is not a directory");
        continue;
      }
      // "" and DirectoryOrCreate: the runtime creates a missing directory.
      fs::create_directories(*host, ec);
      if (ec) {
        mount_errors.push_back("MountVolume.SetUp failed for volume \"" + m.spec_name +
                               "\" : mkdir " + m.path + ": " + ec.message());
        continue;
      }
    } else if (!fs::exists(*host, ec)) {
      mount_errors.push_back("MountVolume.NewMounter initialization failed for volume \"" +
                             m.spec_name + "\" : path \"" + m.path + "\" does not exist");
      continue;
    }
    mounted_paths.push_back(m.path);
  }

  if (!process_errors.empty()) {
    // WaitForAttachAndMount gives up at once when the populator reported errors.
    std::vector<std::string> unattached;  // local volumes are not attachable
    recorder_.Event(pod, "Warning", "FailedMount",
                    "Unable to attach or mount volumes: unmounted volumes=" + GoList(expected) +
                        ", unattached volumes=" + GoList(unattached) +
                        ", failed to process volumes=" + GoList(not_processed) + ": " +
                        Join(process_errors, "; "));
  }
  for (const auto& e : mount_errors) recorder_.Event(pod, "Warning", "FailedMount", e);
  if (!process_errors.empty() || !mount_errors.empty()) {
    // The kubelet posts the pod's status before it waits for volumes: still creating.
    // A pod already running (a restarted kubelet) keeps running.
    if (!ContainersRunning(pod)) UpdatePodStatus(pod, /*running=*/false);
    return false;
  }

  // Mounted: the pod's data goes to the disk, and survives the pod.
  {
    std::lock_guard<std::mutex> l(mounts_mu_);
    auto it = mounts_.find(key);
    bool fresh = it == mounts_.end() || it->second.uid != pod.metadata().uid();
    if (fresh) {
      for (const auto& p : mounted_paths) {
        Status s = WriteMarker(*HostPathOf(options_.node_root, p), pod, now);
        if (!s.ok()) {
          recorder_.Event(pod, "Warning", "FailedMount",
                          "MountVolume.SetUp failed for volume \"" + p + "\" : " + s.message());
          return false;
        }
      }
      std::sort(mounted_paths.begin(), mounted_paths.end());
      mounts_[key] = PodMounts{pod.metadata().uid(), mounted_paths};
    }
  }

  if (!ContainersRunning(pod)) {
    for (const auto& c : pod.spec().containers()) {
      recorder_.Event(pod, "Normal", "Pulled",
                      "Container image \"" + c.image() + "\" already present on machine");
      recorder_.Event(pod, "Normal", "Created", "Created container " + c.name());
      recorder_.Event(pod, "Normal", "Started", "Started container " + c.name());
    }
  }
  Status s = UpdatePodStatus(pod, /*running=*/true);
  return s.ok() || s.IsNotFound();
}

std::string FakeKubelet::AllocatePodIP(const api::Pod& pod) {
  auto it = pod_ips_.find(pod.metadata().uid());
  if (it != pod_ips_.end()) return it->second;
  std::set<std::string> used;
  for (const auto& [uid, ip] : pod_ips_) used.insert(ip);
  for (const auto& o : NodePods()) {
    const auto& p = static_cast<const api::Pod&>(*o);
    if (!p.status().pod_ip().empty()) used.insert(p.status().pod_ip());
  }
  std::string prefix = PodPrefix() + ".";
  std::string ip;
  for (int n = 2; n < 255 && ip.empty(); ++n) {
    if (!used.count(prefix + std::to_string(n))) ip = prefix + std::to_string(n);
  }
  if (ip.empty()) ip = prefix + "254";  // a full /24: share rather than fail
  pod_ips_[pod.metadata().uid()] = ip;
  return ip;
}

Status FakeKubelet::UpdatePodStatus(const api::Pod& in, bool running) {
  // The pod is copied only to be written: a restarted kubelet's syncs of pods already
  // Running change nothing (B14: 20,000 of them).
  std::optional<api::Pod> fresh;
  for (int attempt = 0;; ++attempt) {
    const api::Pod& pod = fresh ? *fresh : in;
    std::string now = FormatRFC3339(clock_->Now());
    const api::PodStatus& old = pod.status();
    api::PodStatus st;
    // generateAPIPodStatus: conditions in the kubelet's order, PodScheduled (the
    // scheduler's) kept as it is.
    st.set_phase(running ? "Running" : "Pending");
    SetPodCondition(&st, old, "Initialized", "True", now);
    if (running) {
      SetPodCondition(&st, old, "Ready", "True", now);
      SetPodCondition(&st, old, "ContainersReady", "True", now);
    } else {
      std::vector<std::string> names;
      for (const auto& c : pod.spec().containers()) names.push_back(c.name());
      std::string msg = "containers with unready status: " + GoList(names);
      SetPodCondition(&st, old, "Ready", "False", now, "ContainersNotReady", msg);
      SetPodCondition(&st, old, "ContainersReady", "False", now, "ContainersNotReady", msg);
    }
    bool scheduled = false;
    for (const auto& c : old.conditions()) {
      if (c.type() == "PodScheduled") {
        *st.add_conditions() = c;
        scheduled = true;
      }
    }
    if (!scheduled) SetPodCondition(&st, old, "PodScheduled", "True", now);
    st.set_host_ip(InternalIP());
    if (running) {
      // The sandbox exists from here on: it has an IP.
      std::string ip = old.pod_ip().empty() ? AllocatePodIP(pod) : old.pod_ip();
      pod_ips_[pod.metadata().uid()] = ip;
      st.set_pod_ip(ip);
      st.add_pod_ips()->set_ip(ip);
    }
    st.set_start_time(old.start_time().empty() ? now : old.start_time());
    for (const auto& c : pod.spec().containers()) {
      auto* cs = st.add_container_statuses();
      cs->set_name(c.name());
      std::string started_at = now;
      int32_t restarts = 0;
      for (const auto& o : old.container_statuses()) {
        if (o.name() != c.name()) continue;
        restarts = o.restart_count();
        if (o.state().has_running() && !o.state().running().started_at().empty()) {
          started_at = o.state().running().started_at();
        }
      }
      if (running) {
        cs->mutable_state()->mutable_running()->set_started_at(started_at);
      } else {
        // Waiting for its volumes: kubectl shows the pod as ContainerCreating.
        cs->mutable_state()->mutable_waiting()->set_reason("ContainerCreating");
      }
      cs->set_ready(running);
      cs->set_restart_count(restarts);
      cs->set_image(c.image());
      cs->set_started(running);
    }
    st.set_qos_class(old.qos_class());
    st.set_nominated_node_name(old.nominated_node_name());
    if (api::SameMessage(st, old)) return Status::OK();
    api::Pod out = pod;
    *out.mutable_status() = std::move(st);
    auto written = client_->UpdateStatus(out);
    if (written.ok()) return Status::OK();
    if (!written.status().IsConflict() || attempt >= kConflictRetries) return written.status();
    // Someone else wrote the pod meanwhile (the scheduler, the node controller): redo the
    // status on top of theirs.
    auto got = client_->Get<api::Pod>(out.metadata().namespace_(), out.metadata().name());
    if (!got.ok()) return got.status();
    if (got->metadata().uid() != in.metadata().uid() ||
        !got->metadata().deletion_timestamp().empty()) {
      return Status::OK();  // replaced or being deleted: the next sync handles it
    }
    fresh = std::move(*got);
  }
}

bool FakeKubelet::KillPod(const api::Pod& pod) {
  std::string key = api::KeyOf(pod);
  if (ContainersRunning(pod)) {
    for (const auto& c : pod.spec().containers()) {
      recorder_.Event(pod, "Normal", "Killing", "Stopping container " + c.name());
    }
  }
  {
    std::lock_guard<std::mutex> l(mounts_mu_);
    mounts_.erase(key);
  }
  pod_ips_.erase(pod.metadata().uid());
  // Volumes are unmounted: confirm the deletion. The uid precondition keeps a new pod of
  // the same name (a StatefulSet's replacement) safe from this confirmation.
  client::DeleteOptions opts;
  opts.grace_period_seconds = 0;
  opts.uid = pod.metadata().uid();
  auto r = client_->Delete(PodKind(), pod.metadata().namespace_(), pod.metadata().name(), opts);
  return r.ok() || r.status().IsNotFound() || r.status().IsConflict();
}

}  // namespace lpv::kubelet
