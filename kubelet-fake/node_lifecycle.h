// NodeLifecycleController: the part of Kubernetes' node lifecycle controller
// (pkg/controller/nodelifecycle) that the LPV story needs.
//
// - monitorNodeHealth, every `monitor_period` on the clock: a node not heard from for
//   `grace_period` gets Ready, MemoryPressure,
//   DiskPressure and PIDPressure set to Unknown ("NodeStatusUnknown", "Kubelet stopped
//   posting node status."), the event `NodeNotReady` ("Node x status is now:
//   NodeNotReady") and its pods' Ready condition set False (`NodeNotReady` "Node is not
//   ready"), as MarkPodsNotReady does. A node that never posted a Ready condition gets
//   the same after `startup_grace_period` ("NodeStatusNeverUpdated", "Kubelet never
//   posted node status.").
// - the tainting passes, on every node change: Ready=Unknown -> node.kubernetes.io/
//   unreachable, Ready=False -> node.kubernetes.io/not-ready, each as NoSchedule and as
//   NoExecute (with timeAdded); pressure conditions -> their NoSchedule taints;
//   spec.unschedulable -> node.kubernetes.io/unschedulable. Ready=True again removes them.
//
// "Heard from" is upstream's probeTimestamp: the controller's own clock reading when it saw
// the Ready condition's lastHeartbeatTime change or the node's Lease (kube-node-lease)
// renewed, not the timestamps the kubelet wrote. The Lease's microsecond renewTime is what
// makes sub-second grace periods work (the demo's); lastHeartbeatTime has whole seconds.
//
// Deviations: NoExecute taints are applied at once (upstream
// rate-limits them per zone) and nothing evicts pods (no taint eviction controller).
//
// Threads: a node informer, a pod informer and one worker; the monitor ticker only
// enqueues. Start/Stop from one thread; once stopped it stays stopped.
#pragma once

#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "api/clock.h"
#include "api/objects.pb.h"
#include "api/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/informer_factory.h"
#include "client/workqueue.h"
#include "kubelet-fake/ticker.h"

namespace lpv::kubelet {

// Taint keys (k8s.io/api/core/v1 well_known_taints.go).
inline constexpr char kTaintNodeNotReady[] = "node.kubernetes.io/not-ready";
inline constexpr char kTaintNodeUnreachable[] = "node.kubernetes.io/unreachable";
inline constexpr char kTaintNodeUnschedulable[] = "node.kubernetes.io/unschedulable";

struct NodeLifecycleOptions {
  Clock* clock = nullptr;  // default: the real clock
  // How often node health is checked (--node-monitor-period).
  Duration monitor_period = std::chrono::seconds(5);
  // How long a node may go without a heartbeat before it is Unknown
  // (--node-monitor-grace-period).
  Duration grace_period = std::chrono::seconds(40);
  // The same for a node that never posted status (--node-startup-grace-period).
  Duration startup_grace_period = std::chrono::seconds(60);
  // The node and pod informers to share with other controllers; none: its own.
  client::SharedInformerFactory* informers = nullptr;
};

class NodeLifecycleController {
 public:
  NodeLifecycleController(client::Client* client, NodeLifecycleOptions options = {});
  ~NodeLifecycleController();
  NodeLifecycleController(const NodeLifecycleController&) = delete;
  NodeLifecycleController& operator=(const NodeLifecycleController&) = delete;

  void Start();
  void Stop();

 private:
  void Work();
  void MonitorNodeHealth();
  // tryUpdateNodeHealth for one node; returns false to retry.
  bool UpdateNodeHealth(const api::Node& node);
  // The NoSchedule and NoExecute tainting passes for one node; false to retry.
  bool SyncNodeTaints(const std::string& name);
  void MarkPodsNotReady(const std::string& node_name);
  // Brings the node's probe time up to date from its Ready heartbeat and its Lease.
  TimePoint ObserveNodeHealth(const api::Node& node);
  // A newer renewTime of the node's own Lease moves its probe time to `now`.
  void ObserveLease(const api::Lease& lease, TimePoint now);
  void NodeEvent(const api::Node& node, const std::string& reason, const std::string& message);

  client::Client* client_;
  NodeLifecycleOptions options_;
  Clock* clock_;
  client::EventRecorder recorder_;
  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::Informer* nodes_;
  client::Informer* pods_;
  client::Informer leases_;  // kube-node-lease only, and only this controller reads it
  std::shared_ptr<client::WorkQueue> queue_;
  std::unique_ptr<Ticker> monitor_;
  std::thread worker_;
  bool started_ = false;
  // Worker thread only: the nodes already announced with RegisteredNode.
  std::set<std::string> known_nodes_;
  // Worker thread only: nodeHealthData, what was last seen of each node and when.
  struct NodeHealth {
    std::string heartbeat;             // Ready's lastHeartbeatTime ("" without Ready)
    std::optional<TimePoint> renewed;  // the Lease's renewTime
    TimePoint probe;                   // when either last changed, on our clock
  };
  std::map<std::string, NodeHealth> health_;
};

}  // namespace lpv::kubelet
