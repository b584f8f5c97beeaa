// FindMatchingVolume and FindBestMatchForClaim, table-driven as Kubernetes' index_test.go:
// pure functions, no cluster.

#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "pvcontroller/annotations.h"
#include "pvcontroller/index.h"
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
  std::optional<Node> node;
  bool delay_binding = false;
  std::set<std::string> excluded;
  std::string want;  // the chosen volume, "" for none
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

std::vector<MatchCase> MatchCases() {
  std::vector<MatchCase> cases;
  cases.push_back({"successful match", {Volume("pv-1", "10Gi")}, Claim("claim", "1Gi"), {},
                   false, {}, "pv-1"});
  cases.push_back({"smallest fit wins",
                   {Volume("pv-10g", "10Gi"), Volume("pv-1g", "1Gi"), Volume("pv-5g", "5Gi"),
                    Volume("pv-2g", "2Gi")},
                   Claim("claim", "2Gi"), {}, false, {}, "pv-2g"});
  cases.push_back({"too small volumes skipped", {Volume("pv-1g", "1Gi")}, Claim("claim", "2Gi"),
                   {}, false, {}, ""});
  cases.push_back({"capacity compares quantities, not strings",
                   {Volume("pv-decimal", "2G"), Volume("pv-binary", "1900Mi")},
                   Claim("claim", "1800Mi"), {}, false, {}, "pv-binary"});
  cases.push_back({"access modes not a superset",
                   {Volume("pv-rwo", "10Gi", OnNode("node-1"))},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) {
                           c.mutable_spec()->add_access_modes("ReadWriteMany");
                         }),
                   NodeNamed("node-1"), true, {}, ""});
  cases.push_back({"selector mismatch",
                   {Volume("pv-web", "10Gi",
                           [](PersistentVolume& v) {
                             (*v.mutable_metadata()->mutable_labels())["app"] = "web";
                           })},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) {
                           (*c.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] =
                               "db";
                         }),
                   {}, false, {}, ""});
  cases.push_back({"selector match",
                   {Volume("pv-web", "1Gi",
                           [](PersistentVolume& v) {
                             (*v.mutable_metadata()->mutable_labels())["app"] = "web";
                           }),
                    Volume("pv-db", "10Gi",
                           [](PersistentVolume& v) {
                             (*v.mutable_metadata()->mutable_labels())["app"] = "db";
                           })},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) {
                           (*c.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] =
                               "db";
                         }),
                   {}, false, {}, "pv-db"});
  cases.push_back({"pre-bound to this claim wins",
                   {Volume("pv-small", "1Gi"),
                    Volume("pv-reserved", "100Gi",
                           [](PersistentVolume& v) {
                             PreBind(v, "claim");
                             v.mutable_status()->set_phase(kVolumePending);
                           })},
                   Claim("claim", "1Gi"), {}, false, {}, "pv-reserved"});
  cases.push_back({"pre-bound by uid to this claim wins",
                   {Volume("pv-small", "1Gi"),
                    Volume("pv-reserved", "100Gi",
                           [](PersistentVolume& v) { PreBind(v, "claim", "uid-claim"); })},
                   Claim("claim", "1Gi"), {}, false, {}, "pv-reserved"});
  cases.push_back({"pre-bound to this claim but too small",
                   {Volume("pv-reserved", "1Gi", [](PersistentVolume& v) { PreBind(v, "claim"); })},
                   Claim("claim", "5Gi"), {}, false, {}, ""});
  cases.push_back({"pre-bound to another claim skipped",
                   {Volume("pv-other", "10Gi", [](PersistentVolume& v) { PreBind(v, "other"); })},
                   Claim("claim", "1Gi"), {}, false, {}, ""});
  cases.push_back({"pre-bound to a claim of the same name and another uid skipped",
                   {Volume("pv-old", "10Gi",
                           [](PersistentVolume& v) { PreBind(v, "claim", "uid-of-a-deleted-claim"); })},
                   Claim("claim", "1Gi"), {}, false, {}, ""});
  cases.push_back({"delayed binding with no node skips unbound volumes",
                   {Volume("pv-1", "10Gi", OnNode("node-1"))}, Claim("claim", "1Gi"), {}, true,
                   {}, ""});
  cases.push_back({"delayed binding with no node still takes a pre-bound volume",
                   {Volume("pv-1", "10Gi", OnNode("node-1")),
                    Volume("pv-reserved", "10Gi",
                           [](PersistentVolume& v) {
                             OnNode("node-2")(v);
                             PreBind(v, "claim", "uid-claim");
                           })},
                   Claim("claim", "1Gi"), {}, true, {}, "pv-reserved"});
  cases.push_back({"delayed binding with node picks the volume on that node",
                   {Volume("pv-node-1", "1Gi", OnNode("node-1")),
                    Volume("pv-node-2", "10Gi", OnNode("node-2"))},
                   Claim("claim", "1Gi"), NodeNamed("node-2"), true, {}, "pv-node-2"});
  cases.push_back({"node affinity conflict",
                   {Volume("pv-node-1", "10Gi", OnNode("node-1"))}, Claim("claim", "1Gi"),
                   NodeNamed("node-2"), true, {}, ""});
  cases.push_back({"pre-bound volume on another node fails the match",
                   {Volume("pv-node-2", "1Gi", OnNode("node-2")),
                    Volume("pv-reserved", "10Gi",
                           [](PersistentVolume& v) {
                             OnNode("node-1")(v);
                             PreBind(v, "claim", "uid-claim");
                           })},
                   Claim("claim", "1Gi"), NodeNamed("node-2"), true, {}, ""});
  cases.push_back({"volume being deleted skipped",
                   {Volume("pv-deleting", "10Gi",
                           [](PersistentVolume& v) {
                             v.mutable_metadata()->set_deletion_timestamp("2026-01-01T00:00:00Z");
                           })},
                   Claim("claim", "1Gi"), {}, false, {}, ""});
  cases.push_back({"block vs filesystem",
                   {Volume("pv-fs", "1Gi"),
                    Volume("pv-block", "10Gi",
                           [](PersistentVolume& v) { v.mutable_spec()->set_volume_mode("Block"); })},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_mode("Block"); }),
                   {}, false, {}, "pv-block"});
  cases.push_back({"absent volume mode is Filesystem",
                   {Volume("pv-old", "1Gi",
                           [](PersistentVolume& v) { v.mutable_spec()->clear_volume_mode(); })},
                   Claim("claim", "1Gi"), {}, false, {}, "pv-old"});
  cases.push_back({"different class",
                   {Volume("pv-no-class", "10Gi")},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) {
                           c.mutable_spec()->set_storage_class_name("local-storage");
                         }),
                   {}, false, {}, ""});
  cases.push_back({"same class",
                   {Volume("pv-no-class", "1Gi"),
                    Volume("pv-local", "10Gi",
                           [](PersistentVolume& v) {
                             v.mutable_spec()->set_storage_class_name("local-storage");
                           })},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) {
                           c.mutable_spec()->set_storage_class_name("local-storage");
                         }),
                   {}, false, {}, "pv-local"});
  cases.push_back({"volumes not Available skipped",
                   {Volume("pv-pending", "1Gi",
                           [](PersistentVolume& v) { v.mutable_status()->set_phase(kVolumePending); }),
                    Volume("pv-released", "1Gi",
                           [](PersistentVolume& v) { v.mutable_status()->set_phase(kVolumeReleased); })},
                   Claim("claim", "1Gi"), {}, false, {}, ""});
  cases.push_back({"excluded volumes skipped",
                   {Volume("pv-chosen", "1Gi", OnNode("node-1")),
                    Volume("pv-free", "10Gi", OnNode("node-1"))},
                   Claim("claim", "1Gi"), NodeNamed("node-1"), true, {"pv-chosen"}, "pv-free"});
  cases.push_back({"invalid selector is an error",
                   {Volume("pv-1", "1Gi")},
                   Claim("claim", "1Gi",
                         [](PersistentVolumeClaim& c) {
                           auto* req = c.mutable_spec()->mutable_selector()->add_match_expressions();
                           req->set_key("app");
                           req->set_operator_("Foo");
                         }),
                   {}, false, {},
                   "error: error creating internal label selector for claim: default/claim: "
                   "\"Foo\" is not a valid label selector operator"});
  return cases;
}

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
  std::vector<PersistentVolume> volumes = {
      Volume("pv-rwo", "1Gi"),
      Volume("pv-rwo-rox", "10Gi",
             [](PersistentVolume& v) { v.mutable_spec()->add_access_modes("ReadOnlyMany"); })};
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
  auto empty = Claim("c", "1Gi", [](PersistentVolumeClaim& c) {
    c.mutable_spec()->set_storage_class_name("");
  });
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
    if (is_default) (*sc->mutable_metadata()->mutable_annotations())[kAnnIsDefaultStorageClass] = "true";
    return ClassPtr(sc);
  };
  EXPECT_EQ(GetDefaultClass({make("a", "2026-01-01T00:00:00Z", false)}), nullptr);
  auto best = GetDefaultClass({make("old", "2026-01-01T00:00:00Z", true),
                               make("new-b", "2026-02-01T00:00:00Z", true),
                               make("new-a", "2026-02-01T00:00:00Z", true),
                               make("newest", "2026-03-01T00:00:00Z", false)});
  ASSERT_NE(best, nullptr);
  EXPECT_EQ(best->metadata().name(), "new-a");
}

}  // namespace
}  // namespace lpv::pvcontroller
