#include "statefulset/stateful_pod_control.h"

#include <cctype>
#include <vector>

#include "statefulset/stateful_set_utils.h"

namespace lpv::statefulset {

namespace {

const api::KindInfo& PodKind() { return *api::KindOf(api::Pod::default_instance()); }

// The text of an error as Go prints an API error: its message.
std::string ErrorText(const Status& s) { return s.message(); }

std::string Title(const std::string& verb) {
  std::string t = verb;
  if (!t.empty()) t[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(t[0])));
  return t;
}

// errorutils.NewAggregate: one error as is, several as "[a, b]".
Status Aggregate(const std::vector<std::string>& errs) {
  if (errs.empty()) return Status::OK();
  if (errs.size() == 1) return Status::Internal(errs[0]);
  std::string msg = "[";
  for (size_t i = 0; i < errs.size(); ++i) msg += (i ? ", " : "") + errs[i];
  return Status::Internal(msg + "]");
}

}  // namespace

StatefulPodControl::StatefulPodControl(client::Client* client, client::Informer* claims,
                                       client::EventRecorder* recorder)
    : client_(client), claims_(claims), recorder_(recorder) {}

std::shared_ptr<const api::PersistentVolumeClaim> StatefulPodControl::GetClaim(
    const std::string& ns, const std::string& name) const {
  return client::As<api::PersistentVolumeClaim>(claims_->Get(ns + "/" + name));
}

Status StatefulPodControl::CreateStatefulPod(const api::StatefulSet& set, const api::Pod& pod) {
  // The claims come first, so the pod never waits for storage that is not asked for yet.
  if (Status s = CreatePersistentVolumeClaims(set, pod); !s.ok()) {
    RecordPodEvent("create", set, pod, s);
    return s;
  }
  auto created = client_->CreateTyped(pod);
  if (!created.ok() && created.status().IsAlreadyExists()) return created.status();
  if (created.ok()) {
    // The claims' owner references, as far as they can be set now (the pod's uid exists).
    if (Status s = UpdatePodClaimForRetentionPolicy(set, *created); !s.ok()) {
      RecordPodEvent("update", set, pod, s);
      return s;
    }
  }
  RecordPodEvent("create", set, pod, created.status());
  return created.status();
}

Status StatefulPodControl::UpdateStatefulPod(const api::StatefulSet& set, const api::Pod& in) {
  api::Pod pod = in;
  bool consistent = true;
  if (!IdentityMatches(set, pod)) {
    UpdateIdentity(set, &pod);
    consistent = false;
  }
  if (!StorageMatches(set, pod)) {
    UpdateStorage(set, &pod);
    consistent = false;
    if (Status s = CreatePersistentVolumeClaims(set, pod); !s.ok()) {
      RecordPodEvent("update", set, pod, s);
      return s;
    }
  }
  auto match = ClaimsMatchRetentionPolicy(set, pod);
  if (!match.ok()) {
    RecordPodEvent("update", set, pod, match.status());
    return match.status();
  }
  if (!*match) {
    if (Status s = UpdatePodClaimForRetentionPolicy(set, pod); !s.ok()) {
      RecordPodEvent("update", set, pod, s);
      return s;
    }
    consistent = false;
  }
  if (consistent) return Status::OK();
  // Conditional on the version read: a conflict means the cache was behind; the next sync
  // (the informer's event for the newer pod) tries again.
  auto updated = client_->Update(pod);
  RecordPodEvent("update", set, pod, updated.status());
  return updated.status();
}

Status StatefulPodControl::DeleteStatefulPod(const api::StatefulSet& set, const api::Pod& pod) {
  const std::string& uid = pod.metadata().uid();
  {
    std::lock_guard<std::mutex> l(mu_);
    if (deleting_.count(uid)) return Status::OK();
  }
  client::DeleteOptions options;
  options.uid = uid;  // never the pod of the same name that replaced it
  auto r = client_->Delete(PodKind(), pod.metadata().namespace_(), pod.metadata().name(), options);
  // lpv: a pod already gone (or replaced) is what we wanted. Kubernetes records FailedDelete
  // then; here a cache a step behind the API would make that a routine warning.
  if (!r.ok() && (r.status().IsNotFound() || r.status().IsConflict())) return Status::OK();
  if (r.ok()) {
    std::lock_guard<std::mutex> l(mu_);
    deleting_.insert(uid);
  }
  RecordPodEvent("delete", set, pod, r.status());
  return r.status();
}

void StatefulPodControl::PodObserved(const api::Pod& pod) {
  if (!IsTerminating(pod)) return;
  std::lock_guard<std::mutex> l(mu_);
  deleting_.erase(pod.metadata().uid());
}

void StatefulPodControl::PodGone(const api::Pod& pod) {
  std::lock_guard<std::mutex> l(mu_);
  deleting_.erase(pod.metadata().uid());
}

Result<bool> StatefulPodControl::ClaimsMatchRetentionPolicy(const api::StatefulSet& set,
                                                            const api::Pod& pod) {
  int ordinal = GetOrdinal(pod);
  for (const auto& tmpl : set.spec().volume_claim_templates()) {
    auto claim =
        GetClaim(set.metadata().namespace_(), GetPersistentVolumeClaimName(set, tmpl, ordinal));
    // A missing claim is picked up by a later sync.
    if (claim && !IsClaimOwnerUpToDate(*claim, set, pod)) return false;
  }
  return true;
}

