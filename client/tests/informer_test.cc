#include "client/informer.h"

#include <gtest/gtest.h>

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <condition_variable>

#include "api/objects.pb.h"
#include "client/event_recorder.h"
#include "client/low_priority.h"
#include "client/wait.h"
#include "cluster/cluster.h"

namespace lpv::client {
namespace {

using std::chrono::seconds;

api::Pod MakePod(const std::string& name, const std::string& node) {
  api::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("c");
  c->set_image("busybox");
  pod.mutable_spec()->set_node_name(node);
  return pod;
}

// Records handler calls and lets a test wait (on a condition, not a sleep) for them.
class Recorder {
 public:
  EventHandler Handler() {
    return {[this](const ObjectRef& o) { Note("add " + api::Meta(*o).name()); },
            [this](const ObjectRef& a, const ObjectRef& b) {
              Note((a == b ? "resync " : "update ") + api::Meta(*b).name());
            },
            [this](const ObjectRef& o) { Note("delete " + api::Meta(*o).name()); }};
  }
  bool WaitFor(const std::string& entry) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, seconds(10), [&] {
      return std::find(log_.begin(), log_.end(), entry) != log_.end();
    });
  }
  bool WaitForCount(const std::string& entry, size_t n) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, seconds(10), [&] {
      return static_cast<size_t>(std::count(log_.begin(), log_.end(), entry)) >= n;
    });
  }
  size_t Count(const std::string& entry) {
    std::lock_guard<std::mutex> l(mu_);
    return std::count(log_.begin(), log_.end(), entry);
  }

 private:
  void Note(const std::string& s) {
    std::lock_guard<std::mutex> l(mu_);
    log_.push_back(s);
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> log_;
};

class InformerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster::Options o;
    o.listen = "";
    o.sync = false;
    cluster_ = std::move(*cluster::Cluster::Start(o));
  }
  Client& c() { return *cluster_->client(); }
  std::unique_ptr<cluster::Cluster> cluster_;
};

TEST_F(InformerTest, ListsThenWatchesIntoAnIndexedCache) {
  ASSERT_TRUE(c().Create(MakePod("a", "node-1")).ok());
  ASSERT_TRUE(c().Create(MakePod("b", "node-2")).ok());
  Informer inf(&c(), *api::KindOf("Pod"));
  Recorder rec;
  inf.AddEventHandler(rec.Handler());
  inf.AddIndexer("node", [](const google::protobuf::Message& m) {
    return std::vector<std::string>{static_cast<const api::Pod&>(m).spec().node_name()};
  });
  inf.Start();
  ASSERT_TRUE(inf.WaitForCacheSync(seconds(10)));
  EXPECT_EQ(inf.Size(), 2u);
  EXPECT_TRUE(rec.WaitFor("add a"));
  ASSERT_TRUE(c().Create(MakePod("c", "node-1")).ok());
  ASSERT_TRUE(rec.WaitFor("add c"));
  auto on_node1 = inf.ByIndex("node", "node-1");
  EXPECT_EQ(on_node1.size(), 2u);
  auto pod = As<api::Pod>(inf.Get("default/c"));
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->spec().node_name(), "node-1");
  ASSERT_TRUE(c().Delete(*api::KindOf("Pod"), "default", "c",
                         DeleteOptions{std::optional<int64_t>(0), "", ""}).ok());
  ASSERT_TRUE(rec.WaitFor("delete c"));
  EXPECT_EQ(inf.ByIndex("node", "node-1").size(), 1u);
  EXPECT_EQ(inf.Get("default/c"), nullptr);
  EXPECT_EQ(inf.lists(), 1);
}

