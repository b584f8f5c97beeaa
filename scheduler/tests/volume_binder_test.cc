// Table-driven tests of FindPodVolumes, AssumePodVolumes and BindPodVolumes, in the spirit of
// Kubernetes' own volume binding tests (binder_test.go): each case lists the PVs and claims
// in the caches, the pod and the node, and what the binder must answer.
#include "scheduler/volume_binder.h"

// Designated initializers leave the members a case does not mention at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <gtest/gtest.h>

#include <set>

#include "pvcontroller/annotations.h"
#include "scheduler/node_cache.h"
#include "scheduler/tests/fake_client.h"
#include "scheduler/tests/objects.h"
#include "scheduler/volume_binding_checker.h"

namespace lpv::scheduler {
namespace {

using namespace testing;  // NOLINT

class BinderEnv {
 public:
  BinderEnv()
      : binder_(&client_, [this](const std::string& name) -> pvcontroller::ClassPtr {
          auto it = classes_.find(name);
          return it == classes_.end() ? nullptr : it->second;
        }) {
    AddClass(MakeClass(kLocalStorage, "WaitForFirstConsumer"));
    AddClass(MakeClass("immediate", "Immediate"));
    AddClass(MakeClass("dynamic", "WaitForFirstConsumer", "example.com/provisioner"));
  }
  void AddClass(const api::StorageClass& sc) {
    classes_[sc.metadata().name()] = Ref(sc);
  }
  void AddPV(const api::PersistentVolume& pv) {
    binder_.pv_cache().Add(Ref(pv));
    client_.Put(pv);
  }
  void AddPVC(const api::PersistentVolumeClaim& pvc) {
    binder_.pvc_cache().Add(Ref(pvc));
    client_.Put(pvc);
  }
  SchedulerVolumeBinder& binder() { return binder_; }
  FakeClient& client() { return client_; }

