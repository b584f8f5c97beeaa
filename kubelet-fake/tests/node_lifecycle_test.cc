#include "kubelet-fake/node_lifecycle.h"

#include <condition_variable>
#include <mutex>

#include "client/informer_factory.h"

#include "kubelet-fake/kubelet.h"
#include "kubelet-fake/tests/test_util.h"

namespace lpv::kubelet {
namespace {

const api::Taint* FindTaint(const api::Node& node, const std::string& key,
                            const std::string& effect) {
  for (const auto& t : node.spec().taints()) {
    if (t.key() == key && t.effect() == effect) return &t;
  }
  return nullptr;
}

class NodeLifecycleTest : public testing::ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    KubeletOptions ko;
    ko.node_name = "node-1";
    ko.node_root = NodeRoot("node-1");
    ko.clock = &clock_;
    kubelet_ = std::make_unique<FakeKubelet>(&c(), ko);
    ASSERT_TRUE(kubelet_->Start().ok());
    NodeLifecycleOptions lo;
    lo.clock = &clock_;
    informers_ = std::make_unique<client::SharedInformerFactory>(&c(), &clock_);
    lo.informers = informers_.get();
    controller_ = std::make_unique<NodeLifecycleController>(&c(), lo);
    controller_->Start();
    // The controller has seen the node.
    WaitForEvents("default", "node-1", "RegisteredNode");
  }
  void TearDown() override {
    controller_.reset();
    if (informers_) informers_->Stop();  // NodeLeaseTest's controller makes its own
    informers_.reset();
    kubelet_.reset();
    ClusterTest::TearDown();
  }
  // Past the grace period, plus one monitor period so a check surely runs after it.
  void StepPastGracePeriod() { clock_.Step(std::chrono::seconds(45)); }

  // The controller reads pods from its informer: wait until it has the pod Running and
  // Ready, or a copy from before the kubelet's Ready write makes MarkPodsNotReady pass the
  // pod over (it skips pods already not Ready).
  void WaitForReadyInControllerCache(const std::string& key) {
    client::Informer* pods = informers_->InformerFor(*api::KindOf("Pod"));
    std::mutex mu;
    std::condition_variable cv;
    auto poke = [&](const client::ObjectRef&) {
      std::lock_guard<std::mutex> l(mu);
      cv.notify_all();
    };
    auto id = pods->AddEventHandler(
        {poke, [&](const client::ObjectRef&, const client::ObjectRef& o) { poke(o); }, poke});
    auto ready = [&] {
      client::ObjectRef o = pods->Get(key);
      return o && RunningAndReady(static_cast<const api::Pod&>(*o));
    };
    {
      std::unique_lock<std::mutex> l(mu);
      EXPECT_TRUE(cv.wait_for(l, testing::kWait, ready))
          << key << " not Ready in the controller's cache";
    }
    pods->RemoveEventHandler(id);
  }

  std::unique_ptr<client::SharedInformerFactory> informers_;
  std::unique_ptr<FakeKubelet> kubelet_;
  std::unique_ptr<NodeLifecycleController> controller_;
};

TEST_F(NodeLifecycleTest, RegisteredNodeEvent) {
  auto ev = WaitForEvents("default", "node-1", "RegisteredNode");
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev[0].message(), "Node node-1 event: Registered Node node-1 in Controller");
  EXPECT_EQ(ev[0].source().component(), "node-controller");
}

TEST_F(NodeLifecycleTest, HealthyNodeStaysReady) {
  // Heartbeats every 10 s keep it Ready through several grace periods. Step one heartbeat
  // at a time and let each land, as wall time would.
  for (int i = 0; i < 10; ++i) {
    clock_.Step(std::chrono::seconds(10));
    std::string beat = Now();
    WaitFor<api::Node>("", "node-1", [&](const api::Node& n) {
      return NodeCondition(n, "Ready")->last_heartbeat_time() == beat;
    });
  }
  auto node = c().Get<api::Node>("", "node-1");
  EXPECT_EQ(NodeCondition(*node, "Ready")->status(), "True");
  EXPECT_EQ(node->spec().taints_size(), 0);
}

