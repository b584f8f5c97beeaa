// Many clients at once, in-process and over gRPC: optimistic concurrency turns racing
// writes into Conflicts and never loses an update; watchers see every revision once and in
// order, also when they reconnect from the last resourceVersion they saw; a watcher that
// falls behind is cut off and relists while the writers and the other watchers go on.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <filesystem>
#include <numeric>
#include <set>
#include <thread>

#include "api/objects.pb.h"
#include "client/client.h"
#include "client/informer.h"
#include "cluster/cluster.h"
#include "store/store.h"

namespace lpv::client {
namespace {

using std::chrono::seconds;

constexpr const char* kCounter = "lpv.test/counter";
constexpr const char* kWriter = "lpv.test/writer";

enum class Transport { kLocal, kGrpc };

api::Event MakeEvent(const std::string& name) {
  api::Event ev;
  ev.mutable_metadata()->set_name(name);
  ev.mutable_metadata()->set_namespace_("default");
  ev.mutable_involved_object()->set_kind("Node");
  ev.mutable_involved_object()->set_name("node-1");
  ev.set_reason("Test");
  ev.set_message("concurrency");
  ev.set_type("Normal");
  ev.set_count(1);
  return ev;
}

int64_t Rv(const google::protobuf::Message& m) {
  return std::stoll(api::Meta(m).resource_version());
}

class ConcurrencyTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override {
    cluster::Options o;
    o.sync = false;  // durability is not what these tests are about
    auto c = cluster::Cluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
  }
  // A client of its own for each caller over gRPC (its own channel); the in-process one
  // is shared, as controllers share it.
  std::unique_ptr<Client> NewClient() {
    if (GetParam() == Transport::kGrpc) return NewGrpcClient(cluster_->address());
    return std::make_unique<LocalClient>(cluster_->apiserver());
  }

  std::unique_ptr<cluster::Cluster> cluster_;
};

// N writers increment one counter with read-modify-write loops, retrying on Conflict.
// Every successful update must have read the value the previous one wrote: the values
// the successful updates wrote are exactly 1..total, and the final value is total.
TEST_P(ConcurrencyTest, RacingReadModifyWriteLoopsNeverLoseAnUpdate) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 25;
  api::Event counter = MakeEvent("counter");
  (*counter.mutable_metadata()->mutable_annotations())[kCounter] = "0";
  ASSERT_TRUE(NewClient()->Create(counter).ok());

  std::mutex mu;
  std::vector<int> written;       // values successful updates wrote
  std::set<int64_t> revisions;    // their resourceVersions
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto c = NewClient();
      for (int done = 0; done < kIncrements;) {
        auto cur = c->Get<api::Event>("default", "counter");
        ASSERT_TRUE(cur.ok()) << cur.status().ToString();
        int value = std::stoi(cur->metadata().annotations().at(kCounter));
        api::Event next = *cur;
        (*next.mutable_metadata()->mutable_annotations())[kCounter] = std::to_string(value + 1);
        auto r = c->UpdateTyped(next);
        if (!r.ok()) {
          ASSERT_TRUE(r.status().IsConflict()) << r.status().ToString();
          ++conflicts;
          continue;
        }
        ++done;
        std::lock_guard<std::mutex> l(mu);
        written.push_back(value + 1);
        revisions.insert(Rv(*r));
      }
    });
  }
  for (auto& th : threads) th.join();

  constexpr int kTotal = kThreads * kIncrements;
  auto final_obj = NewClient()->Get<api::Event>("default", "counter");
  ASSERT_TRUE(final_obj.ok());
  EXPECT_EQ(final_obj->metadata().annotations().at(kCounter), std::to_string(kTotal));
  std::sort(written.begin(), written.end());
  std::vector<int> expected(kTotal);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(written, expected);
  EXPECT_EQ(revisions.size(), static_cast<size_t>(kTotal));
  RecordProperty("conflicts", conflicts.load());
  std::printf("%d updates by %d clients, %d conflicts retried\n", kTotal, kThreads,
              conflicts.load());
}

