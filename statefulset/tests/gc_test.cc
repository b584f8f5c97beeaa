// The garbage collector's part (gc.h) in a StatefulSet's deletion, for each propagation
// policy: Foreground keeps the set until its pods are gone, Orphan leaves the pods (and the
// claims it owns) without their reference to it.

#include <gtest/gtest.h>

#include <algorithm>

#include "statefulset/tests/sts_env.h"

namespace lpv::statefulset {
namespace {

using namespace lpv::statefulset::testing;  // NOLINT: the env and its helpers
using api::PersistentVolumeClaim;
using api::Pod;
using api::StatefulSet;

bool HasFinalizer(const google::protobuf::Message& obj, const std::string& finalizer) {
  const auto& f = api::Meta(obj).finalizers();
  return std::find(f.begin(), f.end(), finalizer) != f.end();
}

Result<client::ObjectPtr> DeleteSet(StatefulSetEnv& env, const std::string& policy) {
  client::DeleteOptions options;
  options.propagation_policy = policy;
  return env.client()->Delete(SetKind(), kNamespace, "local-test", options);
}

TEST(GarbageCollectorTest, ForegroundDeletionKeepsTheSetUntilItsPodsAreGone) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  env.CreateSet(set);
  env.RunOrdered("local-test", 2, /*bind=*/true);  // on a node: each ends gracefully

  auto del = DeleteSet(env, "Foreground");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_TRUE(Terminating(**del));
  EXPECT_TRUE(HasFinalizer(**del, "foregroundDeletion"));

  // The collector deletes the pods; the kubelet has not confirmed either, so the set stays.
  env.WaitForPod("local-test-0", Terminating, "terminating");
  env.WaitForPod("local-test-1", Terminating, "terminating");
  auto waiting = env.client()->Get<StatefulSet>(kNamespace, "local-test");
  ASSERT_TRUE(waiting.ok()) << waiting.status().ToString();
  EXPECT_TRUE(HasFinalizer(*waiting, "foregroundDeletion"));

  // One pod gone, one left: still held.
  env.ConfirmDeletion("local-test-1");
  auto held = env.client()->Get<StatefulSet>(kNamespace, "local-test");
  ASSERT_TRUE(held.ok()) << "the set went while local-test-0 remained: "
                         << held.status().ToString();
  EXPECT_TRUE(Terminating(*held));

  env.ConfirmDeletion("local-test-0");
  env.WaitForGone(SetKind(), "local-test");
  // The claims were never the set's (Retain): they stay.
  for (const char* name : {"local-vol-local-test-0", "local-vol-local-test-1"}) {
    EXPECT_FALSE(Terminating(env.WaitForClaim(name))) << name;
  }
}

TEST(GarbageCollectorTest, OrphanDeletionLeavesPodsAndClaimsWithoutTheOwnerReference) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  // The set owns its claims too, so the orphaning covers them.
  set.mutable_spec()->mutable_persistent_volume_claim_retention_policy()->set_when_deleted(
      "Delete");
  env.CreateSet(set);
  env.RunOrdered("local-test", 2);
  env.WaitForClaim(
      "local-vol-local-test-1",
      [](const PersistentVolumeClaim& c) { return c.metadata().owner_references_size() == 1; },
      "owned by the set");
  // The collector orphans the dependents it knows of: it must have seen both claims owned
  // (a claim seen owned only after its owner is gone would be collected as dangling).
  for (const char* name : {"local-vol-local-test-0", "local-vol-local-test-1"}) {
    env.WaitForCached<PersistentVolumeClaim>(
        name,
        [](const PersistentVolumeClaim& c) { return c.metadata().owner_references_size() == 1; },
        "owned by the set");
  }

  auto del = DeleteSet(env, "Orphan");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_TRUE(HasFinalizer(**del, "orphan"));
  env.WaitForGone(SetKind(), "local-test");

  for (const char* name : {"local-test-0", "local-test-1"}) {
    Pod pod = env.WaitForPod(name);
    EXPECT_FALSE(Terminating(pod)) << name;
    EXPECT_EQ(pod.metadata().owner_references_size(), 0) << name;
  }
  for (const char* name : {"local-vol-local-test-0", "local-vol-local-test-1"}) {
    PersistentVolumeClaim claim = env.WaitForClaim(name);
    EXPECT_FALSE(Terminating(claim)) << name;
    EXPECT_EQ(claim.metadata().owner_references_size(), 0) << name;
  }
}

TEST(GarbageCollectorTest, ForegroundDeletionOfAnOwnerWithoutDependentsEndsAtOnce) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(0);
  env.CreateSet(set);
  env.WaitForStatus("local-test", 0, 0);
  ASSERT_TRUE(DeleteSet(env, "Foreground").ok());
  env.WaitForGone(SetKind(), "local-test");
}

}  // namespace
}  // namespace lpv::statefulset
