// Store on RocksDB. One DB, one keyspace split by prefix (see codec.h). Concurrent writes are
// group-committed: one WriteBatch (and one WAL sync) per group, applied under write_mu_ so
// revisions are dense and watchers see writes in revision order.
#include "store/store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/snapshot.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <utility>

#include "store/codec.h"
#include "store/db_options.h"
#include "store/watch.h"

namespace lpv::store {
namespace {

using internal::WatcherImpl;
using internal::WatchHub;
using internal::WatchState;

Status RocksError(const char* what, const rocksdb::Status& s) {
  return Status::Internal(std::string("store: ") + what + ": " + s.ToString());
}

// Object and meta keys are never range-deleted (only the log is), which makes skipping
// range-tombstone checks on their reads safe, and it keeps point reads cheap after
// compaction leaves tombstones in the memtable.
rocksdb::ReadOptions ObjectReadOptions() {
  rocksdb::ReadOptions ro;
  ro.ignore_range_deletions = true;
  return ro;
}

class StoreImpl : public Store {
 public:
  StoreImpl(const Options& options, rocksdb::DB* db, int64_t revision, int64_t compacted)
      : options_(options), db_(db), revision_(revision), compacted_(compacted) {
    write_options_.sync = options.sync;
    if (options_.history_limit > 0) {
      // Compact in steps of ~1/8 of the history (at most 1024 revisions), so the
      // DeleteRange rides along with one write in many and tombstones stay few.
      compact_step_ = std::clamp<int64_t>(options_.history_limit / 8, 1, 1024);
    }
  }

  ~StoreImpl() override {
    {
      std::lock_guard<std::mutex> lock(write_mu_);
      hub_->Close(Status::Make(Reason::ServiceUnavailable, "store closed"));
    }
    {
      std::lock_guard<std::mutex> lock(kept_mu_);
      kept_.clear();
    }
    db_->Close().PermitUncheckedError();
  }

  int64_t Revision() const override { return revision_.load(std::memory_order_acquire); }
  int64_t CompactedRevision() const override { return compacted_.load(std::memory_order_acquire); }

  Result<KeyValue> Get(const std::string& key) const override {
    std::string raw;
    rocksdb::Status s = db_->Get(ObjectReadOptions(), internal::ObjectKey(key), &raw);
    if (s.IsNotFound()) return Status::Make(Reason::NotFound, "key not found");
    if (!s.ok()) return RocksError("get", s);
    KeyValue kv;
    if (!internal::DecodeObject(raw, &kv)) return Status::Internal("store: corrupt object");
    kv.key = key;
    return kv;
  }

  Result<int64_t> Create(const std::string& key, const std::string& value) override {
    return Write(Op::kCreate, key, &value, 0);
  }

  Result<int64_t> Update(const std::string& key, const std::string& value,
                         int64_t expected_mod_revision) override {
    return Write(Op::kUpdate, key, &value, expected_mod_revision);
  }

  Result<int64_t> Delete(const std::string& key, int64_t expected_mod_revision) override {
    return Write(Op::kDelete, key, nullptr, expected_mod_revision);
  }

