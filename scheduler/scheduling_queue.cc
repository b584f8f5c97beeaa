#include "scheduler/scheduling_queue.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "api/message_equal.h"
#include "api/scheme.h"

namespace lpv::scheduler {

namespace {

int32_t PriorityOf(const api::Pod& pod) {
  return pod.spec().has_priority() ? pod.spec().priority() : 0;
}

// isPodUpdated: the pod changed beyond its status and bookkeeping, so a new attempt may
// end differently.
bool PodSpecOrMetaChanged(const api::Pod& a, const api::Pod& b) {
  api::Pod x = a, y = b;
  for (api::Pod* p : {&x, &y}) {
    p->clear_status();
    p->mutable_metadata()->clear_resource_version();
    p->mutable_metadata()->clear_generation();
  }
  return !api::SameMessage(x, y);
}

}  // namespace

class SchedulingQueue::State : public std::enable_shared_from_this<State> {
 public:
  State(Clock* clock, QueueOptions options) : clock(clock), options(options) {}

  struct Entry {
    QueuedPodInfo info;
    Where where = Where::None;
    // activeQ order: (-priority, timestamp, seq); backoffQ: (expiry, seq).
    std::tuple<int64_t, TimePoint, uint64_t> active_pos;
    std::pair<TimePoint, uint64_t> backoff_pos;
    // In backoffQ after an error rather than after being unschedulable: never popped
    // before its backoff ends (upstream keeps these in podErrorBackoffQ).
    bool error_backoff = false;
    TimePoint unschedulable_deadline;  // when the 5-minute flush takes it
  };

  Clock* clock;
  QueueOptions options;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool closed = false;
  uint64_t seq = 0;
  int64_t scheduling_cycle = 0;
  int64_t move_request_cycle = -1;

  std::unordered_map<std::string, Entry> entries;  // every queued pod
  std::set<std::tuple<int64_t, TimePoint, uint64_t, std::string>> active;
  std::set<std::tuple<TimePoint, uint64_t, std::string>> backoff;
  size_t backoff_poppable = 0;  // entries of `backoff` without error_backoff
  std::set<std::pair<TimePoint, std::string>> unschedulable_deadlines;
  // The Where::Unschedulable ones of those: what a cluster event moves. Pods waiting for
  // their volumes, hundreds in a big rollout, are not walked for every PV and claim event.
  std::set<std::pair<TimePoint, std::string>> unschedulable;
  std::unordered_set<std::string> in_flight;
  std::unordered_set<std::string> deleted_in_flight;   // tombstones
  std::unordered_set<std::string> activate_in_flight;  // Activate while being scheduled
  // The newest version of a pod added or updated while it was being scheduled (or a new
  // pod of the same name, once the old one was deleted).
  std::unordered_map<std::string, PodRef> added_in_flight;

  TimerId backoff_timer = 0;
  TimePoint backoff_timer_at;
  TimerId flush_timer = 0;
  TimePoint flush_timer_at;

  // ---- helpers; all require mu

  TimePoint Now() const { return clock->Now(); }

  Duration BackoffDuration(int attempts) const {
    Duration d = options.pod_initial_backoff;
    for (int i = 1; i < attempts; ++i) {
      if (d > options.pod_max_backoff - d) return options.pod_max_backoff;
      d += d;
    }
    return std::min(d, options.pod_max_backoff);
  }

  TimePoint BackoffExpiry(const QueuedPodInfo& info) const {
    return info.timestamp + std::chrono::duration_cast<TimePoint::duration>(
                                BackoffDuration(info.attempts));
  }

  bool IsBackingOff(const QueuedPodInfo& info) const { return BackoffExpiry(info) > Now(); }

  void RemoveLocked(const std::string& key) {
    auto it = entries.find(key);
    if (it == entries.end()) return;
    Entry& e = it->second;
    switch (e.where) {
      case Where::Active:
        active.erase(std::tuple_cat(e.active_pos, std::make_tuple(key)));
        break;
      case Where::Backoff:
        backoff.erase(std::make_tuple(e.backoff_pos.first, e.backoff_pos.second, key));
        if (!e.error_backoff) --backoff_poppable;
        break;
      case Where::Unschedulable:
        unschedulable.erase({e.unschedulable_deadline, key});
        unschedulable_deadlines.erase({e.unschedulable_deadline, key});
        break;
      case Where::WaitingForVolumes:
        unschedulable_deadlines.erase({e.unschedulable_deadline, key});
        break;
      default:
        break;
    }
    entries.erase(it);
  }

