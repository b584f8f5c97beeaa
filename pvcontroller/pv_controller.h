// The persistent volume controller: binds claims to volumes and walks volumes through their
// phases (Pending, Available, Bound, Released, Failed), as Kubernetes'
// pkg/controller/volume/persistentvolume (pv_controller.go for the sync logic,
// pv_controller_base.go for informers, queues and workers).
//
// It reads its informer caches (volumes, claims, classes, pods, nodes) and writes only through
// the client. Informer threads enqueue keys; `workers` threads per queue (claims, volumes)
// run syncClaim and syncVolume. Every step is idempotent and level-triggered: a crash or a
// conflict between the four writes of a bind heals on the next sync, and its handlers'
// periodic resync re-runs every sync.
//
// Thread-safety: Start and Stop from one thread; everything else is internal.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/clock.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/informer_factory.h"
#include "client/workqueue.h"
#include "pvcontroller/object_cache.h"
#include "pvcontroller/pv_helpers.h"

namespace lpv::pvcontroller {

class PersistentVolumeController {
 public:
  struct Options {
    // Timers (resync, retry backoff) and event timestamps. Default: the real clock.
    Clock* clock = nullptr;
    // How often every claim and volume is synced again though nothing changed (Kubernetes'
    // --pvclaimbinder-sync-period, 15 s). Zero: never.
    Duration resync_period = std::chrono::seconds(15);
    // Worker threads per queue. Kubernetes runs one; more are safe because every write is
    // conditional on the resourceVersion read.
    int workers = 1;
    // Worker threads for the volume queue (0: as many as `workers`).
    int volume_workers = 0;
    // The informers to share with other controllers; none: the controller makes its own.
    client::SharedInformerFactory* informers = nullptr;
  };

  PersistentVolumeController(client::Client* client, Options options);
  ~PersistentVolumeController();
  PersistentVolumeController(const PersistentVolumeController&) = delete;
  PersistentVolumeController& operator=(const PersistentVolumeController&) = delete;

  // Starts the informers and the workers; workers begin once every cache has synced.
  void Start();
  // Stops workers and the informers it made itself (shared ones are their factory owner's
  // to stop); waits for a sync in progress to finish.
  void Stop();
  // Waits until every informer has listed once.
  bool WaitForCacheSync(std::chrono::milliseconds timeout) const;

 private:
  // ---- pv_controller_base.cc: informers, handlers, queues, workers
  void AddHandlers();
  void ClaimWorker();
  void VolumeWorker();
  bool WaitForWorkersStart();
  Status SyncClaimKey(const std::string& key);
  Status SyncVolumeKey(const std::string& key);

  // Cache reads, the newest version known (informer or our own writes).
  ClaimPtr GetClaim(const std::string& key);
  VolumePtr GetVolume(const std::string& name);
  // Classes and nodes come from the informers, or from the API server when the informer
  // does not have them (yet).
  ClassPtr GetClass(const std::string& name) const;
  NodePtr GetNode(const std::string& name) const;
  // Every class: the informer's, or a live list.
  std::vector<ClassPtr> ListClasses(bool live) const;
  // The volumes a claim may bind: those of its class and those whose claimRef names it;
  // `prebound_only`: only the latter (a delayed-binding claim without a selected node).
  std::vector<VolumePtr> CandidateVolumes(const api::PersistentVolumeClaim& claim,
                                          bool prebound_only);

  // ---- pv_controller.go: the sync logic, named as in Kubernetes
  Status syncClaim(const api::PersistentVolumeClaim& claim);
  Status syncUnboundClaim(const api::PersistentVolumeClaim& claim);
  Status syncBoundClaim(const api::PersistentVolumeClaim& claim);
  Status syncVolume(const api::PersistentVolume& volume);

  void emitEventForUnboundDelayBindingClaim(const api::PersistentVolumeClaim& claim);
  Result<bool> assignDefaultStorageClass(const api::PersistentVolumeClaim& claim);
  Status provisionClaim(const api::PersistentVolumeClaim& claim);

  Status bind(const api::PersistentVolume& volume, const api::PersistentVolumeClaim& claim);
  Result<api::PersistentVolume> bindVolumeToClaim(const api::PersistentVolume& volume,
                                                  const api::PersistentVolumeClaim& claim);
  Result<api::PersistentVolumeClaim> bindClaimToVolume(const api::PersistentVolumeClaim& claim,
                                                       const api::PersistentVolume& volume);
  Status unbindVolume(const api::PersistentVolume& volume);

  Result<api::PersistentVolumeClaim> updateClaimStatus(const api::PersistentVolumeClaim& claim,
                                                       const std::string& phase,
                                                       const api::PersistentVolume* volume);
  Result<api::PersistentVolumeClaim> updateClaimStatusWithEvent(
      const api::PersistentVolumeClaim& claim, const std::string& phase,
      const api::PersistentVolume* volume, const std::string& type, const std::string& reason,
      const std::string& message);
  Result<api::PersistentVolume> updateVolumePhase(const api::PersistentVolume& volume,
                                                  const std::string& phase,
                                                  const std::string& message);
  Result<api::PersistentVolume> updateVolumePhaseWithEvent(const api::PersistentVolume& volume,
                                                           const std::string& phase,
                                                           const std::string& type,
                                                           const std::string& reason,
                                                           const std::string& message);

  Status reclaimVolume(const api::PersistentVolume& volume);
  Status deleteVolumeOperation(const api::PersistentVolume& volume);
  bool isVolumeReleased(const api::PersistentVolume& volume);
  // (deleted, error) as doDeleteVolume: not deleted and no error = an external deleter's job.
  Status doDeleteVolume(const api::PersistentVolume& volume, bool* deleted);

  // Writes through the client, remembering what came back in the object caches.
  Result<api::PersistentVolume> UpdateVolume(const api::PersistentVolume& volume, bool status);
  Result<api::PersistentVolumeClaim> UpdateClaim(const api::PersistentVolumeClaim& claim,
                                                 bool status);

  client::Client* client_;
  Options options_;
  Clock* clock_;

  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::Informer* volumes_;
  client::Informer* claims_;
  client::Informer* classes_;
  client::Informer* pods_;
  client::Informer* nodes_;
  ObjectCache volume_cache_;
  ObjectCache claim_cache_;

  client::WorkQueue claim_queue_;
  client::WorkQueue volume_queue_;
  client::EventRecorder recorder_;

  std::atomic<bool> stop_{false};
  bool started_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace lpv::pvcontroller