 private:
  FakeClient client_;
  std::map<std::string, pvcontroller::ClassPtr> classes_;
  SchedulerVolumeBinder binder_;
};

std::map<std::string, std::string> Picks(const FindPodVolumesResult& r) {
  std::map<std::string, std::string> out;
  for (const auto& b : r.static_bindings) out[b.pvc->metadata().name()] = b.pv->metadata().name();
  return out;
}

// ---------------------------------------------------------------- FindPodVolumes

struct FindCase {
  std::string name;
  std::vector<api::PersistentVolume> pvs;
  std::vector<api::PersistentVolumeClaim> pvcs;
  std::vector<std::string> pod_claims;
  std::string node = "node-1";
  // Expected.
  bool unbound_satisfied = true;
  bool bound_satisfied = true;
  std::vector<std::string> reasons;
  std::map<std::string, std::string> picks;  // claim -> PV
  std::vector<std::string> provisions;
};

api::PersistentVolume PreBound(api::PersistentVolume pv, const std::string& claim) {
  bool dirty = false;
  return pvcontroller::GetBindVolumeToClaim(pv, MakeClaim(claim), &dirty);
}

api::PersistentVolumeClaim SelectedNode(api::PersistentVolumeClaim c, const std::string& node) {
  (*c.mutable_metadata()->mutable_annotations())[pvcontroller::kAnnSelectedNode] = node;
  return c;
}

api::PersistentVolume WithPhase(api::PersistentVolume pv, const std::string& phase) {
  pv.mutable_status()->set_phase(phase);
  return pv;
}

const std::vector<FindCase>& FindCases() {
  static const std::vector<FindCase> cases = {
      {.name = "pod without claims: both satisfied"},
      {.name = "bound claim, its PV on this node: bound satisfied",
       .pvs = {BoundPV(MakeLocalPV("pv-1", "node-1"), MakeClaim("data"))},
       .pvcs = {BoundClaim(MakeClaim("data"), "pv-1")},
       .pod_claims = {"data"}},
      {.name = "bound claim, its PV on another node: volume node affinity conflict",
       .pvs = {BoundPV(MakeLocalPV("pv-2", "node-2"), MakeClaim("data"))},
       .pvcs = {BoundClaim(MakeClaim("data"), "pv-2")},
       .pod_claims = {"data"},
       .bound_satisfied = false,
       .reasons = {kErrReasonNodeConflict}},
      {.name = "bound claim, its PV does not exist: unavailable",
       .pvcs = {BoundClaim(MakeClaim("data"), "pv-gone")},
       .pod_claims = {"data"},
       .reasons = {kErrReasonPVNotExist}},
      {.name = "delayed claim, a PV on this node: it is picked",
       .pvs = {MakeLocalPV("pv-1", "node-1"), MakeLocalPV("pv-2", "node-2")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .picks = {{"data", "pv-1"}}},
      {.name = "delayed claim, PVs only on other nodes: didn't find",
       .pvs = {MakeLocalPV("pv-2", "node-2"), MakeLocalPV("pv-3", "node-3")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "delayed claim, no PV at all: didn't find",
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "two claims, two PVs on the node: a distinct PV for each",
       .pvs = {MakeLocalPV("pv-a", "node-1"), MakeLocalPV("pv-b", "node-1")},
       .pvcs = {MakeClaim("data"), MakeClaim("logs")},
       .pod_claims = {"data", "logs"},
       .picks = {{"data", "pv-a"}, {"logs", "pv-b"}}},
      {.name = "two claims, one PV on the node: didn't find (the PV found is still named)",
       .pvs = {MakeLocalPV("pv-a", "node-1"), MakeLocalPV("pv-b", "node-2")},
       .pvcs = {MakeClaim("data"), MakeClaim("logs")},
       .pod_claims = {"data", "logs"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict},
       .picks = {{"data", "pv-a"}}},
      {.name = "the smallest PV that fits wins",
       .pvs = {MakeLocalPV("pv-big", "node-1", "200Gi"), MakeLocalPV("pv-small", "node-1", "50Gi"),
               MakeLocalPV("pv-tiny", "node-1", "5Gi")},
       .pvcs = {MakeClaim("data", kLocalStorage, "40Gi")},
       .pod_claims = {"data"},
       .picks = {{"data", "pv-small"}}},
      {.name = "the smallest claim chooses first",
       .pvs = {MakeLocalPV("pv-10", "node-1", "10Gi"), MakeLocalPV("pv-100", "node-1", "100Gi")},
       .pvcs = {MakeClaim("big", kLocalStorage, "100Gi"), MakeClaim("small", kLocalStorage, "5Gi")},
       .pod_claims = {"big", "small"},
       .picks = {{"big", "pv-100"}, {"small", "pv-10"}}},
      {.name = "a PV assumed by an earlier pod is taken",
       .pvs = {PreBound(MakeLocalPV("pv-1", "node-1"), "someone-else")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "a PV pre-bound to this claim on this node is picked over a smaller one",
       .pvs = {MakeLocalPV("pv-small", "node-1", "20Gi"),
               PreBound(MakeLocalPV("pv-mine", "node-1", "300Gi"), "data")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .picks = {{"data", "pv-mine"}}},
      {.name = "a PV pre-bound to this claim on another node pins the claim there",
       .pvs = {MakeLocalPV("pv-here", "node-1"), PreBound(MakeLocalPV("pv-mine", "node-2"), "data")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "a PV pre-bound to this claim but too small for it: a free PV is picked",
       .pvs = {PreBound(MakeLocalPV("pv-mine", "node-1", "1Gi"), "data"),
               MakeLocalPV("pv-free", "node-1")},
       .pvcs = {MakeClaim("data", kLocalStorage, "2Gi")},
       .pod_claims = {"data"},
       .picks = {{"data", "pv-free"}}},
      {.name = "bound claim elsewhere and delayed claim without PV: both reasons, in order",
       .pvs = {BoundPV(MakeLocalPV("pv-2", "node-2"), MakeClaim("data"))},
       .pvcs = {BoundClaim(MakeClaim("data"), "pv-2"), MakeClaim("logs")},
       .pod_claims = {"data", "logs"},
       .unbound_satisfied = false,
       .bound_satisfied = false,
       .reasons = {kErrReasonNodeConflict, kErrReasonBindConflict}},
      {.name = "a claim selected for another node: didn't find",
       .pvs = {MakeLocalPV("pv-1", "node-1")},
       .pvcs = {SelectedNode(MakeClaim("data", "dynamic"), "node-2")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "a claim selected for this node is provisioned here, the other takes a PV",
       .pvs = {MakeLocalPV("pv-1", "node-1")},
       .pvcs = {SelectedNode(MakeClaim("made", "dynamic"), "node-1"), MakeClaim("data")},
       .pod_claims = {"made", "data"},
       .picks = {{"data", "pv-1"}},
       .provisions = {"made"}},
      {.name = "no PV but a class that provisions: the claim is provisioned here",
       .pvcs = {MakeClaim("data", "dynamic")},
       .pod_claims = {"data"},
       .provisions = {"data"}},
      {.name = "kubernetes.io/no-provisioner cannot provision: didn't find",
       .pvs = {MakeLocalPV("pv-fast", "node-1", "100Gi", "fast")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "a PV not yet Available is skipped",
       .pvs = {WithPhase(MakeLocalPV("pv-1", "node-1"), "Pending")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "a PV too small is skipped",
       .pvs = {MakeLocalPV("pv-1", "node-1", "1Gi")},
       .pvcs = {MakeClaim("data", kLocalStorage, "2Gi")},
       .pod_claims = {"data"},
       .unbound_satisfied = false,
       .reasons = {kErrReasonBindConflict}},
      {.name = "a PV without node affinity serves any node",
       .pvs = {MakeLocalPV("pv-net", "")},
       .pvcs = {MakeClaim("data")},
       .pod_claims = {"data"},
       .node = "node-7",
       .picks = {{"data", "pv-net"}}},
  };
  return cases;
}

TEST(FindPodVolumesTest, Table) {
  for (const auto& tc : FindCases()) {
    SCOPED_TRACE(tc.name);
    BinderEnv env;
    for (const auto& pv : tc.pvs) env.AddPV(pv);
    for (const auto& pvc : tc.pvcs) env.AddPVC(pvc);
    auto pod = MakePod("pod", tc.pod_claims);
    auto r = env.binder().FindPodVolumes(pod, MakeNode(tc.node));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->unbound_satisfied, tc.unbound_satisfied);
    EXPECT_EQ(r->bound_satisfied, tc.bound_satisfied);
    EXPECT_EQ(r->reasons, tc.reasons);
    EXPECT_EQ(Picks(*r), tc.picks);
    std::vector<std::string> provisions;
    for (const auto& c : r->dynamic_provisions) provisions.push_back(c->metadata().name());
    EXPECT_EQ(provisions, tc.provisions);
    // What FindPodVolumes proposed for a fitting node is in the bindings cache.
    PodBindingCache::Entry entry;
    EXPECT_EQ(env.binder().GetBindingsCache().GetBindings("default/pod", tc.node, &entry),
              tc.reasons.empty());
  }
}

// The PodBindingCache tests: entries of one claim, each bound to a PV named `pv`.
class PodBindingCacheTest : public ::testing::Test {
 protected:
  PodBindingCache::Entry entry_with(const std::string& pv) const {
    return PodBindingCache::Entry{
        {BindingInfo{claim_, std::make_shared<const api::PersistentVolume>(MakeLocalPV(pv, "n"))}},
        {}};
  }
  // The PV recorded for the pod on the node, or "<none>".
  std::string pv_of(const std::string& pod, const std::string& node) const {
    PodBindingCache::Entry entry;
    if (!cache_.GetBindings(pod, node, &entry)) return "<none>";
    return entry.bindings.at(0).pv->metadata().name();
  }

  PodBindingCache cache_;

 private:
  ClaimPtr claim_ = std::make_shared<const api::PersistentVolumeClaim>(MakeClaim("data"));
};

TEST_F(PodBindingCacheTest, TheLatestEntryForANodeWinsUntilThePodIsDropped) {
  cache_.UpdateBindings("default/pod", "node-1", entry_with("pv-1"));
  cache_.UpdateBindings("default/pod", "node-2", entry_with("pv-2"));
  cache_.UpdateBindings("default/other", "node-1", entry_with("pv-9"));
  // AssumePodVolumes records the chosen node again, after FindPodVolumes did.
  cache_.UpdateBindings("default/pod", "node-1", entry_with("pv-3"));
  EXPECT_EQ(pv_of("default/pod", "node-1"), "pv-3");
  EXPECT_EQ(pv_of("default/pod", "node-2"), "pv-2");
  EXPECT_EQ(pv_of("default/pod", "node-3"), "<none>");
  EXPECT_EQ(pv_of("default/other", "node-1"), "pv-9");
  EXPECT_EQ(cache_.NumPods(), 2u);
  cache_.DeleteBindings("default/pod");
  EXPECT_EQ(pv_of("default/pod", "node-1"), "<none>");
  EXPECT_EQ(pv_of("default/pod", "node-2"), "<none>");
  EXPECT_EQ(pv_of("default/other", "node-1"), "pv-9");
  EXPECT_EQ(cache_.NumPods(), 1u);
  cache_.DeleteBindings("default/unknown");  // nothing recorded: nothing happens
  EXPECT_EQ(cache_.NumPods(), 1u);
}

// A scheduling cycle hands over its chosen node's latest entry only, after what was
// recorded before it; a node the cycle has nothing for (a pod without claims) adds nothing.
TEST_F(PodBindingCacheTest, ACycleHandsOverItsChosenNodesLatestEntry) {
  NodeBindingsList none;
  cache_.TakeBindings("default/pod", "node-1", &none);
  EXPECT_EQ(cache_.NumPods(), 0u);
  cache_.UpdateBindings("default/pod", "node-1", entry_with("pv-1"));
  NodeBindingsList cycle;
  cycle.emplace_back("node-1", entry_with("pv-2"));
  cycle.emplace_back("node-2", entry_with("pv-3"));
  cycle.emplace_back("node-1", entry_with("pv-4"));  // the node again, later in the cycle
  cache_.TakeBindings("default/pod", "node-1", &cycle);
  EXPECT_EQ(pv_of("default/pod", "node-1"), "pv-4");
  EXPECT_EQ(pv_of("default/pod", "node-2"), "<none>");
  cache_.TakeBindings("default/other", "node-3", &cycle);
  EXPECT_EQ(cache_.NumPods(), 1u);
}

// With record_to set (a scheduling cycle's filters), FindPodVolumes hands a fitting node's
// bindings to the list, not to the cache; a node that does not fit adds nothing.
TEST(FindPodVolumesTest, ARecordingCycleGetsTheBindingsInsteadOfTheCache) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1"));
  env.AddPVC(MakeClaim("data"));
  auto pod = MakePod("pod", {"data"});
  auto claims = env.binder().GetPodVolumes(pod);
  ASSERT_TRUE(claims.ok()) << claims.status().ToString();
  NodeBindingsList recorded;
  claims->record_to = &recorded;
  auto fits = env.binder().FindPodVolumes(pod, *claims, MakeNode("node-1"));
  ASSERT_TRUE(fits.ok());
  EXPECT_TRUE(fits->reasons.empty());
  EXPECT_TRUE(fits->static_bindings.empty()) << "moved to the list, not copied";
  auto conflict = env.binder().FindPodVolumes(pod, *claims, MakeNode("node-2"));
  ASSERT_TRUE(conflict.ok());
  EXPECT_FALSE(conflict->reasons.empty());
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].first, "node-1");
  ASSERT_EQ(recorded[0].second.bindings.size(), 1u);
  EXPECT_EQ(recorded[0].second.bindings[0].pv->metadata().name(), "pv-1");
  PodBindingCache::Entry entry;
  EXPECT_FALSE(env.binder().GetBindingsCache().GetBindings("default/pod", "node-1", &entry));
}

// The checker still answers with a recording node's picks (explain shows them), while
// the cycle's list holds the node once per check.
TEST(FindPodVolumesTest, TheCheckersAnswerHasTheRecordedPicks) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1"));
  env.AddPVC(MakeClaim("data"));
  auto pod = MakePod("pod", {"data"});
  VolumeBindingChecker checker(&env.binder());
  auto pre = checker.PreFilter(pod);
  ASSERT_TRUE(pre.status.ok());
  NodeBindingsList recorded;
  pre.claims.record_to = &recorded;
  NodeCache nodes(&env.binder().pv_cache().host_slots());
  nodes.AddOrUpdateNode(Ref(MakeNode("node-1")));
  NodeInfoRef node = nodes.GetNodeInfo("node-1");
  ASSERT_TRUE(node);
  FindPodVolumesResult answer;
  EXPECT_TRUE(checker.predicate(pod, pre, *node, &answer).ok());
  ASSERT_EQ(answer.static_bindings.size(), 1u);
  EXPECT_EQ(answer.static_bindings[0].pv->metadata().name(), "pv-1");
  EXPECT_TRUE(checker.predicate(pod, pre, *node, nullptr).ok());
  ASSERT_EQ(recorded.size(), 2u);
  for (const auto& [name, entry] : recorded) {
    EXPECT_EQ(name, "node-1");
    ASSERT_EQ(entry.bindings.size(), 1u);
    EXPECT_EQ(entry.bindings[0].pv->metadata().name(), "pv-1");
  }
}

TEST(FindPodVolumesTest, UnboundImmediateClaimsMakeThePodWait) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1", "100Gi", "immediate"));
  env.AddPVC(MakeClaim("data", "immediate"));
  auto pod = MakePod("pod", {"data"});
  auto r = env.binder().FindPodVolumes(pod, MakeNode("node-1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "pod has unbound immediate PersistentVolumeClaims");

  VolumeBindingChecker checker(&env.binder());
  auto pre = checker.PreFilter(pod);
  EXPECT_EQ(pre.status.code, PredicateStatus::Code::UnschedulableAndUnresolvable);
  EXPECT_EQ(pre.status.reasons,
            (std::vector<std::string>{"pod has unbound immediate PersistentVolumeClaims"}));
}

TEST(FindPodVolumesTest, AMissingClaimIsNamed) {
  BinderEnv env;
  auto pod = MakePod("pod", {"nope"});
  auto claims = env.binder().GetPodVolumes(pod);
  ASSERT_FALSE(claims.ok());
  EXPECT_EQ(claims.status().message(), "persistentvolumeclaim \"nope\" not found");
}

TEST(FindPodVolumesTest, LooksOnlyAtTheNodesOwnPVs) {
  // 1,000 nodes x 4 disks: every node's answer comes from its own four PVs.
  BinderEnv env;
  for (int n = 0; n < 1000; ++n) {
    for (int d = 0; d < 4; ++d) {
      env.AddPV(MakeLocalPV("pv-" + std::to_string(n) + "-" + std::to_string(d),
                            "node-" + std::to_string(n)));
    }
  }
  env.AddPVC(MakeClaim("data"));
  auto pod = MakePod("pod", {"data"});
  auto claims = env.binder().GetPodVolumes(pod);
  ASSERT_TRUE(claims.ok());
  for (int n = 0; n < 1000; ++n) {
    auto r = env.binder().FindPodVolumes(pod, *claims, MakeNode("node-" + std::to_string(n)));
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(Picks(*r), (std::map<std::string, std::string>{
                             {"data", "pv-" + std::to_string(n) + "-0"}}));
  }
  EXPECT_EQ(env.binder().pv_cache().ListCandidatePVs(kLocalStorage, "node-17").size(), 4u);
}

// ---------------------------------------------------------------- GetEligibleNodes

TEST(GetEligibleNodesTest, BoundLocalPVsNarrowTheNodes) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1"));
  env.AddPV(MakeLocalPV("pv-2", "node-2"));
  env.AddPV(MakeLocalPV("pv-anywhere", ""));
  auto data = Ref(BoundClaim(MakeClaim("data"), "pv-1"));
  auto logs = Ref(BoundClaim(MakeClaim("logs"), "pv-2"));
  auto shared = Ref(BoundClaim(MakeClaim("shared"), "pv-anywhere"));
  auto lost = Ref(BoundClaim(MakeClaim("lost"), "pv-gone"));
  const auto& b = env.binder();
  EXPECT_FALSE(b.GetEligibleNodes({}).has_value());
  EXPECT_EQ(b.GetEligibleNodes({data}), (std::set<std::string>{"node-1"}));
  // A PV without hostname affinity does not narrow anything...
  EXPECT_FALSE(b.GetEligibleNodes({shared}).has_value());
  EXPECT_EQ(b.GetEligibleNodes({data, shared}), (std::set<std::string>{"node-1"}));
  // ...PVs on two nodes leave none...
  EXPECT_EQ(b.GetEligibleNodes({data, logs}), std::set<std::string>{});
  // ...and a PV the cache does not have makes the answer "every node", as upstream's error.
  EXPECT_FALSE(b.GetEligibleNodes({data, lost}).has_value());
}

TEST(GetEligibleNodesTest, PreFilterNarrowsTheNodes) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1"));
  env.AddPV(MakeLocalPV("pv-2", "node-2"));
  env.AddPVC(BoundClaim(MakeClaim("data"), "pv-1"));
  env.AddPVC(BoundClaim(MakeClaim("logs"), "pv-2"));
  VolumeBindingChecker checker(&env.binder());
  auto one = checker.PreFilter(MakePod("one", {"data"}));
  EXPECT_TRUE(one.status.ok());
  EXPECT_EQ(one.node_names, (std::set<std::string>{"node-1"}));
  // Bound to PVs on two nodes: no node is left, which the scheduler answers by filtering
  // every node (each then has a volume node affinity conflict).
  auto both = checker.PreFilter(MakePod("both", {"data", "logs"}));
  EXPECT_TRUE(both.status.ok());
  EXPECT_EQ(both.node_names, std::set<std::string>{});
}

TEST(GetEligibleNodesTest, PreBoundPVsNarrowTheNodesUnlessTheClassProvisions) {
  BinderEnv env;
  auto data = MakeClaim("data");
  auto logs = MakeClaim("logs");
  auto made = MakeClaim("made", "dynamic");
  // BindPodVolumes wrote the claimRefs; the PV controller has not bound the claims yet.
  env.AddPV(BoundPV(MakeLocalPV("pv-1", "node-1"), data));
  env.AddPV(BoundPV(MakeLocalPV("pv-2", "node-2"), logs));
  env.AddPV(BoundPV(MakeLocalPV("pv-3", "node-3", "100Gi", "dynamic"), made));
  env.AddPV(MakeLocalPV("pv-free", "node-4"));
  env.AddPVC(data);
  env.AddPVC(logs);
  env.AddPVC(made);
  env.AddPVC(MakeClaim("free"));
  VolumeBindingChecker checker(&env.binder());
  EXPECT_EQ(checker.PreFilter(MakePod("one", {"data"})).node_names,
            (std::set<std::string>{"node-1"}));
  EXPECT_EQ(checker.PreFilter(MakePod("two", {"data", "logs"})).node_names,
            std::set<std::string>{});
  // A claim without a pre-bound PV may take a free PV: node-4 has the only one.
  auto free = checker.PreFilter(MakePod("free", {"free"}));
  EXPECT_FALSE(free.node_names.has_value());
  EXPECT_EQ(free.free_volume_classes, std::vector<std::string>{"local-storage"});
  EXPECT_TRUE(checker.NodeHasFreeVolumes(free, "node-4"));
  EXPECT_FALSE(checker.NodeHasFreeVolumes(free, "node-1"));
  auto mixed = checker.PreFilter(MakePod("mixed", {"data", "free"}));
  EXPECT_EQ(mixed.node_names, (std::set<std::string>{"node-1"}));
  EXPECT_FALSE(checker.NodeHasFreeVolumes(mixed, "node-1"));
  // A class with a provisioner could still make a PV on another node.
  auto provisions = checker.PreFilter(MakePod("made", {"made"}));
  EXPECT_FALSE(provisions.node_names.has_value());
  EXPECT_TRUE(provisions.free_volume_classes.empty());
  EXPECT_TRUE(checker.NodeHasFreeVolumes(provisions, "node-9"));
}

TEST(GetEligibleNodesTest, FreePVsNarrowTheNodesOfAnUnboundClaimUntilTaken) {
  BinderEnv env;
  auto data = MakeClaim("data");
  env.AddPV(MakeLocalPV("pv-a", "node-1"));
  env.AddPV(MakeLocalPV("pv-b", "node-2"));
  env.AddPV(MakeLocalPV("pv-c", "node-2"));
  env.AddPV(MakeLocalPV("pv-other", "node-3", "100Gi", "other-class"));
  env.AddPV(BoundPV(MakeLocalPV("pv-taken", "node-4"), MakeClaim("someone-else")));
  env.AddPVC(data);
  VolumeBindingChecker checker(&env.binder());
  // The nodes with a free PV of the claim's class.
  auto nodes_with_free = [&] {
    auto pre = checker.PreFilter(MakePod("p", {"data"}));
    EXPECT_FALSE(pre.node_names.has_value());
    std::set<std::string> out;
    for (const char* n : {"node-1", "node-2", "node-3", "node-4", "node-5"}) {
      if (checker.NodeHasFreeVolumes(pre, n)) out.insert(n);
    }
    return out;
  };
  EXPECT_EQ(nodes_with_free(), (std::set<std::string>{"node-1", "node-2"}));
  // Listed when there are few: 3 (class, host) pairs have a free PV (node-1, node-2, and
  // node-3 of the other class).
  const auto& b = env.binder();
  EXPECT_EQ(b.FewHostsWithFreeVolumes({"local-storage"}, 4),
            (std::vector<std::string>{"node-1", "node-2"}));
  EXPECT_FALSE(b.FewHostsWithFreeVolumes({"local-storage"}, 3).has_value());
  EXPECT_EQ(b.FewHostsWithFreeVolumes({"local-storage", "other-class"}, 4),
            std::vector<std::string>{});
  EXPECT_FALSE(b.FewHostsWithFreeVolumes({}, 4).has_value());
  // An assumed PV is taken at once, long before its claimRef comes back through the watch.
  auto taken = std::make_shared<api::PersistentVolume>(
      BoundPV(MakeLocalPV("pv-a", "node-1"), MakeClaim("another")));
  ASSERT_TRUE(env.binder().pv_cache().Assume(taken).ok());
  EXPECT_EQ(nodes_with_free(), (std::set<std::string>{"node-2"}));
  EXPECT_EQ(b.FewHostsWithFreeVolumes({"local-storage"}, 4), std::vector<std::string>{"node-2"});
  env.binder().pv_cache().Restore("pv-a");
  EXPECT_EQ(nodes_with_free(), (std::set<std::string>{"node-1", "node-2"}));
  // A node without a hostname label has none of them.
  EXPECT_FALSE(checker.NodeHasFreeVolumes(checker.PreFilter(MakePod("p", {"data"})), ""));
  // A free PV of the class that is not pinned to hostnames could serve any node.
  api::PersistentVolume anywhere = MakeLocalPV("pv-zone", "node-9");
  auto* expr = anywhere.mutable_spec()->mutable_node_affinity()->mutable_required()
                   ->mutable_node_selector_terms(0)->mutable_match_expressions(0);
  expr->set_key("topology.kubernetes.io/zone");
  env.AddPV(anywhere);
  auto pre = checker.PreFilter(MakePod("p", {"data"}));
  EXPECT_FALSE(pre.node_names.has_value());
  EXPECT_TRUE(pre.free_volume_classes.empty());
}

TEST(GetEligibleNodesTest, TermsAreUnitedAndExpressionsIntersected) {
  api::PersistentVolume pv = MakeLocalPV("pv", "node-1");
  auto* required = pv.mutable_spec()->mutable_node_affinity()->mutable_required();
  auto* first = required->mutable_node_selector_terms(0)->add_match_expressions();
  first->set_key("kubernetes.io/hostname");
  first->set_operator_("In");
  first->add_values("node-1");
  first->add_values("node-9");
  auto* second = required->add_node_selector_terms()->add_match_expressions();
  second->set_key("kubernetes.io/hostname");
  second->set_operator_("In");
  second->add_values("node-3");
  auto* zone = required->add_node_selector_terms()->add_match_expressions();
  zone->set_key("topology.kubernetes.io/zone");
  zone->set_operator_("In");
  zone->add_values("a");
  EXPECT_EQ(SchedulerVolumeBinder::GetLocalPersistentVolumeNodeNames(pv),
            (std::set<std::string>{"node-1", "node-3"}));
}

// ---------------------------------------------------------------- AssumePodVolumes

TEST(AssumePodVolumesTest, AllBoundClaimsNeedNothing) {
  BinderEnv env;
  env.AddPV(BoundPV(MakeLocalPV("pv-1", "node-1"), MakeClaim("data")));
  env.AddPVC(BoundClaim(MakeClaim("data"), "pv-1"));
  auto pod = MakePod("pod", {"data"});
  ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-1")).ok());
  auto r = env.binder().AssumePodVolumes(&pod, "node-1");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->all_bound);
  EXPECT_FALSE(r->binding_required);
}

TEST(AssumePodVolumesTest, AssumedPVsAreTakenForTheNextPod) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1"));
  env.AddPVC(MakeClaim("data-0"));
  env.AddPVC(MakeClaim("data-1"));
  auto pod0 = MakePod("pod-0", {"data-0"});
  auto pod1 = MakePod("pod-1", {"data-1"});
  auto node = MakeNode("node-1");

  // Both pods see the one free PV...
  ASSERT_TRUE(env.binder().FindPodVolumes(pod0, node)->reasons.empty());
  ASSERT_TRUE(env.binder().FindPodVolumes(pod1, node)->reasons.empty());
  // ...until the first is assumed on the node.
  auto r = env.binder().AssumePodVolumes(&pod0, "node-1");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->all_bound);
  EXPECT_TRUE(r->binding_required);
  EXPECT_EQ(pod0.spec().node_name(), "node-1");
  auto assumed = env.binder().pv_cache().GetPV("pv-1");
  EXPECT_EQ(assumed->spec().claim_ref().name(), "data-0");
  EXPECT_EQ(assumed->metadata().annotations().at(pvcontroller::kAnnBoundByController), "yes");
  EXPECT_FALSE(env.binder().pv_cache().GetAPIPV("pv-1")->spec().has_claim_ref());

