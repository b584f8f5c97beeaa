#include "kubelet-fake/kubelet.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "kubelet-fake/disks.h"
#include "kubelet-fake/tests/test_util.h"

namespace lpv::kubelet {
namespace {

namespace fs = std::filesystem;
using testing::kWait;

class KubeletTest : public testing::ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    disks_ = std::make_unique<Disks>(NodeRoot("node-1"));
    KubeletOptions opts;
    opts.node_name = "node-1";
    opts.node_root = NodeRoot("node-1");
    opts.clock = &clock_;
    kubelet_ = std::make_unique<FakeKubelet>(&c(), opts);
    Status s = kubelet_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void TearDown() override {
    kubelet_.reset();
    ClusterTest::TearDown();
  }

  std::unique_ptr<Disks> disks_;
  std::unique_ptr<FakeKubelet> kubelet_;
};

TEST_F(KubeletTest, RegistersItsNode) {
  auto node = c().Get<api::Node>("", "node-1");
  ASSERT_TRUE(node.ok()) << node.status().ToString();
  const auto& labels = node->metadata().labels();
  EXPECT_EQ(labels.at("kubernetes.io/hostname"), "node-1");
  EXPECT_EQ(labels.at("kubernetes.io/os"), "linux");
  EXPECT_EQ(labels.at("kubernetes.io/arch"), "amd64");
  EXPECT_EQ(node->spec().pod_cidr(), "10.244.1.0/24");
  const auto& st = node->status();
  EXPECT_EQ(st.capacity().at("cpu"), "4");
  EXPECT_EQ(st.capacity().at("memory"), "16Gi");
  EXPECT_EQ(st.capacity().at("pods"), "110");
  EXPECT_EQ(st.allocatable().at("memory"), "16Gi");

  std::vector<std::string> types;
  for (const auto& cond : st.conditions()) types.push_back(cond.type());
  EXPECT_EQ(types, (std::vector<std::string>{"MemoryPressure", "DiskPressure", "PIDPressure",
                                             "Ready"}));
  const auto* ready = NodeCondition(*node, "Ready");
  EXPECT_EQ(ready->status(), "True");
  EXPECT_EQ(ready->reason(), "KubeletReady");
  EXPECT_EQ(ready->message(), "kubelet is posting ready status");
  EXPECT_EQ(ready->last_heartbeat_time(), Now());
  const auto* mem = NodeCondition(*node, "MemoryPressure");
  EXPECT_EQ(mem->status(), "False");
  EXPECT_EQ(mem->reason(), "KubeletHasSufficientMemory");
  EXPECT_EQ(mem->message(), "kubelet has sufficient memory available");

  ASSERT_EQ(st.addresses_size(), 2);
  EXPECT_EQ(st.addresses(0).type(), "InternalIP");
  EXPECT_EQ(st.addresses(0).address(), "172.18.0.2");
  EXPECT_EQ(st.addresses(1).type(), "Hostname");
  EXPECT_EQ(st.addresses(1).address(), "node-1");
  EXPECT_EQ(st.node_info().kubelet_version(), "v1.29.0-lpv");
  EXPECT_EQ(st.node_info().container_runtime_version(), "lpv://fake");
  EXPECT_EQ(st.node_info().operating_system(), "linux");
  EXPECT_EQ(st.node_info().architecture(), "amd64");
  EXPECT_EQ(st.node_info().machine_id().size(), 32u);

  auto starting = WaitForEvents("default", "node-1", "Starting");
  ASSERT_FALSE(starting.empty());
  EXPECT_EQ(starting[0].message(), "Starting kubelet.");
  EXPECT_EQ(starting[0].source().component(), "kubelet");
  EXPECT_EQ(starting[0].source().host(), "node-1");
  auto ready_ev = WaitForEvents("default", "node-1", "NodeReady");
  EXPECT_EQ(ready_ev[0].message(), "Node node-1 status is now: NodeReady");
}

TEST_F(KubeletTest, HeartbeatsRenewTheReadyCondition) {
  std::string registered = Now();
  clock_.Step(std::chrono::seconds(10));
  std::string beat = Now();
  ASSERT_NE(beat, registered);
  auto node = WaitFor<api::Node>("", "node-1", [&](const api::Node& n) {
    const auto* r = NodeCondition(n, "Ready");
    return r && r->last_heartbeat_time() == beat;
  });
  const auto* ready = NodeCondition(node, "Ready");
  // A heartbeat is not a transition.
  EXPECT_EQ(ready->last_transition_time(), registered);
}

// The cluster's client, counting the reads of each kind.
class ReadCountingClient : public client::ForwardingClient {
 public:
  using ForwardingClient::ForwardingClient;
  int gets(const std::string& kind) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = gets_.find(kind);
    return it == gets_.end() ? 0 : it->second;
  }
  Result<client::ObjectPtr> Get(const api::KindInfo& kind, const std::string& ns,
                                const std::string& name) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      ++gets_[kind.kind];
    }
    return ForwardingClient::Get(kind, ns, name);
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int> gets_;
};