  // A paged list's later pages read the RocksDB snapshot its first page was read from, so
  // every page shows one revision, as etcd serves them from its MVCC history. Keeping
  // snapshots is the simplest honest way here: the change log could also be read backwards
  // from the current state, but log entries do not record the mod_revision of the value they
  // replaced, which the items' resourceVersions need. A snapshot pins the versions written
  // after it (RocksDB keeps them until it is released), so only a few are kept (the newest
  // kMaxKeptSnapshots) and none behind the compacted revision; a list at a revision no longer
  // kept is Gone, as etcd's at a compacted one.
  Result<ListResult> List(const std::string& prefix, const ListOptions& options) const override {
    std::shared_ptr<const rocksdb::Snapshot> snapshot;
    if (options.revision > 0) {
      int64_t current = Revision();
      if (options.revision > current) {
        return Status::Make(Reason::Timeout, "Too large resource version: " +
                                                 std::to_string(options.revision) +
                                                 ", current: " + std::to_string(current));
      }
      snapshot = KeptSnapshot(options.revision);
    }
    if (!snapshot) snapshot = TakeSnapshot();
    rocksdb::ReadOptions ro = ObjectReadOptions();
    ro.snapshot = snapshot.get();

    ListResult result;
    // The revision comes from the same snapshot as the items: it was written in the same
    // batch as the last write the snapshot holds.
    std::string raw;
    rocksdb::Status s = db_->Get(ro, internal::kRevisionKey, &raw);
    if (s.ok()) {
      if (!internal::DecodeRevision(raw, &result.revision)) {
        return Status::Internal("store: corrupt revision");
      }
    } else if (!s.IsNotFound()) {
      return RocksError("list", s);
    }
    if (options.revision > 0 && result.revision != options.revision) {
      // Neither kept nor current: its state can no longer be read.
      return Status::Gone("store: the state at revision " + std::to_string(options.revision) +
                          " is no longer kept (now at " + std::to_string(result.revision) + ")");
    }
    if (options.keep_snapshot) Keep(result.revision, snapshot);

    std::string start = internal::ObjectKey(prefix);
    std::string end = internal::PrefixUpperBound(start);  // never empty: starts with 'o'
    rocksdb::Slice end_slice(end);
    ro.iterate_upper_bound = &end_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(start); it->Valid(); it->Next()) {
      KeyValue kv;
      // Copied out by rocksdb::Slice::ToString: the bytes may live in RocksDB's memtable,
      // handed to this thread by RocksDB's own atomics, which ThreadSanitizer cannot see
      // (Debian's RocksDB is not instrumented); a copy made in RocksDB's code is covered by
      // scripts/tsan.supp, a read of the arena from ours would be a false report.
      std::string key = it->key().ToString();
      std::string value = it->value().ToString();
      if (!internal::DecodeObject(value, &kv)) return Status::Internal("store: corrupt object");
      kv.key.assign(key, 1);
      result.items.push_back(std::move(kv));
    }
    if (!it->status().ok()) return RocksError("list", it->status());
    return result;
  }

  Result<std::unique_ptr<Watcher>> Watch(const std::string& prefix,
                                         int64_t after_revision) override {
    return OpenWatch(prefix, after_revision, nullptr);
  }

  Result<std::unique_ptr<Watcher>> WatchTriggered(const std::string& prefix,
                                                  int64_t after_revision,
                                                  const std::string& trigger_value) override {
    return OpenWatch(prefix, after_revision, &trigger_value);
  }

  void SetTrigger(const std::string& prefix, TriggerFunc fn) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    triggers_.emplace_back(prefix, std::move(fn));
  }

  Result<std::unique_ptr<Watcher>> OpenWatch(const std::string& prefix, int64_t after_revision,
                                             const std::string* trigger) {
    if (after_revision < 0) return Status::BadRequest("negative revision");
    std::lock_guard<std::mutex> lock(write_mu_);
    int64_t compacted = compacted_.load(std::memory_order_relaxed);
    // Events after `compacted` are all in the log, so a watch from `compacted` itself
    // still works; the number reported is that oldest usable starting point, as the
    // apiserver's watch cache reports it.
    if (after_revision < compacted) {
      return Status::TooOldResourceVersion(after_revision, compacted);
    }
    int64_t current = revision_.load(std::memory_order_relaxed);
    // The snapshot pins history (after, current] against compaction; the replay reads it
    // in the watcher's own Next calls, outside this lock, so a long replay never stalls
    // writers, and writes from current+1 on go to the live queue.
    const rocksdb::Snapshot* snapshot = after_revision < current ? db_->GetSnapshot() : nullptr;
    auto state = std::make_shared<WatchState>(prefix, after_revision, current,
                                              options_.watch_queue_limit, db_.get(), snapshot);
    if (trigger) state->set_trigger(*trigger);
    if (!hub_->Add(state)) return Status::Make(Reason::ServiceUnavailable, "store closed");
    return std::unique_ptr<Watcher>(std::make_unique<WatcherImpl>(hub_, std::move(state)));
  }

