// Scheduling with delayed (WaitForFirstConsumer) local PVs.
//
// BM_ScheduleDelayedLocalPVs/nodes:N/pods:P/pct:S: an in-process cluster with <nodes> nodes of 4
// local PVs each and the PV controller; <pods> pods with one delayed claim each are created
// first, then the scheduler starts and the clock runs until every pod is bound to a node
// (each claim bound to a PV on it: FindPodVolumes on every node, AssumePodVolumes,
// BindPodVolumes, the PV controller's bind, the next cycle's allBound, the Binding).
// Reports pods_per_s and, per pod, where the scheduler's time went (filter, score, assume,
// BindPodVolumes, Binding, failures) and how many cycles it took. pct is the scheduler's
// percentageOfNodesToScore: 100 (lpv's default) tries every node, 0 is Kubernetes' adaptive
// default (at 1,000 nodes: stop once 420 fit).
//
// BM_FindPodVolumesOnEveryNode/<nodes> and BM_FindMatchingVolumeScan/<nodes>: one
// scheduling cycle's volume check over every node, with the scheduler's indexes (the PVs of
// the claim's class on each node) against scanning every PV for every node.
// BM_HasFreeVolumesOnEveryNode/<nodes>: the filter loop's free-PV check of every node.
//
//   build/bench/bench_scheduler --benchmark_filter=Schedule
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "api/objects.pb.h"
#include "client/informer.h"
#include "client/wait.h"
#include "cluster/cluster.h"
#include "pvcontroller/index.h"
#include "pvcontroller/pv_controller.h"
#include "scheduler/scheduler.h"
#include "scheduler/volume_binder.h"

namespace {

using namespace lpv;  // NOLINT

constexpr int kDisksPerNode = 4;

api::StorageClass LocalStorage() {
  api::StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  sc.set_provisioner("kubernetes.io/no-provisioner");
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  return sc;
}

api::Node MakeNode(int n) {
  api::Node node;
  std::string name = "node-" + std::to_string(n);
  node.mutable_metadata()->set_name(name);
  (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
  for (auto* list : {node.mutable_status()->mutable_capacity(),
                     node.mutable_status()->mutable_allocatable()}) {
    (*list)["cpu"] = "4";
    (*list)["memory"] = "16Gi";
    (*list)["pods"] = "110";
  }
  auto* ready = node.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status("True");
  return node;
}

api::PersistentVolume MakePV(int node, int disk) {
  api::PersistentVolume pv;
  pv.mutable_metadata()->set_name("local-pv-" + std::to_string(node) + "-" + std::to_string(disk));
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "368Gi";
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  pv.mutable_spec()->set_storage_class_name("local-storage");
  pv.mutable_spec()->mutable_local()->set_path("/mnt/disks/vol" + std::to_string(disk));
  auto* e = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                ->add_node_selector_terms()->add_match_expressions();
  e->set_key("kubernetes.io/hostname");
  e->set_operator_("In");
  e->add_values("node-" + std::to_string(node));
  return pv;
}

api::PersistentVolumeClaim MakeClaim(int i) {
  api::PersistentVolumeClaim c;
  c.mutable_metadata()->set_name("data-" + std::to_string(i));
  c.mutable_metadata()->set_namespace_("default");
  c.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*c.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "10Gi";
  c.mutable_spec()->set_storage_class_name("local-storage");
  return c;
}

api::Pod MakePod(int i) {
  api::Pod p;
  p.mutable_metadata()->set_name("pod-" + std::to_string(i));
  p.mutable_metadata()->set_namespace_("default");
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("app");
  c->set_image("busybox");
  auto* v = p.mutable_spec()->add_volumes();
  v->set_name("data");
  v->mutable_persistent_volume_claim()->set_claim_name("data-" + std::to_string(i));
  return p;
}

void Must(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "bench setup failed: %s\n", what);
    std::abort();
  }
}

// Counts pods with a node, from a watch (no polling).
class BoundPods {
 public:
  explicit BoundPods(client::Client* c) : informer_(c, *api::KindOf("Pod"), "default") {
    client::EventHandler h;
    h.on_add = [this](const client::ObjectRef& o) { Saw(o); };
    h.on_update = [this](const client::ObjectRef&, const client::ObjectRef& o) { Saw(o); };
    informer_.AddEventHandler(std::move(h));
    informer_.Start();
    informer_.WaitForCacheSync(std::chrono::seconds(60));
  }
  void Stop() { informer_.Stop(); }
  bool WaitFor(size_t n, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    return cv_.wait_for(l, timeout, [&] { return bound_.size() >= n; });
  }