Status StatefulPodControl::UpdatePodClaimForRetentionPolicy(const api::StatefulSet& set,
                                                            const api::Pod& pod) {
  int ordinal = GetOrdinal(pod);
  for (const auto& tmpl : set.spec().volume_claim_templates()) {
    std::string name = GetPersistentVolumeClaimName(set, tmpl, ordinal);
    auto cached = GetClaim(set.metadata().namespace_(), name);
    if (!cached || IsClaimOwnerUpToDate(*cached, set, pod)) continue;
    api::PersistentVolumeClaim claim = *cached;
    UpdateClaimOwnerRefForSetAndPod(&claim, set, pod);
    auto r = client_->Update(claim);
    if (!r.ok()) {
      return Status::Make(r.status().reason(),
                          "Could not update claim " + name +
                              " for delete policy ownerRefs: " + ErrorText(r.status()));
    }
  }
  return Status::OK();
}

Result<bool> StatefulPodControl::PodClaimIsStale(const api::StatefulSet& set, const api::Pod& pod) {
  // Retained claims are meant to be reused: never stale.
  if (GetPersistentVolumeClaimRetentionPolicy(set).when_scaled() == kRetain) return false;
  for (const auto& [tmpl, want] : GetPersistentVolumeClaims(set, pod)) {
    auto claim = GetClaim(want.metadata().namespace_(), want.metadata().name());
    if (claim && HasStaleOwnerRef(*claim, pod)) return true;
  }
  return false;
}

Status StatefulPodControl::CondemnedClaimsObserved(const api::StatefulSet& set,
                                                   const api::Pod& pod) {
  if (GetPersistentVolumeClaimRetentionPolicy(set).when_scaled() != kDelete) return Status::OK();
  for (const auto& [tmpl, want] : GetPersistentVolumeClaims(set, pod)) {
    const std::string& ns = want.metadata().namespace_();
    const std::string& name = want.metadata().name();
    if (GetClaim(ns, name)) continue;
    auto live = client_->Get<api::PersistentVolumeClaim>(ns, name);
    if (live.ok()) {
      return Status::Make(Reason::Conflict, "claim " + name + " of pod " + pod.metadata().name() +
                                                " is not in the cache yet");
    }
    if (!live.status().IsNotFound()) return live.status();
  }
  return Status::OK();
}

Status StatefulPodControl::CreateMissingPersistentVolumeClaims(const api::StatefulSet& set,
                                                               const api::Pod& pod) {
  if (Status s = CreatePersistentVolumeClaims(set, pod); !s.ok()) return s;
  if (Status s = UpdatePodClaimForRetentionPolicy(set, pod); !s.ok()) {
    RecordPodEvent("update", set, pod, s);
    return s;
  }
  return Status::OK();
}

Status StatefulPodControl::CreatePersistentVolumeClaims(const api::StatefulSet& set,
                                                        const api::Pod& pod) {
  std::vector<std::string> errs;
  for (const auto& [tmpl, claim] : GetPersistentVolumeClaims(set, pod)) {
    auto existing = GetClaim(claim.metadata().namespace_(), claim.metadata().name());
    if (existing) {
      if (!existing->metadata().deletion_timestamp().empty()) {
        errs.push_back("pvc " + claim.metadata().name() + " is being deleted");
      }
      continue;
    }
    auto created = client_->Create(claim);
    // lpv: AlreadyExists means the claim is there and our cache has not seen it yet: done.
    // (Kubernetes returns the error, failing the pod's creation for this round.)
    if (!created.ok() && created.status().IsAlreadyExists()) continue;
    if (!created.ok()) {
      errs.push_back("failed to create PVC " + claim.metadata().name() + ": " +
                     ErrorText(created.status()));
    }
    RecordClaimEvent("create", set, pod, claim, created.status());
  }
  return Aggregate(errs);
}

void StatefulPodControl::RecordPodEvent(const std::string& verb, const api::StatefulSet& set,
                                        const api::Pod& pod, const Status& err) {
  if (err.ok()) {
    recorder_->Event(set, "Normal", "Successful" + Title(verb),
                     verb + " Pod " + pod.metadata().name() + " in StatefulSet " +
                         set.metadata().name() + " successful");
  } else {
    recorder_->Event(set, "Warning", "Failed" + Title(verb),
                     verb + " Pod " + pod.metadata().name() + " in StatefulSet " +
                         set.metadata().name() + " failed error: " + ErrorText(err));
  }
}

void StatefulPodControl::RecordClaimEvent(const std::string& verb, const api::StatefulSet& set,
                                          const api::Pod& pod,
                                          const api::PersistentVolumeClaim& claim,
                                          const Status& err) {
  if (err.ok()) {
    recorder_->Event(set, "Normal", "Successful" + Title(verb),
                     verb + " Claim " + claim.metadata().name() + " Pod " + pod.metadata().name() +
                         " in StatefulSet " + set.metadata().name() + " success");
  } else {
    recorder_->Event(set, "Warning", "Failed" + Title(verb),
                     verb + " Claim " + claim.metadata().name() + " for Pod " +
                         pod.metadata().name() + " in StatefulSet " + set.metadata().name() +
                         " failed error: " + ErrorText(err));
  }
}

}  // namespace lpv::statefulset
