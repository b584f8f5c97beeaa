// The controller's frame, as pv_controller_base.go: informers and their indexes, handlers
// that enqueue keys, the two work queues and their workers.

#include <set>

#include "client/thread_name.h"
#include "pvcontroller/annotations.h"
#include "pvcontroller/pod_index.h"
#include "pvcontroller/pv_controller.h"

namespace lpv::pvcontroller {

namespace {

// Index names.
constexpr char kByStorageClass[] = "storageclass";  // volumes by their class
constexpr char kByClaimRef[] = "claimref";          // volumes by "ns/claim" of their claimRef

std::vector<std::string> VolumeClassIndex(const google::protobuf::Message& obj) {
  return {GetPersistentVolumeClass(static_cast<const api::PersistentVolume&>(obj))};
}

std::vector<std::string> VolumeClaimRefIndex(const google::protobuf::Message& obj) {
  const auto& pv = static_cast<const api::PersistentVolume&>(obj);
  if (!pv.spec().has_claim_ref()) return {};
  return {ClaimrefToClaimKey(pv.spec().claim_ref())};
}

const api::KindInfo& Kind(const google::protobuf::Message& prototype) {
  return *api::KindOf(prototype);
}

}  // namespace

PersistentVolumeController::PersistentVolumeController(client::Client* client, Options options)
    : client_(client),
      options_(options),
      clock_(options.clock ? options.clock : RealClock::Get()),
      claim_queue_(clock_),
      volume_queue_(clock_),
      recorder_(client, clock_, kPVControllerComponent) {
  auto* informers = client::SharedOrOwn(options.informers, &own_informers_, client_, clock_);
  volumes_ = informers->InformerFor(Kind(api::PersistentVolume::default_instance()));
  claims_ = informers->InformerFor(Kind(api::PersistentVolumeClaim::default_instance()));
  classes_ = informers->InformerFor(Kind(api::StorageClass::default_instance()));
  pods_ = informers->InformerFor(Kind(api::Pod::default_instance()));
  nodes_ = informers->InformerFor(Kind(api::Node::default_instance()));
  volumes_->AddIndexer(kByStorageClass, VolumeClassIndex);
  volumes_->AddIndexer(kByClaimRef, VolumeClaimRefIndex);
  volume_cache_.AddIndexer(kByStorageClass, VolumeClassIndex);
  volume_cache_.AddIndexer(kByClaimRef, VolumeClaimRefIndex);
  pods_->AddIndexer(kPodPVCIndex, PodPVCIndexFunc);
  AddHandlers();
}

PersistentVolumeController::~PersistentVolumeController() { Stop(); }

void PersistentVolumeController::AddHandlers() {
  client::EventHandler volume_handler;
  volume_handler.on_add = [this](const client::ObjectRef& obj) {
    volume_cache_.Observed(*obj);
    volume_queue_.Add(api::KeyOf(*obj));
  };
  volume_handler.on_update = [this](const client::ObjectRef&, const client::ObjectRef& obj) {
    volume_cache_.Observed(*obj);
    volume_queue_.Add(api::KeyOf(*obj));
  };
  volume_handler.on_delete = [this](const client::ObjectRef& obj) {
    volume_cache_.Deleted(api::KeyOf(*obj));
    // Sync the claim now rather than at the next resync, so it turns Lost at once
    // (deleteVolume).
    const auto& pv = static_cast<const api::PersistentVolume&>(*obj);
    if (pv.spec().has_claim_ref()) claim_queue_.Add(ClaimrefToClaimKey(pv.spec().claim_ref()));
  };
  // The periodic sync of every claim and volume (ctrl.resync): each cached object comes back
  // as an update and is enqueued.
  volumes_->AddEventHandler(std::move(volume_handler), options_.resync_period);

  client::EventHandler claim_handler;
  claim_handler.on_add = [this](const client::ObjectRef& obj) {
    claim_cache_.Observed(*obj);
    claim_queue_.Add(api::KeyOf(*obj));
  };
  claim_handler.on_update = [this](const client::ObjectRef&, const client::ObjectRef& obj) {
    claim_cache_.Observed(*obj);
    claim_queue_.Add(api::KeyOf(*obj));
  };
  claim_handler.on_delete = [this](const client::ObjectRef& obj) {
    claim_cache_.Deleted(api::KeyOf(*obj));
    // Sync the volume now rather than at the next resync, so it is Released at once
    // (deleteClaim).
    const auto& pvc = static_cast<const api::PersistentVolumeClaim&>(*obj);
    if (!pvc.spec().volume_name().empty()) volume_queue_.Add(pvc.spec().volume_name());
  };
  claims_->AddEventHandler(std::move(claim_handler), options_.resync_period);
}

void PersistentVolumeController::Start() {
  if (started_) return;
  started_ = true;
  for (auto* informer : {volumes_, claims_, classes_, pods_, nodes_}) informer->Start();
  int claim_workers = std::max(1, options_.workers);
  int volume_workers = options_.volume_workers > 0 ? options_.volume_workers : claim_workers;
  for (int i = 0; i < claim_workers; ++i) {
    workers_.emplace_back([this] { ClaimWorker(); });
    client::SetThreadName(workers_.back(), "pv-claims");
  }
  for (int i = 0; i < volume_workers; ++i) {
    workers_.emplace_back([this] { VolumeWorker(); });
    client::SetThreadName(workers_.back(), "pv-volumes");
  }
}

void PersistentVolumeController::Stop() {
  if (stop_.exchange(true)) return;
  claim_queue_.ShutDown();
  volume_queue_.ShutDown();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  if (own_informers_) own_informers_->Stop();
  recorder_.Flush();
}

bool PersistentVolumeController::WaitForCacheSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* informer : {volumes_, claims_, classes_, pods_, nodes_}) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0 || !informer->WaitForCacheSync(left)) return false;
  }
  return true;
}

