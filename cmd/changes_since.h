// ChangesSince: what B14 knows about a kind's objects from the changes after a revision.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <google/protobuf/message.h>

#include "client/client.h"

namespace lpv::cmd {

// Follows the changes to a kind's objects after a revision. Once the watch has delivered
// `marker` (namespace/name of an object written after the changes to wait for), every change
// before it has been seen too. An object seen changed is bad when deleted or when `bad`
// holds for it; the marker never is. With the state at the revision known, that is the
// state now, and the unchanged objects never reach the caller.
class ChangesSince {
 public:
  using Pred = bool (*)(const google::protobuf::Message&);

  ChangesSince(client::Client* c, const char* kind, std::string resource_version, Pred bad,
               std::string marker);
  ~ChangesSince();
  ChangesSince(const ChangesSince&) = delete;
  ChangesSince& operator=(const ChangesSince&) = delete;

  // Returns once the marker has been seen and no changed object is bad: true, or false on a
  // watch error or the timeout.
  bool WaitFor(std::chrono::milliseconds timeout);
  // Waits for the marker (false on a watch error or the timeout) and gives the objects bad
  // at that point.
  bool BadWhenMarked(std::chrono::milliseconds timeout, std::set<std::string>* bad);
  void Stop();

 private:
  void Run();
  void Fail(const std::string& why);  // requires mu_

  client::Client* client_;
  const api::KindInfo& kind_;
  Pred bad_;
  const std::string marker_;
  client::ListOptions lo_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<client::WatchStream> stream_;
  std::set<std::string> seen_;      // objects changed after the revision
  std::set<std::string> bad_keys_;  // of them, bad or deleted now
  bool stop_ = false;
  std::string error_;
  std::thread thread_;
};

}  // namespace lpv::cmd
