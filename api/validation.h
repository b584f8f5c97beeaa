// Validation of lpv objects, reproducing Kubernetes' API validation and its messages.
//
// Each Validate returns every field error Kubernetes would report for the object, in
// Kubernetes' order, with Kubernetes' paths and texts (field.Error), so the apiserver can
// answer `The PersistentVolume "x" is invalid: spec.nodeAffinity: Required value: Local
// volume requires node affinity` exactly as kube-apiserver does. The reference is
// Kubernetes v1.32 (pkg/apis/core/validation, pkg/apis/storage/validation,
// pkg/apis/apps/validation, k8s.io/apimachinery validation); deviations are noted where
// the function is declared.
//
// Callers validate after defaulting (SetDefaults in api/defaults.h), as Kubernetes does:
// several fields defaulting fills in (pod restartPolicy, claim volumeMode, class binding
// mode...) are "Required value" when missing.
//
// Values that Kubernetes prints with Go's %#v (slices, maps, structs) are rendered the
// way Go prints them where that is deterministic; pointer addresses and go-cmp diffs
// (which Kubernetes appends to some "immutable" messages and which go-cmp deliberately
// randomizes) are approximated.
//
// Pure functions; safe for concurrent use.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"

namespace lpv::api {

// ---- k8s.io/apimachinery/pkg/util/validation: each returns the messages, empty if ok ----

std::vector<std::string> IsDNS1123Label(std::string_view value);
std::vector<std::string> IsDNS1123Subdomain(std::string_view value);
// A label key / qualified name ("example.com/MyName").
std::vector<std::string> IsQualifiedName(std::string_view value);
std::vector<std::string> IsValidLabelValue(std::string_view value);

// ValidateNameFunc: `prefix` is true for generateName (a trailing dash is allowed).
using NameValidator = std::vector<std::string> (*)(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNSSubdomain(std::string_view name, bool prefix);
std::vector<std::string> NameIsDNSLabel(std::string_view name, bool prefix);
// path.ValidatePathSegmentName: the generic check every stored name passes.
std::vector<std::string> NameIsPathSegment(std::string_view name, bool prefix);

// ---- Go's %#v rendering of bad values ----

// []string{"a", "b"}; `nil` renders []string(nil).
std::string GoStringSlice(const std::vector<std::string>& values, bool nil = false);
// map[string]string{"a":"b"} with sorted keys; an empty map renders map[string]string(nil)
// (protobuf cannot tell nil from empty; an absent JSON map decodes to nil in Go).
std::string GoStringMap(const std::map<std::string, std::string>& m);
std::string GoStringMap(const google::protobuf::Map<std::string, std::string>& m);

// ---- Shared pieces ----

// ValidateObjectMeta for an object of a namespaced or cluster-scoped kind, with names
// checked as DNS-1123 subdomains (the rule for most kinds) or by `name_fn`.
// Deviation: Kubernetes generates the name from generateName before validating; here an
// empty name with a generateName is accepted (the registry generates it afterwards).
FieldErrors ValidateObjectMeta(const ObjectMeta& meta, bool namespaced);
FieldErrors ValidateObjectMeta(const ObjectMeta& meta, bool namespaced, NameValidator name_fn);
// ValidateObjectMetaUpdate: name, namespace, uid, creationTimestamp, deletionTimestamp,
// deletionGracePeriodSeconds immutable; resourceVersion required (the registry fills it in
// for unconditional updates before validating, as Kubernetes does); generation not
// decremented; no new finalizers once deleting; labels and annotations valid.
FieldErrors ValidateObjectMetaUpdate(const ObjectMeta& updated, const ObjectMeta& old);

FieldErrors ValidateLabels(const google::protobuf::Map<std::string, std::string>& labels,
                           const std::string& path);
FieldErrors ValidateAnnotations(const google::protobuf::Map<std::string, std::string>& ann,
                                const std::string& path);
// metav1 ValidateLabelSelector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist).
FieldErrors ValidateLabelSelector(const LabelSelector& selector, const std::string& path);
// ValidateNodeSelector (terms required; requirement operators and values; matchFields
// only metadata.name). Like Kubernetes, Gt/Lt need exactly one value but validation does
// not check that it is an integer (matching then fails).
FieldErrors ValidateNodeSelector(const NodeSelector& selector, const std::string& path);

// ---- Kinds: create ----

FieldErrors Validate(const StorageClass& sc);
FieldErrors Validate(const PersistentVolume& pv);
FieldErrors Validate(const PersistentVolumeClaim& pvc);
// ValidatePodCreate.
FieldErrors Validate(const Pod& pod);
FieldErrors Validate(const Node& node);
// ValidateStatefulSet. Like Kubernetes, the pod template's spec is not validated beyond
// restartPolicy and activeDeadlineSeconds (bad templates fail at pod creation).
FieldErrors Validate(const StatefulSet& set);
// core/v1 Events: Kubernetes' legacy event rules, then the generic metadata check
// (name required, path-segment safe). New-style events (eventTime set) would also need
// `action`, which lpv's Event does not carry; that rule is skipped.
FieldErrors Validate(const Event& event);
// ValidatePodBinding.
FieldErrors Validate(const Binding& binding);
// ValidateLease: leaseDurationSeconds > 0, leaseTransitions >= 0.
FieldErrors Validate(const Lease& lease);

// ---- Kinds: update (the whole new object is validated too) ----

// Provisioner, parameters, reclaimPolicy, volumeBindingMode immutable.
FieldErrors ValidateUpdate(const StorageClass& updated, const StorageClass& old);
// Volume source immutable; volumeMode immutable; nodeAffinity immutable once set (except
// beta -> GA topology label keys).
FieldErrors ValidateUpdate(const PersistentVolume& updated, const PersistentVolume& old);
// Spec immutable except spec.volumeName once (controller binding), resources.requests for
// bound claims and storageClassName from unset; requests may not drop to or below
// status.capacity (RecoverVolumeExpansionFailure, on by default since 1.32).
FieldErrors ValidateUpdate(const PersistentVolumeClaim& updated, const PersistentVolumeClaim& old);
// Only container images, tolerations (additions; seconds) and terminationGracePeriodSeconds
// (negative -> 1) may change; everything else, nodeName included, is forbidden — binding
// goes through the Binding subresource, which does not run this.
FieldErrors ValidateUpdate(const Pod& updated, const Pod& old);
// Only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy
// and minReadySeconds may change.
FieldErrors ValidateUpdate(const StatefulSet& updated, const StatefulSet& old);
// podCIDR and providerID may only be set from "".
FieldErrors ValidateUpdate(const Node& updated, const Node& old);
FieldErrors ValidateUpdate(const Event& updated, const Event& old);
FieldErrors ValidateUpdate(const Lease& updated, const Lease& old);

// ---- Kinds: status subresource updates ----
// The status strategies' checks: the metadata update and the status, not the spec,
// which the subresource takes from the stored object.

// ValidatePersistentVolumeStatusUpdate.
FieldErrors ValidateStatusUpdate(const PersistentVolume& updated, const PersistentVolume& old);
// ValidatePersistentVolumeClaimStatusUpdate: accessModes present ("Spec.accessModes"), each
// status.capacity quantity not negative.
FieldErrors ValidateStatusUpdate(const PersistentVolumeClaim& updated,
                                 const PersistentVolumeClaim& old);
// ValidatePodStatusUpdate: custom condition types (reported under metadata.conditions, as
// Kubernetes does), a changed nominatedNodeName, podIPs (valid, one per family, no
// duplicates).
FieldErrors ValidateStatusUpdate(const Pod& updated, const Pod& old);
// ValidateStatefulSetStatusUpdate: counts not negative nor above status.replicas,
// availableReplicas not above readyReplicas, collisionCount not decremented.
FieldErrors ValidateStatusUpdate(const StatefulSet& updated, const StatefulSet& old);
// A node's status strategy runs the whole ValidateNodeUpdate.
FieldErrors ValidateStatusUpdate(const Node& updated, const Node& old);

// The messages used for unparsable quantities in validation. Kubernetes rejects them while
// decoding (BadRequest "... cannot be handled as a PersistentVolume: quantities must match
// the regular expression ..."); lpv's objects carry quantities as strings, so validation
// reports them as `spec.capacity[storage]: Invalid value: "abc": <parse error>` unless the
// codec rejected them first.

}  // namespace lpv::api
