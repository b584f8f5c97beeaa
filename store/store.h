// The lpv store: objects as bytes in RocksDB, with MVCC revisions and watch history.
//
// Semantics follow etcd v3 as the Kubernetes API server uses it:
// - one global revision, incremented by every write; an object's mod_revision is the
//   revision of its last write (the apiserver shows it as metadata.resourceVersion);
// - each write lands in one atomic RocksDB WriteBatch with its new value, a change-log
//   entry keyed by revision, and the revision counter, synced to the WAL unless
//   Options::sync is false, before the call returns; concurrent writes share one batch and
//   one sync (group commit); a restart on the same directory resumes at the same revision;
// - updates and deletes are compare-and-swap on the expected mod_revision;
// - List reads a consistent snapshot and reports its revision; a paged list's later
//   pages read the snapshot of its first (List with ListOptions);
// - Watch(prefix, after) replays the log from after+1, then streams live events; once
//   history before `after` is compacted it fails with Gone ("too old resource version").
//
// The store knows nothing of kinds or protobuf: keys are strings such as
// "/registry/persistentvolumes/local-pv-1a2b3c4d", values opaque bytes.
//
// Thread-safety: Store is safe for concurrent use. A Watcher is used by one thread at a
// time; Cancel() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"

namespace lpv::store {

struct Options {
  std::string dir;  // created if missing
  // Sync the WAL on every write (durable across kill -9 and power loss). Off trades
  // durability of the last writes for speed, as etcd's --unsafe-no-fsync.
  bool sync = true;
  // Log entries kept behind the newest revision; older ones are compacted away, and a
  // watch from before them gets Gone. 0 = never compact automatically.
  int64_t history_limit = 100000;
  // Events a watcher may have queued and not yet taken before it is cut off (so one slow
  // watcher never holds up writers or the others). It then ends with Gone and the
  // client relists.
  size_t watch_queue_limit = 100000;
};

struct KeyValue {
  std::string key;
  std::string value;
  int64_t mod_revision = 0;
  int64_t create_revision = 0;
};

// A value a layer above derives from a live event once for all the event's watchers: the
// apiserver keeps the decoded objects here, so a hundred watchers of one pod decode it
// once, as Kubernetes' watch cache does. Opaque to the store.
class Memo {
 public:
  template <class T, class Make>
  std::shared_ptr<const T> Get(Make make) {
    std::call_once(once_, [&] { value_ = make(); });
    return std::static_pointer_cast<const T>(value_);
  }

 private:
  std::once_flag once_;
  std::shared_ptr<const void> value_;
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  std::string key;
  std::string value;       // the new value (put) or the last value (delete)
  std::string prev_value;  // the value before this write; empty on create
  bool created = false;    // a put that created the key
  int64_t revision = 0;    // the revision of this write
  // Live events only: the trigger values of `value` and `prev_value` when a trigger covers
  // the key (see Store::SetTrigger); `triggered` false otherwise.
  bool triggered = false;
  std::vector<std::string> triggers;
  // Live events only (null in a replay of history, which each watcher reads alone): one
  // memo for what is derived from `value`, one for `prev_value`.
  std::shared_ptr<Memo> value_memo;
  std::shared_ptr<Memo> prev_memo;
};

struct ListResult {
  std::vector<KeyValue> items;  // in key order
  int64_t revision = 0;         // the store revision the list was read at
};

struct ListOptions {
  // 0 = now. Otherwise the state at this revision: the current one, or one an earlier
  // List kept (keep_snapshot) and the store still holds; Gone otherwise, as etcd's
  // "required revision has been compacted".
  int64_t revision = 0;
  // Keep this list's RocksDB snapshot so a later List can ask for its revision (a
  // paged list's next pages). The store keeps a bounded number of them, drops the
  // oldest first and those behind the compacted revision, and none survive a restart.
  bool keep_snapshot = false;
};

class Watcher {
 public:
  virtual ~Watcher() = default;
  // Waits up to `timeout` for the next event. Returns true with *ev filled; false on
  // timeout (status().ok()) or when the watch has ended: cancelled (status().ok() and
  // done()), or cut off for falling behind / store closed (status() says why).
  // The same event, shared with the other watchers it went to rather than copied.
  virtual bool Next(std::shared_ptr<const Event>* ev, std::chrono::milliseconds timeout) = 0;
  bool Next(Event* ev, std::chrono::milliseconds timeout) {
    std::shared_ptr<const Event> shared;
    if (!Next(&shared, timeout)) return false;
    *ev = *shared;
    return true;
  }
  virtual bool done() const = 0;
  virtual Status status() const = 0;
  // Ends the watch; a blocked Next returns false. Safe from any thread.
  virtual void Cancel() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  static Result<std::unique_ptr<Store>> Open(const Options& options);

  virtual int64_t Revision() const = 0;
  virtual int64_t CompactedRevision() const = 0;

  // NotFound when absent (resource/name in the Status are left empty for the caller).
  virtual Result<KeyValue> Get(const std::string& key) const = 0;
  // AlreadyExists when the key is present. Returns the new revision.
  virtual Result<int64_t> Create(const std::string& key, const std::string& value) = 0;
  // expected_mod_revision 0 = unconditional. NotFound when absent, Conflict on mismatch.
  virtual Result<int64_t> Update(const std::string& key, const std::string& value,
                                 int64_t expected_mod_revision) = 0;
  virtual Result<int64_t> Delete(const std::string& key, int64_t expected_mod_revision) = 0;
  // The current state under `prefix`.
  Result<ListResult> List(const std::string& prefix) const { return List(prefix, {}); }
  virtual Result<ListResult> List(const std::string& prefix,
                                  const ListOptions& options) const = 0;
  // Events for keys under `prefix` with revision > after_revision.
  virtual Result<std::unique_ptr<Watcher>> Watch(const std::string& prefix,
                                                 int64_t after_revision) = 0;
  // Watch triggers, as the Kubernetes watch cache's IndexedTrigger: for keys under `prefix`,
  // `fn` maps a value's bytes to one string (a pod's spec.nodeName), computed once per write
  // for the new and the previous value. A watch opened with WatchTriggered(..., v) is handed
  // only the live events where one of them maps to `v`; the others could not pass the
  // caller's own filter anyway, so a thousand per-node watchers cost each write a thousand
  // string compares instead of a thousand decodes. Call before writes start.
  using TriggerFunc = std::function<std::string(std::string_view value)>;
  virtual void SetTrigger(const std::string& prefix, TriggerFunc fn) = 0;
  virtual Result<std::unique_ptr<Watcher>> WatchTriggered(const std::string& prefix,
                                                          int64_t after_revision,
                                                          const std::string& trigger_value) = 0;
  // Drops log entries with revision <= `revision`.
  virtual Status Compact(int64_t revision) = 0;
};

}  // namespace lpv::store
