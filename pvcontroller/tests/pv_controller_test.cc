// The PV controller on a real in-process cluster, in the spirit of Kubernetes' binder_test.go:
// each case creates its objects in order, then states the volumes, claims and events the
// controller must produce. Every case gets a fresh cluster.

#include <gtest/gtest.h>

#include <memory>
#include <variant>

#include "pvcontroller/annotations.h"
#include "pvcontroller/tests/controller_env.h"
#include "pvcontroller/tests/objects.h"

namespace lpv::pvcontroller {
namespace {

using api::PersistentVolume;
using api::PersistentVolumeClaim;
using namespace lpv::pvcontroller::testing;  // NOLINT: the builders

// An object to create. A volume's claimRef uid "@uid" is replaced by the uid of the claim it
// names, which must exist by then.
using Object = std::variant<api::StorageClass, api::Node, PersistentVolume, PersistentVolumeClaim,
                            api::Pod>;

struct WantVolume {
  std::string name;
  std::string phase;
  std::string claim = "";          // claimRef "ns/name", "" = none
  bool claim_uid = false;          // claimRef carries the claim's uid
  bool bound_by_controller = false;
};

struct WantClaim {
  std::string name;
  std::string phase;
  std::string volume = "";  // spec.volumeName
  bool bind_completed = false;
  bool bound_by_controller = false;
  std::string capacity = "";      // status.capacity.storage, "" = none
  std::string access_modes = "";  // status.accessModes joined by ",", "" = none
  std::string storage_class = "-";  // spec.storageClassName; "-" = not checked
};

struct WantEvent {
  std::string object;
  std::string type;
  std::string reason;
  std::string message;
};

struct BinderCase {
  std::string name;
  std::vector<Object> objects;
  std::vector<WantEvent> events;  // checked first: they show the controller has decided
  std::vector<WantVolume> volumes;
  std::vector<WantClaim> claims;
};

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

bool Has(const api::ObjectMeta& meta, const std::string& key) {
  return meta.annotations().contains(key);
}

void CreateAll(ControllerEnv& env, const std::vector<Object>& objects) {
  for (const Object& obj : objects) {
    if (auto* pv = std::get_if<PersistentVolume>(&obj)) {
      PersistentVolume v = *pv;
      if (v.spec().has_claim_ref() && v.spec().claim_ref().uid() == "@uid") {
        auto claim = env.client()->Get<PersistentVolumeClaim>(v.spec().claim_ref().namespace_(),
                                                              v.spec().claim_ref().name());
        ASSERT_TRUE(claim.ok()) << claim.status().ToString();
        v.mutable_spec()->mutable_claim_ref()->set_uid(claim->metadata().uid());
      }
      env.Create(v);
      // The controller has seen the volume once it leaves Pending (a claim created before
      // that would find no Available volume, as in Kubernetes).
      env.WaitForVolume(
          v.metadata().name(),
          [](const PersistentVolume& got) { return got.status().phase() != kVolumePending; },
          "synced");
    } else {
      std::visit([&](const auto& o) { env.Create(o); }, obj);
    }
  }
}

void Check(ControllerEnv& env, const WantEvent& want) {
  auto events = env.WaitForEvents(want.object, want.reason);
  ASSERT_EQ(events.size(), 1u) << "events are folded: one object per (object, reason, message)";
  const api::Event& ev = events[0];
  EXPECT_EQ(ev.type(), want.type);
  EXPECT_EQ(ev.message(), want.message);
  EXPECT_EQ(ev.source().component(), "persistentvolume-controller");
  EXPECT_GE(ev.count(), 1);
}

void Check(ControllerEnv& env, const WantVolume& want) {
  auto matches = [&](const PersistentVolume& v) {
    std::string claim = v.spec().has_claim_ref() ? v.spec().claim_ref().namespace_() + "/" +
                                                       v.spec().claim_ref().name()
                                                 : "";
    bool has_uid = v.spec().has_claim_ref() && !v.spec().claim_ref().uid().empty();
    return v.status().phase() == want.phase && claim == want.claim &&
           has_uid == want.claim_uid &&
           Has(v.metadata(), kAnnBoundByController) == want.bound_by_controller;
  };
  PersistentVolume v = env.WaitForVolume(want.name, matches, "as expected");
  if (!want.claim.empty() && want.claim_uid) {
    EXPECT_EQ(v.spec().claim_ref().kind(), "PersistentVolumeClaim");
    EXPECT_EQ(v.spec().claim_ref().api_version(), "v1");
    // The claimRef's uid is the claim's, when the claim exists.
    auto claim = env.client()->Get<PersistentVolumeClaim>("default", v.spec().claim_ref().name());
    if (claim.ok()) {
      EXPECT_EQ(v.spec().claim_ref().uid(), claim->metadata().uid());
    }
  }
}

void Check(ControllerEnv& env, const WantClaim& want) {
  auto matches = [&](const PersistentVolumeClaim& c) {
    auto cap = c.status().capacity().find("storage");
    std::string capacity = cap == c.status().capacity().end() ? "" : cap->second;
    return c.status().phase() == want.phase && c.spec().volume_name() == want.volume &&
           Has(c.metadata(), kAnnBindCompleted) == want.bind_completed &&
           Has(c.metadata(), kAnnBoundByController) == want.bound_by_controller &&
           capacity == want.capacity && Join(c.status().access_modes()) == want.access_modes &&
           (want.storage_class == "-" || c.spec().storage_class_name() == want.storage_class);
  };
  PersistentVolumeClaim c = env.WaitForClaim(want.name, matches, "as expected");
  if (want.bind_completed) {
    EXPECT_EQ(c.metadata().annotations().at(kAnnBindCompleted), "yes");
  }
  if (want.bound_by_controller) {
    EXPECT_EQ(c.metadata().annotations().at(kAnnBoundByController), "yes");
  }
}

constexpr char kLocal[] = "local-storage";
constexpr char kWFFC[] = "WaitForFirstConsumer";
constexpr char kImmediate[] = "Immediate";
constexpr char kNoClassNoVolume[] =
    "no persistent volumes available for this claim and no storage class is set";

Edit<PersistentVolume> LocalOn(const std::string& node) {
  return [node](PersistentVolume& v) {
    OnNode(node)(v);
    SetClass(v, kLocal);
  };
}

std::vector<BinderCase> Cases() {
  std::vector<BinderCase> cases;

  // [1] The user did not care which volume they get.
  cases.push_back({
      "immediate binding of an unbound claim",
      {Volume("pv-1", "10Gi"), Claim("claim", "5Gi")},
      {},
      {{"pv-1", kVolumeBound, "default/claim", true, true}},
      {{"claim", kClaimBound, "pv-1", true, true, "10Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "immediate binding with an Immediate class",
      {Class("fast", kImmediate), NodeNamed("node-1"),
       Volume("pv-1", "10Gi", [](PersistentVolume& v) { OnNode("node-1")(v); SetClass(v, "fast"); }),
       Claim("claim", "1Gi", ClassName("fast"))},
      {},
      {{"pv-1", kVolumeBound, "default/claim", true, true}},
      {{"claim", kClaimBound, "pv-1", true, true, "10Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "smallest fit wins",
      {Volume("pv-1g", "1Gi"), Volume("pv-10g", "10Gi"), Volume("pv-5g", "5Gi"),
       Claim("claim", "2Gi")},
      {},
      {{"pv-5g", kVolumeBound, "default/claim", true, true},
       {"pv-1g", kVolumeAvailable, ""},
       {"pv-10g", kVolumeAvailable, ""}},
      {{"claim", kClaimBound, "pv-5g", true, true, "5Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "selector picks the labelled volume",
      {Volume("pv-plain", "1Gi"),
       Volume("pv-db", "20Gi",
              [](PersistentVolume& v) { (*v.mutable_metadata()->mutable_labels())["app"] = "db"; }),
       Claim("claim", "1Gi",
             [](PersistentVolumeClaim& c) {
               (*c.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "db";
             })},
      {},
      {{"pv-db", kVolumeBound, "default/claim", true, true}, {"pv-plain", kVolumeAvailable, ""}},
      {{"claim", kClaimBound, "pv-db", true, true, "20Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "access mode mismatch leaves the claim Pending",
      {Volume("pv-rwo", "10Gi"),
       Claim("claim", "1Gi",
             [](PersistentVolumeClaim& c) {
               c.mutable_spec()->clear_access_modes();
               c.mutable_spec()->add_access_modes("ReadWriteMany");
             })},
      {{"claim", "Normal", "FailedBinding", kNoClassNoVolume}},
      {{"pv-rwo", kVolumeAvailable, ""}},
      {{"claim", kClaimPending, ""}},
  });
  cases.push_back({
      "delayed binding waits for the first consumer",
      {Class(kLocal, kWFFC), NodeNamed("node-1"), Volume("pv-1", "10Gi", LocalOn("node-1")),
       Claim("claim", "1Gi", ClassName(kLocal))},
      {{"claim", "Normal", "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding"}},
      {{"pv-1", kVolumeAvailable, ""}},
      {{"claim", kClaimPending, ""}},
  });
  cases.push_back({
      "selected-node annotation binds the volume on that node",
      {Class(kLocal, kWFFC), NodeNamed("node-1"), NodeNamed("node-2"),
       Volume("pv-node-1", "1Gi", LocalOn("node-1")), Volume("pv-node-2", "10Gi", LocalOn("node-2")),
       Claim("claim", "1Gi",
             [](PersistentVolumeClaim& c) {
               c.mutable_spec()->set_storage_class_name(kLocal);
               (*c.mutable_metadata()->mutable_annotations())[kAnnSelectedNode] = "node-2";
             })},
      {},
      {{"pv-node-2", kVolumeBound, "default/claim", true, true},
       {"pv-node-1", kVolumeAvailable, ""}},
      {{"claim", kClaimBound, "pv-node-2", true, true, "10Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "immediate class that cannot provision reports the missing plugin",
      {Class("manual", kImmediate), Claim("claim", "1Gi", ClassName("manual"))},
      {{"claim", "Warning", "ProvisioningFailed",
        "no volume plugin matched name: kubernetes.io/no-provisioner"}},
      {},
      {{"claim", kClaimPending, ""}},
  });
  cases.push_back({
      "class that does not exist",
      {Claim("claim", "1Gi", ClassName("gold"))},
      {{"claim", "Warning", "ProvisioningFailed", "storageclass.storage.k8s.io \"gold\" not found"}},
      {},
      {{"claim", kClaimPending, ""}},
  });
  cases.push_back({
      "external provisioner is asked through the claim",
      {Class("csi", kImmediate, "example.com/csi"), Claim("claim", "1Gi", ClassName("csi"))},
      {{"claim", "Normal", "ExternalProvisioning",
        "Waiting for a volume to be created either by the external provisioner "
        "'example.com/csi' or manually by the system administrator. If volume creation is "
        "delayed, please verify that the provisioner is running and correctly registered."}},
      {},
      {{"claim", kClaimPending, ""}},
  });
  cases.push_back({
      "claim without a class gets the default class",
      {Class(kLocal, kWFFC, kNotSupportedProvisioner,
             [](api::StorageClass& sc) {
               (*sc.mutable_metadata()->mutable_annotations())[kAnnIsDefaultStorageClass] = "true";
             }),
       Volume("pv-1", "10Gi", LocalOn("node-1")), Claim("claim", "1Gi")},
      {{"claim", "Normal", "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding"}},
      {{"pv-1", kVolumeAvailable, ""}},
      {{"claim", kClaimPending, "", false, false, "", "", kLocal}},
  });
  cases.push_back({
      "claim without a class binds a volume without class before any default",
      {Class(kLocal, kWFFC, kNotSupportedProvisioner,
             [](api::StorageClass& sc) {
               (*sc.mutable_metadata()->mutable_annotations())[kAnnIsDefaultStorageClass] = "true";
             }),
       Volume("pv-plain", "10Gi"), Claim("claim", "1Gi")},
      {},
      {{"pv-plain", kVolumeBound, "default/claim", true, true}},
      {{"claim", kClaimBound, "pv-plain", true, true, "10Gi", "ReadWriteOnce", ""}},
  });

  // Pre-bound volumes: claimRef set by a user.
  cases.push_back({
      "volume pre-bound by name by a user",
      {Volume("pv-small", "1Gi"),
       Volume("pv-reserved", "10Gi", [](PersistentVolume& v) { PreBind(v, "claim"); }),
       Claim("claim", "1Gi")},
      {},
      {{"pv-reserved", kVolumeBound, "default/claim", true, false},
       {"pv-small", kVolumeAvailable, ""}},
      {{"claim", kClaimBound, "pv-reserved", true, true, "10Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "volume pre-bound to another claim is not taken",
      {Volume("pv-reserved", "10Gi", [](PersistentVolume& v) { PreBind(v, "other"); }),
       Claim("claim", "1Gi")},
      {{"claim", "Normal", "FailedBinding", kNoClassNoVolume}},
      {{"pv-reserved", kVolumeAvailable, "default/other"}},
      {{"claim", kClaimPending, ""}},
  });

  // [2] The user asked for a specific volume.
  cases.push_back({
      "claim pre-bound to a volume",
      {Volume("pv-1", "1Gi"), Volume("pv-2", "10Gi"),
       Claim("claim", "1Gi", [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name("pv-2"); })},
      {},
      {{"pv-2", kVolumeBound, "default/claim", true, true}, {"pv-1", kVolumeAvailable, ""}},
      {{"claim", kClaimBound, "pv-2", true, false, "10Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "claim pre-bound to a volume pre-bound to it",
      {Volume("pv-1", "10Gi", [](PersistentVolume& v) { PreBind(v, "claim"); }),
       Claim("claim", "1Gi", [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name("pv-1"); })},
      {},
      {{"pv-1", kVolumeBound, "default/claim", true, false}},
      {{"claim", kClaimBound, "pv-1", true, false, "10Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "claim pre-bound to a volume that is too small",
      {Volume("pv-small", "1Gi"),
       Claim("claim", "5Gi",
             [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name("pv-small"); })},
      {{"claim", "Warning", "VolumeMismatch",
        "Cannot bind to requested volume \"pv-small\": requested PV is too small"}},
      {{"pv-small", kVolumeAvailable, ""}},
      {{"claim", kClaimPending, "pv-small"}},
  });
  cases.push_back({
      "claim pre-bound to a volume bound to another claim waits",
      {Volume("pv-1", "1Gi"), Claim("first", "1Gi"),
       Claim("second", "1Gi",
             [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name("pv-1"); })},
      {{"second", "Warning", "FailedBinding", "volume \"pv-1\" already bound to a different claim."}},
      {{"pv-1", kVolumeBound, "default/first", true, true}},
      {{"first", kClaimBound, "pv-1", true, true, "1Gi", "ReadWriteOnce"},
       {"second", kClaimPending, "pv-1"}},
  });

  // A bind someone else began: the scheduler's BindPodVolumes writes the volume's claimRef
  // (with bound-by-controller) and leaves the claim to the controller.
  cases.push_back({
      "completes a bind the scheduler began",
      {Class(kLocal, kWFFC), Claim("claim", "1Gi", ClassName(kLocal)),
       Volume("pv-1", "10Gi",
              [](PersistentVolume& v) {
                LocalOn("node-1")(v);
                PreBind(v, "claim", "@uid");
                (*v.mutable_metadata()->mutable_annotations())[kAnnBoundByController] = "yes";
              })},
      {},
      {{"pv-1", kVolumeBound, "default/claim", true, true}},
      {{"claim", kClaimBound, "pv-1", true, true, "10Gi", "ReadWriteOnce"}},
  });

  // [3] Claims bound before.
  cases.push_back({
      "bound claim without volumeName is Lost",
      {Claim("claim", "1Gi",
             [](PersistentVolumeClaim& c) {
               (*c.mutable_metadata()->mutable_annotations())[kAnnBindCompleted] = "yes";
             })},
      {{"claim", "Warning", "ClaimLost",
        "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"}},
      {},
      {{"claim", kClaimLost, "", true, false}},
  });
  cases.push_back({
      "bound claim whose volume is missing is Lost",
      {Claim("claim", "1Gi",
             [](PersistentVolumeClaim& c) {
               (*c.mutable_metadata()->mutable_annotations())[kAnnBindCompleted] = "yes";
               c.mutable_spec()->set_volume_name("pv-gone");
             })},
      {{"claim", "Warning", "ClaimLost",
        "Bound claim has lost its PersistentVolume. Data on the volume is lost!"}},
      {},
      {{"claim", kClaimLost, "pv-gone", true, false}},
  });
  cases.push_back({
      "bound claim whose volume names another claim is misbound",
      {Volume("pv-1", "1Gi", [](PersistentVolume& v) { PreBind(v, "other", "uid-of-other"); }),
       Claim("claim", "1Gi",
             [](PersistentVolumeClaim& c) {
               (*c.mutable_metadata()->mutable_annotations())[kAnnBindCompleted] = "yes";
               c.mutable_spec()->set_volume_name("pv-1");
             })},
      {{"claim", "Warning", "ClaimMisbound",
        "Two claims are bound to the same volume, this one is bound incorrectly"}},
      {{"pv-1", kVolumeReleased, "default/other", true, false}},
      {{"claim", kClaimLost, "pv-1", true, false}},
  });

  // [4] Volumes pointing to a claim that is bound to another volume.
  cases.push_back({
      "volume bound by the controller to a claim bound elsewhere is reset to Available",
      {Volume("pv-2", "1Gi"),
       Claim("claim", "1Gi", [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name("pv-2"); }),
       Volume("pv-1", "1Gi",
              [](PersistentVolume& v) {
                PreBind(v, "claim", "@uid");
                (*v.mutable_metadata()->mutable_annotations())[kAnnBoundByController] = "yes";
              })},
      {},
      {{"pv-1", kVolumeAvailable, "", false, false},
       {"pv-2", kVolumeBound, "default/claim", true, true}},
      {{"claim", kClaimBound, "pv-2", true, false, "1Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "volume pre-bound by a user to a claim bound elsewhere keeps its reservation",
      {Volume("pv-2", "1Gi"),
       Claim("claim", "1Gi", [](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name("pv-2"); }),
       Volume("pv-1", "1Gi", [](PersistentVolume& v) { PreBind(v, "claim", "@uid"); })},
      {},
      {{"pv-1", kVolumeAvailable, "default/claim", false, false},
       {"pv-2", kVolumeBound, "default/claim", true, true}},
      {{"claim", kClaimBound, "pv-2", true, false, "1Gi", "ReadWriteOnce"}},
  });
  cases.push_back({
      "volume bound to a claim that never existed is Released",
      {Volume("pv-1", "1Gi", [](PersistentVolume& v) { PreBind(v, "ghost", "uid-of-ghost"); })},
      {},
      {{"pv-1", kVolumeReleased, "default/ghost", true, false}},
      {},
  });
  return cases;
}

class BinderTest : public ::testing::TestWithParam<BinderCase> {};

TEST_P(BinderTest, Sync) {
  const BinderCase& c = GetParam();
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateAll(env, c.objects);
  for (const auto& want : c.events) Check(env, want);
  for (const auto& want : c.volumes) Check(env, want);
  for (const auto& want : c.claims) Check(env, want);
}

std::string CaseName(const ::testing::TestParamInfo<BinderCase>& info) {
  std::string out;
  for (char ch : info.param.name) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

INSTANTIATE_TEST_SUITE_P(PersistentVolumeController, BinderTest, ::testing::ValuesIn(Cases()),
                         CaseName);

}  // namespace
}  // namespace lpv::pvcontroller
