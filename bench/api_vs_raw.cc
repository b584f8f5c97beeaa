// Creates per second through the API (registry: defaults, validation, encode, CAS write
// with its change-log entry) against raw RocksDB puts with the same sync option, side by
// side in one run, durable (sync) and not.
//
//   build/bench/bench_api_vs_raw  (1 and 64 writers)
#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "api/objects.pb.h"
#include "cluster/cluster.h"
#include "store/db_options.h"

namespace {

std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "lpv-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) std::abort();
  return tmpl;
}

lpv::api::PersistentVolume MakePV(const std::string& name) {
  lpv::api::PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "368Gi";
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_storage_class_name("local-storage");
  pv.mutable_spec()->mutable_local()->set_path("/mnt/disks/vol1");
  auto* e = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                ->add_node_selector_terms()->add_match_expressions();
  e->set_key("kubernetes.io/hostname");
  e->set_operator_("In");
  e->add_values("node-1");
  return pv;
}

struct RawFixture {
  std::string dir;
  rocksdb::DB* db = nullptr;
  std::string value;
};

std::unique_ptr<RawFixture> raw;
std::unique_ptr<lpv::cluster::Cluster> cluster;
std::atomic<int64_t> counter{0};

void BM_RawRocksDBPut(benchmark::State& state) {
  bool sync = state.range(0) != 0;
  if (state.thread_index() == 0) {
    raw = std::make_unique<RawFixture>();
    raw->dir = TempDir();
    if (!rocksdb::DB::Open(lpv::store::DBOptions(), raw->dir, &raw->db).ok()) std::abort();
    raw->value = MakePV("local-pv-00000000").SerializeAsString();
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  for (auto _ : state) {
    std::string key = "/registry/persistentvolumes/pv-" + std::to_string(counter++);
    raw->db->Put(wo, key, raw->value);
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete raw->db;
    std::filesystem::remove_all(raw->dir);
    raw.reset();
  }
}

void BM_APICreate(benchmark::State& state) {
  bool sync = state.range(0) != 0;
  if (state.thread_index() == 0) {
    lpv::cluster::Options o;
    o.listen = "";
    o.sync = sync;
    cluster = std::move(*lpv::cluster::Cluster::Start(o));
  }
  lpv::api::PersistentVolume pv = MakePV("");
  for (auto _ : state) {
    pv.mutable_metadata()->set_name("pv-" + std::to_string(counter++));
    auto r = cluster->client()->Create(pv);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) cluster.reset();
}

BENCHMARK(BM_RawRocksDBPut)
    ->ArgName("sync")
    ->Arg(1)
    ->Arg(0)
    ->Threads(1)
    ->Threads(64)
    ->UseRealTime();
BENCHMARK(BM_APICreate)
    ->ArgName("sync")
    ->Arg(1)
    ->Arg(0)
    ->Threads(1)
    ->Threads(64)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::printf("cores: %u\n", std::thread::hardware_concurrency());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
