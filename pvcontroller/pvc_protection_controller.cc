// The pvc-protection controller (pvc_protection_controller.go).

#include "client/thread_name.h"
#include "pvcontroller/annotations.h"
#include "pvcontroller/pod_index.h"
#include "pvcontroller/protection.h"
#include "pvcontroller/protection_util.h"
#include "pvcontroller/pv_helpers.h"

namespace lpv::pvcontroller {

namespace {

// podUsesPVC: only a pod on a node can have the volume mounted; the kubelet starts no pod
// whose claim is being deleted, and the scheduler schedules none.
bool PodUsesPVC(const api::Pod& pod, const api::PersistentVolumeClaim& claim) {
  return !pod.spec().node_name().empty() && PodReferencesClaim(pod, claim.metadata().name());
}

}  // namespace

PVCProtectionController::PVCProtectionController(client::Client* client, ProtectionOptions options)
    : client_(client),
      options_(options),
      clock_(options.clock ? options.clock : RealClock::Get()),
      queue_(clock_) {
  auto* informers = client::SharedOrOwn(options.informers, &own_informers_, client_, clock_);
  claims_ = informers->InformerFor(*api::KindOf(api::PersistentVolumeClaim::default_instance()));
  pods_ = informers->InformerFor(*api::KindOf(api::Pod::default_instance()));
  pods_->AddIndexer(kPodPVCIndex, PodPVCIndexFunc);

  auto claim_changed = [this](const client::ObjectRef& obj) {
    const auto& meta = api::Meta(*obj);
    if (NeedToAddFinalizer(meta, kPVCProtectionFinalizer) ||
        IsDeletionCandidate(meta, kPVCProtectionFinalizer)) {
      queue_.Add(api::KeyOf(*obj));
    }
  };
  client::EventHandler claim_handler;
  claim_handler.on_add = claim_changed;
  claim_handler.on_update = [claim_changed](const client::ObjectRef&,
                                            const client::ObjectRef& obj) { claim_changed(obj); };
  claims_->AddEventHandler(std::move(claim_handler));

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectRef& obj) {
    enqueuePVCs(static_cast<const api::Pod&>(*obj));
  };
  pod_handler.on_update = [this](const client::ObjectRef&, const client::ObjectRef& obj) {
    enqueuePVCs(static_cast<const api::Pod&>(*obj));
  };
  pod_handler.on_delete = [this](const client::ObjectRef& obj) {
    // Whatever state it was in, a pod that is gone uses nothing.
    for (const auto& key : PodPVCIndexFunc(*obj)) queue_.Add(key);
  };
  pods_->AddEventHandler(std::move(pod_handler));
}

PVCProtectionController::~PVCProtectionController() { Stop(); }

void PVCProtectionController::enqueuePVCs(const api::Pod& pod) {
  // Only a pod that stops counting as a user can let a claim go: one that finished, or that
  // is not (or no longer) on a node.
  if (!IsPodTerminated(pod) && !pod.spec().node_name().empty()) return;
  for (const auto& key : PodPVCIndexFunc(pod)) queue_.Add(key);
}

void PVCProtectionController::Start() {
  if (started_) return;
  started_ = true;
  claims_->Start();
  pods_->Start();
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Worker(); });
    client::SetThreadName(workers_.back(), "pvc-protection");
  }
}

void PVCProtectionController::Stop() {
  if (stop_.exchange(true)) return;
  queue_.ShutDown();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  if (own_informers_) own_informers_->Stop();
}

bool PVCProtectionController::WaitForCacheSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!claims_->WaitForCacheSync(timeout)) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() >= 0 && pods_->WaitForCacheSync(left);
}

void PVCProtectionController::Worker() {
  while (!stop_ && !WaitForCacheSync(std::chrono::milliseconds(100))) {
  }
  std::string key;
  while (queue_.Get(&key)) {
    Status s = processPVC(key);
    if (s.ok()) {
      queue_.Forget(key);
    } else {
      queue_.AddRateLimited(key);
    }
    queue_.Done(key);
  }
}

Status PVCProtectionController::processPVC(const std::string& key) {
  auto obj = claims_->Get(key);
  if (!obj) return Status::OK();
  const auto& claim = static_cast<const api::PersistentVolumeClaim&>(*obj);
  if (IsDeletionCandidate(claim.metadata(), kPVCProtectionFinalizer)) {
    auto used = isBeingUsed(claim);
    if (!used.ok()) return used.status();
    if (!*used) {
      api::PersistentVolumeClaim clone = claim;
      RemoveFinalizer(clone.mutable_metadata(), kPVCProtectionFinalizer);
      auto r = client_->UpdateTyped(clone);
      return r.ok() || r.status().IsNotFound() ? Status::OK() : r.status();
    }
    // Kept: a pod uses it. The pod's deletion enqueues the claim again.
    return Status::OK();
  }
  if (NeedToAddFinalizer(claim.metadata(), kPVCProtectionFinalizer)) {
    api::PersistentVolumeClaim clone = claim;
    clone.mutable_metadata()->add_finalizers(kPVCProtectionFinalizer);
    auto r = client_->UpdateTyped(clone);
    return r.ok() || r.status().IsNotFound() ? Status::OK() : r.status();
  }
  return Status::OK();
}

Result<bool> PVCProtectionController::isBeingUsed(const api::PersistentVolumeClaim& claim) {
  // The informer's cache first: a user found there settles it without a list.
  for (const auto& obj : pods_->ByIndex(kPodPVCIndex, ClaimToClaimKey(claim))) {
    if (PodUsesPVC(static_cast<const api::Pod&>(*obj), claim)) return true;
  }
  // A pod missing from the cache may just not have arrived yet: to be sure the claim is safe
  // to delete, ask the API server (askAPIServer's live list).
  auto list =
      client_->List(*api::KindOf(api::Pod::default_instance()), claim.metadata().namespace_());
  if (!list.ok())
    return Status::Make(list.status().reason(),
                        "live list of pods failed: " + list.status().message());
  for (const auto& item : list->items) {
    if (PodUsesPVC(static_cast<const api::Pod&>(*item), claim)) return true;
  }
  return false;
}

}  // namespace lpv::pvcontroller
