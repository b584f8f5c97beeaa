// `lpv bench`: issue 7's workloads. Each one builds its cluster, times what the issue names
// (and only that), and prints `key=value` figures; with --runs N it prints every run and the
// median of each figure. Watches, not polling, tell when a state is reached.
#include "cmd/bench.h"

#include <dlfcn.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "api/codec.h"
#include "api/objects.pb.h"
#include "api/scheme.h"
#include "client/client.h"
#include "client/wait.h"
#include "cluster/cluster.h"
#include "cmd/article.h"
#include "cmd/changes_since.h"
#include "scheduler/scheduler.h"
#include "store/db_options.h"

extern char** environ;

namespace lpv::cmd {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using Figures = std::vector<std::pair<std::string, double>>;
constexpr auto kLongWait = std::chrono::seconds(900);

double SecondsSince(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// The "core count": what this process may run on.
unsigned Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

double PeakRssMiB() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double ProcessPeakRssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

double DirBytes(const std::string& dir) {
  double total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) total += static_cast<double>(it->file_size(ec));
  }
  return total;
}

std::string TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "lpv-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

// ------------------------------------------------------------------ the article's objects

template <class T>
T Decode(const char* yaml) {
  T obj;
  std::vector<std::string> warnings;
  Status s = api::DecodeObject(yaml, &obj, &warnings);
  if (!s.ok()) {
    std::cerr << "bench: decoding a built-in manifest: " << s.message() << "\n";
    std::abort();
  }
  return obj;
}

