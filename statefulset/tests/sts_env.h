// A real in-process cluster with the StatefulSet controller running on a fake clock, and no
// kubelet: the test plays the kubelet (binds pods to a node, reports them Running and Ready,
// confirms graceful deletions). Every wait follows a watch; nothing sleeps.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/codec.h"
#include "client/informer_factory.h"
#include "client/wait.h"
#include "cluster/cluster.h"
#include "statefulset/stateful_set.h"

namespace lpv::statefulset::testing {

inline constexpr std::chrono::milliseconds kWait{10000};
inline constexpr char kNamespace[] = "default";

inline const api::KindInfo& PodKind() { return *api::KindOf(api::Pod::default_instance()); }
inline const api::KindInfo& ClaimKind() {
  return *api::KindOf(api::PersistentVolumeClaim::default_instance());
}
inline const api::KindInfo& SetKind() { return *api::KindOf(api::StatefulSet::default_instance()); }
inline const api::KindInfo& EventKind() { return *api::KindOf(api::Event::default_instance()); }

// Deleted, waiting for its grace period or finalizers.
inline bool Terminating(const google::protobuf::Message& obj) {
  return !api::Meta(obj).deletion_timestamp().empty();
}

// The article's StatefulSet, from examples/statefulset.yaml: local-test, 3 replicas, claim
// template local-vol (local-storage, 368Gi), service local-service.
inline api::StatefulSet ArticleStatefulSet() {
  std::ifstream in(std::string(LPV_SOURCE_DIR) + "/examples/statefulset.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::string> warnings;
  auto decoded = api::DecodeManifests(text.str(), "examples/statefulset.yaml", &warnings);
  api::StatefulSet set;
  if (!decoded.ok() || decoded->size() != 1) {
    ADD_FAILURE() << "examples/statefulset.yaml: "
                  << (decoded.ok() ? "not one object" : decoded.status().ToString());
    return set;
  }
  set.CopyFrom(*(*decoded)[0].object);
  return set;
}

class StatefulSetEnv {
 public:
  // `workers`: the controller's worker threads.
  explicit StatefulSetEnv(int workers = 1) {
    cluster::Options opts;
    opts.sync = false;
    opts.listen = "";
    auto c = cluster::Cluster::Start(opts);
    if (!c.ok()) {
      ADD_FAILURE() << "cluster did not start: " << c.status().ToString();
      return;
    }
    cluster_ = std::move(*c);
    // The controller's informers, which the test can look into (WaitForCached).
    informers_ = std::make_unique<client::SharedInformerFactory>(client(), &clock_);
    StatefulSetController::Options options;
    options.clock = &clock_;
    options.informers = informers_.get();
    options.workers = workers;
    controller_ = std::make_unique<StatefulSetController>(client(), options);
    controller_->Start();
    EXPECT_TRUE(controller_->WaitForCacheSync(kWait));
  }

  ~StatefulSetEnv() {
    if (informers_) informers_->Stop();
    if (controller_) controller_->Stop();
    if (cluster_) cluster_->Stop();
  }

  bool ok() const { return cluster_ != nullptr; }
  client::Client* client() { return cluster_->client(); }
  // The controller's clock (the cluster keeps the real one).
  FakeClock& clock() { return clock_; }

  api::StatefulSet CreateSet(const api::StatefulSet& set) {
    auto r = client()->CreateTyped(set);
    EXPECT_TRUE(r.ok()) << "create " << set.metadata().name() << ": " << r.status().ToString();
    return r.ok() ? *r : set;
  }

  // Reads, changes and writes the set, again on conflicts.
  api::StatefulSet UpdateSet(const std::string& name,
                             const std::function<void(api::StatefulSet*)>& change) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto set = client()->Get<api::StatefulSet>(kNamespace, name);
      if (!set.ok()) break;
      change(&*set);
      auto r = client()->UpdateTyped(*set);
      if (r.ok()) return *r;
      if (!r.status().IsConflict()) {
        ADD_FAILURE() << "update " << name << ": " << r.status().ToString();
        break;
      }
    }
    ADD_FAILURE() << "could not update " << name;
    return {};
  }

