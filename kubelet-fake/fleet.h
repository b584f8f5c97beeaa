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
// Provisioners share one PV informer and one StorageClass informer owned by the fleet
// (events are routed to the provisioner a PV belongs to), so a thousand nodes do not mean
// a thousand copies of every PV.
//
// Thread-safety: all methods are safe for concurrent use (they are serialized).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/status.h"
#include "client/client.h"
#include "client/informer.h"
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
    std::unique_ptr<Disks> disks;
    std::unique_ptr<FakeKubelet> kubelet;
    std::unique_ptr<LocalProvisioner> provisioner;
  };

  Fleet(client::Client* client, FleetOptions options);
  Status Init();
  // Builds the node's parts (root directory, disks, kubelet, provisioner); `up` starts
  // them. Requires mu_.
  Status AddNodeLocked(const std::string& name, int index, bool up);
  Status StartNodeLocked(Node& node);
  // Starts these nodes concurrently (64 at a time); the first error. Requires mu_.
  Status StartNodesLocked(const std::vector<Node*>& nodes);
  Node* Find(const std::string& name) const;  // requires mu_
  void RouteVolume(const client::ObjectRef& pv);
  void ResyncProvisioners();

  client::Client* client_;
  FleetOptions options_;
  Clock* clock_;
  std::string nodes_dir_;

  std::unique_ptr<client::Informer> volumes_;
  std::unique_ptr<client::Informer> classes_;
  std::unique_ptr<NodeLifecycleController> lifecycle_;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Node>> nodes_;
  int next_index_ = 1;
  bool stopped_ = false;

  // Provisioner name -> provisioner, for routing PV events (informer threads).
  std::mutex routes_mu_;
  std::map<std::string, LocalProvisioner*> routes_;
};

}  // namespace lpv::kubelet
