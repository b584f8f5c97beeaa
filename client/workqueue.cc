#include "client/workqueue.h"

#include <algorithm>
#include <memory>

namespace lpv::client {

class WorkQueue::Impl : public std::enable_shared_from_this<WorkQueue::Impl> {
 public:
  Impl(Clock* clock, RateLimit limit) : clock_(clock), limit_(limit) {}
  void Add(const std::string& key);
  void AddAfter(const std::string& key, Duration after);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;
  bool Get(std::string* key);
  bool GetFor(std::string* key, std::chrono::milliseconds timeout);
  bool TryGet(std::string* key);
  void SetOnReady(std::function<void()> fn);
  void Done(const std::string& key);
  void ShutDown();
  bool ShuttingDown() const;
  size_t Len() const;

 private:
  Duration Backoff(int failures) const;
  bool PopLocked(std::string* key);
  // Copied under mu_ and called after it is released: the callback takes other locks.
  std::shared_ptr<const std::function<void()>> OnReadyLocked() const { return on_ready_; }

  Clock* clock_;
  RateLimit limit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued (or to be queued after processing)
  std::set<std::string> processing_;
  std::map<std::string, int> failures_;
  std::set<TimerId> timers_;
  bool shutting_down_ = false;
  std::shared_ptr<const std::function<void()>> on_ready_;
};

WorkQueue::WorkQueue(Clock* clock, RateLimit limit)
    : impl_(std::make_shared<Impl>(clock, limit)) {}
WorkQueue::~WorkQueue() { impl_->ShutDown(); }
void WorkQueue::Add(const std::string& key) { impl_->Add(key); }
void WorkQueue::AddAfter(const std::string& key, Duration after) { impl_->AddAfter(key, after); }
void WorkQueue::AddRateLimited(const std::string& key) { impl_->AddRateLimited(key); }
void WorkQueue::Forget(const std::string& key) { impl_->Forget(key); }
int WorkQueue::NumRequeues(const std::string& key) const { return impl_->NumRequeues(key); }
bool WorkQueue::Get(std::string* key) { return impl_->Get(key); }
bool WorkQueue::GetFor(std::string* key, std::chrono::milliseconds timeout) {
  return impl_->GetFor(key, timeout);
}
void WorkQueue::Done(const std::string& key) { impl_->Done(key); }
void WorkQueue::ShutDown() { impl_->ShutDown(); }
bool WorkQueue::ShuttingDown() const { return impl_->ShuttingDown(); }
size_t WorkQueue::Len() const { return impl_->Len(); }


void WorkQueue::Impl::Add(const std::string& key) {
  std::shared_ptr<const std::function<void()>> ready;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (shutting_down_ || dirty_.count(key)) return;
    dirty_.insert(key);
    if (processing_.count(key)) return;  // queued again by Done()
    queue_.push_back(key);
    cv_.notify_one();
    ready = OnReadyLocked();
  }
  if (ready) (*ready)();
}

void WorkQueue::Impl::AddAfter(const std::string& key, Duration after) {
  if (after <= Duration::zero()) {
    Add(key);
    return;
  }
  std::lock_guard<std::mutex> l(mu_);
  if (shutting_down_) return;
  // The id is only known once AfterFunc returns; the callback may run before we record
  // it (a FakeClock never fires inside AfterFunc, a RealClock may on its own thread), so
  // the callback takes the lock and erases its own id if present.
  auto id = std::make_shared<TimerId>(0);
  std::weak_ptr<Impl> weak = weak_from_this();
  *id = clock_->AfterFunc(after, [weak, key, id] {
    auto self = weak.lock();
    if (!self) return;
    {
      std::lock_guard<std::mutex> l2(self->mu_);
      self->timers_.erase(*id);
    }
    self->Add(key);
  });
  timers_.insert(*id);
}

Duration WorkQueue::Impl::Backoff(int failures) const {
  double d = static_cast<double>(limit_.base.count());
  for (int i = 0; i < failures && d < static_cast<double>(limit_.max.count()); ++i) d *= 2;
  return std::min(Duration(static_cast<Duration::rep>(d)), limit_.max);
}

void WorkQueue::Impl::AddRateLimited(const std::string& key) {
  Duration d;
  {
    std::lock_guard<std::mutex> l(mu_);
    d = Backoff(failures_[key]++);
  }
  AddAfter(key, d);
}

void WorkQueue::Impl::Forget(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  failures_.erase(key);
}

int WorkQueue::Impl::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

bool WorkQueue::Impl::Get(std::string* key) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return !queue_.empty() || shutting_down_; });
  return PopLocked(key);
}

bool WorkQueue::TryGet(std::string* key) { return impl_->TryGet(key); }
void WorkQueue::SetOnReady(std::function<void()> fn) { impl_->SetOnReady(std::move(fn)); }

bool WorkQueue::Impl::GetFor(std::string* key, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, timeout, [&] { return !queue_.empty() || shutting_down_; });
  return PopLocked(key);
}

bool WorkQueue::Impl::TryGet(std::string* key) {
  std::lock_guard<std::mutex> l(mu_);
  return PopLocked(key);
}

bool WorkQueue::Impl::PopLocked(std::string* key) {
  if (queue_.empty()) return false;
  *key = queue_.front();
  queue_.pop_front();
  processing_.insert(*key);
  dirty_.erase(*key);
  return true;
}

void WorkQueue::Impl::SetOnReady(std::function<void()> fn) {
  std::lock_guard<std::mutex> l(mu_);
  on_ready_ = fn ? std::make_shared<const std::function<void()>>(std::move(fn)) : nullptr;
}

void WorkQueue::Impl::Done(const std::string& key) {
  std::shared_ptr<const std::function<void()>> ready;
  {
    std::lock_guard<std::mutex> l(mu_);
    processing_.erase(key);
    if (!dirty_.count(key)) return;
    queue_.push_back(key);
    cv_.notify_one();
    ready = OnReadyLocked();
  }
  if (ready) (*ready)();
}

void WorkQueue::Impl::ShutDown() {
  std::set<TimerId> timers;
  std::shared_ptr<const std::function<void()>> ready;
  {
    std::lock_guard<std::mutex> l(mu_);
    shutting_down_ = true;
    timers.swap(timers_);
    ready = OnReadyLocked();
  }
  for (TimerId id : timers) clock_->CancelTimer(id);
  cv_.notify_all();
  if (ready) (*ready)();
}

bool WorkQueue::Impl::ShuttingDown() const {
  std::lock_guard<std::mutex> l(mu_);
  return shutting_down_;
}

size_t WorkQueue::Impl::Len() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.size();
}

}  // namespace lpv::client
