// An informer, as client-go's SharedIndexInformer: it lists a kind, then watches from the
// list's resourceVersion, keeping a local cache with indexes and calling handlers on
// every add, update and delete. When the watch history it needs is gone ("too old
// resource version") it relists and reconciles the cache with what changed meanwhile.
//
// Controllers read the cache, never the API, for what they decide on; objects in the
// cache are immutable and shared (ObjectRef), so reading is cheap and lock-free after
// the lookup.
//
// Threads: one thread per informer runs list/watch and calls the handlers, in event
// order, after the cache reflects the event. Handlers should only enqueue keys.
// Cache reads are safe from any thread.
//
// Shared, as client-go's: several controllers register handlers and indexers on one
// informer (SharedInformerFactory, informer_factory.h), so a kind is listed, decoded and
// watched once however many controllers follow it. A handler added to a running informer
// first gets every cached object as an add, on the adding thread, before any later event.
#pragma once

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/client.h"

namespace lpv::client {

using ObjectRef = std::shared_ptr<const google::protobuf::Message>;

template <class T>
std::shared_ptr<const T> As(const ObjectRef& o) {
  return std::static_pointer_cast<const T>(o);
}

struct EventHandler {
  std::function<void(const ObjectRef&)> on_add;
  std::function<void(const ObjectRef& old_obj, const ObjectRef& new_obj)> on_update;
  std::function<void(const ObjectRef&)> on_delete;
};

using HandlerId = uint64_t;

// The values an object is indexed under (e.g. a pod's node name).
using IndexFunc = std::function<std::vector<std::string>(const google::protobuf::Message&)>;

class Informer {
 public:
  Informer(Client* client, const api::KindInfo& kind, std::string ns = "",
           ListOptions selectors = {}, Clock* clock = nullptr);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Any time, from any thread but a handler's. With a resync period, every `period` every
  // cached object is delivered again to this handler as an update (old == new), so a
  // level-triggered controller re-checks the world (AddEventHandlerWithResyncPeriod);
  // zero = never.
  HandlerId AddEventHandler(EventHandler handler, Duration resync_period = Duration::zero());
  // After it returns the handler is never called again (a call under way has finished):
  // for a component that goes away while the informer it shares runs on.
  void RemoveEventHandler(HandlerId id);
  // Any time; an index added to a running informer indexes what is cached. Components
  // sharing an informer that add an index of the same name add the same function.
  void AddIndexer(const std::string& name, IndexFunc fn);

  // Idempotent.
  void Start();
  void Stop();

  bool HasSynced() const { return synced_.load(); }
  // Waits (on a condition, not a sleep) until the first list is in the cache.
  bool WaitForCacheSync(std::chrono::milliseconds timeout) const;

  // Cache reads. Key = "namespace/name" or "name".
  ObjectRef Get(const std::string& key) const;
  std::vector<ObjectRef> List() const;
  std::vector<ObjectRef> ByIndex(const std::string& index, const std::string& value) const;
  std::vector<std::string> IndexKeys(const std::string& index, const std::string& value) const;
  size_t Size() const;

  const api::KindInfo& kind() const { return kind_; }
  // How many times the informer has listed (1 after the first sync).
  int lists() const { return lists_.load(); }

 private:
  void Run();
  bool ListAndReplace(std::string* rv);
  void Put(ObjectRef obj) {
    std::string key = api::KeyOf(*obj);  // before obj is moved from
    Put(std::move(key), std::move(obj));
  }
  void Put(std::string key, ObjectRef obj);
  void Remove(const ObjectRef& obj);
  // Moves `key` in each index from the values of `old` to those of `obj` (either may be
  // null: an add, a delete).
  void UpdateIndicesLocked(const std::string& key, const google::protobuf::Message* old,
                           const google::protobuf::Message* obj);
  void Resync();
  void ScheduleResync();
  void IndexAllLocked(const std::string& name);

  Client* client_;
  const api::KindInfo& kind_;
  std::string ns_;
  ListOptions selectors_;
  Clock* clock_;
  struct Listener {
    HandlerId id = 0;
    EventHandler handler;
    Duration resync_period{0};
    TimePoint next_resync{};
  };
  // Held while an event updates the cache and reaches every handler, and while a new
  // handler catches up with the cache: a handler sees each change exactly once. Before mu_.
  std::mutex dispatch_mu_;
  std::vector<Listener> listeners_;  // under dispatch_mu_
  HandlerId last_handler_id_ = 0;    // under dispatch_mu_
  std::map<std::string, IndexFunc> index_funcs_;  // under mu_

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::unordered_map<std::string, ObjectRef> items_;
  std::map<std::string, std::map<std::string, std::set<std::string>>> indexes_;

  std::atomic<bool> synced_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> resync_due_{false};
  // The resync timer ended the watch to wake the informer thread (it blocks in Next with no
  // timeout): the watch resumes where it was, without a relist.
  std::atomic<bool> woken_for_resync_{false};
  std::atomic<int> lists_{0};
  std::string thread_name_;  // set before the thread starts
  // The shortest listener resync period in nanoseconds; 0 = none.
  std::atomic<int64_t> shortest_resync_ns_{0};
  bool thread_started_ = false;  // under resync_->mu
  std::mutex watch_mu_;
  std::unique_ptr<WatchStream> watch_;
  // The resync timer's state, shared with its callback, which may fire on the clock's
  // thread at any time: under `mu`, a callback touches the informer only while !stopped.
  struct ResyncTimer {
    std::mutex mu;
    bool stopped = false;
    TimerId id = 0;
    Duration period{0};  // of the armed timer: the shortest listener's
    uint64_t generation = 0;  // of the armed timer; an older one's callback does nothing
  };
  std::shared_ptr<ResyncTimer> resync_ = std::make_shared<ResyncTimer>();
  std::thread thread_;
};

}  // namespace lpv::client
