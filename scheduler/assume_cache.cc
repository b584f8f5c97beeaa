#include "scheduler/assume_cache.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <set>

#include "api/scheme.h"
#include "pvcontroller/pv_helpers.h"

namespace lpv::scheduler {

namespace {
constexpr char kHostnameLabel[] = "kubernetes.io/hostname";
}  // namespace

AssumeCache::AssumeCache(std::string description) : description_(std::move(description)) {}

void AssumeCache::AddIndex(const std::string& name, client::IndexFunc fn, bool list_values) {
  std::lock_guard<std::mutex> l(mu_);
  index_funcs_[name] = std::move(fn);
  if (list_values) listed_values_[name];
}

size_t AssumeCache::IndexValueCount(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto index = indexes_.find(name);
  return index == indexes_.end() ? 0 : index->second.size();
}

void AssumeCache::VisitIndexValues(const std::string& name, const std::string& prefix,
                                   const std::function<void(const std::string&)>& fn) const {
  std::lock_guard<std::mutex> l(mu_);
  auto listed = listed_values_.find(name);
  if (listed == listed_values_.end()) return;
  for (auto it = listed->second.lower_bound(prefix);
       it != listed->second.end() && it->compare(0, prefix.size(), prefix) == 0; ++it) {
    fn(*it);
  }
}

void AssumeCache::Attach(client::Informer* informer) {
  client::EventHandler h;
  h.on_add = [this](const ObjectRef& o) { Add(o); };
  h.on_update = [this](const ObjectRef&, const ObjectRef& o) { Add(o); };
  h.on_delete = [this](const ObjectRef& o) { Delete(o); };
  informer->AddEventHandler(std::move(h));
}

int64_t AssumeCache::Version(const google::protobuf::Message& obj) {
  const std::string& rv = api::Meta(obj).resource_version();
  int64_t v = -1;
  auto [p, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), v);
  if (ec != std::errc() || p != rv.data() + rv.size()) return -1;
  return v;
}

void AssumeCache::IndexLocked(const std::string& key, const ObjectRef& obj, bool add) {
  for (const auto& [name, fn] : index_funcs_) {
    auto& index = indexes_[name];
    auto listed = listed_values_.find(name);
    for (const auto& value : fn(*obj)) {
      if (add) {
        auto& bucket = index[value];
        if (bucket.empty() && listed != listed_values_.end()) listed->second.insert(value);
        bucket[key] = obj;
      } else {
        auto it = index.find(value);
        if (it == index.end()) continue;
        it->second.erase(key);
        if (it->second.empty()) {
          index.erase(it);
          if (listed != listed_values_.end()) listed->second.erase(value);
        }
      }
    }
  }
}

void AssumeCache::SetLatestLocked(const std::string& key, ObjInfo& info, ObjectRef latest) {
  if (info.latest) IndexLocked(key, info.latest, false);
  ObjectRef before = std::move(info.latest);
  info.latest = std::move(latest);
  IndexLocked(key, info.latest, true);
  LatestChangedLocked(key, before, info.latest);
}

void AssumeCache::Add(const ObjectRef& obj) {
  if (!obj) return;
  std::string key = api::KeyOf(*obj);
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  if (it != items_.end()) {
    // Only a newer version replaces what we have, so an informer resync does not undo an
    // assumed object, and the object BindPodVolumes wrote supersedes the assumed one.
    if (Version(*obj) <= Version(*it->second.latest)) {
      // The API object still follows the informer (Restore goes back to it).
      if (Version(*obj) >= Version(*it->second.api)) it->second.api = obj;
      return;
    }
    it->second.api = obj;
    SetLatestLocked(key, it->second, obj);
    return;
  }
  ObjInfo& info = items_[key];
  info.api = obj;
  SetLatestLocked(key, info, obj);
}

void AssumeCache::Delete(const ObjectRef& obj) {
  if (!obj) return;
  std::string key = api::KeyOf(*obj);
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return;
  IndexLocked(key, it->second.latest, false);
  LatestChangedLocked(key, it->second.latest, nullptr);
  items_.erase(it);
}

