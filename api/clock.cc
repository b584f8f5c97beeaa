#include "api/clock.h"

#include <ctime>
#include <cstdio>

namespace lpv {

RealClock* RealClock::Get() {
  static RealClock clock;
  return &clock;
}

std::string FormatRFC3339(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
    while (*rest >= '0' && *rest <= '9') ++rest;
  }
  if (*rest == 'Z' && rest[1] == '\0') return t;
  int hh = 0, mm = 0;
  if ((*rest == '+' || *rest == '-') && std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) == 2) {
    auto off = std::chrono::hours(hh) + std::chrono::minutes(mm);
    return *rest == '+' ? t - off : t + off;
  }
  return std::nullopt;
}

}  // namespace lpv
