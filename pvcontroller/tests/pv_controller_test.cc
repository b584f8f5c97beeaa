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
using Object =
    std::variant<api::StorageClass, api::Node, PersistentVolume, PersistentVolumeClaim, api::Pod>;

struct WantVolume {
  std::string name;
  std::string phase;
  std::string claim = "";  // claimRef "ns/name", "" = none
  bool claim_uid = false;  // claimRef carries the claim's uid
  bool bound_by_controller = false;
};

struct WantClaim {
  std::string name;
  std::string phase;
  std::string volume = "";  // spec.volumeName
  bool bind_completed = false;
  bool bound_by_controller = false;
  std::string capacity = "";        // status.capacity.storage, "" = none
  std::string access_modes = "";    // status.accessModes joined by ",", "" = none
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
  std::vector<Object> objects = {};
  std::vector<WantEvent> events = {};  // checked first: they show the controller has decided
  std::vector<WantVolume> volumes = {};
  std::vector<WantClaim> claims = {};
};

// The expected states, by the names a user knows them by.
WantVolume AvailableVolume(const std::string& name, const std::string& reserved_for = "") {
  return {name, kVolumeAvailable, reserved_for.empty() ? "" : "default/" + reserved_for};
}
// Bound to default/<claim> with its uid; `by_controller`: the controller chose the volume.
WantVolume BoundVolume(const std::string& name, const std::string& claim, bool by_controller) {
  return {name, kVolumeBound, "default/" + claim, true, by_controller};
}
WantVolume ReleasedVolume(const std::string& name, const std::string& claim) {
  return {name, kVolumeReleased, "default/" + claim, true, false};
}
// Bound, with the volume's capacity and RWO; `by_controller`: the controller set volumeName.
WantClaim BoundClaim(const std::string& name, const std::string& volume,
                     const std::string& capacity, bool by_controller) {
  return {name, kClaimBound, volume, true, by_controller, capacity, "ReadWriteOnce"};
}
WantClaim PendingClaim(const std::string& name, const std::string& volume = "") {
  return {name, kClaimPending, volume};
}
WantClaim LostClaim(const std::string& name, const std::string& volume) {
  return {name, kClaimLost, volume, true};
}

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
    std::string claim = v.spec().has_claim_ref()
                            ? v.spec().claim_ref().namespace_() + "/" + v.spec().claim_ref().name()
                            : "";
    bool has_uid = v.spec().has_claim_ref() && !v.spec().claim_ref().uid().empty();
    return v.status().phase() == want.phase && claim == want.claim && has_uid == want.claim_uid &&
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

Edit<PersistentVolumeClaim> VolumeName(const std::string& volume) {
  return [volume](PersistentVolumeClaim& c) { c.mutable_spec()->set_volume_name(volume); };
}
Edit<PersistentVolumeClaim> BindCompleted(const std::string& volume) {
  return [volume](PersistentVolumeClaim& c) {
    (*c.mutable_metadata()->mutable_annotations())[kAnnBindCompleted] = "yes";
    c.mutable_spec()->set_volume_name(volume);
  };
}
api::StorageClass DefaultClass(const std::string& name, const std::string& mode) {
  return Class(name, mode, kNotSupportedProvisioner, [](api::StorageClass& sc) {
    (*sc.mutable_metadata()->mutable_annotations())[kAnnIsDefaultStorageClass] = "true";
  });
}

