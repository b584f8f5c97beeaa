// lpv: a small, real Kubernetes-style control plane in one process, and its kubectl-like
// client verbs.
#include <CLI/CLI.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "client/remote.h"
#include "cluster/cluster.h"
#include "cmd/bench.h"
#include "cmd/demo.h"
#include "cmd/verbs.h"
#include "rest/kube_api.h"

namespace {

using namespace lpv;

struct Global {
  std::string server;
  std::string data_dir;
  std::string token;
};

int RunServer(cluster::Options opts) {
  // Signals are taken by a thread with sigwait, so shutdown is an ordinary call.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  // The API serves (and says so) before the nodes start, as Kubernetes' does: a restarted
  // cluster of thousands of nodes is reachable while its kubelets come back.
  std::unique_ptr<rest::KubeApi> kube;
  opts.serving = [&kube](cluster::Cluster& c) -> Status {
    std::cout << "lpv server listening on " << c.address() << " (data dir " << c.data_dir()
              << ")" << std::endl;
    // The Kubernetes REST API for kubectl and client libraries: loopback only, always, and
    // behind the gRPC service's token when there is one (a server reachable from elsewhere).
    rest::KubeApiOptions kube_options;
    kube_options.token = c.token();
    auto started = rest::KubeApi::Start(c.apiserver(), kube_options);
    if (!started.ok()) return started.status();
    kube = std::move(*started);
    std::string kubeconfig = rest::KubeconfigPath(c.data_dir());
    if (Status s = rest::WriteKubeconfig(kubeconfig, kube->url(), c.token()); !s.ok()) return s;
    std::cout << "lpv Kubernetes API on " << kube->url() << " (kubeconfig " << kubeconfig << ")"
              << std::endl;
    return Status::OK();
  };
  opts.stopping = [&kube] {
    if (kube) kube->Stop();
  };
  auto c = cluster::Cluster::Start(opts);
  if (!c.ok()) {
    std::cerr << "error: " << c.status().message() << "\n";
    return 1;
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    (*c)->Stop();
  });
  (*c)->Wait();  // Stop ran `stopping`: the REST API is down too
  // Wake the signal thread if the server stopped for another reason.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return 0;
}