  auto again = env.binder().FindPodVolumes(pod1, node);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->reasons, (std::vector<std::string>{kErrReasonBindConflict}));
}

TEST(AssumePodVolumesTest, AlreadyWrittenBindsOnlyWaitForThePVController) {
  BinderEnv env;
  env.AddPV(PreBound(MakeLocalPV("pv-1", "node-1"), "data"));  // BindPodVolumes wrote it
  env.AddPVC(MakeClaim("data"));                               // not completed yet
  auto pod = MakePod("pod", {"data"});
  auto found = env.binder().FindPodVolumes(pod, MakeNode("node-1"));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(Picks(*found), (std::map<std::string, std::string>{{"data", "pv-1"}}));
  auto r = env.binder().AssumePodVolumes(&pod, "node-1");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->all_bound);
  EXPECT_FALSE(r->binding_required);
}

TEST(AssumePodVolumesTest, APVChangedSinceFindPodVolumesIsOutOfSync) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-a", "node-1", "100Gi", kLocalStorage, "3"));
  env.AddPV(MakeLocalPV("pv-b", "node-1", "100Gi", kLocalStorage, "3"));
  env.AddPVC(MakeClaim("data"));
  env.AddPVC(MakeClaim("logs"));
  auto pod = MakePod("pod", {"data", "logs"});
  ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-1"))->reasons.empty());
  // pv-b was assumed by someone else with a newer version meanwhile.
  auto newer = PreBound(MakeLocalPV("pv-b", "node-1", "100Gi", kLocalStorage, "4"), "other");
  ASSERT_TRUE(env.binder().pv_cache().Assume(Ref(newer)).ok());
  auto r = env.binder().AssumePodVolumes(&pod, "node-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "v1.PersistentVolume \"pv-b\" is out of sync (stored: 4, assume: 3)");
  // Nothing of this pod stays assumed.
  EXPECT_FALSE(env.binder().pv_cache().IsAssumed("pv-a"));
}

