// Fleet: the simulated machines of one cluster — per node its disks, its kubelet and its
// local static provisioner — and the node lifecycle controller watching them all.
//
// Nodes live under <data dir>/nodes/<node>/ (see disks.h for the layout). A fleet started
// on a data dir that already has nodes adopts them as they were (disks, data, a node that
// was stopped stays stopped); a fresh one creates `nodes` nodes named node-1..node-N
// with `disks_per_node` disks of `disk_size` each.
//
// Stopping a node stops the machine: its kubelet (heartbeats, pods) and its provisioner.
//
// A node costs no thread of its own. The fleet owns what its nodes share: one pod
// informer indexed by node (pod events are routed to the node's kubelet), one PV and one
// StorageClass informer (PV events are routed to the provisioner a PV belongs to), a
// WorkerPool that runs every kubelet's and provisioner's syncs (each component's one at a
// time, as its own worker would) and an EventBroadcaster that writes their events. So a
// thousand nodes mean neither a thousand copies of every pod and PV nor thousands of
// threads. Fresh nodes are built (directories, disks) and started 64 at a time.
//
// Thread-safety: all methods are safe for concurrent use (they are serialized).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/informer_factory.h"
#include "client/worker_pool.h"
#include "kubelet-fake/disks.h"
#include "kubelet-fake/kubelet.h"
#include "kubelet-fake/node_lifecycle.h"
#include "kubelet-fake/provisioner.h"

namespace lpv::kubelet {

struct FleetOptions {
  // The cluster's data dir; nodes go to <data_dir>/nodes/<node>/.
  std::string data_dir;
  Clock* clock = nullptr;  // default: the real clock
  // A fresh fleet: node-1 .. node-<nodes>, each with `disks_per_node` disks.
  int nodes = 3;
  std::string node_name_prefix = "node-";
  int disks_per_node = 1;
  std::string disk_size = "368Gi";  // also the default of AddDisk
  // Templates for every node's components; the fleet fills in names, paths, indexes, the
  // clock, the node's disks and the shared informers.
  KubeletOptions kubelet;
  ProvisionerOptions provisioner;
  NodeLifecycleOptions node_lifecycle;
  bool run_provisioners = true;
  bool run_node_lifecycle = true;
  // Threads of the shared WorkerPool and EventBroadcaster.
  int workers = 16;
  int event_writers = 8;
  // The pod, PV and StorageClass informers (and the node lifecycle controller's node and
  // pod informers) to share with the cluster's controllers; none: the fleet makes its own.
  client::SharedInformerFactory* informers = nullptr;
};

class Fleet {
 public:
  // Starts the shared informers and the node lifecycle controller, then adopts or creates
  // the nodes.
  static Result<std::unique_ptr<Fleet>> Start(client::Client* client, FleetOptions options);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Everything stops; nodes keep their directories.
  void Stop();

  // A new, running node without disks. Errors: Invalid name, AlreadyExists.
  Status AddNode(const std::string& name);
  // The node goes down / comes back. NotFound for an unknown node; idempotent otherwise.
  Status StopNode(const std::string& name);
  Status StartNode(const std::string& name);
  // Mounts a new disk (`size` "" = the fleet's disk size) and returns it; its PV follows
  // at once when the node is up. Errors: NotFound node, BadRequest size.
  Result<Disk> AddDisk(const std::string& node, const std::string& size = "",
                       const std::string& name = "");
  // Takes a disk out of the node ("/mnt/disks/vol2" or "vol2"). Errors: NotFound.
  Result<Disk> RemoveDisk(const std::string& node, const std::string& disk);

  std::vector<std::string> Nodes() const;  // in the order they were added
  bool NodeRunning(const std::string& node) const;
  Result<std::vector<Disk>> ListDisks(const std::string& node) const;
  // <data dir>/nodes/<node>.
  std::string NodeRoot(const std::string& node) const;

  // The node's parts, for tests and `explain`; nullptr for an unknown node.
  FakeKubelet* kubelet(const std::string& node) const;
  LocalProvisioner* provisioner(const std::string& node) const;
  Disks* disks(const std::string& node) const;
  NodeLifecycleController* node_lifecycle() const { return lifecycle_.get(); }

 private:
  struct Node {
    std::string name;
    int index = 0;
    bool index_on_disk = false;  // its root already records `index`: no rewrite
    bool start = true;           // StartNodesLocked starts it (an adopted stopped node: no)
    std::unique_ptr<Disks> disks;
    std::unique_ptr<FakeKubelet> kubelet;
    std::unique_ptr<LocalProvisioner> provisioner;
  };

  Fleet(client::Client* client, FleetOptions options);
  Status Init();
  // Adds a node and builds it; `up` starts it. Requires mu_.
  Status AddNodeLocked(const std::string& name, int index, bool up);
  // The node's root directory with `fresh_disks` new disks (vol1..), its Disks, kubelet
  // and provisioner. Touches only `node` (and the routes), so distinct nodes build
  // concurrently.
  Status BuildNode(Node& node, int fresh_disks);
  Status StartNodeLocked(Node& node);
  // Builds (fresh_disks >= 0) and registers these nodes (those with `start`), and starts
  // each once the caches have synced (WaitForCaches); the first error. Requires mu_.
  Status StartNodesLocked(const std::vector<Node*>& nodes, int fresh_disks = -1);
  // `fn` on every node, 64 nodes at a time; the first error.
  Status ForEachNode(const std::vector<Node*>& nodes, const std::function<Status(Node&)>& fn);
  bool CachesSynced() const;  // the fleet's informers
  // The fleet's informers have synced; then the node lifecycle controller starts.
  Status WaitForCaches();
  // Forgets the nodes a failed StartNodesLocked left without parts. Requires mu_.
  void DropUnbuiltLocked(bool remove_dirs);
  Node* Find(const std::string& name) const;  // requires mu_
  void RoutePod(const client::ObjectRef& pod);
  // `if_disk_gone`: LocalProvisioner::ResyncIfDiskGone instead of a sync.
  void RouteVolume(const client::ObjectRef& pv, bool if_disk_gone = false);
  void ResyncProvisioners();

  client::Client* client_;
  FleetOptions options_;
  Clock* clock_;
  std::string nodes_dir_;

  // Shared by every node; declared before nodes_, so they outlive them.
  std::unique_ptr<client::WorkerPool> workers_;
  std::unique_ptr<client::EventBroadcaster> events_;
  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::Informer* pods_ = nullptr;
  client::Informer* node_informer_ = nullptr;
  client::Informer* volumes_ = nullptr;
  client::Informer* classes_ = nullptr;
  std::vector<std::pair<client::Informer*, client::HandlerId>> handlers_;  // the fleet's own
  std::unique_ptr<NodeLifecycleController> lifecycle_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Node>> nodes_;
  int next_index_ = 1;
  bool stopped_ = false;

  // For routing informer events (informer threads): provisioner name -> provisioner,
  // node name -> kubelet.
  std::mutex routes_mu_;
  std::map<std::string, LocalProvisioner*> routes_;
  std::map<std::string, FakeKubelet*> kubelets_;
};

}  // namespace lpv::kubelet
