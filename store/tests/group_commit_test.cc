// Group commit (concurrent writers sharing one batch) and watch triggers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/tests/test_util.h"

namespace lpv::store {
namespace {

using testing::FastOptions;
using testing::kWait;
using testing::OpenStore;
using testing::TempDir;

// `writers` threads create `each` keys apiece at once: every write gets its own revision,
// one writer's stay in order, and together they are 1..writers*each with no gap.
void CreateConcurrentlyAndExpectDenseRevisions(Store* store, int writers, int each) {
  std::vector<std::vector<int64_t>> revisions(writers);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < each; ++i) {
        auto rev = store->Create("/k/" + std::to_string(w) + "-" + std::to_string(i), "v");
        if (rev.ok()) revisions[w].push_back(*rev);
      }
    });
  }
  for (auto& t : threads) t.join();

  std::set<int64_t> all;
  for (const auto& r : revisions) {
    EXPECT_EQ(r.size(), static_cast<size_t>(each));
    EXPECT_TRUE(std::is_sorted(r.begin(), r.end()));
    all.insert(r.begin(), r.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(writers * each));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), writers * each);
  EXPECT_EQ(store->Revision(), writers * each);
}

// Many writers at once, synced: every write gets its own revision, revisions are dense,
// and a watcher sees every one of them in order.
TEST(GroupCommitTest, ConcurrentWritesGetDenseOrderedRevisionsAndAllReachTheWatch) {
  TempDir dir;
  Options options = FastOptions(dir.path());
  options.sync = true;
  auto store = OpenStore(options);
  ASSERT_NE(store, nullptr);
  auto watcher = store->Watch("/k/", 0);
  ASSERT_TRUE(watcher.ok());

  constexpr int kWriters = 16, kEach = 20;
  CreateConcurrentlyAndExpectDenseRevisions(store.get(), kWriters, kEach);

  for (int64_t want = 1; want <= kWriters * kEach; ++want) {
    Event ev;
    ASSERT_TRUE((*watcher)->Next(&ev, std::chrono::seconds(10)));
    EXPECT_EQ(ev.revision, want);
  }
}

// Readers blocked in Next while many writers commit groups: each group's leader wakes
// them once, after the group, outside the store's lock. A wake-up lost between a reader
// starting to wait and a group being queued would leave the reader asleep until its
// timeout, which a correct store never lets it reach while events are being written.
TEST(GroupCommitTest, BlockedWatchersAreWokenByEveryGroupAndMissNothing) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(store, nullptr);
  constexpr int kWriters = 32, kEach = 50, kReaders = 4;
  std::vector<std::vector<int64_t>> seen(kReaders);
  std::vector<int> timed_out(kReaders, 0);
  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    auto w = store->Watch("/k/", 0);
    ASSERT_TRUE(w.ok());
    readers.emplace_back([&seen, &timed_out, r, w = std::move(*w)] {
      std::shared_ptr<const Event> ev;
      while (seen[r].size() < kWriters * kEach) {
        auto deadline = std::chrono::steady_clock::now() + kWait;
        if (!w->Next(&ev, kWait)) break;
        if (std::chrono::steady_clock::now() >= deadline) ++timed_out[r];
        seen[r].push_back(ev->revision);
      }
    });
  }
  CreateConcurrentlyAndExpectDenseRevisions(store.get(), kWriters, kEach);
  for (auto& t : readers) t.join();
  for (int r = 0; r < kReaders; ++r) {
    EXPECT_EQ(timed_out[r], 0) << "reader " << r << " was woken only by its timeout";
    ASSERT_EQ(seen[r].size(), static_cast<size_t>(kWriters * kEach)) << "reader " << r;
    for (size_t i = 0; i < seen[r].size(); ++i) {
      ASSERT_EQ(seen[r][i], static_cast<int64_t>(i) + 1) << "reader " << r;
    }
  }
}

// Many writers, unsynced so groups turn over fast: each finished group wakes its own
// writers and one queued writer to lead the next group, and no writer is left waiting (a
// lost wake-up would hang here) or gets another's revision.
TEST(GroupCommitTest, EveryQueuedWriterIsCommittedAsLeadershipPassesOn) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(store, nullptr);
  CreateConcurrentlyAndExpectDenseRevisions(store.get(), 64, 100);
}

