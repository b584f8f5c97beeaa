// The scheduling queue on a FakeClock: backoff, moves on cluster events, the 5-minute
// flush, and no busy loop (nothing becomes active without time passing or an event).
#include "scheduler/scheduling_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "scheduler/tests/objects.h"

namespace lpv::scheduler {
namespace {

using namespace testing;  // NOLINT
using std::chrono::milliseconds;
using std::chrono::seconds;
using Where = SchedulingQueue::Where;

constexpr milliseconds kNoWait{0};

class QueueTest : public ::testing::Test {
 protected:
  PodRef Pod(const std::string& name, int priority = 0) {
    auto p = MakePod(name, {});
    if (priority) p.mutable_spec()->set_priority(priority);
    return Ref(p);
  }
  // Pops a pod and fails it as unschedulable in that same cycle.
  void PopAndFail(const std::string& name) {
    auto qi = q_.PopFor(kNoWait);
    ASSERT_TRUE(qi.has_value());
    ASSERT_EQ(qi->key, "default/" + name);
    ASSERT_TRUE(q_.AddUnschedulableIfNotPresent(*qi, q_.SchedulingCycle()).ok());
  }

  FakeClock clock_;
  SchedulingQueue q_{&clock_};
};

TEST_F(QueueTest, PopsByPriorityThenAge) {
  q_.Add(Pod("old"));
  clock_.Step(seconds(1));
  q_.Add(Pod("young"));
  q_.Add(Pod("important", 10));
  EXPECT_EQ(q_.PopFor(kNoWait)->key, "default/important");
  EXPECT_EQ(q_.PopFor(kNoWait)->key, "default/old");
  EXPECT_EQ(q_.PopFor(kNoWait)->key, "default/young");
  EXPECT_FALSE(q_.PopFor(kNoWait).has_value());
  EXPECT_EQ(q_.SchedulingCycle(), 3);
}

TEST_F(QueueTest, BackoffDoublesFromOneSecondToTen) {
  EXPECT_EQ(q_.BackoffDuration(1), seconds(1));
  EXPECT_EQ(q_.BackoffDuration(2), seconds(2));
  EXPECT_EQ(q_.BackoffDuration(3), seconds(4));
  EXPECT_EQ(q_.BackoffDuration(4), seconds(8));
  EXPECT_EQ(q_.BackoffDuration(5), seconds(10));
  EXPECT_EQ(q_.BackoffDuration(50), seconds(10));
}

TEST_F(QueueTest, ABackoffEndsOnTheClockAndNotBefore) {
  q_.Add(Pod("p"));
  auto qi = q_.PopFor(kNoWait);
  ASSERT_TRUE(q_.AddBackoff(*qi).ok());
  EXPECT_EQ(q_.Locate("default/p"), Where::Backoff);
  EXPECT_EQ(*q_.BackoffExpiry("default/p"), clock_.Now() + seconds(1));
  clock_.Step(milliseconds(999));
  EXPECT_FALSE(q_.PopFor(kNoWait).has_value());
  clock_.Step(milliseconds(1));
  qi = q_.PopFor(kNoWait);
  ASSERT_TRUE(qi.has_value());
  EXPECT_EQ(qi->attempts, 2);
  EXPECT_EQ(qi->activated_by, "backoff completed");
  // The second failure backs off for 2 s.
  ASSERT_TRUE(q_.AddBackoff(*qi).ok());
  clock_.Step(milliseconds(1999));
  EXPECT_FALSE(q_.PopFor(kNoWait).has_value());
  clock_.Step(milliseconds(1));
  EXPECT_TRUE(q_.PopFor(kNoWait).has_value());
}

TEST_F(QueueTest, UnschedulablePodsWaitForAnEventWithoutBusyLooping) {
  q_.Add(Pod("p"));
  PopAndFail("p");
  EXPECT_EQ(q_.Locate("default/p"), Where::Unschedulable);
  // Time alone (short of the 5-minute flush) brings nothing back, and only the flush timer
  // is pending: nothing polls.
  EXPECT_EQ(clock_.PendingTimers(), 1u);
  clock_.Step(seconds(60));
  EXPECT_FALSE(q_.PopFor(kNoWait).has_value());
  EXPECT_EQ(q_.Locate("default/p"), Where::Unschedulable);
  // A PV appears: the pod (backoff long over) goes straight to activeQ.
  q_.MoveAllToActiveOrBackoffQueue("PersistentVolume pv-1 added");
  auto qi = q_.PopFor(kNoWait);
  ASSERT_TRUE(qi.has_value());
  EXPECT_EQ(qi->activated_by, "PersistentVolume pv-1 added");
}

TEST_F(QueueTest, WithoutPopFromBackoffQAMoveDuringBackoffWaitsForTheBackoff) {
  SchedulingQueue q(&clock_, QueueOptions{.pop_from_backoff_q = false});
  q.Add(Pod("p"));
  auto popped = q.PopFor(kNoWait);
  ASSERT_TRUE(q.AddUnschedulableIfNotPresent(*popped, q.SchedulingCycle()).ok());
  clock_.Step(milliseconds(300));
  q.MoveAllToActiveOrBackoffQueue("PersistentVolumeClaim default/data changed");
  EXPECT_EQ(q.Locate("default/p"), Where::Backoff);
  EXPECT_FALSE(q.PopFor(kNoWait).has_value());
  clock_.Step(milliseconds(700));
  auto qi = q.PopFor(kNoWait);
  ASSERT_TRUE(qi.has_value());
  EXPECT_EQ(qi->activated_by, "PersistentVolumeClaim default/data changed, after its backoff");
}

// SchedulerPopFromBackoffQ (on by default since Kubernetes 1.33): an idle scheduler does
// not wait out the backoff of a pod a cluster event moved; a busy one still does.
TEST_F(QueueTest, AnIdleQueuePopsAMovedPodBeforeItsBackoffEnds) {
  q_.Add(Pod("p"));
  PopAndFail("p");
  clock_.Step(milliseconds(300));
  q_.MoveAllToActiveOrBackoffQueue("PersistentVolumeClaim default/data changed");
  EXPECT_EQ(q_.Locate("default/p"), Where::Backoff);
  // Another pod in activeQ goes first.
  q_.Add(Pod("other"));
  EXPECT_EQ(q_.PopFor(kNoWait)->key, "default/other");
  // Now activeQ is empty: the backing-off pod is taken without the clock moving.
  auto qi = q_.PopFor(kNoWait);
  ASSERT_TRUE(qi.has_value());
  EXPECT_EQ(qi->key, "default/p");
  EXPECT_EQ(qi->attempts, 2);
  EXPECT_EQ(qi->activated_by,
            "PersistentVolumeClaim default/data changed, popped from backoffQ before its "
            "backoff ended: activeQ was empty");
  EXPECT_EQ(q_.Locate("default/p"), Where::InFlight);
  EXPECT_EQ(q_.NumBackoff(), 0u);
}

// Pop blocks while nothing is queued; a move to backoffQ is enough to answer it.
TEST_F(QueueTest, APopBlockedOnAnEmptyQueueGetsAPodMovedToBackoffQ) {
  q_.Add(Pod("p"));
  PopAndFail("p");
  std::optional<QueuedPodInfo> got;
  std::thread popper([&] { got = q_.Pop(); });
  q_.MoveAllToActiveOrBackoffQueue("PersistentVolume pv-1 added");
  popper.join();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->key, "default/p");
}

TEST_F(QueueTest, AMoveWhileThePodIsBeingScheduledIsNotLost) {
  q_.Add(Pod("p"));
  auto qi = q_.PopFor(kNoWait);
  int64_t cycle = q_.SchedulingCycle();
  // The PV this pod needed arrives while its cycle runs on the old snapshot.
  q_.MoveAllToActiveOrBackoffQueue("PersistentVolume pv-1 added");
  ASSERT_TRUE(q_.AddUnschedulableIfNotPresent(*qi, cycle).ok());
  EXPECT_EQ(q_.Locate("default/p"), Where::Backoff);
  clock_.Step(seconds(1));
  EXPECT_TRUE(q_.PopFor(kNoWait).has_value());
}

TEST_F(QueueTest, UnschedulablePodsAreFlushedAfterFiveMinutes) {
  q_.Add(Pod("p"));
  PopAndFail("p");
  clock_.Step(seconds(299));
  EXPECT_FALSE(q_.PopFor(kNoWait).has_value());
  clock_.Step(seconds(1));
  auto qi = q_.PopFor(kNoWait);
  ASSERT_TRUE(qi.has_value());
  EXPECT_EQ(qi->activated_by, "unschedulable for too long");
}

TEST_F(QueueTest, StatusOnlyUpdatesDoNotMoveAnUnschedulablePod) {
  auto pod = Pod("p");
  q_.Add(pod);
  PopAndFail("p");
  // The scheduler's own PodScheduled=False write comes back as an update.
  auto with_status = std::make_shared<api::Pod>(*pod);
  with_status->mutable_metadata()->set_resource_version("2");
  auto* cond = with_status->mutable_status()->add_conditions();
  cond->set_type("PodScheduled");
  cond->set_status("False");
  q_.Update(pod, with_status);
  EXPECT_EQ(q_.Locate("default/p"), Where::Unschedulable);
  // A real change (a new toleration) does.
  auto changed = std::make_shared<api::Pod>(*with_status);
  changed->mutable_spec()->add_tolerations()->set_key("dedicated");
  q_.Update(with_status, changed);
  EXPECT_EQ(q_.Locate("default/p"), Where::Backoff);
}

TEST_F(QueueTest, PodsWaitingForVolumesMoveOnlyWhenActivated) {
  q_.Add(Pod("p"));
  auto qi = q_.PopFor(kNoWait);
  ASSERT_TRUE(q_.AddWaitingForVolumes(*qi, q_.SchedulingCycle()).ok());
  EXPECT_EQ(q_.Locate("default/p"), Where::WaitingForVolumes);
  // Unrelated events leave it parked...
  q_.MoveAllToActiveOrBackoffQueue("PersistentVolume pv-9 changed");
  EXPECT_EQ(q_.Locate("default/p"), Where::WaitingForVolumes);
  // ...its own claim's change brings it back at once, without backoff.
  q_.Activate("default/p", "PersistentVolumeClaim default/data changed");
  auto again = q_.PopFor(kNoWait);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->activated_by, "PersistentVolumeClaim default/data changed");
}

