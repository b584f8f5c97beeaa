#include "statefulset/gc.h"

#include <memory>
#include <set>

namespace lpv::statefulset {

namespace {

std::string CacheKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
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
}

void OwnerReferenceCleanup::Stop() {
  stop_ = true;
  queue_.ShutDown();
  if (worker_.joinable()) worker_.join();
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

void OwnerReferenceCleanup::Worker() {
  // Owners missing from half-filled caches are not gone: wait for the first lists.
  for (auto* informer : {sets_, pods_, claims_}) {
    while (!stop_ && !informer->WaitForCacheSync(std::chrono::milliseconds(100))) {
    }
  }
  if (stop_) return;
  // Dependents whose owners went while nobody watched (lpv was down).
  for (auto* informer : {pods_, claims_}) {
    for (const auto& obj : informer->List()) DependentObserved(*obj);
  }
  std::string uid;
  while (queue_.Get(&uid)) {
    Status s = ProcessOwner(uid);
    if (s.ok()) {
      queue_.Forget(uid);
    } else {
      queue_.AddRateLimited(uid);
    }
    queue_.Done(uid);
  }
}

Status OwnerReferenceCleanup::ProcessOwner(const std::string& uid) {
  Status first_error;
  for (auto* informer : {pods_, claims_}) {
    for (const auto& dependent : informer->ByIndex(kByOwnerUID, uid)) {
      Status s = AttemptToDeleteItem(*dependent);
      if (!s.ok() && first_error.ok()) first_error = s;
    }
  }
  return first_error;
}

Result<bool> OwnerReferenceCleanup::IsDangling(const api::OwnerReference& ref,
                                               const std::string& ns) {
  const api::KindInfo* kind = api::KindOf(ref.kind());
  // An owner of a kind lpv does not serve cannot be checked: treat it as present.
  if (kind == nullptr) return false;
  auto owner = client_->Get(*kind, kind->namespaced ? ns : "", ref.name());
  if (!owner.ok()) {
    if (owner.status().IsNotFound()) return true;
    return owner.status();
  }
  return api::Meta(**owner).uid() != ref.uid();
}

Status OwnerReferenceCleanup::AttemptToDeleteItem(const google::protobuf::Message& dependent) {
  const api::ObjectMeta& meta = api::Meta(dependent);
  if (!meta.deletion_timestamp().empty()) return Status::OK();  // already going
  std::set<std::string> dangling;
  bool solid = false;
  for (const auto& ref : meta.owner_references()) {
    auto gone = IsDangling(ref, meta.namespace_());
    if (!gone.ok()) return gone.status();
    if (*gone) {
      dangling.insert(ref.uid());
    } else {
      solid = true;
    }
  }
  if (dangling.empty()) return Status::OK();
  const api::KindInfo& kind = *api::KindOf(dependent);
  if (!solid) {
    client::DeleteOptions options;
    options.uid = meta.uid();
    auto r = client_->Delete(kind, meta.namespace_(), meta.name(), options);
    if (r.ok() || r.status().IsNotFound() || r.status().IsConflict()) return Status::OK();
    return r.status();
  }
  // Some owner remains: the dependent stays, without its references to the gone ones.
  std::unique_ptr<google::protobuf::Message> copy(dependent.New());
  copy->CopyFrom(dependent);
  auto* refs = api::MutableMeta(copy.get())->mutable_owner_references();
  for (int i = refs->size() - 1; i >= 0; --i) {
    if (dangling.count(refs->Get(i).uid())) refs->DeleteSubrange(i, 1);
  }
  auto r = client_->Update(*copy);
  if (r.ok() || r.status().IsNotFound()) return Status::OK();
  return r.status();
}

}  // namespace lpv::statefulset
