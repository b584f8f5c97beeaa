#include "pvcontroller/index.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "api/selectors.h"
#include "pvcontroller/annotations.h"

namespace lpv::pvcontroller {

namespace {

constexpr char kStorage[] = "storage";

// The parsed "storage" quantity of `resources` (zero when absent or invalid). FindMatchingVolume
// compares the claim's request with every candidate PV's capacity on every node the scheduler
// filters, and a cluster has few distinct sizes: each thread keeps the parses of the strings
// it has seen (at most kMaxMemo strings of at most kMaxMemoLength characters; others go to
// `*scratch`). A memo entry is never erased, so the reference stays valid.
const api::Quantity& StorageOf(const google::protobuf::Map<std::string, std::string>& resources,
                               api::Quantity* scratch) {
  constexpr size_t kMaxMemo = 1024;
  constexpr size_t kMaxMemoLength = 32;
  // Never destroyed: a thread still matching during exit() must not see it gone.
  static const api::Quantity* const kZero = new api::Quantity();
  auto it = resources.find(kStorage);
  if (it == resources.end()) return *kZero;
  thread_local std::unordered_map<std::string, api::Quantity> memo;
  if (auto m = memo.find(it->second); m != memo.end()) return m->second;
  auto q = api::Quantity::Parse(it->second);
  api::Quantity parsed = q.ok() ? std::move(*q) : api::Quantity();
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

}  // namespace

api::Quantity VolumeCapacity(const api::PersistentVolume& volume) {
  api::Quantity scratch;
  return StorageOf(volume.spec().capacity(), &scratch);
}

api::Quantity ClaimRequest(const api::PersistentVolumeClaim& claim) {
  api::Quantity scratch;
  return StorageOf(claim.spec().resources().requests(), &scratch);
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
  api::Quantity request_scratch;
  const api::Quantity& requested = StorageOf(claim.spec().resources().requests(), &request_scratch);
  std::string requested_class = GetPersistentVolumeClaimClass(claim);

  std::optional<api::Selector> selector;
  if (claim.spec().has_selector()) {
    auto s = api::LabelSelectorAsSelector(claim.spec().selector());
    if (!s.ok()) {
      return Status::BadRequest("error creating internal label selector for claim: " +
                                ClaimToClaimKey(claim) + ": " + s.status().message());
    }
    selector = std::move(*s);
  }

  VolumePtr smallest;
  // The smallest fit's capacity: a kept parse, or a copy when it was parsed into scratch.
  const api::Quantity* smallest_qty = nullptr;
  api::Quantity smallest_copy;
  api::Quantity volume_scratch;
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

    const api::Quantity& volume_qty = StorageOf(volume->spec().capacity(), &volume_scratch);
    if (volume_qty.Cmp(requested) < 0) continue;
    if (!bound_to_claim && smallest && smallest_qty->Cmp(volume_qty) <= 0) continue;
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
    if (selector && !selector->Matches(volume->metadata().labels())) continue;
    if (GetPersistentVolumeClass(*volume) != requested_class) continue;
    if (node != nullptr && !CheckAccessModes(claim, *volume)) continue;
    if (node != nullptr && !CheckNodeAffinity(*volume, *node)) continue;

    smallest = volume;
    if (&volume_qty == &volume_scratch) {
      smallest_copy = volume_qty;
      smallest_qty = &smallest_copy;
    } else {
      smallest_qty = &volume_qty;
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
