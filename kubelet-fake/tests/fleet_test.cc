#include "kubelet-fake/fleet.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "kubelet-fake/admin.h"
#include "kubelet-fake/tests/test_util.h"

namespace lpv::kubelet {
namespace {

namespace fs = std::filesystem;
using testing::kWait;

class FleetTest : public testing::ClusterTest {
 protected:
  void TearDown() override {
    fleet_.reset();
    ClusterTest::TearDown();
  }
  void StartFleet(FleetOptions opts = {}) {
    opts.data_dir = dir_;
    opts.clock = &clock_;
    auto f = Fleet::Start(&c(), opts);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    fleet_ = std::move(*f);
  }
  std::vector<api::PersistentVolume> WaitForPVs(size_t n) {
    auto r = client::WaitForList(
        c(), *api::KindOf("PersistentVolume"), "",
        [&](const std::vector<client::ObjectPtr>& items) { return items.size() == n; }, kWait);
    std::vector<api::PersistentVolume> out;
    EXPECT_TRUE(r.ok()) << "waiting for " << n << " PVs: " << r.status().ToString();
    if (r.ok()) {
      for (const auto& i : *r) out.push_back(static_cast<const api::PersistentVolume&>(*i));
    }
    return out;
  }
  Result<std::string> Admin(const std::string& verb, std::vector<std::string> args) {
    return HandleAdmin(*fleet_, verb, args);
  }

  std::unique_ptr<Fleet> fleet_;
};

TEST_F(FleetTest, StartsThreeNodesWithOneDiskEach) {
  StartFleet();
  EXPECT_EQ(fleet_->Nodes(), (std::vector<std::string>{"node-1", "node-2", "node-3"}));
  auto pvs = WaitForPVs(3);
  std::set<std::string> nodes;
  for (const auto& pv : pvs) {
    EXPECT_EQ(pv.spec().capacity().at("storage"), "368Gi");
    EXPECT_EQ(pv.spec().local().path(), "/mnt/disks/vol1");
    std::string node = pv.spec().node_affinity().required().node_selector_terms(0)
                           .match_expressions(0).values(0);
    nodes.insert(node);
    EXPECT_EQ(pv.metadata().name(), LocalProvisioner::PVName("vol1", node, "local-storage"));
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"node-1", "node-2", "node-3"}));
  for (const char* n : {"node-1", "node-2", "node-3"}) {
    auto node = c().Get<api::Node>("", n);
    ASSERT_TRUE(node.ok()) << n;
    EXPECT_EQ(NodeCondition(*node, "Ready")->status(), "True");
    EXPECT_TRUE(fs::is_directory(dir_ + "/nodes/" + n + "/mnt/disks/vol1"));
  }
  EXPECT_EQ(c().Get<api::Node>("", "node-3")->status().addresses(0).address(), "172.18.0.4");
}

TEST_F(FleetTest, AdminVerbs) {
  FleetOptions opts;
  opts.nodes = 1;
  StartFleet(opts);
  WaitForPVs(1);

  auto added = Admin("node", {"add", "node-4"});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, "node/node-4 added\n");
  EXPECT_TRUE(c().Get<api::Node>("", "node-4").ok());
  EXPECT_EQ(c().Get<api::Node>("", "node-4")->status().addresses(0).address(), "172.18.0.3");

  auto disk = Admin("disk", {"add", "node-4", "--size", "100Gi"});
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  EXPECT_EQ(*disk, "disk /mnt/disks/vol1 added to node-4 (100Gi)\n");
  auto pvs = WaitForPVs(2);
  auto pv = c().Get<api::PersistentVolume>(
      "", LocalProvisioner::PVName("vol1", "node-4", "local-storage"));
  ASSERT_TRUE(pv.ok());
  EXPECT_EQ(pv->spec().capacity().at("storage"), "100Gi");

  auto second = Admin("disk", {"add", "node-1"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, "disk /mnt/disks/vol2 added to node-1 (368Gi)\n");
  auto named = Admin("disk", {"add", "node-1", "--size=1Ti", "--name=ssd1"});
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(*named, "disk /mnt/disks/ssd1 added to node-1 (1Ti)\n");
  WaitForPVs(4);

  auto list = Admin("disk", {"list"});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list,
            "NODE     PATH              CAPACITY\n"
            "node-1   /mnt/disks/vol1   368Gi\n"
            "node-1   /mnt/disks/vol2   368Gi\n"
            "node-1   /mnt/disks/ssd1   1Ti\n"
            "node-4   /mnt/disks/vol1   100Gi\n");

  auto removed = Admin("disk", {"remove", "node-1", "/mnt/disks/vol2"});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, "disk /mnt/disks/vol2 removed from node-1\n");
  EXPECT_FALSE(fs::exists(dir_ + "/nodes/node-1/mnt/disks/vol2"));

  auto stopped = Admin("node", {"stop", "node-4"});
  ASSERT_TRUE(stopped.ok());
  EXPECT_EQ(*stopped, "node/node-4 stopped\n");
  EXPECT_FALSE(fleet_->NodeRunning("node-4"));
  auto started = Admin("node", {"start", "node-4"});
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(*started, "node/node-4 started\n");
  EXPECT_TRUE(fleet_->NodeRunning("node-4"));
}

