#include "pvcontroller/pv_helpers.h"

#include <algorithm>

#include "api/clock.h"
#include "pvcontroller/annotations.h"

namespace lpv::pvcontroller {

bool HasAnnotation(const api::ObjectMeta& meta, const std::string& key) {
  return meta.annotations().contains(key);
}

std::string GetPersistentVolumeClaimClass(const api::PersistentVolumeClaim& claim) {
  auto it = claim.metadata().annotations().find(kAnnBetaStorageClass);
  if (it != claim.metadata().annotations().end()) return it->second;
  if (claim.spec().has_storage_class_name()) return claim.spec().storage_class_name();
  return "";
}

const std::string& GetPersistentVolumeClass(const api::PersistentVolume& volume) {
  auto it = volume.metadata().annotations().find(kAnnBetaStorageClass);
  if (it != volume.metadata().annotations().end()) return it->second;
  return volume.spec().storage_class_name();
}

bool PersistentVolumeClaimHasClass(const api::PersistentVolumeClaim& claim) {
  return HasAnnotation(claim.metadata(), kAnnBetaStorageClass) ||
         claim.spec().has_storage_class_name();
}

bool IsDefaultAnnotation(const api::ObjectMeta& meta) {
  for (const char* key : {kAnnIsDefaultStorageClass, kAnnBetaIsDefaultStorageClass}) {
    auto it = meta.annotations().find(key);
    if (it != meta.annotations().end() && it->second == "true") return true;
  }
  return false;
}

ClassPtr GetDefaultClass(const std::vector<ClassPtr>& classes) {
  auto created = [](const ClassPtr& c) {
    return ParseRFC3339(c->metadata().creation_timestamp()).value_or(TimePoint());
  };
  ClassPtr best;
  for (const auto& c : classes) {
    if (!c || !IsDefaultAnnotation(c->metadata())) continue;
    if (!best || created(c) > created(best) ||
        (created(c) == created(best) && c->metadata().name() < best->metadata().name())) {
      best = c;
    }
  }
  return best;
}

Result<bool> IsDelayBindingMode(const api::PersistentVolumeClaim& claim,
                                const ClassLister& classes) {
  std::string name = GetPersistentVolumeClaimClass(claim);
  if (name.empty()) return false;
  ClassPtr sc = classes ? classes(name) : nullptr;
  if (!sc) return false;
  if (!sc->has_volume_binding_mode()) {
    return Status::Internal("VolumeBindingMode not set for StorageClass \"" + name + "\"");
  }
  return sc->volume_binding_mode() == "WaitForFirstConsumer";
}

bool IsDelayBindingProvisioning(const api::PersistentVolumeClaim& claim) {
  return HasAnnotation(claim.metadata(), kAnnSelectedNode);
}

bool IsVolumeBoundToClaim(const api::PersistentVolume& volume,
                          const api::PersistentVolumeClaim& claim) {
  if (!volume.spec().has_claim_ref()) return false;
  const api::ObjectReference& ref = volume.spec().claim_ref();
  if (claim.metadata().name() != ref.name() || claim.metadata().namespace_() != ref.namespace_()) {
    return false;
  }
  return ref.uid().empty() || ref.uid() == claim.metadata().uid();
}

api::ObjectReference ClaimReference(const api::PersistentVolumeClaim& claim) {
  api::ObjectReference ref;
  ref.set_kind("PersistentVolumeClaim");
  ref.set_namespace_(claim.metadata().namespace_());
  ref.set_name(claim.metadata().name());
  ref.set_uid(claim.metadata().uid());
  ref.set_api_version("v1");
  ref.set_resource_version(claim.metadata().resource_version());
  return ref;
}

namespace {

bool ClaimRefNamesClaim(const api::PersistentVolume& volume,
                        const api::PersistentVolumeClaim& claim) {
  const api::ObjectReference& ref = volume.spec().claim_ref();
  return volume.spec().has_claim_ref() && ref.name() == claim.metadata().name() &&
         ref.namespace_() == claim.metadata().namespace_() && ref.uid() == claim.metadata().uid();
}

// A volume that already names the claim was pre-bound (by a user, or by whoever bound it
// first); only a binding made here is marked as the controller's.
bool MissesBoundByController(const api::PersistentVolume& volume,
                             const api::PersistentVolumeClaim& claim) {
  return !IsVolumeBoundToClaim(volume, claim) &&
         !HasAnnotation(volume.metadata(), kAnnBoundByController);
}

}  // namespace

bool NeedsBindVolumeToClaim(const api::PersistentVolume& volume,
                            const api::PersistentVolumeClaim& claim) {
  return !ClaimRefNamesClaim(volume, claim) || MissesBoundByController(volume, claim);
}

api::PersistentVolume GetBindVolumeToClaim(const api::PersistentVolume& volume,
                                           const api::PersistentVolumeClaim& claim, bool* dirty) {
  *dirty = NeedsBindVolumeToClaim(volume, claim);
  api::PersistentVolume clone = volume;
  if (!ClaimRefNamesClaim(volume, claim)) {
    *clone.mutable_spec()->mutable_claim_ref() = ClaimReference(claim);
  }
  if (MissesBoundByController(volume, claim)) {
    (*clone.mutable_metadata()->mutable_annotations())[kAnnBoundByController] = "yes";
  }
  return clone;
}

std::string ClaimToClaimKey(const api::PersistentVolumeClaim& claim) {
  return claim.metadata().namespace_() + "/" + claim.metadata().name();
}

std::string ClaimrefToClaimKey(const api::ObjectReference& ref) {
  return ref.namespace_() + "/" + ref.name();
}

}  // namespace lpv::pvcontroller
