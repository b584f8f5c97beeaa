#include "statefulset/stateful_set_utils.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <charconv>
#include <cstdint>
#include <set>

#include "api/pod_util.h"

namespace lpv::statefulset {

namespace {

constexpr char kAppsV1[] = "apps/v1";
constexpr char kStatefulSetKind[] = "StatefulSet";
constexpr char kCoreV1[] = "v1";
constexpr char kPodKind[] = "Pod";

// matchesRef: the reference names this object by group/version, kind and name.
bool MatchesRef(const api::OwnerReference& ref, const std::string& name, const char* api_version,
                const char* kind) {
  return ref.api_version() == api_version && ref.kind() == kind && ref.name() == name;
}
bool MatchesSet(const api::OwnerReference& ref, const api::StatefulSet& set) {
  return MatchesRef(ref, set.metadata().name(), kAppsV1, kStatefulSetKind);
}
bool MatchesPod(const api::OwnerReference& ref, const api::Pod& pod) {
  return MatchesRef(ref, pod.metadata().name(), kCoreV1, kPodKind);
}

bool IsController(const api::OwnerReference& ref) {
  return ref.has_controller() && ref.controller();
}

bool HasOwnerRef(const api::ObjectMeta& target, const std::string& owner_uid) {
  for (const auto& ref : target.owner_references()) {
    if (ref.uid() == owner_uid) return true;
  }
  return false;
}

// hasStaleOwnerRef: the first reference that names the object carries another uid.
template <class Matches>
bool HasStaleRef(const api::ObjectMeta& target, const std::string& uid, Matches matches) {
  for (const auto& ref : target.owner_references()) {
    if (matches(ref)) return ref.uid() != uid;
  }
  return false;
}

// hasUnexpectedController: with a Delete policy, a controller other than this set or pod
// (or a ref to them with another uid) means someone else manages the claim.
bool HasUnexpectedController(const api::PersistentVolumeClaim& claim, const api::StatefulSet& set,
                             const api::Pod& pod) {
  auto policy = GetPersistentVolumeClaimRetentionPolicy(set);
  if (policy.when_scaled() == kRetain && policy.when_deleted() == kRetain) return false;
  for (const auto& ref : claim.metadata().owner_references()) {
    if (MatchesSet(ref, set)) {
      if (ref.uid() != set.metadata().uid()) return true;
      continue;
    }
    if (MatchesPod(ref, pod)) {
      if (ref.uid() != pod.metadata().uid()) return true;
      continue;
    }
    if (IsController(ref)) return true;
  }
  return false;
}

// hasNonControllerOwner: the set or pod owns the claim without being its controller.
bool HasNonControllerOwner(const api::PersistentVolumeClaim& claim, const api::StatefulSet& set,
                           const api::Pod& pod) {
  for (const auto& ref : claim.metadata().owner_references()) {
    if (ref.uid() == set.metadata().uid() || ref.uid() == pod.metadata().uid()) {
      if (!IsController(ref)) return true;
    }
  }
  return false;
}

void AddControllerRef(google::protobuf::RepeatedPtrField<api::OwnerReference>* refs,
                      const api::OwnerReference& owner) {
  for (const auto& ref : *refs) {
    if (ref.uid() == owner.uid()) return;
  }
  *refs->Add() = owner;
}

// fnv.New32: FNV-1, 32 bits.
uint32_t Fnv1Hash32(const std::string& data) {
  uint32_t h = 2166136261u;
  for (unsigned char c : data) {
    h *= 16777619u;
    h ^= c;
  }
  return h;
}

}  // namespace

api::OwnerReference NewControllerRef(const api::StatefulSet& set) {
  api::OwnerReference ref;
  ref.set_api_version(kAppsV1);
  ref.set_kind(kStatefulSetKind);
  ref.set_name(set.metadata().name());
  ref.set_uid(set.metadata().uid());
  ref.set_controller(true);
  ref.set_block_owner_deletion(true);
  return ref;
}

api::OwnerReference NewControllerRef(const api::Pod& pod) {
  api::OwnerReference ref;
  ref.set_api_version(kCoreV1);
  ref.set_kind(kPodKind);
  ref.set_name(pod.metadata().name());
  ref.set_uid(pod.metadata().uid());
  ref.set_controller(true);
  ref.set_block_owner_deletion(true);
  return ref;
}

const api::OwnerReference* GetControllerOf(const api::ObjectMeta& meta) {
  for (const auto& ref : meta.owner_references()) {
    if (IsController(ref)) return &ref;
  }
  return nullptr;
}

std::string GetPodName(const api::StatefulSet& set, int ordinal) {
  return set.metadata().name() + "-" + std::to_string(ordinal);
}

std::string GetPersistentVolumeClaimName(const api::StatefulSet& set,
                                         const api::PersistentVolumeClaim& claim_template,
                                         int ordinal) {
  // This name format is what the zone-spreading heuristics of Kubernetes rely on.
  return claim_template.metadata().name() + "-" + set.metadata().name() + "-" +
         std::to_string(ordinal);
}

std::pair<std::string, int> GetParentNameAndOrdinal(const api::Pod& pod) {
  // statefulPodRegex "(.*)-([0-9]+)$".
  const std::string& name = pod.metadata().name();
  size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 == name.size()) return {"", -1};
  for (size_t i = dash + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return {"", -1};
  }
  std::string parent = name.substr(0, dash);
  int32_t ordinal = -1;
  auto [ptr, ec] = std::from_chars(name.data() + dash + 1, name.data() + name.size(), ordinal);
  // A number that does not fit 32 bits leaves the ordinal unparsed, as ParseInt(.., 32).
  if (ec != std::errc() || ptr != name.data() + name.size()) ordinal = -1;
  return {parent, ordinal};
}

