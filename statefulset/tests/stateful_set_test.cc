// The StatefulSet controller on a real in-process cluster, the test playing the kubelet:
// the article's local-test set, created in order, recreated, scaled, deleted.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "statefulset/stateful_set_utils.h"
#include "statefulset/tests/sts_env.h"

namespace lpv::statefulset {
namespace {

using namespace lpv::statefulset::testing;  // NOLINT: the env and its helpers
using api::PersistentVolumeClaim;
using api::Pod;
using api::StatefulSet;

std::string Label(const api::ObjectMeta& meta, const std::string& key) {
  auto it = meta.labels().find(key);
  return it == meta.labels().end() ? "<none>" : it->second;
}

TEST(StatefulSetTest, OrderedReadyCreatesEachOrdinalOnlyAfterThePreviousIsReady) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = env.CreateSet(ArticleStatefulSet());

  // Ordinal 0 first: its claim, then the pod.
  Pod pod0 = env.WaitForPod("local-test-0");
  PersistentVolumeClaim claim0 = env.WaitForClaim("local-vol-local-test-0");
  // The controller has synced with pod 0 Pending: pod 1 must not exist.
  env.WaitForStatus("local-test", 1, 0);
  EXPECT_FALSE(env.Exists(PodKind(), "local-test-1"));
  EXPECT_FALSE(env.Exists(ClaimKind(), "local-vol-local-test-1"));

  env.MakeReady("local-test-0");
  env.WaitForPod("local-test-1");
  env.WaitForStatus("local-test", 2, 1);
  EXPECT_FALSE(env.Exists(PodKind(), "local-test-2"));

  env.MakeReady("local-test-1");
  env.WaitForPod("local-test-2");
  env.WaitForStatus("local-test", 3, 2);
  env.MakeReady("local-test-2");
  StatefulSet done = env.WaitForStatus("local-test", 3, 3);

  const auto& st = done.status();
  EXPECT_EQ(st.replicas(), 3);
  EXPECT_EQ(st.ready_replicas(), 3);
  EXPECT_EQ(st.current_replicas(), 3);
  EXPECT_EQ(st.updated_replicas(), 3);
  EXPECT_EQ(st.available_replicas(), 3);
  EXPECT_EQ(st.observed_generation(), done.metadata().generation());
  EXPECT_EQ(st.current_revision(), st.update_revision());
  EXPECT_EQ(st.update_revision().rfind("local-test-", 0), 0u) << st.update_revision();

  // Identity: name, labels, owner, hostname and subdomain, the claim as a volume.
  EXPECT_EQ(pod0.metadata().generate_name(), "local-test-");
  EXPECT_EQ(Label(pod0.metadata(), "app"), "local-test");
  EXPECT_EQ(Label(pod0.metadata(), kStatefulSetPodNameLabel), "local-test-0");
  EXPECT_EQ(Label(pod0.metadata(), kPodIndexLabel), "0");
  EXPECT_EQ(Label(pod0.metadata(), kStatefulSetRevisionLabel), st.update_revision());
  ASSERT_EQ(pod0.metadata().owner_references_size(), 1);
  const auto& ref = pod0.metadata().owner_references(0);
  EXPECT_EQ(ref.api_version(), "apps/v1");
  EXPECT_EQ(ref.kind(), "StatefulSet");
  EXPECT_EQ(ref.name(), "local-test");
  EXPECT_EQ(ref.uid(), set.metadata().uid());
  EXPECT_TRUE(ref.controller());
  EXPECT_TRUE(ref.block_owner_deletion());
  EXPECT_EQ(pod0.spec().hostname(), "local-test-0");
  EXPECT_EQ(pod0.spec().subdomain(), "local-service");
  ASSERT_EQ(pod0.spec().volumes_size(), 1);
  EXPECT_EQ(pod0.spec().volumes(0).name(), "local-vol");
  EXPECT_EQ(pod0.spec().volumes(0).persistent_volume_claim().claim_name(),
            "local-vol-local-test-0");
  ASSERT_EQ(pod0.spec().containers_size(), 1);
  EXPECT_EQ(pod0.spec().containers(0).volume_mounts(0).name(), "local-vol");
  Pod pod2 = env.WaitForPod("local-test-2");
  EXPECT_EQ(Label(pod2.metadata(), kPodIndexLabel), "2");
  EXPECT_EQ(pod2.spec().volumes(0).persistent_volume_claim().claim_name(),
            "local-vol-local-test-2");

