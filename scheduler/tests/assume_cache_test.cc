#include "scheduler/assume_cache.h"

#include <gtest/gtest.h>

#include <random>

#include "pvcontroller/index.h"

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

// A random free PV of local-storage or "other": sizes whole and not (1500m; 9Ei and 9.5Ei
// past int64), any volume mode, phase, deletion, access modes (one unknown), labels, and node
// affinities the summaries decide (hostname expressions on a pinned host) and those they
// leave to the node (other keys, matchFields, invalid values, no hostname In).
api::PersistentVolume RandomFreePV(std::mt19937& rng, const std::string& name,
                                   const std::string& rv) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  static const std::vector<std::string> sizes = {"1Gi",   "2Gi", "2048Mi", "1.5Gi", "3Gi",
                                                 "9.5Ei", "9Ei", "1500m",  "2"};
  const std::string host = pick(2) == 0 ? "node-a" : "node-b";
  const std::string& size = sizes[pick(static_cast<int>(sizes.size()))];
  api::PersistentVolume pv = MakeLocalPV(name, pick(6) == 0 ? "" : host, size,
                                         pick(8) == 0 ? "other" : kLocalStorage, rv);
  auto* spec = pv.mutable_spec();
  switch (pick(8)) {
    case 0: spec->set_volume_mode("Block"); break;
    case 1: spec->set_volume_mode("Filesystem"); break;
    case 2: spec->set_volume_mode("Weird"); break;
    default: break;
  }
  if (pick(5) == 0) spec->add_access_modes("ReadWriteMany");
  if (pick(10) == 0) spec->add_access_modes("Bogus");
  if (pick(6) == 0) pv.mutable_status()->set_phase("Pending");
  if (pick(8) == 0) pv.mutable_metadata()->set_deletion_timestamp("2026-11-26T00:00:00Z");
  if (pick(3) == 0) (*pv.mutable_metadata()->mutable_labels())["tier"] = pick(2) ? "gold" : "tin";
  if (spec->has_node_affinity()) {
    auto* required = spec->mutable_node_affinity()->mutable_required();
    auto* term = required->mutable_node_selector_terms(0);
    switch (pick(10)) {
      case 0: term->mutable_match_expressions(0)->add_values("not a valid value!"); break;
      case 1: {  // a second expression on another label: the node decides
        auto* zone = term->add_match_expressions();
        zone->set_key("zone");
        zone->set_operator_("In");
        zone->add_values("z1");
        break;
      }
      case 2: {  // a second hostname expression: decided per host
        auto* not_in = term->add_match_expressions();
        not_in->set_key("kubernetes.io/hostname");
        not_in->set_operator_("NotIn");
        not_in->add_values("node-a");
        break;
      }
      case 3: {
        auto* field = term->add_match_fields();
        field->set_key("metadata.name");
        field->set_operator_("In");
        field->add_values("node-a");
        break;
      }
      case 4: {  // a second term pinned elsewhere
        auto* other = required->add_node_selector_terms()->add_match_expressions();
        other->set_key("kubernetes.io/hostname");
        other->set_operator_("In");
        other->add_values(host == "node-a" ? "node-b" : "node-a");
        break;
      }
      case 5: {  // no hostname In: usable anywhere, as far as the index knows
        term->mutable_match_expressions(0)->set_key("zone");
        term->mutable_match_expressions(0)->set_values(0, "z1");
        break;
      }
      default: break;
    }
  }
  return pv;
}