// An update moves the object between index values only where its values changed: with a
// multi-valued index, the value it keeps still lists it, the one it lost no longer does.
TEST_F(InformerTest, AnUpdateMovesTheObjectBetweenIndexValues) {
  api::Pod pod = MakePod("a", "node-1");
  (*pod.mutable_metadata()->mutable_labels())["tiers"] = "web.db";
  ASSERT_TRUE(c().Create(pod).ok());
  Informer inf(&c(), *api::KindOf("Pod"));
  Recorder rec;
  inf.AddEventHandler(rec.Handler());
  inf.AddIndexer("tier", [](const google::protobuf::Message& m) {
    const auto& labels = api::Meta(m).labels();
    auto it = labels.find("tiers");
    std::vector<std::string> out;
    if (it == labels.end()) return out;
    std::string tiers = it->second;
    for (size_t dot; (dot = tiers.find('.')) != std::string::npos; tiers.erase(0, dot + 1)) {
      out.push_back(tiers.substr(0, dot));
    }
    out.push_back(tiers);
    return out;
  });
  inf.Start();
  ASSERT_TRUE(inf.WaitForCacheSync(seconds(10)));
  EXPECT_EQ(inf.ByIndex("tier", "web").size(), 1u);
  EXPECT_EQ(inf.ByIndex("tier", "db").size(), 1u);

  // The same values: still listed under each.
  auto cur = c().Get<api::Pod>("default", "a");
  ASSERT_TRUE(cur.ok());
  (*cur->mutable_metadata()->mutable_labels())["other"] = "x";
  ASSERT_TRUE(c().Update(*cur).ok());
  ASSERT_TRUE(rec.WaitFor("update a"));
  EXPECT_EQ(inf.ByIndex("tier", "web").size(), 1u);
  EXPECT_EQ(inf.ByIndex("tier", "db").size(), 1u);

  // web.db -> db.cache: db keeps it, web loses it, cache gains it.
  cur = c().Get<api::Pod>("default", "a");
  ASSERT_TRUE(cur.ok());
  (*cur->mutable_metadata()->mutable_labels())["tiers"] = "db.cache";
  ASSERT_TRUE(c().Update(*cur).ok());
  ASSERT_TRUE(rec.WaitForCount("update a", 2));
  EXPECT_TRUE(inf.ByIndex("tier", "web").empty());
  ASSERT_EQ(inf.ByIndex("tier", "db").size(), 1u);
  EXPECT_EQ(api::Meta(*inf.ByIndex("tier", "db")[0]).labels().at("tiers"), "db.cache");
  EXPECT_EQ(inf.ByIndex("tier", "cache").size(), 1u);

  ASSERT_TRUE(c().Delete(*api::KindOf("Pod"), "default", "a",
                         DeleteOptions{std::optional<int64_t>(0), "", ""}).ok());
  ASSERT_TRUE(rec.WaitFor("delete a"));
  EXPECT_TRUE(inf.ByIndex("tier", "db").empty());
  EXPECT_TRUE(inf.ByIndex("tier", "cache").empty());
}

// A client whose first watch finds its history gone: meanwhile objects changed, which the
// informer must learn by relisting.
class GoneOnceClient : public LocalClient {
 public:
  GoneOnceClient(apiserver::APIServer* s, std::function<void()> meanwhile)
      : LocalClient(s), meanwhile_(std::move(meanwhile)) {}
  Result<std::unique_ptr<WatchStream>> Watch(const api::KindInfo& kind, const std::string& ns,
                                             const ListOptions& options) override {
    if (!gone_sent_.exchange(true)) {
      meanwhile_();
      return Status::TooOldResourceVersion(std::stoll(options.resource_version), 1000);
    }
    return LocalClient::Watch(kind, ns, options);
  }

 private:
  std::function<void()> meanwhile_;
  std::atomic<bool> gone_sent_{false};
};

TEST_F(InformerTest, RelistsWhenHistoryIsGoneAndReconcilesTheCache) {
  ASSERT_TRUE(c().Create(MakePod("stays", "n")).ok());
  ASSERT_TRUE(c().Create(MakePod("goes", "n")).ok());
  GoneOnceClient flaky(cluster_->apiserver(), [&] {
    c().Delete(*api::KindOf("Pod"), "default", "goes", DeleteOptions{std::optional<int64_t>(0), "", ""});
    c().Create(MakePod("new", "n"));
  });
  Informer inf(&flaky, *api::KindOf("Pod"));
  Recorder rec;
  inf.AddEventHandler(rec.Handler());
  inf.Start();
  ASSERT_TRUE(rec.WaitFor("add new"));
  ASSERT_TRUE(rec.WaitFor("delete goes"));
  EXPECT_EQ(inf.lists(), 2);
  EXPECT_EQ(inf.Size(), 2u);
  EXPECT_NE(inf.Get("default/stays"), nullptr);
  EXPECT_EQ(inf.Get("default/goes"), nullptr);
  // "stays" did not change: the relist does not deliver it again.
  EXPECT_EQ(rec.Count("add stays"), 1u);
  EXPECT_EQ(rec.Count("update stays"), 0u);
}

