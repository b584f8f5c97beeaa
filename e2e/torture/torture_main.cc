// lpv_torture: crash torture of the real server. It starts `lpv server` with 50 nodes of 4
// disks, applies the article's StorageClass and StatefulSet scaled to 200 replicas, and
// while a client keeps writing (and remembering what was acknowledged) kills the server
// with SIGKILL at random moments and restarts it on the same data dir, 20 times (100 with
// --long or LPV_TORTURE_LONG=1). Then it lets the cluster settle, following watches, and
// checks the invariants:
//   - every write a client saw acknowledged is there;
//   - the store revision never goes back across a restart;
//   - no PV has two claims, no claim two PVs, claimRef and volumeName point at each other;
//   - every pod runs on the node of its PVs' node affinity; all 200 pods Running and Ready.
// It prints the seed (--seed replays the same kill delays) and the counts checked; the
// exit code is 0 only if every invariant held.
//
// Only *when* to kill is wall time (a seeded random delay, the point of the test); every
// wait for a condition follows a watch with a timeout.
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "api/objects.pb.h"
#include "api/scheme.h"
#include "client/client.h"
#include "client/wait.h"
#include "e2e/lpv_process.h"
#include "e2e/torture/acked_writer.h"
#include "e2e/torture/invariants.h"

namespace lpv::torture {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Flags {
  bool long_run = false;
  int kills = 0;  // 0 = 20, or 100 when long
  uint64_t seed = 0;
  bool seed_set = false;
  int nodes = 50;
  int disks_per_node = 4;
  int replicas = 200;
  std::string policy = "OrderedReady";  // the article's (the default)
  int max_delay_ms = 0;  // 0 = chosen from the run's length
  int settle_s = 600;
  bool keep = false;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Example(const std::string& name) {
  return std::string(LPV_SOURCE_DIR) + "/examples/" + name;
}

// The article's StatefulSet with `replicas` and, unless OrderedReady, a pod management
// policy (the article leaves the default, OrderedReady).
std::string StatefulSet(int replicas, const std::string& policy) {
  std::string text = ReadFile(Example("statefulset.yaml"));
  const std::string line = "  replicas: 3";
  std::string repl = "  replicas: " + std::to_string(replicas);
  if (policy != "OrderedReady") repl += "\n  podManagementPolicy: " + policy;
  text.replace(text.find(line), line.size(), repl);
  return text;
}

template <class T>
std::vector<T> ListTyped(client::Client& c, const std::string& ns, std::string* rv = nullptr,
                         const client::ListOptions& options = {}, bool* ok = nullptr) {
  auto r = c.List(*api::KindOf(T::default_instance()), ns, options);
  std::vector<T> out;
  if (ok) *ok = r.ok();
  if (!r.ok()) {
    std::cerr << "list " << T::descriptor()->name() << ": " << r.status().ToString() << "\n";
    return out;
  }
  if (rv) *rv = r->resource_version;
  for (auto& i : r->items) out.push_back(static_cast<T&>(*i));
  return out;
}

int CountReady(const std::vector<client::ObjectPtr>& items) {
  int n = 0;
  for (const auto& i : items) n += PodReady(static_cast<const api::Pod&>(*i));
  return n;
}

// Waits, following watches on claims and volumes, until CheckBindings finds nothing
// wrong or the deadline passes; returns the last findings.
Findings SettleAndCheck(client::Client& c, const std::vector<std::string>& expected,
                        Clock::time_point deadline) {
  Findings f;
  for (;;) {
    std::string rv;
    auto pvs = ListTyped<api::PersistentVolume>(c, "", &rv);
    auto claims = ListTyped<api::PersistentVolumeClaim>(c, "");
    auto pods = ListTyped<api::Pod>(c, "default");
    f = CheckBindings(pvs, claims, pods, expected);
    if (f.violations.empty() || Clock::now() >= deadline) return f;
    // Something is still moving (or stuck): wait for the next change of a volume after
    // what was read (or a short while, for claims and pods), then look again.
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    auto w = c.Watch(*api::KindOf("PersistentVolume"), "", {"", "", rv});
    if (!w.ok()) continue;
    client::WatchEvent ev;
    (*w)->Next(&ev, std::min(left, milliseconds(2000)));
    (*w)->Stop();
  }
}

int Run(const Flags& flags) {
  const int kills = flags.kills > 0 ? flags.kills : (flags.long_run ? 100 : 20);
  uint64_t seed = flags.seed_set ? flags.seed : std::random_device{}();
  std::cout << "lpv_torture: seed " << seed << " (replay with --seed " << seed << "), " << kills
            << " kills, " << flags.nodes << " nodes x " << flags.disks_per_node << " disks, "
            << flags.replicas << " replicas, podManagementPolicy " << flags.policy << std::endl;
  std::mt19937_64 rng(seed);

  const std::string dir = testing::MakeTempDir("lpv-torture-");
  const std::string data = dir + "/data";
  const std::vector<std::string> server_flags = {
      "--nodes", std::to_string(flags.nodes), "--disks-per-node",
      std::to_string(flags.disks_per_node)};
  auto server = std::make_unique<testing::ServerProcess>(LPV_BINARY, data, server_flags);
  const auto t0 = Clock::now();
  server->Start();
  auto r = server->Lpv({"apply", "-f", Example("storageclass.yaml")});
  if (r.exit_code != 0) {
    std::cerr << "apply storageclass: " << r.err;
    return 2;
  }
  r = server->Lpv({"apply", "-f", "-"}, StatefulSet(flags.replicas, flags.policy));
  if (r.exit_code != 0) {
    std::cerr << "apply statefulset: " << r.err;
    return 2;
  }

  ServerHandle handle;
  AckedWriter writer(&handle, rng());
  handle.Set(client::NewGrpcClient(server->address()));
  writer.Start();

  // Kill delays: uniform up to max_delay, by default spread so the kills cover a rollout
  // of this size (about 30 ms per pod) rather than all landing after it.
  const int max_delay_ms =
      flags.max_delay_ms > 0 ? flags.max_delay_ms : std::max(200, flags.replicas * 30 / kills * 2);
  std::uniform_int_distribution<int> delay(0, max_delay_ms);
  std::vector<std::string> failures;
  int64_t last_revision = 0;
  int revision_checks = 0;
  for (int k = 1; k <= kills; ++k) {
    int d = delay(rng);
    std::this_thread::sleep_for(milliseconds(d));  // the random moment of the kill
    server->Kill(SIGKILL);
    server = std::make_unique<testing::ServerProcess>(LPV_BINARY, data, server_flags);
    server->Start();
    std::shared_ptr<client::Client> c = client::NewGrpcClient(server->address());
    // Before the writer may use the new server: every revision acknowledged so far came
    // from a dead server, and the new one must not be behind any of them.
    std::string rv;
    auto pods = c->List(*api::KindOf("Pod"), "default");
    if (!pods.ok()) {
      failures.push_back("list after restart " + std::to_string(k) + ": " +
                         pods.status().ToString());
    } else {
      int64_t revision = std::stoll(pods->resource_version);
      int64_t acked = writer.max_acked_revision();
      ++revision_checks;
      if (revision < last_revision || revision < acked) {
        failures.push_back("restart " + std::to_string(k) + ": revision " +
                           std::to_string(revision) + " is behind (last seen " +
                           std::to_string(last_revision) + ", acknowledged " +
                           std::to_string(acked) + ")");
      }
      last_revision = std::max(revision, acked);
      std::cout << "kill " << k << " after " << d << " ms: revision " << revision << ", "
                << CountReady(pods->items) << " pods ready, " << writer.acked_writes()
                << " writes acknowledged" << std::endl;
    }
    handle.Set(c);
  }
  const auto kills_done = Clock::now();

  // Settle: all pods Running and Ready, following the pod watch.
  std::vector<std::string> expected;
  for (int i = 0; i < flags.replicas; ++i) expected.push_back("local-test-" + std::to_string(i));
  auto c = client::NewGrpcClient(server->address());
  const int want = flags.replicas;
  auto settled = client::WaitForList(
      *c, *api::KindOf("Pod"), "default",
      [&](const std::vector<client::ObjectPtr>& items) { return CountReady(items) >= want; },
      std::chrono::seconds(flags.settle_s));
  if (!settled.ok()) failures.push_back("pods did not settle: " + settled.status().ToString());
  const auto pods_ready = Clock::now();
  Findings f = SettleAndCheck(*c, expected, Clock::now() + std::chrono::seconds(30));
  for (const auto& v : f.violations) failures.push_back(v);

  // Stop the writer, then check every acknowledged write against the final state.
  handle.Close();
  writer.Join();
  for (const auto& v : writer.violations()) failures.push_back("writer: " + v);
  auto records = writer.records();
  int acked_objects = 0, maybe_objects = 0;
  std::map<std::string, int32_t> found;
  // Only the writer's Events (the label): after many restarts the controllers' own Events
  // make the whole list larger than a gRPC message may be.
  bool listed = false;
  for (const auto& ev : ListTyped<api::Event>(*c, AckedWriter::kNamespace, nullptr,
                                              {"lpv-torture=writer", "", ""}, &listed)) {
    found[ev.metadata().name()] = ev.count();
  }
  if (!listed) failures.push_back("could not list the writer's Events");
  for (const auto& [name, rec] : records) {
    auto it = found.find(name);
    if (rec.acked == 0) {
      maybe_objects += it != found.end();
      continue;
    }
    ++acked_objects;
    if (it == found.end()) {
      failures.push_back("acknowledged Event " + name + " (count " + std::to_string(rec.acked) +
                         ") is lost");
    } else if (it->second < rec.acked || it->second > rec.attempted) {
      failures.push_back("Event " + name + " has count " + std::to_string(it->second) +
                         ", acknowledged " + std::to_string(rec.acked) + ", last sent " +
                         std::to_string(rec.attempted));
    }
  }
  for (const auto& [name, count] : found) {
    if (name.rfind(AckedWriter::kPrefix, 0) == 0 && !records.count(name)) {
      failures.push_back("Event " + name + " was never written");
    }
  }
  std::string final_rv;
  ListTyped<api::Event>(*c, "default", &final_rv, {"lpv-torture=writer", "", ""});
  if (!final_rv.empty() && std::stoll(final_rv) < last_revision) {
    failures.push_back("final revision " + final_rv + " is behind " +
                       std::to_string(last_revision));
  }
  ++revision_checks;

  auto secs = [](Clock::duration d) {
    return std::chrono::duration_cast<std::chrono::duration<double>>(d).count();
  };
  std::printf(
      "lpv_torture: %d kills in %.1f s, settled %.1f s later; checked: %lld acknowledged writes "
      "on %d Events (%lld outcomes unknown, %d unacknowledged creations found), %d revision "
      "checks, %d claims (%d Bound), %d PVs (%d Bound), %d claimRef/volumeName pairs, %d "
      "pod/volume node checks, %d/%d pods Running and Ready; %zu violations\n",
      kills, secs(kills_done - t0), secs(pods_ready - kills_done),
      static_cast<long long>(writer.acked_writes()), acked_objects,
      static_cast<long long>(writer.unknown_outcomes()), maybe_objects, revision_checks, f.claims,
      f.claims_bound, f.volumes, f.volumes_bound, f.pairs_checked, f.pod_volumes_checked,
      f.pods_running, flags.replicas, failures.size());
  for (const auto& failure : failures) std::printf("VIOLATION: %s\n", failure.c_str());
  std::fflush(stdout);

  c.reset();
  server->Kill(SIGTERM);
  if (flags.keep || !failures.empty()) {
    std::printf("lpv_torture: data dir kept in %s\n", data.c_str());
  } else {
    std::filesystem::remove_all(dir);
  }
  return failures.empty() ? 0 : 1;
}

}  // namespace
}  // namespace lpv::torture