  // Waits until the controller's own cache, not just the API, shows `pred` for `name`: what
  // the controller acts on next. Follows the informer with a handler of its own.
  template <class T>
  void WaitForCached(const std::string& name, std::function<bool(const T&)> pred,
                     const std::string& what) {
    client::Informer* informer = informers_->InformerFor(*api::KindOf(T::default_instance()));
    std::mutex mu;
    std::condition_variable cv;
    bool seen = false;
    auto check = [&](const client::ObjectRef& o) {
      const T& obj = static_cast<const T&>(*o);
      if (obj.metadata().namespace_() != kNamespace || obj.metadata().name() != name ||
          !pred(obj)) {
        return;
      }
      std::lock_guard<std::mutex> l(mu);
      seen = true;
      cv.notify_all();
    };
    auto id = informer->AddEventHandler(
        {check, [&](const client::ObjectRef&, const client::ObjectRef& o) { check(o); }, nullptr});
    {
      std::unique_lock<std::mutex> l(mu);
      EXPECT_TRUE(cv.wait_for(l, kWait, [&] { return seen; }))
          << "the controller's cache never showed " << name << " " << what;
    }
    informer->RemoveEventHandler(id);
  }

  template <class T>
  T WaitFor(const std::string& name, std::function<bool(const T&)> pred, const std::string& what) {
    auto r = client::WaitFor<T>(*client(), kNamespace, name, pred, kWait);
    if (!r.ok()) {
      auto cur = client()->Get<T>(kNamespace, name);
      ADD_FAILURE() << "waiting for " << name << " to be " << what << ": " << r.status().ToString()
                    << "\nnow: " << (cur.ok() ? cur->DebugString() : cur.status().ToString());
      return T();
    }
    return *r;
  }

  api::Pod WaitForPod(const std::string& name, std::function<bool(const api::Pod&)> pred = nullptr,
                      const std::string& what = "there") {
    return WaitFor<api::Pod>(name, std::move(pred), what);
  }
  api::PersistentVolumeClaim WaitForClaim(
      const std::string& name,
      std::function<bool(const api::PersistentVolumeClaim&)> pred = nullptr,
      const std::string& what = "there") {
    return WaitFor<api::PersistentVolumeClaim>(name, std::move(pred), what);
  }
  api::StatefulSet WaitForSet(const std::string& name,
                              std::function<bool(const api::StatefulSet&)> pred,
                              const std::string& what) {
    return WaitFor<api::StatefulSet>(name, std::move(pred), what);
  }
  // Waits until the set's status has been written for its current generation and says
  // `replicas` pods exist, `ready` of them Running and Ready.
  api::StatefulSet WaitForStatus(const std::string& name, int replicas, int ready) {
    return WaitForSet(
        name,
        [&](const api::StatefulSet& s) {
          return s.status().observed_generation() == s.metadata().generation() &&
                 s.status().replicas() == replicas && s.status().ready_replicas() == ready;
        },
        "status replicas=" + std::to_string(replicas) + " ready=" + std::to_string(ready));
  }

  void WaitForGone(const api::KindInfo& kind, const std::string& name) {
    Status s = client::WaitForDeletion(*client(), kind, kNamespace, name, kWait);
    EXPECT_TRUE(s.ok()) << name << " not deleted: " << s.ToString();
  }

  bool Exists(const api::KindInfo& kind, const std::string& name) {
    auto r = client()->Get(kind, kNamespace, name);
    EXPECT_TRUE(r.ok() || r.status().IsNotFound()) << r.status().ToString();
    return r.ok();
  }

  // ---- the test as kubelet

  // The scheduler's bind: the pod is now on `node`, so deleting it is graceful.
  void Bind(const std::string& pod, const std::string& node = "node-1") {
    api::Binding binding;
    binding.mutable_metadata()->set_name(pod);
    binding.mutable_metadata()->set_namespace_(kNamespace);
    binding.mutable_target()->set_kind("Node");
    binding.mutable_target()->set_name(node);
    auto r = client()->Bind(binding);
    EXPECT_TRUE(r.ok()) << "bind " << pod << ": " << r.status().ToString();
  }

