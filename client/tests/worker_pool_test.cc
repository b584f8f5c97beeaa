#include "client/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace lpv::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Counts processed keys and lets a test wait for a count, on a condition, not a sleep.
class Tally {
 public:
  void Note(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    ++seen_[key];
    ++total_;
    cv_.notify_all();
  }
  bool WaitForTotal(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, seconds(10), [&] { return total_ >= n; });
  }
  int Seen(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    return seen_[key];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> seen_;
  int total_ = 0;
};

TEST(WorkerPoolTest, TwoThreadsDrainFiftyQueuesNeverRunningOneQueueTwiceAtOnce) {
  FakeClock clock;
  WorkerPool pool("test-pool", 2);
  EXPECT_EQ(pool.threads(), 2);
  constexpr int kQueues = 50, kKeys = 20;
  Tally tally;
  std::vector<std::shared_ptr<WorkQueue>> queues;
  std::vector<std::unique_ptr<std::atomic<int>>> active;
  std::atomic<int> overlaps{0};
  std::vector<std::unique_ptr<WorkerPool::Attachment>> attached;
  for (int q = 0; q < kQueues; ++q) {
    queues.push_back(std::make_shared<WorkQueue>(&clock));
    active.push_back(std::make_unique<std::atomic<int>>(0));
    std::atomic<int>* mine = active.back().get();
    attached.push_back(pool.Attach(queues.back(), [&, mine, q](const std::string& key) {
      if (mine->fetch_add(1) != 0) ++overlaps;
      tally.Note(std::to_string(q) + "/" + key);
      mine->fetch_sub(1);
      return true;
    }));
  }
  // Keys arrive from several threads at once, as from informers.
  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int q = p; q < kQueues; q += 4) {
        for (int k = 0; k < kKeys; ++k) queues[q]->Add("k" + std::to_string(k));
      }
    });
  }
  for (auto& t : producers) t.join();
  ASSERT_TRUE(tally.WaitForTotal(kQueues * kKeys));
  EXPECT_EQ(overlaps.load(), 0);
  for (int q = 0; q < kQueues; ++q) {
    EXPECT_EQ(tally.Seen(std::to_string(q) + "/k0"), 1);
    EXPECT_EQ(tally.Seen(std::to_string(q) + "/k" + std::to_string(kKeys - 1)), 1);
  }
}

TEST(WorkerPoolTest, AFailedSyncIsRetriedAfterTheQueuesBackoffOnTheClock) {
  FakeClock clock;
  WorkerPool pool("test-pool", 1);
  auto queue = std::make_shared<WorkQueue>(&clock, RateLimit{milliseconds(100), seconds(1)});
  Tally tally;
  int tries = 0;  // the strand's syncs never overlap
  auto attached = pool.Attach(queue, [&](const std::string& key) {
    tally.Note(key);
    if (key != "a") return true;
    // The queue's syncs run one after another: "barrier" runs once the failure of "a"
    // has been handled, its retry timer set.
    if (++tries == 1) {
      queue->Add("barrier");
      return false;
    }
    return true;
  });
  queue->Add("a");
  ASSERT_TRUE(tally.WaitForTotal(2));
  EXPECT_EQ(tally.Seen("a"), 1);
  EXPECT_EQ(tally.Seen("barrier"), 1);
  EXPECT_EQ(queue->NumRequeues("a"), 1);
  clock.Step(milliseconds(99));
  EXPECT_EQ(queue->Len(), 0u);  // not yet
  clock.Step(milliseconds(1));  // the backoff's timer re-adds the key
  ASSERT_TRUE(tally.WaitForTotal(3));
  attached->Detach();  // waits for the retry to be handled
  EXPECT_EQ(tally.Seen("a"), 2);
  EXPECT_EQ(queue->NumRequeues("a"), 0);  // forgotten once it succeeded
}