// As the lease controller (latestLease): a renewal updates the Lease the last one wrote,
// without reading it first; once the write fails (someone else wrote the Lease) it is read
// again, and the kubelet holds it once more.
TEST_F(KubeletTest, LeaseRenewalsUpdateTheLastWrittenLeaseWithoutReadingIt) {
  kubelet_->Stop();
  ReadCountingClient counting(&c());
  // Declared after the client it uses, so it stops before that goes.
  auto kubelet = std::make_unique<FakeKubelet>(&counting, kubelet_->options());
  ASSERT_TRUE(kubelet->Start().ok());
  // Starting, it reads the Lease the first kubelet left.
  EXPECT_EQ(counting.gets("Lease"), 1);
  auto renewed_now = [&] {
    std::string now = FormatRFC3339Micro(clock_.Now());
    return WaitFor<api::Lease>(kNodeLeaseNamespace, "node-1", [&](const api::Lease& l) {
      return l.spec().renew_time() == now && l.spec().holder_identity() == "node-1";
    });
  };
  for (int i = 0; i < 3; ++i) {
    clock_.Step(std::chrono::seconds(10));
    renewed_now();
  }
  EXPECT_EQ(counting.gets("Lease"), 1);

  auto lease = *c().Get<api::Lease>(kNodeLeaseNamespace, "node-1");
  lease.mutable_spec()->set_holder_identity("someone-else");
  ASSERT_TRUE(c().UpdateTyped(lease).ok());
  clock_.Step(std::chrono::seconds(10));
  renewed_now();  // the stale write failed; read again and renewed
  EXPECT_EQ(counting.gets("Lease"), 2);
  clock_.Step(std::chrono::seconds(10));
  renewed_now();
  EXPECT_EQ(counting.gets("Lease"), 2);
}

// tryUpdateNodeStatus' first read comes from a cache (resourceVersion 0): given a node
// informer, a heartbeat reads nothing from the API. A stale copy makes the write conflict,
// and the retry reads the API.
TEST_F(KubeletTest, HeartbeatsReadTheNodeFromTheNodeInformerAndTheAPIAfterAConflict) {
  kubelet_->Stop();
  std::mutex mu;
  std::condition_variable cv;
  std::string seen;  // the Ready heartbeat of the informer's copy
  client::Informer nodes(&c(), *api::KindOf("Node"), "", {}, &clock_);
  auto note = [&](const client::ObjectRef& o) {
    const auto* ready = NodeCondition(static_cast<const api::Node&>(*o), "Ready");
    std::lock_guard<std::mutex> l(mu);
    seen = ready ? ready->last_heartbeat_time() : "";
    cv.notify_all();
  };
  nodes.AddEventHandler(
      {note, [&](const client::ObjectRef&, const client::ObjectRef& o) { note(o); },
       [](const client::ObjectRef&) {}});
  nodes.Start();
  ASSERT_TRUE(nodes.WaitForCacheSync(kWait));
  auto informer_has = [&](const std::string& beat) {
    std::unique_lock<std::mutex> l(mu);
    return cv.wait_for(l, kWait, [&] { return seen == beat; });
  };
  auto beat_now = [&] {
    std::string now = Now();
    WaitFor<api::Node>("", "node-1", [&](const api::Node& n) {
      return NodeCondition(n, "Ready")->last_heartbeat_time() == now;
    });
  };

  ReadCountingClient counting(&c());
  KubeletOptions opts = kubelet_->options();
  opts.nodes = &nodes;
  opts.status_report_frequency = Duration::zero();  // every heartbeat writes the status
  clock_.Step(std::chrono::seconds(1));
  // Declared after the informer and the client it uses, so it stops before they go.
  auto kubelet = std::make_unique<FakeKubelet>(&counting, opts);
  ASSERT_TRUE(kubelet->Start().ok());
  const int at_start = counting.gets("Node");  // a starting kubelet reads the API
  EXPECT_GE(at_start, 1);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(informer_has(Now()));
    clock_.Step(std::chrono::seconds(10));
    beat_now();
  }
  EXPECT_EQ(counting.gets("Node"), at_start);

  // The informer stops and someone else writes the Node: the informer's copy is stale, the
  // write from it conflicts, the retry reads the API and keeps the other writer's label.
  ASSERT_TRUE(informer_has(Now()));
  nodes.Stop();
  auto node = *c().Get<api::Node>("", "node-1");
  (*node.mutable_metadata()->mutable_labels())["example.com/rack"] = "r1";
  ASSERT_TRUE(c().UpdateTyped(node).ok());
  clock_.Step(std::chrono::seconds(10));
  beat_now();
  EXPECT_EQ(counting.gets("Node"), at_start + 1);
  EXPECT_EQ(c().Get<api::Node>("", "node-1")->metadata().labels().at("example.com/rack"), "r1");
}

