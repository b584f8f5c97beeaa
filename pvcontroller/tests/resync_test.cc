// The periodic resync, on a FakeClock: a claim that found no volume is bound only when the
// resync period elapses, as in Kubernetes (a new volume does not wake unbound claims; the
// 15 s --pvclaimbinder-sync-period does).

#include <gtest/gtest.h>

#include "pvcontroller/annotations.h"
#include "pvcontroller/tests/controller_env.h"
#include "pvcontroller/tests/objects.h"

namespace lpv::pvcontroller {
namespace {

using api::PersistentVolumeClaim;
using namespace lpv::pvcontroller::testing;  // NOLINT: the builders

// A controller on a FakeClock with Kubernetes' 15 s resync period.
class ResyncTest : public ::testing::Test {
 protected:
  static PersistentVolumeController::Options WithResync(FakeClock* clock) {
    PersistentVolumeController::Options options;
    options.clock = clock;
    options.resync_period = std::chrono::seconds(15);
    return options;
  }
  void SetUp() override { ASSERT_TRUE(env.ok()); }

  FakeClock clock;
  ControllerEnv env{WithResync(&clock)};
};

TEST_F(ResyncTest, ResyncBindsAClaimToAVolumeCreatedAfterIt) {
  env.Create(Claim("claim", "1Gi"));
  auto events = env.WaitForEvents("claim", "FailedBinding");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].message(),
            "no persistent volumes available for this claim and no storage class is set");

  env.Create(Volume("pv-1", "1Gi"));
  env.WaitForVolumePhase("pv-1", kVolumeAvailable);
  // The volume's arrival does not sync the claim.
  auto pending = env.client()->Get<PersistentVolumeClaim>("default", "claim");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->status().phase(), kClaimPending);
  EXPECT_EQ(pending->spec().volume_name(), "");

  clock.Step(std::chrono::seconds(15));
  auto bound = env.WaitForClaim(
      "claim",
      [](const PersistentVolumeClaim& c) {
        return c.status().phase() == kClaimBound && c.spec().volume_name() == "pv-1";
      },
      "Bound by the resync");
  EXPECT_EQ(bound.metadata().annotations().at(kAnnBindCompleted), "yes");
  env.WaitForVolumePhase("pv-1", kVolumeBound);
}

// A claim bound both ways whose own phase is behind: Lost while its volume was missing, the
// volume then created bound to it. The volume's sync sets the volume Bound; the claim's
// next sync (the resync, or one its own Lost write queued, if that runs after the volume
// exists) runs bind(), whose steps find only the claim's status to write.
TEST_F(ResyncTest, ResyncSetsBoundAClaimWhoseVolumeCameBack) {
  PersistentVolumeClaim claim = Claim("claim", "1Gi");
  (*claim.mutable_metadata()->mutable_annotations())[kAnnBindCompleted] = "yes";
  claim.mutable_spec()->set_volume_name("pv-1");
  env.Create(claim);
  auto lost = env.WaitForClaim(
      "claim", [](const PersistentVolumeClaim& c) { return c.status().phase() == kClaimLost; },
      "Lost: its volume does not exist");

  env.Create(Volume("pv-1", "10Gi", [&](api::PersistentVolume& v) {
    PreBind(v, "claim", lost.metadata().uid());
  }));
  env.WaitForVolumePhase("pv-1", kVolumeBound);
  clock.Step(std::chrono::seconds(15));
  auto bound = env.WaitForClaim(
      "claim", [](const PersistentVolumeClaim& c) { return c.status().phase() == kClaimBound; },
      "Bound by the resync");
  EXPECT_EQ(bound.status().capacity().at("storage"), "10Gi");
  ASSERT_EQ(bound.status().access_modes_size(), 1);
  EXPECT_EQ(bound.status().access_modes(0), "ReadWriteOnce");
}

}  // namespace
}  // namespace lpv::pvcontroller
