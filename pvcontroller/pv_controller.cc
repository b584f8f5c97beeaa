// The sync logic, as pv_controller.go. Every branch mirrors one of Kubernetes', in its order,
// with its events; the comments "OBSERVATION" say which state each branch sees, as there.
//
// The binding is a two-sided pointer: volume.spec.claimRef and claim.spec.volumeName. It is
// written in four steps (volume claimRef, volume phase, claim volumeName, claim phase), each
// idempotent, so whichever step a crash or a conflict interrupted, the next sync finishes it.

#include "pvcontroller/pv_controller.h"

#include <algorithm>

#include "pvcontroller/annotations.h"
#include "pvcontroller/index.h"
#include "pvcontroller/pod_index.h"

namespace lpv::pvcontroller {

namespace {

constexpr char kNormal[] = "Normal";
constexpr char kWarning[] = "Warning";

// Event reasons (pkg/controller/volume/events).
constexpr char kFailedBinding[] = "FailedBinding";
constexpr char kVolumeMismatch[] = "VolumeMismatch";
constexpr char kWaitForFirstConsumer[] = "WaitForFirstConsumer";
constexpr char kWaitForPodScheduled[] = "WaitForPodScheduled";
constexpr char kProvisioningFailed[] = "ProvisioningFailed";
constexpr char kExternalProvisioning[] = "ExternalProvisioning";
constexpr char kVolumeFailedDelete[] = "VolumeFailedDelete";
constexpr char kVolumeFailedRecycle[] = "VolumeFailedRecycle";

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

const std::string& Annotation(const api::ObjectMeta& meta, const std::string& key) {
  static const std::string kEmpty;
  auto it = meta.annotations().find(key);
  return it == meta.annotations().end() ? kEmpty : it->second;
}

// Why a volume a claim asked for by name cannot serve it, "" if it can
// (checkVolumeSatisfyClaim).
std::string CheckVolumeSatisfyClaim(const api::PersistentVolume& volume,
                                    const api::PersistentVolumeClaim& claim) {
  if (!volume.metadata().deletion_timestamp().empty()) {
    return "the volume is marked for deletion " + Quote(volume.metadata().name());
  }
  if (VolumeCapacity(volume).Cmp(ClaimRequest(claim)) < 0) return "requested PV is too small";
  if (GetPersistentVolumeClass(volume) != GetPersistentVolumeClaimClass(claim)) {
    return "storageClassName does not match";
  }
  if (CheckVolumeModeMismatches(claim.spec(), volume.spec())) return "incompatible volumeMode";
  if (!CheckAccessModes(claim, volume)) return "incompatible accessMode";
  return "";
}

api::Quantity ParseOrZero(const std::string& s) {
  auto q = api::Quantity::Parse(s);
  return q.ok() ? *q : api::Quantity();
}

bool SameModes(const google::protobuf::RepeatedPtrField<std::string>& a,
               const google::protobuf::RepeatedPtrField<std::string>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// Whether bindClaimToVolume has anything to write.
bool NeedsBindClaimToVolume(const api::PersistentVolumeClaim& claim,
                            const api::PersistentVolume& volume) {
  return claim.spec().volume_name() != volume.metadata().name() ||
         !HasAnnotation(claim.metadata(), kAnnBindCompleted);
}

// Whether updateClaimStatus has anything to write. The capacity changes only with the
// phase, so it need not be compared.
bool ClaimStatusNeedsUpdate(const api::PersistentVolumeClaim& claim, const std::string& phase,
                            const api::PersistentVolume* volume) {
  if (claim.status().phase() != phase) return true;
  if (volume == nullptr) {
    return claim.status().access_modes_size() > 0 || !claim.status().capacity().empty();
  }
  return !SameModes(claim.status().access_modes(), volume->spec().access_modes());
}

}  // namespace

// ---------------------------------------------------------------- claims

Status PersistentVolumeController::syncClaim(const api::PersistentVolumeClaim& claim) {
  if (!HasAnnotation(claim.metadata(), kAnnBindCompleted)) return syncUnboundClaim(claim);
  return syncBoundClaim(claim);
}

Status PersistentVolumeController::syncUnboundClaim(const api::PersistentVolumeClaim& claim) {
  // This is a new claim that has not completed binding.
  // OBSERVATION: claim is "Pending".
  if (claim.spec().volume_name().empty()) {
    // The user did not care which volume they get.
    auto delay_binding =
        IsDelayBindingMode(claim, [this](const std::string& n) { return GetClass(n); });
    if (!delay_binding.ok()) return delay_binding.status();

    // lpv: a claim whose class delays binding and on which the scheduler has written
    // volume.kubernetes.io/selected-node is matched against the volumes of that node.
    // Kubernetes' controller never passes a node (that annotation only starts dynamic
    // provisioning there; the scheduler's BindPodVolumes binds local volumes itself).
    NodePtr node;
    if (*delay_binding && IsDelayBindingProvisioning(claim)) {
      const std::string& node_name = Annotation(claim.metadata(), kAnnSelectedNode);
      node = GetNode(node_name);
      if (!node) return Status::NotFound("nodes", node_name);  // retried with backoff
    }
    std::vector<VolumePtr> candidates = CandidateVolumes(claim, *delay_binding && !node);
    Result<VolumePtr> found = node ? FindMatchingVolume(claim, candidates, node.get(), {}, true)
                                   : FindBestMatchForClaim(claim, candidates, *delay_binding);
    if (!found.ok()) {
      return Status::Internal("error finding PV for claim " + Quote(ClaimToClaimKey(claim)) + ": " +
                              found.status().message());
    }
    VolumePtr volume = *found;
    if (!volume) {
      // No volume could be found. Try to provision one if possible.
      // OBSERVATION: claim is "Pending", will retry.
      auto updated = assignDefaultStorageClass(claim);
      if (!updated.ok()) {
        return Status::Make(updated.status().reason(), "can't update PersistentVolumeClaim[" +
                                                           Quote(ClaimToClaimKey(claim)) +
                                                           "]: " + updated.status().message());
      }
      // The claim's update brings it back with its class.
      if (*updated) return Status::OK();

      if (*delay_binding && !IsDelayBindingProvisioning(claim)) {
        // The scheduler does not see any pod using this claim yet.
        emitEventForUnboundDelayBindingClaim(claim);
      } else if (!GetPersistentVolumeClaimClass(claim).empty()) {
        return provisionClaim(claim);
      } else {
        recorder_.Event(claim, kNormal, kFailedBinding,
                        "no persistent volumes available for this claim and no storage class "
                        "is set");
      }
      // Mark the claim as Pending and try to find a match in the next periodic sync.
      auto r = updateClaimStatus(claim, kClaimPending, nullptr);
      return r.ok() ? Status::OK() : r.status();
    }
    // Found a volume for this claim.
    // OBSERVATION: claim is "Pending", volume is "Available".
    return bind(*volume, claim);
  }

  // The user asked for a specific volume.
  VolumePtr volume = GetVolume(claim.spec().volume_name());
  if (!volume) {
    // The volume does not exist (yet). Retry later.
    // OBSERVATION: claim is "Pending".
    auto r = updateClaimStatus(claim, kClaimPending, nullptr);
    return r.ok() ? Status::OK() : r.status();
  }
  if (!volume->spec().has_claim_ref()) {
    // The user asked for a volume that is not claimed.
    // OBSERVATION: claim is "Pending", volume is "Available".
    std::string why = CheckVolumeSatisfyClaim(*volume, claim);
    if (!why.empty()) {
      recorder_.Event(
          claim, kWarning, kVolumeMismatch,
          "Cannot bind to requested volume " + Quote(volume->metadata().name()) + ": " + why);
      auto r = updateClaimStatus(claim, kClaimPending, nullptr);
      return r.ok() ? Status::OK() : r.status();
    }
    return bind(*volume, claim);
  }
  if (IsVolumeBoundToClaim(*volume, claim)) {
    // The user asked for a volume that is claimed by this claim: finish the binding.
    // OBSERVATION: claim is "Pending", volume is "Bound".
    return bind(*volume, claim);
  }
  // The user asked for a volume that is claimed by someone else.
  // OBSERVATION: claim is "Pending", volume is "Bound".
  std::string msg =
      "volume " + Quote(volume->metadata().name()) + " already bound to a different claim.";
  recorder_.Event(claim, kWarning, kFailedBinding, msg);
  if (!HasAnnotation(claim.metadata(), kAnnBoundByController)) {
    // A user's choice: wait until the volume is free.
    auto r = updateClaimStatus(claim, kClaimPending, nullptr);
    return r.ok() ? Status::OK() : r.status();
  }
  // This should never happen: someone removed bind-completed from a claim we bound.
  return Status::Internal("invalid binding of claim " + Quote(ClaimToClaimKey(claim)) +
                          " to volume " + Quote(claim.spec().volume_name()) +
                          ": volume already claimed by " +
                          Quote(ClaimrefToClaimKey(volume->spec().claim_ref())));
}

Status PersistentVolumeController::syncBoundClaim(const api::PersistentVolumeClaim& claim) {
  // The claim has been bound before.
  // OBSERVATION: claim is not "Pending".
  if (claim.spec().volume_name().empty()) {
    // Claim was bound before but not any more.
    auto r = updateClaimStatusWithEvent(
        claim, kClaimLost, nullptr, kWarning, "ClaimLost",
        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    return r.ok() ? Status::OK() : r.status();
  }
  VolumePtr volume = GetVolume(claim.spec().volume_name());
  if (!volume) {
    // lpv: Lost tells the user the data is gone (only the volume coming back bound to this
    // claim undoes it), so ask the API server before declaring it: a volume created a
    // moment ago may not have reached our informer yet.
    auto live = client_->Get<api::PersistentVolume>("", claim.spec().volume_name());
    if (live.ok()) {
      volume = std::make_shared<const api::PersistentVolume>(std::move(*live));
    } else if (!live.status().IsNotFound()) {
      return live.status();
    }
  }
  if (!volume) {
    // The claim is bound to a volume that does not exist.
    auto r = updateClaimStatusWithEvent(
        claim, kClaimLost, nullptr, kWarning, "ClaimLost",
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    return r.ok() ? Status::OK() : r.status();
  }
  if (!volume->spec().has_claim_ref()) {
    // The claim is bound but the volume has come unbound, or the volume's update is not here
    // yet: bind again and set both Bound.
    return bind(*volume, claim);
  }
  if (volume->spec().claim_ref().uid() == claim.metadata().uid()) {
    // All is well; bind() only fixes what is missing (the phases, usually nothing).
    return bind(*volume, claim);
  }
  // The claim is bound but the volume has another claimant: Lost.
  auto r = updateClaimStatusWithEvent(
      claim, kClaimLost, nullptr, kWarning, "ClaimMisbound",
      "Two claims are bound to the same volume, this one is bound incorrectly");
  return r.ok() ? Status::OK() : r.status();
}

void PersistentVolumeController::emitEventForUnboundDelayBindingClaim(
    const api::PersistentVolumeClaim& claim) {
  std::string reason = kWaitForFirstConsumer;
  std::string message = "waiting for first consumer to be created before binding";
  // Pods that use the claim and wait for the scheduler (findNonScheduledPodsByPVC).
  std::vector<std::string> pods;
  for (const auto& obj : pods_->ByIndex(kPodPVCIndex, ClaimToClaimKey(claim))) {
    const auto& pod = static_cast<const api::Pod&>(*obj);
    if (IsPodTerminated(pod)) continue;
    if (pod.spec().node_name().empty()) pods.push_back(pod.metadata().name());
  }
  std::sort(pods.begin(), pods.end());
  if (!pods.empty()) {
    reason = kWaitForPodScheduled;
    if (pods.size() > 1) {
      // Only one of them takes part in scheduling the claim, but which one is unknown.
      std::string names;
      for (const auto& p : pods) names += (names.empty() ? "" : ",") + p;
      message = "waiting for pods " + names + " to be scheduled";
    } else {
      message = "waiting for pod " + pods.front() + " to be scheduled";
    }
  }
  recorder_.Event(claim, kNormal, reason, message);
}

Result<bool> PersistentVolumeController::assignDefaultStorageClass(
    const api::PersistentVolumeClaim& claim) {
  // The user asked for a class (possibly "": no class).
  if (PersistentVolumeClaimHasClass(claim)) return false;
  ClassPtr sc = GetDefaultClass(ListClasses(/*live=*/false));
  // A default class created a moment ago may not be in the informer yet.
  if (!sc) sc = GetDefaultClass(ListClasses(/*live=*/true));
  if (!sc) return false;
  // The retroactive default class: a claim created before any class was default gets it now.
  api::PersistentVolumeClaim clone = claim;
  clone.mutable_spec()->set_storage_class_name(sc->metadata().name());
  auto r = UpdateClaim(clone, /*status=*/false);
  if (!r.ok()) return r.status();
  return true;
}

Status PersistentVolumeController::provisionClaim(const api::PersistentVolumeClaim& claim) {
  // lpv has no in-tree volume plugins: only external provisioners provision (and the local
  // static provisioner creates volumes without claims). The events are Kubernetes' for each
  // case (findProvisionablePlugin, provisionClaimOperationExternal).
  std::string name = GetPersistentVolumeClaimClass(claim);
  ClassPtr sc = GetClass(name);
  if (!sc) {
    recorder_.Event(claim, kWarning, kProvisioningFailed,
                    "storageclass.storage.k8s.io " + Quote(name) + " not found");
    return Status::OK();
  }
  const std::string& provisioner = sc->provisioner();
  if (provisioner.rfind("kubernetes.io/", 0) == 0) {
    // An in-tree plugin, which lpv does not have; kubernetes.io/no-provisioner (local
    // volumes) never has one: "no volume plugin matched name: kubernetes.io/no-provisioner".
    recorder_.Event(claim, kWarning, kProvisioningFailed,
                    "no volume plugin matched name: " + provisioner);
    return Status::OK();
  }
  // An external provisioner: tell it through the claim's annotations (setClaimProvisioner).
  if (Annotation(claim.metadata(), kAnnStorageProvisioner) != provisioner) {
    api::PersistentVolumeClaim clone = claim;
    auto& ann = *clone.mutable_metadata()->mutable_annotations();
    ann[kAnnBetaStorageProvisioner] = provisioner;
    ann[kAnnStorageProvisioner] = provisioner;
    auto r = UpdateClaim(clone, /*status=*/false);
    if (!r.ok()) {
      recorder_.Event(claim, kWarning, kProvisioningFailed,
                      "Error saving claim: " + r.status().message());
      return r.status();
    }
  }
  recorder_.Event(claim, kNormal, kExternalProvisioning,
                  "Waiting for a volume to be created either by the external provisioner '" +
                      provisioner +
                      "' or manually by the system administrator. If volume creation is "
                      "delayed, please verify that the provisioner is running and correctly "
                      "registered.");
  return Status::OK();
}

// ---------------------------------------------------------------- volumes

Status PersistentVolumeController::syncVolume(const api::PersistentVolume& volume) {
  if (!volume.spec().has_claim_ref()) {
    // The volume is unused.
    auto r = updateVolumePhase(volume, kVolumeAvailable, "");
    return r.ok() ? Status::OK() : r.status();
  }
  const api::ObjectReference& ref = volume.spec().claim_ref();
  if (ref.uid().empty()) {
    // The volume is reserved for a claim that has not been bound to it yet; the claim's
    // sync will do it.
    auto r = updateVolumePhase(volume, kVolumeAvailable, "");
    return r.ok() ? Status::OK() : r.status();
  }

  // The volume is bound to a claim. Find the claim by name.
  std::string claim_key = ClaimrefToClaimKey(ref);
  ClaimPtr claim = GetClaim(claim_key);
  const std::string& phase = volume.status().phase();
  if (!claim && phase != kVolumeReleased && phase != kVolumeFailed) {
    // A volume bound by someone else (the scheduler's volume binder, a provisioner) may name
    // a claim our informer has not seen yet: ask the API server before releasing it.
    auto live = client_->Get<api::PersistentVolumeClaim>(ref.namespace_(), ref.name());
    if (live.ok()) {
      claim = std::make_shared<const api::PersistentVolumeClaim>(std::move(*live));
    } else if (!live.status().IsNotFound()) {
      return live.status();
    }
  }
  if (claim && claim->metadata().uid() != ref.uid()) {
    // The claim the volume pointed to was deleted and another with the same name created,
    // unless our copy is old: ask the API server.
    auto live = client_->Get<api::PersistentVolumeClaim>(ref.namespace_(), ref.name());
    if (live.ok()) {
      claim = live->metadata().uid() == ref.uid()
                  ? std::make_shared<const api::PersistentVolumeClaim>(std::move(*live))
                  : nullptr;
    } else if (live.status().IsNotFound()) {
      claim = nullptr;
    } else {
      return live.status();
    }
  }

  if (!claim) {
    // The claim was deleted. Released, then the reclaim policy: Retain keeps it Released,
    // Delete deletes it (or leaves it to its external deleter), Recycle scrubs it.
    // A Failed phase is kept so the user sees something went wrong; reclaiming is retried.
    api::PersistentVolume current = volume;
    if (phase != kVolumeReleased && phase != kVolumeFailed) {
      auto r = updateVolumePhase(volume, kVolumeReleased, "");
      if (!r.ok()) return r.status();
      current = std::move(*r);
    }
    return reclaimVolume(current);
  }
  if (claim->spec().volume_name().empty()) {
    if (CheckVolumeModeMismatches(claim->spec(), volume.spec())) {
      // syncUnboundClaim will never pick this volume: say why, on both.
      recorder_.Event(volume, kWarning, kVolumeMismatch,
                      "Cannot bind PersistentVolume to requested PersistentVolumeClaim " +
                          Quote(claim->metadata().name()) + " due to incompatible volumeMode.");
      recorder_.Event(*claim, kWarning, kVolumeMismatch,
                      "Cannot bind PersistentVolume " + Quote(volume.metadata().name()) +
                          " to requested PersistentVolumeClaim due to incompatible volumeMode.");
      return Status::OK();
    }
    // The binding is not complete (bound by the controller or the scheduler), or the volume
    // was pre-bound by a user: either way the claim's sync finishes it; do it soon.
    claim_queue_.Add(claim_key);
    return Status::OK();
  }
  if (claim->spec().volume_name() == volume.metadata().name()) {
    // Bound both ways; the phase may be behind.
    auto r = updateVolumePhase(volume, kVolumeBound, "");
    return r.ok() ? Status::OK() : r.status();
  }
  // The volume points to a claim that is bound to another volume.
  if (HasAnnotation(volume.metadata(), kAnnDynamicallyProvisioned) &&
      volume.spec().persistent_volume_reclaim_policy() == "Delete") {
    // Provisioned for this claim, which got another volume: not needed, delete it.
    api::PersistentVolume current = volume;
    if (phase != kVolumeReleased && phase != kVolumeFailed) {
      auto r = updateVolumePhase(volume, kVolumeReleased, "");
      if (!r.ok()) return r.status();
      current = std::move(*r);
    }
    return reclaimVolume(current);
  }
  // Bound by the controller (its choice lost a race): undo it, back to Available. Pre-bound by
  // a user: keep the reservation, forget the uid, and wait for the claim to come free.
  return unbindVolume(volume);
}

// ---------------------------------------------------------------- binding

Status PersistentVolumeController::bind(const api::PersistentVolume& volume_in,
                                        const api::PersistentVolumeClaim& claim_in) {
  // Every resync of a bound claim lands here with nothing to write. The steps below would
  // each hand back a copy of what they were given; asking each step's own question first
  // skips the copies (upstream's steps return the pointer they were given).
  if (!NeedsBindVolumeToClaim(volume_in, claim_in) &&
      volume_in.status().phase() == kVolumeBound && !NeedsBindClaimToVolume(claim_in, volume_in) &&
      !ClaimStatusNeedsUpdate(claim_in, kClaimBound, &volume_in)) {
    return Status::OK();
  }
  auto volume = bindVolumeToClaim(volume_in, claim_in);
  if (!volume.ok()) return volume.status();
  volume = updateVolumePhase(*volume, kVolumeBound, "");
  if (!volume.ok()) return volume.status();
  auto claim = bindClaimToVolume(claim_in, *volume);
  if (!claim.ok()) return claim.status();
  claim = updateClaimStatus(*claim, kClaimBound, &*volume);
  if (!claim.ok()) return claim.status();
  return Status::OK();
}

Result<api::PersistentVolume> PersistentVolumeController::bindVolumeToClaim(
    const api::PersistentVolume& volume, const api::PersistentVolumeClaim& claim) {
  bool dirty = false;
  api::PersistentVolume clone = GetBindVolumeToClaim(volume, claim, &dirty);
  if (!dirty) return volume;
  return UpdateVolume(clone, /*status=*/false);
}

Result<api::PersistentVolumeClaim> PersistentVolumeController::bindClaimToVolume(
    const api::PersistentVolumeClaim& claim, const api::PersistentVolume& volume) {
  if (!NeedsBindClaimToVolume(claim, volume)) return claim;
  api::PersistentVolumeClaim clone = claim;
  auto& ann = *clone.mutable_metadata()->mutable_annotations();
  if (claim.spec().volume_name() != volume.metadata().name()) {
    // The controller chose the volume (the user did not name it).
    clone.mutable_spec()->set_volume_name(volume.metadata().name());
    if (!ann.contains(kAnnBoundByController)) ann[kAnnBoundByController] = "yes";
  }
  if (!ann.contains(kAnnBindCompleted)) ann[kAnnBindCompleted] = "yes";
  return UpdateClaim(clone, /*status=*/false);
}

Status PersistentVolumeController::unbindVolume(const api::PersistentVolume& volume) {
  api::PersistentVolume clone = volume;
  if (HasAnnotation(volume.metadata(), kAnnBoundByController)) {
    // The controller bound it: roll the binding back entirely.
    clone.mutable_spec()->clear_claim_ref();
    clone.mutable_metadata()->mutable_annotations()->erase(kAnnBoundByController);
  } else {
    // A user pre-bound it: clear only the binding uid.
    clone.mutable_spec()->mutable_claim_ref()->clear_uid();
  }
  auto updated = UpdateVolume(clone, /*status=*/false);
  if (!updated.ok()) return updated.status();
  auto r = updateVolumePhase(*updated, kVolumeAvailable, "");
  return r.ok() ? Status::OK() : r.status();
}

// ---------------------------------------------------------------- status writes

Result<api::PersistentVolumeClaim> PersistentVolumeController::updateClaimStatus(
    const api::PersistentVolumeClaim& claim, const std::string& phase,
    const api::PersistentVolume* volume) {
  if (!ClaimStatusNeedsUpdate(claim, phase, volume)) return claim;
  api::PersistentVolumeClaim clone = claim;
  auto* status = clone.mutable_status();
  status->set_phase(phase);
  if (volume == nullptr) {
    // Not bound: no access modes, no capacity.
    status->clear_access_modes();
    status->clear_capacity();
  } else {
    *status->mutable_access_modes() = volume->spec().access_modes();
    // The capacity is set when the claim becomes Bound, not after: a later difference can be
    // intended (a filesystem smaller than its block device) and is not clobbered.
    if (claim.status().phase() != phase) {
      auto vol_cap = volume->spec().capacity().find("storage");
      if (vol_cap == volume->spec().capacity().end()) {
        return Status::Internal("PersistentVolume " + Quote(volume->metadata().name()) +
                                " is without a storage capacity");
      }
      auto claim_cap = claim.status().capacity().find("storage");
      if (claim_cap == claim.status().capacity().end() ||
          VolumeCapacity(*volume).Cmp(ParseOrZero(claim_cap->second)) != 0) {
        *status->mutable_capacity() = volume->spec().capacity();
      }
    }
  }
  return UpdateClaim(clone, /*status=*/true);
}

Result<api::PersistentVolumeClaim> PersistentVolumeController::updateClaimStatusWithEvent(
    const api::PersistentVolumeClaim& claim, const std::string& phase,
    const api::PersistentVolume* volume, const std::string& type, const std::string& reason,
    const std::string& message) {
  if (claim.status().phase() == phase) return claim;
  auto updated = updateClaimStatus(claim, phase, volume);
  if (!updated.ok()) return updated;
  // The event goes with the change of phase, not with every sync.
  recorder_.Event(*updated, type, reason, message);
  return updated;
}

Result<api::PersistentVolume> PersistentVolumeController::updateVolumePhase(
    const api::PersistentVolume& volume, const std::string& phase, const std::string& message) {
  if (volume.status().phase() == phase) return volume;
  api::PersistentVolume clone = volume;
  clone.mutable_status()->set_phase(phase);
  clone.mutable_status()->set_message(message);
  return UpdateVolume(clone, /*status=*/true);
}

Result<api::PersistentVolume> PersistentVolumeController::updateVolumePhaseWithEvent(
    const api::PersistentVolume& volume, const std::string& phase, const std::string& type,
    const std::string& reason, const std::string& message) {
  if (volume.status().phase() == phase) return volume;
  auto updated = updateVolumePhase(volume, phase, message);
  if (!updated.ok()) return updated;
  recorder_.Event(*updated, type, reason, message);
  return updated;
}

// ---------------------------------------------------------------- reclaim

Status PersistentVolumeController::reclaimVolume(const api::PersistentVolume& volume) {
  const std::string& policy = volume.spec().persistent_volume_reclaim_policy();
  if (policy == "Retain") {
    // Nothing to do: the volume stays Released, with its claimRef, until an administrator
    // deletes it or clears the claimRef. Kubernetes records no event here.
    return Status::OK();
  }
  if (policy == "Recycle") {
    // Kubernetes scrubs hostPath and NFS volumes with a recycler pod; lpv runs none, and local
    // volumes have no recycler in Kubernetes either.
    auto r = updateVolumePhaseWithEvent(volume, kVolumeFailed, kWarning, kVolumeFailedRecycle,
                                        "No recycler plugin found for the volume!");
    return r.ok() ? Status::OK() : r.status();
  }
  if (policy == "Delete") return deleteVolumeOperation(volume);
  auto r = updateVolumePhaseWithEvent(volume, kVolumeFailed, kWarning, "VolumeUnknownReclaimPolicy",
                                      "Volume has unrecognized PersistentVolumeReclaimPolicy");
  return r.ok() ? Status::OK() : r.status();
}

bool PersistentVolumeController::isVolumeReleased(const api::PersistentVolume& volume) {
  // Released: bound to a claim that is gone, or that is bound to another volume.
  if (!volume.spec().has_claim_ref() || volume.spec().claim_ref().uid().empty()) return false;
  ClaimPtr claim = GetClaim(ClaimrefToClaimKey(volume.spec().claim_ref()));
  if (claim && claim->metadata().uid() == volume.spec().claim_ref().uid()) {
    return !claim->spec().volume_name().empty() &&
           claim->spec().volume_name() != volume.metadata().name();
  }
  return true;
}

Status PersistentVolumeController::deleteVolumeOperation(const api::PersistentVolume& volume) {
  // Kubernetes runs this as an asynchronous operation; lpv's deleters are instant, so it runs
  // in the sync.
  if (!isVolumeReleased(volume)) return Status::OK();
  bool deleted = false;
  Status s = doDeleteVolume(volume, &deleted);
  if (!s.ok()) {
    // The plugin failed: Failed, with a Warning the first time. Every later sync (resync)
    // tries again, as in Kubernetes, so the error is not retried here.
    auto r = updateVolumePhaseWithEvent(volume, kVolumeFailed, kWarning, kVolumeFailedDelete,
                                        s.message());
    return r.ok() ? Status::OK() : r.status();
  }
  if (!deleted) {
    // An external deleter's volume (the local static provisioner wipes and deletes its own):
    // it stays Released until then.
    return Status::OK();
  }
  auto r = client_->Delete(*api::KindOf(volume), "", volume.metadata().name());
  if (!r.ok() && !r.status().IsNotFound()) return r.status();
  return Status::OK();
}

Status PersistentVolumeController::doDeleteVolume(const api::PersistentVolume& volume,
                                                  bool* deleted) {
  *deleted = false;
  // The plugin that provisioned the volume deletes it (findDeletablePlugin).
  const std::string& provisioned_by = Annotation(volume.metadata(), kAnnDynamicallyProvisioned);
  if (!provisioned_by.empty()) {
    if (provisioned_by.rfind("kubernetes.io/", 0) != 0) return Status::OK();  // external
    // lpv has no in-tree provisioner plugins.
    return Status::Internal("no volume plugin matched name: " + provisioned_by);
  }
  // Otherwise the plugin of its volume source. Kubernetes' local plugin cannot delete; its
  // hostPath plugin deletes only under /tmp (development clusters).
  std::string prefix =
      "error getting deleter volume plugin for volume " + Quote(volume.metadata().name()) + ": ";
  if (volume.spec().has_local()) {
    return Status::Internal(prefix + "no deletable volume plugin matched");
  }
  if (volume.spec().has_host_path()) {
    const std::string& path = volume.spec().host_path().path();
    // The regexp "/tmp/.+", unanchored as Go's MatchString uses it.
    auto at = path.find("/tmp/");
    if (at == std::string::npos || at + 5 >= path.size()) {
      return Status::Internal("host_path deleter only supports /tmp/.+ but received provided " +
                              path);
    }
    // Kubernetes removes the directory on the controller manager's host; lpv's disks are
    // simulated by the fake kubelets, so only the object goes.
    *deleted = true;
    return Status::OK();
  }
  return Status::Internal(prefix + "no volume plugin matched");
}

}  // namespace lpv::pvcontroller