// A gate a sync can wait at, on a condition.
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool Wait() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, seconds(10), [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(WorkerPoolTest, AQueueBusyOnOneThreadIsNotTakenByAnotherWhileOtherQueuesProceed) {
  FakeClock clock;
  WorkerPool pool("test-pool", 2);
  auto a = std::make_shared<WorkQueue>(&clock);
  auto b = std::make_shared<WorkQueue>(&clock);
  Gate a1_started, release_a1;
  std::atomic<bool> a2_started{false};
  Tally tally;
  auto attached_a = pool.Attach(a, [&](const std::string& key) {
    if (key == "a1") {
      a1_started.Open();
      release_a1.Wait();
    } else {
      a2_started = true;
    }
    tally.Note(key);
    return true;
  });
  auto attached_b = pool.Attach(b, [&](const std::string& key) {
    tally.Note(key);
    return true;
  });
  a->Add("a1");
  ASSERT_TRUE(a1_started.Wait());
  a->Add("a2");  // a's strand is busy: the free thread must not take it
  for (int i = 0; i < 20; ++i) b->Add("b" + std::to_string(i));
  ASSERT_TRUE(tally.WaitForTotal(20));  // the other thread did b's keys meanwhile
  EXPECT_EQ(tally.Seen("b19"), 1);
  EXPECT_FALSE(a2_started.load());
  release_a1.Open();
  ASSERT_TRUE(tally.WaitForTotal(22));
  EXPECT_EQ(tally.Seen("a2"), 1);
}

TEST(WorkerPoolTest, DetachWaitsForTheRunningSyncAndLeavesLaterKeysQueued) {
  FakeClock clock;
  WorkerPool pool("test-pool", 2);
  auto queue = std::make_shared<WorkQueue>(&clock);
  Gate started, detaching;
  std::atomic<bool> finished{false};
  std::atomic<bool> detach_returned{false};
  std::atomic<bool> returned_before_finish{false};
  auto attached = pool.Attach(queue, [&](const std::string&) {
    started.Open();
    // Hold on until the other thread is about to Detach; a Detach that did not wait
    // would then usually return while this sync still runs.
    detaching.Wait();
    for (int i = 0; i < 1000 && !detach_returned; ++i) std::this_thread::yield();
    if (detach_returned) returned_before_finish = true;
    finished = true;
    return true;
  });
  queue->Add("a");
  ASSERT_TRUE(started.Wait());
  std::thread detacher([&] {
    detaching.Open();
    attached->Detach();
    detach_returned = true;
  });
  detacher.join();
  EXPECT_TRUE(finished.load());
  EXPECT_FALSE(returned_before_finish.load());
  queue->Add("b");
  EXPECT_EQ(queue->Len(), 1u);  // nobody drains a detached queue
}

TEST(WorkerPoolTest, DrainAndDetachProcessesWhatAShutDownQueueStillHolds) {
  FakeClock clock;
  WorkerPool pool("test-pool", 1);
  auto queue = std::make_shared<WorkQueue>(&clock);
  Gate first_started, release_first;
  Tally tally;
  auto attached = pool.Attach(queue, [&](const std::string& key) {
    if (key == "k0") {
      first_started.Open();
      release_first.Wait();
    }
    tally.Note(key);
    return true;
  });
  queue->Add("k0");
  ASSERT_TRUE(first_started.Wait());
  for (int i = 1; i < 5; ++i) queue->Add("k" + std::to_string(i));
  queue->ShutDown();
  queue->Add("late");  // a shut-down queue takes no more keys
  release_first.Open();
  attached->DrainAndDetach();
  EXPECT_EQ(tally.Seen("k4"), 1);
  EXPECT_EQ(tally.Seen("late"), 0);
  EXPECT_EQ(queue->Len(), 0u);
}

TEST(WorkerPoolTest, KeysQueuedBeforeTheAttachAreProcessed) {
  FakeClock clock;
  WorkerPool pool("test-pool", 1);
  auto queue = std::make_shared<WorkQueue>(&clock);
  queue->Add("early");
  Tally tally;
  auto attached = pool.Attach(queue, [&](const std::string& key) {
    tally.Note(key);
    return true;
  });
  ASSERT_TRUE(tally.WaitForTotal(1));
  EXPECT_EQ(tally.Seen("early"), 1);
}

TEST(WorkerPoolTest, RunWorkerProcessesUntilTheQueueShutsDown) {
  FakeClock clock;
  WorkQueue queue(&clock);
  Tally tally;
  std::thread worker([&] {
    RunWorker(queue, [&](const std::string& key) {
      tally.Note(key);
      return true;
    });
  });
  queue.Add("a");
  queue.Add("b");
  ASSERT_TRUE(tally.WaitForTotal(2));
  queue.ShutDown();
  worker.join();  // returns once shut down
  EXPECT_EQ(tally.Seen("a"), 1);
  EXPECT_EQ(tally.Seen("b"), 1);
}

}  // namespace
}  // namespace lpv::client