// The cluster's client; the first pod status write is preceded by another writer's
// label on the same pod, so that write conflicts. It records each pod status write's
// thread and whether it conflicted.
class RacingPodWriterClient : public client::ForwardingClient {
 public:
  explicit RacingPodWriterClient(client::Client* next)
      : ForwardingClient(next), next_(next) {}
  struct Write {
    std::thread::id thread;
    bool conflict;
  };
  std::vector<Write> writes() const {
    std::lock_guard<std::mutex> l(mu_);
    return writes_;
  }
  Result<client::ObjectPtr> UpdateStatus(const google::protobuf::Message& obj) override {
    if (api::KindOf(obj)->kind != "Pod") return ForwardingClient::UpdateStatus(obj);
    if (!raced_.exchange(true)) {
      const auto& meta = api::Meta(obj);
      auto pod = next_->Get<api::Pod>(meta.namespace_(), meta.name());
      if (pod.ok()) {
        (*pod->mutable_metadata()->mutable_labels())["example.com/owner"] = "other";
        (void)next_->UpdateTyped(*pod);
      }
    }
    auto written = ForwardingClient::UpdateStatus(obj);
    std::lock_guard<std::mutex> l(mu_);
    writes_.push_back({std::this_thread::get_id(),
                       !written.ok() && written.status().IsConflict()});
    return written;
  }

 private:
  client::Client* next_;
  std::atomic<bool> raced_{false};
  mutable std::mutex mu_;
  std::vector<Write> writes_;
};

// A pod status write that conflicts is redone at once on the pod as the API has it: the
// status is the kubelet's, the other writer's label stays.
TEST_F(KubeletTest, AConflictingPodStatusWriteIsRedoneOnThePodAsTheAPIHasIt) {
  kubelet_->Stop();
  RacingPodWriterClient racing(&c());
  auto kubelet = std::make_unique<FakeKubelet>(&racing, kubelet_->options());
  ASSERT_TRUE(kubelet->Start().ok());
  MakePod("idle", "node-1", "");
  auto pod = WaitFor<api::Pod>("default", "idle", RunningAndReady);
  EXPECT_EQ(pod.metadata().labels().at("example.com/owner"), "other");
  kubelet->Stop();
  // The conflicting write's retry, the same thread's next write, went through. (Other
  // syncs may conflict too: the informer's copy can lag behind the retry's write.)
  auto writes = racing.writes();
  ASSERT_FALSE(writes.empty());
  ASSERT_TRUE(writes[0].conflict);
  auto retry = std::find_if(writes.begin() + 1, writes.end(),
                            [&](const auto& w) { return w.thread == writes[0].thread; });
  ASSERT_NE(retry, writes.end());
  EXPECT_FALSE(retry->conflict);
}