// Writers that all read the same version and then all write: exactly one wins each round,
// every other one gets Kubernetes' Conflict and changes nothing.
TEST_P(ConcurrencyTest, OfWritersHoldingTheSameVersionExactlyOneWins) {
  constexpr int kThreads = 6;
  constexpr int kRounds = 10;
  ASSERT_TRUE(NewClient()->Create(MakeEvent("contested")).ok());
  std::barrier read_all(kThreads), wrote_all(kThreads);
  std::vector<std::vector<Status>> results(kRounds, std::vector<Status>(kThreads));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = NewClient();
      for (int round = 0; round < kRounds; ++round) {
        auto cur = c->Get<api::Event>("default", "contested");
        read_all.arrive_and_wait();  // every writer holds the same resourceVersion
        if (cur.ok()) {
          // A value no earlier round wrote: a no-op update would succeed without a
          // write (and rightly so), which is not the race this test is about.
          api::Event mine = *cur;
          (*mine.mutable_metadata()->mutable_annotations())[kWriter] =
              std::to_string(round) + "/" + std::to_string(t);
          auto r = c->Update(mine);
          results[round][t] = r.ok() ? Status::OK() : r.status();
        } else {
          results[round][t] = cur.status();
        }
        wrote_all.arrive_and_wait();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int round = 0; round < kRounds; ++round) {
    int wins = 0;
    for (const Status& s : results[round]) {
      if (s.ok()) {
        ++wins;
        continue;
      }
      EXPECT_TRUE(s.IsConflict()) << s.ToString();
      EXPECT_EQ(s.message(),
                "Operation cannot be fulfilled on events \"contested\": the object has been "
                "modified; please apply your changes to the latest version and try again");
    }
    EXPECT_EQ(wins, 1) << "round " << round;
  }
}

// A writer keeps writing while watchers follow; each watcher hangs up every few events and
// watches again from the last resourceVersion it saw. Each must see every write's
// revision exactly once, in order.
TEST_P(ConcurrencyTest, WatchersReconnectingFromTheirLastRevisionMissAndRepeatNothing) {
  constexpr int kWrites = 300;
  auto writer_client = NewClient();
  // Something before the watched writes, so the watches start from a revision (from "0"
  // a watch would first list the current state as ADDED events).
  ASSERT_TRUE(writer_client->Create(MakeEvent("before")).ok());
  auto start = writer_client->List(*api::KindOf("Event"), "default");
  ASSERT_TRUE(start.ok());
  const std::string from = start->resource_version;
  ASSERT_NE(from, "0");

  std::vector<int64_t> acked;  // every write's revision; only this writer writes Events
  std::thread writer([&] {
    std::vector<std::string> names;
    auto write = [&](int i) -> Result<ObjectPtr> {
      if (i % 3 == 0) {
        names.push_back("w-" + std::to_string(i));
        return writer_client->Create(MakeEvent(names.back()));
      }
      auto cur = writer_client->Get<api::Event>("default", names[i % names.size()]);
      if (!cur.ok()) return cur.status();
      cur->set_count(cur->count() + 1);
      return writer_client->Update(*cur);
    };
    for (int i = 0; i < kWrites; ++i) {
      auto r = write(i);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      acked.push_back(Rv(**r));
    }
  });

  // Watchers hang up after different numbers of events so the reconnects fall at
  // different places in the stream.
  const std::vector<int> hang_up_every = {7, 31, 100};
  std::vector<std::vector<int64_t>> seen(hang_up_every.size());
  std::vector<int> reconnects(hang_up_every.size());
  std::vector<std::thread> watchers;
  for (size_t w = 0; w < hang_up_every.size(); ++w) {
    watchers.emplace_back([&, w] {
      auto c = NewClient();
      std::string rv = from;
      const auto deadline = std::chrono::steady_clock::now() + seconds(60);
      while (static_cast<int>(seen[w].size()) < kWrites &&
             std::chrono::steady_clock::now() < deadline) {
        auto stream = c->Watch(*api::KindOf("Event"), "default", {"", "", rv});
        ASSERT_TRUE(stream.ok()) << stream.status().ToString();
        for (int n = 0; n < hang_up_every[w] && static_cast<int>(seen[w].size()) < kWrites;) {
          WatchEvent ev;
          if (!(*stream)->Next(&ev, seconds(1))) {
            ASSERT_FALSE((*stream)->done()) << (*stream)->status().ToString();
            if (std::chrono::steady_clock::now() >= deadline) break;
            continue;
          }
          rv = api::Meta(*ev.object).resource_version();
          seen[w].push_back(std::stoll(rv));
          ++n;
        }
        (*stream)->Stop();  // hang up; what was still in flight is seen again from rv
        ++reconnects[w];
      }
    });
  }
  writer.join();
  for (auto& th : watchers) th.join();
  ASSERT_EQ(acked.size(), static_cast<size_t>(kWrites));
  for (size_t w = 0; w < hang_up_every.size(); ++w) {
    EXPECT_EQ(seen[w], acked) << "watcher hanging up every " << hang_up_every[w];
    EXPECT_GE(reconnects[w], kWrites / hang_up_every[w]);
  }
}