  // The claim: the template's spec, the set's selector labels, no owner (Retain).
  EXPECT_EQ(Label(claim0.metadata(), "app"), "local-test");
  EXPECT_EQ(claim0.metadata().owner_references_size(), 0);
  EXPECT_EQ(claim0.spec().storage_class_name(), "local-storage");
  EXPECT_EQ(claim0.spec().resources().requests().at("storage"), "368Gi");
  ASSERT_EQ(claim0.spec().access_modes_size(), 1);
  EXPECT_EQ(claim0.spec().access_modes(0), "ReadWriteOnce");
  EXPECT_EQ(claim0.status().phase(), "Pending");

  // The events, as `kubectl describe sts local-test` shows them.
  auto events = env.WaitForEvents("local-test", "SuccessfulCreate", 6);
  std::vector<std::string> messages = StatefulSetEnv::Messages(events);
  std::vector<std::string> want;
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    want.push_back("create Claim local-vol-local-test-" + n + " Pod local-test-" + n +
                   " in StatefulSet local-test success");
    want.push_back("create Pod local-test-" + n + " in StatefulSet local-test successful");
  }
  std::sort(messages.begin(), messages.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(messages, want);
  for (const auto& e : events) {
    EXPECT_EQ(e.type(), "Normal");
    EXPECT_EQ(e.count(), 1);
    EXPECT_EQ(e.source().component(), "statefulset-controller");
    EXPECT_EQ(e.involved_object().kind(), "StatefulSet");
    EXPECT_EQ(e.involved_object().uid(), set.metadata().uid());
  }
}

TEST(StatefulSetTest, ParallelCreatesEveryOrdinalAtOnce) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_pod_management_policy("Parallel");
  env.CreateSet(set);

  // No pod is ever made Ready, yet all three appear with their claims.
  for (int i = 0; i < 3; ++i) {
    env.WaitForPod("local-test-" + std::to_string(i));
    env.WaitForClaim("local-vol-local-test-" + std::to_string(i));
  }
  StatefulSet s = env.WaitForStatus("local-test", 3, 0);
  EXPECT_EQ(s.status().current_replicas(), 3);
  EXPECT_EQ(s.status().available_replicas(), 0);
}

// Several workers sync different sets at once (a set is never synced by two): each set
// still gets exactly its own pods and claims, and its status counts them.
TEST(StatefulSetTest, FiveWorkersSyncManySetsEachToItsOwnPodsAndClaims) {
  StatefulSetEnv env(/*workers=*/5);
  ASSERT_TRUE(env.ok());
  constexpr int kSets = 12;
  for (int s = 0; s < kSets; ++s) {
    StatefulSet set = ArticleStatefulSet();
    set.mutable_metadata()->set_name("set-" + std::to_string(s));
    set.mutable_spec()->set_pod_management_policy("Parallel");
    env.CreateSet(set);
  }
  for (int s = 0; s < kSets; ++s) {
    const std::string name = "set-" + std::to_string(s);
    StatefulSet set = env.WaitForStatus(name, 3, 0);
    EXPECT_EQ(set.status().current_replicas(), 3) << name;
    for (int i = 0; i < 3; ++i) {
      Pod pod = env.WaitForPod(name + "-" + std::to_string(i));
      ASSERT_EQ(pod.metadata().owner_references_size(), 1);
      EXPECT_EQ(pod.metadata().owner_references(0).uid(), set.metadata().uid());
      env.WaitForClaim("local-vol-" + name + "-" + std::to_string(i));
    }
  }
  client::ListOptions all;
  auto pods = env.client()->List(PodKind(), kNamespace, all);
  ASSERT_TRUE(pods.ok());
  EXPECT_EQ(pods->items.size(), 3u * kSets);
  auto claims = env.client()->List(ClaimKind(), kNamespace, all);
  ASSERT_TRUE(claims.ok());
  EXPECT_EQ(claims->items.size(), 3u * kSets);
}