Status AssumeCache::Assume(ObjectRef obj) {
  std::string key = api::KeyOf(*obj);
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) {
    return Status::Make(Reason::NotFound, "could not find " + description_ + " \"" + key + "\"");
  }
  int64_t stored = Version(*it->second.latest);
  int64_t assumed = Version(*obj);
  if (assumed < stored) {
    return Status::Make(Reason::Conflict, description_ + " \"" + key +
                                              "\" is out of sync (stored: " +
                                              std::to_string(stored) +
                                              ", assume: " + std::to_string(assumed) + ")");
  }
  SetLatestLocked(key, it->second, std::move(obj));
  return Status::OK();
}

void AssumeCache::Restore(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return;  // deleted meanwhile: nothing to restore
  if (it->second.latest != it->second.api) SetLatestLocked(key, it->second, it->second.api);
}

ObjectRef AssumeCache::Get(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second.latest;
}

ObjectRef AssumeCache::GetAPIObj(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second.api;
}

bool AssumeCache::IsAssumed(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  return it != items_.end() && it->second.latest != it->second.api;
}

std::vector<ObjectRef> AssumeCache::List() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ObjectRef> out;
  out.reserve(items_.size());
  for (const auto& [k, v] : items_) out.push_back(v.latest);
  return out;
}

std::vector<ObjectRef> AssumeCache::ByIndex(const std::string& name,
                                            const std::string& value) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ObjectRef> out;
  auto idx = indexes_.find(name);
  if (idx == indexes_.end()) return out;
  auto it = idx->second.find(value);
  if (it == idx->second.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [key, obj] : it->second) out.push_back(obj);
  return out;
}

void AssumeCache::VisitIndexEither(const std::string& name, const std::string& a,
                                   const std::string& b,
                                   const std::function<void(const ObjectRef&)>& visit) const {
  std::lock_guard<std::mutex> l(mu_);
  auto idx = indexes_.find(name);
  if (idx == indexes_.end()) return;
  // Never destroyed: a scheduler thread still filtering during exit() must not see it gone.
  static const auto* const kNone = new std::map<std::string, ObjectRef>();
  auto bucket = [&](const std::string& value) -> const std::map<std::string, ObjectRef>& {
    auto it = idx->second.find(value);
    return it == idx->second.end() ? *kNone : it->second;
  };
  const auto& first = bucket(a);
  const auto& second = a == b ? *kNone : bucket(b);
  auto i = first.begin(), j = second.begin();
  while (i != first.end() || j != second.end()) {
    if (j == second.end() || (i != first.end() && i->first < j->first)) {
      visit((i++)->second);
    } else if (i == first.end() || j->first < i->first) {
      visit((j++)->second);
    } else {  // the same object under both values
      visit((i++)->second);
      ++j;
    }
  }
}

size_t AssumeCache::Size() const {
  std::lock_guard<std::mutex> l(mu_);
  return items_.size();
}

// ---------------------------------------------------------------- PVs

namespace {

template <class T>
std::vector<std::shared_ptr<const T>> Typed(std::vector<ObjectRef> objs) {
  std::vector<std::shared_ptr<const T>> out;
  out.reserve(objs.size());
  // Moved, not copied: no reference count changes hands twice.
  for (auto& o : objs) out.push_back(std::static_pointer_cast<const T>(std::move(o)));
  return out;
}

}  // namespace

std::string PVAssumeCache::ClassHostKey(const std::string& storage_class,
                                        const std::string& host) {
  return storage_class + '\0' + host;
}

