// lpv: the garbage collector's job for the StatefulSet's children, done here.
//
// On Kubernetes the StatefulSet controller never deletes a set's pods when the set goes,
// nor the claims a retention policy marks for deletion: it sets ownerReferences, and the
// garbage collector (pkg/controller/garbagecollector) deletes every object whose owners are
// all gone. lpv has no garbage collector of its own, so this does the part the StatefulSet
// story needs, for the kinds that own anything here (StatefulSets, pods, claims) and the
// kinds they own (pods, claims):
// - attemptToDeleteItem: when an owner disappears, its dependents are deleted (with a uid
//   precondition) if none of their owners remain, or lose the dangling reference if some
//   do (background deletion, the default);
// - processDeletingDependentsItem: an owner deleted with propagationPolicy=Foreground
//   stays, terminating with the "foregroundDeletion" finalizer the API server gave it; its
//   dependents are deleted, and once none that block it (blockOwnerDeletion) is left, the
//   finalizer goes and with it the owner;
// - orphanDependents: an owner deleted with propagationPolicy=Orphan keeps the "orphan"
//   finalizer until each dependent has lost its reference to it; then the finalizer goes.
// As the real collector, it confirms each owner's state with a live read from the API
// before acting, since a deletion cannot be undone. It reads the controller's informer
// caches and writes through the client.
//
// Threads: the informer threads call the *Observed/*Gone methods (they only enqueue);
// one worker thread processes the work queue.
#pragma once

#include <atomic>
#include <functional>
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

  // Starts the worker; it waits for the caches and then looks once at every set, pod and
  // claim.
  void Start();
  void Stop();

  // The object with this uid is gone: its dependents are checked.
  void OwnerGone(const std::string& uid);
  // A pod or claim was added or changed: owners (StatefulSets, pods) the caches don't have
  // are checked.
  void DependentObserved(const google::protobuf::Message& obj);
  // A set, pod or claim was added or changed: if it is being deleted with the "orphan" or
  // "foregroundDeletion" finalizer, its dependents are orphaned or deleted.
  void OwnerObserved(const google::protobuf::Message& obj);
  // A pod or claim is gone: the owners it held back (foregroundDeletion) are looked at again.
  void DependentGone(const google::protobuf::Message& obj);

 private:
  enum class OwnerState {
    kSolid,     // exists and is not waiting for its dependents
    kDangling,  // gone (or replaced by another object of the name)
    kWaitingForDependentsDeletion,  // being deleted in the foreground
  };
  enum class Outcome { kKept, kDetached, kDeleted };

  void Worker();
  Status Process(const std::string& key);
  Status ProcessOwner(const std::string& uid);
  // An owner with the "orphan" or "foregroundDeletion" finalizer.
  Status ProcessDeletingOwner(const api::KindInfo& kind, const std::string& cache_key);
  // attemptToDeleteItem: delete the dependent if none of its owners remains (or the rest
  // wait for their dependents' deletion), else drop its references to the gone and the
  // waiting ones. Decided on the object as the API has it now; kDetached also when it no
  // longer names `owner_uid` (if given).
  Result<Outcome> AttemptToDeleteItem(const google::protobuf::Message& dependent,
                                      const std::string& owner_uid = "");
  // processDeletingDependentsItem: the foreground deletion of `owner`.
  Status ProcessDeletingDependentsItem(const google::protobuf::Message& owner);
  // orphanDependents: every dependent loses its reference to `owner`.
  Status OrphanDependents(const google::protobuf::Message& owner);
  // The owner named by `ref` (in `ns`), read from the API.
  Result<OwnerState> ClassifyOwner(const api::OwnerReference& ref, const std::string& ns);
  // Reads the object `uid` from the API, applies `change` (false = nothing to change) and
  // writes it, again on conflicts. An object gone (or replaced) is left alone.
  Status UpdateWithRetry(const api::KindInfo& kind, const std::string& ns,
                         const std::string& name, const std::string& uid,
                         const std::function<bool(google::protobuf::Message*)>& change);
  Status RemoveFinalizer(const google::protobuf::Message& owner, const std::string& finalizer);
  std::vector<client::ObjectRef> Dependents(const std::string& owner_uid) const;
  client::Informer* InformerFor(const std::string& kind) const;

  client::Client* client_;
  client::Informer* sets_;
  client::Informer* pods_;
  client::Informer* claims_;
  client::WorkQueue queue_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

}  // namespace lpv::statefulset
