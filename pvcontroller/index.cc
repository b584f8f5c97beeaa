#include "pvcontroller/index.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "api/selectors.h"
#include "pvcontroller/annotations.h"

namespace lpv::pvcontroller {

namespace {

constexpr char kStorage[] = "storage";
constexpr char kHostnameLabel[] = "kubernetes.io/hostname";

// A parsed "storage" quantity and, when it is a whole number within int64, that number: two
// such sizes compare as integers, without reading the quantities' digits.
struct Storage {
  api::Quantity quantity;
  int64_t whole = 0;
  bool exact = false;
};

Storage MakeStorage(api::Quantity q) {
  Storage s;
  s.whole = q.Value();  // rounded up and saturated: exact only when it compares equal
  s.exact = api::Quantity::FromInt(s.whole, api::Quantity::Format::DecimalSI).Cmp(q) == 0;
  s.quantity = std::move(q);
  return s;
}

int CmpStorage(const Storage& a, const Storage& b) {
  if (a.exact && b.exact) return (a.whole > b.whole) - (a.whole < b.whole);
  return a.quantity.Cmp(b.quantity);
}

// The parsed "storage" quantity of `resources` (zero when absent or invalid). FindMatchingVolume
// compares the claim's request with every candidate PV's capacity on every node the scheduler
// filters, and a cluster has few distinct sizes: each thread keeps the parses of the strings
// it has seen (at most kMaxMemo strings of at most kMaxMemoLength characters; others go to
// `*scratch`). A memo entry is never erased, so the reference stays valid.
const Storage& StorageOf(const google::protobuf::Map<std::string, std::string>& resources,
                         Storage* scratch) {
  constexpr size_t kMaxMemo = 1024;
  constexpr size_t kMaxMemoLength = 32;
  // Never destroyed: a thread still matching during exit() must not see it gone.
  static const Storage* const kZero = new Storage{api::Quantity(), 0, true};
  auto it = resources.find(kStorage);
  if (it == resources.end()) return *kZero;
  thread_local std::unordered_map<std::string, Storage> memo;
  if (auto m = memo.find(it->second); m != memo.end()) return m->second;
  auto q = api::Quantity::Parse(it->second);
  Storage parsed = MakeStorage(q.ok() ? std::move(*q) : api::Quantity());
  if (memo.size() >= kMaxMemo || it->second.size() > kMaxMemoLength) {
    *scratch = std::move(parsed);
    return *scratch;
  }
  return memo.emplace(it->second, std::move(parsed)).first->second;
}

// An absent mode is Filesystem: objects written before the field was defaulted have none.
std::string_view VolumeModeOf(bool has, const std::string& mode) {
  return has ? std::string_view(mode) : std::string_view("Filesystem");
}

// The short names of the access modes, in the order kubectl prints them.
const std::vector<std::pair<std::string, std::string>>& AccessModeNames() {
  static const std::vector<std::pair<std::string, std::string>> names = {
      {"ReadWriteOnce", "RWO"},
      {"ReadOnlyMany", "ROX"},
      {"ReadWriteMany", "RWX"},
      {"ReadWriteOncePod", "RWOP"},
  };
  return names;
}

bool ContainsMode(const google::protobuf::RepeatedPtrField<std::string>& modes,
                  const std::string& mode) {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

// The modes as bits in AccessModeNames' order; `*unknown` is set when one is not among them.
uint8_t AccessModeBits(const google::protobuf::RepeatedPtrField<std::string>& modes,
                       bool* unknown) {
  uint8_t bits = 0;
  for (const auto& mode : modes) {
    const auto& names = AccessModeNames();
    size_t i = 0;
    while (i < names.size() && names[i].first != mode) ++i;
    if (i == names.size()) {
      *unknown = true;
    } else {
      bits |= static_cast<uint8_t>(1u << i);
    }
  }
  return bits;
}

FreeVolume::Mode ModeKind(bool has, const std::string& mode) {
  std::string_view m = VolumeModeOf(has, mode);
  if (m == "Filesystem") return FreeVolume::Mode::kFilesystem;
  if (m == "Block") return FreeVolume::Mode::kBlock;
  return FreeVolume::Mode::kOther;
}

// The claim's label selector, if it has one; an invalid one is FindMatchingVolume's error.
Result<std::optional<api::Selector>> ClaimSelector(const api::PersistentVolumeClaim& claim) {
  if (!claim.spec().has_selector()) return std::optional<api::Selector>();
  auto s = api::LabelSelectorAsSelector(claim.spec().selector());
  if (!s.ok()) {
    return Status::BadRequest("error creating internal label selector for claim: " +
                              ClaimToClaimKey(claim) + ": " + s.status().message());
  }
  return std::optional<api::Selector>(std::move(*s));
}

}  // namespace

api::Quantity VolumeCapacity(const api::PersistentVolume& volume) {
  Storage scratch;
  return StorageOf(volume.spec().capacity(), &scratch).quantity;
}

api::Quantity ClaimRequest(const api::PersistentVolumeClaim& claim) {
  Storage scratch;
  return StorageOf(claim.spec().resources().requests(), &scratch).quantity;
}

bool CheckAccessModes(const api::PersistentVolumeClaim& claim,
                      const api::PersistentVolume& volume) {
  for (const auto& mode : claim.spec().access_modes()) {
    if (!ContainsMode(volume.spec().access_modes(), mode)) return false;
  }
  return true;
}

bool CheckVolumeModeMismatches(const api::PersistentVolumeClaimSpec& claim_spec,
                               const api::PersistentVolumeSpec& volume_spec) {
  return VolumeModeOf(claim_spec.has_volume_mode(), claim_spec.volume_mode()) !=
         VolumeModeOf(volume_spec.has_volume_mode(), volume_spec.volume_mode());
}

bool CheckNodeAffinity(const api::PersistentVolume& volume, const api::Node& node) {
  if (!volume.spec().has_node_affinity() || !volume.spec().node_affinity().has_required()) {
    return true;
  }
  return api::NodeSelectorMatches(volume.spec().node_affinity().required(),
                                  node.metadata().labels(), node.metadata().name());
}

std::string GetAccessModesAsString(const google::protobuf::RepeatedPtrField<std::string>& modes) {
  std::string out;
  for (const auto& [mode, short_name] : AccessModeNames()) {
    if (!ContainsMode(modes, mode)) continue;
    if (!out.empty()) out += ",";
    out += short_name;
  }
  return out;
}

Result<VolumePtr> FindMatchingVolume(const api::PersistentVolumeClaim& claim,
                                     const std::vector<VolumePtr>& volumes, const api::Node* node,
                                     const std::set<std::string>& excluded_volumes,
                                     bool delay_binding) {
  Storage request_scratch;
  const Storage& requested = StorageOf(claim.spec().resources().requests(), &request_scratch);
  std::string requested_class = GetPersistentVolumeClaimClass(claim);
  auto selector = ClaimSelector(claim);
  if (!selector.ok()) return selector.status();

  VolumePtr smallest;
  // The smallest fit's capacity: a kept parse, or a copy when it was parsed into scratch.
  const Storage* smallest_size = nullptr;
  Storage smallest_copy;
  Storage volume_scratch;
  // Every volume is visited: one pre-bound to this claim wins over any smaller one. Every
  // test of a volume not pre-bound to the claim only skips it, so their order changes no
  // answer: the cheap ones come first. A volume no smaller than the smallest fit so far is
  // skipped once its size is known, before the rest of it is read (a node's disks are
  // often all the same size, and on the scheduler's path each read is a cache miss); the
  // node affinity, the dearest test, comes last.
  for (const VolumePtr& volume : volumes) {
    if (!volume) continue;
    const bool has_claim_ref = volume->spec().has_claim_ref();
    const bool bound_to_claim = has_claim_ref && IsVolumeBoundToClaim(*volume, claim);
    if (has_claim_ref && !bound_to_claim) continue;

    const Storage& volume_size = StorageOf(volume->spec().capacity(), &volume_scratch);
    if (CmpStorage(volume_size, requested) < 0) continue;
    if (!bound_to_claim && smallest && CmpStorage(*smallest_size, volume_size) <= 0) continue;
    if (!excluded_volumes.empty() && excluded_volumes.count(volume->metadata().name())) {
      continue;
    }
    if (CheckVolumeModeMismatches(claim.spec(), volume->spec())) continue;
    if (!volume->metadata().deletion_timestamp().empty()) continue;

    if (bound_to_claim) {
      // The pre-bound volume (and so its claim) cannot be used on this node.
      if (node != nullptr && !CheckNodeAffinity(*volume, *node)) return VolumePtr();
      return volume;
    }

    if (node == nullptr && delay_binding) {
      // PV controller does not bind this claim. Scheduler will handle binding unbound
      // volumes; the scheduler's path has a node.
      continue;
    }

    // Volumes not yet Available are left alone: the controller is about to make them
    // Available, and binding them now would mostly end in API conflicts.
    if (volume->status().phase() != kVolumeAvailable) continue;
    if (*selector && !(*selector)->Matches(volume->metadata().labels())) continue;
    if (GetPersistentVolumeClass(*volume) != requested_class) continue;
    if (node != nullptr && !CheckAccessModes(claim, *volume)) continue;
    if (node != nullptr && !CheckNodeAffinity(*volume, *node)) continue;

    smallest = volume;
    if (&volume_size == &volume_scratch) {
      smallest_copy = volume_size;
      smallest_size = &smallest_copy;
    } else {
      smallest_size = &volume_size;
    }
  }
  return smallest;
}

FreeVolume SummarizeFreeVolume(VolumePtr volume, const std::string* pinned_host) {
  FreeVolume v;
  const api::PersistentVolumeSpec& spec = volume->spec();
  Storage scratch;
  const Storage& capacity = StorageOf(spec.capacity(), &scratch);
  v.capacity = capacity.whole;
  v.capacity_exact = capacity.exact;
  v.mode = ModeKind(spec.has_volume_mode(), spec.volume_mode());
  bool unknown = false;  // a PV's unknown modes are read from it when a claim asks for one
  v.access_modes = AccessModeBits(spec.access_modes(), &unknown);
  v.deleting = !volume->metadata().deletion_timestamp().empty();
  v.available = volume->status().phase() == kVolumeAvailable;
  if (!spec.has_node_affinity() || !spec.node_affinity().has_required()) {
    v.affinity = FreeVolume::Affinity::kMatches;
  } else if (pinned_host != nullptr) {
    // Expressions on the hostname label alone read nothing else of the node.
    const api::NodeSelector& required = spec.node_affinity().required();
    bool hostname_only = true;
    for (const auto& term : required.node_selector_terms()) {
      if (!term.match_fields().empty()) hostname_only = false;
      for (const auto& expr : term.match_expressions()) {
        if (expr.key() != kHostnameLabel) hostname_only = false;
      }
    }
    if (hostname_only) {
      bool matches = api::NodeSelectorMatches(
          required, std::map<std::string, std::string>{{kHostnameLabel, *pinned_host}}, "");
      v.affinity = matches ? FreeVolume::Affinity::kMatches : FreeVolume::Affinity::kFails;
    }
  }
  v.volume = std::move(volume);
  return v;
}

Result<const FreeVolume*> FindMatchingFreeVolume(const api::PersistentVolumeClaim& claim,
                                                 const std::vector<FreeVolume>& pinned,
                                                 const std::vector<FreeVolume>& anywhere,
                                                 const api::Node& node,
                                                 const std::set<std::string>& excluded_volumes) {
  Storage request_scratch;
  const Storage& requested = StorageOf(claim.spec().resources().requests(), &request_scratch);
  auto selector = ClaimSelector(claim);
  if (!selector.ok()) return selector.status();
  const api::PersistentVolumeClaimSpec& want = claim.spec();
  const FreeVolume::Mode mode = ModeKind(want.has_volume_mode(), want.volume_mode());
  bool unknown_modes = false;
  const uint8_t modes = AccessModeBits(want.access_modes(), &unknown_modes);

  Storage scratch_a, scratch_b;
  // Capacities compare as integers when whole, else from the PVs.
  auto cmp_request = [&](const FreeVolume& v) {
    if (v.capacity_exact && requested.exact) {
      return (v.capacity > requested.whole) - (v.capacity < requested.whole);
    }
    return CmpStorage(StorageOf(v.volume->spec().capacity(), &scratch_a), requested);
  };
  auto cmp = [&](const FreeVolume& a, const FreeVolume& b) {
    if (a.capacity_exact && b.capacity_exact) {
      return (a.capacity > b.capacity) - (a.capacity < b.capacity);
    }
    return CmpStorage(StorageOf(a.volume->spec().capacity(), &scratch_a),
                      StorageOf(b.volume->spec().capacity(), &scratch_b));
  };

  // FindMatchingVolume's tests of a PV without a claimRef on the scheduler's path, each only
  // a skip, so in any order: the summary's first, the PV's own only where the summary cannot
  // answer. The class is the lists'.
  const FreeVolume* smallest = nullptr;
  auto consider = [&](const FreeVolume& v) {
    if (cmp_request(v) < 0) return;
    if (smallest && cmp(*smallest, v) <= 0) return;
    if (v.mode != mode || v.deleting || !v.available) return;
    if (mode == FreeVolume::Mode::kOther &&
        CheckVolumeModeMismatches(want, v.volume->spec())) {
      return;
    }
    if ((modes & ~v.access_modes) != 0) return;
    if (unknown_modes && !CheckAccessModes(claim, *v.volume)) return;
    if (!excluded_volumes.empty() && excluded_volumes.count(v.volume->metadata().name())) {
      return;
    }
    if (*selector && !(*selector)->Matches(v.volume->metadata().labels())) return;
    if (v.affinity == FreeVolume::Affinity::kFails) return;
    if (v.affinity == FreeVolume::Affinity::kCheck && !CheckNodeAffinity(*v.volume, node)) return;
    smallest = &v;
  };
  // Both lists in name order, merged (a PV is listed under its hosts or for any node, never
  // both).
  auto i = pinned.begin(), j = anywhere.begin();
  while (i != pinned.end() || j != anywhere.end()) {
    if (j == anywhere.end() ||
        (i != pinned.end() && i->volume->metadata().name() < j->volume->metadata().name())) {
      consider(*i++);
    } else {
      consider(*j++);
    }
  }
  return smallest;
}

Result<VolumePtr> FindBestMatchForClaim(const api::PersistentVolumeClaim& claim,
                                        const std::vector<VolumePtr>& volumes, bool delay_binding) {
  // The access-modes index: each volume under the string of its modes ("RWO,ROX").
  std::map<std::string, std::vector<VolumePtr>> by_modes;
  std::map<std::string, int> mode_count;
  for (const VolumePtr& volume : volumes) {
    if (!volume) continue;
    std::string key = GetAccessModesAsString(volume->spec().access_modes());
    by_modes[key].push_back(volume);
    mode_count[key] =
        key.empty() ? 0 : static_cast<int>(std::count(key.begin(), key.end(), ',')) + 1;
  }
  // The groups whose modes include all the claim asks for (allPossibleMatchingAccessModes),
  // fewest modes first so the claim gets what is closest to what it asked for.
  std::vector<std::string> keys;
  for (const auto& [key, group] : by_modes) {
    // The modes the key stands for (GetAccessModesFromString): unknown modes are not in it.
    google::protobuf::RepeatedPtrField<std::string> indexed;
    for (const auto& [mode, short_name] : AccessModeNames()) {
      if (ContainsMode(group.front()->spec().access_modes(), mode)) *indexed.Add() = mode;
    }
    bool contains_all = true;
    for (const auto& mode : claim.spec().access_modes()) {
      if (!ContainsMode(indexed, mode)) contains_all = false;
    }
    if (contains_all) keys.push_back(key);
  }
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    return mode_count[a] < mode_count[b];
  });
  for (const auto& key : keys) {
    auto best = FindMatchingVolume(claim, by_modes[key], nullptr, {}, delay_binding);
    if (!best.ok() || *best) return best;
  }
  return VolumePtr();
}

}  // namespace lpv::pvcontroller
