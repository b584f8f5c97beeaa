// Helpers shared by the store tests.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace lpv::store::testing {

// A fresh directory from mkdtemp, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lpv-store-XXXXXX").string();
    char* made = mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Long enough never to fire on a working store, so tests never depend on timing; it
// only bounds how long a broken one hangs.
inline constexpr std::chrono::milliseconds kWait{30000};

inline std::unique_ptr<Store> OpenStore(Options options) {
  auto store = Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// Options for tests that do not test durability: no fsync per write keeps them fast.
inline Options FastOptions(const std::string& dir) {
  Options options;
  options.dir = dir;
  options.sync = false;
  return options;
}

// Takes `n` events, failing the test if the watch ends or stalls first.
inline std::vector<Event> TakeEvents(Watcher* w, size_t n) {
  std::vector<Event> events;
  for (size_t i = 0; i < n; ++i) {
    Event ev;
    if (!w->Next(&ev, kWait)) {
      ADD_FAILURE() << "watch stopped after " << events.size() << " of " << n
                    << " events: " << w->status().ToString();
      break;
    }
    events.push_back(std::move(ev));
  }
  return events;
}

}  // namespace lpv::store::testing
