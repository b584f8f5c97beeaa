#include "client/workqueue.h"

#include <gtest/gtest.h>

#include <thread>

namespace lpv::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WorkQueueTest, AKeyIsQueuedOnceHoweverOftenAdded) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.Add("default/a");
  q.Add("default/a");
  q.Add("default/b");
  q.Add("default/a");
  EXPECT_EQ(q.Len(), 2u);
  std::string k;
  ASSERT_TRUE(q.GetFor(&k, milliseconds(0)));
  EXPECT_EQ(k, "default/a");
  ASSERT_TRUE(q.GetFor(&k, milliseconds(0)));
  EXPECT_EQ(k, "default/b");
  EXPECT_FALSE(q.GetFor(&k, milliseconds(0)));
}

TEST(WorkQueueTest, AKeyBeingProcessedIsNotHandedOutAgainUntilDone) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.Add("a");
  std::string k;
  ASSERT_TRUE(q.GetFor(&k, milliseconds(0)));
  q.Add("a");  // changed while a worker holds it
  EXPECT_EQ(q.Len(), 0u);
  std::string other;
  EXPECT_FALSE(q.GetFor(&other, milliseconds(0)));
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u);
  ASSERT_TRUE(q.GetFor(&other, milliseconds(0)));
  EXPECT_EQ(other, "a");
}

TEST(WorkQueueTest, RateLimitedRetriesBackOffExponentiallyOnTheClock) {
  FakeClock clock;
  WorkQueue q(&clock, RateLimit{milliseconds(5), seconds(1)});
  std::string k;
  // 5ms, 10ms, 20ms, 40ms ... capped at 1s.
  std::vector<int> expected_ms = {5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000};
  for (int wait : expected_ms) {
    q.AddRateLimited("a");
    clock.Step(milliseconds(wait - 1));
    EXPECT_FALSE(q.GetFor(&k, milliseconds(0))) << "too early at " << wait;
    clock.Step(milliseconds(1));
    ASSERT_TRUE(q.GetFor(&k, milliseconds(0))) << "not ready after " << wait;
    q.Done(k);
  }
  EXPECT_EQ(q.NumRequeues("a"), 10);
  q.Forget("a");
  EXPECT_EQ(q.NumRequeues("a"), 0);
  q.AddRateLimited("a");
  clock.Step(milliseconds(5));
  EXPECT_TRUE(q.GetFor(&k, milliseconds(0)));
}

TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.AddAfter("later", seconds(10));
  std::string k;
  EXPECT_FALSE(q.GetFor(&k, milliseconds(0)));
  clock.Step(seconds(9));
  EXPECT_FALSE(q.GetFor(&k, milliseconds(0)));
  clock.Step(seconds(1));
  ASSERT_TRUE(q.GetFor(&k, milliseconds(0)));
  EXPECT_EQ(k, "later");
}

TEST(WorkQueueTest, ShutDownWakesBlockedWorkersAndCancelsTimers) {
  FakeClock clock;
  WorkQueue q(&clock);
  q.AddAfter("x", seconds(5));
  std::thread worker([&] {
    std::string k;
    EXPECT_FALSE(q.Get(&k));
  });
  q.ShutDown();
  worker.join();
  EXPECT_EQ(clock.PendingTimers(), 0u);
}

TEST(WorkQueueTest, TimersFiringAfterTheQueueIsGoneAreHarmless) {
  FakeClock clock;
  {
    WorkQueue q(&clock);
    q.AddAfter("x", seconds(5));
  }
  clock.Step(seconds(10));  // must not touch the destroyed queue
  SUCCEED();
}

TEST(FakeClockTest, StepFiresTimersInOrderAtTheirOwnTime) {
  FakeClock clock;
  TimePoint start = clock.Now();
  std::vector<std::pair<int, Duration>> fired;
  clock.AfterFunc(seconds(3), [&] { fired.emplace_back(3, clock.Now() - start); });
  clock.AfterFunc(seconds(1), [&] {
    fired.emplace_back(1, clock.Now() - start);
    clock.AfterFunc(seconds(1), [&] { fired.emplace_back(2, clock.Now() - start); });
  });
  TimerId cancelled = clock.AfterFunc(seconds(2), [&] { fired.emplace_back(99, Duration(0)); });
  EXPECT_TRUE(clock.CancelTimer(cancelled));
  clock.Step(seconds(5));
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0], std::make_pair(1, Duration(seconds(1))));
  EXPECT_EQ(fired[1], std::make_pair(2, Duration(seconds(2))));
  EXPECT_EQ(fired[2], std::make_pair(3, Duration(seconds(3))));
  EXPECT_EQ(clock.Now() - start, Duration(seconds(5)));
}

TEST(ClockTest, RFC3339RoundTrips) {
  TimePoint t = TimePoint(seconds(1764082132));
  EXPECT_EQ(FormatRFC3339(t), "2025-11-25T14:48:52Z");
  EXPECT_EQ(ParseRFC3339("2025-11-25T14:48:52Z"), t);
  EXPECT_EQ(ParseRFC3339("2025-11-25T15:48:52+01:00"), t);
  EXPECT_EQ(ParseRFC3339("2025-11-25T14:48:52.123456Z"), t + std::chrono::microseconds(123456));
  EXPECT_FALSE(ParseRFC3339("yesterday").has_value());
}

}  // namespace
}  // namespace lpv::client
