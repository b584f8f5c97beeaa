// What happens after binding, on a real in-process cluster: losing a volume, releasing it when
// its claim goes (and each reclaim policy), and the protection finalizers that make deleting
// in the wrong order wait visibly (Terminating).

#include <gtest/gtest.h>

#include "pvcontroller/annotations.h"
#include "pvcontroller/protection_util.h"
#include "pvcontroller/tests/controller_env.h"
#include "pvcontroller/tests/objects.h"

namespace lpv::pvcontroller {
namespace {

using api::PersistentVolume;
using api::PersistentVolumeClaim;
using namespace lpv::pvcontroller::testing;  // NOLINT: the builders

const api::KindInfo& PVKind() { return *api::KindOf(PersistentVolume::default_instance()); }
const api::KindInfo& PVCKind() { return *api::KindOf(PersistentVolumeClaim::default_instance()); }
const api::KindInfo& PodKind() { return *api::KindOf(api::Pod::default_instance()); }

// Creates the volume, waits until it is Available, creates the claim, waits until both are
// bound to each other.
void CreateBound(ControllerEnv& env, const PersistentVolume& pv, const PersistentVolumeClaim& pvc) {
  env.Create(pv);
  env.WaitForVolumePhase(pv.metadata().name(), kVolumeAvailable);
  env.Create(pvc);
  env.WaitForClaim(
      pvc.metadata().name(),
      [&](const PersistentVolumeClaim& c) {
        return c.status().phase() == kClaimBound && c.spec().volume_name() == pv.metadata().name();
      },
      "Bound to " + pv.metadata().name());
  env.WaitForVolumePhase(pv.metadata().name(), kVolumeBound);
}

// A single event about `object` with `reason`, checked whole.
void ExpectOneEvent(ControllerEnv& env, const std::string& object, const std::string& type,
                    const std::string& reason, const std::string& message) {
  auto events = env.WaitForEvents(object, reason);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), type);
  EXPECT_EQ(events[0].message(), message);
  EXPECT_EQ(events[0].source().component(), "persistentvolume-controller");
}

TEST(LifecycleTest, ClaimIsLostWhenItsVolumeIsDeleted) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env, Volume("pv-1", "1Gi"), Claim("claim", "1Gi"));

  // A bound volume is protected: deleting it leaves it Terminating. Take its finalizer off by
  // hand, as an administrator forcing it would.
  ASSERT_TRUE(env.client()->Delete(PVKind(), "", "pv-1").ok());
  env.WaitForVolume(
      "pv-1", [](const PersistentVolume& v) { return !v.metadata().deletion_timestamp().empty(); },
      "Terminating");
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto pv = env.client()->Get<PersistentVolume>("", "pv-1");
    ASSERT_TRUE(pv.ok());
    pv->mutable_metadata()->clear_finalizers();
    auto r = env.client()->UpdateTyped(*pv);
    if (r.ok() || !r.status().IsConflict()) break;
  }
  env.WaitForGone(PVKind(), "", "pv-1");

  ExpectOneEvent(env, "claim", "Warning", "ClaimLost",
                 "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
  auto claim = env.WaitForClaimPhase("claim", kClaimLost);
  EXPECT_EQ(claim.spec().volume_name(), "pv-1");
  EXPECT_TRUE(claim.status().capacity().empty());
  EXPECT_EQ(claim.status().access_modes_size(), 0);
}

TEST(LifecycleTest, RetainKeepsTheVolumeReleased) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env, Volume("pv-1", "1Gi"), Claim("claim", "1Gi"));
  auto claim = env.client()->Get<PersistentVolumeClaim>("default", "claim");
  ASSERT_TRUE(claim.ok());

  // No pod uses the claim: pvc-protection lets it go, and the volume is released.
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim").ok());
  env.WaitForGone(PVCKind(), "default", "claim");
  auto pv = env.WaitForVolumePhase("pv-1", kVolumeReleased);
  // Retain: the claimRef stays, uid included, until an administrator clears it; a new claim
  // of the same name does not get the old data.
  EXPECT_EQ(pv.spec().claim_ref().name(), "claim");
  EXPECT_EQ(pv.spec().claim_ref().uid(), claim->metadata().uid());
  EXPECT_EQ(pv.status().message(), "");
  // Kubernetes records no event when retaining.
  EXPECT_TRUE(env.Events("pv-1").empty());
}

