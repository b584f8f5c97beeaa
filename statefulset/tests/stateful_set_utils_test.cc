// Names, identity, revisions and claim ownership of a StatefulSet's pods, without a cluster.

#include "statefulset/stateful_set_utils.h"

#include <gtest/gtest.h>

#include "statefulset/tests/sts_env.h"

namespace lpv::statefulset {
namespace {

api::StatefulSet Set() {
  api::StatefulSet set = testing::ArticleStatefulSet();
  set.mutable_metadata()->set_namespace_("default");
  set.mutable_metadata()->set_uid("set-uid");
  return set;
}

api::Pod PodOf(const api::StatefulSet& set, int ordinal, const std::string& uid) {
  api::Pod pod = NewStatefulSetPod(set, ordinal, RevisionName(set));
  pod.mutable_metadata()->set_uid(uid);
  return pod;
}

TEST(StatefulSetUtilsTest, OrdinalsComeFromTheLastDashNumber) {
  struct Case {
    std::string name;
    std::string parent;
    int ordinal;
  };
  for (const Case& c : std::vector<Case>{{"local-test-0", "local-test", 0},
                                         {"local-test-12", "local-test", 12},
                                         {"web-a-3", "web-a", 3},
                                         {"local-test", "", -1},
                                         {"local-test-", "", -1},
                                         {"local-test-1a", "", -1},
                                         {"x-99999999999", "x", -1}}) {
    api::Pod pod;
    pod.mutable_metadata()->set_name(c.name);
    auto [parent, ordinal] = GetParentNameAndOrdinal(pod);
    EXPECT_EQ(ordinal, c.ordinal) << c.name;
    if (c.ordinal >= 0) {
      EXPECT_EQ(parent, c.parent) << c.name;
    }
  }
}

TEST(StatefulSetUtilsTest, NewPodHasTheSetsIdentityAndStorage) {
  api::StatefulSet set = Set();
  // A template volume named like a claim template is replaced by the claim.
  auto* v = set.mutable_spec()->mutable_template_()->mutable_spec()->add_volumes();
  v->set_name("local-vol");
  v->mutable_empty_dir();
  auto* other = set.mutable_spec()->mutable_template_()->mutable_spec()->add_volumes();
  other->set_name("scratch");
  other->mutable_empty_dir();

  api::Pod pod = NewStatefulSetPod(set, 1, "local-test-abc");
  EXPECT_EQ(pod.metadata().name(), "local-test-1");
  EXPECT_EQ(pod.metadata().namespace_(), "default");
  EXPECT_EQ(pod.metadata().labels().at(kStatefulSetPodNameLabel), "local-test-1");
  EXPECT_EQ(pod.metadata().labels().at(kPodIndexLabel), "1");
  EXPECT_EQ(pod.metadata().labels().at(kStatefulSetRevisionLabel), "local-test-abc");
  EXPECT_EQ(pod.spec().hostname(), "local-test-1");
  EXPECT_EQ(pod.spec().subdomain(), "local-service");
  ASSERT_EQ(pod.spec().volumes_size(), 2);
  EXPECT_EQ(pod.spec().volumes(0).name(), "local-vol");
  EXPECT_EQ(pod.spec().volumes(0).persistent_volume_claim().claim_name(), "local-vol-local-test-1");
  EXPECT_FALSE(pod.spec().volumes(0).has_empty_dir());
  EXPECT_EQ(pod.spec().volumes(1).name(), "scratch");
  EXPECT_TRUE(IdentityMatches(set, pod));
  EXPECT_TRUE(StorageMatches(set, pod));
  EXPECT_FALSE(IsCreated(pod));

  pod.mutable_metadata()->mutable_labels()->erase(kStatefulSetPodNameLabel);
  EXPECT_FALSE(IdentityMatches(set, pod));
  pod.mutable_spec()->mutable_volumes(0)->mutable_persistent_volume_claim()->set_claim_name("x");
  EXPECT_FALSE(StorageMatches(set, pod));
}

TEST(StatefulSetUtilsTest, ClaimsCarryTheSelectorLabels) {
  api::StatefulSet set = Set();
  (*set.mutable_spec()
        ->mutable_volume_claim_templates(0)
        ->mutable_metadata()
        ->mutable_labels())["tier"] = "db";
  auto claims = GetPersistentVolumeClaims(set, PodOf(set, 2, "p"));
  ASSERT_EQ(claims.size(), 1u);
  const auto& claim = claims.at("local-vol");
  EXPECT_EQ(claim.metadata().name(), "local-vol-local-test-2");
  EXPECT_EQ(claim.metadata().namespace_(), "default");
  EXPECT_EQ(claim.metadata().labels().at("app"), "local-test");
  EXPECT_EQ(claim.metadata().labels().at("tier"), "db");
  EXPECT_EQ(claim.spec().storage_class_name(), "local-storage");
}

TEST(StatefulSetUtilsTest, RevisionNameIsStableAndFollowsTheTemplate) {
  api::StatefulSet set = Set();
  std::string rev = RevisionName(set);
  EXPECT_EQ(rev, RevisionName(set));
  EXPECT_EQ(rev.rfind("local-test-", 0), 0u);
  for (char c : rev.substr(std::string("local-test-").size())) {
    EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos) << rev;
  }
  set.mutable_spec()->set_replicas(7);  // not the template: same revision
  EXPECT_EQ(RevisionName(set), rev);
  set.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image("x");
  EXPECT_NE(RevisionName(set), rev);
}

TEST(StatefulSetUtilsTest, SafeEncodeStringMapsBytesOntoTheSafeAlphabet) {
  // '0' is 48: 48 % 27 = 21 -> '4'; '9' is 57: 57 % 27 = 3 -> 'f'.
  EXPECT_EQ(SafeEncodeString("09"), "4f");
}

// Table-driven, as isClaimOwnerUpToDate's cases: which owner references each retention
// policy wants on the claim of a pod in range and of a pod scaled down.
TEST(StatefulSetUtilsTest, ClaimOwnersFollowTheRetentionPolicy) {
  struct Case {
    std::string name;
    std::string when_deleted, when_scaled;
    bool scaled_down;
    bool want_set_ref, want_pod_ref;
  };
  const std::vector<Case> cases = {
      {"retain, retain: no owners", "Retain", "Retain", false, false, false},
      {"retain, retain, scaled down: no owners", "Retain", "Retain", true, false, false},
      {"whenDeleted delete: the set", "Delete", "Retain", false, true, false},
      {"whenDeleted delete, scaled down: the set", "Delete", "Retain", true, true, false},
      {"whenScaled delete: none while in range", "Retain", "Delete", false, false, false},
      {"whenScaled delete, scaled down: the pod", "Retain", "Delete", true, false, true},
      {"both delete: the set while in range", "Delete", "Delete", false, true, false},
      {"both delete, scaled down: the pod", "Delete", "Delete", true, false, true},
  };
  for (const Case& c : cases) {
    api::StatefulSet set = Set();
    auto* policy = set.mutable_spec()->mutable_persistent_volume_claim_retention_policy();
    policy->set_when_deleted(c.when_deleted);
    policy->set_when_scaled(c.when_scaled);
    api::Pod pod = PodOf(set, 2, "pod-uid");
    if (c.scaled_down) set.mutable_spec()->set_replicas(2);
    api::PersistentVolumeClaim claim = GetPersistentVolumeClaims(set, pod).at("local-vol");

    bool start_up_to_date = !c.want_set_ref && !c.want_pod_ref;
    EXPECT_EQ(IsClaimOwnerUpToDate(claim, set, pod), start_up_to_date) << c.name;
    UpdateClaimOwnerRefForSetAndPod(&claim, set, pod);
    EXPECT_TRUE(IsClaimOwnerUpToDate(claim, set, pod)) << c.name;
    bool set_ref = false, pod_ref = false;
    for (const auto& ref : claim.metadata().owner_references()) {
      EXPECT_TRUE(ref.controller()) << c.name;
      if (ref.uid() == "set-uid") set_ref = true;
      if (ref.uid() == "pod-uid") pod_ref = true;
    }
    EXPECT_EQ(set_ref, c.want_set_ref) << c.name;
    EXPECT_EQ(pod_ref, c.want_pod_ref) << c.name;
    EXPECT_EQ(claim.metadata().owner_references_size(), (set_ref ? 1 : 0) + (pod_ref ? 1 : 0))
        << c.name;
  }
}

TEST(StatefulSetUtilsTest, ClaimsOfAnotherControllerOrAGonePodAreLeftAlone) {
  api::StatefulSet set = Set();
  set.mutable_spec()->mutable_persistent_volume_claim_retention_policy()->set_when_deleted(
      "Delete");
  api::Pod pod = PodOf(set, 0, "pod-uid");
  api::PersistentVolumeClaim claim = GetPersistentVolumeClaims(set, pod).at("local-vol");

  // A ref to a previous set of the same name: stale, not ours to fix.
  api::OwnerReference stale = NewControllerRef(set);
  stale.set_uid("old-set-uid");
  *claim.mutable_metadata()->add_owner_references() = stale;
  EXPECT_TRUE(IsClaimOwnerUpToDate(claim, set, pod));

  // Another controller: our refs are dropped and none added.
  claim.mutable_metadata()->clear_owner_references();
  api::OwnerReference other;
  other.set_api_version("v1");
  other.set_kind("ConfigMap");
  other.set_name("x");
  other.set_uid("other");
  other.set_controller(true);
  *claim.mutable_metadata()->add_owner_references() = other;
  *claim.mutable_metadata()->add_owner_references() = NewControllerRef(set);
  EXPECT_FALSE(IsClaimOwnerUpToDate(claim, set, pod));
  UpdateClaimOwnerRefForSetAndPod(&claim, set, pod);
  ASSERT_EQ(claim.metadata().owner_references_size(), 1);
  EXPECT_EQ(claim.metadata().owner_references(0).uid(), "other");

  // A claim owned by the previous pod of the name is stale for the pod about to be made.
  api::Pod new_pod = NewStatefulSetPod(set, 0, "r");
  claim.mutable_metadata()->clear_owner_references();
  *claim.mutable_metadata()->add_owner_references() = NewControllerRef(pod);
  EXPECT_TRUE(HasStaleOwnerRef(claim, new_pod));
  EXPECT_FALSE(HasStaleOwnerRef(claim, pod));
}

TEST(StatefulSetUtilsTest, AvailabilityWaitsMinReadySecondsAfterReady) {
  api::StatefulSet set = Set();
  api::Pod pod = PodOf(set, 0, "u");
  TimePoint t0 = TimePoint(std::chrono::seconds(1764000000));
  pod.mutable_status()->set_phase("Running");
  auto* ready = pod.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status("True");
  ready->set_last_transition_time(FormatRFC3339(t0));
  EXPECT_TRUE(IsRunningAndReady(pod));
  EXPECT_TRUE(IsRunningAndAvailable(pod, 0, t0));
  EXPECT_FALSE(IsRunningAndAvailable(pod, 10, t0 + std::chrono::seconds(10)));
  EXPECT_TRUE(IsRunningAndAvailable(pod, 10, t0 + std::chrono::seconds(11)));
  pod.mutable_metadata()->set_deletion_timestamp(FormatRFC3339(t0));
  EXPECT_FALSE(IsHealthy(pod));
}

}  // namespace
}  // namespace lpv::statefulset