// Concurrent compare-and-swap updates of one key: exactly one writer wins per revision it
// read, as without batching; no update is lost.
TEST(GroupCommitTest, ConcurrentCompareAndSwapOnOneKeyLosesNoUpdate) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Create("/counter", "0").ok());

  constexpr int kWriters = 8, kEach = 25;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&] {
      for (int done = 0; done < kEach;) {
        auto kv = store->Get("/counter");
        if (!kv.ok()) return;
        int n = std::stoi(kv->value);
        auto rev = store->Update("/counter", std::to_string(n + 1), kv->mod_revision);
        if (rev.ok()) {
          ++done;
        } else if (rev.status().reason() == Reason::Conflict) {
          ++conflicts;
        } else {
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  auto kv = store->Get("/counter");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value, std::to_string(kWriters * kEach));
  EXPECT_EQ(kv->mod_revision, 1 + kWriters * kEach);
}

// A triggered watch gets only the live events whose new or previous value maps to its
// trigger value; an untriggered one gets them all.
TEST(WatchTriggerTest, TriggeredWatchSeesOnlyItsValuesIncludingMovesAway) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(store, nullptr);
  // The value is "node:payload"; the trigger is the node.
  store->SetTrigger("/pods/", [](std::string_view v) {
    return std::string(v.substr(0, v.find(':')));
  });
  auto all = store->Watch("/pods/", 0);
  auto a = store->WatchTriggered("/pods/", 0, "a");
  ASSERT_TRUE(all.ok());
  ASSERT_TRUE(a.ok());

  ASSERT_TRUE(store->Create("/pods/p1", "a:1").ok());  // rev 1: a
  ASSERT_TRUE(store->Create("/pods/p2", "b:1").ok());  // rev 2: b only
  ASSERT_TRUE(store->Update("/pods/p1", "b:2", 0).ok());  // rev 3: a -> b, a sees it
  ASSERT_TRUE(store->Update("/pods/p2", "b:3", 0).ok());  // rev 4: b only

  std::vector<int64_t> seen;
  Event ev;
  while ((*a)->Next(&ev, std::chrono::milliseconds(0))) seen.push_back(ev.revision);
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 3}));
  seen.clear();
  while ((*all)->Next(&ev, std::chrono::milliseconds(0))) seen.push_back(ev.revision);
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4}));
}

// The hub indexes triggered watchers by value: each gets its events once (a pod updated on
// the same node carries that node twice), watchers come and go from the index, and keys no
// trigger covers still reach a triggered watcher whose prefix holds them.
TEST(WatchTriggerTest, TheTriggerIndexDeliversEachEventOnceToEveryWatcherThatWantsIt) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(store, nullptr);
  store->SetTrigger("/pods/", [](std::string_view v) {
    return std::string(v.substr(0, v.find(':')));
  });
  auto a1 = store->WatchTriggered("/pods/", 0, "a");
  auto a2 = store->WatchTriggered("/pods/", 0, "a");
  auto b = store->WatchTriggered("/pods/", 0, "b");
  auto gone = store->WatchTriggered("/pods/", 0, "a");
  auto other = store->WatchTriggered("/other/", 0, "a");  // no trigger covers /other/
  ASSERT_TRUE(a1.ok() && a2.ok() && b.ok() && gone.ok() && other.ok());
  gone->reset();  // unregisters from the index

  ASSERT_TRUE(store->Create("/pods/p1", "a:1").ok());     // rev 1: a
  ASSERT_TRUE(store->Update("/pods/p1", "a:2", 0).ok());  // rev 2: a and a
  ASSERT_TRUE(store->Create("/other/o1", "z:1").ok());    // rev 3: untriggered
  ASSERT_TRUE(store->Update("/pods/p1", "b:3", 0).ok());  // rev 4: a -> b

  auto drain = [](Watcher& w) {
    std::vector<int64_t> seen;
    Event ev;
    while (w.Next(&ev, std::chrono::milliseconds(0))) seen.push_back(ev.revision);
    return seen;
  };
  EXPECT_EQ(drain(**a1), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(drain(**a2), (std::vector<int64_t>{1, 2, 4}));
  EXPECT_EQ(drain(**b), (std::vector<int64_t>{4}));
  EXPECT_EQ(drain(**other), (std::vector<int64_t>{3}));
}

}  // namespace
}  // namespace lpv::store
