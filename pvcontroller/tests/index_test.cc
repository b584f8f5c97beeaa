// FindMatchingVolume and FindBestMatchForClaim, table-driven as Kubernetes' index_test.go:
// pure functions, no cluster.

#include "pvcontroller/index.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <random>

#include "pvcontroller/annotations.h"
#include "pvcontroller/tests/objects.h"

namespace lpv::pvcontroller {
namespace {

using api::Node;
using api::PersistentVolume;
using api::PersistentVolumeClaim;

using testing::NodeNamed;
using testing::OnNode;
using testing::PreBind;

// The builders of objects.h, with the uid the API server would have given.
PersistentVolume Volume(const std::string& name, const std::string& capacity,
                        testing::Edit<PersistentVolume> edit = nullptr) {
  PersistentVolume pv = testing::Volume(name, capacity, std::move(edit));
  pv.mutable_metadata()->set_uid("uid-" + name);
  return pv;
}

PersistentVolumeClaim Claim(const std::string& name, const std::string& request,
                            testing::Edit<PersistentVolumeClaim> edit = nullptr) {
  PersistentVolumeClaim pvc = testing::Claim(name, request, std::move(edit));
  pvc.mutable_metadata()->set_uid("uid-" + name);
  return pvc;
}

struct MatchCase {
  std::string name;
  std::vector<PersistentVolume> volumes;
  PersistentVolumeClaim claim;
  std::optional<Node> node = std::nullopt;
  bool delay_binding = false;
  std::set<std::string> excluded = {};
  std::string want = "";  // the chosen volume, "" for none
};

std::vector<VolumePtr> Pointers(const std::vector<PersistentVolume>& volumes) {
  std::vector<VolumePtr> out;
  for (const auto& v : volumes) out.push_back(std::make_shared<const PersistentVolume>(v));
  return out;
}

std::string Name(const Result<VolumePtr>& r) {
  if (!r.ok()) return "error: " + r.status().message();
  return *r ? (*r)->metadata().name() : "";
}

// Edits for the cases below.
void Labels(PersistentVolume& v, const std::string& app) {
  (*v.mutable_metadata()->mutable_labels())["app"] = app;
}
testing::Edit<PersistentVolumeClaim> Selecting(const std::string& app) {
  return [app](PersistentVolumeClaim& c) {
    (*c.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = app;
  };
}
testing::Edit<PersistentVolume> ReservedFor(const std::string& claim, const std::string& uid = "",
                                            const std::string& node = "") {
  return [=](PersistentVolume& v) {
    if (!node.empty()) OnNode(node)(v);
    PreBind(v, claim, uid);
  };
}

std::vector<MatchCase> MatchCases() {
  std::vector<MatchCase> cases;
  cases.push_back({
      .name = "successful match",
      .volumes = {Volume("pv-1", "10Gi")},
      .claim = Claim("claim", "1Gi"),
      .want = "pv-1",
  });
  cases.push_back({
      .name = "smallest fit wins",
      .volumes = {Volume("pv-10g", "10Gi"), Volume("pv-1g", "1Gi"), Volume("pv-5g", "5Gi"),
                  Volume("pv-2g", "2Gi")},
      .claim = Claim("claim", "2Gi"),
      .want = "pv-2g",
  });
  cases.push_back({
      .name = "too small volumes skipped",
      .volumes = {Volume("pv-1g", "1Gi")},
      .claim = Claim("claim", "2Gi"),
      .want = "",
  });
  cases.push_back({
      .name = "capacity compares quantities, not strings",
      .volumes = {Volume("pv-decimal", "2G"), Volume("pv-binary", "1900Mi")},
      .claim = Claim("claim", "1800Mi"),
      .want = "pv-binary",
  });
  cases.push_back({
      .name = "access modes not a superset",
      .volumes = {Volume("pv-rwo", "10Gi", OnNode("node-1"))},
      .claim = Claim(
          "claim", "1Gi",
          [](PersistentVolumeClaim& c) { c.mutable_spec()->add_access_modes("ReadWriteMany"); }),
      .node = NodeNamed("node-1"),
      .delay_binding = true,
      .want = "",
  });
  cases.push_back({
      .name = "selector mismatch",
      .volumes = {Volume("pv-web", "10Gi", [](PersistentVolume& v) { Labels(v, "web"); })},
      .claim = Claim("claim", "1Gi", Selecting("db")),
      .want = "",
  });
  cases.push_back({
      .name = "selector match",
      .volumes = {Volume("pv-web", "1Gi", [](PersistentVolume& v) { Labels(v, "web"); }),
                  Volume("pv-db", "10Gi", [](PersistentVolume& v) { Labels(v, "db"); })},
      .claim = Claim("claim", "1Gi", Selecting("db")),
      .want = "pv-db",
  });
  cases.push_back({
      .name = "pre-bound to this claim wins",
      .volumes = {Volume("pv-small", "1Gi"), Volume("pv-reserved", "100Gi",
                                                    [](PersistentVolume& v) {
                                                      PreBind(v, "claim");
                                                      v.mutable_status()->set_phase(kVolumePending);
                                                    })},
      .claim = Claim("claim", "1Gi"),
      .want = "pv-reserved",
  });
  cases.push_back({
      .name = "pre-bound by uid to this claim wins",
      .volumes = {Volume("pv-small", "1Gi"),
                  Volume("pv-reserved", "100Gi", ReservedFor("claim", "uid-claim"))},
      .claim = Claim("claim", "1Gi"),
      .want = "pv-reserved",
  });
  cases.push_back({
      .name = "pre-bound to this claim but too small",
      .volumes = {Volume("pv-reserved", "1Gi", ReservedFor("claim"))},
      .claim = Claim("claim", "5Gi"),
      .want = "",
  });
  cases.push_back({
      .name = "pre-bound to another claim skipped",
      .volumes = {Volume("pv-other", "10Gi", ReservedFor("other"))},
      .claim = Claim("claim", "1Gi"),
      .want = "",
  });
  cases.push_back({
      .name = "pre-bound to a claim of the same name and another uid skipped",
      .volumes = {Volume("pv-old", "10Gi", ReservedFor("claim", "uid-of-a-deleted-claim"))},
      .claim = Claim("claim", "1Gi"),
      .want = "",
  });
  cases.push_back({
      .name = "delayed binding with no node skips unbound volumes",
      .volumes = {Volume("pv-1", "10Gi", OnNode("node-1"))},
      .claim = Claim("claim", "1Gi"),
      .delay_binding = true,
      .want = "",
  });
  cases.push_back({
      .name = "delayed binding with no node still takes a pre-bound volume",
      .volumes = {Volume("pv-1", "10Gi", OnNode("node-1")),
                  Volume("pv-reserved", "10Gi", ReservedFor("claim", "uid-claim", "node-2"))},
      .claim = Claim("claim", "1Gi"),
      .delay_binding = true,
      .want = "pv-reserved",
  });
  cases.push_back({
      .name = "delayed binding with node picks the volume on that node",
      .volumes = {Volume("pv-node-1", "1Gi", OnNode("node-1")),
                  Volume("pv-node-2", "10Gi", OnNode("node-2"))},
      .claim = Claim("claim", "1Gi"),
      .node = NodeNamed("node-2"),
      .delay_binding = true,
      .want = "pv-node-2",
  });
  cases.push_back({
      .name = "a smaller volume on another node does not displace the fit on this one",
      .volumes = {Volume("pv-node-2", "10Gi", OnNode("node-2")),
                  Volume("pv-node-1", "1Gi", OnNode("node-1"))},
      .claim = Claim("claim", "1Gi"),
      .node = NodeNamed("node-2"),
      .delay_binding = true,
      .want = "pv-node-2",
  });
  cases.push_back({
      .name = "node affinity conflict",
      .volumes = {Volume("pv-node-1", "10Gi", OnNode("node-1"))},
      .claim = Claim("claim", "1Gi"),
      .node = NodeNamed("node-2"),
      .delay_binding = true,
      .want = "",
  });
  cases.push_back({
      .name = "pre-bound volume on another node fails the match",
      .volumes = {Volume("pv-node-2", "1Gi", OnNode("node-2")),
                  Volume("pv-reserved", "10Gi", ReservedFor("claim", "uid-claim", "node-1"))},
      .claim = Claim("claim", "1Gi"),
      .node = NodeNamed("node-2"),
      .delay_binding = true,
      .want = "",
  });
  cases.push_back({
      .name = "volume being deleted skipped",
      .volumes = {Volume("pv-deleting", "10Gi",
                         [](PersistentVolume& v) {
                           v.mutable_metadata()->set_deletion_timestamp("2026-01-01T00:00:00Z");
                         })},
      .claim = Claim("claim", "1Gi"),
      .want = "",
  });
  cases.push_back({
      .name = "block vs filesystem",
      .volumes = {Volume("pv-fs", "1Gi"),
                  Volume("pv-block", "10Gi",
                         [](PersistentVolume& v) { v.mutable_spec()->set_volume_mode("Block"); })},
      .claim = Claim("claim", "1Gi",
                     [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_mode("Block"); }),
      .want = "pv-block",
  });
  cases.push_back({
      .name = "absent volume mode is Filesystem",
      .volumes = {Volume("pv-old", "1Gi",
                         [](PersistentVolume& v) { v.mutable_spec()->clear_volume_mode(); })},
      .claim = Claim("claim", "1Gi"),
      .want = "pv-old",
  });
  cases.push_back({
      .name = "different class",
      .volumes = {Volume("pv-no-class", "10Gi")},
      .claim = Claim("claim", "1Gi", testing::ClassName("local-storage")),
      .want = "",
  });
  cases.push_back({
      .name = "same class",
      .volumes = {Volume("pv-no-class", "1Gi"),
                  Volume("pv-local", "10Gi",
                         [](PersistentVolume& v) { testing::SetClass(v, "local-storage"); })},
      .claim = Claim("claim", "1Gi", testing::ClassName("local-storage")),
      .want = "pv-local",
  });
  cases.push_back({
      .name = "volumes not Available skipped",
      .volumes = {Volume(
                      "pv-pending", "1Gi",
                      [](PersistentVolume& v) { v.mutable_status()->set_phase(kVolumePending); }),
                  Volume(
                      "pv-released", "1Gi",
                      [](PersistentVolume& v) { v.mutable_status()->set_phase(kVolumeReleased); })},
      .claim = Claim("claim", "1Gi"),
      .want = "",
  });
  cases.push_back({
      .name = "excluded volumes skipped",
      .volumes = {Volume("pv-chosen", "1Gi", OnNode("node-1")),
                  Volume("pv-free", "10Gi", OnNode("node-1"))},
      .claim = Claim("claim", "1Gi"),
      .node = NodeNamed("node-1"),
      .delay_binding = true,
      .excluded = {"pv-chosen"},
      .want = "pv-free",
  });
  cases.push_back({
      .name = "invalid selector is an error",
      .volumes = {Volume("pv-1", "1Gi")},
      .claim = Claim("claim", "1Gi",
                     [](PersistentVolumeClaim& c) {
                       auto* req = c.mutable_spec()->mutable_selector()->add_match_expressions();
                       req->set_key("app");
                       req->set_operator_("Foo");
                     }),
      .want = "error: error creating internal label selector for claim: default/claim: "
              "\"Foo\" is not a valid label selector operator",
  });
  return cases;
}

// gtest prints a failing case by its name.
void PrintTo(const MatchCase& c, std::ostream* os) { *os << c.name; }

class FindMatchingVolumeTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(FindMatchingVolumeTest, ChoosesAsKubernetes) {
  const MatchCase& c = GetParam();
  auto got = FindMatchingVolume(c.claim, Pointers(c.volumes), c.node ? &*c.node : nullptr,
                                c.excluded, c.delay_binding);
  EXPECT_EQ(Name(got), c.want);
}

std::string CaseName(const ::testing::TestParamInfo<MatchCase>& info) {
  std::string out;
  for (char ch : info.param.name) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

INSTANTIATE_TEST_SUITE_P(Index, FindMatchingVolumeTest, ::testing::ValuesIn(MatchCases()),
                         CaseName);

// FindMatchingVolume keeps each thread's parses of the capacity strings it has seen, up to a
// bound; past it, a string is parsed into scratch space. More distinct sizes than the bound,
// in no order, must still give the smallest fit.
TEST(FindMatchingVolumeSizesTest, SmallestFitAmongMoreDistinctSizesThanTheParsesKept) {
  std::vector<PersistentVolume> volumes;
  for (int mi = 3000; mi > 1000; --mi) {  // largest first: each fit is a new smallest
    volumes.push_back(Volume("pv-" + std::to_string(mi), std::to_string(mi) + "Mi"));
  }
  auto pointers = Pointers(volumes);
  EXPECT_EQ(Name(FindMatchingVolume(Claim("claim", "1500Mi"), pointers, nullptr, {}, false)),
            "pv-1500");
  EXPECT_EQ(Name(FindMatchingVolume(Claim("claim", "2Gi"), pointers, nullptr, {}, false)),
            "pv-2048");
  EXPECT_EQ(Name(FindMatchingVolume(Claim("claim", "1001Mi"), pointers, nullptr, {}, false)),
            "pv-1001");
  EXPECT_EQ(Name(FindMatchingVolume(Claim("claim", "3001Mi"), pointers, nullptr, {}, false)), "");
  // Parsed again from the kept parses: the same answers.
  EXPECT_EQ(Name(FindMatchingVolume(Claim("claim", "1500Mi"), pointers, nullptr, {}, false)),
            "pv-1500");
  EXPECT_EQ(VolumeCapacity(volumes.back()).Cmp(api::Quantity::MustParse("1001Mi")), 0);
}

// The tests FindMatchingVolume puts a volume through, one after the other in the order
// Kubernetes' findMatchingVolume writes them, as the reference the reordered loop must agree
// with.
Result<VolumePtr> FindMatchingVolumeInKubernetesOrder(const PersistentVolumeClaim& claim,
                                                      const std::vector<VolumePtr>& volumes,
                                                      const Node* node,
                                                      const std::set<std::string>& excluded,
                                                      bool delay_binding) {
  const api::Quantity requested = ClaimRequest(claim);
  VolumePtr smallest;
  for (const VolumePtr& volume : volumes) {
    if (excluded.count(volume->metadata().name())) continue;
    const bool bound_to_claim =
        volume->spec().has_claim_ref() && IsVolumeBoundToClaim(*volume, claim);
    if (volume->spec().has_claim_ref() && !bound_to_claim) continue;
    const api::Quantity capacity = VolumeCapacity(*volume);
    if (capacity.Cmp(requested) < 0) continue;
    if (CheckVolumeModeMismatches(claim.spec(), volume->spec())) continue;
    if (!volume->metadata().deletion_timestamp().empty()) continue;
    if (node != nullptr && !CheckNodeAffinity(*volume, *node)) {
      if (bound_to_claim) return VolumePtr();
      continue;
    }
    if (bound_to_claim) return volume;
    if (node == nullptr && delay_binding) continue;
    if (volume->status().phase() != kVolumeAvailable) continue;
    if (GetPersistentVolumeClass(*volume) != GetPersistentVolumeClaimClass(claim)) continue;
    if (node != nullptr && !CheckAccessModes(claim, *volume)) continue;
    if (smallest && VolumeCapacity(*smallest).Cmp(capacity) <= 0) continue;
    smallest = volume;
  }
  return smallest;
}

// Every test of a volume not pre-bound to the claim only skips it, so FindMatchingVolume
// runs the cheap ones first (a volume no smaller than the smallest fit is skipped before
// the rest of it is read). Random volumes, claims, nodes and exclusions: the same answers as
// the tests in Kubernetes' order.
TEST(FindMatchingVolumeOrderTest, TheOrderOfTheTestsChangesNoAnswer) {
  std::mt19937 rng(7);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> sizes = {"1Gi", "2Gi", "2048Mi", "3Gi"};
  const std::vector<std::string> nodes = {"node-a", "node-b"};
  int matched = 0, prebound_won = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<PersistentVolume> volumes;
    const int count = 1 + pick(6);
    for (int i = 0; i < count; ++i) {
      PersistentVolume pv = Volume("pv-" + std::to_string(i), sizes[pick(4)]);
      if (pick(3) != 0) OnNode(nodes[pick(2)])(pv);
      if (pick(5) == 0) pv.mutable_spec()->set_volume_mode("Block");
      if (pick(6) == 0) pv.mutable_status()->set_phase(kVolumePending);
      if (pick(8) == 0) pv.mutable_metadata()->set_deletion_timestamp("2026-11-26T00:00:00Z");
      if (pick(6) == 0) testing::SetClass(pv, "other");
      if (pick(4) == 0) pv.mutable_spec()->add_access_modes("ReadWriteMany");
      switch (pick(8)) {
        case 0: PreBind(pv, "claim"); break;
        case 1: PreBind(pv, "someone-else"); break;
        default: break;
      }
      volumes.push_back(std::move(pv));
    }
    PersistentVolumeClaim claim = Claim("claim", sizes[pick(4)]);
    if (pick(4) == 0) claim.mutable_spec()->add_access_modes("ReadWriteMany");
    std::optional<Node> node;
    if (pick(3) != 0) node = NodeNamed(nodes[pick(2)]);
    std::set<std::string> excluded;
    if (pick(4) == 0) excluded.insert("pv-" + std::to_string(pick(count)));
    const bool delay = pick(2) == 0;
    auto pointers = Pointers(volumes);
    auto got = FindMatchingVolume(claim, pointers, node ? &*node : nullptr, excluded, delay);
    auto want = FindMatchingVolumeInKubernetesOrder(claim, pointers, node ? &*node : nullptr,
                                                    excluded, delay);
    ASSERT_EQ(Name(got), Name(want)) << "round " << round;
    if (*got) {
      ++matched;
      if ((*got)->spec().has_claim_ref()) ++prebound_won;
    }
  }
  // The rounds cover both answers, and pre-bound volumes winning among them.
  EXPECT_GT(matched, 500);
  EXPECT_LT(matched, 2500);
  EXPECT_GT(prebound_won, 50);
}

// ---- the PV controller's search through the access-modes index

TEST(FindBestMatchForClaimTest, FewestAccessModesFirst) {
  // The RWO+RWX volume is smaller, but the RWO group is searched first.
  std::vector<PersistentVolume> volumes = {
      Volume("pv-rwo-rwx", "1Gi",
             [](PersistentVolume& v) { v.mutable_spec()->add_access_modes("ReadWriteMany"); }),
      Volume("pv-rwo", "10Gi")};
  auto got = FindBestMatchForClaim(Claim("claim", "1Gi"), Pointers(volumes), false);
  EXPECT_EQ(Name(got), "pv-rwo");
}

TEST(FindBestMatchForClaimTest, AccessModesNotASuperset) {
  std::vector<PersistentVolume> volumes = {Volume("pv-rwo", "10Gi")};
  auto claim = Claim("claim", "1Gi", [](PersistentVolumeClaim& c) {
    c.mutable_spec()->clear_access_modes();
    c.mutable_spec()->add_access_modes("ReadWriteMany");
  });
  EXPECT_EQ(Name(FindBestMatchForClaim(claim, Pointers(volumes), false)), "");
}

TEST(FindBestMatchForClaimTest, LargerGroupWhenTheSmallerHasNoFit) {
  std::vector<PersistentVolume> volumes = {Volume("pv-rwo", "1Gi"),
                                           Volume("pv-rwo-rox", "10Gi", [](PersistentVolume& v) {
                                             v.mutable_spec()->add_access_modes("ReadOnlyMany");
                                           })};
  EXPECT_EQ(Name(FindBestMatchForClaim(Claim("claim", "5Gi"), Pointers(volumes), false)),
            "pv-rwo-rox");
}

TEST(FindBestMatchForClaimTest, DelayedBindingOnlyPreBound) {
  std::vector<PersistentVolume> volumes = {
      Volume("pv-1", "1Gi"),
      Volume("pv-reserved", "10Gi", [](PersistentVolume& v) { PreBind(v, "claim", "uid-claim"); })};
  EXPECT_EQ(Name(FindBestMatchForClaim(Claim("claim", "1Gi"), Pointers(volumes), true)),
            "pv-reserved");
  EXPECT_EQ(Name(FindBestMatchForClaim(Claim("other", "1Gi"), Pointers(volumes), true)), "");
}

// ---- helpers

TEST(HelpersTest, AccessModesAsString) {
  auto pv = Volume("pv", "1Gi", [](PersistentVolume& v) {
    v.mutable_spec()->clear_access_modes();
    for (const char* m : {"ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce", "Bogus",
                          "ReadWriteOncePod", "ReadOnlyMany"}) {
      v.mutable_spec()->add_access_modes(m);
    }
  });
  EXPECT_EQ(GetAccessModesAsString(pv.spec().access_modes()), "RWO,ROX,RWX,RWOP");
}

TEST(HelpersTest, ClaimClass) {
  EXPECT_EQ(GetPersistentVolumeClaimClass(Claim("c", "1Gi")), "");
  EXPECT_FALSE(PersistentVolumeClaimHasClass(Claim("c", "1Gi")));
  auto empty = Claim(
      "c", "1Gi", [](PersistentVolumeClaim& c) { c.mutable_spec()->set_storage_class_name(""); });
  EXPECT_EQ(GetPersistentVolumeClaimClass(empty), "");
  EXPECT_TRUE(PersistentVolumeClaimHasClass(empty));
  auto beta = Claim("c", "1Gi", [](PersistentVolumeClaim& c) {
    c.mutable_spec()->set_storage_class_name("fast");
    (*c.mutable_metadata()->mutable_annotations())[kAnnBetaStorageClass] = "slow";
  });
  EXPECT_EQ(GetPersistentVolumeClaimClass(beta), "slow");
}

TEST(HelpersTest, IsDelayBindingMode) {
  auto wffc = std::make_shared<api::StorageClass>();
  wffc->mutable_metadata()->set_name("local-storage");
  wffc->set_volume_binding_mode("WaitForFirstConsumer");
  auto unset = std::make_shared<api::StorageClass>();
  unset->mutable_metadata()->set_name("unset");
  ClassLister lister = [&](const std::string& name) -> ClassPtr {
    if (name == "local-storage") return wffc;
    if (name == "unset") return unset;
    return nullptr;
  };
  auto with_class = [](const std::string& cls) {
    return Claim("c", "1Gi", [cls](PersistentVolumeClaim& c) {
      c.mutable_spec()->set_storage_class_name(cls);
    });
  };
  EXPECT_TRUE(*IsDelayBindingMode(with_class("local-storage"), lister));
  EXPECT_FALSE(*IsDelayBindingMode(with_class("missing"), lister));
  EXPECT_FALSE(*IsDelayBindingMode(Claim("c", "1Gi"), lister));
  auto err = IsDelayBindingMode(with_class("unset"), lister);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().message(), "VolumeBindingMode not set for StorageClass \"unset\"");
}

TEST(HelpersTest, GetBindVolumeToClaim) {
  auto claim = Claim("claim", "1Gi");
  claim.mutable_metadata()->set_resource_version("42");

  bool dirty = false;
  auto bound = GetBindVolumeToClaim(Volume("pv", "1Gi"), claim, &dirty);
  EXPECT_TRUE(dirty);
  EXPECT_EQ(bound.spec().claim_ref().kind(), "PersistentVolumeClaim");
  EXPECT_EQ(bound.spec().claim_ref().api_version(), "v1");
  EXPECT_EQ(bound.spec().claim_ref().namespace_(), "default");
  EXPECT_EQ(bound.spec().claim_ref().name(), "claim");
  EXPECT_EQ(bound.spec().claim_ref().uid(), "uid-claim");
  EXPECT_EQ(bound.spec().claim_ref().resource_version(), "42");
  EXPECT_EQ(bound.metadata().annotations().at(kAnnBoundByController), "yes");

  // Binding again changes nothing.
  GetBindVolumeToClaim(bound, claim, &dirty);
  EXPECT_FALSE(dirty);

  // A user's reservation by name gets the uid, not the controller's mark.
  auto reserved = Volume("pv", "1Gi", [](PersistentVolume& v) { PreBind(v, "claim"); });
  auto completed = GetBindVolumeToClaim(reserved, claim, &dirty);
  EXPECT_TRUE(dirty);
  EXPECT_EQ(completed.spec().claim_ref().uid(), "uid-claim");
  EXPECT_FALSE(completed.metadata().annotations().contains(kAnnBoundByController));
}

TEST(HelpersTest, DefaultClassIsTheNewest) {
  auto make = [](const std::string& name, const std::string& created, bool is_default) {
    auto sc = std::make_shared<api::StorageClass>();
    sc->mutable_metadata()->set_name(name);
    sc->mutable_metadata()->set_creation_timestamp(created);
    if (is_default)
      (*sc->mutable_metadata()->mutable_annotations())[kAnnIsDefaultStorageClass] = "true";
    return ClassPtr(sc);
  };
  EXPECT_EQ(GetDefaultClass({make("a", "2026-01-01T00:00:00Z", false)}), nullptr);
  auto best = GetDefaultClass(
      {make("old", "2026-01-01T00:00:00Z", true), make("new-b", "2026-02-01T00:00:00Z", true),
       make("new-a", "2026-02-01T00:00:00Z", true), make("newest", "2026-03-01T00:00:00Z", false)});
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->metadata().name(), "new-a");
}

}  // namespace
}  // namespace lpv::pvcontroller