TEST(StatefulSetTest, DeletedPodComesBackWithTheSameNameAndClaim) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  env.CreateSet(set);
  env.RunOrdered("local-test", 2, /*bind=*/true);
  Pod old0 = env.WaitForPod("local-test-0");
  Pod old1 = env.WaitForPod("local-test-1");
  PersistentVolumeClaim claim = env.WaitForClaim("local-vol-local-test-0");

  // The pod is on a node: deleting it only marks it Terminating until its kubelet confirms.
  ASSERT_TRUE(env.client()->Delete(PodKind(), kNamespace, "local-test-0").ok());
  // The controller has seen it terminating (no longer counted current) and waits.
  StatefulSet s = env.WaitForSet(
      "local-test", [](const StatefulSet& s) { return s.status().current_replicas() == 1; },
      "one current replica");
  EXPECT_EQ(s.status().replicas(), 2);
  Pod still = env.WaitForPod("local-test-0");
  EXPECT_EQ(still.metadata().uid(), old0.metadata().uid());
  EXPECT_TRUE(Terminating(still));

  env.ConfirmDeletion("local-test-0");
  Pod again = env.WaitForPod(
      "local-test-0", [&](const Pod& p) { return p.metadata().uid() != old0.metadata().uid(); },
      "recreated");
  EXPECT_FALSE(Terminating(again));
  EXPECT_EQ(again.spec().node_name(), "");
  EXPECT_EQ(again.status().phase(), "Pending");
  EXPECT_EQ(again.spec().volumes(0).persistent_volume_claim().claim_name(),
            "local-vol-local-test-0");
  // The same claim, never recreated; the other pod untouched.
  auto claim_now = env.client()->Get<PersistentVolumeClaim>(kNamespace, "local-vol-local-test-0");
  ASSERT_TRUE(claim_now.ok());
  EXPECT_EQ(claim_now->metadata().uid(), claim.metadata().uid());
  auto pod1 = env.client()->Get<Pod>(kNamespace, "local-test-1");
  ASSERT_TRUE(pod1.ok());
  EXPECT_EQ(pod1->metadata().uid(), old1.metadata().uid());

  // One "create Pod local-test-0" event, seen twice.
  env.WaitForSet(
      "local-test", [](const StatefulSet& s) { return s.status().replicas() == 2; }, "2 pods");
  client::ListOptions opts;
  opts.field_selector = "involvedObject.name=local-test,reason=SuccessfulCreate";
  auto folded = client::WaitForList(
      *env.client(), EventKind(), kNamespace,
      [](const std::vector<client::ObjectPtr>& items) {
        for (const auto& i : items) {
          const auto& e = static_cast<const api::Event&>(*i);
          if (e.message() == "create Pod local-test-0 in StatefulSet local-test successful" &&
              e.count() == 2) {
            return true;
          }
        }
        return false;
      },
      kWait, opts);
  EXPECT_TRUE(folded.ok()) << folded.status().ToString();
  // The claim existed: no second claim event.
  client::ListOptions claim_events;
  claim_events.field_selector = "involvedObject.name=local-test,reason=SuccessfulCreate";
  auto list = env.client()->List(EventKind(), kNamespace, claim_events);
  ASSERT_TRUE(list.ok());
  for (const auto& i : list->items) {
    const auto& e = static_cast<const api::Event&>(*i);
    if (e.message().rfind("create Claim", 0) == 0) {
      EXPECT_EQ(e.count(), 1) << e.message();
    }
  }
}

TEST(StatefulSetTest, FailedPodIsDeletedAndRecreated) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(1);
  env.CreateSet(set);
  Pod old = env.WaitForPod("local-test-0");
  env.SetPodStatus("local-test-0", "Failed", false);

  env.WaitForPod(
      "local-test-0", [&](const Pod& p) { return p.metadata().uid() != old.metadata().uid(); },
      "recreated");
  auto events = env.WaitForEvents("local-test", "SuccessfulDelete", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].message(), "delete Pod local-test-0 in StatefulSet local-test successful");
}