TEST_F(NodeLifecycleTest, NodeLeaseIsTheKubeletsOwn) {
  auto lease = c().Get<api::Lease>(kNodeLeaseNamespace, "node-1");
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  auto node = c().Get<api::Node>("", "node-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(lease->spec().holder_identity(), "node-1");
  EXPECT_EQ(lease->spec().lease_duration_seconds(), 40);
  EXPECT_EQ(lease->spec().renew_time(), FormatRFC3339Micro(clock_.Now()));
  ASSERT_EQ(lease->metadata().owner_references_size(), 1);
  EXPECT_EQ(lease->metadata().owner_references(0).kind(), "Node");
  EXPECT_EQ(lease->metadata().owner_references(0).uid(), node->metadata().uid());
}

// Lease renewals alone keep a node Ready: its status may go unposted for far longer than
// the grace period (the kubelet posts status every 5 minutes when nothing changes).
class NodeLeaseTest : public NodeLifecycleTest {
 protected:
  void SetUp() override {
    testing::ClusterTest::SetUp();
    KubeletOptions ko;
    ko.node_name = "node-1";
    ko.node_root = NodeRoot("node-1");
    ko.clock = &clock_;
    ko.heartbeat_period = std::chrono::hours(1);
    ko.lease_renew_interval = std::chrono::seconds(10);
    kubelet_ = std::make_unique<FakeKubelet>(&c(), ko);
    ASSERT_TRUE(kubelet_->Start().ok());
    NodeLifecycleOptions lo;
    lo.clock = &clock_;
    controller_ = std::make_unique<NodeLifecycleController>(&c(), lo);
    controller_->Start();
    WaitForEvents("default", "node-1", "RegisteredNode");
  }
};

TEST_F(NodeLeaseTest, RenewedLeaseKeepsNodeReady) {
  std::string beat = NodeCondition(*c().Get<api::Node>("", "node-1"), "Ready")->last_heartbeat_time();
  for (int i = 0; i < 10; ++i) {  // 100 s: two and a half grace periods
    clock_.Step(std::chrono::seconds(10));
    std::string renewed = FormatRFC3339Micro(clock_.Now());
    WaitFor<api::Lease>(kNodeLeaseNamespace, "node-1", [&](const api::Lease& l) {
      return l.spec().renew_time() == renewed;
    });
  }
  auto node = c().Get<api::Node>("", "node-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(NodeCondition(*node, "Ready")->last_heartbeat_time(), beat);  // never reposted
  EXPECT_EQ(NodeCondition(*node, "Ready")->status(), "True");
  EXPECT_EQ(node->spec().taints_size(), 0);

  // Once the lease stops, the grace period runs from the last renewal the controller saw
  // (which it may see a moment after the clock moved on: step until it gives up on the node).
  kubelet_->Stop();
  auto unknown = [](const api::Node& n) { return NodeCondition(n, "Ready")->status() == "Unknown"; };
  int stepped = 0;
  for (; stepped < 90; stepped += 5) {
    auto n = c().Get<api::Node>("", "node-1");
    ASSERT_TRUE(n.ok());
    if (unknown(*n)) break;
    clock_.Step(std::chrono::seconds(5));
    if (stepped + 5 >= 45) {
      // Past the grace period: give the controller's worker its turn at the new time.
      auto r = client::WaitFor<api::Node>(c(), "", "node-1", unknown, std::chrono::milliseconds(200));
      if (r.ok()) break;
    }
  }
  EXPECT_GE(stepped + 5, 40) << "Unknown before the grace period ran out";
  auto gone = WaitFor<api::Node>("", "node-1", unknown);
  EXPECT_EQ(NodeCondition(gone, "Ready")->reason(), "NodeStatusUnknown");
}

TEST_F(NodeLifecycleTest, StoppedNodeGoesUnknownAndUnreachableThenRecovers) {
  MakePod("web", "node-1", "");
  WaitFor<api::Pod>("default", "web", RunningAndReady);
  WaitForReadyInControllerCache("default/web");
  std::string last_beat = Now();

  kubelet_->Stop();
  StepPastGracePeriod();
  auto node = WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return FindTaint(n, kTaintNodeUnreachable, "NoExecute") &&
           FindTaint(n, kTaintNodeUnreachable, "NoSchedule");
  });
  for (const char* type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    const auto* cond = NodeCondition(node, type);
    ASSERT_NE(cond, nullptr) << type;
    EXPECT_EQ(cond->status(), "Unknown") << type;
    EXPECT_EQ(cond->reason(), "NodeStatusUnknown") << type;
    EXPECT_EQ(cond->message(), "Kubelet stopped posting node status.") << type;
    // What was last heard is kept.
    EXPECT_EQ(cond->last_heartbeat_time(), last_beat) << type;
  }
  EXPECT_FALSE(FindTaint(node, kTaintNodeUnreachable, "NoExecute")->time_added().empty());
  EXPECT_FALSE(FindTaint(node, kTaintNodeUnreachable, "NoSchedule")->time_added().empty());
  EXPECT_EQ(FindTaint(node, kTaintNodeNotReady, "NoSchedule"), nullptr);

  auto not_ready = WaitForEvents("default", "node-1", "NodeNotReady");
  EXPECT_EQ(not_ready[0].message(), "Node node-1 status is now: NodeNotReady");
  // Its pods are no longer Ready (MarkPodsNotReady), though still Running.
  auto pod = WaitFor<api::Pod>("default", "web", [](const api::Pod& p) {
    return PodCondition(p, "Ready")->status() == "False";
  });
  EXPECT_EQ(pod.status().phase(), "Running");
  auto pod_ev = WaitForEvents("default", "web", "NodeNotReady");
  EXPECT_EQ(pod_ev[0].type(), "Warning");
  EXPECT_EQ(pod_ev[0].message(), "Node is not ready");

  // The node comes back: Ready again, taints gone, pods Ready again.
  ASSERT_TRUE(kubelet_->Start().ok());
  node = WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return NodeCondition(n, "Ready")->status() == "True" && n.spec().taints_size() == 0;
  });
  EXPECT_EQ(NodeCondition(node, "Ready")->reason(), "KubeletReady");
  EXPECT_EQ(NodeCondition(node, "Ready")->last_transition_time(), Now());
  WaitFor<api::Pod>("default", "web", RunningAndReady);
}