TEST_F(KubeletTest, AnUnchangedStatusIsReportedEveryReportFrequencyWhileTheLeaseBeats) {
  kubelet_->Stop();
  KubeletOptions opts = kubelet_->options();
  opts.status_report_frequency = std::chrono::seconds(60);
  kubelet_ = std::make_unique<FakeKubelet>(&c(), opts);
  ASSERT_TRUE(kubelet_->Start().ok());
  std::string reported = Now();
  // Each 10 s the status is checked, then the Lease renewed: one worker, keys in the order
  // their tickers fire, so a renewed Lease means the check before it is done.
  auto step_and_wait_for_lease = [&] {
    clock_.Step(std::chrono::seconds(10));
    std::string renewed = FormatRFC3339Micro(clock_.Now());
    WaitFor<api::Lease>(kNodeLeaseNamespace, "node-1",
                        [&](const api::Lease& l) { return l.spec().renew_time() == renewed; });
  };
  auto heartbeat = [&] {
    return NodeCondition(*c().Get<api::Node>("", "node-1"), "Ready")->last_heartbeat_time();
  };
  for (int i = 0; i < 5; ++i) step_and_wait_for_lease();  // 50 s: nothing changed
  EXPECT_EQ(heartbeat(), reported);
  step_and_wait_for_lease();  // 60 s: reported again
  EXPECT_EQ(heartbeat(), Now());
  reported = Now();

  // A change is posted at the next check, report due or not.
  auto node = *c().Get<api::Node>("", "node-1");
  for (auto& cond : *node.mutable_status()->mutable_conditions()) {
    if (cond.type() == "Ready") cond.set_status("Unknown");
  }
  ASSERT_TRUE(c().UpdateStatusTyped(node).ok());
  step_and_wait_for_lease();
  EXPECT_EQ(heartbeat(), Now());
  EXPECT_EQ(NodeCondition(*c().Get<api::Node>("", "node-1"), "Ready")->status(), "True");
}

TEST_F(KubeletTest, StoppedKubeletPostsNothing) {
  kubelet_->Stop();
  EXPECT_FALSE(kubelet_->running());
  std::string last = Now();
  clock_.Step(std::chrono::seconds(60));
  // Nothing is left that could write: the worker is gone.
  auto node = c().Get<api::Node>("", "node-1");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(NodeCondition(*node, "Ready")->last_heartbeat_time(), last);

  // A pod bound to a down node stays as it is...
  MakePod("idle", "node-1", "");
  // ... until the kubelet is back.
  ASSERT_TRUE(kubelet_->Start().ok());
  auto pod = WaitFor<api::Pod>("default", "idle", RunningAndReady);
  EXPECT_EQ(NodeCondition(*c().Get<api::Node>("", "node-1"), "Ready")->last_heartbeat_time(),
            Now());
}