// Records the CPU priority (nice) of each thread that lists through it.
class NiceRecordingClient : public GoneOnceClient {
 public:
  using GoneOnceClient::GoneOnceClient;
  Result<apiserver::ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                                     const ListOptions& options) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      nice_.push_back(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())));
      thread_names_.push_back(CurrentThreadName());
    }
    return GoneOnceClient::List(kind, ns, options);
  }
  std::vector<int> nice() {
    std::lock_guard<std::mutex> l(mu_);
    return nice_;
  }
  std::vector<std::string> thread_names() {
    std::lock_guard<std::mutex> l(mu_);
    return thread_names_;
  }

 private:
  static std::string CurrentThreadName() {
    char name[16] = {};
    pthread_getname_np(pthread_self(), name, sizeof name);
    return name;
  }
  std::mutex mu_;
  std::vector<int> nice_;
  std::vector<std::string> thread_names_;
};

TEST_F(InformerTest, TheFirstListRunsAtTheLowestPriorityAndARelistAtTheInformers) {
  ASSERT_TRUE(c().Create(MakePod("a", "n")).ok());
  // The first watch finds its history gone, and "b" is only in the relist.
  NiceRecordingClient client(cluster_->apiserver(), [&] { c().Create(MakePod("b", "n")); });
  // The informer's thread starts at this thread's priority.
  int own = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  Informer inf(&client, *api::KindOf("Pod"));
  Recorder rec;
  inf.AddEventHandler(rec.Handler());
  inf.Start();
  ASSERT_TRUE(rec.WaitFor("add a"));
  ASSERT_TRUE(rec.WaitFor("add b"));
  EXPECT_EQ(inf.lists(), 2);
  EXPECT_EQ(client.nice(), (std::vector<int>{19, own}));
  // Both under the informer's name, for top and perf.
  EXPECT_EQ(client.thread_names(), (std::vector<std::string>{"inf-Pod", "inf-Pod"}));
}

TEST(LowPriorityTest, RunsTheWorkOnAThreadOfItsOwnAndReturnsItsResult) {
  int own = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  pid_t caller = gettid();
  pid_t worker = 0;
  int nice = RunAtLowPriority("lowprio-test", 15, [&] {
    worker = gettid();
    return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  });
  EXPECT_EQ(nice, std::max(15, own));
  EXPECT_NE(worker, caller);
  // The caller's own priority is untouched.
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), own);
}

TEST_F(InformerTest, ResyncRedeliversEveryObjectOnTheClock) {
  FakeClock clock;
  ASSERT_TRUE(c().Create(MakePod("a", "n")).ok());
  Informer inf(&c(), *api::KindOf("Pod"), "", {}, &clock);
  Recorder rec;
  Recorder quiet;
  inf.AddEventHandler(rec.Handler(), seconds(15));
  inf.AddEventHandler(quiet.Handler());
  inf.Start();
  ASSERT_TRUE(inf.WaitForCacheSync(seconds(10)));
  clock.Step(seconds(14));
  clock.Step(seconds(1));
  ASSERT_TRUE(rec.WaitFor("resync a"));
  // A later event reaches both handlers; the resync reached only the one that asked for it.
  ASSERT_TRUE(c().Create(MakePod("b", "n")).ok());
  ASSERT_TRUE(rec.WaitFor("add b"));
  ASSERT_TRUE(quiet.WaitFor("add b"));
  EXPECT_EQ(quiet.Count("resync a"), 0u);
}

