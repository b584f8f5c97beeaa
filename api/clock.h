// Time for every component goes through a Clock, so tests run on a FakeClock and never
// sleep. Timestamps in objects are RFC 3339 strings in UTC, seconds precision, as
// Kubernetes' metav1.Time ("2026-11-25T14:48:52Z").
//
// Thread-safety: both clocks are safe for concurrent use.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace lpv {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class RealClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  static RealClock* Get();
};

// A clock that moves only when told to.
class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1764000000)))
      : now_(start) {}
  TimePoint Now() const override {
    std::lock_guard<std::mutex> l(mu_);
    return now_;
  }
  void Step(std::chrono::nanoseconds d) {
    std::lock_guard<std::mutex> l(mu_);
    now_ += std::chrono::duration_cast<TimePoint::duration>(d);
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

std::string FormatRFC3339(TimePoint t);
std::optional<TimePoint> ParseRFC3339(const std::string& s);

}  // namespace lpv
