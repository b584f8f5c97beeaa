// The pv-protection controller (pv_protection_controller.go).

#include "client/thread_name.h"
#include "pvcontroller/annotations.h"
#include "pvcontroller/protection.h"
#include "pvcontroller/protection_util.h"

namespace lpv::pvcontroller {

PVProtectionController::PVProtectionController(client::Client* client, ProtectionOptions options)
    : client_(client),
      options_(options),
      clock_(options.clock ? options.clock : RealClock::Get()),
      queue_(clock_) {
  auto* informers = client::SharedOrOwn(options.informers, &own_informers_, client_, clock_);
  volumes_ = informers->InformerFor(*api::KindOf(api::PersistentVolume::default_instance()));
  auto changed = [this](const client::ObjectRef& obj) {
    const auto& meta = api::Meta(*obj);
    if (NeedToAddFinalizer(meta, kPVProtectionFinalizer) ||
        IsDeletionCandidate(meta, kPVProtectionFinalizer)) {
      queue_.Add(api::KeyOf(*obj));
    }
  };
  client::EventHandler handler;
  handler.on_add = changed;
  handler.on_update = [changed](const client::ObjectRef&, const client::ObjectRef& obj) {
    changed(obj);
  };
  volumes_->AddEventHandler(std::move(handler));
}

PVProtectionController::~PVProtectionController() { Stop(); }

void PVProtectionController::Start() {
  if (started_) return;
  started_ = true;
  volumes_->Start();
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Worker(); });
    client::SetThreadName(workers_.back(), "pv-protection");
  }
}

void PVProtectionController::Stop() {
  if (stop_.exchange(true)) return;
  queue_.ShutDown();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  if (own_informers_) own_informers_->Stop();
}

bool PVProtectionController::WaitForCacheSync(std::chrono::milliseconds timeout) const {
  return volumes_->WaitForCacheSync(timeout);
}

void PVProtectionController::Worker() {
  while (!stop_ && !WaitForCacheSync(std::chrono::milliseconds(100))) {
  }
  std::string key;
  while (queue_.Get(&key)) {
    Status s = processPV(key);
    if (s.ok()) {
      queue_.Forget(key);
    } else {
      queue_.AddRateLimited(key);
    }
    queue_.Done(key);
  }
}

Status PVProtectionController::processPV(const std::string& name) {
  auto obj = volumes_->Get(name);
  if (!obj) return Status::OK();
  const auto& volume = static_cast<const api::PersistentVolume&>(*obj);
  if (IsDeletionCandidate(volume.metadata(), kPVProtectionFinalizer)) {
    // In use while Bound; the PV controller moves it on (Released) once its claim is gone.
    if (volume.status().phase() == kVolumeBound) return Status::OK();
    api::PersistentVolume clone = volume;
    RemoveFinalizer(clone.mutable_metadata(), kPVProtectionFinalizer);
    auto r = client_->UpdateTyped(clone);
    return r.ok() || r.status().IsNotFound() ? Status::OK() : r.status();
  }
  if (NeedToAddFinalizer(volume.metadata(), kPVProtectionFinalizer)) {
    api::PersistentVolume clone = volume;
    clone.mutable_metadata()->add_finalizers(kPVProtectionFinalizer);
    auto r = client_->UpdateTyped(clone);
    return r.ok() || r.status().IsNotFound() ? Status::OK() : r.status();
  }
  return Status::OK();
}

}  // namespace lpv::pvcontroller