bool PersistentVolumeController::WaitForWorkersStart() {
  // A worker acting on half-filled caches would, say, find a bound claim's volume missing
  // and mark the claim Lost: wait for every informer's first list.
  while (!stop_) {
    if (WaitForCacheSync(std::chrono::milliseconds(100))) return true;
  }
  return false;
}

void PersistentVolumeController::ClaimWorker() {
  if (!WaitForWorkersStart()) return;
  std::string key;
  while (claim_queue_.Get(&key)) {
    Status s = SyncClaimKey(key);
    if (s.ok()) {
      claim_queue_.Forget(key);
    } else {
      // Conflicts are frequent and harmless: someone wrote first; retry with backoff.
      claim_queue_.AddRateLimited(key);
    }
    claim_queue_.Done(key);
  }
}

void PersistentVolumeController::VolumeWorker() {
  if (!WaitForWorkersStart()) return;
  std::string key;
  while (volume_queue_.Get(&key)) {
    Status s = SyncVolumeKey(key);
    if (s.ok()) {
      volume_queue_.Forget(key);
    } else {
      volume_queue_.AddRateLimited(key);
    }
    volume_queue_.Done(key);
  }
}

Status PersistentVolumeController::SyncClaimKey(const std::string& key) {
  ClaimPtr claim = GetClaim(key);
  // A deleted claim was handled by the delete handler (its volume is enqueued).
  if (!claim) return Status::OK();
  return syncClaim(*claim);
}

Status PersistentVolumeController::SyncVolumeKey(const std::string& key) {
  VolumePtr volume = GetVolume(key);
  if (!volume) return Status::OK();
  return syncVolume(*volume);
}

ClaimPtr PersistentVolumeController::GetClaim(const std::string& key) {
  return client::As<api::PersistentVolumeClaim>(claim_cache_.Newest(key, *claims_));
}

VolumePtr PersistentVolumeController::GetVolume(const std::string& name) {
  return client::As<api::PersistentVolume>(volume_cache_.Newest(name, *volumes_));
}

ClassPtr PersistentVolumeController::GetClass(const std::string& name) const {
  if (auto cached = classes_->Get(name)) return client::As<api::StorageClass>(cached);
  // lpv: a class created a moment ago may not have reached our informer yet; ask the API
  // server rather than decide without it (Kubernetes lets the next resync correct that).
  auto live = client_->Get<api::StorageClass>("", name);
  if (!live.ok()) return nullptr;
  return std::make_shared<const api::StorageClass>(std::move(*live));
}

NodePtr PersistentVolumeController::GetNode(const std::string& name) const {
  if (auto cached = nodes_->Get(name)) return client::As<api::Node>(cached);
  auto live = client_->Get<api::Node>("", name);
  if (!live.ok()) return nullptr;
  return std::make_shared<const api::Node>(std::move(*live));
}

std::vector<ClassPtr> PersistentVolumeController::ListClasses(bool live) const {
  std::vector<ClassPtr> out;
  if (!live) {
    for (const auto& obj : classes_->List()) out.push_back(client::As<api::StorageClass>(obj));
    return out;
  }
  auto list = client_->List(*api::KindOf(api::StorageClass::default_instance()), "");
  if (!list.ok()) return out;
  for (auto& item : list->items) {
    out.push_back(std::make_shared<const api::StorageClass>(
        std::move(static_cast<api::StorageClass&>(*item))));
  }
  return out;
}

std::vector<VolumePtr> PersistentVolumeController::CandidateVolumes(
    const api::PersistentVolumeClaim& claim, bool prebound_only) {
  std::set<std::string> names;
  // The informer's index entries, and ours: volumes we just wrote may still sit under their
  // old index values in the informer, so our copies are indexed the same way. (While the
  // informer catches up after a burst of writes, such as 20,000 volumes turning Available,
  // we hold thousands; a pass over them cost every claim sync that many.)
  auto take = [&](const char* index, const std::string& value) {
    for (auto& key : volumes_->IndexKeys(index, value)) names.insert(std::move(key));
    for (auto& key : volume_cache_.IndexKeys(index, value)) names.insert(std::move(key));
  };
  // Only a volume pre-bound to the claim can match a delayed-binding claim without a node
  // (FindMatchingVolume skips every other one): the class's volumes need not be looked at,
  // which keeps each such sync O(1) instead of O(volumes of the class).
  if (!prebound_only) take(kByStorageClass, GetPersistentVolumeClaimClass(claim));
  // A volume pre-bound to the claim matches whatever its class.
  take(kByClaimRef, ClaimToClaimKey(claim));
  std::vector<VolumePtr> out;
  out.reserve(names.size());
  for (const auto& name : names) {
    if (VolumePtr v = GetVolume(name)) out.push_back(std::move(v));
  }
  return out;
}

Result<api::PersistentVolume> PersistentVolumeController::UpdateVolume(
    const api::PersistentVolume& volume, bool status) {
  ObjectCache::Write write(&volume_cache_, api::KeyOf(volume));
  auto r = status ? client_->UpdateStatusTyped(volume) : client_->UpdateTyped(volume);
  if (r.ok()) write.Wrote(*r);
  return r;
}

Result<api::PersistentVolumeClaim> PersistentVolumeController::UpdateClaim(
    const api::PersistentVolumeClaim& claim, bool status) {
  ObjectCache::Write write(&claim_cache_, api::KeyOf(claim));
  auto r = status ? client_->UpdateStatusTyped(claim) : client_->UpdateTyped(claim);
  if (r.ok()) write.Wrote(*r);
  return r;
}

}  // namespace lpv::pvcontroller