TEST_F(FleetTest, AdminErrors) {
  FleetOptions opts;
  opts.nodes = 1;
  StartFleet(opts);

  auto r = Admin("node", {"stop", "node-9"});
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "nodes \"node-9\" not found");
  EXPECT_EQ(r.status().KubectlString(), "Error from server (NotFound): nodes \"node-9\" not found");

  r = Admin("node", {"add", "node-1"});
  EXPECT_TRUE(r.status().IsAlreadyExists());
  EXPECT_EQ(r.status().message(), "nodes \"node-1\" already exists");

  r = Admin("node", {"add", "Bad_Name"});
  EXPECT_TRUE(r.status().IsInvalid()) << r.status().ToString();
  EXPECT_EQ(r.status().message().rfind("Node \"Bad_Name\" is invalid: metadata.name: Invalid value: "
                                       "\"Bad_Name\": a lowercase RFC 1123 subdomain",
                                       0),
            0u)
      << r.status().message();

  r = Admin("disk", {"add", "node-9"});
  EXPECT_TRUE(r.status().IsNotFound());
  r = Admin("disk", {"add", "node-1", "--size", "lots"});
  EXPECT_EQ(r.status().reason(), Reason::BadRequest);
  EXPECT_EQ(r.status().message(), api::kQuantityErrFormatWrong);
  r = Admin("disk", {"remove", "node-1", "/mnt/disks/vol9"});
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "disks \"/mnt/disks/vol9\" not found");
  r = Admin("disk", {"remove", "node-1"});
  EXPECT_EQ(r.status().reason(), Reason::BadRequest);
  EXPECT_EQ(r.status().message(), "usage: lpv disk remove NODE PATH");
  r = Admin("node", {"frob", "node-1"});
  EXPECT_EQ(r.status().message(), "unknown command \"frob\" for \"lpv node\"");
  r = Admin("disk", {"add", "node-1", "--color", "red"});
  EXPECT_EQ(r.status().message(), "unknown flag: --color");
  r = Admin("pod", {"add"});
  EXPECT_EQ(r.status().message(), "unknown command \"pod\" for \"lpv\"");
}

TEST_F(FleetTest, PodWaitingForADiskStartsWhenTheDiskIsAdded) {
  FleetOptions opts;
  opts.nodes = 1;
  StartFleet(opts);
  MakeBoundClaim("data", "pv-vol2", "/mnt/disks/vol2", "node-1");
  MakePod("db", "node-1", "data");
  auto failed = WaitForEvents("default", "db", "FailedMount");
  EXPECT_EQ(failed[0].message(),
            "MountVolume.NewMounter initialization failed for volume \"pv-vol2\" : path "
            "\"/mnt/disks/vol2\" does not exist");
  // No clock step: adding the disk pokes the node's kubelet.
  auto added = Admin("disk", {"add", "node-1"});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, "disk /mnt/disks/vol2 added to node-1 (368Gi)\n");
  WaitFor<api::Pod>("default", "db", RunningAndReady);
  EXPECT_EQ(fleet_->kubelet("node-1")->Mounts().at("default/db"),
            std::vector<std::string>{"/mnt/disks/vol2"});
}