  // Reports the pod Running and Ready (the Ready condition's transition at the controller's
  // clock's now), as the kubelet does once its containers run.
  void MakeReady(const std::string& name) { SetPodStatus(name, "Running", true); }
  void SetPodStatus(const std::string& name, const std::string& phase, bool ready) {
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto pod = client()->Get<api::Pod>(kNamespace, name);
      ASSERT_TRUE(pod.ok()) << name << ": " << pod.status().ToString();
      std::string now = FormatRFC3339(clock_.Now());
      api::PodStatus* st = pod->mutable_status();
      st->set_phase(phase);
      st->clear_conditions();
      for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
        api::PodCondition* c = st->add_conditions();
        c->set_type(type);
        c->set_status(ready || std::string(type) == "PodScheduled" ? "True" : "False");
        c->set_last_transition_time(now);
      }
      st->clear_container_statuses();
      for (const auto& ctr : pod->spec().containers()) {
        api::ContainerStatus* cs = st->add_container_statuses();
        cs->set_name(ctr.name());
        cs->set_image(ctr.image());
        cs->set_ready(ready);
        cs->set_started(phase == "Running");
        if (phase == "Running") cs->mutable_state()->mutable_running()->set_started_at(now);
      }
      auto r = client()->UpdateStatusTyped(*pod);
      if (r.ok()) return;
      ASSERT_TRUE(r.status().IsConflict()) << r.status().ToString();
    }
    FAIL() << "could not update the status of " << name;
  }

  // Creates ordinals 0..n-1 one by one as OrderedReady does, each made Ready (and bound to
  // node-1 when `bind`) before the next appears.
  void RunOrdered(const std::string& set, int n, bool bind = false) {
    for (int i = 0; i < n; ++i) {
      std::string pod = set + "-" + std::to_string(i);
      WaitForPod(pod);
      if (bind) Bind(pod);
      MakeReady(pod);
    }
    WaitForStatus(set, n, n);
  }

  // The kubelet's confirmation that a terminating pod has stopped; returns once that pod
  // (that uid: the controller may already have made a new one of the name) is gone.
  void ConfirmDeletion(const std::string& pod) {
    auto cur = client()->Get<api::Pod>(kNamespace, pod);
    ASSERT_TRUE(cur.ok()) << pod << ": " << cur.status().ToString();
    std::string uid = cur->metadata().uid();
    client::DeleteOptions options;
    options.grace_period_seconds = 0;
    options.uid = uid;
    auto r = client()->Delete(PodKind(), kNamespace, pod, options);
    EXPECT_TRUE(r.ok()) << "delete " << pod << ": " << r.status().ToString();
    client::ListOptions opts;
    opts.field_selector = "metadata.name=" + pod;
    auto gone = client::WaitForList(
        *client(), PodKind(), kNamespace,
        [&](const std::vector<client::ObjectPtr>& items) {
          for (const auto& i : items) {
            if (api::Meta(*i).uid() == uid) return false;
          }
          return true;
        },
        kWait, opts);
    EXPECT_TRUE(gone.ok()) << pod << " (" << uid << ") not gone: " << gone.status().ToString();
  }

  // ---- events

  // The events about `object` with `reason`, once at least `count` exist.
  std::vector<api::Event> WaitForEvents(const std::string& object, const std::string& reason,
                                        size_t count) {
    client::ListOptions opts;
    opts.field_selector = "involvedObject.name=" + object + ",reason=" + reason;
    auto r = client::WaitForList(
        *client(), EventKind(), kNamespace,
        [&](const std::vector<client::ObjectPtr>& items) { return items.size() >= count; }, kWait,
        opts);
    std::vector<api::Event> out;
    if (!r.ok()) {
      ADD_FAILURE() << "fewer than " << count << " " << reason << " events for " << object << ": "
                    << r.status().ToString();
      return out;
    }
    for (const auto& item : *r) out.push_back(static_cast<const api::Event&>(*item));
    return out;
  }

  static std::vector<std::string> Messages(const std::vector<api::Event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.message());
    return out;
  }

 private:
  FakeClock clock_;
  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<client::SharedInformerFactory> informers_;
  std::unique_ptr<StatefulSetController> controller_;
};

}  // namespace lpv::statefulset::testing