std::unique_ptr<client::Client> Connect(const Global& g, int* rc) {
  auto target = client::ResolveServer(g.server, g.data_dir);
  if (!target.ok()) {
    std::cerr << "error: " << target.status().message() << "\n";
    *rc = 1;
    return nullptr;
  }
  std::string token = client::ResolveToken(g.token, g.data_dir);
  auto info = client::GetServerInfo(*target, 2000, token);
  if (!info.ok()) {
    const Status& s = info.status();
    std::cerr << (s.reason() == Reason::Unauthorized ? s.KubectlString() : s.message()) << "\n";
    *rc = 1;
    return nullptr;
  }
  return client::NewGrpcClient(*target, token);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lpv: the Local Persistent Volume lifecycle on a small, real Kubernetes-style "
               "control plane in one process"};
  app.require_subcommand(1);
  // Global flags may come after the verb, as kubectl allows (lpv get pv --server ...).
  app.fallthrough();
  Global g;
  app.add_option("--server,-s", g.server, "host:port of the lpv server (or $LPV_SERVER)");
  app.add_option("--data-dir", g.data_dir,
                 "data dir of the server (default $LPV_DATA_DIR or ~/.lpv)");
  app.add_option("--token", g.token,
                 "bearer token for a server listening beyond loopback (or $LPV_TOKEN; default: "
                 "the token file in the data dir)");
  cmd::Streams streams{std::cout, std::cerr, std::cin};
  int rc = 0;

  // server
  cluster::Options sopts;
  sopts.data_dir = "";
  bool no_sync = false;
  auto* server = app.add_subcommand("server", "Run the cluster: store, API server, controllers");
  server->add_option("--listen", sopts.listen,
                     "address to listen on (loopback by default; any other address requires "
                     "the bearer token the server writes to DATA/token)")
      ->default_val("127.0.0.1:0");
  server->add_flag("--unsafe-no-fsync", no_sync,
                   "do not sync writes to disk (faster; a crash may lose the last writes)");
  server->add_option("--nodes", sopts.nodes, "fake nodes of a fresh cluster")->default_val(3);
  server->add_option("--disks-per-node", sopts.disks_per_node, "local disks per node")
      ->default_val(1);
  server->add_option("--disk-size", sopts.disk_size, "size of each disk")->default_val("368Gi");
  double heartbeat_s = 10, grace_s = 40, report_s = 300;
  server->add_option("--node-status-update-frequency", heartbeat_s,
                     "seconds between a kubelet's node status checks")
      ->default_val(10);
  server->add_option("--node-status-report-frequency", report_s,
                     "seconds between posts of a node status that did not change (0: every "
                     "check); the node Lease is the heartbeat meanwhile")
      ->default_val(300);
  server->add_option("--node-monitor-grace-period", grace_s,
                     "seconds of silence before a node is marked Unknown")
      ->default_val(40);
  double lease_s = 10;
  server->add_option("--node-lease-renew-interval", lease_s,
                     "seconds between a kubelet's node Lease renewals")
      ->default_val(10);
  bool api_only = false;
  server->add_flag("--api-only", api_only, "run the API server alone: no controllers, no nodes");
  server->callback([&] {
    sopts.start_controllers = !api_only;
    sopts.node_status_update_frequency =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(heartbeat_s));
    sopts.node_monitor_grace_period =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(grace_s));
    sopts.node_status_report_frequency =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(report_s));
    sopts.node_lease_renew_interval =
        std::chrono::duration_cast<Duration>(std::chrono::duration<double>(lease_s));
    sopts.data_dir = g.data_dir.empty() ? client::DefaultDataDir() : g.data_dir;
    sopts.sync = !no_sync;
    rc = RunServer(sopts);
  });

  // apply
  cmd::ApplyOptions aopts;
  auto* apply = app.add_subcommand("apply", "Create or update objects from manifests");
  apply->add_option("-f,--filename", aopts.files, "file, directory or - for stdin")->required();
  apply->add_option("-n,--namespace", aopts.ns, "namespace");
  std::string dry_run;
  apply->add_option("--dry-run", dry_run, "client: only print what would be done");
  apply->add_option("--validate", aopts.validate,
                    "strict|warn|ignore (true = strict, false = ignore): check manifests first");
  apply->callback([&] {
    aopts.dry_run = !dry_run.empty() && dry_run != "none";
    auto c = Connect(g, &rc);
    if (c) rc = cmd::Apply(*c, aopts, streams);
  });

  // get
  cmd::GetOptions gopts;
  auto* get = app.add_subcommand("get", "Print objects as kubectl get does");
  get->add_option("kind", gopts.kind, "kind: pv, pvc, pods, nodes, sc, sts, events")->required();
  get->add_option("names", gopts.names, "names");
  get->add_option("-o,--output", gopts.output, "wide|json|yaml|name")
      ->check(CLI::IsMember({"", "wide", "json", "yaml", "name"}));
  get->add_option("-n,--namespace", gopts.ns, "namespace")->default_val("default");
  get->add_flag("-A,--all-namespaces", gopts.all_namespaces, "every namespace");
  get->add_option("-l,--selector", gopts.selector, "label selector");
  get->add_option("--field-selector", gopts.field_selector, "field selector");
  get->add_flag("-w,--watch", gopts.watch, "after listing, watch for changes");
  get->add_flag("--no-headers", gopts.no_headers, "no header row");
  get->add_option("--watch-events", gopts.watch_events, "with -w: stop after N changes");
  get->callback([&] {
    auto c = Connect(g, &rc);
    if (c) rc = cmd::Get(*c, gopts, streams);
  });

  // describe
  cmd::DescribeOptions dopts;
  auto* describe = app.add_subcommand("describe", "Show an object in detail, with its events");
  describe->add_option("kind", dopts.kind, "kind")->required();
  describe->add_option("names", dopts.names, "names");
  describe->add_option("-n,--namespace", dopts.ns, "namespace")->default_val("default");
  describe->add_option("-l,--selector", dopts.selector, "label selector");
  describe->callback([&] {
    auto c = Connect(g, &rc);
    if (c) rc = cmd::Describe(*c, dopts, streams);
  });

  // delete
  cmd::DeleteOptions xopts;
  auto* del = app.add_subcommand("delete", "Delete objects (waits until they are gone)");
  del->add_option("kind", xopts.kind, "kind");
  del->add_option("names", xopts.names, "names");
  del->add_option("-f,--filename", xopts.files, "delete what these manifests name");
  del->add_option("-n,--namespace", xopts.ns, "namespace")->default_val("default");
  bool no_wait = false;
  std::string wait_value;
  del->add_option("--wait", wait_value, "true|false: wait for finalizers")
      ->check(CLI::IsMember({"true", "false"}));
  int64_t grace = -1;
  del->add_option("--grace-period", grace, "seconds; 0 = at once");
  int timeout_s = 0;
  del->add_option("--timeout", timeout_s, "seconds to wait; 0 = as long as it takes");
  del->add_flag("--ignore-not-found", xopts.ignore_not_found, "no error if absent");
  del->add_option("--cascade", xopts.cascade,
                  "background|orphan|foreground: what becomes of the dependents (pods of a "
                  "StatefulSet)")
      ->default_val("background");
  del->callback([&] {
    no_wait = wait_value == "false";
    xopts.wait = !no_wait;
    if (grace >= 0) xopts.grace_period = grace;
    xopts.timeout = std::chrono::seconds(timeout_s);
    auto c = Connect(g, &rc);
    if (c) rc = cmd::Delete(*c, xopts, streams);
  });

  // events
  cmd::EventsOptions eopts;
  auto* events = app.add_subcommand("events", "List events, oldest first");
  events->add_option("-n,--namespace", eopts.ns, "namespace")->default_val("default");
  events->add_flag("-A,--all-namespaces", eopts.all_namespaces, "every namespace");
  events->add_option("--for", eopts.for_object, "only events of kind/name");
  events->add_option("-o,--output", eopts.output, "json|yaml");
  events->add_flag("-w,--watch", eopts.watch, "watch for new events");
  events->add_option("--watch-events", eopts.watch_events, "with -w: stop after N events");
  events->callback([&] {
    auto c = Connect(g, &rc);
    if (c) rc = cmd::Events(*c, eopts, streams);
  });

  // kubeconfig
  auto* kubeconfig = app.add_subcommand(
      "kubeconfig", "Print the path of the kubeconfig a running server wrote (for kubectl)");
  kubeconfig->callback([&] {
    std::string dir = g.data_dir.empty() ? client::DefaultDataDir() : g.data_dir;
    std::string path = rest::KubeconfigPath(dir);
    if (!std::ifstream(path)) {
      std::cerr << "error: no kubeconfig in " << dir << ": is `lpv server --data-dir " << dir
                << "` running?\n";
      rc = 1;
      return;
    }
    std::cout << path << "\n";
  });

  // demo
  cmd::DemoOptions demo_opts;
  auto* demo = app.add_subcommand("demo", "The article's walkthrough, narrated, on a fresh cluster");
  demo->add_option("--pace", demo_opts.pace_seconds, "seconds to pause between steps");
  demo->add_option("--keep", demo_opts.keep_dir, "keep the cluster's data in this dir");
  demo->callback([&] { rc = cmd::Demo(demo_opts, std::cout, std::cerr); });

  // bench
  cmd::BenchOptions bench_opts;
  auto* bench = app.add_subcommand("bench", "Run a performance workload of issue 7 (B1..B14)");
  bench->add_option("workload", bench_opts.workload, "B1 B2 B3 B4 B4s B5 B7 B11 B14")->required();
  bool bench_no_sync = false;
  bench->add_flag("--unsafe-no-fsync", bench_no_sync, "do not sync writes (durable by default)");
  bench->add_option("--runs", bench_opts.runs, "repeat; prints each run and the median");
  bench->add_flag("--tiny", bench_opts.tiny, "a tiny size (the test command's smoke run)");
  bench->add_option("--nodes", bench_opts.nodes, "override the workload's node count");
  bench->add_option("--plot", bench_opts.plot, "B4s: write an SVG of pods/s vs nodes here");
  bench->add_option("--sizes", bench_opts.sizes,
                    "B4s: the node counts to run (default 100 1000 5000)")
      ->delimiter(',')
      ->check(CLI::Range(1, 100000));
  bench->callback([&] {
    bench_opts.sync = !bench_no_sync;
    rc = cmd::Bench(bench_opts, std::cout, std::cerr);
  });

  // node, disk, explain: run by the server (its fleet and scheduler); the words after the
  // verb travel as they are.
  auto admin = [&](const std::string& verb, const std::string& help) {
    auto* sub = app.add_subcommand(verb, help);
    sub->allow_extras()->prefix_command()->fallthrough(false);
    sub->callback([&, sub, verb] {
      auto target = client::ResolveServer(g.server, g.data_dir);
      if (!target.ok()) {
        std::cerr << "error: " << target.status().message() << "\n";
        rc = 1;
        return;
      }
      auto out = client::CallAdmin(*target, verb, sub->remaining(), {},
                                   client::ResolveToken(g.token, g.data_dir));
      if (!out.ok()) {
        std::cerr << out.status().KubectlString() << "\n";
        rc = 1;
        return;
      }
      std::cout << *out;
    });
  };
  admin("node", "Simulated nodes: node add|stop|start NAME");
  admin("disk", "Simulated local disks: disk add NODE [--size SIZE] | disk remove NODE PATH | "
                "disk list [NODE]");
  admin("explain", "Why a pod was scheduled where it was: explain pod NAME [-n NAMESPACE]");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return rc;
}
