#include "client/informer.h"

#include <algorithm>
#include <unordered_set>

#include "client/low_priority.h"
#include "client/thread_name.h"

namespace lpv::client {

Informer::Informer(Client* client, const api::KindInfo& kind, std::string ns,
                   ListOptions selectors, Clock* clock)
    : client_(client), kind_(kind), ns_(std::move(ns)), selectors_(std::move(selectors)),
      clock_(clock ? clock : RealClock::Get()) {}

Informer::~Informer() { Stop(); }

HandlerId Informer::AddEventHandler(EventHandler handler, Duration resync_period) {
  std::lock_guard<std::mutex> d(dispatch_mu_);
  Listener& l = listeners_.emplace_back();
  l.id = ++last_handler_id_;
  l.handler = std::move(handler);
  l.resync_period = resync_period;
  l.next_resync = clock_->Now() + resync_period;
  // A late joiner catches up as client-go's does: an add for everything already cached.
  // No event is dispatched meanwhile, so it sees each change after these exactly once.
  if (l.handler.on_add) {
    for (const auto& obj : List()) l.handler.on_add(obj);
  }
  if (resync_period > Duration::zero()) {
    std::lock_guard<std::mutex> r(resync_->mu);
    int64_t ns = resync_period.count();
    int64_t shortest = shortest_resync_ns_.load();
    if (shortest == 0 || ns < shortest) shortest_resync_ns_ = ns;
    if (thread_started_ && (resync_->id == 0 || resync_period < resync_->period)) {
      if (resync_->id) clock_->CancelTimer(resync_->id);
      resync_->id = 0;
      ScheduleResync();
    }
  }
  return l.id;
}

void Informer::RemoveEventHandler(HandlerId id) {
  std::lock_guard<std::mutex> d(dispatch_mu_);
  listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                  [id](const Listener& l) { return l.id == id; }),
                   listeners_.end());
}

void Informer::AddIndexer(const std::string& name, IndexFunc fn) {
  std::lock_guard<std::mutex> l(mu_);
  index_funcs_[name] = std::move(fn);
  IndexAllLocked(name);
}

void Informer::IndexAllLocked(const std::string& name) {
  auto& index = indexes_[name];
  index.clear();
  const IndexFunc& fn = index_funcs_[name];
  for (const auto& [key, obj] : items_) {
    for (auto& value : fn(*obj)) index[std::move(value)].insert(key);
  }
}

void Informer::Start() {
  std::lock_guard<std::mutex> r(resync_->mu);
  // Once stopped, never again: a thread started now would never be joined.
  if (thread_started_ || stop_) return;
  thread_started_ = true;
  // Linux keeps 15 characters: a kind too long for them goes by kubectl's short name, so
  // the PV and PVC informers are not both "inf-PersistentV".
  thread_name_ = "inf-" + kind_.kind;
  if (thread_name_.size() > 15 && !kind_.short_names.empty()) {
    thread_name_ = "inf-" + kind_.short_names[0];
  }
  thread_ = std::thread([this] {
    SetCurrentThreadName(thread_name_);
    Run();
  });
  ScheduleResync();
}

