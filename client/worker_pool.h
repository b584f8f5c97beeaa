// Workers for work queues: the client-go worker loop (ProcessKey, RunWorker) and a
// WorkerPool that drains many queues with a few threads.
//
// A fleet of a thousand simulated nodes has two thousand components (kubelets,
// provisioners), each with a queue whose keys must be processed one at a time, as by
// client-go's single worker: the component's worker state then needs no lock. A thread
// per component would be thousands of threads, nearly all asleep. The pool runs each queue
// as a strand instead: a queue with ready keys is handed to one of the pool's threads, which
// processes a few of its keys and hands it back. No queue is processed by two threads at
// once, and a busy queue cannot starve the others.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "client/workqueue.h"

namespace lpv::client {

// Syncs one key; false retries it with the queue's backoff.
using SyncFunc = std::function<bool(const std::string& key)>;

// One key as a client-go worker handles it: sync, then Forget on success or AddRateLimited
// on failure, then Done.
void ProcessKey(WorkQueue& queue, const std::string& key, const SyncFunc& sync);
// A dedicated worker: ProcessKey for every key until the queue shuts down and is empty.
void RunWorker(WorkQueue& queue, const SyncFunc& sync);

class WorkerPool {
  struct Core;
  struct Strand;

 public:
  // `threads` workers, named `name` (15 characters at most show).
  WorkerPool(const std::string& name, int threads);
  // Joins the workers once they finish the keys in hand; queues still attached are drained
  // no further. Detach them first.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  class Attachment {
   public:
    ~Attachment() { Detach(); }
    // After it returns, `sync` is not running for this queue and never runs again; keys
    // still queued stay there. Must not be called from that `sync`.
    void Detach();
    // For a queue that was ShutDown: processes the keys still queued, as a dedicated
    // worker drains its queue before it exits (RunWorker), then detaches.
    void DrainAndDetach();

   private:
    friend class WorkerPool;
    Attachment(std::shared_ptr<Core> core, std::shared_ptr<Strand> strand)
        : core_(std::move(core)), strand_(std::move(strand)) {}
    std::shared_ptr<Core> core_;
    std::shared_ptr<Strand> strand_;
  };

  // Drains `queue` with `sync` (ProcessKey per key) until detached. The queue's
  // SetOnReady belongs to the pool from now on.
  std::unique_ptr<Attachment> Attach(std::shared_ptr<WorkQueue> queue, SyncFunc sync);

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  std::shared_ptr<Core> core_;
  std::vector<std::thread> threads_;
};

// One component's worker: a dedicated thread running RunWorker, or, given a pool, a strand
// of the pool. Either way the queue's keys are processed one at a time, and Stop lets the
// keys still queued run before it returns.
class QueueWorker {
 public:
  QueueWorker() = default;
  ~QueueWorker() { Stop(); }
  QueueWorker(const QueueWorker&) = delete;
  QueueWorker& operator=(const QueueWorker&) = delete;

  // `pool` null: a thread named `thread_name`.
  void Start(std::shared_ptr<WorkQueue> queue, SyncFunc sync, WorkerPool* pool,
             const std::string& thread_name);
  // Shuts the queue down and waits until the worker has processed what it held.
  // Idempotent.
  void Stop();

 private:
  std::shared_ptr<WorkQueue> queue_;
  std::thread thread_;
  std::unique_ptr<WorkerPool::Attachment> attachment_;
};

}  // namespace lpv::client
