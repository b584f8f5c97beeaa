// Shared pieces of the kubelet-fake tests: an in-process cluster on a FakeClock, a
// temporary directory for node roots, object builders and waits (no sleeps: waits follow
// watches).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/objects.pb.h"
#include "api/scheme.h"
#include "client/client.h"
#include "client/wait.h"
#include "cluster/cluster.h"

namespace lpv::kubelet::testing {

inline constexpr std::chrono::milliseconds kWait{10000};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster::Options opts;
    opts.sync = false;
    opts.listen = "";
    opts.clock = &clock_;
    auto c = cluster::Cluster::Start(opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "lpv-kubelet-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    cluster_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  client::Client& c() { return *cluster_->client(); }
  std::string NodeRoot(const std::string& node) { return dir_ + "/nodes/" + node; }
  std::string Now() { return FormatRFC3339(clock_.Now()); }

  // The events about `name` (any kind) with `reason`, once there is one that satisfies
  // `pred` (nullptr: any).
  std::vector<api::Event> WaitForEvents(
      const std::string& ns, const std::string& name, const std::string& reason,
      const std::function<bool(const api::Event&)>& pred = nullptr) {
    client::ListOptions opts;
    opts.field_selector = "involvedObject.name=" + name + ",reason=" + reason;
    auto r = client::WaitForList(
        c(), *api::KindOf("Event"), ns,
        [&](const std::vector<client::ObjectPtr>& items) {
          for (const auto& i : items) {
            if (!pred || pred(static_cast<const api::Event&>(*i))) return true;
          }
          return false;
        },
        kWait, opts);
    std::vector<api::Event> out;
    if (!r.ok()) {
      ADD_FAILURE() << "no " << reason << " event for " << name << ": " << r.status().ToString();
      return out;
    }
    for (const auto& i : *r) out.push_back(static_cast<const api::Event&>(*i));
    return out;
  }

  template <class T>
  T WaitFor(const std::string& ns, const std::string& name,
            const std::function<bool(const T&)>& pred) {
    auto r = client::WaitFor<T>(c(), ns, name, pred, kWait);
    if (!r.ok()) {
      ADD_FAILURE() << "waiting for " << name << ": " << r.status().ToString();
      auto cur = c().Get<T>(ns, name);
      return cur.ok() ? *cur : T();
    }
    return *r;
  }

  // A Node object, as a kubelet would register it (name and hostname label only).
  api::Node MakeNode(const std::string& name) {
    api::Node node;
    node.mutable_metadata()->set_name(name);
    (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
    auto r = c().CreateTyped(node);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : node;
  }

  // A claim and a local PV bound to each other by hand (the PV controller's work).
  void MakeBoundClaim(const std::string& claim, const std::string& pv_name,
                      const std::string& path, const std::string& node) {
    api::PersistentVolumeClaim pvc;
    pvc.mutable_metadata()->set_name(claim);
    pvc.mutable_metadata()->set_namespace_("default");
    pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
    pvc.mutable_spec()->set_storage_class_name("local-storage");
    (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "368Gi";
    pvc.mutable_spec()->set_volume_name(pv_name);
    auto created = c().CreateTyped(pvc);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    pvc = *created;
    pvc.mutable_status()->set_phase("Bound");
    pvc.mutable_status()->add_access_modes("ReadWriteOnce");
    (*pvc.mutable_status()->mutable_capacity())["storage"] = "368Gi";
    auto st = c().UpdateStatusTyped(pvc);
    ASSERT_TRUE(st.ok()) << st.status().ToString();

    api::PersistentVolume pv;
    pv.mutable_metadata()->set_name(pv_name);
    (*pv.mutable_spec()->mutable_capacity())["storage"] = "368Gi";
    pv.mutable_spec()->add_access_modes("ReadWriteOnce");
    pv.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
    pv.mutable_spec()->set_storage_class_name("local-storage");
    pv.mutable_spec()->mutable_local()->set_path(path);
    auto* expr = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                     ->add_node_selector_terms()->add_match_expressions();
    expr->set_key("kubernetes.io/hostname");
    expr->set_operator_("In");
    expr->add_values(node);
    auto* ref = pv.mutable_spec()->mutable_claim_ref();
    ref->set_kind("PersistentVolumeClaim");
    ref->set_namespace_("default");
    ref->set_name(claim);
    ref->set_uid(created->metadata().uid());
    ref->set_api_version("v1");
    auto pvr = c().CreateTyped(pv);
    ASSERT_TRUE(pvr.ok()) << pvr.status().ToString();
    pv = *pvr;
    pv.mutable_status()->set_phase("Bound");
    auto pvs = c().UpdateStatusTyped(pv);
    ASSERT_TRUE(pvs.ok()) << pvs.status().ToString();
  }

  // A pod already scheduled to `node` whose container mounts `claim` (if any) at
  // /usr/test-pod, as the article's StatefulSet pods do.
  api::Pod MakePod(const std::string& name, const std::string& node, const std::string& claim) {
    api::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    auto* ctr = pod.mutable_spec()->add_containers();
    ctr->set_name("test-container");
    ctr->set_image("k8s.gcr.io/busybox");
    if (!claim.empty()) {
      auto* vol = pod.mutable_spec()->add_volumes();
      vol->set_name("local-vol");
      vol->mutable_persistent_volume_claim()->set_claim_name(claim);
      auto* m = ctr->add_volume_mounts();
      m->set_name("local-vol");
      m->set_mount_path("/usr/test-pod");
    }
    pod.mutable_spec()->set_node_name(node);
    auto r = c().CreateTyped(pod);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : pod;
  }

  static const api::PodCondition* PodCondition(const api::Pod& pod, const std::string& type) {
    for (const auto& c : pod.status().conditions()) {
      if (c.type() == type) return &c;
    }
    return nullptr;
  }
  static bool RunningAndReady(const api::Pod& pod) {
    const auto* ready = PodCondition(pod, "Ready");
    return pod.status().phase() == "Running" && ready && ready->status() == "True";
  }
  static const api::NodeCondition* NodeCondition(const api::Node& node, const std::string& type) {
    for (const auto& c : node.status().conditions()) {
      if (c.type() == type) return &c;
    }
    return nullptr;
  }
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  FakeClock clock_;
  std::unique_ptr<cluster::Cluster> cluster_;
  std::string dir_;
};

}  // namespace lpv::kubelet::testing