void Informer::Stop() {
  if (stop_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> l(resync_->mu);
    resync_->stopped = true;
    if (resync_->id) clock_->CancelTimer(resync_->id);
  }
  {
    std::lock_guard<std::mutex> l(watch_mu_);
    if (watch_) watch_->Stop();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

// Requires resync_->mu. Arms the timer for the shortest resync period of any listener.
void Informer::ScheduleResync() {
  if (resync_->stopped) return;
  Duration period{shortest_resync_ns_.load()};
  if (period <= Duration::zero()) return;
  resync_->period = period;
  auto state = resync_;
  // A timer replaced by one of a shorter period may already be waiting for `mu`: only the
  // newest chain goes on.
  uint64_t generation = ++resync_->generation;
  resync_->id = clock_->AfterFunc(period, [this, state, generation] {
    std::lock_guard<std::mutex> l(state->mu);
    if (state->stopped || state->generation != generation) return;
    resync_due_ = true;
    {
      // The informer thread waits in Next without a timeout (thousands of informers
      // polling would keep the cores busy doing nothing): end the watch to wake it.
      std::lock_guard<std::mutex> w(watch_mu_);
      if (watch_) {
        woken_for_resync_ = true;
        watch_->Stop();
      }
    }
    ScheduleResync();
  });
}

bool Informer::WaitForCacheSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> l(mu_);
  return cv_.wait_for(l, timeout, [&] { return synced_.load() || stop_.load(); }) &&
         synced_.load();
}

ObjectRef Informer::Get(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectRef> Informer::List() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ObjectRef> out;
  out.reserve(items_.size());
  for (const auto& [k, v] : items_) out.push_back(v);
  return out;
}

std::vector<std::string> Informer::IndexKeys(const std::string& index,
                                             const std::string& value) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto it = idx->second.find(value);
  if (it == idx->second.end()) return out;
  return {it->second.begin(), it->second.end()};
}

std::vector<ObjectRef> Informer::ByIndex(const std::string& index,
                                         const std::string& value) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<ObjectRef> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto it = idx->second.find(value);
  if (it == idx->second.end()) return out;
  for (const auto& key : it->second) {
    auto obj = items_.find(key);
    if (obj != items_.end()) out.push_back(obj->second);
  }
  return out;
}

size_t Informer::Size() const {
  std::lock_guard<std::mutex> l(mu_);
  return items_.size();
}