int GetOrdinal(const api::Pod& pod) { return GetParentNameAndOrdinal(pod).second; }

bool IsMemberOf(const api::StatefulSet& set, const api::Pod& pod) {
  return GetParentNameAndOrdinal(pod).first == set.metadata().name();
}

int GetStartOrdinal(const api::StatefulSet&) { return 0; }

int GetEndOrdinal(const api::StatefulSet& set) {
  return GetStartOrdinal(set) + set.spec().replicas() - 1;
}

bool PodInOrdinalRange(const api::Pod& pod, const api::StatefulSet& set) {
  int ordinal = GetOrdinal(pod);
  return ordinal >= GetStartOrdinal(set) && ordinal <= GetEndOrdinal(set);
}

std::map<std::string, api::PersistentVolumeClaim> GetPersistentVolumeClaims(
    const api::StatefulSet& set, const api::Pod& pod) {
  int ordinal = GetOrdinal(pod);
  std::map<std::string, api::PersistentVolumeClaim> claims;
  for (const auto& tmpl : set.spec().volume_claim_templates()) {
    api::PersistentVolumeClaim claim = tmpl;
    claim.mutable_metadata()->set_name(GetPersistentVolumeClaimName(set, tmpl, ordinal));
    claim.mutable_metadata()->set_namespace_(set.metadata().namespace_());
    // The claims carry the set's selector labels, so they can be found by it.
    for (const auto& [key, value] : set.spec().selector().match_labels()) {
      (*claim.mutable_metadata()->mutable_labels())[key] = value;
    }
    // A template is not an object: whatever server-set metadata it carries is not the claim's.
    claim.mutable_metadata()->clear_uid();
    claim.mutable_metadata()->clear_resource_version();
    claim.mutable_metadata()->clear_creation_timestamp();
    claim.clear_status();
    claims[tmpl.metadata().name()] = std::move(claim);
  }
  return claims;
}

bool IdentityMatches(const api::StatefulSet& set, const api::Pod& pod) {
  auto [parent, ordinal] = GetParentNameAndOrdinal(pod);
  auto label = pod.metadata().labels().find(kStatefulSetPodNameLabel);
  return ordinal >= 0 && set.metadata().name() == parent &&
         pod.metadata().name() == GetPodName(set, ordinal) &&
         pod.metadata().namespace_() == set.metadata().namespace_() &&
         label != pod.metadata().labels().end() && label->second == pod.metadata().name();
}

bool StorageMatches(const api::StatefulSet& set, const api::Pod& pod) {
  int ordinal = GetOrdinal(pod);
  if (ordinal < 0) return false;
  std::map<std::string, const api::Volume*> volumes;
  for (const auto& v : pod.spec().volumes()) volumes[v.name()] = &v;
  for (const auto& tmpl : set.spec().volume_claim_templates()) {
    auto it = volumes.find(tmpl.metadata().name());
    if (it == volumes.end() || !it->second->has_persistent_volume_claim() ||
        it->second->persistent_volume_claim().claim_name() !=
            GetPersistentVolumeClaimName(set, tmpl, ordinal)) {
      return false;
    }
  }
  return true;
}