// Each handler resyncs on its own period: the 30 s one every other tick of the 15 s one.
TEST_F(InformerTest, EachHandlerResyncsOnItsOwnPeriod) {
  FakeClock clock;
  ASSERT_TRUE(c().Create(MakePod("a", "n")).ok());
  Informer inf(&c(), *api::KindOf("Pod"), "", {}, &clock);
  Recorder every15;
  Recorder every30;
  // Handlers resync in the order they were added: the 30 s one's tick is over before the
  // 15 s one's ends.
  inf.AddEventHandler(every30.Handler(), seconds(30));
  inf.AddEventHandler(every15.Handler(), seconds(15));
  inf.Start();
  ASSERT_TRUE(inf.WaitForCacheSync(seconds(10)));
  for (int tick = 1; tick <= 4; ++tick) {
    clock.Step(seconds(15));
    ASSERT_TRUE(every15.WaitForCount("resync a", static_cast<size_t>(tick))) << tick;
    EXPECT_EQ(every30.Count("resync a"), static_cast<size_t>(tick / 2)) << tick;
  }
}

TEST_F(InformerTest, ARemovedHandlerHearsNothingMore) {
  ASSERT_TRUE(c().Create(MakePod("a", "n")).ok());
  Informer inf(&c(), *api::KindOf("Pod"));
  Recorder stays;
  Recorder leaves;
  inf.AddEventHandler(stays.Handler());
  HandlerId id = inf.AddEventHandler(leaves.Handler());
  inf.Start();
  ASSERT_TRUE(leaves.WaitFor("add a"));
  inf.RemoveEventHandler(id);
  ASSERT_TRUE(c().Create(MakePod("b", "n")).ok());
  ASSERT_TRUE(stays.WaitFor("add b"));
  EXPECT_EQ(leaves.Count("add b"), 0u);
}

// A handler that joins a running informer gets every cached object once, at once, and
// then each change once, as client-go's shared informers do for late handlers.
TEST_F(InformerTest, HandlerAddedToARunningInformerCatchesUpThenFollows) {
  ASSERT_TRUE(c().Create(MakePod("a", "node-1")).ok());
  ASSERT_TRUE(c().Create(MakePod("b", "node-2")).ok());
  Informer inf(&c(), *api::KindOf("Pod"));
  Recorder first;
  inf.AddEventHandler(first.Handler());
  inf.Start();
  ASSERT_TRUE(inf.WaitForCacheSync(seconds(10)));
  ASSERT_TRUE(first.WaitFor("add b"));

  Recorder late;
  inf.AddEventHandler(late.Handler());
  // Delivered on this thread before AddEventHandler returned: no waiting.
  EXPECT_EQ(late.Count("add a"), 1u);
  EXPECT_EQ(late.Count("add b"), 1u);
  inf.AddIndexer("node", [](const google::protobuf::Message& m) {
    return std::vector<std::string>{static_cast<const api::Pod&>(m).spec().node_name()};
  });
  ASSERT_EQ(inf.ByIndex("node", "node-2").size(), 1u);
  EXPECT_EQ(api::Meta(*inf.ByIndex("node", "node-2")[0]).name(), "b");

  ASSERT_TRUE(c().Create(MakePod("c", "node-2")).ok());
  ASSERT_TRUE(late.WaitFor("add c"));
  ASSERT_TRUE(first.WaitFor("add c"));
  EXPECT_EQ(inf.ByIndex("node", "node-2").size(), 2u);
  EXPECT_EQ(late.Count("add a"), 1u);
  EXPECT_EQ(late.Count("add c"), 1u);
  EXPECT_EQ(first.Count("add a"), 1u);
  EXPECT_EQ(inf.lists(), 1);
}

TEST_F(InformerTest, SelectorsLimitTheCache) {
  ASSERT_TRUE(c().Create(MakePod("a", "node-1")).ok());
  ASSERT_TRUE(c().Create(MakePod("b", "node-2")).ok());
  Informer inf(&c(), *api::KindOf("Pod"), "", {"", "spec.nodeName=node-2", ""});
  inf.Start();
  ASSERT_TRUE(inf.WaitForCacheSync(seconds(10)));
  EXPECT_EQ(inf.Size(), 1u);
  EXPECT_NE(inf.Get("default/b"), nullptr);
}

