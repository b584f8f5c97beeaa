// Watch: replay from history, live events, ordering under concurrency, compaction (Gone),
// slow watchers, cancel and store close.
#include <gtest/gtest.h>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/tests/test_util.h"

namespace lpv::store {
namespace {

using std::chrono::milliseconds;
using testing::FastOptions;
using testing::kWait;
using testing::OpenStore;
using testing::TakeEvents;
using testing::TempDir;

std::unique_ptr<Watcher> MustWatch(Store* store, const std::string& prefix, int64_t after) {
  auto w = store->Watch(prefix, after);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return w.ok() ? std::move(*w) : nullptr;
}

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore(FastOptions(dir_.path()));
    ASSERT_NE(store_, nullptr);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(WatchTest, ReplaysHistoryThenGoesLive) {
  ASSERT_TRUE(store_->Create("/a/1", "v1").ok());
  ASSERT_TRUE(store_->Create("/a/2", "v2").ok());
  ASSERT_TRUE(store_->Update("/a/1", "v1b", 0).ok());

  auto w = MustWatch(store_.get(), "/a/", 1);
  auto replayed = TakeEvents(w.get(), 2);
  ASSERT_EQ(replayed.size(), 2u);
  EXPECT_EQ(replayed[0].revision, 2);
  EXPECT_EQ(replayed[0].key, "/a/2");
  EXPECT_TRUE(replayed[0].created);
  EXPECT_EQ(replayed[1].revision, 3);
  EXPECT_EQ(replayed[1].value, "v1b");
  EXPECT_EQ(replayed[1].prev_value, "v1");
  EXPECT_FALSE(replayed[1].created);

  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(0))) << "history exhausted, nothing live yet";
  EXPECT_TRUE(w->status().ok());
  EXPECT_FALSE(w->done());

  ASSERT_TRUE(store_->Create("/a/3", "v3").ok());
  ASSERT_TRUE(w->Next(&ev, kWait));
  EXPECT_EQ(ev.revision, 4);
  EXPECT_EQ(ev.key, "/a/3");
  EXPECT_EQ(ev.type, Event::Type::kPut);
}

TEST_F(WatchTest, EventsCarryPrevValueAndDeletesCarryLastValue) {
  auto w = MustWatch(store_.get(), "/a/", 0);
  ASSERT_TRUE(store_->Create("/a/x", "one").ok());
  ASSERT_TRUE(store_->Update("/a/x", "two", 0).ok());
  ASSERT_TRUE(store_->Delete("/a/x", 0).ok());

  auto live = TakeEvents(w.get(), 3);
  ASSERT_EQ(live.size(), 3u);
  EXPECT_TRUE(live[0].created);
  EXPECT_EQ(live[0].prev_value, "");
  EXPECT_EQ(live[1].value, "two");
  EXPECT_EQ(live[1].prev_value, "one");
  EXPECT_EQ(live[2].type, Event::Type::kDelete);
  EXPECT_EQ(live[2].value, "two");
  EXPECT_EQ(live[2].prev_value, "two");
  EXPECT_EQ(live[2].revision, 3);

  // The same three events, replayed from the log, look the same.
  auto w2 = MustWatch(store_.get(), "/a/", 0);
  auto replayed = TakeEvents(w2.get(), 3);
  ASSERT_EQ(replayed.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(replayed[i].type, live[i].type);
    EXPECT_EQ(replayed[i].key, live[i].key);
    EXPECT_EQ(replayed[i].value, live[i].value);
    EXPECT_EQ(replayed[i].prev_value, live[i].prev_value);
    EXPECT_EQ(replayed[i].created, live[i].created);
    EXPECT_EQ(replayed[i].revision, live[i].revision);
  }
}