TEST(StatefulSetTest, ScaleDownDeletesTheHighestOrdinalFirstAndKeepsClaims) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(5);
  env.CreateSet(set);
  env.RunOrdered("local-test", 5, /*bind=*/true);

  StatefulSet scaled =
      env.UpdateSet("local-test", [](StatefulSet* s) { s->mutable_spec()->set_replicas(3); });
  // Pod 4 goes first; while it terminates, pod 3 is left alone.
  env.WaitForPod("local-test-4", Terminating, "terminating");
  env.WaitForSet(
      "local-test",
      [&](const StatefulSet& s) {
        return s.status().observed_generation() == scaled.metadata().generation() &&
               s.status().current_replicas() == 4;
      },
      "synced with pod 4 terminating");
  EXPECT_FALSE(Terminating(env.WaitForPod("local-test-3")));

  env.ConfirmDeletion("local-test-4");
  env.WaitForPod("local-test-3", Terminating, "terminating");
  EXPECT_FALSE(Terminating(env.WaitForPod("local-test-2")));
  env.ConfirmDeletion("local-test-3");

  StatefulSet s = env.WaitForStatus("local-test", 3, 3);
  EXPECT_EQ(s.status().current_replicas(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(env.Exists(PodKind(), "local-test-" + std::to_string(i)));
  // Every claim stays (whenScaled: Retain), ready for a scale up.
  for (int i = 0; i < 5; ++i) {
    auto claim = env.WaitForClaim("local-vol-local-test-" + std::to_string(i));
    EXPECT_FALSE(Terminating(claim)) << i;
    EXPECT_EQ(claim.metadata().owner_references_size(), 0) << i;
  }
  auto events = env.WaitForEvents("local-test", "SuccessfulDelete", 2);
  std::vector<std::string> messages = StatefulSetEnv::Messages(events);
  std::sort(messages.begin(), messages.end());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "delete Pod local-test-3 in StatefulSet local-test successful",
                          "delete Pod local-test-4 in StatefulSet local-test successful"}));

  // Scaling up again reuses the kept claims.
  auto claim3 = env.WaitForClaim("local-vol-local-test-3");
  env.UpdateSet("local-test", [](StatefulSet* s) { s->mutable_spec()->set_replicas(4); });
  Pod pod3 = env.WaitForPod(
      "local-test-3", [](const Pod& p) { return !Terminating(p); }, "back");
  EXPECT_EQ(pod3.spec().volumes(0).persistent_volume_claim().claim_name(),
            "local-vol-local-test-3");
  auto claim3_now = env.client()->Get<PersistentVolumeClaim>(kNamespace, "local-vol-local-test-3");
  ASSERT_TRUE(claim3_now.ok());
  EXPECT_EQ(claim3_now->metadata().uid(), claim3.metadata().uid());
}

TEST(StatefulSetTest, WhenScaledDeleteRemovesTheClaimsOfRemovedOrdinals) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  auto* policy = set.mutable_spec()->mutable_persistent_volume_claim_retention_policy();
  policy->set_when_scaled("Delete");
  policy->set_when_deleted("Retain");
  env.CreateSet(set);
  env.RunOrdered("local-test", 3);
  Pod pod2 = env.WaitForPod("local-test-2");

  env.UpdateSet("local-test", [](StatefulSet* s) { s->mutable_spec()->set_replicas(1); });
  // The pods are on no node: they go at once, 2 then 1. Their claims were handed to them
  // (owner: the pod) and go with them; the pvc-protection finalizer keeps each Terminating
  // until the protection controller (not running here) lets it go.
  env.WaitForGone(PodKind(), "local-test-2");
  env.WaitForGone(PodKind(), "local-test-1");
  for (const char* name : {"local-vol-local-test-2", "local-vol-local-test-1"}) {
    auto claim = env.WaitForClaim(name, Terminating, "terminating");
    ASSERT_EQ(claim.metadata().owner_references_size(), 1) << name;
    EXPECT_EQ(claim.metadata().owner_references(0).kind(), "Pod");
    EXPECT_TRUE(claim.metadata().owner_references(0).controller());
  }
  auto claim2 = env.client()->Get<PersistentVolumeClaim>(kNamespace, "local-vol-local-test-2");
  ASSERT_TRUE(claim2.ok());
  EXPECT_EQ(claim2->metadata().owner_references(0).name(), "local-test-2");
  EXPECT_EQ(claim2->metadata().owner_references(0).uid(), pod2.metadata().uid());

  env.WaitForStatus("local-test", 1, 1);
  auto claim0 = env.WaitForClaim("local-vol-local-test-0");
  EXPECT_FALSE(Terminating(claim0));
  EXPECT_EQ(claim0.metadata().owner_references_size(), 0);
}