std::vector<std::string> PVAssumeCache::PinnedHostnames(const api::PersistentVolume& pv) {
  if (!pv.spec().has_node_affinity() || !pv.spec().node_affinity().has_required()) return {};
  const auto& terms = pv.spec().node_affinity().required().node_selector_terms();
  if (terms.empty()) return {};
  std::set<std::string> hosts;
  for (const auto& term : terms) {
    bool pinned = false;
    for (const auto& expr : term.match_expressions()) {
      if (expr.key() == kHostnameLabel && expr.operator_() == "In") {
        hosts.insert(expr.values().begin(), expr.values().end());
        pinned = true;
        break;
      }
    }
    // A term without such an expression could match a node of any hostname.
    if (!pinned) return {};
  }
  return {hosts.begin(), hosts.end()};
}

PVAssumeCache::PVAssumeCache(HostSlots* host_slots)
    : AssumeCache("v1.PersistentVolume"),
      own_host_slots_(host_slots ? nullptr : std::make_unique<HostSlots>()),
      host_slots_(host_slots ? host_slots : own_host_slots_.get()) {
  AddIndex(kClassIndex, [](const google::protobuf::Message& m) {
    return std::vector<std::string>{
        pvcontroller::GetPersistentVolumeClass(static_cast<const api::PersistentVolume&>(m))};
  });
  AddIndex(kClassHostIndex, [](const google::protobuf::Message& m) {
    const auto& pv = static_cast<const api::PersistentVolume&>(m);
    std::string cls = pvcontroller::GetPersistentVolumeClass(pv);
    std::vector<std::string> out;
    auto hosts = PinnedHostnames(pv);
    if (hosts.empty()) {
      out.push_back(ClassHostKey(cls, kAnyHost));
    } else {
      for (const auto& h : hosts) out.push_back(ClassHostKey(cls, h));
    }
    return out;
  });
  AddIndex(
      kFreeClassHostIndex,
      [](const google::protobuf::Message& m) {
        return FreeClassHostKeys(static_cast<const api::PersistentVolume&>(m));
      },
      /*list_values=*/true);
  AddIndex(kClaimIndex, [](const google::protobuf::Message& m) {
    const auto& pv = static_cast<const api::PersistentVolume&>(m);
    if (!pv.spec().has_claim_ref()) return std::vector<std::string>{};
    return std::vector<std::string>{pvcontroller::ClaimrefToClaimKey(pv.spec().claim_ref())};
  });
}

std::vector<std::string> PVAssumeCache::FreeHosts(const api::PersistentVolume& pv) {
  if (pv.spec().has_claim_ref()) return {};
  auto hosts = PinnedHostnames(pv);
  if (hosts.empty()) return {kAnyHost};
  return hosts;
}

std::vector<std::string> PVAssumeCache::FreeClassHostKeys(const api::PersistentVolume& pv) {
  std::string cls = pvcontroller::GetPersistentVolumeClass(pv);
  std::vector<std::string> out;
  for (const auto& h : FreeHosts(pv)) out.push_back(ClassHostKey(cls, h));
  return out;
}

