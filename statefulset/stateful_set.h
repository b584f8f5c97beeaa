// The StatefulSet controller, as Kubernetes' pkg/controller/statefulset (stateful_set.go):
// for each ordinal of a StatefulSet it creates a claim per volumeClaimTemplates entry,
// "<template>-<set>-<ordinal>", then the pod "<set>-<ordinal>" that mounts them, labelled
// statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index and
// controller-revision-hash and owned by the set; OrderedReady or Parallel; scale down from
// the highest ordinal; a deleted pod comes back with the same name and claims; claims are
// kept unless persistentVolumeClaimRetentionPolicy says Delete; status and the
// SuccessfulCreate/SuccessfulDelete events as Kubernetes writes them.
//
//   StatefulSetController::Options options;   // clock, workers
//   StatefulSetController controller(client, options);
//   controller.Start();
//   ...
//   controller.Stop();
//
// It reads its informer caches (statefulsets, pods, claims) and writes only through the
// client. It also does, for its own children, the garbage collector's job that lpv has no
// component for yet (gc.h): deleting the pods of a deleted set, and the claims the
// retention policy gave to a deleted set or pod.
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
#include "api/objects.pb.h"
#include "api/selectors.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/informer_factory.h"
#include "client/workqueue.h"

namespace lpv::statefulset {

class StatefulPodControl;
class StatefulSetControl;
class OwnerReferenceCleanup;

class StatefulSetController {
 public:
  struct Options {
    // Timers (retry backoff, the minReadySeconds re-check, informer resync) and event
    // timestamps. Default: the real clock.
    Clock* clock = nullptr;
    // Worker threads syncing sets (kube-controller-manager's --concurrent-statefulset-syncs,
    // which defaults to 5; the embedded cluster runs 5). A set is never synced by two
    // workers at once.
    int workers = 1;
    // The informers to share with other controllers; none: the controller makes its own.
    client::SharedInformerFactory* informers = nullptr;
  };

  StatefulSetController(client::Client* client, Options options);
  ~StatefulSetController();
  StatefulSetController(const StatefulSetController&) = delete;
  StatefulSetController& operator=(const StatefulSetController&) = delete;

  // Starts the informers and the workers; workers begin once every cache has synced.
  void Start();
  // Stops workers and informers; waits for a sync in progress to finish.
  void Stop();
  // Waits until every informer has listed once.
  bool WaitForCacheSync(std::chrono::milliseconds timeout) const;

 private:
  void AddHandlers();
  void Worker();
  Status Sync(const std::string& key);

  // Handlers' helpers (stateful_set.go's addPod, updatePod, deletePod).
  void AddPod(const api::Pod& pod);
  void UpdatePod(const api::Pod& old_pod, const api::Pod& cur_pod);
  void DeletePod(const api::Pod& pod);
  void ClaimChanged(const api::PersistentVolumeClaim& claim);
  std::shared_ptr<const api::StatefulSet> ResolveControllerRef(
      const std::string& ns, const api::OwnerReference& ref) const;
  std::vector<std::shared_ptr<const api::StatefulSet>> GetStatefulSetsMatching(
      const std::string& ns, const google::protobuf::Map<std::string, std::string>& labels) const;
  void Enqueue(const api::StatefulSet& set);
  void EnqueueAfter(const api::StatefulSet& set, Duration after);

  // The pods the set manages, adopting matching orphans and releasing pods it no longer
  // matches (getPodsForStatefulSet with the ControllerRefManager).
  Result<std::vector<std::shared_ptr<const api::Pod>>> GetPodsForStatefulSet(
      const api::StatefulSet& set, const api::Selector& selector);

  client::Client* client_;
  Options options_;
  Clock* clock_;

  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::Informer* sets_;
  client::Informer* pods_;
  client::Informer* claims_;
  client::WorkQueue queue_;
  client::EventRecorder recorder_;
  std::unique_ptr<StatefulPodControl> pod_control_;
  std::unique_ptr<StatefulSetControl> control_;
  std::unique_ptr<OwnerReferenceCleanup> gc_;

  std::atomic<bool> stop_{false};
  bool started_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace lpv::statefulset
