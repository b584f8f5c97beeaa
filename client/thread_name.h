// Names a thread after its component, so `top -H`, `perf report --comm` and a debugger tell
// a fleet's thousands of threads apart. Linux keeps 15 characters.
#pragma once

#include <pthread.h>

#include <string>
#include <thread>

namespace lpv::client {

inline void SetThreadName(std::thread& thread, const std::string& name) {
  pthread_setname_np(thread.native_handle(), name.substr(0, 15).c_str());
}

}  // namespace lpv::client