// The article's StatefulSet renamed (its labels too) with `replicas` pods.
api::StatefulSet StatefulSetNamed(const std::string& name, int replicas) {
  static const api::StatefulSet article = Decode<api::StatefulSet>(kArticleStatefulSet);
  api::StatefulSet sts = article;
  sts.mutable_metadata()->set_name(name);
  sts.mutable_metadata()->set_namespace_("default");
  sts.mutable_spec()->set_replicas(replicas);
  (*sts.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = name;
  (*sts.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = name;
  return sts;
}

bool PodRunning(const google::protobuf::Message& m) {
  return static_cast<const api::Pod&>(m).status().phase() == "Running";
}

bool PodReady(const google::protobuf::Message& m) {
  for (const auto& c : static_cast<const api::Pod&>(m).status().conditions()) {
    if (c.type() == "Ready") return c.status() == "True";
  }
  return false;
}

bool NodeReady(const google::protobuf::Message& m) {
  for (const auto& c : static_cast<const api::Node&>(m).status().conditions()) {
    if (c.type() == "Ready") return c.status() == "True";
  }
  return false;
}

// ------------------------------------------------------------------ counting from a watch

// Follows one watch of a kind and counts the objects for which `pred` holds now; WaitFor
// returns once `n` do. One thread per tally; no polling.
class Tally {
 public:
  using Pred = std::function<bool(const std::string& type, const google::protobuf::Message&)>;

  Tally(client::Client* c, const char* kind, Pred pred, client::ListOptions lo = {})
      : client_(c), kind_(*api::KindOf(kind)), pred_(std::move(pred)), lo_(std::move(lo)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Tally() { Stop(); }

  bool WaitFor(size_t n, std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, timeout, [&] { return satisfied_ >= n || !error_.empty(); });
    if (!error_.empty()) std::cerr << "bench: watch failed: " << error_ << "\n";
    return satisfied_ >= n;
  }
  size_t count() {
    std::lock_guard<std::mutex> l(mu_);
    return satisfied_;
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
      if (stream_) stream_->Stop();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    while (true) {
      {
        std::lock_guard<std::mutex> l(mu_);
        if (stop_) return;
        auto w = client_->Watch(kind_, "", lo_);
        if (!w.ok()) return Fail(w.status().message());
        stream_ = std::move(*w);
      }
      client::WatchEvent ev;
      while (stream_->Next(&ev, std::chrono::seconds(3600))) {
        if (ev.type == "ERROR") break;
        Apply(ev);
      }
      std::lock_guard<std::mutex> l(mu_);
      if (stop_) return;
      // Fell behind (Gone): start over from the current state, unless counting changes
      // after a given revision, which cannot be resumed.
      if (!lo_.resource_version.empty()) {
        error_ = "watch ended: " + stream_->status().message();
        cv_.notify_all();
        return;
      }
      state_.clear();
      satisfied_ = 0;
    }
  }
  void Fail(const std::string& why) {
    error_ = why;
    cv_.notify_all();
  }
  void Apply(const client::WatchEvent& ev) {
    const auto& meta = api::Meta(*ev.object);
    std::string key = meta.namespace_() + "/" + meta.name();
    bool now = ev.type != "DELETED" && pred_(ev.type, *ev.object);
    std::lock_guard<std::mutex> l(mu_);
    bool& was = state_[key];
    if (was == now) return;
    was = now;
    if (now) {
      ++satisfied_;
    } else {
      --satisfied_;
    }
    cv_.notify_all();
  }

  client::Client* client_;
  const api::KindInfo& kind_;
  Pred pred_;
  client::ListOptions lo_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unique_ptr<client::WatchStream> stream_;
  std::map<std::string, bool> state_;
  size_t satisfied_ = 0;
  bool stop_ = false;
  std::string error_;
  std::thread thread_;
};

Tally::Pred When(bool (*f)(const google::protobuf::Message&)) {
  return [f](const std::string&, const google::protobuf::Message& m) { return f(m); };
}

// ------------------------------------------------------------------ an `lpv server` child

class ServerProcess {
 public:
  ~ServerProcess() { Kill(SIGKILL); }

  // Starts `lpv server ARGS...` and returns once it prints the address it listens on.
  static std::unique_ptr<ServerProcess> Start(const std::vector<std::string>& args) {
    auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
    int fds[2];
    if (pipe(fds) != 0) return nullptr;
    std::string exe = fs::read_symlink("/proc/self/exe").string();
    std::vector<std::string> argv = {exe, "server"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    int rc = posix_spawn(&p->pid_, exe.c_str(), &actions, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      return nullptr;
    }
    p->fd_ = fds[0];
    // "lpv server listening on 127.0.0.1:PORT (data dir ...)"
    std::string line;
    char c;
    while (read(p->fd_, &c, 1) == 1) {
      if (c != '\n') {
        line += c;
        continue;
      }
      auto at = line.find("listening on ");
      if (at != std::string::npos) {
        std::string rest = line.substr(at + 13);
        p->address_ = rest.substr(0, rest.find(' '));
        break;
      }
      line.clear();
    }
    // Keep reading so a later line never blocks the server on a full pipe.
    int fd = p->fd_;
    p->drain_ = std::thread([fd] {
      char buf[4096];
      while (read(fd, buf, sizeof buf) > 0) {
      }
    });
    if (p->address_.empty()) return nullptr;
    return p;
  }

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }

  void Kill(int sig) {
    if (pid_ <= 0) return;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (drain_.joinable()) drain_.join();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  ServerProcess() = default;
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string address_;
  std::thread drain_;
};

// ------------------------------------------------------------------ workloads

struct Context {
  const BenchOptions& opts;
  std::ostream& out;
  std::ostream& err;
};

cluster::Options ClusterOptions(const BenchOptions& o, int nodes, int disks) {
  cluster::Options c;
  c.listen = "";
  c.sync = o.sync;
  c.start_controllers = true;
  c.nodes = nodes;
  c.disks_per_node = disks;
  return c;
}

// Bytes per object in the store: the store's files (values, change log, WAL) over the
// objects it holds, and the encoded objects alone.
void StoreFigures(cluster::Cluster& c, Figures* f) {
  double objects = 0, value_bytes = 0;
  for (const char* kind : {"Node", "PersistentVolume", "PersistentVolumeClaim", "Pod",
                           "StatefulSet", "StorageClass", "Event"}) {
    auto list = c.client()->List(*api::KindOf(kind), "");
    if (!list.ok()) continue;
    for (const auto& item : list->items) value_bytes += static_cast<double>(item->ByteSizeLong());
    objects += static_cast<double>(list->items.size());
  }
  if (objects == 0) return;
  f->push_back({"objects", objects});
  f->push_back({"store_bytes_per_object", DirBytes(c.data_dir() + "/store") / objects});
  f->push_back({"value_bytes_per_object", value_bytes / objects});
}

// Where the scheduler's time went (seconds summed over the run): what to look at first when
// a scheduling workload misses its target.
void SchedulerFigures(cluster::Cluster& c, Figures* f) {
  if (!c.scheduler()) return;
  scheduler::SchedulerStats st = c.scheduler()->stats();
  auto secs = [](int64_t ns) { return static_cast<double>(ns) / 1e9; };
  f->push_back({"sched_cycles", static_cast<double>(st.cycles)});
  f->push_back({"sched_nodes_evaluated", static_cast<double>(st.nodes_evaluated)});
  f->push_back({"sched_volume_waits", static_cast<double>(st.volume_waits)});
  f->push_back({"sched_filter_s", secs(st.filter_ns)});
  f->push_back({"sched_score_s", secs(st.score_ns)});
  f->push_back({"sched_assume_s", secs(st.assume_ns)});
  f->push_back({"sched_bind_volumes_s", secs(st.bind_volumes_ns)});
  f->push_back({"sched_bind_s", secs(st.bind_ns)});
}

// B1: `lpv server` from exec to serving, controllers running, 3 nodes Ready.
bool RunB1(Context& ctx, Figures* f) {
  std::string dir = TempDir();
  std::vector<std::string> args = {"--data-dir", dir};
  if (!ctx.opts.sync) args.push_back("--unsafe-no-fsync");
  auto t0 = SteadyClock::now();
  auto server = ServerProcess::Start(args);
  if (!server) {
    ctx.err << "B1: server did not start\n";
    return false;
  }
  double listening = SecondsSince(t0);
  auto client = client::NewGrpcClient(server->address());
  Tally ready(client.get(), "Node", When(NodeReady));
  bool ok = ready.WaitFor(3, kLongWait);
  double total = SecondsSince(t0);
  ready.Stop();
  server->Kill(SIGTERM);
  fs::remove_all(dir);
  f->push_back({"serving_ms", listening * 1e3});
  f->push_back({"three_nodes_ready_ms", total * 1e3});
  return ok;
}

// B2: a fresh cluster of N nodes x 4 disks, from Start to every PV Available.
bool RunB2(Context& ctx, Figures* f) {
  int nodes = ctx.opts.nodes ? ctx.opts.nodes : (ctx.opts.tiny ? 5 : 1000);
  auto t0 = SteadyClock::now();
  auto c = cluster::Cluster::Start(ClusterOptions(ctx.opts, nodes, 4));
  if (!c.ok()) {
    ctx.err << "B2: " << c.status().message() << "\n";
    return false;
  }
  double started = SecondsSince(t0);
  Tally available(
      (*c)->client(), "PersistentVolume", When([](const google::protobuf::Message& m) {
        return static_cast<const api::PersistentVolume&>(m).status().phase() == "Available";
      }));
  bool ok = available.WaitFor(static_cast<size_t>(nodes) * 4, kLongWait);
  double total = SecondsSince(t0);
  available.Stop();
  f->push_back({"nodes", nodes});
  f->push_back({"pvs", nodes * 4.0});
  f->push_back({"start_returned_s", started});
  f->push_back({"all_available_s", total});
  return ok;
}

// B3: the article on a fresh 3-node cluster: class + 3-replica StatefulSet -> 3 claims
// Bound and 3 pods Ready (cluster start not counted).
bool RunB3(Context& ctx, Figures* f) {
  auto c = cluster::Cluster::Start(ClusterOptions(ctx.opts, 3, 1));
  if (!c.ok()) {
    ctx.err << "B3: " << c.status().message() << "\n";
    return false;
  }
  client::Client* client = (*c)->client();
  Tally nodes(client, "Node", When(NodeReady));
  Tally pvs(client, "PersistentVolume", When([](const google::protobuf::Message& m) {
              return static_cast<const api::PersistentVolume&>(m).status().phase() ==
                     "Available";
            }));
  if (!nodes.WaitFor(3, kLongWait) || !pvs.WaitFor(3, kLongWait)) return false;
  Tally bound(client, "PersistentVolumeClaim", When([](const google::protobuf::Message& m) {
                return static_cast<const api::PersistentVolumeClaim&>(m).status().phase() ==
                       "Bound";
              }));
  Tally ready(client, "Pod", When(PodReady));
  auto t0 = SteadyClock::now();
  if (!client->Create(Decode<api::StorageClass>(kArticleStorageClass)).ok() ||
      !client->Create(Decode<api::StatefulSet>(kArticleStatefulSet)).ok()) {
    return false;
  }
  bool ok = bound.WaitFor(3, kLongWait) && ready.WaitFor(3, kLongWait);
  f->push_back({"ms", SecondsSince(t0) * 1e3});
  return ok;
}

// B4 at `nodes` nodes x 4 disks: N StatefulSets x 4 replicas of the article's delayed local
// claims, from the first create to every pod Running (cluster start and PV discovery not
// counted).
bool RunB4At(Context& ctx, int nodes, Figures* f) {
  auto c = cluster::Cluster::Start(ClusterOptions(ctx.opts, nodes, 4));
  if (!c.ok()) {
    ctx.err << "B4: " << c.status().message() << "\n";
    return false;
  }
  client::Client* client = (*c)->client();
  const size_t pods = static_cast<size_t>(nodes) * 4;
  {
    Tally pvs(client, "PersistentVolume", When([](const google::protobuf::Message& m) {
                return static_cast<const api::PersistentVolume&>(m).status().phase() ==
                       "Available";
              }));
    if (!pvs.WaitFor(pods, kLongWait)) return false;
  }
  Tally running(client, "Pod", When(PodRunning));
  auto t0 = SteadyClock::now();
  if (!client->Create(Decode<api::StorageClass>(kArticleStorageClass)).ok()) return false;
  for (int i = 0; i < nodes; ++i) {
    auto r = client->Create(StatefulSetNamed("sts-" + std::to_string(i), 4));
    if (!r.ok()) {
      ctx.err << "B4: " << r.status().message() << "\n";
      return false;
    }
  }
  bool ok = running.WaitFor(pods, kLongWait);
  double s = SecondsSince(t0);
  running.Stop();
  f->push_back({"nodes", nodes});
  f->push_back({"pods", static_cast<double>(pods)});
  f->push_back({"seconds", s});
  f->push_back({"pods_per_s", static_cast<double>(pods) / s});
  f->push_back({"peak_rss_mib", PeakRssMiB()});
  StoreFigures(**c, f);
  SchedulerFigures(**c, f);
  return ok;
}

bool RunB4(Context& ctx, Figures* f) {
  return RunB4At(ctx, ctx.opts.nodes ? ctx.opts.nodes : (ctx.opts.tiny ? 3 : 1000), f);
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
  ready->set_last_heartbeat_time(FormatRFC3339(RealClock::Get()->Now()));
  return node;
}

// Runs fn(0) .. fn(n-1) on `threads` threads; false if a call failed. For setup only: the
// writes of concurrent callers share the store's group commits (one sync per group).
bool ForEachConcurrently(int n, int threads, const std::function<bool(int)>& fn) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < n && !failed; i = next++) {
        if (!fn(i)) failed = true;
      }
    });
  }
  for (auto& w : workers) w.join();
  return !failed;
}

