// Bulk work that must not starve the writes that keep a cluster live.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <utility>

#include "client/thread_name.h"

namespace lpv::client {

// Runs fn on a thread of its own at `nice` (a lower CPU priority) and waits for it. A thread
// without privileges cannot raise its priority again once lowered, so the work gets a thread
// that ends with it. The caller only waits meanwhile.
template <typename Fn>
auto RunAtLowPriority(const std::string& name, int nice, Fn&& fn) -> decltype(fn()) {
  decltype(fn()) result{};
  std::thread t([&] {
    SetCurrentThreadName(name);
    // Best effort: at worst the work runs at the caller's priority.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
    result = std::forward<Fn>(fn)();
  });
  t.join();
  return result;
}

}  // namespace lpv::client
