#include "scheduler/assume_cache.h"

#include <gtest/gtest.h>

#include "pvcontroller/pv_helpers.h"
#include "scheduler/tests/objects.h"

namespace lpv::scheduler {
namespace {

using namespace testing;  // NOLINT

std::vector<std::string> Names(const std::vector<std::shared_ptr<const api::PersistentVolume>>& pvs) {
  std::vector<std::string> out;
  for (const auto& pv : pvs) out.push_back(pv->metadata().name());
  std::sort(out.begin(), out.end());
  return out;
}

api::PersistentVolume Claimed(api::PersistentVolume pv, const std::string& claim) {
  bool dirty = false;
  return pvcontroller::GetBindVolumeToClaim(pv, MakeClaim(claim), &dirty);
}

TEST(AssumeCacheTest, AssumeShowsTheAssumedVersionAndRestoreGoesBack) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1")));
  ASSERT_TRUE(cache.Assume(Ref(Claimed(MakeLocalPV("pv-1", "node-1"), "data-0"))).ok());
  EXPECT_TRUE(cache.IsAssumed("pv-1"));
  EXPECT_EQ(cache.GetPV("pv-1")->spec().claim_ref().name(), "data-0");
  EXPECT_FALSE(cache.GetAPIPV("pv-1")->spec().has_claim_ref());
  cache.Restore("pv-1");
  EXPECT_FALSE(cache.IsAssumed("pv-1"));
  EXPECT_FALSE(cache.GetPV("pv-1")->spec().has_claim_ref());
}

TEST(AssumeCacheTest, AnInformerResyncDoesNotUndoAnAssumption) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5")));
  ASSERT_TRUE(
      cache.Assume(Ref(Claimed(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5"), "c")))
          .ok());
  // The same version again (a resync, a relist): the assumption stays.
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5")));
  EXPECT_EQ(cache.GetPV("pv-1")->spec().claim_ref().name(), "c");
}

TEST(AssumeCacheTest, TheWrittenVersionSupersedesTheAssumedOne) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5")));
  ASSERT_TRUE(
      cache.Assume(Ref(Claimed(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5"), "c")))
          .ok());
  // BindPodVolumes wrote it; the watch brings back version 6.
  auto written = Claimed(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "6"), "c");
  cache.Add(Ref(written));
  EXPECT_FALSE(cache.IsAssumed("pv-1"));
  EXPECT_EQ(cache.GetPV("pv-1")->metadata().resource_version(), "6");
  // And an older assumption is refused as out of sync.
  Status s =
      cache.Assume(Ref(Claimed(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5"), "d")));
  EXPECT_TRUE(s.IsConflict());
  EXPECT_EQ(s.message(), "v1.PersistentVolume \"pv-1\" is out of sync (stored: 6, assume: 5)");
}

TEST(AssumeCacheTest, AssumingAnUnknownObjectIsNotFound) {
  PVAssumeCache cache;
  EXPECT_TRUE(cache.Assume(Ref(MakeLocalPV("pv-9", "node-1"))).IsNotFound());
}

TEST(AssumeCacheTest, IndexesFindCandidatesByClassAndNodeAndClaim) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-a1", "node-a")));
  cache.Add(Ref(MakeLocalPV("pv-a2", "node-a")));
  cache.Add(Ref(MakeLocalPV("pv-b1", "node-b")));
  cache.Add(Ref(MakeLocalPV("pv-anywhere", "")));            // no node affinity
  cache.Add(Ref(MakeLocalPV("pv-other", "node-a", "1Gi", "fast")));  // other class
  EXPECT_EQ(Names(cache.ListCandidatePVs(kLocalStorage, "node-a")),
            (std::vector<std::string>{"pv-a1", "pv-a2", "pv-anywhere"}));
  EXPECT_EQ(Names(cache.ListCandidatePVs(kLocalStorage, "node-c")),
            (std::vector<std::string>{"pv-anywhere"}));
  EXPECT_EQ(Names(cache.ListCandidatePVs("fast", "node-a")), (std::vector<std::string>{"pv-other"}));
  EXPECT_EQ(cache.ListPVs(kLocalStorage).size(), 4u);

  // The claim index follows the assumed claimRef, and Restore takes it back.
  ASSERT_TRUE(cache.Assume(Ref(Claimed(MakeLocalPV("pv-b1", "node-b"), "data-0"))).ok());
  EXPECT_EQ(Names(cache.ListPVsForClaim("default/data-0")), (std::vector<std::string>{"pv-b1"}));
  cache.Restore("pv-b1");
  EXPECT_TRUE(cache.ListPVsForClaim("default/data-0").empty());

  cache.Delete(Ref(MakeLocalPV("pv-a1", "node-a")));
  EXPECT_EQ(Names(cache.ListCandidatePVs(kLocalStorage, "node-a")),
            (std::vector<std::string>{"pv-a2", "pv-anywhere"}));
}

// FindMatchingVolume keeps the first of equally small PVs, so a node's candidates come in
// name order whether a PV is pinned to the node or usable anywhere, each once.
TEST(AssumeCacheTest, ANodesCandidatesComeInNameOrderAcrossPinnedAndAnywherePVs) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-b", "node-a")));
  cache.Add(Ref(MakeLocalPV("pv-a", "")));
  cache.Add(Ref(MakeLocalPV("pv-d", "node-a")));
  cache.Add(Ref(MakeLocalPV("pv-c", "")));
  cache.Add(Ref(MakeLocalPV("pv-e", "node-b")));
  auto in_order = [](const std::vector<std::shared_ptr<const api::PersistentVolume>>& pvs) {
    std::vector<std::string> out;
    for (const auto& pv : pvs) out.push_back(pv->metadata().name());
    return out;
  };
  EXPECT_EQ(in_order(cache.ListCandidatePVs(kLocalStorage, "node-a")),
            (std::vector<std::string>{"pv-a", "pv-b", "pv-c", "pv-d"}));
  EXPECT_EQ(in_order(cache.ListCandidatePVs(kLocalStorage, "")),
            (std::vector<std::string>{"pv-a", "pv-c"}));
  // A PV the scheduler took is no longer free, but still a candidate.
  ASSERT_TRUE(cache.Assume(Ref(Claimed(MakeLocalPV("pv-b", "node-a"), "data-0"))).ok());
  EXPECT_EQ(in_order(cache.ListCandidatePVs(kLocalStorage, "node-a", /*free_only=*/true)),
            (std::vector<std::string>{"pv-a", "pv-c", "pv-d"}));
  EXPECT_EQ(in_order(cache.ListCandidatePVs(kLocalStorage, "node-a")),
            (std::vector<std::string>{"pv-a", "pv-b", "pv-c", "pv-d"}));
  // A hostname that is the any-host marker itself lists those PVs once.
  EXPECT_EQ(in_order(cache.ListCandidatePVs(kLocalStorage, PVAssumeCache::kAnyHost)),
            (std::vector<std::string>{"pv-a", "pv-c"}));
}

TEST(AssumeCacheTest, CandidatesIntoABufferReplaceWhatItHeld) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-b", "node-a")));
  cache.Add(Ref(MakeLocalPV("pv-a", "")));
  cache.Add(Ref(MakeLocalPV("pv-c", "node-b")));
  ASSERT_TRUE(cache.Assume(Ref(Claimed(MakeLocalPV("pv-b", "node-a"), "data-0"))).ok());
  std::vector<std::shared_ptr<const api::PersistentVolume>> buffer;
  for (bool free_only : {false, true}) {
    for (const std::string host : {"node-a", "node-b", "", "node-z"}) {
      SCOPED_TRACE(host + (free_only ? " free" : ""));
      cache.ListCandidatePVs(kLocalStorage, host, free_only, &buffer);
      auto returned = cache.ListCandidatePVs(kLocalStorage, host, free_only);
      ASSERT_EQ(buffer.size(), returned.size());
      for (size_t i = 0; i < buffer.size(); ++i) EXPECT_EQ(buffer[i], returned[i]);
    }
  }
  // The last call (node-z, free) found only the PV usable anywhere: nothing else is left.
  ASSERT_EQ(buffer.size(), 1u);
  EXPECT_EQ(buffer[0]->metadata().name(), "pv-a");
}

TEST(AssumeCacheTest, PinnedHostnamesNeedAHostnameInEveryTerm) {
  auto pv = MakeLocalPV("pv", "node-1");
  auto* terms = pv.mutable_spec()->mutable_node_affinity()->mutable_required();
  terms->mutable_node_selector_terms(0)->mutable_match_expressions(0)->add_values("node-2");
  EXPECT_EQ(PVAssumeCache::PinnedHostnames(pv), (std::vector<std::string>{"node-1", "node-2"}));
  // A second term without a hostname could match any node.
  auto* zone = terms->add_node_selector_terms()->add_match_expressions();
  zone->set_key("topology.kubernetes.io/zone");
  zone->set_operator_("In");
  zone->add_values("a");
  EXPECT_TRUE(PVAssumeCache::PinnedHostnames(pv).empty());
}

}  // namespace
}  // namespace lpv::scheduler
