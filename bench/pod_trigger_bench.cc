// The store's trigger for pods (apiserver/pod_trigger.h) runs twice per pod write inside the
// store's commit: reading spec.nodeName from the bytes against decoding the whole pod.

#include <benchmark/benchmark.h>

#include <thread>

#include "api/objects.pb.h"
#include "apiserver/pod_trigger.h"

namespace {

using namespace lpv;

// A StatefulSet pod as B4 stores it once Running.
std::string RunningPodBytes() {
  api::Pod pod;
  pod.set_api_version("v1");
  pod.set_kind("Pod");
  auto* m = pod.mutable_metadata();
  m->set_namespace_("default");
  m->set_name("sts-123-2");
  m->set_uid("0d4e8b0e-5d5e-4c61-9d2e-5f2a8c1b7e11");
  m->set_resource_version("123456");
  m->set_creation_timestamp("2026-11-27T14:00:00Z");
  (*m->mutable_labels())["app"] = "sts-123";
  (*m->mutable_labels())["controller-revision-hash"] = "sts-123-6d4c8b7f9";
  (*m->mutable_labels())["statefulset.kubernetes.io/pod-name"] = "sts-123-2";
  auto* owner = m->add_owner_references();
  owner->set_api_version("apps/v1");
  owner->set_kind("StatefulSet");
  owner->set_name("sts-123");
  auto* spec = pod.mutable_spec();
  auto* c = spec->add_containers();
  c->set_name("test-container");
  c->set_image("k8s.gcr.io/busybox");
  for (const char* arg : {"/bin/sh", "-c", "sleep 100000"}) c->add_command(arg);
  auto* mount = c->add_volume_mounts();
  mount->set_name("local-vol");
  mount->set_mount_path("/usr/test-pod");
  auto* vol = spec->add_volumes();
  vol->set_name("local-vol");
  vol->mutable_persistent_volume_claim()->set_claim_name("local-vol-sts-123-2");
  spec->set_node_name("node-4321");
  spec->set_scheduler_name("default-scheduler");
  auto* status = pod.mutable_status();
  status->set_phase("Running");
  status->set_pod_ip("10.1.2.3");
  for (const char* type : {"Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    auto* cond = status->add_conditions();
    cond->set_type(type);
    cond->set_status("True");
    cond->set_last_transition_time("2026-11-27T14:00:01Z");
  }
  return pod.SerializeAsString();
}

void BM_PodTrigger_Decode(benchmark::State& state) {
  const std::string bytes = RunningPodBytes();
  for (auto _ : state) {
    api::Pod pod;
    pod.ParseFromString(bytes);
    benchmark::DoNotOptimize(pod.spec().node_name());
  }
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.counters["cores"] = std::thread::hardware_concurrency();
}
BENCHMARK(BM_PodTrigger_Decode);

void BM_PodTrigger_Scan(benchmark::State& state) {
  const std::string bytes = RunningPodBytes();
  for (auto _ : state) benchmark::DoNotOptimize(apiserver::PodNodeNameTrigger(bytes));
  state.counters["bytes"] = static_cast<double>(bytes.size());
  state.counters["cores"] = std::thread::hardware_concurrency();
}
BENCHMARK(BM_PodTrigger_Scan);

}  // namespace

BENCHMARK_MAIN();
