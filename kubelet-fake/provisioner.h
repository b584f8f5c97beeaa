// LocalProvisioner: the local static provisioner of one node
// (kubernetes-sigs/sig-storage-local-static-provisioner), event-driven.
//
// Discovery: every disk ("mount point": a directory with disk metadata) under a storage
// class's hostDir on this node becomes a PersistentVolume named local-pv-<hash> — the
// upstream name, FNV-1a 32 of (disk name, node name, class) printed as "%x" — with the
// disk's capacity (rounded down to GiB, else MiB, as upstream), accessModes
// [ReadWriteOnce], the class, its reclaim policy (Delete when the class sets none),
// spec.local.path = the disk's path on the node (/mnt/disks/vol1), node affinity
// kubernetes.io/hostname In [<node>] and the annotation pv.kubernetes.io/provisioned-by:
// local-volume-provisioner-<node>-<node uid>.
//
// Reclaim: a Released volume of this provisioner with policy Delete is wiped (everything
// on the disk but its metadata) and its PV deleted; once the PV object is gone (the
// pv-protection finalizer lets it go when it is no longer bound) discovery offers the
// disk again as a fresh PV of the same name. An Available volume whose disk was removed
// is deleted the same way (nothing to wipe). A failed cleanup is a `Warning
// VolumeFailedDelete` event ("Error cleaning PV "x": ..."), retried with backoff.
//
// Instead of upstream's 10 s loop, a sync runs when something changes: a PV of this
// provisioner, a StorageClass, or a disk added or removed through Disks.
//
// Threads: one worker runs syncs (discovery and reclaim, serially as upstream); its own
// informers (PVs, StorageClasses) unless shared ones are given; an event writer. In a
// fleet none: the informers, a WorkerPool for the syncs and an EventBroadcaster are shared.
// Start/Stop from one thread; Resync from any.
#pragma once

#include <map>
#include <memory>
#include <mutex>
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

namespace lpv::kubelet {

class Disks;

inline constexpr char kAnnProvisionedBy[] = "pv.kubernetes.io/provisioned-by";
// The index a PV informer shared with provisioners must have: PVs by provisioned-by.
inline constexpr char kProvisionedByIndex[] = "provisioned-by";

// One entry of the provisioner's storageClassMap.
struct StorageClassConfig {
  // Where the class's disks are mounted on the node; relative paths are taken from the
  // node's root ("mnt/disks" == "/mnt/disks").
  std::string host_dir = "/mnt/disks";
  std::string volume_mode = "Filesystem";
  std::string fs_type;               // spec.local.fsType when set
  std::string name_pattern = "*";    // only disk names matching this glob
};

struct ProvisionerOptions {
  std::string node_name;
  std::string node_root;   // the node's root directory
  Clock* clock = nullptr;  // default: the real clock
  std::map<std::string, StorageClassConfig> storage_class_map = {{"local-storage", {}}};
  // Name the provisioner local-volume-provisioner-<node> (useNodeNameOnly).
  bool use_node_name_only = false;
  // Node labels copied to the PVs (nodeLabelsForPV) and extra labels (labelsForPV).
  std::vector<std::string> node_labels_for_pv;
  std::map<std::string, std::string> labels_for_pv;
  // Upstream discovers nothing for a class until its StorageClass exists (it reads the
  // reclaim policy from it). false: a missing class means reclaim policy Delete.
  bool require_storage_class = false;
  // Where disks come and go: the provisioner listens, so a new disk is a PV at once.
  Disks* disks = nullptr;
  // Shared informers (started by their owner, PVs with kProvisionedByIndex); the owner
  // then calls Resync() on changes. Null: the provisioner runs its own.
  client::Informer* volumes = nullptr;
  client::Informer* storage_classes = nullptr;
  // Shared worker threads and event writers (null: the provisioner's own).
  client::WorkerPool* workers = nullptr;
  client::EventBroadcaster* events = nullptr;
  // Backoff of failed syncs (API errors, failed cleanups).
  client::RateLimit retry = {std::chrono::milliseconds(100), std::chrono::seconds(10)};
};

class LocalProvisioner {
 public:
  LocalProvisioner(client::Client* client, ProvisionerOptions options);
  ~LocalProvisioner();
  LocalProvisioner(const LocalProvisioner&) = delete;
  LocalProvisioner& operator=(const LocalProvisioner&) = delete;

  // Reads the Node (it must exist: its UID names the provisioner, its hostname label goes
  // into the PVs' node affinity), starts the informers and the worker, and syncs.
  Status Start();
  void Stop();
  // Discover and reclaim now.
  void Resync();

  // local-volume-provisioner-<node>-<uid>; empty before Start().
  const std::string& name() const { return name_; }
  const ProvisionerOptions& options() const { return options_; }

  // generatePVName: "local-pv-" + FNV-1a 32 of file, node and class, as "%x".
  static std::string PVName(const std::string& file, const std::string& node,
                            const std::string& storage_class);
  // roundDownCapacityPretty: down to whole GiB when that leaves at least 10, else to
  // whole MiB when that does, else the bytes.
  static int64_t RoundDownCapacityPretty(int64_t bytes);
  // Registers kProvisionedByIndex on a PV informer (before it starts).
  static void AddIndexers(client::Informer* volumes);
  // Whether a PV event gives a provisioner work: a PV released (to clean up and delete) or
  // deleted (its disk, if still there, gets a PV again). Binding and the other updates
  // change nothing a sync does, so they do not wake it (upstream syncs on a timer
  // instead), but for the one that makes a PV Available: see ResyncIfDiskGone.
  static bool NeedsSync(const client::ObjectRef& pv, bool deleted);
  // An update that made a PV Available (`old` was in another phase).
  static bool BecameAvailable(const client::ObjectRef& old, const client::ObjectRef& pv);
  // For a PV that became Available: when its disk is already gone from the node, sync. The
  // sync of the disk's removal may have seen the PV before the PV controller made it
  // Available, and passed over it. One stat per PV, not a sync.
  void ResyncIfDiskGone(const api::PersistentVolume& pv);

 private:
  bool Sync();
  bool DeletePVs();
  Status DeletePV(const api::PersistentVolume& pv);
  bool Discover();
  Status CreatePV(const std::string& file, const std::string& storage_class,
                  const StorageClassConfig& config, const std::string& reclaim_policy,
                  const std::vector<std::string>& mount_options, int64_t capacity_bytes);
  std::string HostDir(const StorageClassConfig& config) const;  // node path, cleaned

  client::Client* client_;
  ProvisionerOptions options_;
  Clock* clock_;
  std::string name_;
  std::string hostname_;  // the node's kubernetes.io/hostname label
  std::map<std::string, std::string> pv_labels_;
  std::unique_ptr<client::EventRecorder> recorder_;
  std::unique_ptr<client::Informer> own_volumes_;
  std::unique_ptr<client::Informer> own_classes_;
  client::Informer* volumes_ = nullptr;
  client::Informer* classes_ = nullptr;
  std::mutex queue_mu_;  // guards queue_ (Resync runs on any thread)
  std::shared_ptr<client::WorkQueue> queue_;
  client::QueueWorker worker_;  // its own thread, or a strand of the fleet's pool
  bool started_ = false;
  int listener_ = 0;
};

}  // namespace lpv::kubelet
