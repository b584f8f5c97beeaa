// FakeKubelet: the kubelet of one simulated node.
//
// It registers the node's Node object and keeps it alive with heartbeats of two kinds, as
// the kubelet does since Kubernetes 1.17: the node's Lease in kube-node-lease, renewed every
// `lease_renew_interval` (its renewTime has microsecond resolution, which lets a short grace
// period work), and the Ready condition's lastHeartbeatTime, posted through the status
// subresource every `heartbeat_period` on the clock. It runs the pods bound to its node: for every
// volume it resolves what the real kubelet's volume manager resolves (claim Bound, PV
// bound to that claim, PV node affinity matching this node, the local path present on
// this node's disk), "mounts" it, and reports the pod Running and Ready. A volume that
// cannot be mounted gets the kubelet's `Warning FailedMount` event and a retry with
// backoff; data written by pods (a marker file per mount) stays on the disk across pod
// recreation. A pod being deleted is unmounted and its deletion confirmed with grace
// period 0.
//
// Stop() is the node going down: heartbeats and pod handling stop, pods stay as they are,
// and after the grace period the node lifecycle controller marks the node Unknown.
// Start() again brings it back.
//
// Threads: standalone, while started, one informer thread (the node's pods, by field
// selector spec.nodeName=<node>, as the real kubelet watches them), one worker that syncs
// pods and posts heartbeats, and an event writer. In a fleet none: the fleet's pod
// informer (indexed by node) feeds Enqueue, its WorkerPool runs the worker's syncs one at
// a time, and its EventBroadcaster writes the events. Clock timers only enqueue.
// Start/Stop from any thread, not concurrently with each other; the accessors are safe
// for concurrent use.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/clock.h"
#include "api/objects.pb.h"
#include "api/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/worker_pool.h"
#include "client/workqueue.h"
#include "kubelet-fake/ticker.h"

namespace lpv::kubelet {

// What a mounted volume leaves on its disk: one line per pod that mounted it,
// "<namespace>/<name> <uid> mounted at <RFC 3339 time>".
inline constexpr char kMarkerFile[] = ".lpv-marker";
// Where node leases live (corev1.NamespaceNodeLease).
inline constexpr char kNodeLeaseNamespace[] = "kube-node-lease";
// Reported as nodeInfo.kubeletVersion (and kubectl's VERSION column).
inline constexpr char kKubeletVersion[] = "v1.29.0-lpv";
// The index a pod informer shared with kubelets must have: pods by spec.nodeName.
inline constexpr char kPodsByNodeIndex[] = "spec.nodeName";

struct KubeletOptions {
  std::string node_name;
  // The node's root directory: a volume path /mnt/disks/vol1 is <node_root>/mnt/disks/vol1.
  std::string node_root;
  // Numbers the node's addresses: InternalIP 172.18.0.<index+1>, pod IPs 10.244.<index>.N
  // (carrying into the next octet past 255 nodes).
  int node_index = 1;
  Clock* clock = nullptr;  // default: the real clock
  // How often the node status (Ready's lastHeartbeatTime) is renewed
  // (the kubelet's nodeStatusUpdateFrequency).
  Duration heartbeat_period = std::chrono::seconds(10);
  // The kubelet's nodeStatusReportFrequency: a status that did not change but for its
  // heartbeat times is posted only this often (the Lease carries the heartbeat); zero posts
  // it every heartbeat_period, as kubelets before node leases did.
  Duration status_report_frequency = Duration::zero();
  // How often the node's Lease is renewed. The kubelet renews every quarter of
  // nodeLeaseDurationSeconds (40 s, written into the Lease); here the two are separate so
  // that a short interval does not need a zero-second lease duration.
  Duration lease_renew_interval = std::chrono::seconds(10);
  int lease_duration_seconds = 40;
  // status.capacity (and allocatable).
  std::map<std::string, std::string> capacity = {
      {"cpu", "4"}, {"memory", "16Gi"}, {"pods", "110"}};
  // Extra node labels, besides kubernetes.io/hostname, kubernetes.io/os and
  // kubernetes.io/arch (and their beta.kubernetes.io twins) the kubelet always sets.
  std::map<std::string, std::string> labels;
  // Retry of pods whose volumes cannot be mounted yet, as the volume manager's
  // exponential backoff (500 ms doubling up to 2m2s).
  client::RateLimit mount_backoff = {std::chrono::milliseconds(500), std::chrono::seconds(122)};
  // Shared by a fleet; each null means the kubelet runs its own. `pods`: an informer of
  // every pod with kPodsByNodeIndex (see AddIndexers), started by its owner, who passes
  // this node's pod events to Enqueue. `workers` runs the syncs; `events` writes events.
  client::Informer* pods = nullptr;
  // An informer of every node, started by its owner (null: none). A heartbeat reads the
  // Node from it first, as the kubelet's first read comes from the API server's cache.
  client::Informer* nodes = nullptr;
  client::WorkerPool* workers = nullptr;
  client::EventBroadcaster* events = nullptr;
};

class FakeKubelet {
 public:
  FakeKubelet(client::Client* client, KubeletOptions options);
  ~FakeKubelet();
  FakeKubelet(const FakeKubelet&) = delete;
  FakeKubelet& operator=(const FakeKubelet&) = delete;