// A live event is one object for all its watchers, and what a layer above derives from it
// through its memo (the apiserver: the decoded object) is made once. A replayed event is
// the replaying watcher's own, without a memo.
TEST_F(WatchTest, LiveEventsAreSharedByTheirWatchersAndDerivedOnce) {
  auto w1 = MustWatch(store_.get(), "/a/", store_->Revision());
  auto w2 = MustWatch(store_.get(), "/a/", store_->Revision());
  ASSERT_TRUE(store_->Create("/a/x", "one").ok());
  ASSERT_TRUE(store_->Update("/a/x", "two", 0).ok());
  for (int i = 0; i < 2; ++i) {
    std::shared_ptr<const Event> e1, e2;
    ASSERT_TRUE(w1->Next(&e1, kWait));
    ASSERT_TRUE(w2->Next(&e2, kWait));
    EXPECT_EQ(e1.get(), e2.get());
    ASSERT_NE(e1->value_memo, nullptr);
    ASSERT_NE(e1->prev_memo, nullptr);
    EXPECT_NE(e1->value_memo, e1->prev_memo);
    int made = 0;
    auto make = [&made, &e1] {
      ++made;
      return std::make_shared<const std::string>(e1->value + "!");
    };
    auto d1 = e1->value_memo->Get<std::string>(make);
    auto d2 = e2->value_memo->Get<std::string>(make);
    EXPECT_EQ(made, 1);
    EXPECT_EQ(d1.get(), d2.get());
    EXPECT_EQ(*d1, i == 0 ? "one!" : "two!");
  }

  auto replaying = MustWatch(store_.get(), "/a/", 0);
  std::shared_ptr<const Event> replayed;
  ASSERT_TRUE(replaying->Next(&replayed, kWait));
  EXPECT_EQ(replayed->value, "one");
  EXPECT_EQ(replayed->value_memo, nullptr);
  EXPECT_EQ(replayed->prev_memo, nullptr);
}

TEST_F(WatchTest, FiltersByPrefixInReplayAndLive) {
  ASSERT_TRUE(store_->Create("/a/x", "in").ok());
  ASSERT_TRUE(store_->Create("/ab/x", "sibling").ok());
  auto w = MustWatch(store_.get(), "/a/", 0);
  ASSERT_TRUE(store_->Create("/ab/y", "sibling").ok());
  ASSERT_TRUE(store_->Create("/b/y", "other").ok());
  ASSERT_TRUE(store_->Create("/a/y", "in").ok());

  auto events = TakeEvents(w.get(), 2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].key, "/a/x");
  EXPECT_EQ(events[0].revision, 1);
  EXPECT_EQ(events[1].key, "/a/y");
  EXPECT_EQ(events[1].revision, 5);
  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(0)));
}

TEST_F(WatchTest, WatchFromCurrentRevisionSeesOnlyNewWrites) {
  ASSERT_TRUE(store_->Create("/a/x", "old").ok());
  auto w = MustWatch(store_.get(), "/a/", store_->Revision());
  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(0)));
  ASSERT_TRUE(store_->Update("/a/x", "new", 0).ok());
  ASSERT_TRUE(w->Next(&ev, kWait));
  EXPECT_EQ(ev.revision, 2);
}

TEST_F(WatchTest, WatchFromFutureRevisionSkipsWritesUpToIt) {
  auto w = MustWatch(store_.get(), "/a/", 2);
  ASSERT_TRUE(store_->Create("/a/1", "v").ok());
  ASSERT_TRUE(store_->Create("/a/2", "v").ok());
  ASSERT_TRUE(store_->Create("/a/3", "v").ok());
  Event ev;
  ASSERT_TRUE(w->Next(&ev, kWait));
  EXPECT_EQ(ev.revision, 3);
}

TEST_F(WatchTest, NegativeRevisionIsBadRequest) {
  EXPECT_EQ(store_->Watch("/a/", -1).status().reason(), Reason::BadRequest);
}