  Status Compact(int64_t revision) override {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (revision <= compacted_.load(std::memory_order_relaxed)) return Status::OK();
    int64_t current = revision_.load(std::memory_order_relaxed);
    if (revision > current) {
      return Status::BadRequest("compact revision " + std::to_string(revision) +
                                " is in the future (current " + std::to_string(current) + ")");
    }
    rocksdb::WriteBatch batch;
    AddCompaction(&batch, revision);
    rocksdb::Status s = db_->Write(write_options_, &batch);
    if (!s.ok()) return RocksError("compact", s);
    compacted_.store(revision, std::memory_order_release);
    return Status::OK();
  }

 private:
  enum class Op { kCreate, kUpdate, kDelete };

  // Requires write_mu_.
  void AddCompaction(rocksdb::WriteBatch* batch, int64_t revision) {
    int64_t compacted = compacted_.load(std::memory_order_relaxed);
    // Starting at compacted+1 keeps the range tombstones disjoint.
    batch->DeleteRange(internal::LogKey(compacted + 1), internal::LogKey(revision + 1));
    batch->Put(internal::kCompactedKey, internal::EncodeRevision(revision));
  }

  // One write waiting to be committed; filled in by the leader of its group.
  struct Request {
    Op op = Op::kCreate;
    const std::string* key = nullptr;
    const std::string* value = nullptr;
    int64_t expected_mod_revision = 0;
    Result<int64_t> result = Status::Internal("store: write not committed");
    bool done = false;
  };

  // The writers queued for one group share its condition variable: a finished group wakes
  // exactly its own writers, and one writer of the next group, to lead it unless a writer
  // that is running gets there first. (With one condition variable for all, every queued
  // writer woke for every group and most went back to sleep: two context switches each.)
  // Writers hold it by shared_ptr so it can be notified after the lock is released.
  struct Group {
    std::condition_variable cv;
  };

  // Group commit: concurrent writers queue their requests; the first one that finds no
  // commit in progress becomes the leader, takes every queued request, and commits them as
  // one WriteBatch (one WAL sync for all). Requests keep their queue order, so revisions
  // stay dense and ordered, and each one's compare-and-swap is checked against the state
  // left by the requests before it (in the store or earlier in the same group).
  Result<int64_t> Write(Op op, const std::string& key, const std::string* value,
                        int64_t expected_mod_revision) {
    Request req;
    req.op = op;
    req.key = &key;
    req.value = value;
    req.expected_mod_revision = expected_mod_revision;
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_.push_back(&req);
    if (!forming_) forming_ = std::make_shared<Group>();
    std::shared_ptr<Group> mine = forming_;
    if (committing_) {
      mine->cv.wait(lock, [&] { return req.done || !committing_; });
      if (req.done) return std::move(req.result);
    }
    committing_ = true;
    std::vector<Request*> group;
    group.swap(queue_);
    forming_.reset();  // later writers form the next group
    lock.unlock();
    std::vector<std::shared_ptr<WatchState>> wake;
    CommitGroup(group, &wake);
    lock.lock();
    for (Request* r : group) r->done = true;
    committing_ = false;
    std::shared_ptr<Group> next = forming_;
    lock.unlock();
    mine->cv.notify_all();
    if (next) next->cv.notify_one();
    // Watchers blocked in Next, woken once for the whole group and outside write_mu_, so
    // the next group's commit does not wait behind these futex calls.
    for (const auto& w : wake) w->Wake();
    return std::move(req.result);
  }

  // The object as the group's earlier requests left it (nullopt = absent).
  using Overlay = std::map<std::string, std::optional<KeyValue>>;