TEST_F(KubeletTest, MissingLocalPathIsFailedMountUntilTheDiskAppears) {
  std::string pv = "local-pv-e3f48c6a";
  MakeBoundClaim("local-vol-local-test-0", pv, "/mnt/disks/vol1", "node-1");
  api::Pod created = MakePod("local-test-0", "node-1", "local-vol-local-test-0");

  auto failed = WaitForEvents("default", "local-test-0", "FailedMount");
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0].type(), "Warning");
  EXPECT_EQ(failed[0].message(), "MountVolume.NewMounter initialization failed for volume \"" +
                                     pv + "\" : path \"/mnt/disks/vol1\" does not exist");
  EXPECT_EQ(failed[0].source().component(), "kubelet");
  EXPECT_EQ(failed[0].source().host(), "node-1");
  // Meanwhile the pod is Pending, its container ContainerCreating (kubectl's STATUS).
  auto waiting = WaitFor<api::Pod>("default", "local-test-0", [](const api::Pod& p) {
    return p.status().container_statuses_size() == 1 &&
           p.status().container_statuses(0).state().has_waiting();
  });
  EXPECT_EQ(waiting.status().phase(), "Pending");
  EXPECT_EQ(waiting.status().container_statuses(0).state().waiting().reason(),
            "ContainerCreating");
  EXPECT_FALSE(waiting.status().container_statuses(0).ready());
  EXPECT_TRUE(waiting.status().pod_ip().empty());
  EXPECT_EQ(waiting.status().host_ip(), "172.18.0.2");
  ASSERT_NE(PodCondition(waiting, "Ready"), nullptr);
  EXPECT_EQ(PodCondition(waiting, "Ready")->status(), "False");
  EXPECT_EQ(PodCondition(waiting, "Ready")->reason(), "ContainersNotReady");
  EXPECT_EQ(PodCondition(waiting, "Ready")->message(),
            "containers with unready status: [test-container]");
  EXPECT_EQ(PodCondition(waiting, "Initialized")->status(), "True");

  // The disk is mounted; the kubelet's backoff (at most 2m2s) brings the retry.
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("368Gi")).ok());
  clock_.Step(std::chrono::seconds(123));
  auto pod = WaitFor<api::Pod>("default", "local-test-0", RunningAndReady);
  const auto& st = pod.status();
  for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    ASSERT_NE(PodCondition(pod, type), nullptr) << type;
    EXPECT_EQ(PodCondition(pod, type)->status(), "True") << type;
  }
  EXPECT_EQ(st.host_ip(), "172.18.0.2");
  EXPECT_EQ(st.pod_ip(), "10.244.1.2");
  ASSERT_EQ(st.pod_ips_size(), 1);
  EXPECT_EQ(st.pod_ips(0).ip(), "10.244.1.2");
  // The retry ran somewhere inside the step.
  auto start = ParseRFC3339(st.start_time());
  ASSERT_TRUE(start.has_value()) << st.start_time();
  EXPECT_LE(*start, clock_.Now());
  EXPECT_GT(*start, clock_.Now() - std::chrono::seconds(124));
  ASSERT_EQ(st.container_statuses_size(), 1);
  const auto& cs = st.container_statuses(0);
  EXPECT_EQ(cs.name(), "test-container");
  EXPECT_TRUE(cs.ready());
  EXPECT_TRUE(cs.state().has_running());
  EXPECT_EQ(cs.image(), "k8s.gcr.io/busybox");

  // The pod's data is on the disk.
  std::string marker = ReadFile(NodeRoot("node-1") + "/mnt/disks/vol1/" + kMarkerFile);
  std::string prefix = "default/local-test-0 " + created.metadata().uid() + " mounted at ";
  EXPECT_EQ(marker.rfind(prefix, 0), 0u) << marker;
  EXPECT_TRUE(ParseRFC3339(marker.substr(prefix.size(), marker.size() - prefix.size() - 1)))
      << marker;
  EXPECT_EQ(std::count(marker.begin(), marker.end(), '\n'), 1);
  EXPECT_EQ(kubelet_->Mounts().at("default/local-test-0"),
            std::vector<std::string>{"/mnt/disks/vol1"});
  auto started = WaitForEvents("default", "local-test-0", "Started");
  EXPECT_EQ(started[0].message(), "Started container test-container");
}

TEST_F(KubeletTest, UnboundClaimIsReportedAsTheVolumeManagerDoes) {
  api::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("local-vol-local-test-0");
  pvc.mutable_metadata()->set_namespace_("default");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "368Gi";
  ASSERT_TRUE(c().Create(pvc).ok());
  MakePod("local-test-0", "node-1", "local-vol-local-test-0");
  auto failed = WaitForEvents("default", "local-test-0", "FailedMount");
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0].message(),
            "Unable to attach or mount volumes: unmounted volumes=[local-vol], unattached "
            "volumes=[], failed to process volumes=[local-vol]: error processing PVC "
            "default/local-vol-local-test-0: PVC is not bound");
}

TEST_F(KubeletTest, MissingClaimIsReported) {
  MakePod("orphan", "node-1", "nothing-here");
  auto failed = WaitForEvents("default", "orphan", "FailedMount");
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0].message(),
            "Unable to attach or mount volumes: unmounted volumes=[local-vol], unattached "
            "volumes=[], failed to process volumes=[local-vol]: error processing PVC "
            "default/nothing-here: failed to fetch PVC from API server: "
            "persistentvolumeclaims \"nothing-here\" not found");
}

