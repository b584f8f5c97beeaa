// A real in-process cluster with the PV controller and both protection controllers running,
// and the waits the tests assert with (they follow a watch: no sleeps).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/wait.h"
#include "cluster/cluster.h"
#include "pvcontroller/protection.h"
#include "pvcontroller/pv_controller.h"

namespace lpv::pvcontroller::testing {

inline constexpr std::chrono::milliseconds kWait{10000};

class ControllerEnv {
 public:
  // `options.clock` drives the controllers' timers (resync, backoff); the cluster keeps the
  // real clock.
  explicit ControllerEnv(PersistentVolumeController::Options options = {}) {
    cluster::Options opts;
    opts.sync = false;
    opts.listen = "";
    auto c = cluster::Cluster::Start(opts);
    if (!c.ok()) {
      ADD_FAILURE() << "cluster did not start: " << c.status().ToString();
      return;
    }
    cluster_ = std::move(*c);
    pv_ = std::make_unique<PersistentVolumeController>(client(), options);
    ProtectionOptions p;
    p.clock = options.clock;
    pvc_protection_ = std::make_unique<PVCProtectionController>(client(), p);
    pv_protection_ = std::make_unique<PVProtectionController>(client(), p);
    pv_->Start();
    pvc_protection_->Start();
    pv_protection_->Start();
    EXPECT_TRUE(pv_->WaitForCacheSync(kWait));
    EXPECT_TRUE(pvc_protection_->WaitForCacheSync(kWait));
    EXPECT_TRUE(pv_protection_->WaitForCacheSync(kWait));
  }

  ~ControllerEnv() {
    if (pv_) pv_->Stop();
    if (pvc_protection_) pvc_protection_->Stop();
    if (pv_protection_) pv_protection_->Stop();
    if (cluster_) cluster_->Stop();
  }

  bool ok() const { return cluster_ != nullptr; }
  client::Client* client() { return cluster_->client(); }

  template <class T>
  T Create(const T& obj) {
    auto r = client()->CreateTyped(obj);
    EXPECT_TRUE(r.ok()) << "create " << api::KeyOf(obj) << ": " << r.status().ToString();
    return r.ok() ? *r : obj;
  }

  // Waits until the object satisfies `pred`; on timeout fails the test showing the object.
  template <class T>
  T WaitFor(const std::string& ns, const std::string& name, std::function<bool(const T&)> pred,
            const std::string& what) {
    auto r = client::WaitFor<T>(*client(), ns, name, pred, kWait);
    if (!r.ok()) {
      auto cur = client()->Get<T>(ns, name);
      ADD_FAILURE() << "waiting for " << name << " to be " << what << ": " << r.status().ToString()
                    << "\nnow: " << (cur.ok() ? cur->DebugString() : cur.status().ToString());
      return T();
    }
    return *r;
  }

  api::PersistentVolume WaitForVolume(const std::string& name,
                                      std::function<bool(const api::PersistentVolume&)> pred,
                                      const std::string& what) {
    return WaitFor<api::PersistentVolume>("", name, std::move(pred), what);
  }
  api::PersistentVolume WaitForVolumePhase(const std::string& name, const std::string& phase) {
    return WaitForVolume(
        name, [&](const api::PersistentVolume& v) { return v.status().phase() == phase; }, phase);
  }
  api::PersistentVolumeClaim WaitForClaim(
      const std::string& name, std::function<bool(const api::PersistentVolumeClaim&)> pred,
      const std::string& what) {
    return WaitFor<api::PersistentVolumeClaim>("default", name, std::move(pred), what);
  }
  api::PersistentVolumeClaim WaitForClaimPhase(const std::string& name, const std::string& phase) {
    return WaitForClaim(
        name, [&](const api::PersistentVolumeClaim& c) { return c.status().phase() == phase; },
        phase);
  }

  void WaitForGone(const api::KindInfo& kind, const std::string& ns, const std::string& name) {
    Status s = client::WaitForDeletion(*client(), kind, ns, name, kWait);
    EXPECT_TRUE(s.ok()) << name << " not deleted: " << s.ToString();
  }

  // The events about `object` with `reason`, once there is at least one.
  std::vector<api::Event> WaitForEvents(const std::string& object, const std::string& reason) {
    client::ListOptions opts;
    opts.field_selector = "involvedObject.name=" + object + ",reason=" + reason;
    auto r = client::WaitForList(
        *client(), *api::KindOf(api::Event::default_instance()), "default",
        [](const std::vector<client::ObjectPtr>& items) { return !items.empty(); }, kWait, opts);
    std::vector<api::Event> out;
    if (!r.ok()) {
      ADD_FAILURE() << "no " << reason << " event for " << object << ": " << r.status().ToString();
      return out;
    }
    for (const auto& item : *r) out.push_back(static_cast<const api::Event&>(*item));
    return out;
  }

  // Events about `object` now (any reason).
  std::vector<api::Event> Events(const std::string& object) {
    client::ListOptions opts;
    opts.field_selector = "involvedObject.name=" + object;
    auto r = client()->List(*api::KindOf(api::Event::default_instance()), "default", opts);
    std::vector<api::Event> out;
    if (r.ok()) {
      for (const auto& item : r->items) out.push_back(static_cast<const api::Event&>(*item));
    }
    return out;
  }

 private:
  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<PersistentVolumeController> pv_;
  std::unique_ptr<PVCProtectionController> pvc_protection_;
  std::unique_ptr<PVProtectionController> pv_protection_;
};

}  // namespace lpv::pvcontroller::testing