std::vector<BinderCase> Cases() {
  std::vector<BinderCase> cases;

  // [1] The user did not care which volume they get.
  cases.push_back({
      .name = "immediate binding of an unbound claim",
      .objects = {Volume("pv-1", "10Gi"), Claim("claim", "5Gi")},
      .volumes = {BoundVolume("pv-1", "claim", true)},
      .claims = {BoundClaim("claim", "pv-1", "10Gi", true)},
  });
  cases.push_back({
      .name = "immediate binding with an Immediate class",
      .objects = {Class("fast", kImmediate), NodeNamed("node-1"),
                  Volume("pv-1", "10Gi",
                         [](PersistentVolume& v) {
                           OnNode("node-1")(v);
                           SetClass(v, "fast");
                         }),
                  Claim("claim", "1Gi", ClassName("fast"))},
      .volumes = {BoundVolume("pv-1", "claim", true)},
      .claims = {BoundClaim("claim", "pv-1", "10Gi", true)},
  });
  cases.push_back({
      .name = "smallest fit wins",
      .objects = {Volume("pv-1g", "1Gi"), Volume("pv-10g", "10Gi"), Volume("pv-5g", "5Gi"),
                  Claim("claim", "2Gi")},
      .volumes = {BoundVolume("pv-5g", "claim", true), AvailableVolume("pv-1g"),
                  AvailableVolume("pv-10g")},
      .claims = {BoundClaim("claim", "pv-5g", "5Gi", true)},
  });
  cases.push_back({
      .name = "selector picks the labelled volume",
      .objects = {Volume("pv-plain", "1Gi"),
                  Volume("pv-db", "20Gi",
                         [](PersistentVolume& v) {
                           (*v.mutable_metadata()->mutable_labels())["app"] = "db";
                         }),
                  Claim("claim", "1Gi",
                        [](PersistentVolumeClaim& c) {
                          (*c.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] =
                              "db";
                        })},
      .volumes = {BoundVolume("pv-db", "claim", true), AvailableVolume("pv-plain")},
      .claims = {BoundClaim("claim", "pv-db", "20Gi", true)},
  });
  cases.push_back({
      .name = "access mode mismatch leaves the claim Pending",
      .objects = {Volume("pv-rwo", "10Gi"), Claim("claim", "1Gi",
                                                  [](PersistentVolumeClaim& c) {
                                                    c.mutable_spec()->clear_access_modes();
                                                    c.mutable_spec()->add_access_modes(
                                                        "ReadWriteMany");
                                                  })},
      .events = {{"claim", "Normal", "FailedBinding", kNoClassNoVolume}},
      .volumes = {AvailableVolume("pv-rwo")},
      .claims = {PendingClaim("claim")},
  });
  cases.push_back({
      .name = "delayed binding waits for the first consumer",
      .objects = {Class(kLocal, kWFFC), NodeNamed("node-1"),
                  Volume("pv-1", "10Gi", LocalOn("node-1")),
                  Claim("claim", "1Gi", ClassName(kLocal))},
      .events = {{"claim", "Normal", "WaitForFirstConsumer",
                  "waiting for first consumer to be created before binding"}},
      .volumes = {AvailableVolume("pv-1")},
      .claims = {PendingClaim("claim")},
  });
  cases.push_back({
      .name = "selected-node annotation binds the volume on that node",
      .objects = {Class(kLocal, kWFFC), NodeNamed("node-1"), NodeNamed("node-2"),
                  Volume("pv-node-1", "1Gi", LocalOn("node-1")),
                  Volume("pv-node-2", "10Gi", LocalOn("node-2")),
                  Claim("claim", "1Gi",
                        [](PersistentVolumeClaim& c) {
                          c.mutable_spec()->set_storage_class_name(kLocal);
                          (*c.mutable_metadata()->mutable_annotations())[kAnnSelectedNode] =
                              "node-2";
                        })},
      .volumes = {BoundVolume("pv-node-2", "claim", true), AvailableVolume("pv-node-1")},
      .claims = {BoundClaim("claim", "pv-node-2", "10Gi", true)},
  });
  cases.push_back({
      .name = "immediate class that cannot provision reports the missing plugin",
      .objects = {Class("manual", kImmediate), Claim("claim", "1Gi", ClassName("manual"))},
      .events = {{"claim", "Warning", "ProvisioningFailed",
                  "no volume plugin matched name: kubernetes.io/no-provisioner"}},
      .claims = {PendingClaim("claim")},
  });
  cases.push_back({
      .name = "class that does not exist",
      .objects = {Claim("claim", "1Gi", ClassName("gold"))},
      .events = {{"claim", "Warning", "ProvisioningFailed",
                  "storageclass.storage.k8s.io \"gold\" not found"}},
      .claims = {PendingClaim("claim")},
  });
  cases.push_back({
      .name = "external provisioner is asked through the claim",
      .objects = {Class("csi", kImmediate, "example.com/csi"),
                  Claim("claim", "1Gi", ClassName("csi"))},
      .events = {{"claim", "Normal", "ExternalProvisioning",
                  "Waiting for a volume to be created either by the external provisioner "
                  "'example.com/csi' or manually by the system administrator. If volume creation "
                  "is delayed, please verify that the provisioner is running and correctly "
                  "registered."}},
      .claims = {PendingClaim("claim")},
  });
  {
    WantClaim with_default_class = PendingClaim("claim");
    with_default_class.storage_class = kLocal;
    cases.push_back({
        .name = "claim without a class gets the default class",
        .objects = {DefaultClass(kLocal, kWFFC), Volume("pv-1", "10Gi", LocalOn("node-1")),
                    Claim("claim", "1Gi")},
        .events = {{"claim", "Normal", "WaitForFirstConsumer",
                    "waiting for first consumer to be created before binding"}},
        .volumes = {AvailableVolume("pv-1")},
        .claims = {with_default_class},
    });
  }
  {
    WantClaim without_class = BoundClaim("claim", "pv-plain", "10Gi", true);
    without_class.storage_class = "";
    cases.push_back({
        .name = "claim without a class binds a volume without class before any default",
        .objects = {DefaultClass(kLocal, kWFFC), Volume("pv-plain", "10Gi"), Claim("claim", "1Gi")},
        .volumes = {BoundVolume("pv-plain", "claim", true)},
        .claims = {without_class},
    });
  }

  // Volumes pre-bound by a user (claimRef set by hand).
  cases.push_back({
      .name = "volume pre-bound by name by a user",
      .objects = {Volume("pv-small", "1Gi"),
                  Volume("pv-reserved", "10Gi", [](PersistentVolume& v) { PreBind(v, "claim"); }),
                  Claim("claim", "1Gi")},
      .volumes = {BoundVolume("pv-reserved", "claim", false), AvailableVolume("pv-small")},
      .claims = {BoundClaim("claim", "pv-reserved", "10Gi", true)},
  });
  cases.push_back({
      .name = "volume pre-bound to another claim is not taken",
      .objects = {Volume("pv-reserved", "10Gi", [](PersistentVolume& v) { PreBind(v, "other"); }),
                  Claim("claim", "1Gi")},
      .events = {{"claim", "Normal", "FailedBinding", kNoClassNoVolume}},
      .volumes = {AvailableVolume("pv-reserved", "other")},
      .claims = {PendingClaim("claim")},
  });

  // [2] The user asked for a specific volume (spec.volumeName).
  cases.push_back({
      .name = "claim pre-bound to a volume",
      .objects = {Volume("pv-1", "1Gi"), Volume("pv-2", "10Gi"),
                  Claim("claim", "1Gi", VolumeName("pv-2"))},
      .volumes = {BoundVolume("pv-2", "claim", true), AvailableVolume("pv-1")},
      .claims = {BoundClaim("claim", "pv-2", "10Gi", false)},
  });
  cases.push_back({
      .name = "claim pre-bound to a volume pre-bound to it",
      .objects = {Volume("pv-1", "10Gi", [](PersistentVolume& v) { PreBind(v, "claim"); }),
                  Claim("claim", "1Gi", VolumeName("pv-1"))},
      .volumes = {BoundVolume("pv-1", "claim", false)},
      .claims = {BoundClaim("claim", "pv-1", "10Gi", false)},
  });
  cases.push_back({
      .name = "claim pre-bound to a volume that is too small",
      .objects = {Volume("pv-small", "1Gi"), Claim("claim", "5Gi", VolumeName("pv-small"))},
      .events = {{"claim", "Warning", "VolumeMismatch",
                  "Cannot bind to requested volume \"pv-small\": requested PV is too small"}},
      .volumes = {AvailableVolume("pv-small")},
      .claims = {PendingClaim("claim", "pv-small")},
  });
  cases.push_back({
      // One claim worker handles "first" before "second", as they were created.
      .name = "claim pre-bound to a volume bound to another claim waits",
      .objects = {Volume("pv-1", "1Gi"), Claim("first", "1Gi"),
                  Claim("second", "1Gi", VolumeName("pv-1"))},
      .events = {{"second", "Warning", "FailedBinding",
                  "volume \"pv-1\" already bound to a different claim."}},
      .volumes = {BoundVolume("pv-1", "first", true)},
      .claims = {BoundClaim("first", "pv-1", "1Gi", true), PendingClaim("second", "pv-1")},
  });

  // A bind someone else began: the scheduler's BindPodVolumes writes the volume's claimRef
  // (and bound-by-controller) and leaves the claim to the controller.
  cases.push_back({
      .name = "completes a bind the scheduler began",
      .objects = {Class(kLocal, kWFFC), Claim("claim", "1Gi", ClassName(kLocal)),
                  Volume("pv-1", "10Gi",
                         [](PersistentVolume& v) {
                           LocalOn("node-1")(v);
                           PreBind(v, "claim", "@uid");
                           (*v.mutable_metadata()->mutable_annotations())[kAnnBoundByController] =
                               "yes";
                         })},
      .volumes = {BoundVolume("pv-1", "claim", true)},
      .claims = {BoundClaim("claim", "pv-1", "10Gi", true)},
  });

  // [3] Claims bound before (pv.kubernetes.io/bind-completed).
  cases.push_back({
      .name = "bound claim without volumeName is Lost",
      .objects = {Claim("claim", "1Gi", BindCompleted(""))},
      .events = {{"claim", "Warning", "ClaimLost",
                  "Bound claim has lost reference to PersistentVolume. Data on the volume is "
                  "lost!"}},
      .claims = {LostClaim("claim", "")},
  });
  cases.push_back({
      .name = "bound claim whose volume is missing is Lost",
      .objects = {Claim("claim", "1Gi", BindCompleted("pv-gone"))},
      .events = {{"claim", "Warning", "ClaimLost",
                  "Bound claim has lost its PersistentVolume. Data on the volume is lost!"}},
      .claims = {LostClaim("claim", "pv-gone")},
  });
  cases.push_back({
      .name = "bound claim whose volume names another claim is misbound",
      .objects = {Volume("pv-1", "1Gi",
                         [](PersistentVolume& v) { PreBind(v, "other", "uid-of-other"); }),
                  Claim("claim", "1Gi", BindCompleted("pv-1"))},
      .events = {{"claim", "Warning", "ClaimMisbound",
                  "Two claims are bound to the same volume, this one is bound incorrectly"}},
      .volumes = {ReleasedVolume("pv-1", "other")},
      .claims = {LostClaim("claim", "pv-1")},
  });

  // [4] Volumes whose claim is bound to another volume, or gone.
  cases.push_back({
      .name = "volume bound by the controller to a claim bound elsewhere is reset to Available",
      .objects = {Volume("pv-2", "1Gi"), Claim("claim", "1Gi", VolumeName("pv-2")),
                  Volume("pv-1", "1Gi",
                         [](PersistentVolume& v) {
                           PreBind(v, "claim", "@uid");
                           (*v.mutable_metadata()->mutable_annotations())[kAnnBoundByController] =
                               "yes";
                         })},
      .volumes = {AvailableVolume("pv-1"), BoundVolume("pv-2", "claim", true)},
      .claims = {BoundClaim("claim", "pv-2", "1Gi", false)},
  });
  cases.push_back({
      .name = "volume pre-bound by a user to a claim bound elsewhere keeps its reservation",
      .objects = {Volume("pv-2", "1Gi"), Claim("claim", "1Gi", VolumeName("pv-2")),
                  Volume("pv-1", "1Gi", [](PersistentVolume& v) { PreBind(v, "claim", "@uid"); })},
      .volumes = {AvailableVolume("pv-1", "claim"), BoundVolume("pv-2", "claim", true)},
      .claims = {BoundClaim("claim", "pv-2", "1Gi", false)},
  });
  cases.push_back({
      .name = "volume bound to a claim that never existed is Released",
      .objects = {Volume("pv-1", "1Gi",
                         [](PersistentVolume& v) { PreBind(v, "ghost", "uid-of-ghost"); })},
      .volumes = {ReleasedVolume("pv-1", "ghost")},
  });
  return cases;
}

// gtest prints a failing case by its name.
void PrintTo(const BinderCase& c, std::ostream* os) { *os << c.name; }

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