TEST_F(NodeLifecycleTest, NotReadyNodeIsTaintedNotReady) {
  kubelet_->Stop();
  auto node = c().Get<api::Node>("", "node-1");
  ASSERT_TRUE(node.ok());
  for (auto& cond : *node->mutable_status()->mutable_conditions()) {
    if (cond.type() != "Ready") continue;
    cond.set_status("False");
    cond.set_reason("KubeletNotReady");
    cond.set_message("container runtime is down");
    cond.set_last_transition_time(Now());
  }
  ASSERT_TRUE(c().UpdateStatus(*node).ok());
  auto tainted = WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return FindTaint(n, kTaintNodeNotReady, "NoSchedule") &&
           FindTaint(n, kTaintNodeNotReady, "NoExecute");
  });
  EXPECT_EQ(FindTaint(tainted, kTaintNodeUnreachable, "NoSchedule"), nullptr);
  EXPECT_EQ(FindTaint(tainted, kTaintNodeUnreachable, "NoExecute"), nullptr);

  // ... and when it then stops posting altogether, "not ready" becomes "unreachable".
  StepPastGracePeriod();
  tainted = WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return FindTaint(n, kTaintNodeUnreachable, "NoExecute") &&
           !FindTaint(n, kTaintNodeNotReady, "NoExecute");
  });
  EXPECT_TRUE(FindTaint(tainted, kTaintNodeUnreachable, "NoSchedule"));
  EXPECT_FALSE(FindTaint(tainted, kTaintNodeNotReady, "NoSchedule"));
}

TEST_F(NodeLifecycleTest, UserTaintsAreKept) {
  auto node = c().Get<api::Node>("", "node-1");
  ASSERT_TRUE(node.ok());
  auto* t = node->mutable_spec()->add_taints();
  t->set_key("dedicated");
  t->set_value("storage");
  t->set_effect("NoSchedule");
  ASSERT_TRUE(c().Update(*node).ok());
  kubelet_->Stop();
  StepPastGracePeriod();
  WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return FindTaint(n, kTaintNodeUnreachable, "NoExecute") != nullptr;
  });
  ASSERT_TRUE(kubelet_->Start().ok());
  auto back = WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return !FindTaint(n, kTaintNodeUnreachable, "NoExecute") &&
           !FindTaint(n, kTaintNodeUnreachable, "NoSchedule");
  });
  ASSERT_EQ(back.spec().taints_size(), 1);
  EXPECT_EQ(back.spec().taints(0).key(), "dedicated");
}

TEST_F(NodeLifecycleTest, NodeThatNeverPostedStatus) {
  MakeNode("node-silent");
  WaitForEvents("default", "node-silent", "RegisteredNode");  // the controller has it
  clock_.Step(std::chrono::seconds(65));  // the startup grace period, 60 s, and a check
  auto node = WaitFor<api::Node>("", "node-silent", [](const api::Node& n) {
    return FindTaint(n, kTaintNodeUnreachable, "NoSchedule") != nullptr;
  });
  const auto* ready = NodeCondition(node, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->status(), "Unknown");
  EXPECT_EQ(ready->reason(), "NodeStatusNeverUpdated");
  EXPECT_EQ(ready->message(), "Kubelet never posted node status.");
  EXPECT_EQ(ready->last_heartbeat_time(), node.metadata().creation_timestamp());
}

}  // namespace
}  // namespace lpv::kubelet
