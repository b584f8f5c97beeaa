// The annotations, finalizers and well-known names the volume controllers read and write,
// spelled as Kubernetes spells them (k8s.io/component-helpers/storage/volume, pkg/volume/util,
// k8s.io/api/storage/v1), so a user recognises them on a real cluster.
#pragma once

namespace lpv::pvcontroller {

// On a claim: the controller completed a bind once. Its presence (any value) sends the claim
// down syncBoundClaim instead of syncUnboundClaim.
inline constexpr char kAnnBindCompleted[] = "pv.kubernetes.io/bind-completed";
// On a volume or claim: the binding was made by the controller (or the scheduler's volume
// binder), not pre-bound by a user.
inline constexpr char kAnnBoundByController[] = "pv.kubernetes.io/bound-by-controller";
// On a claim: the node the scheduler chose for the first pod that uses it.
inline constexpr char kAnnSelectedNode[] = "volume.kubernetes.io/selected-node";
// On a volume: who provisioned it. A value outside "kubernetes.io/" names an external
// provisioner, which also deletes the volume (the local static provisioner writes
// "local-volume-provisioner-<node>-<node uid>").
inline constexpr char kAnnDynamicallyProvisioned[] = "pv.kubernetes.io/provisioned-by";
// On a claim: the provisioner asked to provision a volume for it.
inline constexpr char kAnnStorageProvisioner[] = "volume.kubernetes.io/storage-provisioner";
inline constexpr char kAnnBetaStorageProvisioner[] =
    "volume.beta.kubernetes.io/storage-provisioner";
// The class of a claim or volume before spec.storageClassName existed; still honoured first.
inline constexpr char kAnnBetaStorageClass[] = "volume.beta.kubernetes.io/storage-class";
// On a StorageClass: the class claims without spec.storageClassName get.
inline constexpr char kAnnIsDefaultStorageClass[] = "storageclass.kubernetes.io/is-default-class";
inline constexpr char kAnnBetaIsDefaultStorageClass[] =
    "storageclass.beta.kubernetes.io/is-default-class";

// The StorageClass provisioner of classes that cannot provision (local volumes).
inline constexpr char kNotSupportedProvisioner[] = "kubernetes.io/no-provisioner";

// Finalizers added on create by the StorageObjectInUseProtection admission plugin and taken
// off by the protection controllers.
inline constexpr char kPVCProtectionFinalizer[] = "kubernetes.io/pvc-protection";
inline constexpr char kPVProtectionFinalizer[] = "kubernetes.io/pv-protection";

// Phases (core/v1 PersistentVolumePhase, PersistentVolumeClaimPhase).
inline constexpr char kVolumePending[] = "Pending";
inline constexpr char kVolumeAvailable[] = "Available";
inline constexpr char kVolumeBound[] = "Bound";
inline constexpr char kVolumeReleased[] = "Released";
inline constexpr char kVolumeFailed[] = "Failed";
inline constexpr char kClaimPending[] = "Pending";
inline constexpr char kClaimBound[] = "Bound";
inline constexpr char kClaimLost[] = "Lost";

// The event source of everything the PV controller records.
inline constexpr char kPVControllerComponent[] = "persistentvolume-controller";

}  // namespace lpv::pvcontroller
