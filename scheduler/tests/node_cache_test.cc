#include "scheduler/node_cache.h"

#include <gtest/gtest.h>

#include "scheduler/explain.h"
#include "scheduler/predicates.h"
#include "scheduler/tests/objects.h"

namespace lpv::scheduler {
namespace {

using namespace testing;  // NOLINT

api::Pod OnNode(api::Pod pod, const std::string& node, const std::string& cpu = "") {
  pod.mutable_spec()->set_node_name(node);
  if (!cpu.empty()) {
    (*pod.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())["cpu"] =
        cpu;
  }
  return pod;
}

TEST(NodeCacheTest, AssumedPodsCountUntilConfirmedOrForgotten) {
  NodeCache cache;
  cache.AddOrUpdateNode(Ref(MakeNode("n")));
  ASSERT_TRUE(cache.AssumePod(Ref(OnNode(MakePod("p", {}), "n", "500m"))).ok());
  EXPECT_TRUE(cache.IsAssumed("default/p"));
  EXPECT_EQ(cache.GetNodeInfo("n")->requested.milli_cpu, 500);
  EXPECT_TRUE(cache.AssumePod(Ref(OnNode(MakePod("p", {}), "n"))).IsAlreadyExists());

  // The informer shows the pod still pending (its status changed): the assumption stays.
  cache.AddOrUpdatePod(Ref(MakePod("p", {})));
  EXPECT_TRUE(cache.IsAssumed("default/p"));
  // The informer shows it bound: confirmed.
  cache.AddOrUpdatePod(Ref(OnNode(MakePod("p", {}), "n", "500m")));
  EXPECT_FALSE(cache.IsAssumed("default/p"));
  EXPECT_EQ(cache.NodeOf("default/p"), "n");
  EXPECT_EQ(cache.GetNodeInfo("n")->requested.milli_cpu, 500);
  // Forgetting a confirmed pod does nothing; deleting it frees the node.
  cache.ForgetPod("default/p");
  EXPECT_EQ(cache.GetNodeInfo("n")->pods.size(), 1u);
  cache.RemovePod(MakePod("p", {}));
  EXPECT_EQ(cache.GetNodeInfo("n")->requested.milli_cpu, 0);
}

TEST(NodeCacheTest, SnapshotsAreImmutable) {
  NodeCache cache;
  cache.AddOrUpdateNode(Ref(MakeNode("a")));
  cache.AddOrUpdateNode(Ref(MakeNode("b")));
  auto snap = cache.Snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0]->name(), "a");
  cache.AddOrUpdatePod(Ref(OnNode(MakePod("p", {}), "a", "1")));
  EXPECT_TRUE(snap[0]->pods.empty());  // the cycle's view did not change under it
  EXPECT_EQ(cache.Snapshot()[0]->pods.size(), 1u);
  cache.RemoveNode("b");
  EXPECT_EQ(cache.Snapshot().size(), 1u);
  EXPECT_EQ(cache.NumNodes(), 1u);
}

TEST(NodeCacheTest, UpdateSnapshotReplacesOnlyWhatChanged) {
  NodeCache cache;
  for (const char* n : {"a", "b", "c"}) cache.AddOrUpdateNode(Ref(MakeNode(n)));
  NodeSnapshot snap;
  cache.UpdateSnapshot(&snap);
  ASSERT_EQ(snap.nodes.size(), 3u);
  EXPECT_EQ(snap.nodes[1]->name(), "b");
  NodeInfoRef a = snap.Get("a"), c = snap.Get("c");

  // A pod lands on b: only b's entry is replaced; the old one is left as it was.
  NodeInfoRef old_b = snap.Get("b");
  cache.AddOrUpdatePod(Ref(OnNode(MakePod("p", {}), "b", "1")));
  cache.UpdateSnapshot(&snap);
  EXPECT_TRUE(old_b->pods.empty());
  EXPECT_EQ(snap.Get("b")->pods.size(), 1u);
  EXPECT_EQ(snap.nodes[1], snap.Get("b"));
  EXPECT_EQ(snap.Get("a"), a);
  EXPECT_EQ(snap.Get("c"), c);

  // Nodes coming and going rebuild the list, still by name.
  cache.RemoveNode("a");
  cache.AddOrUpdateNode(Ref(MakeNode("d")));
  cache.UpdateSnapshot(&snap);
  ASSERT_EQ(snap.nodes.size(), 3u);
  EXPECT_EQ(snap.nodes[0]->name(), "b");
  EXPECT_EQ(snap.nodes[2]->name(), "d");
  EXPECT_EQ(snap.Get("a"), nullptr);
  EXPECT_EQ(snap.Get("d"), snap.nodes[2]);

  // A node whose Node goes while pods remain leaves the snapshot, and comes back with it.
  cache.RemoveNode("b");
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.Get("b"), nullptr);
  EXPECT_EQ(snap.nodes.size(), 2u);
  cache.AddOrUpdateNode(Ref(MakeNode("b")));
  cache.UpdateSnapshot(&snap);
  ASSERT_NE(snap.Get("b"), nullptr);
  EXPECT_EQ(snap.Get("b")->pods.size(), 1u);
}

TEST(NodeCacheTest, FinishedPodsHoldNothing) {
  NodeCache cache;
  cache.AddOrUpdateNode(Ref(MakeNode("n")));
  auto done = OnNode(MakePod("p", {}), "n", "1");
  done.mutable_status()->set_phase("Succeeded");
  cache.AddOrUpdatePod(Ref(done));
  EXPECT_TRUE(cache.GetNodeInfo("n")->pods.empty());
}