 private:
  void Saw(const client::ObjectRef& o) {
    const auto& pod = static_cast<const api::Pod&>(*o);
    if (pod.spec().node_name().empty()) return;
    std::lock_guard<std::mutex> l(mu_);
    bound_.insert(pod.metadata().name());
    cv_.notify_all();
  }
  client::Informer informer_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> bound_;
};

void BM_ScheduleDelayedLocalPVs(benchmark::State& state) {
  const int nodes = static_cast<int>(state.range(0));
  const int pods = static_cast<int>(state.range(1));
  const int percentage = static_cast<int>(state.range(2));
  scheduler::SchedulerStats total;
  for (auto _ : state) {
    state.PauseTiming();
    cluster::Options opts;
    opts.sync = false;
    opts.listen = "";
    auto c = cluster::Cluster::Start(opts);
    Must(c.ok(), "cluster");
    auto cl = std::move(*c);
    client::Client* client = cl->client();
    Must(client->Create(LocalStorage()).ok(), "class");
    for (int n = 1; n <= nodes; ++n) {
      Must(client->Create(MakeNode(n)).ok(), "node");
      for (int d = 1; d <= kDisksPerNode; ++d) Must(client->Create(MakePV(n, d)).ok(), "pv");
    }
    auto pv_controller = std::make_unique<pvcontroller::PersistentVolumeController>(
        client, pvcontroller::PersistentVolumeController::Options{});
    pv_controller->Start();
    Must(pv_controller->WaitForCacheSync(std::chrono::seconds(60)), "pv controller sync");
    // The PV controller makes the new PVs Available; a PV not yet Available matches no claim.
    Must(client::WaitForList(
             *client, *api::KindOf("PersistentVolume"), "",
             [&](const std::vector<client::ObjectPtr>& items) {
               return std::all_of(items.begin(), items.end(), [](const client::ObjectPtr& i) {
                 return static_cast<const api::PersistentVolume&>(*i).status().phase() ==
                        "Available";
               });
             },
             std::chrono::seconds(600))
             .ok(),
         "PVs Available");
    for (int i = 0; i < pods; ++i) {
      Must(client->Create(MakeClaim(i)).ok(), "claim");
      Must(client->Create(MakePod(i)).ok(), "pod");
    }
    BoundPods bound(client);
    scheduler::Scheduler::Options sopts;
    sopts.percentage_of_nodes_to_score = percentage;
    auto sched = std::make_unique<scheduler::Scheduler>(client, sopts);
    state.ResumeTiming();

    sched->Start();
    Must(bound.WaitFor(pods, std::chrono::seconds(600)), "pods bound");

    state.PauseTiming();
    auto s = sched->stats();
    total.cycles += s.cycles;
    total.scheduled += s.scheduled;
    total.volume_binds += s.volume_binds;
    total.volume_waits += s.volume_waits;
    total.unschedulable += s.unschedulable;
    total.errors += s.errors;
    total.filter_ns += s.filter_ns;
    total.score_ns += s.score_ns;
    total.assume_ns += s.assume_ns;
    total.bind_volumes_ns += s.bind_volumes_ns;
    total.bind_ns += s.bind_ns;
    total.failure_ns += s.failure_ns;
    total.nodes_evaluated += s.nodes_evaluated;
    sched->Stop();
    pv_controller->Stop();
    bound.Stop();
    sched.reset();
    pv_controller.reset();
    cl.reset();
    state.ResumeTiming();
  }
  double n = static_cast<double>(total.scheduled);
  auto per_pod_us = [&](int64_t ns) { return n > 0 ? static_cast<double>(ns) / 1e3 / n : 0; };
  state.counters["pods_per_s"] =
      benchmark::Counter(static_cast<double>(pods) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.counters["cycles_per_pod"] = n > 0 ? static_cast<double>(total.cycles) / n : 0;
  state.counters["filter_us_per_pod"] = per_pod_us(total.filter_ns);
  state.counters["score_us_per_pod"] = per_pod_us(total.score_ns);
  state.counters["assume_us_per_pod"] = per_pod_us(total.assume_ns);
  state.counters["bindvol_us_per_pod"] = per_pod_us(total.bind_volumes_ns);
  state.counters["bind_us_per_pod"] = per_pod_us(total.bind_ns);
  state.counters["fail_us_per_pod"] = per_pod_us(total.failure_ns);
  state.counters["waits_per_pod"] = n > 0 ? static_cast<double>(total.volume_waits) / n : 0;
  state.counters["filter_ns_per_node"] =
      total.nodes_evaluated > 0
          ? static_cast<double>(total.filter_ns) / static_cast<double>(total.nodes_evaluated)
          : 0;
}
BENCHMARK(BM_ScheduleDelayedLocalPVs)
    ->ArgNames({"nodes", "pods", "pct"})
    ->Args({3, 3, 100})
    ->Args({100, 400, 100})
    ->Args({1000, 400, 100})
    ->Args({1000, 400, 0})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The volume binder's caches filled with <nodes> x 4 local PVs.
struct BinderFixture {
  std::unique_ptr<scheduler::SchedulerVolumeBinder> binder;
  std::vector<api::Node> nodes;
  api::Pod pod;
  std::vector<pvcontroller::VolumePtr> all_pvs;

  explicit BinderFixture(int n) {
    auto sc = std::make_shared<api::StorageClass>(LocalStorage());
    binder = std::make_unique<scheduler::SchedulerVolumeBinder>(
        nullptr, [sc](const std::string&) { return sc; });
    int rv = 1;
    for (int i = 1; i <= n; ++i) {
      nodes.push_back(MakeNode(i));
      for (int d = 1; d <= kDisksPerNode; ++d) {
        auto pv = std::make_shared<api::PersistentVolume>(MakePV(i, d));
        pv->mutable_metadata()->set_resource_version(std::to_string(rv++));
        pv->mutable_status()->set_phase("Available");
        binder->pv_cache().Add(pv);
        all_pvs.push_back(pv);
      }
    }
    auto claim = std::make_shared<api::PersistentVolumeClaim>(MakeClaim(0));
    claim->mutable_metadata()->set_resource_version("1");
    binder->pvc_cache().Add(claim);
    pod = MakePod(0);
  }
};

void BM_FindPodVolumesOnEveryNode(benchmark::State& state) {
  BinderFixture f(static_cast<int>(state.range(0)));
  // The nodes as the scheduler's node cache holds them, numbering hostnames alike.
  scheduler::NodeCache cache(&f.binder->pv_cache().host_slots());
  std::vector<scheduler::NodeInfoRef> infos;
  for (const auto& node : f.nodes) {
    cache.AddOrUpdateNode(std::make_shared<api::Node>(node));
    infos.push_back(cache.GetNodeInfo(node.metadata().name()));
  }
  for (auto _ : state) {
    auto claims = f.binder->GetPodVolumes(f.pod);
    int fits = 0;
    for (const auto& info : infos) {
      auto r = f.binder->FindPodVolumes(f.pod, *claims, *info);
      fits += r.ok() && r->reasons.empty();
    }
    f.binder->DeletePodBindings("default/pod-0");
    benchmark::DoNotOptimize(fits);
  }
  state.counters["nodes_per_s"] = benchmark::Counter(
      static_cast<double>(state.range(0)) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FindPodVolumesOnEveryNode)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// The filter loop's first question about each node (lpv's narrowing): does a free PV of the
// claim's class sit on it? Every node the rotation reaches asks it, fit or not.
void BM_HasFreeVolumesOnEveryNode(benchmark::State& state) {
  BinderFixture f(static_cast<int>(state.range(0)));
  std::vector<scheduler::HostSlots::Slot> hostnames;
  for (const auto& node : f.nodes) {
    hostnames.push_back(f.binder->pv_cache().host_slots().Intern(
        node.metadata().labels().at("kubernetes.io/hostname")));
  }
  const std::vector<std::string> classes = {"local-storage"};
  for (auto _ : state) {
    int free = 0;
    for (const auto& host : hostnames) free += f.binder->HasFreeVolumes(classes, host);
    benchmark::DoNotOptimize(free);
  }
  state.counters["nodes_per_s"] = benchmark::Counter(
      static_cast<double>(state.range(0)) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_HasFreeVolumesOnEveryNode)->Arg(10)->Arg(1000)->Arg(5000)->Unit(benchmark::kMicrosecond);

// What FindPodVolumes would cost without the indexes: findMatchingVolume over every PV of
// the class, for every node.
void BM_FindMatchingVolumeScan(benchmark::State& state) {
  BinderFixture f(static_cast<int>(state.range(0)));
  api::PersistentVolumeClaim claim = MakeClaim(0);
  for (auto _ : state) {
    int fits = 0;
    for (const auto& node : f.nodes) {
      auto r = pvcontroller::FindMatchingVolume(claim, f.all_pvs, &node, {}, true);
      fits += r.ok() && *r != nullptr;
    }
    benchmark::DoNotOptimize(fits);
  }
  state.counters["nodes_per_s"] = benchmark::Counter(
      static_cast<double>(state.range(0)) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FindMatchingVolumeScan)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