  void CommitGroup(const std::vector<Request*>& group,
                   std::vector<std::shared_ptr<WatchState>>* wake) {
    std::lock_guard<std::mutex> lock(write_mu_);
    rocksdb::WriteBatch batch;
    Overlay overlay;
    std::vector<std::shared_ptr<const Event>> events;
    std::vector<Request*> written;
    int64_t revision = revision_.load(std::memory_order_relaxed);
    for (Request* r : group) {
      auto ev = Prepare(*r, revision + 1, &batch, &overlay);
      if (!ev.ok()) {
        r->result = ev.status();
        continue;
      }
      ++revision;
      events.push_back(std::move(*ev));
      written.push_back(r);
    }
    if (written.empty()) return;
    batch.Put(internal::kRevisionKey, internal::EncodeRevision(revision));

    int64_t compact_to = 0;
    if (compact_step_ > 0 && revision - compacted_.load(std::memory_order_relaxed) >=
                                 options_.history_limit + compact_step_) {
      compact_to = revision - options_.history_limit;
      AddCompaction(&batch, compact_to);
    }

    rocksdb::Status s = db_->Write(write_options_, &batch);
    if (!s.ok()) {
      for (Request* r : written) r->result = RocksError("write", s);
      return;
    }
    revision_.store(revision, std::memory_order_release);
    if (compact_to > 0) compacted_.store(compact_to, std::memory_order_release);
    for (size_t i = 0; i < written.size(); ++i) written[i]->result = events[i]->revision;
    hub_->Publish(events, wake);
  }

  // Checks one request against the current state and adds its write (value, change-log
  // entry) to the batch at `revision`. Requires write_mu_.
  Result<std::shared_ptr<Event>> Prepare(const Request& r, int64_t revision,
                                         rocksdb::WriteBatch* batch, Overlay* overlay) {
    std::string object_key = internal::ObjectKey(*r.key);
    // The compare-and-swap reads the current object under the write lock, so nothing
    // can change it between the check and the write.
    std::optional<KeyValue> current;
    if (auto it = overlay->find(object_key); it != overlay->end()) {
      current = it->second;
    } else {
      std::string raw;
      rocksdb::Status s = db_->Get(ObjectReadOptions(), object_key, &raw);
      if (!s.ok() && !s.IsNotFound()) return RocksError("read", s);
      if (s.ok()) {
        current.emplace();
        if (!internal::DecodeObject(raw, &*current)) {
          return Status::Internal("store: corrupt object");
        }
      }
    }
    bool exists = current.has_value();
    if (r.op == Op::kCreate && exists) {
      return Status::Make(Reason::AlreadyExists, "key already exists");
    }
    if (r.op != Op::kCreate) {
      if (!exists) return Status::Make(Reason::NotFound, "key not found");
      if (r.expected_mod_revision != 0 && r.expected_mod_revision != current->mod_revision) {
        return Status::Make(Reason::Conflict,
                            "revision mismatch: expected " +
                                std::to_string(r.expected_mod_revision) + ", have " +
                                std::to_string(current->mod_revision));
      }
    }

    auto ev = std::make_shared<Event>();
    ev->value_memo = std::make_shared<Memo>();
    ev->prev_memo = std::make_shared<Memo>();
    ev->key = *r.key;
    ev->revision = revision;
    ev->created = r.op == Op::kCreate;
    if (exists) ev->prev_value = current->value;

    if (r.op == Op::kDelete) {
      ev->type = Event::Type::kDelete;
      ev->value = ev->prev_value;
      batch->Delete(object_key);
      (*overlay)[object_key] = std::nullopt;
    } else {
      ev->type = Event::Type::kPut;
      ev->value = *r.value;
      int64_t create_revision = exists ? current->create_revision : revision;
      batch->Put(object_key, internal::EncodeObject(revision, create_revision, *r.value));
      KeyValue next;
      next.value = *r.value;
      next.mod_revision = revision;
      next.create_revision = create_revision;
      (*overlay)[object_key] = std::move(next);
    }
    batch->Put(internal::LogKey(revision), internal::EncodeEvent(*ev));
    for (const auto& [prefix, fn] : triggers_) {
      if (!ev->key.starts_with(prefix)) continue;
      ev->triggered = true;
      ev->triggers.push_back(fn(ev->value));
      if (!ev->prev_value.empty()) ev->triggers.push_back(fn(ev->prev_value));
    }
    return ev;
  }