TEST_F(KubeletTest, VolumeOfAnotherNodeFailsTheAffinityCheck) {
  MakeBoundClaim("claim", "pv-elsewhere", "/mnt/disks/vol1", "node-2");
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  MakePod("misplaced", "node-1", "claim");
  auto failed = WaitForEvents("default", "misplaced", "FailedMount");
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed[0].message(),
            "MountVolume.NodeAffinity check failed for volume \"pv-elsewhere\" : no matching "
            "NodeSelectorTerms");
}

TEST_F(KubeletTest, DeletionIsConfirmedAndDataOutlivesThePod) {
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("368Gi")).ok());
  std::string pv = "local-pv-e3f48c6a";
  MakeBoundClaim("local-vol-local-test-0", pv, "/mnt/disks/vol1", "node-1");
  api::Pod first = MakePod("local-test-0", "node-1", "local-vol-local-test-0");
  WaitFor<api::Pod>("default", "local-test-0", RunningAndReady);

  // A graceful delete: the API server only marks the pod; the kubelet unmounts and
  // confirms with grace period 0.
  auto del = c().Delete(*api::KindOf("Pod"), "default", "local-test-0");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_FALSE(static_cast<const api::Pod&>(**del).metadata().deletion_timestamp().empty());
  ASSERT_TRUE(
      client::WaitForDeletion(c(), *api::KindOf("Pod"), "default", "local-test-0", kWait).ok());
  auto killing = WaitForEvents("default", "local-test-0", "Killing");
  EXPECT_EQ(killing[0].message(), "Stopping container test-container");

  // The pod comes back (a StatefulSet would do this) with the same claim: same disk, and
  // what the first one wrote is still there.
  clock_.Step(std::chrono::seconds(1));
  api::Pod second = MakePod("local-test-0", "node-1", "local-vol-local-test-0");
  ASSERT_NE(second.metadata().uid(), first.metadata().uid());
  WaitFor<api::Pod>("default", "local-test-0", [&](const api::Pod& p) {
    return p.metadata().uid() == second.metadata().uid() && RunningAndReady(p);
  });
  std::string marker = ReadFile(NodeRoot("node-1") + "/mnt/disks/vol1/" + kMarkerFile);
  EXPECT_NE(marker.find("default/local-test-0 " + first.metadata().uid() + " mounted at "),
            std::string::npos);
  EXPECT_NE(marker.find("default/local-test-0 " + second.metadata().uid() + " mounted at "),
            std::string::npos);
}

TEST_F(KubeletTest, HostPathVolumesAreCreatedOnThisNode) {
  api::Pod pod;
  pod.mutable_metadata()->set_name("hostpath");
  pod.mutable_metadata()->set_namespace_("default");
  auto* ctr = pod.mutable_spec()->add_containers();
  ctr->set_name("c");
  ctr->set_image("busybox");
  ctr->add_volume_mounts()->set_name("data");
  ctr->mutable_volume_mounts(0)->set_mount_path("/data");
  auto* vol = pod.mutable_spec()->add_volumes();
  vol->set_name("data");
  vol->mutable_host_path()->set_path("/var/local/data");
  pod.mutable_spec()->set_node_name("node-1");
  ASSERT_TRUE(c().Create(pod).ok());
  WaitFor<api::Pod>("default", "hostpath", RunningAndReady);
  EXPECT_TRUE(fs::is_directory(NodeRoot("node-1") + "/var/local/data"));
  EXPECT_NE(ReadFile(NodeRoot("node-1") + "/var/local/data/" + kMarkerFile).find("default/hostpath "),
            std::string::npos);
}

TEST_F(KubeletTest, PodIPsAreDistinct) {
  MakePod("a", "node-1", "");
  MakePod("b", "node-1", "");
  auto a = WaitFor<api::Pod>("default", "a", RunningAndReady);
  auto b = WaitFor<api::Pod>("default", "b", RunningAndReady);
  EXPECT_NE(a.status().pod_ip(), b.status().pod_ip());
  EXPECT_EQ(a.status().pod_ip().rfind("10.244.1.", 0), 0u);
  EXPECT_EQ(b.status().pod_ip().rfind("10.244.1.", 0), 0u);
}

}  // namespace
}  // namespace lpv::kubelet
