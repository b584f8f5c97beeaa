// A rate-limited work queue of keys, as client-go's workqueue.RateLimitingInterface.
//
// - A key is queued at most once however often it is added; a key being processed is
//   not handed to a second worker: if added meanwhile, it is queued again when Done().
// - AddRateLimited requeues after an exponential per-key backoff (base * 2^failures,
//   capped), Forget resets it; AddAfter requeues after a delay. Delays are clock timers,
//   so tests drive them with a FakeClock.
//
// Thread-safety: safe for concurrent use by any number of producers and workers.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <memory>
#include <string>

#include "api/clock.h"

namespace lpv::client {

struct RateLimit {
  Duration base = std::chrono::milliseconds(5);
  Duration max = std::chrono::seconds(1000);
};

class WorkQueue {
 public:
  explicit WorkQueue(Clock* clock, RateLimit limit = {});
  ~WorkQueue();

  void Add(const std::string& key);
  void AddAfter(const std::string& key, Duration after);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready or the queue shuts down (returns false).
  bool Get(std::string* key);
  // Like Get, waiting at most `timeout`; false on timeout or shutdown.
  bool GetFor(std::string* key, std::chrono::milliseconds timeout);
  // Like Get without waiting: false when no key is ready.
  bool TryGet(std::string* key);
  // Called (on the adding thread, no lock held) whenever a key becomes ready to Get and on
  // ShutDown, so a WorkerPool can drain the queue without a thread blocked in Get. Set it
  // before keys are added; an empty function unsets it.
  void SetOnReady(std::function<void()> fn);
  // Marks the key processed; a key added while processing is queued again now.
  void Done(const std::string& key);
  void ShutDown();
  bool ShuttingDown() const;
  // Keys queued and not yet taken.
  size_t Len() const;

 private:
  class Impl;
  // Shared with clock timers, which may fire after the queue is gone.
  std::shared_ptr<Impl> impl_;
};

}  // namespace lpv::client