TEST(AssumePodVolumesTest, ClaimsToProvisionGetTheSelectedNode) {
  BinderEnv env;
  env.AddPVC(MakeClaim("data", "dynamic"));
  auto pod = MakePod("pod", {"data"});
  ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-2"))->reasons.empty());
  auto r = env.binder().AssumePodVolumes(&pod, "node-2");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->binding_required);
  auto claim = env.binder().pvc_cache().GetPVC("default/data");
  EXPECT_EQ(claim->metadata().annotations().at(pvcontroller::kAnnSelectedNode), "node-2");
  // Nothing matched statically: no PV is assumed.
  EXPECT_TRUE(env.binder().pv_cache().List().empty());
}

TEST(AssumePodVolumesTest, NoSelectedNodeForNoProvisionerClasses) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-1", "node-1"));
  env.AddPVC(MakeClaim("data"));
  auto pod = MakePod("pod", {"data"});
  ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-1"))->reasons.empty());
  ASSERT_TRUE(env.binder().AssumePodVolumes(&pod, "node-1").ok());
  EXPECT_FALSE(env.binder().pvc_cache().IsAssumed("default/data"));
  EXPECT_EQ(env.binder().pvc_cache().GetPVC("default/data")->metadata().annotations().count(
                pvcontroller::kAnnSelectedNode),
            0u);
}

