// The storage object in-use protection controllers, two controllers as in Kubernetes
// (pkg/controller/volume/pvcprotection, pkg/controller/volume/pvprotection).
//
// The API server puts kubernetes.io/pvc-protection on every new claim and
// kubernetes.io/pv-protection on every new volume. Deleting such an object only sets its
// deletionTimestamp (kubectl shows it Terminating); these controllers remove the finalizer,
// which lets the object go, once nothing uses it:
//  - a claim is in use while a pod scheduled to a node has a volume from it, whatever the
//    pod's phase (the kubelet may still have it mounted);
//  - a volume is in use while its phase is Bound. The PV controller releases it once its
//    claim is gone, so deleting a bound volume's claim is what frees the volume.
// They also add the finalizer to live objects that lack it (objects older than the admission
// plugin).
//
// Each: one informer thread per watched kind enqueues keys; `workers` threads run the sync.
// Thread-safety: Start and Stop from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/clock.h"
#include "client/client.h"
#include "client/informer.h"
#include "client/informer_factory.h"
#include "client/workqueue.h"

namespace lpv::pvcontroller {

struct ProtectionOptions {
  Clock* clock = nullptr;  // retry backoff; default the real clock
  int workers = 1;
  // The informers to share with other controllers; none: the controller makes its own.
  client::SharedInformerFactory* informers = nullptr;
};

// Removes kubernetes.io/pvc-protection from deleted claims no pod uses.
class PVCProtectionController {
 public:
  PVCProtectionController(client::Client* client, ProtectionOptions options);
  ~PVCProtectionController();
  PVCProtectionController(const PVCProtectionController&) = delete;
  PVCProtectionController& operator=(const PVCProtectionController&) = delete;

  void Start();
  void Stop();
  bool WaitForCacheSync(std::chrono::milliseconds timeout) const;

 private:
  void Worker();
  Status processPVC(const std::string& key);
  Result<bool> isBeingUsed(const api::PersistentVolumeClaim& claim);
  void enqueuePVCs(const api::Pod& pod);

  client::Client* client_;
  ProtectionOptions options_;
  Clock* clock_;
  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::Informer* claims_;
  client::Informer* pods_;
  client::WorkQueue queue_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  std::vector<std::thread> workers_;
};

// Removes kubernetes.io/pv-protection from deleted volumes that are not Bound.
class PVProtectionController {
 public:
  PVProtectionController(client::Client* client, ProtectionOptions options);
  ~PVProtectionController();
  PVProtectionController(const PVProtectionController&) = delete;
  PVProtectionController& operator=(const PVProtectionController&) = delete;

  void Start();
  void Stop();
  bool WaitForCacheSync(std::chrono::milliseconds timeout) const;

 private:
  void Worker();
  Status processPV(const std::string& name);

  client::Client* client_;
  ProtectionOptions options_;
  Clock* clock_;
  std::unique_ptr<client::SharedInformerFactory> own_informers_;  // without options.informers
  client::Informer* volumes_;
  client::WorkQueue queue_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace lpv::pvcontroller
