// Time for every component goes through a Clock, so tests run on a FakeClock and never
// sleep: heartbeats, backoff, grace periods and resyncs are timers on the clock.
// Timestamps in objects are RFC 3339 strings in UTC, seconds precision, as Kubernetes'
// metav1.Time ("2026-11-25T14:48:52Z").
//
// Thread-safety: both clocks are safe for concurrent use. Timer callbacks run on the
// RealClock's timer thread, or on the thread that calls FakeClock::Step; they must be
// short (enqueue work, don't do it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace lpv {

using TimePoint = std::chrono::system_clock::time_point;
using Duration = std::chrono::nanoseconds;
using TimerId = uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  // Runs `fn` once, `after` from now. Returns an id for CancelTimer.
  virtual TimerId AfterFunc(Duration after, std::function<void()> fn) = 0;
  // Returns true if the timer had not fired yet (and now never will).
  virtual bool CancelTimer(TimerId id) = 0;
};

class RealClock : public Clock {
 public:
  RealClock();
  ~RealClock() override;
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  TimerId AfterFunc(Duration after, std::function<void()> fn) override;
  bool CancelTimer(TimerId id) override;
  // The process-wide real clock.
  static RealClock* Get();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  // Ordered by (deadline, id): the steady clock, so wall-clock jumps don't fire timers.
  std::map<std::pair<std::chrono::steady_clock::time_point, TimerId>, std::function<void()>>
      timers_;
  std::map<TimerId, std::chrono::steady_clock::time_point> deadlines_;
  TimerId next_id_ = 1;
  bool stop_ = false;
  std::thread thread_;
};

// A clock that moves only when told to; Step() fires the timers that come due, in order.
class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1764000000)))
      : now_(start) {}
  TimePoint Now() const override;
  TimerId AfterFunc(Duration after, std::function<void()> fn) override;
  bool CancelTimer(TimerId id) override;
  // Advances time by `d`, firing each due timer at its own time.
  void Step(Duration d);
  // Timers not yet fired.
  size_t PendingTimers() const;

 private:
  mutable std::mutex mu_;
  TimePoint now_;
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, TimePoint> deadlines_;
  TimerId next_id_ = 1;
};

// metav1.Time: RFC 3339 in UTC, whole seconds ("2006-01-02T15:04:05Z").
std::string FormatRFC3339(TimePoint t);
// metav1.MicroTime: the same with microseconds ("2006-01-02T15:04:05.000000Z"), as Lease
// renew times and new-style event times are written.
std::string FormatRFC3339Micro(TimePoint t);

// now + timeout on the steady clock, for a wait that takes a timeout: a negative timeout is
// now, and one past a year (milliseconds::max() for "forever") is a year, so the sum cannot
// overflow.
std::chrono::steady_clock::time_point SteadyDeadline(std::chrono::milliseconds timeout);
// Either form; fractional seconds are kept (to the microsecond).
std::optional<TimePoint> ParseRFC3339(const std::string& s);

}  // namespace lpv