// ---------------------------------------------------------------- BindPodVolumes

struct BindCase {
  std::string name;
  std::vector<std::string> failing;        // PVs whose update fails (Conflict)
  std::vector<std::string> changed_first;  // PVs changed in the API after the assume
  // Expected.
  bool ok = true;
  std::vector<std::string> written;   // PVs whose API object names their claim afterwards
  std::vector<std::string> restored;  // PVs no longer assumed (rolled back)
};

TEST(BindPodVolumesTest, Table) {
  const std::vector<BindCase> cases = {
      {.name = "writes every assumed PV", .written = {"pv-a", "pv-b"}},
      {.name = "a conflict on the second PV: the first stays written, the second rolls back",
       .failing = {"pv-b"},
       .ok = false,
       .written = {"pv-a"},
       .restored = {"pv-b"}},
      {.name = "the first PV taken meanwhile: nothing is written, everything rolls back",
       .changed_first = {"pv-a"},
       .ok = false,
       .written = {},
       .restored = {"pv-a", "pv-b"}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    BinderEnv env;
    env.AddPV(MakeLocalPV("pv-a", "node-1", "10Gi"));
    env.AddPV(MakeLocalPV("pv-b", "node-1", "20Gi"));
    env.AddPVC(MakeClaim("data", kLocalStorage, "10Gi"));
    env.AddPVC(MakeClaim("logs", kLocalStorage, "20Gi"));
    auto pod = MakePod("pod", {"data", "logs"});
    ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-1"))->reasons.empty());
    auto assumed = env.binder().AssumePodVolumes(&pod, "node-1");
    ASSERT_TRUE(assumed.ok() && assumed->binding_required);
    for (const auto& pv : tc.changed_first) {
      // Another writer (say the PV controller binding an Immediate claim) got there first.
      env.client().Put(PreBound(MakeLocalPV(pv, "node-1", "10Gi", kLocalStorage, "2"), "other"));
    }
    for (const auto& pv : tc.failing) {
      env.client().FailUpdate("PersistentVolume/" + pv,
                              Status::ConflictModified("persistentvolumes", pv));
    }
    Status s = env.binder().BindPodVolumes(pod);
    EXPECT_EQ(s.ok(), tc.ok) << s.ToString();
    if (!tc.ok) {
      EXPECT_TRUE(s.IsConflict()) << s.ToString();
    }
    for (const auto& pv : tc.written) {
      auto api = env.client().GetObj<api::PersistentVolume>(pv);
      EXPECT_EQ(api.spec().claim_ref().namespace_(), "default") << pv;
      EXPECT_TRUE(api.spec().claim_ref().name() == "data" || api.spec().claim_ref().name() == "logs");
      EXPECT_EQ(api.metadata().annotations().at(pvcontroller::kAnnBoundByController), "yes");
    }
    for (const auto& pv : tc.restored) {
      EXPECT_FALSE(env.binder().pv_cache().IsAssumed(pv)) << pv;
    }
    for (const auto& pv : tc.changed_first) {
      // Never bound twice: the other writer's claim is still there.
      EXPECT_EQ(env.client().GetObj<api::PersistentVolume>(pv).spec().claim_ref().name(), "other");
    }
  }
}

TEST(BindPodVolumesTest, WritesTheSelectedNodeOfClaimsToProvision) {
  BinderEnv env;
  env.AddPVC(MakeClaim("data", "dynamic"));
  auto pod = MakePod("pod", {"data"});
  ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-3"))->reasons.empty());
  ASSERT_TRUE(env.binder().AssumePodVolumes(&pod, "node-3").ok());
  ASSERT_TRUE(env.binder().BindPodVolumes(pod).ok());
  auto claim = env.client().GetObj<api::PersistentVolumeClaim>("default/data");
  EXPECT_EQ(claim.metadata().annotations().at(pvcontroller::kAnnSelectedNode), "node-3");
}

TEST(BindPodVolumesTest, RevertAssumedPodVolumesRestoresEverything) {
  BinderEnv env;
  env.AddPV(MakeLocalPV("pv-a", "node-1"));
  env.AddPVC(MakeClaim("data"));
  auto pod = MakePod("pod", {"data"});
  ASSERT_TRUE(env.binder().FindPodVolumes(pod, MakeNode("node-1"))->reasons.empty());
  ASSERT_TRUE(env.binder().AssumePodVolumes(&pod, "node-1").ok());
  EXPECT_TRUE(env.binder().pv_cache().IsAssumed("pv-a"));
  env.binder().RevertAssumedPodVolumes("default/pod", "node-1");
  EXPECT_FALSE(env.binder().pv_cache().IsAssumed("pv-a"));
  EXPECT_EQ(env.client().updates(), 0);
}

TEST(ExplainNoMatchTest, SaysWhyEachCandidateDoesNotFit) {
  BinderEnv env;
  env.AddPV(PreBound(MakeLocalPV("pv-taken", "node-1"), "other"));
  env.AddPV(MakeLocalPV("pv-small", "node-1", "1Gi"));
  env.AddPVC(MakeClaim("data", kLocalStorage, "10Gi"));
  auto claim = env.binder().pvc_cache().GetPVC("default/data");
  EXPECT_EQ(env.binder().ExplainNoMatch(*claim, MakeNode("node-1")),
            (std::vector<std::string>{"pv-small: too small (1Gi < 10Gi)",
                                      "pv-taken: taken by default/other"}));
  EXPECT_EQ(env.binder().ExplainNoMatch(*claim, MakeNode("node-2")),
            (std::vector<std::string>{"no PersistentVolume of class \"local-storage\" on node-2"}));
}

}  // namespace
}  // namespace lpv::scheduler