// The scheduler matches a claim against a node's free PVs from the cache's summaries. Random
// PVs come and go (added, updated, assumed for a claim, restored, deleted) and random claims
// meet random nodes: every answer must be FindMatchingVolume's over the same free PVs, and
// HasFreePV must agree with the free PVs listed, asked by hostname or by its number. The
// numbers are shared with a node cache that numbered other hostnames first.
TEST(AssumeCacheTest, FindMatchingFreePVAnswersAsFindMatchingVolume) {
  std::mt19937 rng(11);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  HostSlots slots;
  for (const char* h : {"node-z", "node-b", "node-y"}) slots.Intern(h);
  PVAssumeCache cache(&slots);
  ASSERT_EQ(&cache.host_slots(), &slots);
  int version = 1;
  int matched = 0, unmatched = 0;
  for (int round = 0; round < 4000; ++round) {
    const std::string name = "pv-" + std::to_string(pick(12));
    switch (pick(6)) {
      case 0: case 1: case 2:
        cache.Add(Ref(RandomFreePV(rng, name, std::to_string(++version))));
        break;
      case 3:
        if (auto pv = cache.GetPV(name)) cache.Delete(pv);
        break;
      case 4:
        if (auto pv = cache.GetPV(name); pv && !pv->spec().has_claim_ref()) {
          ASSERT_TRUE(cache.Assume(Ref(Claimed(*pv, "data-" + name))).ok());
        }
        break;
      default:
        cache.Restore(name);
        break;
    }

    api::PersistentVolumeClaim claim =
        MakeClaim("claim", pick(6) == 0 ? "other" : kLocalStorage,
                  std::vector<std::string>{"1.5Gi", "1Gi", "2Gi", "2", "1", "8Ei"}[pick(6)]);
    switch (pick(10)) {
      case 0: claim.mutable_spec()->set_volume_mode("Block"); break;
      case 1: claim.mutable_spec()->set_volume_mode("Weird"); break;
      case 2: claim.mutable_spec()->add_access_modes("ReadWriteMany"); break;
      case 3: claim.mutable_spec()->add_access_modes("Bogus"); break;
      case 4: (*claim.mutable_spec()->mutable_selector()->mutable_match_labels())["tier"] = "gold";
              break;
      default: break;
    }
    const std::string host = pick(2) == 0 ? "node-a" : "node-b";
    // The node's name is its hostname label, or not (matchFields read the name).
    api::Node node = MakeNode(pick(4) == 0 ? "renamed-" + host : host);
    (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = host;
    if (pick(2) == 0) (*node.mutable_metadata()->mutable_labels())["zone"] = "z1";
    std::string hostname = host;
    if (pick(8) == 0) {  // a node without the label: only PVs usable anywhere
      node.mutable_metadata()->mutable_labels()->erase("kubernetes.io/hostname");
      hostname = "";
    }
    std::set<std::string> excluded;
    if (pick(4) == 0) excluded.insert("pv-" + std::to_string(pick(12)));

    auto got = cache.FindMatchingFreePV(claim, hostname, node, excluded);
    auto want = pvcontroller::FindMatchingVolume(
        claim,
        cache.ListCandidatePVs(pvcontroller::GetPersistentVolumeClaimClass(claim), hostname,
                               /*free_only=*/true),
        &node, excluded, /*delay_binding=*/true);
    ASSERT_TRUE(got.ok() && want.ok()) << "round " << round;
    ASSERT_EQ(*got ? (*got)->metadata().name() : "", *want ? (*want)->metadata().name() : "")
        << "round " << round;
    ASSERT_EQ(*got, *want) << "round " << round;  // the cache's latest object itself
    auto by_slot = cache.FindMatchingFreePV(claim, slots.Intern(hostname), node, excluded);
    ASSERT_TRUE(by_slot.ok()) << "round " << round;
    ASSERT_EQ(*by_slot, *want) << "round " << round;
    ++(*got ? matched : unmatched);
    // HasFreePV asks the same lists: is a free PV of the class pinned to the host (or, for
    // kAnyHost, not pinned to hostnames)?
    for (const std::string h : {"node-a", "node-b", PVAssumeCache::kAnyHost}) {
      bool want_free = false;
      for (const auto& pv : cache.ListCandidatePVs(kLocalStorage, h, /*free_only=*/true)) {
        auto pinned = PVAssumeCache::PinnedHostnames(*pv);
        if (h == PVAssumeCache::kAnyHost ? pinned.empty()
                                         : std::count(pinned.begin(), pinned.end(), h) > 0) {
          want_free = true;
        }
      }
      ASSERT_EQ(cache.HasFreePV(kLocalStorage, h), want_free) << "round " << round << " " << h;
      if (h != PVAssumeCache::kAnyHost) {
        ASSERT_EQ(cache.HasFreePV(kLocalStorage, slots.Intern(h)), want_free)
            << "round " << round << " " << h;
      }
    }
  }
  EXPECT_GT(matched, 400);
  EXPECT_GT(unmatched, 400);
}

// Hostnames are numbered densely on first sight, and keep their numbers.
TEST(HostSlotsTest, NumbersEachHostnameOnceFromZero) {
  HostSlots slots;
  EXPECT_EQ(slots.Find("node-1"), HostSlots::kNone);
  EXPECT_EQ(slots.Intern("node-1"), 0u);
  EXPECT_EQ(slots.Intern("node-2"), 1u);
  EXPECT_EQ(slots.Intern("node-1"), 0u);
  EXPECT_EQ(slots.Find("node-2"), 1u);
  EXPECT_EQ(slots.Intern(""), HostSlots::kNone);  // no hostname, no number
  EXPECT_EQ(slots.Find(""), HostSlots::kNone);
  EXPECT_EQ(slots.Intern("node-3"), 2u);
}

// An invalid claim selector is FindMatchingVolume's error on this path too.
TEST(AssumeCacheTest, FindMatchingFreePVReportsAnInvalidClaimSelector) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1")));
  auto claim = MakeClaim("claim");
  auto* req = claim.mutable_spec()->mutable_selector()->add_match_expressions();
  req->set_key("app");
  req->set_operator_("Foo");
  auto got = cache.FindMatchingFreePV(claim, "node-1", MakeNode("node-1"), {});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "error creating internal label selector for claim: default/claim: \"Foo\" is not "
            "a valid label selector operator");
}