TEST_F(InformerTest, EventRecorderFoldsRepeatsIntoCount) {
  FakeClock clock;
  auto pvc = api::PersistentVolumeClaim();
  pvc.mutable_metadata()->set_name("local-vol-local-test-0");
  pvc.mutable_metadata()->set_namespace_("default");
  pvc.mutable_metadata()->set_uid("uid-1");
  {
    EventRecorder rec(&c(), &clock, "persistentvolume-controller");
    for (int i = 0; i < 4; ++i) {
      rec.Event(pvc, "Normal", "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding");
      clock.Step(seconds(10));
    }
    rec.Event(pvc, "Warning", "ProvisioningFailed", "something else");
    rec.Flush();
  }
  auto list = c().List(*api::KindOf("Event"), "default");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 2u);
  const api::Event* wait = nullptr;
  for (const auto& i : list->items) {
    const auto& e = static_cast<const api::Event&>(*i);
    if (e.reason() == "WaitForFirstConsumer") wait = &e;
  }
  ASSERT_NE(wait, nullptr);
  EXPECT_EQ(wait->count(), 4);
  EXPECT_EQ(wait->type(), "Normal");
  EXPECT_EQ(wait->source().component(), "persistentvolume-controller");
  EXPECT_EQ(wait->involved_object().kind(), "PersistentVolumeClaim");
  EXPECT_EQ(wait->involved_object().name(), "local-vol-local-test-0");
  auto first = ParseRFC3339(wait->first_timestamp());
  auto last = ParseRFC3339(wait->last_timestamp());
  ASSERT_TRUE(first && last);
  EXPECT_EQ(*last - *first, seconds(30));
  EXPECT_EQ(wait->metadata().name().rfind("local-vol-local-test-0.", 0), 0u);
}

TEST_F(InformerTest, RecordersSharingABroadcasterKeepTheirSourcesAndFold) {
  FakeClock clock;
  api::Node node;
  node.mutable_metadata()->set_name("node-1");
  node.mutable_metadata()->set_uid("node-1");
  api::PersistentVolume pv;
  pv.mutable_metadata()->set_name("local-pv-1");
  pv.mutable_metadata()->set_uid("uid-pv");
  {
    EventBroadcaster events(&c(), &clock, 4);
    EventRecorder kubelet(&events, "kubelet", "node-1");
    EventRecorder provisioner(&events, "local-volume-provisioner-node-1");
    for (int i = 0; i < 3; ++i) {
      kubelet.Event(node, "Normal", "NodeReady", "Node node-1 status is now: NodeReady");
      clock.Step(seconds(1));
    }
    provisioner.Event(pv, "Warning", "VolumeFailedDelete", "Error cleaning PV \"local-pv-1\"");
    kubelet.Flush();
  }
  auto list = c().List(*api::KindOf("Event"), "default");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 2u);
  for (const auto& i : list->items) {
    const auto& e = static_cast<const api::Event&>(*i);
    if (e.reason() == "NodeReady") {
      EXPECT_EQ(e.count(), 3);
      EXPECT_EQ(e.source().component(), "kubelet");
      EXPECT_EQ(e.source().host(), "node-1");
    } else {
      EXPECT_EQ(e.reason(), "VolumeFailedDelete");
      EXPECT_EQ(e.count(), 1);
      EXPECT_EQ(e.source().component(), "local-volume-provisioner-node-1");
      EXPECT_EQ(e.source().host(), "");
    }
  }
}

TEST_F(InformerTest, WaitForFollowsTheWatchUntilTheConditionHolds) {
  ASSERT_TRUE(c().Create(MakePod("a", "")).ok());
  std::thread writer([&] {
    auto pod = c().Get<api::Pod>("default", "a");
    api::Pod p = *pod;
    p.mutable_status()->set_phase("Running");
    c().UpdateStatus(p);
  });
  auto r = WaitFor<api::Pod>(c(), "default", "a",
                             [](const api::Pod& p) { return p.status().phase() == "Running"; },
                             std::chrono::seconds(10));
  writer.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status().phase(), "Running");
  auto timeout = WaitFor<api::Pod>(c(), "default", "a",
                                   [](const api::Pod& p) { return p.status().phase() == "Failed"; },
                                   std::chrono::milliseconds(50));
  EXPECT_EQ(timeout.status().reason(), Reason::Timeout);
}

}  // namespace
}  // namespace lpv::client
