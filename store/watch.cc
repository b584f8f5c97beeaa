#include "store/watch.h"

#include <algorithm>
#include <utility>

#include "api/clock.h"
#include "store/codec.h"

namespace lpv::store::internal {

WatchState::WatchState(std::string prefix, int64_t after_revision, int64_t replay_until,
                       size_t queue_limit, rocksdb::DB* db, const rocksdb::Snapshot* snapshot)
    : prefix_(std::move(prefix)),
      after_revision_(after_revision),
      replay_until_(replay_until),
      live_after_(std::max(after_revision, replay_until)),
      queue_limit_(queue_limit),
      db_(snapshot ? db : nullptr),
      snapshot_(snapshot) {}

WatchState::~WatchState() { ReleaseReplay(); }

bool WatchState::Wants(const Event& ev) const {
  if (ev.revision <= live_after_ || !ev.key.starts_with(prefix_)) return false;
  if (!trigger_ || !ev.triggered) return true;
  for (const auto& t : ev.triggers) {
    if (t == *trigger_) return true;
  }
  return false;
}

bool WatchState::Push(const std::shared_ptr<const Event>& ev, bool* wake) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended()) return false;
    if (queue_.size() + taken_left_.load(std::memory_order_relaxed) < queue_limit_) {
      queue_.push_back(ev);
      *wake = reader_waiting_;
      reader_waiting_ = false;
      return true;
    }
  }
  // Cutting off rather than blocking keeps this writer (and every other watcher) moving;
  // the client relists and watches again, as after a 410 from the apiserver.
  End(Status::Gone("watcher fell behind: more than " + std::to_string(queue_limit_) +
                   " events queued"));
  return false;
}

void WatchState::End(Status status) {
  std::deque<std::shared_ptr<const Event>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended()) return;
    status_ = std::move(status);
    dropped.swap(queue_);
    ended_.store(true, std::memory_order_release);
    cv_.notify_all();
  }
  // `dropped` frees the queued events here, outside the lock.
}

Status WatchState::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void WatchState::ReleaseReplay() {
  std::lock_guard<std::mutex> lock(replay_mu_);
  ReleaseReplayLocked();
}

void WatchState::ReleaseReplayLocked() {
  iter_.reset();  // before the snapshot it reads
  if (snapshot_ != nullptr) db_->ReleaseSnapshot(snapshot_);
  snapshot_ = nullptr;
  db_ = nullptr;
}

WatchState::Replay WatchState::NextFromHistory(std::shared_ptr<const Event>* ev,
                                               std::chrono::steady_clock::time_point deadline) {
  std::lock_guard<std::mutex> lock(replay_mu_);
  if (snapshot_ == nullptr) return Replay::kDone;
  if (!iter_) {
    lower_bound_ = LogKey(after_revision_ + 1);
    upper_bound_ = LogKey(replay_until_ + 1);
    upper_slice_ = rocksdb::Slice(upper_bound_);
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.iterate_upper_bound = &upper_slice_;
    ro.fill_cache = false;  // a replay reads history once; keep the cache for live reads
    iter_.reset(db_->NewIterator(ro));
    iter_->Seek(lower_bound_);
  }
  // A long run of other prefixes' events is skipped in slices, so Next still honours its
  // timeout, and Cancel or store close (ended()) stop it promptly.
  int skipped = 0;
  for (; iter_->Valid() && !ended(); iter_->Next()) {
    std::string_view key;
    // Copies made by RocksDB's code (see Store::List): memtable bytes are published by
    // atomics ThreadSanitizer cannot see.
    const std::string raw_key = iter_->key().ToString();
    const std::string raw_value = iter_->value().ToString();
    std::string_view value(raw_value);
    int64_t revision = 0;
    if (!ParseLogKey(raw_key, &revision) || !DecodeEventKey(value, &key)) {
      End(Status::Internal("store: corrupt log entry"));
      break;
    }
    if (!key.starts_with(prefix_)) {
      if (++skipped % 1024 == 0 && std::chrono::steady_clock::now() >= deadline) {
        iter_->Next();
        return Replay::kTimedOut;
      }
      continue;
    }
    auto replayed = std::make_shared<Event>();
    if (!DecodeEvent(value, replayed.get())) {
      End(Status::Internal("store: corrupt log entry"));
      break;
    }
    replayed->revision = revision;
    *ev = std::move(replayed);
    iter_->Next();
    return Replay::kEvent;
  }
  if (!ended() && !iter_->status().ok()) {
    End(Status::Internal("store: reading watch history: " + iter_->status().ToString()));
  }
  ReleaseReplayLocked();
  return Replay::kDone;
}