TEST(StatefulSetTest, DeletingTheSetDeletesItsPodsAndKeepsClaimsUnderRetain) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  env.CreateSet(set);
  env.WaitForPod("local-test-0");
  env.Bind("local-test-0");  // on a node: ends gracefully
  env.MakeReady("local-test-0");
  env.WaitForPod("local-test-1");  // on no node: ends at once
  env.MakeReady("local-test-1");
  env.WaitForStatus("local-test", 2, 2);

  ASSERT_TRUE(env.client()->Delete(SetKind(), kNamespace, "local-test").ok());
  env.WaitForGone(PodKind(), "local-test-1");
  env.WaitForPod("local-test-0", Terminating, "terminating");
  env.ConfirmDeletion("local-test-0");

  for (const char* name : {"local-vol-local-test-0", "local-vol-local-test-1"}) {
    auto claim = env.WaitForClaim(name);
    EXPECT_FALSE(Terminating(claim)) << name;
  }
}

TEST(StatefulSetTest, WhenDeletedDeleteRemovesTheClaimsWithTheSet) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  set.mutable_spec()->mutable_persistent_volume_claim_retention_policy()->set_when_deleted(
      "Delete");
  StatefulSet created = env.CreateSet(set);
  env.RunOrdered("local-test", 2);

  // While the set lives, it owns the claims.
  for (const char* name : {"local-vol-local-test-0", "local-vol-local-test-1"}) {
    auto claim = env.WaitForClaim(
        name,
        [](const PersistentVolumeClaim& c) { return c.metadata().owner_references_size() == 1; },
        "owned");
    const auto& ref = claim.metadata().owner_references(0);
    EXPECT_EQ(ref.kind(), "StatefulSet");
    EXPECT_EQ(ref.name(), "local-test");
    EXPECT_EQ(ref.uid(), created.metadata().uid());
    EXPECT_TRUE(ref.controller());
  }

  ASSERT_TRUE(env.client()->Delete(SetKind(), kNamespace, "local-test").ok());
  env.WaitForGone(PodKind(), "local-test-0");
  env.WaitForGone(PodKind(), "local-test-1");
  env.WaitForClaim("local-vol-local-test-0", Terminating, "terminating");
  env.WaitForClaim("local-vol-local-test-1", Terminating, "terminating");
}

TEST(StatefulSetTest, MinReadySecondsHoldsTheNextOrdinalOnTheFakeClock) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  set.mutable_spec()->set_min_ready_seconds(10);
  env.CreateSet(set);
  env.WaitForPod("local-test-0");
  env.MakeReady("local-test-0");

  // Ready, not yet available: pod 1 waits.
  StatefulSet s = env.WaitForStatus("local-test", 1, 1);
  EXPECT_EQ(s.status().available_replicas(), 0);
  EXPECT_FALSE(env.Exists(PodKind(), "local-test-1"));

  // minReadySeconds later (and the second Kubernetes adds), pod 0 is available.
  env.clock().Step(std::chrono::seconds(11));
  env.WaitForPod("local-test-1");
  s = env.WaitForSet(
      "local-test",
      [](const StatefulSet& s) {
        return s.status().replicas() == 2 && s.status().available_replicas() == 1;
      },
      "1 available of 2");
  EXPECT_EQ(s.status().ready_replicas(), 1);
}

TEST(StatefulSetTest, TemplateChangeRollsPodsFromTheHighestOrdinal) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_replicas(2);
  env.CreateSet(set);
  env.RunOrdered("local-test", 2);
  StatefulSet before = env.WaitForStatus("local-test", 2, 2);
  std::string old_revision = before.status().update_revision();

  StatefulSet updated = env.UpdateSet("local-test", [](StatefulSet* s) {
    (*s->mutable_spec()->mutable_template_()->mutable_metadata()->mutable_annotations())["v"] = "2";
  });
  // The new revision; pod 1 is replaced first, then (once it is ready) pod 0.
  StatefulSet rolling = env.WaitForSet(
      "local-test",
      [&](const StatefulSet& s) {
        return s.status().observed_generation() == updated.metadata().generation();
      },
      "observed the new template");
  std::string new_revision = rolling.status().update_revision();
  EXPECT_NE(new_revision, old_revision);
  EXPECT_EQ(rolling.status().current_revision(), old_revision);

  Pod pod1 = env.WaitForPod(
      "local-test-1", [&](const Pod& p) { return GetPodRevision(p) == new_revision; },
      "at the new revision");
  EXPECT_EQ(GetPodRevision(env.WaitForPod("local-test-0")), old_revision);
  env.MakeReady("local-test-1");
  env.WaitForPod(
      "local-test-0", [&](const Pod& p) { return GetPodRevision(p) == new_revision; },
      "at the new revision");
  env.MakeReady("local-test-0");
  StatefulSet done = env.WaitForSet(
      "local-test",
      [&](const StatefulSet& s) {
        return s.status().current_revision() == new_revision && s.status().ready_replicas() == 2;
      },
      "rolled");
  EXPECT_EQ(done.status().current_replicas(), 2);
  EXPECT_EQ(done.status().updated_replicas(), 2);
}