  // What a booting kubelet does before it looks at any pod: registers the Node (or
  // refreshes the existing one: labels, capacity, Ready=True with a fresh heartbeat) and
  // renews its Lease. Needs no informer to have synced, so a restarted fleet reports its
  // nodes while the caches fill. No-op while running or once done since the last Stop.
  Status Register();
  // Register unless done, then heartbeats and pod handling. Idempotent while running.
  Status Start();
  // The node goes down: no more heartbeats, pods are left as they are. Idempotent.
  void Stop();
  bool running() const { return running_.load(); }
  // Looks at every pod of the node again now (a disk appeared: pods waiting for it need
  // not wait for their backoff). No-op while stopped.
  void Resync();
  // A pod of this node changed (from a shared pod informer). No-op while stopped.
  void Enqueue(const std::string& pod_key);
  // Registers kPodsByNodeIndex on a pod informer (before it starts).
  static void AddIndexers(client::Informer* pods);

  const std::string& node_name() const { return options_.node_name; }
  const KubeletOptions& options() const { return options_; }
  // The pod volumes this kubelet has mounted: pod "namespace/name" -> node paths
  // ("/mnt/disks/vol1"), sorted.
  std::map<std::string, std::vector<std::string>> Mounts() const;

 private:
  struct PodMounts {
    std::string uid;
    std::vector<std::string> paths;  // node paths
  };

  Status RegisterLocked();  // requires run_mu_
  // Registers the Node if missing and posts its status (Ready=True, fresh heartbeat).
  Status PostNodeStatus(bool starting);
  // Creates or renews the node's Lease (kube-node-lease/<node>, owned by the Node).
  Status RenewLease();
  // One key of the work queue; false retries it with backoff.
  bool Sync(const std::string& key);
  bool SyncPod(const std::string& key);
  // The pods bound to this node, from the informer cache.
  std::vector<client::ObjectRef> NodePods() const;
  bool KillPod(const api::Pod& pod);
  // Posts the pod's status: Running and Ready, or (`running` false) Pending with its
  // containers waiting in ContainerCreating.
  Status UpdatePodStatus(const api::Pod& pod, bool running);
  std::string AllocatePodIP(const api::Pod& pod);
  std::string InternalIP() const;
  std::string PodPrefix() const;
  void NodeEvent(const std::string& reason, const std::string& message);

  client::Client* client_;
  KubeletOptions options_;
  Clock* clock_;
  client::EventRecorder recorder_;

  std::atomic<bool> running_{false};
  std::mutex run_mu_;  // serializes Register, Start and Stop; guards the run state below
  bool registered_ = false;  // Register's writes are done for this run
  std::unique_ptr<client::Informer> own_pods_;
  client::Informer* pods_ = nullptr;  // own_pods_ or the shared one, while running
  std::unique_ptr<Ticker> heartbeat_;
  std::unique_ptr<Ticker> lease_;
  client::QueueWorker worker_;  // its own thread, or a strand of the fleet's pool
  mutable std::mutex queue_mu_;  // guards queue_ (Enqueue runs on informer threads)
  std::shared_ptr<client::WorkQueue> queue_;

  std::map<std::string, std::string> node_labels_;
  // Worker thread only.
  std::map<std::string, std::string> pod_ips_;  // by pod uid
  std::string node_uid_;                          // the Node's, for the Lease's owner
  TimePoint last_status_report_{};                // when the status was last posted
  std::optional<api::Lease> latest_lease_;        // what the last renewal wrote

  mutable std::mutex mounts_mu_;
  std::map<std::string, PodMounts> mounts_;  // by pod key
};

}  // namespace lpv::kubelet