void PVAssumeCache::LatestChangedLocked(const std::string& key, const ObjectRef& before,
                                        const ObjectRef& after) {
  // Lists are kept in name order (a PV's key is its name), as the index's buckets. A
  // hostname is numbered when a PV is first filed under it (or its node is cached).
  auto by_name = [](const pvcontroller::FreeVolume& v, const std::string& name) {
    return v.volume->metadata().name() < name;
  };
  if (before) {
    const auto& old = static_cast<const api::PersistentVolume&>(*before);
    auto f = free_volumes_.find(pvcontroller::GetPersistentVolumeClass(old));
    if (f != free_volumes_.end()) {
      FreeVolumes& free = f->second;
      for (const auto& host : FreeHosts(old)) {
        std::vector<pvcontroller::FreeVolume>* v = &free.anywhere;
        if (host != kAnyHost) {
          HostSlots::Slot slot = host_slots_->Find(host);
          if (slot >= free.pinned.size()) continue;  // kNone is past any list
          v = &free.pinned[slot];
        }
        auto at = std::lower_bound(v->begin(), v->end(), key, by_name);
        if (at == v->end() || at->volume->metadata().name() != key) continue;
        if (pins_ > 0) kept_aside_.push_back(std::move(at->volume));  // it may be lent
        v->erase(at);
        if (v->empty() && host != kAnyHost) --free.pinned_lists;
      }
      if (free.pinned_lists == 0 && free.anywhere.empty()) free_volumes_.erase(f);
    }
  }
  if (after) {
    auto pv = std::static_pointer_cast<const api::PersistentVolume>(after);
    auto hosts = FreeHosts(*pv);
    if (hosts.empty()) return;
    const std::string cls = pvcontroller::GetPersistentVolumeClass(*pv);
    FreeVolumes& free = free_volumes_[cls];
    for (const auto& host : hosts) {
      std::vector<pvcontroller::FreeVolume>* v = &free.anywhere;
      if (host != kAnyHost) {
        HostSlots::Slot slot = host_slots_->Intern(host);
        if (slot == HostSlots::kNone) continue;  // pinned to "": no node has that hostname
        if (slot >= free.pinned.size()) free.pinned.resize(slot + 1);
        v = &free.pinned[slot];
        if (v->empty()) ++free.pinned_lists;
      }
      auto at = std::lower_bound(v->begin(), v->end(), key, by_name);
      v->insert(at, pvcontroller::SummarizeFreeVolume(pv, host == kAnyHost ? nullptr : &host));
    }
    if (free.pinned_lists == 0 && free.anywhere.empty()) free_volumes_.erase(cls);
  }
}

std::shared_ptr<const api::PersistentVolume> PVAssumeCache::GetPV(const std::string& name) const {
  return client::As<api::PersistentVolume>(Get(name));
}

std::shared_ptr<const api::PersistentVolume> PVAssumeCache::GetAPIPV(
    const std::string& name) const {
  return client::As<api::PersistentVolume>(GetAPIObj(name));
}

std::vector<std::shared_ptr<const api::PersistentVolume>> PVAssumeCache::ListPVs(
    const std::string& storage_class) const {
  return Typed<api::PersistentVolume>(ByIndex(kClassIndex, storage_class));
}

std::vector<std::shared_ptr<const api::PersistentVolume>> PVAssumeCache::ListCandidatePVs(
    const std::string& storage_class, const std::string& hostname, bool free_only) const {
  const std::string& index = free_only ? kFreeClassHostIndex : kClassHostIndex;
  std::string any_key = ClassHostKey(storage_class, kAnyHost);
  std::string host_key = hostname.empty() ? any_key : ClassHostKey(storage_class, hostname);
  std::vector<std::shared_ptr<const api::PersistentVolume>> out;
  VisitIndexEither(index, any_key, host_key, [&out](const ObjectRef& obj) {
    out.push_back(std::static_pointer_cast<const api::PersistentVolume>(obj));
  });
  return out;
}

Result<std::shared_ptr<const api::PersistentVolume>> PVAssumeCache::FindMatchingFreePV(
    const api::PersistentVolumeClaim& claim, const std::string& hostname, const api::Node& node,
    const std::set<std::string>& excluded) const {
  return FindMatchingFreePV(claim, host_slots_->Find(hostname), node, excluded);
}

Result<std::shared_ptr<const api::PersistentVolume>> PVAssumeCache::FindMatchingFreePV(
    const api::PersistentVolumeClaim& claim, HostSlots::Slot host, const api::Node& node,
    const std::set<std::string>& excluded, bool borrow) const {
  // Never destroyed, as kNone above.
  static const auto* const kEmpty = new std::vector<pvcontroller::FreeVolume>();
  std::string cls = pvcontroller::GetPersistentVolumeClaimClass(claim);
  std::lock_guard<std::mutex> l(mu_);
  const std::vector<pvcontroller::FreeVolume>* pinned = kEmpty;
  const std::vector<pvcontroller::FreeVolume>* anywhere = kEmpty;
  if (auto f = free_volumes_.find(cls); f != free_volumes_.end()) {
    // A node without the label (kNone) has only the PVs usable anywhere.
    if (const auto* p = f->second.Pinned(host)) pinned = p;
    anywhere = &f->second.anywhere;
  }
  // Called with no PVs too: an invalid claim selector is an error either way.
  auto found = pvcontroller::FindMatchingFreeVolume(claim, *pinned, *anywhere, node, excluded);
  if (!found.ok()) return found.status();
  if (*found == nullptr) return std::shared_ptr<const api::PersistentVolume>();
  if (borrow && pins_ > 0) {
    // Aliasing an empty pointer: no control block, so no count to touch.
    return std::shared_ptr<const api::PersistentVolume>(
        std::shared_ptr<const api::PersistentVolume>(), (*found)->volume.get());
  }
  return (*found)->volume;
}

