// The predicates, each with Kubernetes' reason, and the FailedScheduling message composed
// as kube-scheduler v1.26 composes it.
#include "scheduler/predicates.h"

#include <gtest/gtest.h>

#include "scheduler/fit_error.h"
#include "scheduler/priorities.h"
#include "scheduler/tests/objects.h"

namespace lpv::scheduler {
namespace {

using namespace testing;  // NOLINT
using Code = PredicateStatus::Code;

NodeInfo Info(const api::Node& node) {
  NodeCache cache;
  cache.AddOrUpdateNode(Ref(node));
  return *cache.GetNodeInfo(node.metadata().name());
}

api::Taint Taint(const std::string& key, const std::string& value, const std::string& effect) {
  api::Taint t;
  t.set_key(key);
  t.set_value(value);
  t.set_effect(effect);
  return t;
}

TEST(PredicatesTest, NodeUnschedulable) {
  auto node = MakeNode("n");
  node.mutable_spec()->set_unschedulable(true);
  auto pod = MakePod("p", {});
  auto s = CheckNodeUnschedulable(pod, Info(node));
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.reasons, (std::vector<std::string>{"node(s) were unschedulable"}));
  auto* tol = pod.mutable_spec()->add_tolerations();
  tol->set_key("node.kubernetes.io/unschedulable");
  tol->set_operator_("Exists");
  tol->set_effect("NoSchedule");
  EXPECT_TRUE(CheckNodeUnschedulable(pod, Info(node)).ok());
}

TEST(PredicatesTest, NodeName) {
  auto pod = MakePod("p", {});
  pod.mutable_spec()->set_node_name("node-2");
  EXPECT_EQ(PodFitsHost(pod, Info(MakeNode("node-1"))).reasons,
            (std::vector<std::string>{"node(s) didn't match the requested node name"}));
  EXPECT_TRUE(PodFitsHost(pod, Info(MakeNode("node-2"))).ok());
}

TEST(PredicatesTest, TaintsNeedATolerationNamedInTheReason) {
  auto node = MakeNode("n");
  *node.mutable_spec()->add_taints() = Taint("soft", "", "PreferNoSchedule");  // ignored
  *node.mutable_spec()->add_taints() = Taint("node.kubernetes.io/unreachable", "", "NoSchedule");
  auto pod = MakePod("p", {});
  auto s = PodToleratesNodeTaints(pod, Info(node));
  EXPECT_EQ(s.code, Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(s.reasons, (std::vector<std::string>{
                           "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"}));
  auto* tol = pod.mutable_spec()->add_tolerations();
  tol->set_key("node.kubernetes.io/unreachable");
  tol->set_operator_("Exists");
  EXPECT_TRUE(PodToleratesNodeTaints(pod, Info(node)).ok());

  auto dedicated = MakeNode("d");
  *dedicated.mutable_spec()->add_taints() = Taint("dedicated", "gpu", "NoExecute");
  EXPECT_EQ(PodToleratesNodeTaints(MakePod("p", {}), Info(dedicated)).reasons,
            (std::vector<std::string>{"node(s) had untolerated taint {dedicated: gpu}"}));
}

TEST(PredicatesTest, ANodeNotReadyCountsAsTaintedUntilTheTaintArrives) {
  auto node = MakeNode("n");
  node.mutable_status()->mutable_conditions(0)->set_status("Unknown");
  EXPECT_EQ(PodToleratesNodeTaints(MakePod("p", {}), Info(node)).reasons,
            (std::vector<std::string>{
                "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"}));
  node.mutable_status()->mutable_conditions(0)->set_status("False");
  EXPECT_EQ(PodToleratesNodeTaints(MakePod("p", {}), Info(node)).reasons,
            (std::vector<std::string>{
                "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"}));
}

TEST(PredicatesTest, NodeSelectorAndRequiredNodeAffinity) {
  auto node = MakeNode("n");
  (*node.mutable_metadata()->mutable_labels())["disk"] = "ssd";
  auto pod = MakePod("p", {});
  (*pod.mutable_spec()->mutable_node_selector())["disk"] = "hdd";
  EXPECT_EQ(PodMatchNodeSelector(pod, Info(node)).reasons,
            (std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"}));
  (*pod.mutable_spec()->mutable_node_selector())["disk"] = "ssd";
  EXPECT_TRUE(PodMatchNodeSelector(pod, Info(node)).ok());
  auto* expr = pod.mutable_spec()->mutable_affinity()->mutable_node_affinity()
                   ->mutable_required_during_scheduling_ignored_during_execution()
                   ->add_node_selector_terms()->add_match_expressions();
  expr->set_key("kubernetes.io/hostname");
  expr->set_operator_("In");
  expr->add_values("other");
  EXPECT_FALSE(PodMatchNodeSelector(pod, Info(node)).ok());
  expr->add_values("n");
  EXPECT_TRUE(PodMatchNodeSelector(pod, Info(node)).ok());
}

TEST(PredicatesTest, ResourcesCountAssumedPods) {
  NodeCache cache;
  cache.AddOrUpdateNode(Ref(MakeNode("n", "1", "1Gi", "2")));
  auto big = MakePod("big", {});
  (*big.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())["cpu"] =
      "600m";
  (*big.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())["memory"] =
      "600Mi";
  auto request = ComputePodResources(big);
  EXPECT_TRUE(PodFitsResources(big, request, *cache.GetNodeInfo("n")).ok());
  // Another pod assumed on the node takes its share.
  auto first = big;
  first.mutable_metadata()->set_name("first");
  first.mutable_spec()->set_node_name("n");
  ASSERT_TRUE(cache.AssumePod(Ref(first)).ok());
  auto s = PodFitsResources(big, request, *cache.GetNodeInfo("n"));
  EXPECT_EQ(s.code, Code::Unschedulable);
  EXPECT_EQ(s.reasons, (std::vector<std::string>{"Insufficient cpu", "Insufficient memory"}));
  auto second = MakePod("second", {});
  second.mutable_spec()->set_node_name("n");
  ASSERT_TRUE(cache.AssumePod(Ref(second)).ok());
  EXPECT_EQ(PodFitsResources(MakePod("x", {}), {}, *cache.GetNodeInfo("n")).reasons,
            (std::vector<std::string>{"Too many pods"}));
  cache.ForgetPod("default/first");
  cache.ForgetPod("default/second");
  EXPECT_TRUE(PodFitsResources(big, request, *cache.GetNodeInfo("n")).ok());
}

// ---------------------------------------------------------------- the message

PredicateStatus Fail(Code code, std::vector<std::string> reasons) {
  return PredicateStatus::Fail(code, "x", std::move(reasons));
}

std::vector<NodeInfoRef> Nodes(int n) {
  // Through a node cache, which fills NodeInfo's copies of what the filter reads.
  NodeCache cache;
  std::vector<NodeInfoRef> out;
  for (int i = 1; i <= n; ++i) {
    cache.AddOrUpdateNode(Ref(MakeNode("node-" + std::to_string(i))));
    out.push_back(cache.GetNodeInfo("node-" + std::to_string(i)));
  }
  return out;
}

TEST(FitErrorTest, CountsReasonsSortedAsStringsAndAddsThePreemptionMessage) {
  FitError fit;
  fit.num_all_nodes = 3;
  auto& d = fit.diagnosis;
  d.node_to_status["node-1"] =
      Fail(Code::UnschedulableAndUnresolvable, {"node(s) had volume node affinity conflict"});
  d.node_to_status["node-2"] = Fail(Code::UnschedulableAndUnresolvable,
                                    {"node(s) didn't find available persistent volumes to bind"});
  d.node_to_status["node-3"] =
      Fail(Code::UnschedulableAndUnresolvable, {"node(s) had volume node affinity conflict"});
  d.postfilter_msg = PreemptionMessage(d, Nodes(3));
  EXPECT_EQ(fit.Error(),
            "0/3 nodes are available: 1 node(s) didn't find available persistent volumes to "
            "bind, 2 node(s) had volume node affinity conflict. preemption: 0/3 nodes are "
            "available: 3 Preemption is not helpful for scheduling..");
}

TEST(FitErrorTest, ResourcesLeaveRoomForPreemption) {
  FitError fit;
  fit.num_all_nodes = 2;
  fit.diagnosis.node_to_status["node-1"] =
      Fail(Code::Unschedulable, {"Insufficient cpu", "Insufficient memory"});
  fit.diagnosis.node_to_status["node-2"] =
      Fail(Code::UnschedulableAndUnresolvable, {"node(s) had untolerated taint {dedicated: gpu}"});
  fit.diagnosis.postfilter_msg = PreemptionMessage(fit.diagnosis, Nodes(2));
  EXPECT_EQ(fit.Error(),
            "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) had "
            "untolerated taint {dedicated: gpu}. preemption: 0/2 nodes are available: 1 No "
            "preemption victims found for incoming pod, 1 Preemption is not helpful for "
            "scheduling..");
}

TEST(FitErrorTest, APreFilterRejectionIsSaidOnce) {
  FitError fit;
  fit.num_all_nodes = 3;
  fit.diagnosis.prefilter_msg = "pod has unbound immediate PersistentVolumeClaims";
  for (const auto& n : Nodes(3)) {
    fit.diagnosis.node_to_status[n->name()] =
        Fail(Code::UnschedulableAndUnresolvable, {fit.diagnosis.prefilter_msg});
  }
  fit.diagnosis.postfilter_msg = PreemptionMessage(fit.diagnosis, Nodes(3));
  EXPECT_EQ(fit.Error(),
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
            "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..");
}

TEST(FitErrorTest, CountsSortAsStringsSoTenComesBeforeTwo) {
  FitError fit;
  fit.num_all_nodes = 12;
  for (int i = 0; i < 10; ++i) {
    fit.diagnosis.node_to_status["a" + std::to_string(i)] =
        Fail(Code::UnschedulableAndUnresolvable, {"node(s) were unschedulable"});
  }
  fit.diagnosis.node_to_status["b1"] = Fail(Code::Unschedulable, {"Too many pods"});
  fit.diagnosis.node_to_status["b2"] = Fail(Code::Unschedulable, {"Too many pods"});
  EXPECT_EQ(fit.Error(),
            "0/12 nodes are available: 10 node(s) were unschedulable, 2 Too many pods.");
}

// ---------------------------------------------------------------- priorities

TEST(PrioritiesTest, EmptierNodesScoreHigher) {
  NodeCache cache;
  cache.AddOrUpdateNode(Ref(MakeNode("busy", "2", "4Gi")));
  cache.AddOrUpdateNode(Ref(MakeNode("idle", "2", "4Gi")));
  auto running = MakePod("running", {});
  running.mutable_spec()->set_node_name("busy");
  cache.AddOrUpdatePod(Ref(running));
  auto pod = ComputePodResources(MakePod("p", {}));
  // 100m and 200Mi count for a pod that requests nothing.
  EXPECT_EQ(pod.nonzero_milli_cpu, 100);
  EXPECT_EQ(pod.nonzero_memory, 200 * 1024 * 1024);
  int64_t busy = LeastRequestedPriority(pod, *cache.GetNodeInfo("busy"));
  int64_t idle = LeastRequestedPriority(pod, *cache.GetNodeInfo("idle"));
  EXPECT_LT(busy, idle);
  EXPECT_EQ(idle, (95 + 95) / 2);  // (2000-100)*100/2000 = 95; (4096-200)*100/4096 = 95
  EXPECT_EQ(SelectHost({{"busy", busy}, {"idle", idle}}, 1, "uid"), "idle");
}

TEST(PrioritiesTest, TiesAreBrokenReproduciblyAndSpread) {
  std::vector<NodeScore> tied = {{"node-1", 50}, {"node-2", 50}, {"node-3", 50}};
  std::map<std::string, int> chosen;
  for (int i = 0; i < 300; ++i) {
    std::string uid = "pod-" + std::to_string(i);
    std::string host = SelectHost(tied, 7, uid);
    EXPECT_EQ(host, SelectHost(tied, 7, uid));  // same seed, same answer
    ++chosen[host];
  }
  EXPECT_EQ(chosen.size(), 3u);
  for (const auto& [node, n] : chosen) EXPECT_GT(n, 50) << node;
  // Another seed may choose differently for some pod.
  bool differs = false;
  for (int i = 0; i < 50 && !differs; ++i) {
    std::string uid = "pod-" + std::to_string(i);
    differs = SelectHost(tied, 7, uid) != SelectHost(tied, 8, uid);
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace lpv::scheduler