  void PushActiveLocked(QueuedPodInfo info, const std::string& why) {
    std::string key = info.key;
    RemoveLocked(key);
    info.activated_by = why;
    info.activated_at = Now();
    Entry e;
    e.where = Where::Active;
    e.active_pos = {-static_cast<int64_t>(PriorityOf(*info.pod)), info.timestamp, ++seq};
    active.insert(std::tuple_cat(e.active_pos, std::make_tuple(key)));
    e.info = std::move(info);
    entries[key] = std::move(e);
    cv.notify_one();
  }

  void PushBackoffLocked(QueuedPodInfo info, bool error = false) {
    std::string key = info.key;
    RemoveLocked(key);
    Entry e;
    e.where = Where::Backoff;
    e.backoff_pos = {BackoffExpiry(info), ++seq};
    e.error_backoff = error;
    backoff.insert({e.backoff_pos.first, e.backoff_pos.second, key});
    TimePoint expiry = e.backoff_pos.first;
    e.info = std::move(info);
    entries[key] = std::move(e);
    ArmBackoffTimerLocked(expiry);
    if (!error) {
      ++backoff_poppable;
      if (options.pop_from_backoff_q) cv.notify_one();  // an idle Pop may take it now
    }
  }

  bool HasPodLocked() const {
    return !active.empty() || (options.pop_from_backoff_q && backoff_poppable > 0);
  }

  void PushUnschedulableLocked(QueuedPodInfo info, Where where) {
    std::string key = info.key;
    RemoveLocked(key);
    Entry e;
    e.where = where;
    e.unschedulable_deadline =
        info.timestamp + std::chrono::duration_cast<TimePoint::duration>(
                             options.pod_max_in_unschedulable);
    unschedulable_deadlines.insert({e.unschedulable_deadline, key});
    if (where == Where::Unschedulable) unschedulable.insert({e.unschedulable_deadline, key});
    TimePoint deadline = e.unschedulable_deadline;
    e.info = std::move(info);
    entries[key] = std::move(e);
    ArmFlushTimerLocked(deadline);
  }

  // To backoffQ if its backoff is still running, else to activeQ.
  void MoveLocked(QueuedPodInfo info, const std::string& why) {
    if (IsBackingOff(info)) {
      info.activated_by = why;  // remembered: it becomes active when the backoff ends
      PushBackoffLocked(std::move(info));
    } else {
      PushActiveLocked(std::move(info), why);
    }
  }

  void ArmBackoffTimerLocked(TimePoint at) {
    if (backoff_timer != 0 && backoff_timer_at <= at) return;
    if (backoff_timer != 0) clock->CancelTimer(backoff_timer);
    backoff_timer_at = at;
    Duration after = std::max(Duration::zero(), std::chrono::duration_cast<Duration>(at - Now()));
    std::weak_ptr<State> weak = shared_from_this();
    backoff_timer = clock->AfterFunc(after, [weak, at] {
      if (auto self = weak.lock()) self->FlushBackoffQCompleted(at);
    });
  }

  void ArmFlushTimerLocked(TimePoint at) {
    if (flush_timer != 0 && flush_timer_at <= at) return;
    if (flush_timer != 0) clock->CancelTimer(flush_timer);
    flush_timer_at = at;
    Duration after = std::max(Duration::zero(), std::chrono::duration_cast<Duration>(at - Now()));
    std::weak_ptr<State> weak = shared_from_this();
    flush_timer = clock->AfterFunc(after, [weak, at] {
      if (auto self = weak.lock()) self->FlushUnschedulableLeftover(at);
    });
  }

  // flushBackoffQCompleted: pods whose backoff ended (by the timer's deadline, which a real
  // clock may reach a hair before Now() does) go to activeQ.
  void FlushBackoffQCompleted(TimePoint fired_at) {
    std::lock_guard<std::mutex> l(mu);
    if (closed) return;
    backoff_timer = 0;
    TimePoint now = std::max(Now(), fired_at);
    while (!backoff.empty() && std::get<0>(*backoff.begin()) <= now) {
      std::string key = std::get<2>(*backoff.begin());
      QueuedPodInfo info = entries[key].info;
      std::string why = info.activated_by.empty() ? "backoff completed"
                                                  : info.activated_by + ", after its backoff";
      PushActiveLocked(std::move(info), why);
    }
    if (!backoff.empty()) ArmBackoffTimerLocked(std::get<0>(*backoff.begin()));
  }