// Writes 2000 keys from a thread while watching from revision 0, registering the watch
// half-way, so events come partly from the replay and partly live; the watcher must see
// every revision exactly once, in order. A second thread writes elsewhere to interleave
// events the prefix filter must drop.
TEST_F(WatchTest, ConcurrentWriterYieldsNoGapsOrDuplicates) {
  constexpr int kKeys = 2000;
  std::latch half_written(1);
  std::thread writer([&] {
    for (int i = 0; i < kKeys; ++i) {
      // EXPECT, not ASSERT: the latch must be counted down even after a failure.
      EXPECT_TRUE(store_->Create("/c/" + std::to_string(i), "v").ok());
      if (i == kKeys / 2) half_written.count_down();
    }
  });
  half_written.wait();
  auto w = MustWatch(store_.get(), "/c/", 0);
  ASSERT_NE(w, nullptr);
  auto events = TakeEvents(w.get(), kKeys);
  writer.join();

  ASSERT_EQ(events.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_EQ(events[i].revision, i + 1) << "at event " << i;
    ASSERT_EQ(events[i].key, "/c/" + std::to_string(i));
  }
  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(0))) << "no extra events";
}

TEST_F(WatchTest, InterleavedWritersKeepPrefixEventsStrictlyIncreasing) {
  constexpr int kKeys = 1000;
  auto w = MustWatch(store_.get(), "/c/", 0);
  std::thread noise([&] {
    for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(store_->Create("/d/" + std::to_string(i), "").ok());
  });
  std::thread writer([&] {
    for (int i = 0; i < kKeys; ++i) ASSERT_TRUE(store_->Create("/c/" + std::to_string(i), "").ok());
  });
  auto events = TakeEvents(w.get(), kKeys);
  writer.join();
  noise.join();
  ASSERT_EQ(events.size(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_EQ(events[i].key, "/c/" + std::to_string(i));
    if (i > 0) {
      ASSERT_GT(events[i].revision, events[i - 1].revision);
    }
  }
  // And a replay of the whole log agrees with what was seen live.
  auto replay = MustWatch(store_.get(), "/c/", 0);
  auto replayed = TakeEvents(replay.get(), kKeys);
  ASSERT_EQ(replayed.size(), events.size());
  for (int i = 0; i < kKeys; ++i) ASSERT_EQ(replayed[i].revision, events[i].revision);
}

TEST_F(WatchTest, WatchFromCompactedHistoryIsGone) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Create("/a/" + std::to_string(i), "").ok());
  ASSERT_TRUE(store_->Compact(6).ok());
  EXPECT_EQ(store_->CompactedRevision(), 6);

  auto gone = store_->Watch("/a/", 5);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().IsGone());
  EXPECT_EQ(gone.status().message(), "too old resource version: 5 (6)");

  // From the compacted revision itself every needed event is still there.
  auto w = MustWatch(store_.get(), "/a/", 6);
  auto events = TakeEvents(w.get(), 4);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.front().revision, 7);
  EXPECT_EQ(events.back().revision, 10);
}

TEST_F(WatchTest, ReplayStartedBeforeCompactionStillCompletes) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Create("/a/" + std::to_string(i), "").ok());
  auto w = MustWatch(store_.get(), "/a/", 0);
  ASSERT_TRUE(store_->Compact(10).ok());
  auto events = TakeEvents(w.get(), 10);
  ASSERT_EQ(events.size(), 10u);
  EXPECT_EQ(events.back().revision, 10);
}

TEST(WatchCompactionTest, HistoryLimitCompactsAutomatically) {
  TempDir dir;
  Options options = FastOptions(dir.path());
  options.history_limit = 20;
  auto store = OpenStore(options);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(store->Create("/a/" + std::to_string(i), "").ok());

  int64_t rev = store->Revision();
  int64_t compacted = store->CompactedRevision();
  EXPECT_GT(compacted, 0);
  EXPECT_GE(rev - compacted, options.history_limit) << "keeps at least history_limit";
  EXPECT_LE(rev - compacted, 2 * options.history_limit) << "and not much more";

  auto gone = store->Watch("/a/", 0);
  ASSERT_TRUE(gone.status().IsGone());
  EXPECT_TRUE(gone.status().message().starts_with("too old resource version"))
      << gone.status().message();

  auto w = MustWatch(store.get(), "/a/", rev - options.history_limit);
  auto events = TakeEvents(w.get(), options.history_limit);
  ASSERT_EQ(events.size(), static_cast<size_t>(options.history_limit));
  EXPECT_EQ(events.back().revision, rev);

  // The compaction point survives a restart.
  store.reset();
  store = OpenStore(options);
  EXPECT_EQ(store->CompactedRevision(), compacted);
  EXPECT_TRUE(store->Watch("/a/", 0).status().IsGone());
}

