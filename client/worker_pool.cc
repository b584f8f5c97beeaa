#include "client/worker_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "client/thread_name.h"

namespace lpv::client {

namespace {
// Keys of one queue processed before it goes to the back of the line.
constexpr int kBatch = 8;
}  // namespace

void ProcessKey(WorkQueue& queue, const std::string& key, const SyncFunc& sync) {
  if (sync(key)) {
    queue.Forget(key);
  } else {
    queue.AddRateLimited(key);
  }
  queue.Done(key);
}

void RunWorker(WorkQueue& queue, const SyncFunc& sync) {
  std::string key;
  while (queue.Get(&key)) ProcessKey(queue, key, sync);
}

struct WorkerPool::Strand {
  std::shared_ptr<WorkQueue> queue;
  SyncFunc sync;
  // All guarded by Core::mu. scheduled: in the run queue; running: a worker holds it;
  // again: keys became ready while it ran; detached: never again.
  bool scheduled = false;
  bool running = false;
  bool again = false;
  bool detached = false;
};

struct WorkerPool::Core {
  std::mutex mu;
  std::condition_variable ready_cv;     // workers wait for runnable strands
  std::condition_variable idle_cv;  // a strand stopped running (Detach, DrainAndDetach wait)
  std::deque<std::shared_ptr<Strand>> runnable;
  bool stop = false;

  // The strand's queue has ready keys.
  void Ready(const std::shared_ptr<Strand>& s) {
    std::lock_guard<std::mutex> l(mu);
    if (s->detached) return;
    if (s->running) {
      s->again = true;
      return;
    }
    if (s->scheduled) return;
    s->scheduled = true;
    runnable.push_back(s);
    ready_cv.notify_one();
  }

  void Work() {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      ready_cv.wait(l, [&] { return stop || !runnable.empty(); });
      if (stop) return;
      std::shared_ptr<Strand> s = std::move(runnable.front());
      runnable.pop_front();
      s->scheduled = false;
      if (s->detached) continue;
      s->running = true;
      s->again = false;
      l.unlock();
      int n = 0;
      std::string key;
      while (n < kBatch && s->queue->TryGet(&key)) {
        ProcessKey(*s->queue, key, s->sync);
        ++n;
      }
      l.lock();
      s->running = false;
      if (!s->detached && (n == kBatch || s->again)) {
        s->scheduled = true;
        runnable.push_back(std::move(s));
      }
      idle_cv.notify_all();
    }
  }
};

WorkerPool::WorkerPool(const std::string& name, int threads)
    : core_(std::make_shared<Core>()) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([core = core_] { core->Work(); });
    SetThreadName(threads_.back(), name);
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> l(core_->mu);
    core_->stop = true;
  }
  core_->ready_cv.notify_all();
  core_->idle_cv.notify_all();
  for (auto& t : threads_) t.join();
}

std::unique_ptr<WorkerPool::Attachment> WorkerPool::Attach(std::shared_ptr<WorkQueue> queue,
                                                           SyncFunc sync) {
  auto strand = std::make_shared<Strand>();
  strand->queue = queue;
  strand->sync = std::move(sync);
  // Weak: the queue lives on in informer handlers after the pool and the strand are gone.
  std::weak_ptr<Core> weak_core = core_;
  std::weak_ptr<Strand> weak_strand = strand;
  queue->SetOnReady([weak_core, weak_strand] {
    auto core = weak_core.lock();
    auto s = weak_strand.lock();
    if (core && s) core->Ready(s);
  });
  core_->Ready(strand);  // keys queued before the attach
  return std::unique_ptr<Attachment>(new Attachment(core_, strand));
}

void WorkerPool::Attachment::Detach() {
  if (!strand_) return;
  strand_->queue->SetOnReady(nullptr);
  {
    std::unique_lock<std::mutex> l(core_->mu);
    strand_->detached = true;
    core_->idle_cv.wait(l, [&] { return !strand_->running; });
  }
  strand_.reset();
  core_.reset();
}

void WorkerPool::Attachment::DrainAndDetach() {
  if (!strand_) return;
  {
    // A shut-down queue takes no new keys, so it only empties. Its ShutDown made the
    // strand ready; a worker that finds it empty leaves it idle. (The queue's lock is
    // taken under the pool's here, never the other way round.)
    std::unique_lock<std::mutex> l(core_->mu);
    core_->idle_cv.wait(l, [&] {
      return core_->stop ||
             (!strand_->running && !strand_->scheduled && strand_->queue->Len() == 0);
    });
  }
  Detach();
}

void QueueWorker::Start(std::shared_ptr<WorkQueue> queue, SyncFunc sync, WorkerPool* pool,
                        const std::string& thread_name) {
  queue_ = queue;
  if (pool) {
    attachment_ = pool->Attach(std::move(queue), std::move(sync));
    return;
  }
  thread_ = std::thread([queue = std::move(queue), sync = std::move(sync)] {
    RunWorker(*queue, sync);
  });
  SetThreadName(thread_, thread_name);
}

void QueueWorker::Stop() {
  if (!queue_) return;
  queue_->ShutDown();
  if (attachment_) {
    attachment_->DrainAndDetach();
    attachment_.reset();
  } else if (thread_.joinable()) {
    thread_.join();
  }
  queue_.reset();
}

}  // namespace lpv::client
