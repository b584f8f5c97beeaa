// The scheduler on a real in-process cluster: the API server and store, the PV controller,
// and (for the article's story) the fake kubelets with their disks and local static
// provisioners. Waits follow watches and return as soon as the world is right; nothing
// sleeps.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "client/wait.h"
#include "cluster/cluster.h"
#include "kubelet-fake/fleet.h"
#include "pvcontroller/pv_controller.h"
#include "scheduler/scheduler.h"
#include "scheduler/tests/objects.h"

namespace lpv::scheduler {
namespace {

using namespace testing;  // NOLINT

constexpr std::chrono::milliseconds kWait{60000};

class SchedulerClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster::Options opts;
    opts.sync = false;
    opts.listen = "";
    auto c = cluster::Cluster::Start(opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "lpv-scheduler-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // A short resync: an Immediate claim finds a PV created after it on the next resync,
    // as in Kubernetes.
    pvcontroller::PersistentVolumeController::Options pv_opts;
    pv_opts.resync_period = std::chrono::seconds(1);
    pv_controller_ =
        std::make_unique<pvcontroller::PersistentVolumeController>(client(), pv_opts);
    pv_controller_->Start();
  }

  void TearDown() override {
    if (scheduler_) scheduler_->Stop();
    if (fleet_) fleet_->Stop();
    if (pv_controller_) pv_controller_->Stop();
    scheduler_.reset();
    fleet_.reset();
    pv_controller_.reset();
    cluster_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  client::Client* client() { return cluster_->client(); }

  // Short backoffs keep the tests quick; they never assert on time. On a FakeClock the
  // backoff is zero, so a first attempt that fails (say before the scheduler's claim
  // informer has the claim) does not wait for the clock.
  void StartScheduler(Clock* clock = nullptr) {
    Scheduler::Options opts;
    opts.clock = clock;
    opts.pod_initial_backoff = std::chrono::milliseconds(clock ? 0 : 10);
    opts.pod_max_backoff = std::chrono::milliseconds(clock ? 0 : 100);
    scheduler_ = std::make_unique<Scheduler>(client(), opts);
    scheduler_->Start();
    ASSERT_TRUE(scheduler_->WaitForCacheSync(kWait));
  }

  void StartFleet(int nodes, int disks) {
    kubelet::FleetOptions opts;
    opts.data_dir = dir_;
    opts.nodes = nodes;
    opts.disks_per_node = disks;
    auto f = kubelet::Fleet::Start(client(), opts);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    fleet_ = std::move(*f);
  }

  // Creates a test object, without the uid and resourceVersion the builders give it.
  template <class T>
  void Create(T obj) {
    api::MutableMeta(&obj)->clear_uid();
    api::MutableMeta(&obj)->clear_resource_version();
    auto r = client()->CreateTyped(obj);
    ASSERT_TRUE(r.ok()) << api::KeyOf(obj) << ": " << r.status().ToString();
  }

  // A claim and a pod using it, as the StatefulSet of the article makes them.
  void CreatePodWithClaim(const std::string& pod, const std::string& claim) {
    auto c = MakeClaim(claim, kLocalStorage, "10Gi");
    c.clear_status();
    Create(c);
    Create(MakePod(pod, {claim}));
  }

  std::vector<api::PersistentVolume> WaitForAvailablePVs(size_t n) {
    std::vector<api::PersistentVolume> out;
    auto r = client::WaitForList(
        *client(), *api::KindOf("PersistentVolume"), "",
        [&](const std::vector<client::ObjectPtr>& items) {
          size_t available = 0;
          for (const auto& i : items) {
            available +=
                static_cast<const api::PersistentVolume&>(*i).status().phase() == "Available";
          }
          return available >= n;
        },
        kWait);
    EXPECT_TRUE(r.ok()) << "waiting for " << n << " Available PVs: " << r.status().ToString();
    if (r.ok()) {
      for (const auto& i : *r) out.push_back(static_cast<const api::PersistentVolume&>(*i));
    }
    return out;
  }

  api::Pod WaitForPod(const std::string& name, std::function<bool(const api::Pod&)> pred,
                      const std::string& what) {
    auto r = client::WaitFor<api::Pod>(*client(), "default", name, pred, kWait);
    if (!r.ok()) {
      auto cur = client()->Get<api::Pod>("default", name);
      std::string explain;
      if (scheduler_) {
        auto e = scheduler_->Explain("default", name);
        explain = e.ok() ? *e : e.status().ToString();
      }
      ADD_FAILURE() << name << " never became " << what << ": " << r.status().ToString()
                    << "\nnow: " << (cur.ok() ? cur->DebugString() : cur.status().ToString())
                    << "\n" << explain;
      return api::Pod();
    }
    return *r;
  }

  api::PersistentVolumeClaim WaitForClaimBound(const std::string& name) {
    auto r = client::WaitFor<api::PersistentVolumeClaim>(
        *client(), "default", name,
        [](const api::PersistentVolumeClaim& c) { return c.status().phase() == "Bound"; }, kWait);
    EXPECT_TRUE(r.ok()) << name << " not Bound: " << r.status().ToString();
    return r.ok() ? *r : api::PersistentVolumeClaim();
  }

  // An event about pod `name` with `reason` (and `message`, when given), once there is one.
  api::Event WaitForEvent(const std::string& name, const std::string& reason,
                          const std::string& message = "") {
    client::ListOptions opts;
    opts.field_selector = "involvedObject.name=" + name + ",reason=" + reason;
    auto matches = [&](const client::ObjectPtr& i) {
      return message.empty() || static_cast<const api::Event&>(*i).message() == message;
    };
    auto events = client::WaitForList(
        *client(), *api::KindOf("Event"), "default",
        [&](const std::vector<client::ObjectPtr>& items) {
          return std::any_of(items.begin(), items.end(), matches);
        },
        kWait, opts);
    if (!events.ok()) {
      auto now = client()->List(*api::KindOf("Event"), "default", opts);
      std::string seen;
      if (now.ok()) {
        for (const auto& i : now->items) seen += "\n  " + static_cast<const api::Event&>(*i).message();
      }
      ADD_FAILURE() << "no " << reason << " event for " << name
                    << (message.empty() ? "" : " saying \"" + message + "\"") << ": "
                    << events.status().ToString() << "; events seen:" << seen;
      return api::Event();
    }
    return static_cast<const api::Event&>(**std::find_if(events->begin(), events->end(), matches));
  }

  std::string NodeOfPV(const std::string& pv_name) {
    auto pv = client()->Get<api::PersistentVolume>("", pv_name);
    if (!pv.ok()) return "";
    return pv->spec().node_affinity().required().node_selector_terms(0).match_expressions(0)
        .values(0);
  }

  // Outlives the scheduler that may use it.
  FakeClock fake_clock_;
  std::unique_ptr<cluster::Cluster> cluster_;
  std::string dir_;
  std::unique_ptr<pvcontroller::PersistentVolumeController> pv_controller_;
  std::unique_ptr<kubelet::Fleet> fleet_;
  // A client a test wraps around the cluster's: it outlives the scheduler using it.
  std::unique_ptr<client::Client> wrapped_client_;
  std::unique_ptr<Scheduler> scheduler_;
};

bool Running(const api::Pod& p) { return p.status().phase() == "Running"; }

// The cluster's client, except that the Binding of one pod waits until released and then
// fails: a binding cycle that runs long and ends in an error, as a lost race would.
class GatedBindClient : public client::ForwardingClient {
 public:
  GatedBindClient(client::Client* next, std::string pod)
      : ForwardingClient(next), pod_(std::move(pod)) {}