// B5 (scheduler_perf's SchedulingInTreePVs shape): N nodes as API objects, P pods each
// with a claim pre-bound to a PV; from the first pod create to every pod on a node.
bool RunB5(Context& ctx, Figures* f) {
  int nodes = ctx.opts.nodes ? ctx.opts.nodes : (ctx.opts.tiny ? 5 : 5000);
  int pods = ctx.opts.tiny ? 10 : 2000;
  cluster::Options co = ClusterOptions(ctx.opts, 0, 0);
  // scheduler_perf's nodes are static objects without kubelets; here no kubelet renews
  // their Leases either, so the node lifecycle controller must not mark them NotReady (and
  // taint them) while the setup runs.
  co.node_monitor_grace_period = std::chrono::hours(24);
  auto c = cluster::Cluster::Start(co);
  if (!c.ok()) return false;
  client::Client* client = (*c)->client();
  if (!client->Create(Decode<api::StorageClass>(kArticleStorageClass)).ok()) return false;
  constexpr int kSetupWriters = 32;
  if (!ForEachConcurrently(nodes, kSetupWriters,
                           [&](int n) { return client->Create(MakeNode(n + 1)).ok(); })) {
    return false;
  }
  Tally bound(client, "PersistentVolumeClaim", When([](const google::protobuf::Message& m) {
                return static_cast<const api::PersistentVolumeClaim&>(m).status().phase() ==
                       "Bound";
              }));
  auto make_volume_and_claim = [&](int i) {
    std::string node = "node-" + std::to_string(i % nodes + 1);
    api::PersistentVolume pv;
    pv.mutable_metadata()->set_name("pv-" + std::to_string(i));
    (*pv.mutable_spec()->mutable_capacity())["storage"] = "368Gi";
    pv.mutable_spec()->add_access_modes("ReadWriteOnce");
    pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
    pv.mutable_spec()->set_storage_class_name("local-storage");
    pv.mutable_spec()->mutable_local()->set_path("/mnt/disks/vol1");
    auto* e = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                  ->add_node_selector_terms()->add_match_expressions();
    e->set_key("kubernetes.io/hostname");
    e->set_operator_("In");
    e->add_values(node);
    auto* ref = pv.mutable_spec()->mutable_claim_ref();
    ref->set_kind("PersistentVolumeClaim");
    ref->set_namespace_("default");
    ref->set_name("claim-" + std::to_string(i));
    api::PersistentVolumeClaim claim;
    claim.mutable_metadata()->set_name("claim-" + std::to_string(i));
    claim.mutable_metadata()->set_namespace_("default");
    claim.mutable_spec()->add_access_modes("ReadWriteOnce");
    (*claim.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "368Gi";
    claim.mutable_spec()->set_storage_class_name("local-storage");
    claim.mutable_spec()->set_volume_name(pv.metadata().name());
    return client->Create(pv).ok() && client->Create(claim).ok();
  };
  if (!ForEachConcurrently(pods, kSetupWriters, make_volume_and_claim)) return false;
  if (!bound.WaitFor(static_cast<size_t>(pods), kLongWait)) return false;
  bound.Stop();
  Tally scheduled(client, "Pod", When([](const google::protobuf::Message& m) {
                    return !static_cast<const api::Pod&>(m).spec().node_name().empty();
                  }));
  // scheduler_perf creates its pods with 30 parallel workers (testutils.CreatePod).
  constexpr int kPodCreators = 30;
  auto t0 = SteadyClock::now();
  auto create_pod = [&](int i) {
    api::Pod p;
    p.mutable_metadata()->set_name("pod-" + std::to_string(i));
    p.mutable_metadata()->set_namespace_("default");
    auto* ct = p.mutable_spec()->add_containers();
    ct->set_name("app");
    ct->set_image("busybox");
    auto* v = p.mutable_spec()->add_volumes();
    v->set_name("data");
    v->mutable_persistent_volume_claim()->set_claim_name("claim-" + std::to_string(i));
    return client->Create(p).ok();
  };
  if (!ForEachConcurrently(pods, kPodCreators, create_pod)) return false;
  bool ok = scheduled.WaitFor(static_cast<size_t>(pods), kLongWait);
  double s = SecondsSince(t0);
  f->push_back({"nodes", nodes});
  f->push_back({"pods", pods});
  f->push_back({"seconds", s});
  f->push_back({"pods_per_s", pods / s});
  SchedulerFigures(**c, f);
  return ok;
}

api::PersistentVolume B7Volume() {
  api::PersistentVolume pv;
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

// `writers` threads calling `op(i)` with fresh numbers until `seconds` pass; ops per second.
double Hammer(int writers, double seconds, const std::function<bool(int64_t)>& op) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                           std::chrono::duration<double>(seconds));
  auto t0 = SteadyClock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&] {
      while (SteadyClock::now() < deadline && !failed) {
        if (!op(next++)) failed = true;
      }
    });
  }
  for (auto& t : threads) t.join();
  double s = SecondsSince(t0);
  return failed ? -1 : static_cast<double>(next.load()) / s;
}