// Records handler calls; the first add after `gate_after` blocks until Open().
class GatedRecorder {
 public:
  EventHandler Handler() {
    auto note = [this](const ObjectRef&) {
      std::unique_lock<std::mutex> l(mu_);
      ++calls_;
      cv_.notify_all();
      if (armed_ && !open_) {
        blocked_ = true;
        cv_.notify_all();
        cv_.wait(l, [&] { return open_; });
      }
    };
    return {note, [note](const ObjectRef&, const ObjectRef& b) { note(b); }, note};
  }
  void Arm() {
    std::lock_guard<std::mutex> l(mu_);
    armed_ = true;
  }
  bool WaitBlocked() {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, seconds(30), [&] { return blocked_; });
  }
  void Open() {
    std::lock_guard<std::mutex> l(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitCalls(int n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, seconds(30), [&] { return calls_ >= n; });
  }
  int calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int calls_ = 0;
  bool armed_ = false, blocked_ = false, open_ = false;
};

// The scenario for both transports: `slow_client`'s watches may fall `limit` events
// behind before they are cut off. A slow informer (its handler stuck) and a watch nobody
// reads fall behind; the writer and a fast informer are not held up; the slow informer
// relists once unstuck and ends up with everything.
void SlowWatcherScenario(Client& writer, Client& slow_client, Client& fast_client, int limit) {
  const int kObjects = 10 * limit;
  Informer slow(&slow_client, *api::KindOf("Event"), "default");
  GatedRecorder slow_rec;
  slow.AddEventHandler(slow_rec.Handler());
  Informer fast(&fast_client, *api::KindOf("Event"), "default");
  GatedRecorder fast_rec;
  fast.AddEventHandler(fast_rec.Handler());
  slow.Start();
  fast.Start();
  ASSERT_TRUE(slow.WaitForCacheSync(seconds(30)));
  ASSERT_TRUE(fast.WaitForCacheSync(seconds(30)));
  auto list = writer.List(*api::KindOf("Event"), "default");
  ASSERT_TRUE(list.ok());
  auto unread = slow_client.Watch(*api::KindOf("Event"), "default", {"", "", list->resource_version});
  ASSERT_TRUE(unread.ok());

  slow_rec.Arm();
  ASSERT_TRUE(writer.Create(MakeEvent("e-0")).ok());
  ASSERT_TRUE(slow_rec.WaitBlocked());
  ASSERT_TRUE(fast_rec.WaitCalls(1));
  // The slow informer is stuck in its handler; every write still goes through, and the
  // fast informer sees each one (the writer waits for it, so it never falls behind).
  for (int i = 1; i < kObjects; ++i) {
    ASSERT_TRUE(writer.Create(MakeEvent("e-" + std::to_string(i))).ok());
    ASSERT_TRUE(fast_rec.WaitCalls(i + 1)) << i;
  }
  EXPECT_EQ(fast.Size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(fast.lists(), 1);
  EXPECT_EQ(slow_rec.calls(), 1);

  // The watch nobody read was cut off with Gone.
  WatchEvent ev;
  int taken = 0;
  while ((*unread)->Next(&ev, seconds(10))) ++taken;
  EXPECT_TRUE((*unread)->done());
  EXPECT_TRUE((*unread)->status().IsGone()) << (*unread)->status().ToString();
  EXPECT_EQ((*unread)->status().message(),
            "watcher fell behind: more than " + std::to_string(limit) + " events queued");
  EXPECT_LT(taken, kObjects);

  // Unstuck, the slow informer finds its watch cut off, relists and has everything.
  slow_rec.Open();
  ASSERT_TRUE(slow_rec.WaitCalls(kObjects));
  EXPECT_EQ(slow.Size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(slow.lists(), 2);
  slow.Stop();
  fast.Stop();
}

TEST(SlowWatcherTest, InProcessWatcherOverflowingTheStoreQueueIsCutOffAndRelists) {
  constexpr int kLimit = 20;
  std::string dir = (std::filesystem::temp_directory_path() / "lpv-slow-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    store::Options so;
    so.dir = dir;
    so.sync = false;
    so.watch_queue_limit = kLimit;
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    apiserver::APIServer api(st->get(), RealClock::Get());
    LocalClient c(&api);
    SlowWatcherScenario(c, c, c, kLimit);
  }
  std::filesystem::remove_all(dir);
}

TEST(SlowWatcherTest, GrpcWatcherOverflowingItsQueueIsCutOffAndRelists) {
  constexpr int kLimit = 20;
  cluster::Options o;
  o.sync = false;
  auto cl = cluster::Cluster::Start(o);
  ASSERT_TRUE(cl.ok()) << cl.status().ToString();
  GrpcClientOptions slow_opts;
  slow_opts.watch_queue_limit = kLimit;
  auto slow = NewGrpcClient((*cl)->address(), slow_opts);
  auto fast = NewGrpcClient((*cl)->address());
  SlowWatcherScenario(*fast, *slow, *fast, kLimit);
}

INSTANTIATE_TEST_SUITE_P(Transports, ConcurrencyTest,
                         ::testing::Values(Transport::kLocal, Transport::kGrpc),
                         [](const auto& info) {
                           return info.param == Transport::kLocal ? "InProcess" : "Grpc";
                         });

}  // namespace
}  // namespace lpv::client