TEST(StatefulSetTest, ParallelScaleDownDeletesEveryCondemnedPodAtOnce) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->set_pod_management_policy("Parallel");
  env.CreateSet(set);
  env.WaitForStatus("local-test", 3, 0);

  // Nothing is ready, and Parallel does not care: both condemned pods go.
  env.UpdateSet("local-test", [](StatefulSet* s) { s->mutable_spec()->set_replicas(1); });
  env.WaitForGone(PodKind(), "local-test-2");
  env.WaitForGone(PodKind(), "local-test-1");
  env.WaitForStatus("local-test", 1, 0);
  EXPECT_TRUE(env.Exists(ClaimKind(), "local-vol-local-test-1"));
  EXPECT_TRUE(env.Exists(ClaimKind(), "local-vol-local-test-2"));
}

TEST(StatefulSetTest, ClaimOfTheRemovedPodBlocksItsReturnUntilGone) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet set = ArticleStatefulSet();
  set.mutable_spec()->mutable_persistent_volume_claim_retention_policy()->set_when_scaled("Delete");
  env.CreateSet(set);
  env.RunOrdered("local-test", 3);
  PersistentVolumeClaim old_claim = env.WaitForClaim("local-vol-local-test-2");

  env.UpdateSet("local-test", [](StatefulSet* s) { s->mutable_spec()->set_replicas(2); });
  env.WaitForGone(PodKind(), "local-test-2");
  env.WaitForClaim("local-vol-local-test-2", Terminating, "terminating");

  // Back to 3 while the old claim is still Terminating (held by pvc-protection): it belongs
  // to the old pod, so the new pod 2 must wait rather than mount it.
  StatefulSet up =
      env.UpdateSet("local-test", [](StatefulSet* s) { s->mutable_spec()->set_replicas(3); });
  env.WaitForSet(
      "local-test",
      [&](const StatefulSet& s) {
        return s.status().observed_generation() == up.metadata().generation();
      },
      "synced with 3 replicas");
  EXPECT_FALSE(env.Exists(PodKind(), "local-test-2"));

  // The protection controller's part: the finalizer goes, and so does the claim.
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto claim = env.client()->Get<PersistentVolumeClaim>(kNamespace, "local-vol-local-test-2");
    ASSERT_TRUE(claim.ok());
    claim->mutable_metadata()->clear_finalizers();
    auto r = env.client()->UpdateTyped(*claim);
    if (r.ok() || !r.status().IsConflict()) break;
  }
  Pod pod2 = env.WaitForPod("local-test-2");
  PersistentVolumeClaim new_claim = env.WaitForClaim(
      "local-vol-local-test-2",
      [&](const PersistentVolumeClaim& c) {
        return c.metadata().uid() != old_claim.metadata().uid();
      },
      "made again");
  EXPECT_FALSE(Terminating(new_claim));
  EXPECT_EQ(pod2.spec().volumes(0).persistent_volume_claim().claim_name(),
            "local-vol-local-test-2");

  // The wait was silent: no FailedCreate before the second "create Pod local-test-2" (the
  // recorder writes events in order).
  client::ListOptions opts;
  opts.field_selector = "involvedObject.name=local-test,reason=SuccessfulCreate";
  auto created = client::WaitForList(
      *env.client(), EventKind(), kNamespace,
      [](const std::vector<client::ObjectPtr>& items) {
        for (const auto& i : items) {
          const auto& e = static_cast<const api::Event&>(*i);
          if (e.message() == "create Pod local-test-2 in StatefulSet local-test successful") {
            return e.count() == 2;
          }
        }
        return false;
      },
      kWait, opts);
  EXPECT_TRUE(created.ok()) << created.status().ToString();
  opts.field_selector = "involvedObject.name=local-test,reason=FailedCreate";
  auto failed = env.client()->List(EventKind(), kNamespace, opts);
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->items.empty());
}