int ThreadsOfThisProcess() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

TEST_F(FleetTest, NodesCostNoThreadsOfTheirOwnAndGetTheirPodsFromTheSharedInformer) {
  FleetOptions opts;
  opts.nodes = 1;
  StartFleet(opts);
  int before = ThreadsOfThisProcess();
  ASSERT_GT(before, 0);
  for (int i = 2; i <= 21; ++i) {
    ASSERT_TRUE(fleet_->AddNode("node-" + std::to_string(i)).ok()) << i;
  }
  // Twenty running kubelets and provisioners, and not one thread more.
  EXPECT_EQ(ThreadsOfThisProcess(), before);
  EXPECT_TRUE(fleet_->NodeRunning("node-21"));
  auto disk = fleet_->AddDisk("node-21");
  ASSERT_TRUE(disk.ok()) << disk.status().ToString();
  MakeBoundClaim("data", "pv-21", "/mnt/disks/vol1", "node-21");
  MakePod("db", "node-21", "data");
  WaitFor<api::Pod>("default", "db", RunningAndReady);
  EXPECT_EQ(fleet_->kubelet("node-21")->Mounts().at("default/db"),
            std::vector<std::string>{"/mnt/disks/vol1"});
  EXPECT_TRUE(fleet_->kubelet("node-20")->Mounts().empty());
}

TEST_F(FleetTest, APodBoundWhileItsNodeIsDownRunsWhenTheNodeStarts) {
  FleetOptions opts;
  opts.nodes = 2;
  StartFleet(opts);
  ASSERT_TRUE(fleet_->StopNode("node-1").ok());
  MakeBoundClaim("data", "pv-1", "/mnt/disks/vol1", "node-1");
  MakePod("db", "node-1", "data");
  // The shared informer routes the pod to node-1's kubelet, which is down: nothing mounts.
  MakeBoundClaim("logs", "pv-2", "/mnt/disks/vol1", "node-2");
  MakePod("web", "node-2", "logs");
  WaitFor<api::Pod>("default", "web", RunningAndReady);  // the routing works meanwhile
  EXPECT_TRUE(fleet_->kubelet("node-1")->Mounts().empty());
  ASSERT_TRUE(fleet_->StartNode("node-1").ok());
  WaitFor<api::Pod>("default", "db", RunningAndReady);
  EXPECT_EQ(fleet_->kubelet("node-1")->Mounts().at("default/db"),
            std::vector<std::string>{"/mnt/disks/vol1"});
}

TEST_F(FleetTest, RestartAdoptsTheNodesAsTheyWere) {
  FleetOptions opts;
  opts.nodes = 2;
  StartFleet(opts);
  WaitForPVs(2);
  ASSERT_TRUE(fleet_->AddDisk("node-2", "1Gi").ok());
  ASSERT_TRUE(fleet_->StopNode("node-1").ok());
  WaitForPVs(3);
  fleet_->Stop();
  fleet_.reset();

  // Same data dir: no new nodes, no new disks; node-1 is still down.
  StartFleet(opts);
  EXPECT_EQ(fleet_->Nodes(), (std::vector<std::string>{"node-1", "node-2"}));
  EXPECT_FALSE(fleet_->NodeRunning("node-1"));
  EXPECT_TRUE(fleet_->NodeRunning("node-2"));
  EXPECT_EQ(fleet_->ListDisks("node-2")->size(), 2u);
  EXPECT_EQ(fleet_->ListDisks("node-1")->size(), 1u);
  // Same disks, same PVs: a disk added now is the only new one.
  ASSERT_TRUE(fleet_->AddDisk("node-2", "1Gi").ok());
  auto pvs = WaitForPVs(4);
  EXPECT_TRUE(c().Get<api::PersistentVolume>(
                     "", LocalProvisioner::PVName("vol3", "node-2", "local-storage"))
                  .ok());
}