PVAssumeCache::FreePVPin::FreePVPin(const PVAssumeCache& cache) : cache_(cache) {
  std::lock_guard<std::mutex> l(cache_.mu_);
  ++cache_.pins_;
}

PVAssumeCache::FreePVPin::~FreePVPin() {
  std::vector<std::shared_ptr<const api::PersistentVolume>> released;  // freed after the lock
  std::lock_guard<std::mutex> l(cache_.mu_);
  if (--cache_.pins_ == 0) released.swap(cache_.kept_aside_);
}

std::shared_ptr<const api::PersistentVolume> PVAssumeCache::Own(
    const std::shared_ptr<const api::PersistentVolume>& pv) const {
  if (!pv || pv.use_count() > 0) return pv;
  // Lent under a pin: the free list's entry was the latest object; if it no longer is, the
  // change that replaced it kept it aside.
  auto latest = GetPV(pv->metadata().name());
  if (latest.get() == pv.get()) return latest;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& kept : kept_aside_) {
    if (kept.get() == pv.get()) return kept;
  }
  return nullptr;
}

bool PVAssumeCache::HasFreePV(const std::string& storage_class,
                              const std::string& hostname) const {
  if (hostname != kAnyHost) return HasFreePV(storage_class, host_slots_->Find(hostname));
  std::lock_guard<std::mutex> l(mu_);
  auto f = free_volumes_.find(storage_class);
  return f != free_volumes_.end() && !f->second.anywhere.empty();
}

bool PVAssumeCache::HasFreePV(const std::string& storage_class, HostSlots::Slot host) const {
  // Asked here, the node's list is still in the processor's cache when FindMatchingFreePV
  // reads it next.
  std::lock_guard<std::mutex> l(mu_);
  auto f = free_volumes_.find(storage_class);
  return f != free_volumes_.end() && f->second.Pinned(host) != nullptr;
}

std::vector<std::string> PVAssumeCache::HostsWithFreePVs(const std::string& storage_class) const {
  std::string prefix = ClassHostKey(storage_class, "");
  std::vector<std::string> hosts;
  VisitIndexValues(kFreeClassHostIndex, prefix, [&](const std::string& value) {
    std::string_view host = std::string_view(value).substr(prefix.size());
    if (host != kAnyHost) hosts.emplace_back(host);
  });
  return hosts;
}

std::vector<std::shared_ptr<const api::PersistentVolume>> PVAssumeCache::ListPVsForClaim(
    const std::string& claim_key) const {
  return Typed<api::PersistentVolume>(ByIndex(kClaimIndex, claim_key));
}

// ---------------------------------------------------------------- PVCs

PVCAssumeCache::PVCAssumeCache() : AssumeCache("v1.PersistentVolumeClaim") {}

std::shared_ptr<const api::PersistentVolumeClaim> PVCAssumeCache::GetPVC(
    const std::string& key) const {
  return client::As<api::PersistentVolumeClaim>(Get(key));
}

std::shared_ptr<const api::PersistentVolumeClaim> PVCAssumeCache::GetAPIPVC(
    const std::string& key) const {
  return client::As<api::PersistentVolumeClaim>(GetAPIObj(key));
}

}  // namespace lpv::scheduler