TEST_F(QueueTest, AnActivationDuringTheCycleIsNotLost) {
  q_.Add(Pod("p"));
  auto qi = q_.PopFor(kNoWait);
  q_.Activate("default/p", "PersistentVolumeClaim default/data changed");
  ASSERT_TRUE(q_.AddWaitingForVolumes(*qi, q_.SchedulingCycle()).ok());
  EXPECT_EQ(q_.Locate("default/p"), Where::Active);
}

TEST_F(QueueTest, APodDeletedWhileBeingScheduledIsNotRequeued) {
  q_.Add(Pod("p"));
  auto qi = q_.PopFor(kNoWait);
  q_.Delete("default/p");
  EXPECT_TRUE(q_.AddUnschedulableIfNotPresent(*qi, q_.SchedulingCycle()).ok());
  EXPECT_EQ(q_.Locate("default/p"), Where::None);
}

TEST_F(QueueTest, AddingTwiceKeepsOneEntry) {
  auto pod = Pod("p");
  q_.Add(pod);
  q_.Add(pod);
  EXPECT_EQ(q_.NumActive(), 1u);
  auto qi = q_.PopFor(kNoWait);
  q_.Add(pod);  // being scheduled: ignored
  EXPECT_EQ(q_.NumActive(), 0u);
  q_.Done(qi->key, qi->pod->metadata().uid());
  EXPECT_EQ(q_.Locate("default/p"), Where::None);
}

