// Several workers per queue (lpv's cluster runs four for claims and sixteen for volumes, so
// concurrent syncs share the store's group commits): every write is conditional on the
// resourceVersion read, so claims racing for the same volumes never bind one volume twice.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "client/thread_name.h"
#include "pvcontroller/tests/controller_env.h"
#include "pvcontroller/tests/objects.h"

namespace lpv::pvcontroller {
namespace {

using namespace lpv::pvcontroller::testing;  // NOLINT: the builders

TEST(WorkersTest, FourWorkersBindEachVolumeToOneClaim) {
  PersistentVolumeController::Options options;
  options.workers = 4;
  ControllerEnv env(options);
  ASSERT_TRUE(env.ok());
  constexpr int kVolumes = 12, kClaims = 24;
  for (int i = 0; i < kVolumes; ++i) env.Create(Volume("pv-" + std::to_string(i), "1Gi"));
  for (int i = 0; i < kVolumes; ++i) {
    env.WaitForVolumePhase("pv-" + std::to_string(i), kVolumeAvailable);
  }
  // Twice as many claims as volumes, all at once: every one fits every volume.
  for (int i = 0; i < kClaims; ++i) env.Create(Claim("claim-" + std::to_string(i), "1Gi"));

  auto bound = client::WaitForList(
      *env.client(), *api::KindOf(api::PersistentVolume::default_instance()), "",
      [](const std::vector<client::ObjectPtr>& items) {
        for (const auto& i : items) {
          if (static_cast<const api::PersistentVolume&>(*i).status().phase() != kVolumeBound) {
            return false;
          }
        }
        return true;
      },
      kWait);
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  std::map<std::string, std::string> claim_of;  // volume -> claim
  for (const auto& i : *bound) {
    const auto& pv = static_cast<const api::PersistentVolume&>(*i);
    claim_of[pv.metadata().name()] = pv.spec().claim_ref().name();
  }
  // Each volume's claim is Bound to it, so no two volumes share a claim either.
  std::set<std::string> claims;
  for (const auto& [volume, claim] : claim_of) {
    EXPECT_TRUE(claims.insert(claim).second) << claim << " holds two volumes";
    auto c = env.WaitForClaim(
        claim,
        [&](const api::PersistentVolumeClaim& c) {
          return c.status().phase() == kClaimBound && c.spec().volume_name() == volume;
        },
        "Bound to " + volume);
    EXPECT_EQ(c.spec().volume_name(), volume);
  }
  EXPECT_EQ(claims.size(), static_cast<size_t>(kVolumes));
  // The others stay Pending, bound to nothing.
  auto list = env.client()->List(*api::KindOf(api::PersistentVolumeClaim::default_instance()),
                                 "default");
  ASSERT_TRUE(list.ok());
  int pending = 0;
  for (const auto& i : list->items) {
    const auto& c = static_cast<const api::PersistentVolumeClaim&>(*i);
    if (claims.count(c.metadata().name())) continue;
    EXPECT_EQ(c.status().phase(), kClaimPending) << c.metadata().name();
    EXPECT_TRUE(c.spec().volume_name().empty()) << c.metadata().name();
    ++pending;
  }
  EXPECT_EQ(pending, kClaims - kVolumes);
}

// The volume queue may have more workers than the claim queue (lpv's cluster: 16 and 4, so
// a new fleet's PVs turn Available in large group commits), and they make every volume
// Available.
TEST(WorkersTest, VolumeWorkersAreCountedApartFromClaimWorkers) {
  PersistentVolumeController::Options options;
  options.workers = 2;
  options.volume_workers = 5;
  ControllerEnv env(options);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(client::ThreadsNamed("pv-claims"), 2);
  EXPECT_EQ(client::ThreadsNamed("pv-volumes"), 5);
  constexpr int kVolumes = 20;
  for (int i = 0; i < kVolumes; ++i) env.Create(Volume("pv-" + std::to_string(i), "1Gi"));
  for (int i = 0; i < kVolumes; ++i) {
    env.WaitForVolumePhase("pv-" + std::to_string(i), kVolumeAvailable);
  }
}

}  // namespace
}  // namespace lpv::pvcontroller