  // Paged lists' snapshots (see List).
  static constexpr size_t kMaxKeptSnapshots = 32;

  std::shared_ptr<const rocksdb::Snapshot> TakeSnapshot() const {
    rocksdb::DB* db = db_.get();
    return std::shared_ptr<const rocksdb::Snapshot>(
        db->GetSnapshot(), [db](const rocksdb::Snapshot* snap) { db->ReleaseSnapshot(snap); });
  }

  std::shared_ptr<const rocksdb::Snapshot> KeptSnapshot(int64_t revision) const {
    std::lock_guard<std::mutex> lock(kept_mu_);
    DropCompactedSnapshots();
    auto it = kept_.find(revision);
    return it == kept_.end() ? nullptr : it->second;
  }

  void Keep(int64_t revision, const std::shared_ptr<const rocksdb::Snapshot>& snapshot) const {
    std::lock_guard<std::mutex> lock(kept_mu_);
    kept_.emplace(revision, snapshot);  // an older snapshot of the same revision reads the same
    DropCompactedSnapshots();
    while (kept_.size() > kMaxKeptSnapshots) kept_.erase(kept_.begin());
  }

  // Requires kept_mu_.
  void DropCompactedSnapshots() const {
    int64_t compacted = compacted_.load(std::memory_order_acquire);
    kept_.erase(kept_.begin(), kept_.lower_bound(compacted));
  }

  const Options options_;
  const std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  int64_t compact_step_ = 0;  // 0 = no automatic compaction

  // The group commit's queue (see Write).
  std::mutex queue_mu_;
  std::vector<Request*> queue_;
  std::shared_ptr<Group> forming_;  // the group queue_ holds, once it holds any
  bool committing_ = false;

  // Serializes commits, Compact and watch registration. Reads take no lock.
  std::mutex write_mu_;
  std::vector<std::pair<std::string, TriggerFunc>> triggers_;  // guarded by write_mu_
  std::atomic<int64_t> revision_;
  std::atomic<int64_t> compacted_;
  const std::shared_ptr<WatchHub> hub_ = std::make_shared<WatchHub>();

  // Paged lists' snapshots by revision; released before the DB closes.
  mutable std::mutex kept_mu_;
  mutable std::map<int64_t, std::shared_ptr<const rocksdb::Snapshot>> kept_;
};

Status ReadRevision(rocksdb::DB* db, std::string_view key, int64_t* revision) {
  std::string raw;
  rocksdb::Status s = db->Get(ObjectReadOptions(), key, &raw);
  if (s.IsNotFound()) {
    *revision = 0;
    return Status::OK();
  }
  if (!s.ok()) return RocksError("open", s);
  if (!internal::DecodeRevision(raw, revision)) {
    return Status::Internal("store: corrupt " + std::string(key));
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const Options& options) {
  if (options.dir.empty()) return Status::BadRequest("store: no directory given");
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status::Internal("store: creating " + options.dir + ": " + ec.message());

  rocksdb::Options db_options = DBOptions();
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.dir, &raw_db);
  if (!s.ok()) return RocksError("open", s);
  std::unique_ptr<rocksdb::DB> db(raw_db);

  int64_t revision = 0;
  int64_t compacted = 0;
  if (Status st = ReadRevision(db.get(), internal::kRevisionKey, &revision); !st.ok()) return st;
  if (Status st = ReadRevision(db.get(), internal::kCompactedKey, &compacted); !st.ok()) {
    return st;
  }
  return std::unique_ptr<Store>(
      std::make_unique<StoreImpl>(options, db.release(), revision, compacted));
}

}  // namespace lpv::store
