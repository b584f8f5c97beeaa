#include "api/clock.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

namespace lpv {

RealClock::RealClock() : thread_([this] { Run(); }) {}

RealClock::~RealClock() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

RealClock* RealClock::Get() {
  static RealClock* clock = new RealClock();  // never destroyed: timers may outlive main
  return clock;
}

TimerId RealClock::AfterFunc(Duration after, std::function<void()> fn) {
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(after);
  std::lock_guard<std::mutex> l(mu_);
  TimerId id = next_id_++;
  auto it = timers_.emplace(std::make_pair(deadline, id), std::move(fn)).first;
  deadlines_[id] = deadline;
  // The timer thread sleeps until the earliest deadline: only a new earliest one needs it
  // awake (thousands of nodes' tickers and queues' retries would otherwise wake it for
  // every timer they set).
  if (it == timers_.begin()) cv_.notify_one();
  return id;
}

bool RealClock::CancelTimer(TimerId id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  timers_.erase({it->second, id});
  deadlines_.erase(it);
  return true;
}

void RealClock::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    if (timers_.empty()) {
      cv_.wait(l);
      continue;
    }
    auto first = timers_.begin();
    // A copy: wait_until rereads its deadline after waking, and CancelTimer may have erased
    // the timer (and the key this would refer to) meanwhile. ASan found it.
    const auto deadline = first->first.first;
    if (deadline > std::chrono::steady_clock::now()) {
      cv_.wait_until(l, deadline);
      continue;
    }
    auto fn = std::move(first->second);
    deadlines_.erase(first->first.second);
    timers_.erase(first);
    l.unlock();
    fn();
    l.lock();
  }
}

TimePoint FakeClock::Now() const {
  std::lock_guard<std::mutex> l(mu_);
  return now_;
}

TimerId FakeClock::AfterFunc(Duration after, std::function<void()> fn) {
  std::lock_guard<std::mutex> l(mu_);
  TimerId id = next_id_++;
  TimePoint at = now_ + std::chrono::duration_cast<TimePoint::duration>(after);
  timers_.emplace(std::make_pair(at, id), std::move(fn));
  deadlines_[id] = at;
  return id;
}

bool FakeClock::CancelTimer(TimerId id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  timers_.erase({it->second, id});
  deadlines_.erase(it);
  return true;
}

void FakeClock::Step(Duration d) {
  std::unique_lock<std::mutex> l(mu_);
  TimePoint end = now_ + std::chrono::duration_cast<TimePoint::duration>(d);
  // Each timer fires with the clock at its deadline; timers it sets that fall inside the
  // step fire too.
  while (!timers_.empty() && timers_.begin()->first.first <= end) {
    auto first = timers_.begin();
    now_ = std::max(now_, first->first.first);
    auto fn = std::move(first->second);
    deadlines_.erase(first->first.second);
    timers_.erase(first);
    l.unlock();
    fn();
    l.lock();
  }
  now_ = end;
}

size_t FakeClock::PendingTimers() const {
  std::lock_guard<std::mutex> l(mu_);
  return timers_.size();
}

std::string FormatRFC3339(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRFC3339Micro(TimePoint t) {
  auto since = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch());
  auto secs = std::chrono::floor<std::chrono::seconds>(since);
  std::time_t tt = secs.count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06ldZ", static_cast<long>((since - secs).count()));
  return buf;
}

std::optional<TimePoint> ParseRFC3339(const std::string& s) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm);
  TimePoint t = std::chrono::system_clock::from_time_t(secs);
  // Fractional seconds and the zone: only Z and +hh:mm / -hh:mm are Kubernetes' forms.
  const char* rest = s.c_str() + consumed;
  if (*rest == '.') {
    ++rest;
    long micros = 0;
    int digits = 0;
    for (; *rest >= '0' && *rest <= '9'; ++rest, ++digits) {
      if (digits < 6) micros = micros * 10 + (*rest - '0');
    }
    for (int d = digits; d < 6; ++d) micros *= 10;
    t += std::chrono::microseconds(micros);
  }
  if (*rest == 'Z' && rest[1] == '\0') return t;
  int hh = 0, mm = 0;
  if ((*rest == '+' || *rest == '-') && std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) == 2) {
    auto off = std::chrono::hours(hh) + std::chrono::minutes(mm);
    return *rest == '+' ? t - off : t + off;
  }
  return std::nullopt;
}

std::chrono::steady_clock::time_point SteadyDeadline(std::chrono::milliseconds timeout) {
  constexpr std::chrono::milliseconds kYear = std::chrono::hours(24 * 365);
  return std::chrono::steady_clock::now() +
         std::clamp(timeout, std::chrono::milliseconds::zero(), kYear);
}

}  // namespace lpv
