// StatefulPodControl: how the StatefulSet controller creates, updates and deletes a pod and
// its claims, recording Kubernetes' events on the set (stateful_pod_control.go):
//
//   Normal  SuccessfulCreate  create Claim local-vol-local-test-0 Pod local-test-0 in
//                             StatefulSet local-test success
//   Normal  SuccessfulCreate  create Pod local-test-0 in StatefulSet local-test successful
//   Normal  SuccessfulDelete  delete Pod local-test-2 in StatefulSet local-test successful
//   Warning FailedCreate      create Pod local-test-0 in StatefulSet local-test failed error: ..
//
// It reads pods and claims from the controller's informer caches and writes through the
// client. Thread-safety: safe for concurrent use (the workers share it).
#pragma once

#include <mutex>
#include <set>
#include <string>

#include "api/objects.pb.h"
#include "api/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"

namespace lpv::statefulset {

class StatefulPodControl {
 public:
  StatefulPodControl(client::Client* client, client::Informer* claims,
                     client::EventRecorder* recorder);

  // Creates the pod's missing claims, then the pod, then sets the claims' owner references
  // for the retention policy. AlreadyExists for the pod is returned without an event (the
  // informer has not caught up with an earlier create).
  Status CreateStatefulPod(const api::StatefulSet& set, const api::Pod& pod);
  // Restores the pod's identity (name, labels), storage (claim volumes, missing claims) and
  // its claims' owner references; records SuccessfulUpdate/FailedUpdate when it writes.
  Status UpdateStatefulPod(const api::StatefulSet& set, const api::Pod& pod);
  // Deletes the pod (not its claims).
  Status DeleteStatefulPod(const api::StatefulSet& set, const api::Pod& pod);

  // Whether the claims of the pod carry the owner references the retention policy wants.
  Result<bool> ClaimsMatchRetentionPolicy(const api::StatefulSet& set, const api::Pod& pod);
  Status UpdatePodClaimForRetentionPolicy(const api::StatefulSet& set, const api::Pod& pod);
  // With whenScaled=Delete, a claim still owned by a previous pod of this name blocks the
  // pod's creation until the garbage collector has deleted it.
  Result<bool> PodClaimIsStale(const api::StatefulSet& set, const api::Pod& pod);
  // lpv: with whenScaled=Delete, a condemned pod's claims must be in the cache before the
  // pod is deleted, or the claims would never be handed to it and outlive it. A claim missing
  // from the cache is looked up in the API: there but not yet seen is an error (the claim's
  // informer event brings the set back); really gone is fine.
  Status CondemnedClaimsObserved(const api::StatefulSet& set, const api::Pod& pod);
  // For a pending pod: the claims someone deleted come back.
  Status CreateMissingPersistentVolumeClaims(const api::StatefulSet& set, const api::Pod& pod);

  // The informer saw the pod (terminating) or its deletion: a delete we issued is done.
  void PodObserved(const api::Pod& pod);
  void PodGone(const api::Pod& pod);

 private:
  Status CreatePersistentVolumeClaims(const api::StatefulSet& set, const api::Pod& pod);
  void RecordPodEvent(const std::string& verb, const api::StatefulSet& set, const api::Pod& pod,
                      const Status& err);
  void RecordClaimEvent(const std::string& verb, const api::StatefulSet& set, const api::Pod& pod,
                        const api::PersistentVolumeClaim& claim, const Status& err);
  std::shared_ptr<const api::PersistentVolumeClaim> GetClaim(const std::string& ns,
                                                             const std::string& name) const;

  client::Client* client_;
  client::Informer* claims_;
  client::EventRecorder* recorder_;

  // Pods (by uid) we deleted that the informer still shows alive: deleting them again would
  // only repeat the event.
  std::mutex mu_;
  std::set<std::string> deleting_;
};

}  // namespace lpv::statefulset
