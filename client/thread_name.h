// Names a thread after its component, so `top -H`, `perf report --comm` and a debugger tell
// a fleet's thousands of threads apart. Linux keeps 15 characters.
#pragma once

#include <pthread.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace lpv::client {

inline void SetThreadName(std::thread& thread, const std::string& name) {
  pthread_setname_np(thread.native_handle(), name.substr(0, 15).c_str());
}

// The calling thread's own: named before it does anything.
inline void SetCurrentThreadName(const std::string& name) {
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
}

// How many of this process' threads carry `name` (as /proc/self/task/*/comm shows it, so at
// most 15 characters): tests count a component's threads by it.
inline int ThreadsNamed(const std::string& name) {
  int n = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::string comm;
    std::getline(std::ifstream(task.path() / "comm"), comm);
    if (comm == name) ++n;
  }
  return n;
}

}  // namespace lpv::client