TEST(LifecycleTest, DeleteWithoutADeleterFailsTheVolume) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  // A hand-made local volume with Delete: nothing in Kubernetes can delete local disks.
  CreateBound(env,
              Volume("pv-1", "1Gi",
                     [](PersistentVolume& v) {
                       OnNode("node-1")(v);
                       v.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
                     }),
              Claim("claim", "1Gi"));
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim").ok());

  const std::string message =
      "error getting deleter volume plugin for volume \"pv-1\": no deletable volume plugin matched";
  ExpectOneEvent(env, "pv-1", "Warning", "VolumeFailedDelete", message);
  auto pv = env.WaitForVolumePhase("pv-1", kVolumeFailed);
  EXPECT_EQ(pv.status().message(), message);
  EXPECT_EQ(pv.spec().claim_ref().name(), "claim");
}

TEST(LifecycleTest, DeleteOutsideTmpFailsAHostPathVolume) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env,
              Volume("pv-1", "1Gi",
                     [](PersistentVolume& v) {
                       v.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
                     }),
              Claim("claim", "1Gi"));
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim").ok());

  const std::string message =
      "host_path deleter only supports /tmp/.+ but received provided /mnt/data/pv-1";
  ExpectOneEvent(env, "pv-1", "Warning", "VolumeFailedDelete", message);
  EXPECT_EQ(env.WaitForVolumePhase("pv-1", kVolumeFailed).status().message(), message);
}

TEST(LifecycleTest, DeleteRemovesATmpHostPathVolume) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env,
              Volume("pv-1", "1Gi",
                     [](PersistentVolume& v) {
                       v.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
                       v.mutable_spec()->mutable_host_path()->set_path("/tmp/lpv-pv-1");
                     }),
              Claim("claim", "1Gi"));
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim").ok());
  // Released, deleted by the controller, its pv-protection finalizer removed: gone.
  env.WaitForGone(PVKind(), "", "pv-1");
}

TEST(LifecycleTest, DeleteLeavesAProvisionedVolumeToItsProvisioner) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env,
              Volume("local-pv-1a2b3c4d", "1Gi",
                     [](PersistentVolume& v) {
                       OnNode("node-1")(v);
                       v.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
                       (*v.mutable_metadata()->mutable_annotations())[kAnnDynamicallyProvisioned] =
                           "local-volume-provisioner-node-1-6e0bd6a2";
                     }),
              Claim("claim", "1Gi"));
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim").ok());
  // The local static provisioner wipes and deletes it; the controller only releases it.
  auto pv = env.WaitForVolumePhase("local-pv-1a2b3c4d", kVolumeReleased);
  EXPECT_EQ(pv.spec().claim_ref().name(), "claim");
  EXPECT_TRUE(pv.metadata().deletion_timestamp().empty());
}

TEST(ProtectionTest, ClaimInUseStaysTerminatingUntilThePodIsGone) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env, Volume("pv-a", "1Gi"), Claim("claim-a", "1Gi"));
  CreateBound(env, Volume("pv-b", "1Gi"), Claim("claim-b", "1Gi"));
  auto pod = env.Create(PodUsing("web-0", "claim-a", "node-1"));
  pod.mutable_status()->set_phase("Running");
  ASSERT_TRUE(env.client()->UpdateStatusTyped(pod).ok());

  // claim-a first, then claim-b: the pvc-protection controller handles them in that order, so
  // once claim-b (unused) is gone, claim-a has been looked at and kept.
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim-a").ok());
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim-b").ok());
  env.WaitForGone(PVCKind(), "default", "claim-b");
  auto kept = env.client()->Get<PersistentVolumeClaim>("default", "claim-a");
  ASSERT_TRUE(kept.ok()) << "a claim in use must stay: " << kept.status().ToString();
  EXPECT_FALSE(kept->metadata().deletion_timestamp().empty());
  EXPECT_TRUE(HasFinalizer(kept->metadata(), kPVCProtectionFinalizer));
  EXPECT_EQ(kept->status().phase(), kClaimBound);
  EXPECT_EQ(env.WaitForVolumePhase("pv-a", kVolumeBound).spec().claim_ref().name(), "claim-a");

  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(env.client()->Delete(PodKind(), "default", "web-0", now).ok());
  env.WaitForGone(PVCKind(), "default", "claim-a");
  // Deleting a bound claim releases its volume.
  EXPECT_EQ(env.WaitForVolumePhase("pv-a", kVolumeReleased).spec().claim_ref().name(), "claim-a");
}

