// Matching a claim to a volume, as Kubernetes does it: FindMatchingVolume
// (k8s.io/component-helpers/storage/volume/pv_helpers.go, formerly findMatchingVolume in
// pkg/controller/volume/persistentvolume/index.go) and the PV controller's
// findBestMatchForClaim over volumes grouped by access modes (index.go).
//
// The PV controller calls FindBestMatchForClaim (node == nullptr); the scheduler's volume
// binder calls FindMatchingVolume for each node it tries (FindPodVolumes), with the volumes it
// already chose for the pod's other claims as `excluded_volumes`.
//
// Pure functions over the objects passed; safe for concurrent use.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "api/quantity.h"
#include "api/status.h"
#include "pvcontroller/pv_helpers.h"

namespace lpv::pvcontroller {

// The best volume for `claim` among `volumes`, or nullptr when none fits. In Kubernetes'
// order:
//  - skip volumes named in `excluded_volumes`, volumes bound or pre-bound to another claim,
//    volumes smaller than the request, volumes of the other volume mode (absent =
//    Filesystem) and volumes being deleted;
//  - when `node` is given, check the volume's node affinity against the node's labels;
//  - a volume pre-bound to this claim (IsVolumeBoundToClaim) wins at once, unless its node
//    affinity fails the node: then nothing matches;
//  - if `node` is null and `delay_binding`, skip every other volume: "PV controller does not
//    bind this claim. Scheduler will handle binding unbound volumes";
//  - skip volumes not Available, not matching the claim's selector, of another class, or
//    (node given) failing the node affinity or (node given) whose access modes are not a
//    superset of the claim's;
//  - the smallest capacity wins (the first one listed among equals).
// Access modes are checked here only on the scheduler's path (node given), as in Kubernetes:
// the PV controller checks them through FindBestMatchForClaim.
// An invalid claim selector is an error: `error creating internal label selector for claim:
// ns/name: ...`.
Result<VolumePtr> FindMatchingVolume(const api::PersistentVolumeClaim& claim,
                                     const std::vector<VolumePtr>& volumes, const api::Node* node,
                                     const std::set<std::string>& excluded_volumes,
                                     bool delay_binding);

// A PV without a claimRef as the scheduler's filter sees it: what FindMatchingVolume reads
// of such a PV, read once when the PV changes. The filter visits every free PV of every node
// it tries, and on that path each read of a PV object is a cache miss; a summary rules most
// PVs in or out by itself, and the PV is read only for what it cannot hold (a claim
// selector, an unusual access or volume mode, a node affinity that needs the node).
struct FreeVolume {
  enum class Mode : uint8_t { kFilesystem, kBlock, kOther };
  // kMatches / kFails: the node affinity decides alike on every node the summary is for;
  // kCheck: CheckNodeAffinity with the node.
  enum class Affinity : uint8_t { kMatches, kFails, kCheck };

  VolumePtr volume;
  int64_t capacity = 0;         // capacity.storage, when capacity_exact
  bool capacity_exact = false;  // it is that whole number (else the PV is read)
  Mode mode = Mode::kFilesystem;
  // Bit i: the i-th of ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.
  uint8_t access_modes = 0;
  bool deleting = false;
  bool available = false;  // status.phase Available
  Affinity affinity = Affinity::kCheck;
};

// The summary of `volume` (which has no claimRef) for the nodes whose kubernetes.io/hostname
// label is `*pinned_host`, or for any node when `pinned_host` is null. For a host, a node
// affinity made only of kubernetes.io/hostname expressions (no matchFields) decides alike on
// every such node, so it is decided here.
FreeVolume SummarizeFreeVolume(VolumePtr volume, const std::string* pinned_host);

// FindMatchingVolume(claim, volumes, &node, excluded_volumes, /*delay_binding=*/true) where
// `volumes` are PVs without a claimRef of the claim's class, given as their summaries:
// `pinned` for the node's kubernetes.io/hostname label and `anywhere` for any node, each in
// name order (they are merged by name, so the first among equally small PVs is the same).
// The same answer and the same errors, as the summary of the PV (null when none fits): the
// caller decides whether to take a reference to the PV, which on the scheduler's path is
// the only read of the PV's memory.
Result<const FreeVolume*> FindMatchingFreeVolume(const api::PersistentVolumeClaim& claim,
                                                 const std::vector<FreeVolume>& pinned,
                                                 const std::vector<FreeVolume>& anywhere,
                                                 const api::Node& node,
                                                 const std::set<std::string>& excluded_volumes);

// The PV controller's choice (persistentVolumeOrderedIndex.findBestMatchForClaim): volumes are
// grouped by their set of access modes; the groups whose modes include every mode the claim
// asks for are tried from the fewest modes to the most, and the first group with a match
// (FindMatchingVolume, no node) gives the volume. So an RWO claim prefers an RWO volume to a
// smaller RWO+RWX one, as in Kubernetes.
Result<VolumePtr> FindBestMatchForClaim(const api::PersistentVolumeClaim& claim,
                                        const std::vector<VolumePtr>& volumes, bool delay_binding);

// True when the volume offers every access mode the claim asks for.
bool CheckAccessModes(const api::PersistentVolumeClaim& claim, const api::PersistentVolume& volume);
// True when claim and volume have different volume modes (absent = Filesystem).
bool CheckVolumeModeMismatches(const api::PersistentVolumeClaimSpec& claim_spec,
                               const api::PersistentVolumeSpec& volume_spec);
// True when the volume may be used on the node: no required node affinity, or one of its
// terms matches the node's labels (CheckNodeAffinity).
bool CheckNodeAffinity(const api::PersistentVolume& volume, const api::Node& node);
// The volume's capacity.storage (zero when absent or unparsable).
api::Quantity VolumeCapacity(const api::PersistentVolume& volume);
// The claim's resources.requests.storage (zero when absent or unparsable).
api::Quantity ClaimRequest(const api::PersistentVolumeClaim& claim);

// Access modes in kubectl's short form and order, duplicates and unknown modes dropped:
// "RWO,ROX,RWX,RWOP" (GetAccessModesAsString).
std::string GetAccessModesAsString(const google::protobuf::RepeatedPtrField<std::string>& modes);

}  // namespace lpv::pvcontroller