  // flushUnschedulablePodsLeftover.
  void FlushUnschedulableLeftover(TimePoint fired_at) {
    std::lock_guard<std::mutex> l(mu);
    if (closed) return;
    flush_timer = 0;
    TimePoint now = std::max(Now(), fired_at);
    while (!unschedulable_deadlines.empty() && unschedulable_deadlines.begin()->first <= now) {
      std::string key = unschedulable_deadlines.begin()->second;
      QueuedPodInfo info = entries[key].info;
      MoveLocked(std::move(info), "unschedulable for too long");
    }
    if (!unschedulable_deadlines.empty()) {
      ArmFlushTimerLocked(unschedulable_deadlines.begin()->first);
    }
  }

  std::optional<QueuedPodInfo> PopLocked() {
    if (active.empty()) {
      // SchedulerPopFromBackoffQ: the earliest backoff to end, among the unschedulable ones.
      std::string key;
      for (const auto& entry : backoff) {
        if (!entries[std::get<2>(entry)].error_backoff) {
          key = std::get<2>(entry);
          break;
        }
      }
      QueuedPodInfo info = entries[key].info;
      std::string before = info.activated_by;
      PushActiveLocked(std::move(info), (before.empty() ? "" : before + ", ") +
                                            "popped from backoffQ before its backoff ended: "
                                            "activeQ was empty");
    }
    auto first = active.begin();
    std::string key = std::get<3>(*first);
    QueuedPodInfo info = std::move(entries[key].info);
    active.erase(first);
    entries.erase(key);
    ++scheduling_cycle;
    ++info.attempts;
    in_flight.insert(key);
    return info;
  }

  QueuedPodInfo FreshLocked(PodRef pod, const std::string& key) {
    QueuedPodInfo info;
    info.pod = std::move(pod);
    info.key = key;
    info.timestamp = Now();
    info.initial_attempt_timestamp = info.timestamp;
    return info;
  }

  // A pod left the scheduling thread or the bind worker: what arrived meanwhile.
  // Returns the pending version unless it is the same pod as `uid`.
  PodRef TakePendingLocked(const std::string& key, const std::string& uid, bool* same) {
    *same = false;
    auto it = added_in_flight.find(key);
    if (it == added_in_flight.end()) return nullptr;
    PodRef p = std::move(it->second);
    added_in_flight.erase(it);
    *same = p->metadata().uid() == uid;
    return p;
  }