TEST(WatchCompactionTest, ZeroHistoryLimitNeverCompacts) {
  TempDir dir;
  Options options = FastOptions(dir.path());
  options.history_limit = 0;
  auto store = OpenStore(options);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->Create("/a/" + std::to_string(i), "").ok());
  EXPECT_EQ(store->CompactedRevision(), 0);
  auto w = MustWatch(store.get(), "/a/", 0);
  EXPECT_EQ(TakeEvents(w.get(), 100).size(), 100u);
}

TEST(WatchSlowTest, SlowWatcherIsCutOffWhileOthersGetEverything) {
  TempDir dir;
  Options options = FastOptions(dir.path());
  options.watch_queue_limit = 10;
  auto store = OpenStore(options);
  auto slow = MustWatch(store.get(), "/a/", 0);
  auto fast = MustWatch(store.get(), "/a/", 0);

  constexpr int kWrites = 50;
  std::vector<Event> received;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(store->Create("/a/" + std::to_string(i), "").ok());
    Event ev;
    ASSERT_TRUE(fast->Next(&ev, kWait)) << fast->status().ToString();
    received.push_back(ev);
  }
  ASSERT_EQ(received.size(), static_cast<size_t>(kWrites));
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(received[i].revision, i + 1);
  EXPECT_FALSE(fast->done());

  // The slow watcher's queue filled at 10 and it was ended, without any events.
  EXPECT_TRUE(slow->done());
  Event ev;
  EXPECT_FALSE(slow->Next(&ev, kWait));
  EXPECT_TRUE(slow->status().IsGone());
  EXPECT_TRUE(slow->status().message().starts_with("watcher fell behind"))
      << slow->status().message();

  // Writers are unaffected by the dead watcher.
  ASSERT_TRUE(store->Create("/a/after", "").ok());
  ASSERT_TRUE(fast->Next(&ev, kWait));
  EXPECT_EQ(ev.key, "/a/after");
}

// A store whose watchers may queue 5 events, one watcher, and 5 events queued for it.
class WatchQueueLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options = FastOptions(dir_.path());
    options.watch_queue_limit = 5;
    store_ = OpenStore(options);
    ASSERT_NE(store_, nullptr);
    w_ = MustWatch(store_.get(), "/a/", 0);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->Create("/a/" + std::to_string(i), "").ok());
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Watcher> w_;
};

TEST_F(WatchQueueLimitTest, QueueAtTheLimitIsNotCutOff) {
  EXPECT_FALSE(w_->done());
  EXPECT_EQ(TakeEvents(w_.get(), 5).size(), 5u);
}

// The reader takes the whole queue at once; what it has taken but not read still counts
// against the limit, so a watcher never holds more than the limit.
TEST_F(WatchQueueLimitTest, EventsTakenButNotReadCountAgainstTheLimit) {
  Event ev;
  ASSERT_TRUE(w_->Next(&ev, kWait));  // takes all five, reads one: four left
  ASSERT_TRUE(store_->Create("/a/5", "").ok());  // five held: at the limit
  EXPECT_FALSE(w_->done());
  ASSERT_TRUE(store_->Create("/a/6", "").ok());  // six: over it
  EXPECT_TRUE(w_->done());
  EXPECT_FALSE(w_->Next(&ev, kWait));
  EXPECT_TRUE(w_->status().IsGone()) << w_->status().ToString();
  EXPECT_EQ(w_->status().message(), "watcher fell behind: more than 5 events queued");
}