bool WatchState::Next(std::shared_ptr<const Event>* ev, std::chrono::milliseconds timeout) {
  if (ended()) return false;
  if (!taken_.empty()) {  // most calls under load: no lock, no clock
    *ev = std::move(taken_.front());
    taken_.pop_front();
    taken_left_.fetch_sub(1, std::memory_order_relaxed);
    return true;
  }
  auto deadline = SteadyDeadline(timeout);
  if (!replayed_) {
    switch (NextFromHistory(ev, deadline)) {
      case Replay::kEvent:
        return true;
      case Replay::kTimedOut:
        return false;
      case Replay::kDone:
        replayed_ = true;
        break;
    }
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!ended() && queue_.empty()) {
      reader_waiting_ = true;
      cv_.wait_until(lock, deadline, [this] { return ended() || !queue_.empty(); });
      reader_waiting_ = false;
    }
    if (ended() || queue_.empty()) return false;
    taken_.swap(queue_);
    taken_left_.store(taken_.size() - 1, std::memory_order_relaxed);  // less the one read now
  }
  *ev = std::move(taken_.front());
  taken_.pop_front();
  return true;
}

bool WatchHub::Add(std::shared_ptr<WatchState> state) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  if (const auto& t = state->trigger()) {
    ++triggered_prefixes_[state->prefix()];
    by_trigger_[*t].push_back(std::move(state));
  } else {
    untriggered_.push_back(std::move(state));
  }
  return true;
}

void WatchHub::Remove(const WatchState* state) {
  std::lock_guard<std::mutex> lock(mu_);
  auto same = [state](const auto& w) { return w.get() == state; };
  const auto& t = state->trigger();
  if (!t) {
    std::erase_if(untriggered_, same);
    return;
  }
  auto it = by_trigger_.find(*t);
  if (it == by_trigger_.end() || std::erase_if(it->second, same) == 0) return;
  if (it->second.empty()) by_trigger_.erase(it);
  auto p = triggered_prefixes_.find(state->prefix());
  if (p != triggered_prefixes_.end() && --p->second == 0) triggered_prefixes_.erase(p);
}

void WatchHub::ForEach(const std::function<void(const std::shared_ptr<WatchState>&)>& fn) const {
  for (const auto& w : untriggered_) fn(w);
  for (const auto& [value, list] : by_trigger_) {
    for (const auto& w : list) fn(w);
  }
}

void WatchHub::Publish(const std::vector<std::shared_ptr<const Event>>& events,
                       std::vector<std::shared_ptr<WatchState>>* wake) {
  std::lock_guard<std::mutex> lock(mu_);
  // Ended watchers stay listed until their Watcher is destroyed: only then is it sure
  // they hold no snapshot that Close would have to release before the DB goes.
  auto offer = [wake](const std::shared_ptr<WatchState>& w, const auto& ev) {
    bool w_wake = false;
    if (!w->ended() && w->Wants(*ev) && w->Push(ev, &w_wake) && w_wake) wake->push_back(w);
  };
  for (const auto& ev : events) {
    for (const auto& w : untriggered_) offer(w, ev);
    if (by_trigger_.empty()) continue;
    if (ev->triggered) {
      // The old and new values (the same node twice for most pod updates): each watcher
      // once.
      for (size_t i = 0; i < ev->triggers.size(); ++i) {
        const std::string& t = ev->triggers[i];
        if (std::find(ev->triggers.begin(), ev->triggers.begin() + i, t) !=
            ev->triggers.begin() + i) {
          continue;
        }
        auto it = by_trigger_.find(t);
        if (it == by_trigger_.end()) continue;
        for (const auto& w : it->second) offer(w, ev);
      }
      continue;
    }
    // No trigger covers the key: a triggered watcher takes it like any other (Wants).
    for (const auto& [prefix, count] : triggered_prefixes_) {
      if (!ev->key.starts_with(prefix)) continue;
      for (const auto& [value, list] : by_trigger_) {
        for (const auto& w : list) offer(w, ev);
      }
      break;
    }
  }
}

void WatchHub::Close(const Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  ForEach([&status](const std::shared_ptr<WatchState>& w) {
    w->End(status);
    w->ReleaseReplay();
  });
  untriggered_.clear();
  by_trigger_.clear();
  triggered_prefixes_.clear();
}

WatcherImpl::~WatcherImpl() {
  state_->End(Status::OK());
  // Release the snapshot while the hub still lists this watcher: a closing store waits
  // for it under the hub lock, so the DB is still open here.
  state_->ReleaseReplay();
  hub_->Remove(state_.get());
}

}  // namespace lpv::store::internal