// The adopted nodes keep the order they were added in (their index files, read
// concurrently), not their names' order: node-10 comes after node-9.
TEST_F(FleetTest, RestartKeepsTheOrderTheNodesWereAddedIn) {
  FleetOptions opts;
  opts.nodes = 12;
  opts.disks_per_node = 1;
  StartFleet(opts);
  ASSERT_TRUE(fleet_->StopNode("node-10").ok());
  std::vector<std::string> added = fleet_->Nodes();
  ASSERT_EQ(added.size(), 12u);
  EXPECT_EQ(added[9], "node-10");
  fleet_->Stop();
  fleet_.reset();

  StartFleet(opts);
  EXPECT_EQ(fleet_->Nodes(), added);
  for (const auto& name : added) {
    EXPECT_EQ(fleet_->NodeRunning(name), name != "node-10") << name;
  }
}

// Holds every List of pods until Release: an informer of pods that has not synced yet.
class PodListHoldingClient : public client::ForwardingClient {
 public:
  using ForwardingClient::ForwardingClient;
  Result<client::ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                                  const client::ListOptions& options) override {
    if (kind.kind == "Pod") {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return released_; });
    }
    return ForwardingClient::List(kind, ns, options);
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

// As booting machines: each kubelet registers its node and renews its Lease before any
// cache has synced (a restarted fleet's informers list tens of thousands of objects);
// the pods and the disks wait for the caches.
TEST_F(FleetTest, NodesRegisterBeforeThePodCacheSyncs) {
  PodListHoldingClient holding(&c());
  FleetOptions opts;
  opts.nodes = 2;
  opts.data_dir = dir_;
  opts.clock = &clock_;
  std::atomic<bool> returned{false};
  Result<std::unique_ptr<Fleet>> started = Status::Internal("not started");
  std::thread start([&] {
    started = Fleet::Start(&holding, opts);
    returned = true;
  });
  for (const char* name : {"node-1", "node-2"}) {
    WaitFor<api::Node>("", name, [](const api::Node& n) {
      for (const auto& cond : n.status().conditions()) {
        if (cond.type() == "Ready") return cond.status() == "True";
      }
      return false;
    });
    WaitFor<api::Lease>(kNodeLeaseNamespace, name,
                        [&](const api::Lease& l) { return l.spec().holder_identity() == name; });
  }
  EXPECT_FALSE(returned);
  auto pvs = c().List(*api::KindOf("PersistentVolume"), "");
  EXPECT_TRUE(pvs.ok() && pvs->items.empty()) << "a provisioner ran before the caches synced";

  holding.Release();
  start.join();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  // The fleet stays in `started`, declared after `holding`, so it stops before the client
  // it writes through goes away (its event broadcaster may still be writing).
  const Fleet& fleet = **started;
  EXPECT_TRUE(fleet.NodeRunning("node-1"));
  EXPECT_TRUE(fleet.NodeRunning("node-2"));
  WaitForPVs(2);
}

TEST_F(FleetTest, StoppedNodeGoesUnknownThroughTheFleetsController) {
  FleetOptions opts;
  opts.nodes = 1;
  StartFleet(opts);
  WaitForEvents("default", "node-1", "RegisteredNode");
  ASSERT_TRUE(fleet_->StopNode("node-1").ok());
  // The grace period runs from the last Lease renewal the controller saw, which it may see
  // a moment after the clock moved on: step until it gives up on the node, giving its
  // worker a turn at each time past the grace period (as NodeLeaseTest does).
  auto unknown = [](const api::Node& n) {
    return NodeCondition(n, "Ready")->status() == "Unknown" && n.spec().taints_size() == 2;
  };
  for (int stepped = 5; stepped <= 90; stepped += 5) {
    clock_.Step(std::chrono::seconds(5));
    if (stepped < 45) continue;
    if (client::WaitFor<api::Node>(c(), "", "node-1", unknown, std::chrono::milliseconds(200)).ok()) {
      break;
    }
  }
  WaitFor<api::Node>("", "node-1", unknown);
  ASSERT_TRUE(fleet_->StartNode("node-1").ok());
  WaitFor<api::Node>("", "node-1", [](const api::Node& n) {
    return NodeCondition(n, "Ready")->status() == "True" && n.spec().taints_size() == 0;
  });
}

}  // namespace
}  // namespace lpv::kubelet