// Under a pin, a lent PV holds no reference, outlives the cache's own (the PV taken and
// then written back, as a cycle's picks may be meanwhile) and is owned again by Own.
TEST(AssumeCacheTest, APVLentUnderAPinOutlivesItsChangeAndIsOwnedAgain) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "5")));
  const api::Node node = MakeNode("node-1");
  std::shared_ptr<const api::PersistentVolume> lent;
  {
    PVAssumeCache::FreePVPin pin(cache);
    auto got = cache.FindMatchingFreePV(MakeClaim("data-0"), cache.host_slots().Find("node-1"),
                                        node, {}, /*borrow=*/true);
    ASSERT_TRUE(got.ok());
    lent = *got;
    ASSERT_NE(lent, nullptr);
    EXPECT_EQ(lent.use_count(), 0);  // no reference taken
    // Still the latest object: Own answers with the cache's reference to it.
    auto owned = cache.Own(lent);
    EXPECT_EQ(owned.get(), lent.get());
    EXPECT_GT(owned.use_count(), 0);
    owned.reset();

    // Taken and written back: the cache lets go of the object lent.
    cache.Add(Ref(Claimed(MakeLocalPV("pv-1", "node-1", "100Gi", kLocalStorage, "6"), "other")));
    ASSERT_TRUE(cache.GetPV("pv-1")->spec().has_claim_ref());
    EXPECT_FALSE(cache.HasFreePV(kLocalStorage, "node-1"));
    // Kept aside for the pin: still readable (ASan would catch a freed one), owned again.
    EXPECT_EQ(lent->metadata().name(), "pv-1");
    EXPECT_FALSE(lent->spec().has_claim_ref());
    owned = cache.Own(lent);
    ASSERT_EQ(owned.get(), lent.get());
    EXPECT_EQ(owned->metadata().resource_version(), "5");
    lent = owned;  // held past the pin through a reference of its own
  }
  EXPECT_EQ(lent->metadata().resource_version(), "5");
  EXPECT_EQ(lent.use_count(), 1);  // the pin let go of the one kept aside
}

// Without a pin nothing is lent: `borrow` gives an owning pointer.
TEST(AssumeCacheTest, WithoutAPinFindMatchingFreePVLendsNothing) {
  PVAssumeCache cache;
  cache.Add(Ref(MakeLocalPV("pv-1", "node-1")));
  auto got = cache.FindMatchingFreePV(MakeClaim("data-0"), cache.host_slots().Find("node-1"),
                                      MakeNode("node-1"), {}, /*borrow=*/true);
  ASSERT_TRUE(got.ok());
  ASSERT_NE(*got, nullptr);
  EXPECT_GT(got->use_count(), 0);
  EXPECT_EQ(cache.Own(*got), *got);
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
