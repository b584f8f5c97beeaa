// Names, labels, identity and claim ownership of a StatefulSet's pods, as Kubernetes'
// pkg/controller/statefulset/stateful_set_utils.go. Pure functions on the objects passed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/clock.h"
#include "api/objects.pb.h"

namespace lpv::statefulset {

// Labels the controller puts on its pods (k8s.io/api/apps/v1).
inline constexpr char kStatefulSetPodNameLabel[] = "statefulset.kubernetes.io/pod-name";
inline constexpr char kPodIndexLabel[] = "apps.kubernetes.io/pod-index";
inline constexpr char kStatefulSetRevisionLabel[] = "controller-revision-hash";

// The event source of everything this controller records.
inline constexpr char kControllerComponent[] = "statefulset-controller";

// persistentVolumeClaimRetentionPolicy values.
inline constexpr char kRetain[] = "Retain";
inline constexpr char kDelete[] = "Delete";

// The owner references the controller writes (metav1.NewControllerRef).
api::OwnerReference NewControllerRef(const api::StatefulSet& set);
api::OwnerReference NewControllerRef(const api::Pod& pod);
// The controller reference of an object (metav1.GetControllerOf), or nullptr.
const api::OwnerReference* GetControllerOf(const api::ObjectMeta& meta);

// "<set>-<ordinal>".
std::string GetPodName(const api::StatefulSet& set, int ordinal);
// "<template>-<set>-<ordinal>".
std::string GetPersistentVolumeClaimName(const api::StatefulSet& set,
                                         const api::PersistentVolumeClaim& claim_template,
                                         int ordinal);
// The parent set's name and the ordinal parsed from "<parent>-<ordinal>"; ("", -1) when
// the name has no ordinal.
std::pair<std::string, int> GetParentNameAndOrdinal(const api::Pod& pod);
int GetOrdinal(const api::Pod& pod);
bool IsMemberOf(const api::StatefulSet& set, const api::Pod& pod);
int GetStartOrdinal(const api::StatefulSet& set);  // 0: lpv has no spec.ordinals
int GetEndOrdinal(const api::StatefulSet& set);    // inclusive
bool PodInOrdinalRange(const api::Pod& pod, const api::StatefulSet& set);

// The claims a pod of the set uses, by template name: each template's copy named for the
// pod's ordinal, in the set's namespace, labelled with the set's selector matchLabels on top
// of the template's labels (getPersistentVolumeClaims).
std::map<std::string, api::PersistentVolumeClaim> GetPersistentVolumeClaims(
    const api::StatefulSet& set, const api::Pod& pod);

// The pod's name, namespace and pod-name label (and pod-index) match its ordinal.
bool IdentityMatches(const api::StatefulSet& set, const api::Pod& pod);
// Every claim template has a persistentVolumeClaim volume of its name naming the claim.
bool StorageMatches(const api::StatefulSet& set, const api::Pod& pod);
void UpdateIdentity(const api::StatefulSet& set, api::Pod* pod);
// Puts a persistentVolumeClaim volume per template first, replacing template volumes of
// the same name, and keeps the others.
void UpdateStorage(const api::StatefulSet& set, api::Pod* pod);
// A new pod for `ordinal` from the set's template (newStatefulSetPod + setPodRevision).
api::Pod NewStatefulSetPod(const api::StatefulSet& set, int ordinal, const std::string& revision);

// The revision name "<set>-<hash>" for the set's current pod template.
//
// lpv: there is no ControllerRevision kind. Kubernetes stores each template as a
// ControllerRevision named "<set>-<hash>" (FNV-32 of the revision data, encoded with
// rand.SafeEncodeString) and labels pods with that name; lpv computes the same shape of name
// from the template alone, so currentRevision/updateRevision and the pods'
// controller-revision-hash label read as they do on a real cluster. The hash value itself
// differs from Kubernetes' (which hashes the JSON patch of the template).
std::string RevisionName(const api::StatefulSet& set);
// rand.SafeEncodeString: each byte mapped onto "bcdfghjklmnpqrstvwxz2456789".
std::string SafeEncodeString(const std::string& s);
std::string GetPodRevision(const api::Pod& pod);

// Pod states (stateful_set_utils.go).
bool IsCreated(const api::Pod& pod);
bool IsPending(const api::Pod& pod);
bool IsFailed(const api::Pod& pod);
bool IsSucceeded(const api::Pod& pod);
bool IsTerminating(const api::Pod& pod);
bool IsRunningAndReady(const api::Pod& pod);
// podutil.IsPodAvailable: ready, and ready for longer than minReadySeconds at `now`.
bool IsRunningAndAvailable(const api::Pod& pod, int32_t min_ready_seconds, TimePoint now);
bool IsHealthy(const api::Pod& pod);
// When a ready pod becomes available (its Ready transition + minReadySeconds); nullopt if
// the pod is not ready or its transition time is unknown.
std::optional<TimePoint> AvailableAt(const api::Pod& pod, int32_t min_ready_seconds);

// ---- the persistentVolumeClaimRetentionPolicy (StatefulSetAutoDeletePVC)

// The set's policy, Retain/Retain when absent.
api::StatefulSetPersistentVolumeClaimRetentionPolicy GetPersistentVolumeClaimRetentionPolicy(
    const api::StatefulSet& set);
// isClaimOwnerUpToDate: whether the claim's owner references already say what the policy
// wants (no refs for Retain/Retain; the set for whenDeleted=Delete; the pod once it is
// scaled down for whenScaled=Delete). Claims with stale refs (same name, another uid) or
// another controller are left alone.
bool IsClaimOwnerUpToDate(const api::PersistentVolumeClaim& claim, const api::StatefulSet& set,
                          const api::Pod& pod);
// updateClaimOwnerRefForSetAndPod: rewrites the claim's refs to the set and pod to match
// the policy.
void UpdateClaimOwnerRefForSetAndPod(api::PersistentVolumeClaim* claim, const api::StatefulSet& set,
                                     const api::Pod& pod);
// A claim with a ref to a pod of this name but another uid (the pod it was made for is
// gone, or going, and the garbage collector will delete the claim).
bool HasStaleOwnerRef(const api::PersistentVolumeClaim& claim, const api::Pod& pod);

}  // namespace lpv::statefulset