// An orphan pod's event reaches the set whose selector matches it, whether the selector
// has matchLabels (the set is indexed by one of them) or only matchExpressions. The
// controller's clock never moves, so no resync could sync the sets instead.
TEST(StatefulSetTest, AnOrphanPodWakesTheSetsThatSelectItByLabelsOrExpressions) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  auto make_set = [](const std::string& name, const api::LabelSelector& selector,
                     const std::map<std::string, std::string>& labels) {
    StatefulSet set = ArticleStatefulSet();
    set.mutable_metadata()->set_name(name);
    set.mutable_spec()->set_replicas(0);
    *set.mutable_spec()->mutable_selector() = selector;
    auto* tl = set.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels();
    tl->clear();
    for (const auto& [k, v] : labels) (*tl)[k] = v;
    return set;
  };
  api::LabelSelector by_labels;
  (*by_labels.mutable_match_labels())["tier"] = "db";
  (*by_labels.mutable_match_labels())["app"] = "a";
  api::LabelSelector by_expressions;
  auto* expr = by_expressions.add_match_expressions();
  expr->set_key("role");
  expr->set_operator_("In");
  expr->add_values("cache");
  env.CreateSet(make_set("a", by_labels, {{"app", "a"}, {"tier", "db"}}));
  env.CreateSet(make_set("b", by_expressions, {{"role", "cache"}}));
  env.WaitForStatus("a", 0, 0);
  env.WaitForStatus("b", 0, 0);

  auto orphan = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_(kNamespace);
    for (const auto& [k, v] : labels) (*pod.mutable_metadata()->mutable_labels())[k] = v;
    auto* c = pod.mutable_spec()->add_containers();
    c->set_name("c");
    c->set_image("k8s.gcr.io/busybox");
    ASSERT_TRUE(env.client()->CreateTyped(pod).ok()) << name;
  };
  // Each set adopts its member and, with 0 replicas, deletes it.
  orphan("a-0", {{"app", "a"}, {"tier", "db"}, {"extra", "x"}});
  orphan("b-0", {{"role", "cache"}});
  env.WaitForGone(PodKind(), "a-0");
  env.WaitForGone(PodKind(), "b-0");
}

TEST(StatefulSetTest, DependentsOfGoneOwnersAreCleanedUp) {
  StatefulSetEnv env;
  ASSERT_TRUE(env.ok());
  StatefulSet live = env.CreateSet(ArticleStatefulSet());

  // A pod whose controller, a StatefulSet, no longer exists: deleted.
  Pod orphan;
  orphan.mutable_metadata()->set_name("web-0");
  orphan.mutable_metadata()->set_namespace_(kNamespace);
  auto* c = orphan.mutable_spec()->add_containers();
  c->set_name("c");
  c->set_image("k8s.gcr.io/busybox");
  api::OwnerReference gone_set;
  gone_set.set_api_version("apps/v1");
  gone_set.set_kind("StatefulSet");
  gone_set.set_name("web");
  gone_set.set_uid("0b1c0f0e-0000-4000-8000-000000000001");
  gone_set.set_controller(true);
  *orphan.mutable_metadata()->add_owner_references() = gone_set;
  ASSERT_TRUE(env.client()->CreateTyped(orphan).ok());
  env.WaitForGone(PodKind(), "web-0");

  // A claim with one owner gone and one alive: kept, without the dangling reference.
  PersistentVolumeClaim claim;
  claim.mutable_metadata()->set_name("data");
  claim.mutable_metadata()->set_namespace_(kNamespace);
  claim.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*claim.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "1Gi";
  api::OwnerReference gone_pod;
  gone_pod.set_api_version("v1");
  gone_pod.set_kind("Pod");
  gone_pod.set_name("web-1");
  gone_pod.set_uid("0b1c0f0e-0000-4000-8000-000000000002");
  *claim.mutable_metadata()->add_owner_references() = gone_pod;
  api::OwnerReference alive;
  alive.set_api_version("apps/v1");
  alive.set_kind("StatefulSet");
  alive.set_name("local-test");
  alive.set_uid(live.metadata().uid());
  *claim.mutable_metadata()->add_owner_references() = alive;
  ASSERT_TRUE(env.client()->CreateTyped(claim).ok());
  PersistentVolumeClaim kept = env.WaitForClaim(
      "data",
      [](const PersistentVolumeClaim& c) { return c.metadata().owner_references_size() == 1; },
      "left with one owner");
  EXPECT_EQ(kept.metadata().owner_references(0).uid(), live.metadata().uid());
  EXPECT_FALSE(Terminating(kept));
}

}  // namespace
}  // namespace lpv::statefulset
