// lpv: the garbage collector's job for the StatefulSet's children, done here.
//
// On Kubernetes the StatefulSet controller never deletes a set's pods when the set goes,
// nor the claims a retention policy marks for deletion: it sets ownerReferences, and the
// garbage collector (pkg/controller/garbagecollector) deletes every object whose owners are
// all gone. lpv has no garbage collector yet, so this does the part the StatefulSet story
// needs: when a StatefulSet or a pod disappears, the pods and claims that named it as an
// owner are deleted (with a uid precondition) if none of their owners remain, or lose the
// dangling reference if some do. As the real collector, it confirms each owner's absence
// with a live read from the API before acting, since a deletion cannot be undone.
//
// Threads: the informer threads call OwnerGone/DependentObserved (they only enqueue);
// one worker thread processes owner uids from a work queue.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "api/clock.h"
#include "api/status.h"
#include "client/client.h"
#include "client/informer.h"
#include "client/workqueue.h"

namespace lpv::statefulset {

class OwnerReferenceCleanup {
 public:
  // The informers are the controller's; `pods` and `claims` must carry the kByOwnerUID index.
  OwnerReferenceCleanup(client::Client* client, client::Informer* sets, client::Informer* pods,
                        client::Informer* claims, Clock* clock);
  ~OwnerReferenceCleanup();

  // The index of pods and claims by the uids of their owners.
  static constexpr char kByOwnerUID[] = "owner-uid";
  static std::vector<std::string> OwnerUIDIndex(const google::protobuf::Message& obj);

  // Starts the worker; it waits for the caches and then looks once at every pod and claim.
  void Start();
  void Stop();

  // The object with this uid is gone: its dependents are checked.
  void OwnerGone(const std::string& uid);
  // A pod or claim was added or changed: owners (StatefulSets, pods) the caches don't have
  // are checked.
  void DependentObserved(const google::protobuf::Message& obj);

 private:
  void Worker();
  Status ProcessOwner(const std::string& uid);
  // attemptToDeleteItem: delete the dependent if all its owners are gone, else drop the
  // references to the gone ones.
  Status AttemptToDeleteItem(const google::protobuf::Message& dependent);
  // Whether the owner named by `ref` (in `ns`) no longer exists, read from the API.
  Result<bool> IsDangling(const api::OwnerReference& ref, const std::string& ns);

  client::Client* client_;
  client::Informer* sets_;
  client::Informer* pods_;
  client::Informer* claims_;
  client::WorkQueue queue_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

}  // namespace lpv::statefulset