  Result<client::ObjectPtr> Bind(const api::Binding& binding) override {
    if (binding.metadata().name() != pod_) return ForwardingClient::Bind(binding);
    std::unique_lock<std::mutex> l(mu_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait(l, [&] { return released_; });
    return Status::Make(Reason::InternalError, "injected: the binding of " + pod_ + " failed");
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return entered_; });
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  const std::string pod_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool released_ = false;
};

// Binding runs beside scheduling: a pod that finds the node full of an assumed pod whose
// binding then fails must be tried again at once, not after pod_max_in_unschedulable.
TEST_F(SchedulerClusterTest, AFailedBindingBringsBackThePodsThatFoundTheNodeFull) {
  Create(MakeNode("node-1", /*cpu=*/"1"));
  auto* owned = new GatedBindClient(client(), "first");
  wrapped_client_.reset(owned);
  GatedBindClient& gated = *owned;
  Scheduler::Options opts;
  opts.pod_initial_backoff = std::chrono::milliseconds(10);
  opts.pod_max_backoff = std::chrono::milliseconds(100);
  opts.pod_max_in_unschedulable = std::chrono::hours(1);
  scheduler_ = std::make_unique<Scheduler>(&gated, opts);
  scheduler_->Start();
  ASSERT_TRUE(scheduler_->WaitForCacheSync(kWait));
  auto unschedulable = [](const api::Pod& p) {
    for (const auto& c : p.status().conditions()) {
      if (c.type() == "PodScheduled" && c.reason() == "Unschedulable") return true;
    }
    return false;
  };
  auto with_cpu = [](api::Pod p) {
    (*p.mutable_spec()->mutable_containers(0)->mutable_resources()->mutable_requests())["cpu"] =
        "1";
    return p;
  };

  Create(with_cpu(MakePod("first", {})));
  gated.WaitEntered();  // "first" is assumed on node-1, its Binding in flight
  Create(with_cpu(MakePod("second", {})));
  WaitForPod("second", unschedulable, "Unschedulable beside the assumed first pod");

  gated.Release();
  api::Pod second = WaitForPod(
      "second", [](const api::Pod& p) { return !p.spec().node_name().empty(); }, "scheduled");
  EXPECT_EQ(second.spec().node_name(), "node-1");
  // The pod whose binding failed now finds the node full: nothing was placed twice.
  WaitForPod("first", unschedulable, "Unschedulable once the second pod holds the node");
  EXPECT_TRUE(client()->Get<api::Pod>("default", "first")->spec().node_name().empty());
}

TEST_F(SchedulerClusterTest, ThreeNodesOneDiskEachThenAFourthPodWaitsForANewDisk) {
  Create(MakeClass(kLocalStorage, "WaitForFirstConsumer"));
  StartFleet(3, 1);
  WaitForAvailablePVs(3);
  StartScheduler();

  for (int i = 0; i < 3; ++i) {
    CreatePodWithClaim("local-test-" + std::to_string(i), "local-vol-local-test-" + std::to_string(i));
  }
  std::set<std::string> nodes;
  for (int i = 0; i < 3; ++i) {
    std::string pod_name = "local-test-" + std::to_string(i);
    api::Pod pod = WaitForPod(pod_name, Running, "Running");
    ASSERT_FALSE(pod.spec().node_name().empty());
    nodes.insert(pod.spec().node_name());
    // Its claim is bound to the PV on its node.
    auto claim = WaitForClaimBound("local-vol-" + pod_name);
    EXPECT_EQ(NodeOfPV(claim.spec().volume_name()), pod.spec().node_name()) << pod_name;
    bool scheduled = false;
    for (const auto& c : pod.status().conditions()) {
      if (c.type() == "PodScheduled") scheduled = c.status() == "True";
    }
    EXPECT_TRUE(scheduled);
  }
  EXPECT_EQ(nodes, (std::set<std::string>{"node-1", "node-2", "node-3"}));

  // The Scheduled event, as Kubernetes words it.
  {
    api::Event ev = WaitForEvent("local-test-0", "Scheduled");
    api::Pod pod0 = *client()->Get<api::Pod>("default", "local-test-0");
    EXPECT_EQ(ev.type(), "Normal");
    EXPECT_EQ(ev.source().component(), "default-scheduler");
    EXPECT_EQ(ev.message(), "Successfully assigned default/local-test-0 to " + pod0.spec().node_name());
  }

  // A fourth pod: every disk is taken.
  CreatePodWithClaim("local-test-3", "local-vol-local-test-3");
  const std::string expected =
      "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind. "
      "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..";
  EXPECT_EQ(WaitForEvent("local-test-3", "FailedScheduling", expected).type(), "Warning");
  api::Pod pending = WaitForPod(
      "local-test-3",
      [&](const api::Pod& p) {
        for (const auto& c : p.status().conditions()) {
          if (c.type() == "PodScheduled" && c.status() == "False" && c.message() == expected) {
            return true;
          }
        }
        return false;
      },
      "PodScheduled=False");
  for (const auto& c : pending.status().conditions()) {
    if (c.type() != "PodScheduled") continue;
    EXPECT_EQ(c.reason(), "Unschedulable");
    EXPECT_EQ(c.message(), expected);
  }
  EXPECT_TRUE(pending.spec().node_name().empty());
  auto text = scheduler_->Explain("default", "local-test-3");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("FindPodVolumes -> unboundSatisfied=false, boundSatisfied=true"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("taken by default/local-vol-local-test-"), std::string::npos) << *text;

  // A new disk on node-2: its PV appears and the fourth pod runs there.
  ASSERT_TRUE(fleet_->AddDisk("node-2").ok());
  api::Pod fourth = WaitForPod("local-test-3", Running, "Running");
  EXPECT_EQ(fourth.spec().node_name(), "node-2");
  auto claim = WaitForClaimBound("local-vol-local-test-3");
  EXPECT_EQ(NodeOfPV(claim.spec().volume_name()), "node-2");

  WaitForEvent("local-test-3", "Scheduled");  // written after the attempt is recorded
  text = scheduler_->Explain("default", "local-test-3");
  ASSERT_TRUE(text.ok());
  if (getenv("LPV_PRINT_EXPLAIN")) std::cout << *text;
  for (const char* step : {"AssumePodVolumes(default/local-test-3, node-2) -> allBound=false, "
                           "bindingRequired=true",
                           "volumeBinderBindQueue", "BindPodVolumes(default/local-test-3) ok",
                           "allBound=true", "Normal Scheduled: Successfully assigned "
                           "default/local-test-3 to node-2"}) {
    EXPECT_NE(text->find(step), std::string::npos) << step << "\n" << *text;
  }
  // The chosen node's verdict carries the score it was chosen with.
  const std::string chosen = "Chosen node: node-2 (score ";
  size_t at = text->rfind(chosen);
  ASSERT_NE(at, std::string::npos) << *text;
  std::string score = text->substr(at + chosen.size());
  score = score.substr(0, score.find(' '));
  EXPECT_NE(text->find("node-2  fits  score " + score + "\n"), std::string::npos) << *text;
}

// Only the nodes with a free disk are filtered for a claim of a class that cannot
// provision: skipped one by one while many nodes have one, listed once few do. Either way
// the pod lands on a node with a free PV and explain counts the others. Every disk exists
// before the scheduler starts, so its caches agree with the counts below.
TEST_F(SchedulerClusterTest, OnlyNodesWithAFreeDiskAreFilteredForAnUnboundClaim) {
  Create(MakeClass(kLocalStorage, "WaitForFirstConsumer"));
  StartFleet(6, 0);
  std::set<std::string> free = {"node-1", "node-2", "node-6"};
  for (const auto& node : free) ASSERT_TRUE(fleet_->AddDisk(node).ok());
  WaitForAvailablePVs(3);
  StartScheduler();

  // Three, then two free hosts of six (not fewer than a third): skipped one by one. Then
  // one: listed.
  for (int i = 0; i < 3; ++i) {
    std::string pod = "app-" + std::to_string(i);
    int others = 6 - static_cast<int>(free.size());
    CreatePodWithClaim(pod, "data-" + pod);
    std::string node = WaitForPod(pod, Running, "Running").spec().node_name();
    EXPECT_EQ(free.erase(node), 1u) << pod << " on " << node;
    WaitForEvent(pod, "Scheduled");
    auto text = scheduler_->Explain("default", pod);
    ASSERT_TRUE(text.ok());
    EXPECT_NE(text->find(std::to_string(others) + " not evaluated (VolumeBinding PreFilter"),
              std::string::npos)
        << *text;
  }
}

TEST_F(SchedulerClusterTest, ImmediateClaimsMakeThePodWait) {
  Create(MakeClass("immediate", "Immediate"));
  StartScheduler();
  Create(MakeNode("node-1"));
  auto c = MakeClaim("data", "immediate");
  c.clear_status();
  Create(c);
  Create(MakePod("app", {"data"}));
  // A pod for another scheduler is not ours.
  auto other = MakePod("other", {});
  other.mutable_spec()->set_scheduler_name("my-scheduler");
  Create(other);
  // (The pod may be tried once before the scheduler's claim informer has the claim:
  // `persistentvolumeclaim "data" not found`, as on a real cluster.)
  WaitForEvent("app", "FailedScheduling",
               "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
               "preemption: 0/1 nodes are available: 1 Preemption is not helpful for "
               "scheduling..");
  // A PV for it: the PV controller binds the claim, and the pod follows.
  auto pv = MakeLocalPV("pv-1", "node-1", "100Gi", "immediate");
  pv.clear_status();
  Create(pv);
  api::Pod bound = WaitForPod(
      "app", [](const api::Pod& x) { return !x.spec().node_name().empty(); }, "bound");
  EXPECT_EQ(bound.spec().node_name(), "node-1");
  EXPECT_TRUE(client()->Get<api::Pod>("default", "other")->spec().node_name().empty());
  EXPECT_FALSE(scheduler_->Explain("default", "other")->find("has not tried") == std::string::npos);
}

TEST_F(SchedulerClusterTest, ABindThatNeverCompletesTimesOutAfterTheBindTimeout) {
  // Nobody completes the binds BindPodVolumes writes.
  pv_controller_->Stop();
  Create(MakeClass(kLocalStorage, "WaitForFirstConsumer"));
  Create(MakeNode("node-1"));
  auto pv = MakeLocalPV("pv-1", "node-1");
  pv.clear_status();
  Create(pv);
  auto created = client()->Get<api::PersistentVolume>("", "pv-1");
  ASSERT_TRUE(created.ok());
  created->mutable_status()->set_phase("Available");
  ASSERT_TRUE(client()->UpdateStatus(*created).ok());

  StartScheduler(&fake_clock_);
  CreatePodWithClaim("app", "data");
  // BindPodVolumes wrote the claimRef: the bind timeout is running.
  auto written = client::WaitFor<api::PersistentVolume>(
      *client(), "", "pv-1",
      [](const api::PersistentVolume& v) { return v.spec().claim_ref().name() == "data"; },
      kWait);
  ASSERT_TRUE(written.ok()) << written.status().ToString();

  fake_clock_.Step(std::chrono::seconds(600));
  const std::string message =
      "running PreBind plugin \"VolumeBinding\": binding volumes: timed out waiting for the "
      "condition";
  EXPECT_EQ(WaitForEvent("app", "FailedScheduling", message).type(), "Warning");
  api::Pod pod = WaitForPod(
      "app",
      [&](const api::Pod& p) {
        for (const auto& c : p.status().conditions()) {
          if (c.type() == "PodScheduled" && c.reason() == "SchedulerError") return true;
        }
        return false;
      },
      "PodScheduled=False/SchedulerError");
  EXPECT_TRUE(pod.spec().node_name().empty());
  auto text = scheduler_->Explain("default", "app");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find(message), std::string::npos) << *text;
}

// 200 pods with a delayed claim each, 200 PVs on 50 nodes, all at once.
TEST_F(SchedulerClusterTest, ConcurrentPodsNeverShareAPVAndLandOnTheirPVsNode) {
  constexpr int kNodes = 50, kDisksPerNode = 4, kPods = 200;
  Create(MakeClass(kLocalStorage, "WaitForFirstConsumer"));
  for (int n = 1; n <= kNodes; ++n) {
    Create(MakeNode("node-" + std::to_string(n)));
    for (int d = 1; d <= kDisksPerNode; ++d) {
      auto pv = MakeLocalPV("pv-" + std::to_string(n) + "-" + std::to_string(d),
                            "node-" + std::to_string(n));
      pv.clear_status();
      Create(pv);
    }
  }
  WaitForAvailablePVs(kNodes * kDisksPerNode);
  StartScheduler();
  for (int i = 0; i < kPods; ++i) {
    CreatePodWithClaim("pod-" + std::to_string(i), "data-" + std::to_string(i));
  }

  auto pods = client::WaitForList(
      *client(), *api::KindOf("Pod"), "default",
      [&](const std::vector<client::ObjectPtr>& items) {
        int bound = 0;
        for (const auto& i : items) bound += !static_cast<const api::Pod&>(*i).spec().node_name().empty();
        return bound == kPods;
      },
      std::chrono::milliseconds(120000));
  ASSERT_TRUE(pods.ok()) << pods.status().ToString() << "\n"
                         << *scheduler_->Explain("default", "pod-0");

  std::map<std::string, std::string> pv_of_claim;  // claim -> PV
  auto claims = client()->List(*api::KindOf("PersistentVolumeClaim"), "default");
  ASSERT_TRUE(claims.ok());
  for (const auto& i : claims->items) {
    const auto& c = static_cast<const api::PersistentVolumeClaim&>(*i);
    ASSERT_FALSE(c.spec().volume_name().empty()) << c.metadata().name();
    pv_of_claim[c.metadata().name()] = c.spec().volume_name();
  }
  // Every PV bound at most once: claims name distinct PVs, and each PV's claimRef names
  // the claim that names it.
  std::set<std::string> used;
  for (const auto& [claim, pv] : pv_of_claim) EXPECT_TRUE(used.insert(pv).second) << pv;
  auto pvs = client()->List(*api::KindOf("PersistentVolume"), "");
  ASSERT_TRUE(pvs.ok());
  std::map<std::string, std::string> node_of_pv;
  for (const auto& i : pvs->items) {
    const auto& pv = static_cast<const api::PersistentVolume&>(*i);
    node_of_pv[pv.metadata().name()] =
        pv.spec().node_affinity().required().node_selector_terms(0).match_expressions(0).values(0);
    if (!pv.spec().has_claim_ref()) continue;
    auto it = pv_of_claim.find(pv.spec().claim_ref().name());
    ASSERT_NE(it, pv_of_claim.end()) << pv.metadata().name();
    EXPECT_EQ(it->second, pv.metadata().name()) << "PV " << pv.metadata().name()
                                                << " claims a claim bound elsewhere";
  }
  // Every pod on its PV's node.
  for (const auto& i : *pods) {
    const auto& pod = static_cast<const api::Pod&>(*i);
    std::string claim = pod.spec().volumes(0).persistent_volume_claim().claim_name();
    EXPECT_EQ(node_of_pv[pv_of_claim[claim]], pod.spec().node_name()) << pod.metadata().name();
  }
  auto stats = scheduler_->stats();
  EXPECT_EQ(stats.scheduled, kPods);
}

}  // namespace
}  // namespace lpv::scheduler
