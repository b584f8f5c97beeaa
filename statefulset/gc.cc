#include "statefulset/gc.h"

#include <algorithm>
#include <memory>
#include <set>

#include "apiserver/apiserver.h"
#include "client/thread_name.h"

namespace lpv::statefulset {

namespace {

using apiserver::kFinalizerDeleteDependents;
using apiserver::kFinalizerOrphanDependents;

// Work queue keys: an owner uid (the owner is gone), or this prefix, the owner's kind and
// its cache key (the owner is being deleted with one of the collector's finalizers).
constexpr char kDeletingPrefix[] = "deleting/";

std::string CacheKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

bool HasFinalizer(const api::ObjectMeta& meta, const std::string& finalizer) {
  return std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) !=
         meta.finalizers().end();
}

// Being deleted with a finalizer only the garbage collector removes.
bool WaitsForCollector(const api::ObjectMeta& meta) {
  return !meta.deletion_timestamp().empty() &&
         (HasFinalizer(meta, kFinalizerOrphanDependents) ||
          HasFinalizer(meta, kFinalizerDeleteDependents));
}

const api::OwnerReference* RefTo(const api::ObjectMeta& meta, const std::string& uid) {
  for (const auto& ref : meta.owner_references()) {
    if (ref.uid() == uid) return &ref;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> OwnerReferenceCleanup::OwnerUIDIndex(
    const google::protobuf::Message& obj) {
  std::vector<std::string> uids;
  for (const auto& ref : api::Meta(obj).owner_references()) uids.push_back(ref.uid());
  return uids;
}

OwnerReferenceCleanup::OwnerReferenceCleanup(client::Client* client, client::Informer* sets,
                                             client::Informer* pods, client::Informer* claims,
                                             Clock* clock)
    : client_(client), sets_(sets), pods_(pods), claims_(claims), queue_(clock) {}

OwnerReferenceCleanup::~OwnerReferenceCleanup() { Stop(); }

void OwnerReferenceCleanup::Start() {
  if (worker_.joinable()) return;
  worker_ = std::thread([this] { Worker(); });
  client::SetThreadName(worker_, "garbage-collect");
}

void OwnerReferenceCleanup::Stop() {
  stop_ = true;
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
}

client::Informer* OwnerReferenceCleanup::InformerFor(const std::string& kind) const {
  if (kind == "StatefulSet") return sets_;
  if (kind == "Pod") return pods_;
  if (kind == "PersistentVolumeClaim") return claims_;
  return nullptr;
}

void OwnerReferenceCleanup::OwnerGone(const std::string& uid) {
  if (!uid.empty()) queue_.Add(uid);
}

void OwnerReferenceCleanup::DependentObserved(const google::protobuf::Message& obj) {
  const api::ObjectMeta& meta = api::Meta(obj);
  for (const auto& ref : meta.owner_references()) {
    client::Informer* owners = ref.kind() == "StatefulSet" ? sets_
                               : ref.kind() == "Pod"       ? pods_
                                                           : nullptr;
    if (owners == nullptr) continue;
    auto owner = owners->Get(CacheKey(meta.namespace_(), ref.name()));
    if (!owner || api::Meta(*owner).uid() != ref.uid()) queue_.Add(ref.uid());
  }
}

void OwnerReferenceCleanup::OwnerObserved(const google::protobuf::Message& obj) {
  const api::ObjectMeta& meta = api::Meta(obj);
  if (!WaitsForCollector(meta)) return;
  const api::KindInfo* kind = api::KindOf(obj);
  if (kind == nullptr) return;
  queue_.Add(kDeletingPrefix + kind->kind + "/" + CacheKey(meta.namespace_(), meta.name()));
}

void OwnerReferenceCleanup::DependentGone(const google::protobuf::Message& obj) {
  // As the graph builder, which requeues an owner deleting its dependents when one goes.
  const api::ObjectMeta& meta = api::Meta(obj);
  for (const auto& ref : meta.owner_references()) {
    if (InformerFor(ref.kind()) == nullptr) continue;
    queue_.Add(kDeletingPrefix + ref.kind() + "/" + CacheKey(meta.namespace_(), ref.name()));
  }
}

void OwnerReferenceCleanup::Worker() {
  // Owners missing from half-filled caches are not gone: wait for the first lists.
  for (auto* informer : {sets_, pods_, claims_}) {
    while (!stop_ && !informer->WaitForCacheSync(std::chrono::milliseconds(100))) {
    }
  }
  if (stop_) return;
  // What happened while nobody watched (lpv was down): dependents whose owners went, owners
  // whose deletion waits for the collector.
  for (auto* informer : {pods_, claims_}) {
    for (const auto& obj : informer->List()) DependentObserved(*obj);
  }
  for (auto* informer : {sets_, pods_, claims_}) {
    for (const auto& obj : informer->List()) OwnerObserved(*obj);
  }
  std::string key;
  while (queue_.Get(&key)) {
    Status s = Process(key);
    if (s.ok()) {
      queue_.Forget(key);
    } else {
      queue_.AddRateLimited(key);
    }
    queue_.Done(key);
  }
}

Status OwnerReferenceCleanup::Process(const std::string& key) {
  if (key.rfind(kDeletingPrefix, 0) != 0) return ProcessOwner(key);
  std::string rest = key.substr(sizeof(kDeletingPrefix) - 1);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return Status::OK();
  const api::KindInfo* kind = api::KindOf(rest.substr(0, slash));
  if (kind == nullptr) return Status::OK();
  return ProcessDeletingOwner(*kind, rest.substr(slash + 1));
}

std::vector<client::ObjectRef> OwnerReferenceCleanup::Dependents(
    const std::string& owner_uid) const {
  std::vector<client::ObjectRef> out;
  for (auto* informer : {pods_, claims_}) {
    for (auto& dependent : informer->ByIndex(kByOwnerUID, owner_uid)) {
      out.push_back(std::move(dependent));
    }
  }
  return out;
}

Status OwnerReferenceCleanup::ProcessOwner(const std::string& uid) {
  Status first_error;
  for (const auto& dependent : Dependents(uid)) {
    auto r = AttemptToDeleteItem(*dependent);
    if (!r.ok() && first_error.ok()) first_error = r.status();
  }
  return first_error;
}

Status OwnerReferenceCleanup::ProcessDeletingOwner(const api::KindInfo& kind,
                                                   const std::string& cache_key) {
  client::Informer* informer = InformerFor(kind.kind);
  if (informer == nullptr) return Status::OK();
  auto owner = informer->Get(cache_key);
  if (!owner || !WaitsForCollector(api::Meta(*owner))) return Status::OK();
  if (HasFinalizer(api::Meta(*owner), kFinalizerOrphanDependents)) {
    // attemptToOrphan: the dependents first, so none is collected once the owner is gone.
    Status s = OrphanDependents(*owner);
    if (!s.ok()) return s;
    return RemoveFinalizer(*owner, kFinalizerOrphanDependents);
  }
  return ProcessDeletingDependentsItem(*owner);
}

Status OwnerReferenceCleanup::ProcessDeletingDependentsItem(
    const google::protobuf::Message& owner) {
  const std::string& uid = api::Meta(owner).uid();
  bool blocked = false;
  Status first_error;
  for (const auto& dependent : Dependents(uid)) {
    const api::ObjectMeta& meta = api::Meta(*dependent);
    const api::OwnerReference* ref = RefTo(meta, uid);
    if (ref == nullptr) continue;
    Outcome outcome = Outcome::kKept;
    // A dependent already terminating is on its way; the owner waits for it to be gone.
    if (meta.deletion_timestamp().empty()) {
      auto r = AttemptToDeleteItem(*dependent, uid);
      if (!r.ok()) {
        if (first_error.ok()) first_error = r.status();
      } else {
        outcome = *r;
      }
    }
    // blockingDependents: only references with blockOwnerDeletion hold the owner, until the
    // dependent is gone from the cache (DependentGone brings the owner back here).
    if (ref->block_owner_deletion() && outcome != Outcome::kDetached) blocked = true;
  }
  if (!first_error.ok()) return first_error;
  if (blocked) return Status::OK();
  return RemoveFinalizer(owner, kFinalizerDeleteDependents);
}

Status OwnerReferenceCleanup::OrphanDependents(const google::protobuf::Message& owner) {
  const std::string& uid = api::Meta(owner).uid();
  Status first_error;
  for (const auto& dependent : Dependents(uid)) {
    const api::ObjectMeta& meta = api::Meta(*dependent);
    Status s = UpdateWithRetry(
        *api::KindOf(*dependent), meta.namespace_(), meta.name(), meta.uid(),
        [&](google::protobuf::Message* obj) {
          auto* refs = api::MutableMeta(obj)->mutable_owner_references();
          int before = refs->size();
          for (int i = refs->size() - 1; i >= 0; --i) {
            if (refs->Get(i).uid() == uid) refs->DeleteSubrange(i, 1);
          }
          return refs->size() != before;
        });
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

Status OwnerReferenceCleanup::RemoveFinalizer(const google::protobuf::Message& owner,
                                              const std::string& finalizer) {
  const api::ObjectMeta& meta = api::Meta(owner);
  return UpdateWithRetry(*api::KindOf(owner), meta.namespace_(), meta.name(), meta.uid(),
                         [&](google::protobuf::Message* obj) {
                           auto* finalizers = api::MutableMeta(obj)->mutable_finalizers();
                           auto it = std::remove(finalizers->begin(), finalizers->end(),
                                                 finalizer);
                           if (it == finalizers->end()) return false;
                           finalizers->erase(it, finalizers->end());
                           return true;
                         });
}

Status OwnerReferenceCleanup::UpdateWithRetry(
    const api::KindInfo& kind, const std::string& ns, const std::string& name,
    const std::string& uid, const std::function<bool(google::protobuf::Message*)>& change) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto cur = client_->Get(kind, ns, name);
    if (!cur.ok()) return cur.status().IsNotFound() ? Status::OK() : cur.status();
    if (api::Meta(**cur).uid() != uid) return Status::OK();
    if (!change(cur->get())) return Status::OK();
    auto r = client_->Update(**cur);
    if (r.ok() || r.status().IsNotFound()) return Status::OK();
    if (!r.status().IsConflict()) return r.status();
  }
  return Status::ConflictModified(kind.resource, name);
}

Result<OwnerReferenceCleanup::OwnerState> OwnerReferenceCleanup::ClassifyOwner(
    const api::OwnerReference& ref, const std::string& ns) {
  const api::KindInfo* kind = api::KindOf(ref.kind());
  // An owner of a kind lpv does not serve cannot be checked: treat it as present.
  if (kind == nullptr) return OwnerState::kSolid;
  auto owner = client_->Get(*kind, kind->namespaced ? ns : "", ref.name());
  if (!owner.ok()) {
    if (owner.status().IsNotFound()) return OwnerState::kDangling;
    return owner.status();
  }
  const api::ObjectMeta& meta = api::Meta(**owner);
  if (meta.uid() != ref.uid()) return OwnerState::kDangling;
  if (!meta.deletion_timestamp().empty() && HasFinalizer(meta, kFinalizerDeleteDependents)) {
    return OwnerState::kWaitingForDependentsDeletion;
  }
  return OwnerState::kSolid;
}

Result<OwnerReferenceCleanup::Outcome> OwnerReferenceCleanup::AttemptToDeleteItem(
    const google::protobuf::Message& cached, const std::string& owner_uid) {
  // The owner references of the object as it is now, not as the cache last saw it: the
  // cache may not yet show that the dependent was orphaned, or adopted by another owner.
  const api::KindInfo& kind = *api::KindOf(cached);
  const api::ObjectMeta& cached_meta = api::Meta(cached);
  auto latest = client_->Get(kind, cached_meta.namespace_(), cached_meta.name());
  if (!latest.ok()) {
    if (latest.status().IsNotFound()) return Outcome::kDeleted;
    return latest.status();
  }
  if (api::Meta(**latest).uid() != cached_meta.uid()) return Outcome::kDeleted;
  const api::ObjectMeta& meta = api::Meta(**latest);
  if (!owner_uid.empty() && RefTo(meta, owner_uid) == nullptr) return Outcome::kDetached;
  if (!meta.deletion_timestamp().empty()) return Outcome::kKept;  // already going
  std::set<std::string> dangling, waiting;
  bool solid = false;
  for (const auto& ref : meta.owner_references()) {
    auto state = ClassifyOwner(ref, meta.namespace_());
    if (!state.ok()) return state.status();
    switch (*state) {
      case OwnerState::kSolid: solid = true; break;
      case OwnerState::kDangling: dangling.insert(ref.uid()); break;
      case OwnerState::kWaitingForDependentsDeletion: waiting.insert(ref.uid()); break;
    }
  }
  if (dangling.empty() && waiting.empty()) return Outcome::kKept;
  if (!solid) {
    // No owner remains: collected, with the policy its own finalizers ask for.
    // lpv: Kubernetes deletes a dependent that has dependents of its own in the foreground
    // when its owner waits (so the wait spans the chain); here it goes in the background and
    // its dependents follow it as dependents of a gone owner.
    client::DeleteOptions options;
    options.uid = meta.uid();
    if (HasFinalizer(meta, kFinalizerOrphanDependents)) {
      options.propagation_policy = apiserver::kDeletePropagationOrphan;
    } else if (HasFinalizer(meta, kFinalizerDeleteDependents)) {
      options.propagation_policy = apiserver::kDeletePropagationForeground;
    }
    auto r = client_->Delete(kind, meta.namespace_(), meta.name(), options);
    if (r.ok() || r.status().IsNotFound() || r.status().IsConflict()) return Outcome::kDeleted;
    return r.status();
  }
  // Some owner remains: the dependent stays, without its references to the gone ones and to
  // those waiting for their dependents' deletion.
  Status s = UpdateWithRetry(kind, meta.namespace_(), meta.name(), meta.uid(),
                             [&](google::protobuf::Message* obj) {
                               auto* refs = api::MutableMeta(obj)->mutable_owner_references();
                               int before = refs->size();
                               for (int i = refs->size() - 1; i >= 0; --i) {
                                 const std::string& uid = refs->Get(i).uid();
                                 if (dangling.count(uid) || waiting.count(uid)) {
                                   refs->DeleteSubrange(i, 1);
                                 }
                               }
                               return refs->size() != before;
                             });
  if (!s.ok()) return s;
  return Outcome::kDetached;
}

}  // namespace lpv::statefulset