TEST_F(WatchTest, NextTimesOutWithOkStatus) {
  auto w = MustWatch(store_.get(), "/a/", 0);
  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(1)));
  EXPECT_TRUE(w->status().ok());
  EXPECT_FALSE(w->done());
}

TEST_F(WatchTest, NextWithMaxTimeoutWaitsForAnEvent) {
  auto w = MustWatch(store_.get(), "/a/", 0);
  Event ev;
  bool got = false;
  std::thread reader([&] { got = w->Next(&ev, milliseconds::max()); });
  ASSERT_TRUE(store_->Create("/a/x", "").ok());
  reader.join();
  EXPECT_TRUE(got);
  EXPECT_EQ(ev.key, "/a/x");
}

TEST_F(WatchTest, ReplaySkippingOtherPrefixesHonoursTimeout) {
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(store_->Create("/x/" + std::to_string(i), "").ok());
  ASSERT_TRUE(store_->Create("/a/last", "").ok());
  auto w = MustWatch(store_.get(), "/a/", 0);
  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(0))) << "3000 entries to skip take past a 0 timeout";
  EXPECT_TRUE(w->status().ok());
  EXPECT_FALSE(w->done());
  ASSERT_TRUE(w->Next(&ev, kWait));
  EXPECT_EQ(ev.key, "/a/last");
  EXPECT_EQ(ev.revision, 3001);
}

TEST_F(WatchTest, CancelFromAnotherThreadWakesBlockedNext) {
  auto w = MustWatch(store_.get(), "/a/", 0);
  bool got = true;
  std::thread reader([&] {
    Event ev;
    got = w->Next(&ev, kWait);
  });
  w->Cancel();
  reader.join();
  EXPECT_FALSE(got);
  EXPECT_TRUE(w->done());
  EXPECT_TRUE(w->status().ok());
  // Writes after the cancel go nowhere and do not block.
  ASSERT_TRUE(store_->Create("/a/x", "").ok());
  Event ev;
  EXPECT_FALSE(w->Next(&ev, milliseconds(0)));
}

TEST_F(WatchTest, CancelDuringReplayStopsIt) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Create("/a/" + std::to_string(i), "").ok());
  auto w = MustWatch(store_.get(), "/a/", 0);
  Event ev;
  ASSERT_TRUE(w->Next(&ev, kWait));
  w->Cancel();
  EXPECT_FALSE(w->Next(&ev, kWait));
  EXPECT_TRUE(w->done());
}

TEST(WatchCloseTest, ClosingTheStoreEndsWatchersThatMayOutliveIt) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_TRUE(store->Create("/a/x", "").ok());
  ASSERT_TRUE(store->Create("/a/y", "").ok());
  auto live = MustWatch(store.get(), "/a/", 2);
  auto replaying = MustWatch(store.get(), "/a/", 0);  // holds a snapshot, unread

  bool got = true;
  std::thread reader([&] {
    Event ev;
    got = live->Next(&ev, kWait);
  });
  store.reset();
  reader.join();
  EXPECT_FALSE(got);

  for (Watcher* w : {live.get(), replaying.get()}) {
    Event ev;
    EXPECT_TRUE(w->done());
    EXPECT_FALSE(w->Next(&ev, kWait));
    EXPECT_FALSE(w->status().ok());
    EXPECT_EQ(w->status().message(), "store closed");
  }
  // The directory is free again: nothing of the old store is still open.
  auto reopened = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->Revision(), 2);
}

TEST(WatchCloseTest, DestroyingWatchersBeforeTheStoreIsSafe) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_TRUE(store->Create("/a/x", "").ok());
  for (int i = 0; i < 100; ++i) {
    auto w = MustWatch(store.get(), "/a/", i % 2);  // half of them hold a snapshot
    if (i % 3 == 0) w->Cancel();
  }
  ASSERT_TRUE(store->Create("/a/y", "").ok());
  auto w = MustWatch(store.get(), "/a/", 0);
  EXPECT_EQ(TakeEvents(w.get(), 2).size(), 2u);
}

}  // namespace
}  // namespace lpv::store