void Informer::UpdateIndicesLocked(const std::string& key, const google::protobuf::Message* old,
                                   const google::protobuf::Message* obj) {
  for (const auto& [name, fn] : index_funcs_) {
    std::vector<std::string> before = old ? fn(*old) : std::vector<std::string>{};
    std::vector<std::string> after = obj ? fn(*obj) : std::vector<std::string>{};
    // As client-go's updateIndices: values that did not change (a pod's node, on each of
    // its status writes) leave the index as it was.
    if (before == after) continue;
    auto& index = indexes_[name];
    for (const auto& value : before) {
      auto it = index.find(value);
      if (it == index.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.erase(it);
    }
    for (auto& value : after) index[std::move(value)].insert(key);
  }
}

void Informer::Put(std::string key, ObjectRef obj) {
  ObjectRef old;
  std::lock_guard<std::mutex> d(dispatch_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = items_.find(key);
    if (it != items_.end()) {
      old = it->second;
      it->second = obj;
    } else {
      items_.emplace(key, obj);
    }
    UpdateIndicesLocked(key, old.get(), obj.get());
  }
  for (const auto& l : listeners_) {
    const EventHandler& h = l.handler;
    if (old) {
      if (h.on_update) h.on_update(old, obj);
    } else if (h.on_add) {
      h.on_add(obj);
    }
  }
}

void Informer::Remove(const ObjectRef& obj) {
  std::string key = api::KeyOf(*obj);
  ObjectRef old;
  std::lock_guard<std::mutex> d(dispatch_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return;
    old = it->second;
    UpdateIndicesLocked(key, old.get(), nullptr);
    items_.erase(it);
  }
  // The handler sees the final state of the object, as a DeletedFinalStateUnknown would
  // carry the last known one.
  for (const auto& l : listeners_) {
    if (l.handler.on_delete) l.handler.on_delete(obj);
  }
}

bool Informer::ListAndReplace(std::string* rv) {
  auto list = client_->List(kind_, ns_, {selectors_.label_selector, selectors_.field_selector, ""});
  if (!list.ok()) return false;
  ++lists_;
  *rv = list->resource_version;
  bool first;
  {
    std::lock_guard<std::mutex> l(mu_);
    first = items_.empty();
    if (first) items_.reserve(list->items.size());
  }
  if (first) {
    // An empty cache (the first list, a restart's tens of thousands of objects): nothing to
    // compare with and nothing to remove.
    for (auto& item : list->items) Put(ObjectRef(std::move(item)));
    return true;
  }
  std::unordered_set<std::string> seen;
  seen.reserve(list->items.size());
  for (auto& item : list->items) {
    ObjectRef obj(std::move(item));
    std::string key = api::KeyOf(*obj);
    ObjectRef cur = Get(key);
    seen.insert(key);
    // Unchanged objects (same resourceVersion) are not redelivered after a relist.
    if (cur && api::Meta(*cur).resource_version() == api::Meta(*obj).resource_version()) {
      continue;
    }
    Put(std::move(key), std::move(obj));
  }
  for (const auto& obj : List()) {
    if (!seen.count(api::KeyOf(*obj))) Remove(obj);
  }
  return true;
}

// Every listener whose period has come gets every cached object again.
void Informer::Resync() {
  std::lock_guard<std::mutex> d(dispatch_mu_);
  TimePoint now = clock_->Now();
  // The timer ticks at the shortest period, and this runs a little after each tick: half a
  // tick of slack, and deadlines that advance by whole periods, keep a listener from
  // skipping a tick because of that lag.
  Duration slack{shortest_resync_ns_.load() / 2};
  std::vector<ObjectRef> objs;
  for (auto& l : listeners_) {
    if (l.resync_period <= Duration::zero() || now + slack < l.next_resync ||
        !l.handler.on_update) {
      continue;
    }
    l.next_resync += l.resync_period;
    if (l.next_resync <= now) l.next_resync = now + l.resync_period;
    if (objs.empty()) objs = List();
    for (const auto& obj : objs) l.handler.on_update(obj, obj);
  }
}

void Informer::Run() {
  std::string rv;
  bool need_list = true;
  while (!stop_) {
    if (need_list) {
      // A restart's first lists are tens of thousands of objects each, decoded and indexed
      // while the kubelets re-post their nodes' status. That bulk work yields the cores to
      // those writes, as API Priority and Fairness serves node heartbeats at "node-high",
      // ahead of workload lists. Relists, and the watch after, run at the informer's own
      // priority.
      constexpr int kFirstListNice = 19;  // the lowest
      bool listed = lists_ == 0 ? RunAtLowPriority(thread_name_, kFirstListNice,
                                                   [&] { return ListAndReplace(&rv); })
                                : ListAndReplace(&rv);
      if (!listed) {
        // The server is unreachable: try again shortly (or stop).
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait_for(l, std::chrono::milliseconds(200), [&] { return stop_.load(); });
        continue;
      }
      if (!synced_.exchange(true)) {
        std::lock_guard<std::mutex> l(mu_);
        cv_.notify_all();
      }
      need_list = false;
    }
    auto w = client_->Watch(kind_, ns_, {selectors_.label_selector, selectors_.field_selector, rv});
    if (!w.ok()) {
      need_list = true;
      continue;
    }
    {
      std::lock_guard<std::mutex> l(watch_mu_);
      watch_ = std::move(*w);
      if (stop_) break;
    }
    while (!stop_) {
      if (resync_due_.exchange(false)) Resync();
      WatchEvent ev;
      // Stop and the resync timer end the watch to wake this thread; nothing polls.
      if (!watch_->Next(&ev, std::chrono::hours(1))) {
        if (watch_->done()) break;
        continue;
      }
      ObjectRef obj(std::move(ev.object));
      rv = api::Meta(*obj).resource_version();
      if (ev.type == "DELETED") {
        Remove(obj);
      } else {
        Put(obj);
      }
    }
    Status end;
    {
      std::lock_guard<std::mutex> l(watch_mu_);
      end = watch_->status();
      watch_.reset();
    }
    // History gone, or cut off for falling behind: relist. Otherwise (or when the resync
    // timer ended the watch to wake this thread) resume the watch.
    if (woken_for_resync_.exchange(false)) end = Status::OK();
    if (!end.ok()) need_list = true;
  }
}

}  // namespace lpv::client
