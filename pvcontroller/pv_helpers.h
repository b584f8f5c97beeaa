// Helpers about classes and bindings of volumes and claims, as Kubernetes'
// k8s.io/component-helpers/storage/volume (helpers.go, pv_helpers.go). The PV controller and
// the scheduler's volume binder share them, so both read a claim's class and bind a volume
// the same way.
//
// Pure functions; safe for concurrent use.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"

namespace lpv::pvcontroller {

using VolumePtr = std::shared_ptr<const api::PersistentVolume>;
using ClaimPtr = std::shared_ptr<const api::PersistentVolumeClaim>;
using ClassPtr = std::shared_ptr<const api::StorageClass>;
using NodePtr = std::shared_ptr<const api::Node>;

// Looks a StorageClass up by name, nullptr when there is none: the StorageClassLister of
// whoever calls (an informer cache, a test's table).
using ClassLister = std::function<ClassPtr(const std::string& name)>;

bool HasAnnotation(const api::ObjectMeta& meta, const std::string& key);

// The claim's class: the beta annotation volume.beta.kubernetes.io/storage-class if present,
// else spec.storageClassName, else "" (GetPersistentVolumeClaimClass).
//
// A claim without spec.storageClassName asks for the default class. Kubernetes gives it that
// class twice over: the DefaultStorageClass admission plugin sets the field on create, and the
// PV controller sets it afterwards when the claim found no class-less volume
// (assignDefaultStorageClass, retroactive default class). Until then the claim's class is "",
// as here; the PV controller of lpv does the retroactive assignment.
std::string GetPersistentVolumeClaimClass(const api::PersistentVolumeClaim& claim);
// The volume's class: the beta annotation, else spec.storageClassName ("" = no class). A
// reference into `volume` (FindMatchingVolume compares it for every candidate PV).
const std::string& GetPersistentVolumeClass(const api::PersistentVolume& volume);
// Whether the claim names a class (even ""), by annotation or field.
bool PersistentVolumeClaimHasClass(const api::PersistentVolumeClaim& claim);

// storageclass.kubernetes.io/is-default-class (or its beta form) is "true".
bool IsDefaultAnnotation(const api::ObjectMeta& meta);
// The default class among `classes`: when several are marked, the newest, then the first by
// name (GetDefaultClass). nullptr when none is marked.
ClassPtr GetDefaultClass(const std::vector<ClassPtr>& classes);

// True when the claim's class has volumeBindingMode WaitForFirstConsumer. A claim without a
// class, or whose class does not exist, binds immediately. A class without a binding mode is
// an error, as in Kubernetes: `VolumeBindingMode not set for StorageClass "x"`.
Result<bool> IsDelayBindingMode(const api::PersistentVolumeClaim& claim,
                                const ClassLister& classes);
// True when the scheduler has set volume.kubernetes.io/selected-node on the claim.
bool IsDelayBindingProvisioning(const api::PersistentVolumeClaim& claim);

// True when the volume is pre-bound or bound to the claim: claimRef names the claim's
// namespace and name and, when claimRef has a uid, the claim's uid.
bool IsVolumeBoundToClaim(const api::PersistentVolume& volume,
                          const api::PersistentVolumeClaim& claim);

// The claimRef a volume bound to `claim` carries (reference.GetReference): kind, namespace,
// name, uid, apiVersion and resourceVersion of the claim.
api::ObjectReference ClaimReference(const api::PersistentVolumeClaim& claim);

// A copy of `volume` bound to `claim` (GetBindVolumeToClaim): claimRef set when it does not
// already name this claim (namespace, name and uid), and pv.kubernetes.io/bound-by-controller
// added when the volume was not already pre-bound to the claim. *dirty tells whether anything
// changed. The scheduler's BindPodVolumes and the PV controller's bind both write this.
api::PersistentVolume GetBindVolumeToClaim(const api::PersistentVolume& volume,
                                           const api::PersistentVolumeClaim& claim, bool* dirty);
// Whether GetBindVolumeToClaim would change anything (its *dirty), without the copy.
bool NeedsBindVolumeToClaim(const api::PersistentVolume& volume,
                            const api::PersistentVolumeClaim& claim);

// "namespace/name", the key of claims in caches and queues.
std::string ClaimToClaimKey(const api::PersistentVolumeClaim& claim);
std::string ClaimrefToClaimKey(const api::ObjectReference& ref);

}  // namespace lpv::pvcontroller