// A node's hostname label is numbered in the HostSlots the cache shares (the PV cache's);
// a node without the label has no number.
TEST(NodeCacheTest, NumbersHostnamesInTheSharedSlots) {
  HostSlots slots;
  slots.Intern("elsewhere");
  NodeCache cache(&slots);
  api::Node labelled = MakeNode("n");
  (*labelled.mutable_metadata()->mutable_labels())[kHostnameLabel] = "host-n";
  cache.AddOrUpdateNode(Ref(labelled));
  api::Node bare = MakeNode("m");
  bare.mutable_metadata()->mutable_labels()->erase(kHostnameLabel);
  cache.AddOrUpdateNode(Ref(bare));
  EXPECT_EQ(cache.GetNodeInfo("n")->hostname, "host-n");
  EXPECT_EQ(cache.GetNodeInfo("n")->host_slot, 1u);
  EXPECT_EQ(slots.Find("host-n"), 1u);
  EXPECT_EQ(cache.GetNodeInfo("m")->host_slot, HostSlots::kNone);
}

// The snapshot's host slots sit beside its nodes, whether the list was rebuilt or one node
// replaced (here by a new hostname label).
TEST(NodeCacheTest, TheSnapshotsHostSlotsFollowItsNodes) {
  HostSlots slots;
  NodeCache cache(&slots);
  auto with_host = [](const std::string& name, const std::string& host) {
    api::Node n = MakeNode(name);
    (*n.mutable_metadata()->mutable_labels())[kHostnameLabel] = host;
    return n;
  };
  cache.AddOrUpdateNode(Ref(with_host("a", "host-a")));
  cache.AddOrUpdateNode(Ref(with_host("b", "host-b")));
  NodeSnapshot snap;
  cache.UpdateSnapshot(&snap);
  auto slots_of_nodes = [&] {
    std::vector<HostSlots::Slot> out;
    for (const auto& n : snap.nodes) out.push_back(n->host_slot);
    return out;
  };
  EXPECT_EQ(snap.host_slots, (std::vector<HostSlots::Slot>{slots.Find("host-a"),
                                                           slots.Find("host-b")}));
  cache.AddOrUpdateNode(Ref(with_host("b", "host-b2")));
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.host_slots[1], slots.Find("host-b2"));
  EXPECT_EQ(snap.host_slots, slots_of_nodes());
  cache.RemoveNode("a");
  cache.UpdateSnapshot(&snap);
  EXPECT_EQ(snap.host_slots, (std::vector<HostSlots::Slot>{slots.Find("host-b2")}));
}

// The filter reads spec.unschedulable, the taints' presence and the name from NodeInfo, so
// each node update must refresh them, both ways.
TEST(NodeCacheTest, NodeUpdatesRefreshWhatTheFilterReads) {
  NodeCache cache;
  api::Node node = MakeNode("n");
  cache.AddOrUpdateNode(Ref(node));
  auto pod = MakePod("p", {});
  EXPECT_TRUE(CheckNodeUnschedulable(pod, *cache.GetNodeInfo("n")).ok());
  EXPECT_TRUE(PodToleratesNodeTaints(pod, *cache.GetNodeInfo("n")).ok());

  node.mutable_spec()->set_unschedulable(true);
  auto* taint = node.mutable_spec()->add_taints();
  taint->set_key("example.com/dedicated");
  taint->set_effect("NoSchedule");
  cache.AddOrUpdateNode(Ref(node));
  EXPECT_FALSE(CheckNodeUnschedulable(pod, *cache.GetNodeInfo("n")).ok());
  EXPECT_FALSE(PodToleratesNodeTaints(pod, *cache.GetNodeInfo("n")).ok());

  node.mutable_spec()->clear_unschedulable();
  node.mutable_spec()->clear_taints();
  cache.AddOrUpdateNode(Ref(node));
  EXPECT_TRUE(CheckNodeUnschedulable(pod, *cache.GetNodeInfo("n")).ok());
  EXPECT_TRUE(PodToleratesNodeTaints(pod, *cache.GetNodeInfo("n")).ok());
  EXPECT_EQ(cache.GetNodeInfo("n")->name(), "n");
}

TEST(ExplainLogTest, KeepsTheLastAttemptsAndRendersThem) {
  ExplainLog log(2, 10, 100);
  for (int i = 1; i <= 3; ++i) {
    SchedulingAttempt a;
    a.cycle = i;
    a.attempt = i;
    a.queued_by = "new pod";
    a.nodes_total = 1;
    NodeVerdict v;
    v.node = "node-1";
    v.predicate = "CheckVolumeBinding";
    v.plugin = "VolumeBinding";
    v.reasons = {"node(s) didn't find available persistent volumes to bind"};
    v.volumes_checked = true;
    v.unbound_satisfied = false;
    v.volume_notes = {"claim data: no PersistentVolume of class \"local-storage\" on node-1"};
    a.nodes.push_back(v);
    a.outcome = "Warning FailedScheduling: 0/1 nodes are available: ...";
    log.Record("default/p", a);
  }
  log.AddStep("default/p", 3, "bindVolumesWorker: BindPodVolumes(default/p) ok");
  auto attempts = log.Attempts("default/p");
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].cycle, 2);
  std::string text = log.Render("default/p", "pending");
  EXPECT_NE(text.find("Attempt 3 (scheduling cycle 3)"), std::string::npos) << text;
  EXPECT_EQ(text.find("Attempt 1 "), std::string::npos) << text;
  EXPECT_NE(text.find("FAILS  CheckVolumeBinding (VolumeBinding): node(s) didn't find available "
                      "persistent volumes to bind"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("FindPodVolumes -> unboundSatisfied=false, boundSatisfied=true"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("bindVolumesWorker: BindPodVolumes(default/p) ok"), std::string::npos);
  EXPECT_FALSE(log.Has("default/other"));
}

}  // namespace
}  // namespace lpv::scheduler