void UpdateIdentity(const api::StatefulSet& set, api::Pod* pod) {
  int ordinal = GetOrdinal(*pod);
  pod->mutable_metadata()->set_name(GetPodName(set, ordinal));
  pod->mutable_metadata()->set_namespace_(set.metadata().namespace_());
  auto& labels = *pod->mutable_metadata()->mutable_labels();
  labels[kStatefulSetPodNameLabel] = pod->metadata().name();
  // The PodIndexLabel feature (beta and on by default since 1.28, GA in 1.32).
  labels[kPodIndexLabel] = std::to_string(ordinal);
}

void UpdateStorage(const api::StatefulSet& set, api::Pod* pod) {
  auto claims = GetPersistentVolumeClaims(set, *pod);
  google::protobuf::RepeatedPtrField<api::Volume> volumes;
  // Kubernetes appends the claim volumes in map order (random in Go); lpv keeps the
  // templates' order so pods are reproducible.
  for (const auto& tmpl : set.spec().volume_claim_templates()) {
    const auto& claim = claims[tmpl.metadata().name()];
    api::Volume* v = volumes.Add();
    v->set_name(tmpl.metadata().name());
    v->mutable_persistent_volume_claim()->set_claim_name(claim.metadata().name());
  }
  for (const auto& v : pod->spec().volumes()) {
    if (!claims.count(v.name())) *volumes.Add() = v;
  }
  pod->mutable_spec()->mutable_volumes()->Swap(&volumes);
}

api::Pod NewStatefulSetPod(const api::StatefulSet& set, int ordinal, const std::string& revision) {
  // controller.GetPodFromTemplate: the template's labels, annotations and finalizers, the
  // "<set>-" generateName prefix, the set as controller, the template's spec.
  api::Pod pod;
  const api::ObjectMeta& tmeta = set.spec().template_().metadata();
  api::ObjectMeta* meta = pod.mutable_metadata();
  *meta->mutable_labels() = tmeta.labels();
  *meta->mutable_annotations() = tmeta.annotations();
  *meta->mutable_finalizers() = tmeta.finalizers();
  meta->set_generate_name(set.metadata().name() + "-");
  meta->set_namespace_(set.metadata().namespace_());
  *meta->add_owner_references() = NewControllerRef(set);
  *pod.mutable_spec() = set.spec().template_().spec();
  meta->set_name(GetPodName(set, ordinal));
  // initIdentity: hostname and subdomain are set only at creation (they are immutable).
  UpdateIdentity(set, &pod);
  pod.mutable_spec()->set_hostname(meta->name());
  pod.mutable_spec()->set_subdomain(set.spec().service_name());
  UpdateStorage(set, &pod);
  (*meta->mutable_labels())[kStatefulSetRevisionLabel] = revision;
  return pod;
}

std::string SafeEncodeString(const std::string& s) {
  static constexpr char kAlphanums[] = "bcdfghjklmnpqrstvwxz2456789";
  constexpr size_t n = sizeof(kAlphanums) - 1;
  std::string out(s.size(), ' ');
  for (size_t i = 0; i < s.size(); ++i) {
    out[i] = kAlphanums[static_cast<unsigned char>(s[i]) % n];
  }
  return out;
}

std::string RevisionName(const api::StatefulSet& set) {
  std::string data;
  google::protobuf::io::StringOutputStream stream(&data);
  {
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    set.spec().template_().SerializeToCodedStream(&out);
  }
  std::string hash = SafeEncodeString(std::to_string(Fnv1Hash32(data)));
  // history.ControllerRevisionName: the prefix is cut to 223 bytes.
  std::string prefix = set.metadata().name().substr(0, 223);
  return prefix + "-" + hash;
}

std::string GetPodRevision(const api::Pod& pod) {
  auto it = pod.metadata().labels().find(kStatefulSetRevisionLabel);
  return it == pod.metadata().labels().end() ? "" : it->second;
}

bool IsCreated(const api::Pod& pod) { return !pod.status().phase().empty(); }
bool IsPending(const api::Pod& pod) { return pod.status().phase() == "Pending"; }
bool IsFailed(const api::Pod& pod) { return pod.status().phase() == "Failed"; }
bool IsSucceeded(const api::Pod& pod) { return pod.status().phase() == "Succeeded"; }
bool IsTerminating(const api::Pod& pod) { return !pod.metadata().deletion_timestamp().empty(); }

bool IsRunningAndReady(const api::Pod& pod) { return api::IsPodRunningAndReady(pod); }