  // Common checks of the requeue calls; false when the pod should be dropped.
  bool AdmitRequeueLocked(QueuedPodInfo& info, Status* status) {
    in_flight.erase(info.key);
    bool deleted = deleted_in_flight.erase(info.key) > 0;
    bool same = false;
    if (PodRef pending = TakePendingLocked(info.key, info.pod->metadata().uid(), &same)) {
      if (same && !deleted) {
        info.pod = std::move(pending);  // the same pod, changed meanwhile
      } else if (!closed) {
        // Replaced by a new pod of the same name: that one starts afresh.
        activate_in_flight.erase(info.key);
        PushActiveLocked(FreshLocked(std::move(pending), info.key), "new pod");
        return false;
      }
    }
    if (closed || deleted) {
      activate_in_flight.erase(info.key);
      return false;
    }
    if (entries.count(info.key)) {
      *status = Status::AlreadyExists("pods", info.key + " is already in the scheduling queue");
      return false;
    }
    return true;
  }
};

SchedulingQueue::SchedulingQueue(Clock* clock, QueueOptions options)
    : st_(std::make_shared<State>(clock ? clock : RealClock::Get(), options)) {}

SchedulingQueue::~SchedulingQueue() { Close(); }

void SchedulingQueue::Add(PodRef pod) {
  std::string key = api::KeyOf(*pod);
  std::lock_guard<std::mutex> l(st_->mu);
  if (st_->closed) return;
  if (st_->in_flight.count(key)) {
    st_->added_in_flight[key] = std::move(pod);
    return;
  }
  auto it = st_->entries.find(key);
  QueuedPodInfo info;
  if (it != st_->entries.end()) {
    info = it->second.info;
    info.pod = std::move(pod);
  } else {
    info = st_->FreshLocked(std::move(pod), key);
  }
  st_->PushActiveLocked(std::move(info), it != st_->entries.end() ? "pod added again" : "new pod");
}

void SchedulingQueue::Update(const PodRef& old_pod, PodRef pod) {
  std::string key = api::KeyOf(*pod);
  std::unique_lock<std::mutex> l(st_->mu);
  if (st_->closed) return;
  if (st_->in_flight.count(key)) {
    st_->added_in_flight[key] = std::move(pod);
    return;
  }
  auto it = st_->entries.find(key);
  if (it == st_->entries.end()) {
    l.unlock();
    Add(std::move(pod));
    return;
  }
  State::Entry& e = it->second;
  bool changed = !old_pod || PodSpecOrMetaChanged(*old_pod, *pod);
  if ((e.where == Where::Unschedulable || e.where == Where::WaitingForVolumes) && changed) {
    QueuedPodInfo info = e.info;
    info.pod = std::move(pod);
    st_->MoveLocked(std::move(info), "pod updated");
    return;
  }
  if (e.where == Where::Active) {
    // Its place in activeQ depends on its priority: take it out and put it back.
    QueuedPodInfo info = e.info;
    std::string why = info.activated_by;
    info.pod = std::move(pod);
    st_->PushActiveLocked(std::move(info), why);
    return;
  }
  e.info.pod = std::move(pod);
}

void SchedulingQueue::Delete(const std::string& key) {
  std::lock_guard<std::mutex> l(st_->mu);
  st_->RemoveLocked(key);
  st_->added_in_flight.erase(key);
  if (st_->in_flight.count(key)) st_->deleted_in_flight.insert(key);
}

std::optional<QueuedPodInfo> SchedulingQueue::Pop() {
  std::unique_lock<std::mutex> l(st_->mu);
  st_->cv.wait(l, [&] { return st_->closed || st_->HasPodLocked(); });
  if (st_->closed) return std::nullopt;
  return st_->PopLocked();
}

std::optional<QueuedPodInfo> SchedulingQueue::PopFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(st_->mu);
  if (!st_->cv.wait_for(l, timeout, [&] { return st_->closed || st_->HasPodLocked(); })) {
    return std::nullopt;
  }
  if (st_->closed) return std::nullopt;
  return st_->PopLocked();
}

int64_t SchedulingQueue::SchedulingCycle() const {
  std::lock_guard<std::mutex> l(st_->mu);
  return st_->scheduling_cycle;
}

Status SchedulingQueue::AddUnschedulableIfNotPresent(QueuedPodInfo info,
                                                     int64_t pod_scheduling_cycle) {
  std::lock_guard<std::mutex> l(st_->mu);
  Status s;
  if (!st_->AdmitRequeueLocked(info, &s)) return s;
  info.timestamp = st_->Now();
  info.activated_by.clear();
  if (st_->activate_in_flight.erase(info.key)) {
    st_->PushActiveLocked(std::move(info), "activated while it was being scheduled");
  } else if (st_->move_request_cycle >= pod_scheduling_cycle) {
    // Something that could help happened while this pod was being scheduled.
    info.activated_by = "a cluster event during its scheduling cycle";
    st_->PushBackoffLocked(std::move(info));
  } else {
    st_->PushUnschedulableLocked(std::move(info), Where::Unschedulable);
  }
  return Status::OK();
}

Status SchedulingQueue::AddBackoff(QueuedPodInfo info) {
  std::lock_guard<std::mutex> l(st_->mu);
  Status s;
  if (!st_->AdmitRequeueLocked(info, &s)) return s;
  st_->activate_in_flight.erase(info.key);
  info.timestamp = st_->Now();
  info.activated_by.clear();
  st_->PushBackoffLocked(std::move(info), /*error=*/true);
  return Status::OK();
}

Status SchedulingQueue::AddActive(QueuedPodInfo info, const std::string& why) {
  std::lock_guard<std::mutex> l(st_->mu);
  Status s;
  if (!st_->AdmitRequeueLocked(info, &s)) return s;
  st_->activate_in_flight.erase(info.key);
  info.timestamp = st_->Now();
  st_->PushActiveLocked(std::move(info), why);
  return Status::OK();
}