// B7: PV creates through the API against raw RocksDB puts of the same bytes with the same
// sync option; 1 and 64 writers; sync on and off (both, whatever the flag).
bool RunB7(Context& ctx, Figures* f) {
  double seconds = ctx.opts.tiny ? 0.02 : 2.0;
  api::PersistentVolume pv = B7Volume();
  pv.mutable_metadata()->set_name("local-pv-00000000");
  std::string bytes = pv.SerializeAsString();
  bool ok = true;
  for (bool sync : {true, false}) {
    for (int writers : {1, 64}) {
      std::string tag = std::string(sync ? "sync" : "nosync") + "_w" + std::to_string(writers);
      double raw = 0, api_rate = 0;
      {
        std::string dir = TempDir();
        rocksdb::DB* db = nullptr;
        if (!rocksdb::DB::Open(store::DBOptions(), dir, &db).ok()) return false;
        rocksdb::WriteOptions wo;
        wo.sync = sync;
        raw = Hammer(writers, seconds, [&](int64_t i) {
          auto s = db->Put(wo, "/registry/persistentvolumes/pv-" + std::to_string(i), bytes);
          if (!s.ok()) ctx.err << "B7 raw put: " << s.ToString() << "\n";
          return s.ok();
        });
        delete db;
        fs::remove_all(dir);
      }
      {
        cluster::Options co;
        co.listen = "";
        co.sync = sync;
        auto c = cluster::Cluster::Start(co);
        if (!c.ok()) return false;
        client::Client* client = (*c)->client();
        api_rate = Hammer(writers, seconds, [&](int64_t i) {
          api::PersistentVolume v = pv;
          v.mutable_metadata()->set_name("pv-" + std::to_string(i));
          auto r = client->Create(v);
          if (!r.ok()) ctx.err << "B7 API create: " << r.status().ToString() << "\n";
          return r.ok();
        });
      }
      ok = ok && raw > 0 && api_rate > 0;
      f->push_back({tag + "_raw_per_s", raw});
      f->push_back({tag + "_api_per_s", api_rate});
      f->push_back({tag + "_api_over_raw", raw > 0 ? api_rate / raw : 0});
    }
  }
  return ok;
}