std::optional<TimePoint> AvailableAt(const api::Pod& pod, int32_t min_ready_seconds) {
  if (!api::IsPodReady(pod)) return std::nullopt;
  auto since = ParseRFC3339(api::GetPodCondition(pod, "Ready")->last_transition_time());
  if (!since) return std::nullopt;
  return *since + std::chrono::seconds(min_ready_seconds);
}

bool IsRunningAndAvailable(const api::Pod& pod, int32_t min_ready_seconds, TimePoint now) {
  if (!api::IsPodReady(pod)) return false;
  if (min_ready_seconds == 0) return true;
  auto at = AvailableAt(pod, min_ready_seconds);
  return at.has_value() && *at < now;
}

bool IsHealthy(const api::Pod& pod) { return IsRunningAndReady(pod) && !IsTerminating(pod); }

api::StatefulSetPersistentVolumeClaimRetentionPolicy GetPersistentVolumeClaimRetentionPolicy(
    const api::StatefulSet& set) {
  api::StatefulSetPersistentVolumeClaimRetentionPolicy policy;
  policy.set_when_deleted(kRetain);
  policy.set_when_scaled(kRetain);
  if (set.spec().has_persistent_volume_claim_retention_policy()) {
    const auto& p = set.spec().persistent_volume_claim_retention_policy();
    if (!p.when_deleted().empty()) policy.set_when_deleted(p.when_deleted());
    if (!p.when_scaled().empty()) policy.set_when_scaled(p.when_scaled());
  }
  return policy;
}

bool IsClaimOwnerUpToDate(const api::PersistentVolumeClaim& claim, const api::StatefulSet& set,
                          const api::Pod& pod) {
  const api::ObjectMeta& meta = claim.metadata();
  // Refs of a previous set or pod of the same name: the claim is theirs (the garbage
  // collector's) to deal with; leave it.
  if (HasStaleRef(meta, set.metadata().uid(),
                  [&](const api::OwnerReference& r) { return MatchesSet(r, set); }) ||
      HasStaleOwnerRef(claim, pod)) {
    return true;
  }
  bool set_ref = HasOwnerRef(meta, set.metadata().uid());
  bool pod_ref = !pod.metadata().uid().empty() && HasOwnerRef(meta, pod.metadata().uid());
  if (HasUnexpectedController(claim, set, pod)) {
    // Our refs must go; without them there is nothing to add on top of the other controller.
    return !(set_ref || pod_ref);
  }
  if (HasNonControllerOwner(claim, set, pod)) return false;

  auto policy = GetPersistentVolumeClaimRetentionPolicy(set);
  bool scaled_delete = policy.when_scaled() == kDelete;
  bool deleted_delete = policy.when_deleted() == kDelete;
  bool scaled_down = !PodInOrdinalRange(pod, set);
  if (!scaled_delete && !deleted_delete) return !set_ref && !pod_ref;
  if (!scaled_delete && deleted_delete) return set_ref && !pod_ref;
  if (scaled_delete && !deleted_delete) return !set_ref && scaled_down == pod_ref;
  // Delete on both: the set while the pod is in range, the pod once it is scaled down.
  return scaled_down != set_ref && scaled_down == pod_ref;
}

void UpdateClaimOwnerRefForSetAndPod(api::PersistentVolumeClaim* claim, const api::StatefulSet& set,
                                     const api::Pod& pod) {
  bool unexpected_controller = HasUnexpectedController(*claim, set, pod);
  google::protobuf::RepeatedPtrField<api::OwnerReference> refs;
  for (const auto& ref : claim->metadata().owner_references()) {
    if (!MatchesSet(ref, set) && !MatchesPod(ref, pod)) *refs.Add() = ref;
  }
  if (!unexpected_controller) {
    auto policy = GetPersistentVolumeClaimRetentionPolicy(set);
    bool scaled_delete = policy.when_scaled() == kDelete;
    bool deleted_delete = policy.when_deleted() == kDelete;
    bool scaled_down = !PodInOrdinalRange(pod, set);
    if (scaled_delete && scaled_down) AddControllerRef(&refs, NewControllerRef(pod));
    if (deleted_delete && (!scaled_delete || !scaled_down)) {
      AddControllerRef(&refs, NewControllerRef(set));
    }
  }
  claim->mutable_metadata()->mutable_owner_references()->Swap(&refs);
}

bool HasStaleOwnerRef(const api::PersistentVolumeClaim& claim, const api::Pod& pod) {
  return HasStaleRef(claim.metadata(), pod.metadata().uid(),
                     [&](const api::OwnerReference& r) { return MatchesPod(r, pod); });
}

}  // namespace lpv::statefulset