Status SchedulingQueue::AddWaitingForVolumes(QueuedPodInfo info, int64_t) {
  std::lock_guard<std::mutex> l(st_->mu);
  Status s;
  if (!st_->AdmitRequeueLocked(info, &s)) return s;
  info.timestamp = st_->Now();
  info.activated_by.clear();
  if (st_->activate_in_flight.erase(info.key)) {
    st_->PushActiveLocked(std::move(info), "its volumes changed while it was being scheduled");
  } else {
    st_->PushUnschedulableLocked(std::move(info), Where::WaitingForVolumes);
  }
  return Status::OK();
}

void SchedulingQueue::Activate(const std::string& key, const std::string& why) {
  std::lock_guard<std::mutex> l(st_->mu);
  if (st_->closed) return;
  if (st_->in_flight.count(key)) {
    st_->activate_in_flight.insert(key);
    return;
  }
  auto it = st_->entries.find(key);
  if (it == st_->entries.end()) return;
  if (it->second.where == Where::Unschedulable || it->second.where == Where::WaitingForVolumes) {
    QueuedPodInfo info = it->second.info;
    st_->PushActiveLocked(std::move(info), why);
  }
}

void SchedulingQueue::MoveAllToActiveOrBackoffQueue(const std::string& event) {
  std::lock_guard<std::mutex> l(st_->mu);
  if (st_->closed) return;
  // A PV or claim event costs the unschedulable pods, not every queued pod.
  std::vector<QueuedPodInfo> moving;
  for (const auto& [deadline, key] : st_->unschedulable) {
    moving.push_back(st_->entries.at(key).info);
  }
  for (auto& info : moving) st_->MoveLocked(std::move(info), event);
  st_->move_request_cycle = st_->scheduling_cycle;
}

void SchedulingQueue::Done(const std::string& key, const std::string& uid) {
  std::lock_guard<std::mutex> l(st_->mu);
  st_->in_flight.erase(key);
  st_->deleted_in_flight.erase(key);
  st_->activate_in_flight.erase(key);
  st_->RemoveLocked(key);
  bool same = false;
  PodRef pending = st_->TakePendingLocked(key, uid, &same);
  // A new pod of the same name arrived while the old one was being handled.
  if (pending && !same && !st_->closed) {
    st_->PushActiveLocked(st_->FreshLocked(std::move(pending), key), "new pod");
  }
}

void SchedulingQueue::Close() {
  std::lock_guard<std::mutex> l(st_->mu);
  if (st_->closed) return;
  st_->closed = true;
  if (st_->backoff_timer) st_->clock->CancelTimer(st_->backoff_timer);
  if (st_->flush_timer) st_->clock->CancelTimer(st_->flush_timer);
  st_->backoff_timer = st_->flush_timer = 0;
  st_->cv.notify_all();
}

SchedulingQueue::Where SchedulingQueue::Locate(const std::string& key) const {
  std::lock_guard<std::mutex> l(st_->mu);
  if (st_->in_flight.count(key)) return Where::InFlight;
  auto it = st_->entries.find(key);
  return it == st_->entries.end() ? Where::None : it->second.where;
}

size_t SchedulingQueue::NumActive() const {
  std::lock_guard<std::mutex> l(st_->mu);
  return st_->active.size();
}

size_t SchedulingQueue::NumBackoff() const {
  std::lock_guard<std::mutex> l(st_->mu);
  return st_->backoff.size();
}

size_t SchedulingQueue::NumUnschedulable() const {
  std::lock_guard<std::mutex> l(st_->mu);
  return st_->unschedulable_deadlines.size();
}

Duration SchedulingQueue::BackoffDuration(int attempts) const {
  return st_->BackoffDuration(attempts);
}

std::optional<TimePoint> SchedulingQueue::BackoffExpiry(const std::string& key) const {
  std::lock_guard<std::mutex> l(st_->mu);
  auto it = st_->entries.find(key);
  if (it == st_->entries.end() || it->second.where != Where::Backoff) return std::nullopt;
  return it->second.backoff_pos.first;
}

const char* SchedulingQueue::WhereName(Where w) {
  switch (w) {
    case Where::None: return "none";
    case Where::Active: return "activeQ";
    case Where::Backoff: return "backoffQ";
    case Where::Unschedulable: return "unschedulable";
    case Where::WaitingForVolumes: return "waiting for volume binding";
    case Where::InFlight: return "being scheduled";
  }
  return "?";
}

}  // namespace lpv::scheduler