TEST(ProtectionTest, BoundVolumeStaysTerminatingUntilReleased) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  CreateBound(env, Volume("pv-bound", "1Gi"), Claim("claim", "1Gi"));
  env.Create(Volume("pv-free", "1Gi"));
  env.WaitForVolumePhase("pv-free", kVolumeAvailable);

  // pv-bound first, then pv-free: once pv-free (not bound) is gone, the pv-protection
  // controller has looked at pv-bound and kept it.
  ASSERT_TRUE(env.client()->Delete(PVKind(), "", "pv-bound").ok());
  ASSERT_TRUE(env.client()->Delete(PVKind(), "", "pv-free").ok());
  env.WaitForGone(PVKind(), "", "pv-free");
  auto kept = env.client()->Get<PersistentVolume>("", "pv-bound");
  ASSERT_TRUE(kept.ok()) << "a bound volume must stay: " << kept.status().ToString();
  EXPECT_FALSE(kept->metadata().deletion_timestamp().empty());
  EXPECT_TRUE(HasFinalizer(kept->metadata(), kPVProtectionFinalizer));
  EXPECT_EQ(kept->status().phase(), kVolumeBound);

  // The right order's next step: the claim goes, the volume is Released, then gone.
  ASSERT_TRUE(env.client()->Delete(PVCKind(), "default", "claim").ok());
  env.WaitForGone(PVCKind(), "default", "claim");
  env.WaitForGone(PVKind(), "", "pv-bound");
}

TEST(ProtectionTest, FinalizerAddedToAClaimThatLacksIt) {
  ControllerEnv env;
  ASSERT_TRUE(env.ok());
  auto pvc = env.Create(Claim("claim", "1Gi"));
  // As if created before the admission plugin existed.
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto cur = env.client()->Get<PersistentVolumeClaim>("default", "claim");
    ASSERT_TRUE(cur.ok());
    cur->mutable_metadata()->clear_finalizers();
    auto r = env.client()->UpdateTyped(*cur);
    if (r.ok() || !r.status().IsConflict()) break;
  }
  env.WaitForClaim(
      "claim",
      [](const PersistentVolumeClaim& c) {
        return HasFinalizer(c.metadata(), kPVCProtectionFinalizer);
      },
      "protected again");
}

TEST(DelayBindingTest, EventNamesThePodWaitingForTheScheduler) {
  // Which event a sync records depends on the pods in the controller's cache; a short resync
  // lets the test wait for it however the informers raced.
  PersistentVolumeController::Options options;
  options.resync_period = std::chrono::milliseconds(100);
  ControllerEnv env(options);
  ASSERT_TRUE(env.ok());
  env.Create(Class("local-storage", "WaitForFirstConsumer"));
  env.Create(Volume("pv-1", "1Gi", [](PersistentVolume& v) {
    OnNode("node-1")(v);
    SetClass(v, "local-storage");
  }));
  env.Create(PodUsing("web-0", "claim", ""));
  env.Create(Claim("claim", "1Gi", ClassName("local-storage")));
  ExpectOneEvent(env, "claim", "Normal", "WaitForPodScheduled",
                 "waiting for pod web-0 to be scheduled");
  EXPECT_EQ(env.WaitForClaimPhase("claim", kClaimPending).spec().volume_name(), "");
}

}  // namespace
}  // namespace lpv::pvcontroller
