// store_crash_writer DIR: opens a store in DIR with sync on and creates keys
// "/crash/NNNNNNNN" in a loop, printing "KEY REVISION" (flushed) after each Create is
// acknowledged. durability_test kills it with SIGKILL mid-stream and checks that every
// printed write survived. It stops by itself after a bound, or on SIGPIPE when its reader
// is gone, so a failed test never leaves it running.
#include <cinttypes>
#include <cstdio>
#include <string>

#include "store/store.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  lpv::store::Options options;
  options.dir = argv[1];
  options.sync = true;
  auto store = lpv::store::Store::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  for (int i = 0; i < 1000000; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "/crash/%08d", i);
    auto rev = (*store)->Create(key, "value-" + std::to_string(i));
    if (!rev.ok()) {
      std::fprintf(stderr, "create %s: %s\n", key, rev.status().ToString().c_str());
      return 1;
    }
    std::printf("%s %" PRId64 "\n", key, *rev);
    if (std::fflush(stdout) != 0) return 1;
  }
  return 0;
}