// B11: one writer creating pods (each on one of the nodes) at a fixed rate; 100 watchers
// of all pods and one watcher per node (spec.nodeName field selector). Every event must
// arrive; latency is from the write's return to the watcher's Next.
//
// The writer keeps up to kB11InFlight creates in flight, as a client with concurrent
// requests does: with durable writes, a writer that waits for each create before sending
// the next gets one write per WAL sync (~1,250/s on this project's build machine), while
// concurrent creates share a sync (group commit).
constexpr int kB11InFlight = 64;
bool RunB11(Context& ctx, Figures* f) {
  const int all_watchers = ctx.opts.tiny ? 2 : 100;
  const int node_watchers = ctx.opts.tiny ? 10 : 1000;
  const double rate = ctx.opts.tiny ? 1000 : 10000;
  const int events = ctx.opts.tiny ? 50 : 20000;
  cluster::Options co;
  co.listen = "";
  co.sync = ctx.opts.sync;
  auto c = cluster::Cluster::Start(co);
  if (!c.ok()) return false;
  client::Client* client = (*c)->client();
  const auto& pod_kind = *api::KindOf("Pod");

  std::vector<int64_t> committed(static_cast<size_t>(events), 0);
  struct Watcher {
    std::unique_ptr<client::WatchStream> stream;
    int expected = 0;
    std::vector<std::pair<int, int64_t>> seen;  // pod index, steady ns
    std::thread thread;
  };
  std::vector<Watcher> watchers(static_cast<size_t>(all_watchers + node_watchers));
  for (int w = 0; w < all_watchers + node_watchers; ++w) {
    client::ListOptions lo;
    Watcher& wt = watchers[static_cast<size_t>(w)];
    if (w < all_watchers) {
      wt.expected = events;
    } else {
      int node = w - all_watchers;
      lo.field_selector = "spec.nodeName=node-" + std::to_string(node);
      wt.expected = events / node_watchers + (node < events % node_watchers ? 1 : 0);
    }
    auto s = client->Watch(pod_kind, "", lo);
    if (!s.ok()) return false;
    wt.stream = std::move(*s);
    wt.seen.reserve(static_cast<size_t>(wt.expected));
  }
  auto now_ns = [] { return SteadyClock::now().time_since_epoch().count(); };
  for (auto& wt : watchers) {
    wt.thread = std::thread([&wt, &now_ns] {
      client::WatchEvent ev;
      while (static_cast<int>(wt.seen.size()) < wt.expected &&
             wt.stream->Next(&ev, std::chrono::seconds(30))) {
        int64_t t = now_ns();
        const std::string& name = api::Meta(*ev.object).name();
        wt.seen.emplace_back(std::stoi(name.substr(4)), t);
      }
    });
  }
  api::Pod pod;
  pod.mutable_metadata()->set_namespace_("default");
  auto* ct = pod.mutable_spec()->add_containers();
  ct->set_name("app");
  ct->set_image("busybox");
  auto t0 = SteadyClock::now();
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int k = 0; k < kB11InFlight; ++k) {
    writers.emplace_back([&, pod]() mutable {
      for (int i = next++; i < events && !failed; i = next++) {
        std::this_thread::sleep_until(t0 + std::chrono::duration_cast<SteadyClock::duration>(
                                               std::chrono::duration<double>(i / rate)));
        pod.mutable_metadata()->set_name("pod-" + std::to_string(i));
        pod.mutable_spec()->set_node_name("node-" + std::to_string(i % node_watchers));
        if (!client->Create(pod).ok()) failed = true;
        committed[static_cast<size_t>(i)] = now_ns();
      }
    });
  }
  for (auto& w : writers) w.join();
  double write_s = SecondsSince(t0);
  if (failed) {
    for (auto& wt : watchers) wt.stream->Stop();
    for (auto& wt : watchers) wt.thread.join();
    return false;
  }
  std::vector<double> latencies;
  size_t delivered = 0, expected = 0;
  for (auto& wt : watchers) {
    wt.thread.join();
    wt.stream->Stop();
    expected += static_cast<size_t>(wt.expected);
    delivered += wt.seen.size();
    for (const auto& [i, t] : wt.seen) {
      latencies.push_back(
          static_cast<double>(std::max<int64_t>(0, t - committed[static_cast<size_t>(i)])) /
          1e6);
    }
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[std::min(latencies.size() - 1,
                              static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  f->push_back({"events", events});
  f->push_back({"in_flight", kB11InFlight});
  f->push_back({"write_rate_per_s", events / write_s});
  f->push_back({"deliveries_expected", static_cast<double>(expected)});
  f->push_back({"deliveries", static_cast<double>(delivered)});
  f->push_back({"p50_ms", pct(0.50)});
  f->push_back({"p99_ms", pct(0.99)});
  f->push_back({"max_ms", latencies.empty() ? 0 : latencies.back()});
  return delivered == expected;
}

// B14: an `lpv server` with N nodes x 4 disks and N StatefulSets x 4 (every PV and claim
// Bound, every pod Running) is killed with SIGKILL and started again on its data dir; from
// the restart to serving with every node's kubelet reporting again and every pod Running
// (reconciled), and to a pod created then Running (the cluster takes new work).
bool RunB14(Context& ctx, Figures* f) {
  int nodes = ctx.opts.nodes ? ctx.opts.nodes : (ctx.opts.tiny ? 3 : 5000);
  size_t pods = static_cast<size_t>(nodes) * 4;
  std::string dir = TempDir();
  std::vector<std::string> args = {"--data-dir", dir, "--nodes", std::to_string(nodes),
                                   "--disks-per-node", "4"};
  if (!ctx.opts.sync) args.push_back("--unsafe-no-fsync");
  std::string rv;
  {
    auto first = ServerProcess::Start(args);
    if (!first) return false;
    auto client = client::NewGrpcClient(first->address());
    {
      Tally pvs(client.get(), "PersistentVolume", When([](const google::protobuf::Message& m) {
                  return static_cast<const api::PersistentVolume&>(m).status().phase() ==
                         "Available";
                }));
      if (!pvs.WaitFor(pods, kLongWait)) return false;
    }
    Tally running(client.get(), "Pod", When(PodRunning));
    auto t0 = SteadyClock::now();
    if (!client->Create(Decode<api::StorageClass>(kArticleStorageClass)).ok()) return false;
    for (int i = 0; i < nodes; ++i) {
      if (!client->Create(StatefulSetNamed("sts-" + std::to_string(i), 4)).ok()) return false;
    }
    if (!running.WaitFor(pods, kLongWait)) return false;
    f->push_back({"populate_s", SecondsSince(t0)});
    running.Stop();
    // The state the restart must come back to, and the revision it is read at: every pod
    // there and Running.
    auto list = client->List(*api::KindOf("Pod"), "");
    if (!list.ok() || list->items.size() != pods ||
        !std::all_of(list->items.begin(), list->items.end(),
                     [](const auto& p) { return PodRunning(*p); })) {
      std::cerr << "bench: B14: not every pod Running before the kill\n";
      return false;
    }
    rv = list->resource_version;
    f->push_back({"populated_peak_rss_mib", ProcessPeakRssMiB(first->pid())});
    first->Kill(SIGKILL);
  }
  // Heartbeats carry whole seconds: restarting in a later second than the last one stored
  // makes every kubelet's first status post after the restart a real change (a same-second
  // post would be a no-op write, and no event). Not timed.
  auto wall = std::chrono::system_clock::now();
  std::this_thread::sleep_until(std::chrono::floor<std::chrono::seconds>(wall) +
                                std::chrono::seconds(1));
  f->push_back({"store_mib", DirBytes(dir + "/store") / (1 << 20)});
  auto t0 = SteadyClock::now();
  auto second = ServerProcess::Start(args);
  if (!second) return false;
  double serving = SecondsSince(t0);
  auto client = client::NewGrpcClient(second->address());
  client::ListOptions after;
  after.resource_version = rv;
  // Every kubelet re-posts its node's status when it starts: a change after `rv`.
  Tally reported(client.get(), "Node",
                 [](const std::string& type, const google::protobuf::Message&) {
                   return type == "MODIFIED";
                 },
                 after);
  // Every pod was Running at `rv` (checked above), so every pod is Running once none of
  // the pods changed since is anything else. A probe pod created after the nodes' reports
  // marks how far the watch has come. (A watch of all pods would send the 20,000 unchanged
  // ones to the bench, whose CPU is the cluster's too: that cost about 0.3 s of the window.)
  ChangesSince pods_changed(
      client.get(), "Pod", rv, [](const google::protobuf::Message& m) { return !PodRunning(m); },
      "default/b14-new");
  bool ok = reported.WaitFor(static_cast<size_t>(nodes), kLongWait);
  // Then the probe: a new pod. It runs once the scheduler's and the kubelets' caches have
  // synced, so this is also when the restarted cluster takes new work (the caches fill
  // beside the nodes' reports, and may finish after them).
  api::Pod probe;
  probe.mutable_metadata()->set_name("b14-new");
  probe.mutable_metadata()->set_namespace_("default");
  auto* ct = probe.mutable_spec()->add_containers();
  ct->set_name("app");
  ct->set_image("busybox");
  ok = ok && client->Create(probe).ok();
  ok = ok && pods_changed.WaitFor(kLongWait);
  double reconciled = SecondsSince(t0);
  ok = ok && client::WaitForObject(*client, *api::KindOf("Pod"), "default", "b14-new",
                                   PodRunning, kLongWait)
                 .ok();
  double new_pod = SecondsSince(t0);
  f->push_back({"nodes", nodes});
  f->push_back({"pods", static_cast<double>(pods)});
  f->push_back({"serving_s", serving});
  f->push_back({"reconciled_s", reconciled});
  f->push_back({"new_pod_running_s", new_pod});
  f->push_back({"restarted_peak_rss_mib", ProcessPeakRssMiB(second->pid())});
  reported.Stop();
  pods_changed.Stop();
  second->Kill(SIGTERM);
  fs::remove_all(dir);
  return ok;
}

// ------------------------------------------------------------------ running and reporting

std::string Format(const Figures& f) {
  std::ostringstream os;
  for (const auto& [k, v] : f) {
    os << " " << k << "=";
    if (v == static_cast<double>(static_cast<int64_t>(v)) && std::abs(v) < 1e15) {
      os << static_cast<int64_t>(v);
    } else {
      os << std::setprecision(4) << v;
    }
  }
  return os.str();
}

Figures Median(const std::vector<Figures>& runs) {
  Figures out;
  if (runs.empty()) return out;
  for (size_t k = 0; k < runs[0].size(); ++k) {
    std::vector<double> vs;
    for (const auto& r : runs) {
      if (k < r.size()) vs.push_back(r[k].second);
    }
    std::sort(vs.begin(), vs.end());
    out.push_back({runs[0][k].first, vs[vs.size() / 2]});
  }
  return out;
}

// The allocator the figures come from: jemalloc's mallctl is there when the binary was
// linked with it (LPV_JEMALLOC), else it is glibc's malloc.
std::string Allocator() {
  using Mallctl = int (*)(const char*, void*, size_t*, void*, size_t);
  auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  if (mallctl == nullptr) return "glibc";
  const char* version = nullptr;
  size_t len = sizeof version;
  if (mallctl("version", &version, &len, nullptr, 0) != 0 || version == nullptr) {
    return "jemalloc";
  }
  std::string v = version;  // "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c"
  return "jemalloc-" + v.substr(0, v.find('-'));
}

std::string Header(const BenchOptions& o) {
  return "cores=" + std::to_string(Cores()) +
         " writes=" + (o.sync ? "durable" : "unsafe-no-fsync") + " malloc=" + Allocator();
}

// Runs `fn` opts.runs times; prints each run and the median. False when a run failed.
bool Repeat(Context& ctx, const std::string& name, const std::function<bool(Figures*)>& fn,
            Figures* median) {
  std::vector<Figures> runs;
  for (int r = 1; r <= ctx.opts.runs; ++r) {
    Figures f;
    bool ok = fn(&f);
    ctx.out << name << " run " << r << "/" << ctx.opts.runs << ":" << Format(f)
            << (ok ? "" : " FAILED") << std::endl;
    if (!ok) return false;
    runs.push_back(std::move(f));
  }
  *median = Median(runs);
  ctx.out << name << " median of " << runs.size() << " (" << Header(ctx.opts)
          << "):" << Format(*median) << std::endl;
  return true;
}

// An SVG line chart of pods/s (y) against node count (x, log scale).
void WritePlot(const std::string& path, const std::vector<std::pair<int, double>>& points,
               const std::string& title) {
  const double w = 640, h = 400, left = 70, right = 30, top = 40, bottom = 60;
  double ymax = 0;
  for (const auto& p : points) ymax = std::max(ymax, p.second);
  ymax = ymax <= 0 ? 1 : ymax * 1.15;
  double xmin = std::log10(std::max(1, points.front().first)) - 0.15;
  double xmax = std::log10(std::max(1, points.back().first)) + 0.15;
  auto X = [&](double nodes) {
    return left + (std::log10(nodes) - xmin) / (xmax - xmin) * (w - left - right);
  };
  auto Y = [&](double v) { return h - bottom - v / ymax * (h - top - bottom); };
  std::ofstream out(path);
  out << "<svg xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h
      << "' font-family='sans-serif' font-size='12'>\n"
      << "<rect width='100%' height='100%' fill='white'/>\n"
      << "<text x='" << w / 2 << "' y='22' text-anchor='middle' font-size='14'>" << title
      << "</text>\n"
      << "<line x1='" << left << "' y1='" << h - bottom << "' x2='" << w - right << "' y2='"
      << h - bottom << "' stroke='black'/>\n"
      << "<line x1='" << left << "' y1='" << top << "' x2='" << left << "' y2='" << h - bottom
      << "' stroke='black'/>\n";
  for (int i = 0; i <= 4; ++i) {
    double v = ymax * i / 4;
    out << "<text x='" << left - 6 << "' y='" << Y(v) + 4 << "' text-anchor='end'>"
        << static_cast<int64_t>(v) << "</text>\n"
        << "<line x1='" << left << "' y1='" << Y(v) << "' x2='" << w - right << "' y2='" << Y(v)
        << "' stroke='#ddd'/>\n";
  }
  std::string poly;
  for (const auto& [n, v] : points) {
    poly += std::to_string(X(n)) + "," + std::to_string(Y(v)) + " ";
    out << "<circle cx='" << X(n) << "' cy='" << Y(v) << "' r='4' fill='#1f77b4'/>\n"
        << "<text x='" << X(n) << "' y='" << Y(v) - 10 << "' text-anchor='middle'>"
        << static_cast<int64_t>(v) << "</text>\n"
        << "<text x='" << X(n) << "' y='" << h - bottom + 18 << "' text-anchor='middle'>" << n
        << "</text>\n";
  }
  out << "<polyline points='" << poly << "' fill='none' stroke='#1f77b4' stroke-width='2'/>\n"
      << "<text x='" << (left + w - right) / 2 << "' y='" << h - 15
      << "' text-anchor='middle'>nodes (4 disks each, as many pods as disks; log scale)</text>\n"
      << "<text x='18' y='" << (top + h - bottom) / 2 << "' text-anchor='middle' transform='rotate(-90 18 "
      << (top + h - bottom) / 2 << ")'>pods/s, first create to all Running</text>\n"
      << "</svg>\n";
}

}  // namespace

int Bench(const BenchOptions& options, std::ostream& out, std::ostream& err) {
  BenchOptions o = options;
  o.runs = std::max(1, o.runs);
  Context ctx{o, out, err};
  out << "lpv bench " << o.workload << ": " << Header(o) << std::endl;
  Figures median;
  const std::string& w = o.workload;
  std::map<std::string, std::function<bool(Figures*)>> simple = {
      {"B1", [&](Figures* f) { return RunB1(ctx, f); }},
      {"B2", [&](Figures* f) { return RunB2(ctx, f); }},
      {"B3", [&](Figures* f) { return RunB3(ctx, f); }},
      {"B4", [&](Figures* f) { return RunB4(ctx, f); }},
      {"B5", [&](Figures* f) { return RunB5(ctx, f); }},
      {"B7", [&](Figures* f) { return RunB7(ctx, f); }},
      {"B11", [&](Figures* f) { return RunB11(ctx, f); }},
      {"B14", [&](Figures* f) { return RunB14(ctx, f); }},
  };
  if (auto it = simple.find(w); it != simple.end()) {
    return Repeat(ctx, w, it->second, &median) ? 0 : 1;
  }
  if (w == "B4s") {
    std::vector<int> sizes = o.tiny ? std::vector<int>{2, 4} : std::vector<int>{100, 1000, 5000};
    if (!o.sizes.empty()) sizes = o.sizes;
    if (o.nodes) sizes = {o.nodes};
    std::vector<std::pair<int, double>> points;
    for (int n : sizes) {
      if (!Repeat(ctx, "B4s nodes=" + std::to_string(n),
                  [&](Figures* f) { return RunB4At(ctx, n, f); }, &median)) {
        return 1;
      }
      for (const auto& [k, v] : median) {
        if (k == "pods_per_s") points.push_back({n, v});
      }
    }
    if (points.size() > 1) {
      out << "B4s: rate at " << points.back().first << " nodes / rate at "
          << points.front().first << " nodes = " << std::setprecision(3)
          << points.back().second / points.front().second << " (target >= 0.7)" << std::endl;
    }
    if (!o.plot.empty() && !points.empty()) {
      WritePlot(o.plot, points,
                "lpv B4s: pods/s vs nodes (" + Header(o) + ", median of " +
                    std::to_string(o.runs) + ")");
      out << "B4s: plot written to " << o.plot << std::endl;
    }
    return 0;
  }
  err << "unknown workload \"" << w << "\" (B1 B2 B3 B4 B4s B5 B7 B11 B14)\n";
  return 1;
}

}  // namespace lpv::cmd
