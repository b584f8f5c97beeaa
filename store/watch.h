// Watch machinery: per-watcher queues, the hub writers fan events out through, and the
// Watcher handed to callers. Private to store/.
//
// Locks, always taken in this order (never the reverse):
//   Store write mutex -> WatchHub::mu_ -> WatchState::replay_mu -> WatchState::mu
// Writers publish under the store's write mutex, so every watcher sees events in revision
// order, and a watcher registered under that mutex neither misses nor repeats one.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store.h"

namespace lpv::store::internal {

// One watch: the replay of history it still has to read from a RocksDB snapshot, then a
// bounded queue of live events that writers fill.
class WatchState {
 public:
  // Replays log entries in (after_revision, replay_until] from `snapshot` (owned; may be
  // null when there is nothing to replay), then takes live events with revision >
  // max(after_revision, replay_until).
  WatchState(std::string prefix, int64_t after_revision, int64_t replay_until, size_t queue_limit,
             rocksdb::DB* db, const rocksdb::Snapshot* snapshot);
  ~WatchState();

  const std::string& prefix() const { return prefix_; }
  // Only live events whose trigger values include `value` (see Store::SetTrigger); set
  // before the state is added to the hub.
  void set_trigger(std::string value) { trigger_ = std::move(value); }
  const std::optional<std::string>& trigger() const { return trigger_; }
  bool Wants(const Event& ev) const;

  // Writers: queues `ev`, or cuts the watcher off when its queue is full. Returns false
  // when the watch has ended. Sets *wake when the reader is blocked in Next and no earlier
  // Push has promised to wake it: the caller then calls Wake, once it has queued the rest
  // of its group and released the store's lock, so a reader wakes once per group.
  bool Push(const std::shared_ptr<const Event>& ev, bool* wake);
  void Wake() { cv_.notify_one(); }

  // Ends the watch with `status` (OK for a cancel) unless it already ended; frees the
  // queue and wakes a blocked Next.
  void End(Status status);
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  Status status() const;

  bool Next(std::shared_ptr<const Event>* ev, std::chrono::milliseconds timeout);

  // Drops the replay iterator and snapshot; must run before the DB closes.
  void ReleaseReplay();

 private:
  enum class Replay { kEvent, kDone, kTimedOut };
  // One replay step under replay_mu_: kEvent with *ev filled, kDone once the history is
  // exhausted (or the watch ended), kTimedOut if skipping other keys ran past `deadline`.
  Replay NextFromHistory(std::shared_ptr<const Event>* ev,
                         std::chrono::steady_clock::time_point deadline);
  void ReleaseReplayLocked();

  const std::string prefix_;
  std::optional<std::string> trigger_;
  const int64_t after_revision_;
  const int64_t replay_until_;
  const int64_t live_after_;
  const size_t queue_limit_;

  std::mutex replay_mu_;
  rocksdb::DB* db_;                          // guarded by replay_mu_; null once released
  const rocksdb::Snapshot* snapshot_;        // guarded by replay_mu_
  std::unique_ptr<rocksdb::Iterator> iter_;  // guarded by replay_mu_; created lazily
  std::string lower_bound_;
  std::string upper_bound_;
  rocksdb::Slice upper_slice_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<const Event>> queue_;  // guarded by mu_
  bool reader_waiting_ = false;  // guarded by mu_: blocked in Next and not yet promised a Wake
  // The reader's own: what it took from queue_ in one swap, so it locks mu_ once per batch
  // rather than once per event, and writers rarely find mu_ held.
  std::deque<std::shared_ptr<const Event>> taken_;
  // taken_'s size, which writers count with queue_ against the limit: events taken but not
  // yet read are still queued for this watcher.
  std::atomic<size_t> taken_left_{0};
  bool replayed_ = false;  // the reader's own: history is done, only live events are left
  Status status_;                                   // guarded by mu_
  std::atomic<bool> ended_{false};                  // written under mu_
};

// The set of live watchers. Shared by the store and every Watcher, so a Watcher may
// outlive its Store and still unregister safely.
//
// Watchers with a trigger value (a kubelet's pods, by spec.nodeName) are indexed by it, as
// the Kubernetes watch cache does: a pod event is offered to the watchers of its old and
// new node only, not to every kubelet's watcher, so publishing costs the same with 5,000
// nodes as with 5.
class WatchHub {
 public:
  // False when the hub is closed.
  bool Add(std::shared_ptr<WatchState> state);
  void Remove(const WatchState* state);
  // Called by writers, under the store's write mutex, once a group's writes are durable,
  // with the group's events in revision order. Adds to *wake the watchers the caller must
  // Wake after releasing that mutex.
  void Publish(const std::vector<std::shared_ptr<const Event>>& events,
               std::vector<std::shared_ptr<WatchState>>* wake);
  // Ends every watcher with `status` and releases their snapshots; later Adds fail.
  void Close(const Status& status);

 private:
  using List = std::vector<std::shared_ptr<WatchState>>;
  void ForEach(const std::function<void(const std::shared_ptr<WatchState>&)>& fn) const;

  mutable std::mutex mu_;
  // Guarded by mu_:
  List untriggered_;                             // watchers without a trigger value
  std::unordered_map<std::string, List> by_trigger_;  // the others, by their value
  // The prefixes of the triggered watchers, with counts: an event no trigger covers is
  // offered to them only when its key is under one of these.
  std::unordered_map<std::string, int> triggered_prefixes_;
  bool closed_ = false;
};

class WatcherImpl : public Watcher {
 public:
  WatcherImpl(std::shared_ptr<WatchHub> hub, std::shared_ptr<WatchState> state)
      : hub_(std::move(hub)), state_(std::move(state)) {}
  ~WatcherImpl() override;

  using Watcher::Next;
  bool Next(std::shared_ptr<const Event>* ev, std::chrono::milliseconds timeout) override {
    return state_->Next(ev, timeout);
  }
  bool done() const override { return state_->ended(); }
  Status status() const override { return state_->status(); }
  void Cancel() override { state_->End(Status::OK()); }

 private:
  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<WatchState> state_;
};

}  // namespace lpv::store::internal
