#include "api/clock.h"

#include <gtest/gtest.h>

#include <future>

namespace lpv {
namespace {

TEST(RFC3339, WholeSecondsAndMicroTime) {
  TimePoint t = *ParseRFC3339("2026-11-25T14:00:00Z") + std::chrono::microseconds(1234);
  EXPECT_EQ(FormatRFC3339(t), "2026-11-25T14:00:00Z");
  EXPECT_EQ(FormatRFC3339Micro(t), "2026-11-25T14:00:00.001234Z");
  // A Lease's renewTime keeps its microseconds through a round trip.
  EXPECT_EQ(*ParseRFC3339("2026-11-25T14:00:00.001234Z"), t);
  // Shorter and longer fractions, and zones, as Go's parser takes them.
  EXPECT_EQ(*ParseRFC3339("2026-11-25T14:00:00.5Z") - *ParseRFC3339("2026-11-25T14:00:00Z"),
            std::chrono::milliseconds(500));
  EXPECT_EQ(*ParseRFC3339("2026-11-25T14:00:00.123456789Z"),
            *ParseRFC3339("2026-11-25T14:00:00.123456Z"));
  EXPECT_EQ(*ParseRFC3339("2026-11-25T15:00:00.25+01:00"),
            *ParseRFC3339("2026-11-25T14:00:00.25Z"));
  EXPECT_FALSE(ParseRFC3339("2026-11-25 14:00:00"));
}

// The timer thread is woken only by a timer earlier than every one it holds: one set
// after a later one still fires when due, with an even later one set after it.
TEST(RealClockTest, ATimerEarlierThanAllOthersStillFiresWhenDue) {
  RealClock* clock = RealClock::Get();
  std::promise<void> fired;
  TimerId later = clock->AfterFunc(std::chrono::hours(1), [] {});
  clock->AfterFunc(std::chrono::milliseconds(1), [&fired] { fired.set_value(); });
  TimerId latest = clock->AfterFunc(std::chrono::hours(2), [] {});
  EXPECT_EQ(fired.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_TRUE(clock->CancelTimer(later));
  EXPECT_TRUE(clock->CancelTimer(latest));
}

}  // namespace
}  // namespace lpv