TEST_F(QueueTest, APodRecreatedWhileTheOldOneIsBeingScheduledIsQueued) {
  q_.Add(Pod("p"));
  auto qi = q_.PopFor(kNoWait);
  // A StatefulSet deletes the pod and creates it again, same name, new uid.
  q_.Delete("default/p");
  auto again = MakePod("p", {});
  again.mutable_metadata()->set_uid("uid-p-2");
  q_.Add(Ref(again));
  EXPECT_EQ(q_.Locate("default/p"), Where::InFlight);
  ASSERT_TRUE(q_.AddUnschedulableIfNotPresent(*qi, q_.SchedulingCycle()).ok());
  auto next = q_.PopFor(kNoWait);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->pod->metadata().uid(), "uid-p-2");
  EXPECT_EQ(next->attempts, 1);
  // And when the old attempt ends with Done instead.
  q_.Add(Ref(MakePod("q", {})));
  auto q1 = q_.PopFor(kNoWait);
  auto q2 = MakePod("q", {});
  q2.mutable_metadata()->set_uid("uid-q-2");
  q_.Add(Ref(q2));
  q_.Done(q1->key, q1->pod->metadata().uid());
  EXPECT_EQ(q_.Locate("default/q"), Where::Active);
}

TEST_F(QueueTest, PopBlocksUntilAPodArrivesOrTheQueueCloses) {
  std::optional<QueuedPodInfo> got;
  std::thread t([&] { got = q_.Pop(); });
  q_.Add(Pod("p"));
  t.join();
  ASSERT_TRUE(got.has_value());
  std::thread t2([&] { got = q_.Pop(); });
  q_.Close();
  t2.join();
  EXPECT_FALSE(got.has_value());
}

TEST_F(QueueTest, BackoffIsConfigurable) {
  SchedulingQueue q(&clock_, QueueOptions{milliseconds(10), milliseconds(40), seconds(1)});
  EXPECT_EQ(q.BackoffDuration(1), milliseconds(10));
  EXPECT_EQ(q.BackoffDuration(3), milliseconds(40));
  EXPECT_EQ(q.BackoffDuration(4), milliseconds(40));
}

}  // namespace
}  // namespace lpv::scheduler