int main(int argc, char** argv) {
  lpv::torture::Flags flags;
  const char* env = std::getenv("LPV_TORTURE_LONG");
  flags.long_run = env != nullptr && std::string(env) == "1";
  CLI::App app("lpv crash torture: SIGKILL the server at random moments, check invariants");
  app.add_flag("--long", flags.long_run, "100 kills instead of 20 (also LPV_TORTURE_LONG=1)");
  app.add_option("--kills", flags.kills, "number of kills (overrides --long)");
  auto* seed = app.add_option("--seed", flags.seed, "seed of the kill delays and the writer");
  app.add_option("--nodes", flags.nodes, "fake nodes")->default_val(50);
  app.add_option("--disks-per-node", flags.disks_per_node, "disks per node")->default_val(4);
  app.add_option("--replicas", flags.replicas, "StatefulSet replicas")->default_val(200);
  app.add_option("--pod-management-policy", flags.policy, "OrderedReady or Parallel")
      ->default_val("OrderedReady");
  app.add_option("--max-delay-ms", flags.max_delay_ms, "longest random delay before a kill");
  app.add_option("--settle-seconds", flags.settle_s, "how long the pods may take to settle")
      ->default_val(600);
  app.add_flag("--keep", flags.keep, "keep the data dir");
  CLI11_PARSE(app, argc, argv);
  flags.seed_set = seed->count() > 0;
  return lpv::torture::Run(flags);
}
