#include "cluster/cluster.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "apiserver/auth.h"
#include "apiserver/grpc_service.h"
#include "kubelet-fake/admin.h"
#include "kubelet-fake/fleet.h"
#include "pvcontroller/protection.h"
#include "pvcontroller/pv_controller.h"
#include "scheduler/scheduler.h"
#include "statefulset/stateful_set.h"

namespace lpv::cluster {

namespace fs = std::filesystem;

std::string Cluster::AddressFile(const std::string& data_dir) {
  return (fs::path(data_dir) / "server.address").string();
}

Result<std::unique_ptr<Cluster>> Cluster::Start(const Options& options) {
  std::unique_ptr<Cluster> c(new Cluster());
  c->options_ = options;
  c->clock_ = options.clock ? options.clock : RealClock::Get();
  c->data_dir_ = options.data_dir;
  if (c->data_dir_.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "lpv-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return Status::Internal("cannot create a temporary data dir: " + tmpl);
    }
    c->data_dir_ = tmpl;
    c->temporary_dir_ = true;
  }
  std::error_code ec;
  fs::create_directories(c->data_dir_, ec);
  if (ec) return Status::Internal("cannot create data dir " + c->data_dir_ + ": " + ec.message());
  // The data dir holds the whole cluster state: owner-only.
  ::chmod(c->data_dir_.c_str(), 0700);

  store::Options so;
  so.dir = (fs::path(c->data_dir_) / "store").string();
  so.sync = options.sync;
  so.history_limit = options.history_limit;
  auto st = store::Store::Open(so);
  if (!st.ok()) return st.status();
  c->store_ = std::move(*st);
  c->apiserver_ = std::make_unique<apiserver::APIServer>(c->store_.get(), c->clock_);
  c->client_ = std::make_unique<client::LocalClient>(c->apiserver_.get());

  // Serving first: the controllers and the fleet start as clients of a running API.
  if (!options.listen.empty()) {
    Status s = c->Serve();
    if (!s.ok()) return s;
  }
  Status s = options.start_controllers ? c->StartControllers() : Status::OK();
  c->StartDone(s);
  if (!s.ok()) return s;
  return c;
}

Status Cluster::Serve() {
  service_ = std::make_unique<apiserver::GrpcService>(apiserver_.get(), data_dir_);
  // Beyond loopback, anyone who can reach the port could rewrite the cluster: ask for a
  // token that only the data dir's owner can read.
  token_ = options_.token;
  if (token_.empty() && !apiserver::IsLoopbackAddress(options_.listen)) {
    auto token = apiserver::GenerateToken();
    if (!token.ok()) return token.status();
    token_ = *token;
  }
  std::error_code rm_ec;
  fs::remove(apiserver::TokenFile(data_dir_), rm_ec);  // an earlier run's token
  if (!token_.empty()) {
    Status ts = apiserver::WriteTokenFile(data_dir_, token_);
    if (!ts.ok()) return ts;
    service_->SetToken(token_);
  }
  int port = 0;
  service_->SetAdminHandler(
      [this](const std::string& verb, const std::vector<std::string>& args,
             const std::map<std::string, std::string>&) { return Admin(verb, args); });
  grpc_server_ = apiserver::StartGrpcServer(service_.get(), options_.listen, &port);
  if (!grpc_server_) {
    return Status::Make(Reason::ServiceUnavailable, "cannot listen on " + options_.listen);
  }
  std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
  address_ = host + ":" + std::to_string(port);
  std::ofstream(AddressFile(data_dir_)) << address_ << "\n";
  return options_.serving ? options_.serving(*this) : Status::OK();
}

void Cluster::StartDone(const Status& s) {
  std::lock_guard<std::mutex> l(start_mu_);
  start_done_ = true;
  start_status_ = s;
  start_cv_.notify_all();
}

Status Cluster::StartControllers() {
  client::Client* client = client_.get();
  informers_ = std::make_unique<client::SharedInformerFactory>(client, clock_);
  kubelet::FleetOptions fo;
  fo.data_dir = data_dir_;
  fo.clock = clock_;
  fo.informers = informers_.get();
  fo.nodes = options_.nodes;
  fo.disks_per_node = options_.disks_per_node;
  fo.disk_size = options_.disk_size;
  fo.kubelet.heartbeat_period = options_.node_status_update_frequency;
  fo.kubelet.status_report_frequency = options_.node_status_report_frequency;
  fo.kubelet.lease_renew_interval = options_.node_lease_renew_interval;
  fo.node_lifecycle.grace_period = options_.node_monitor_grace_period;
  // The controller looks at least twice per grace period (Kubernetes: every 5 s of 40 s).
  fo.node_lifecycle.monitor_period =
      std::min<Duration>(fo.node_lifecycle.monitor_period, options_.node_monitor_grace_period / 4);
  // The machines boot beside the control plane, not after it: a restarted fleet's kubelets
  // report their nodes while the controllers' caches fill (B14).
  Result<std::unique_ptr<kubelet::Fleet>> fleet = Status::Internal("fleet: not started");
  std::thread fleet_start([&] { fleet = kubelet::Fleet::Start(client, fo); });

  pvcontroller::PersistentVolumeController::Options pvo;
  pvo.clock = clock_;
  pvo.informers = informers_.get();
  // Several syncs in flight share the store's group commits: a fleet's thousands of new PVs
  // become Available in batches instead of one synced status write at a time. Every write
  // is conditional on the resourceVersion read, so two workers never bind one PV twice.
  // The volume queue gets more: a new fleet's syncs are each one status write, so their
  // rate is the workers per WAL sync (B2: 4,000 PVs Available about 0.3 s sooner with 16
  // than with 4); more claim workers only raced each other for the cores in B4.
  pvo.workers = 4;
  pvo.volume_workers = 16;
  pv_controller_ = std::make_unique<pvcontroller::PersistentVolumeController>(client, pvo);
  pvcontroller::ProtectionOptions po;
  po.clock = clock_;
  po.informers = informers_.get();
  pvc_protection_ = std::make_unique<pvcontroller::PVCProtectionController>(client, po);
  pv_protection_ = std::make_unique<pvcontroller::PVProtectionController>(client, po);
  pv_controller_->Start();
  pvc_protection_->Start();
  pv_protection_->Start();

  scheduler::Scheduler::Options so;
  so.clock = clock_;
  so.pod_initial_backoff = options_.pod_initial_backoff;
  so.informers = informers_.get();
  scheduler_ = std::make_unique<scheduler::Scheduler>(client, so);
  scheduler_->Start();
  statefulset::StatefulSetController::Options sto;
  sto.clock = clock_;
  sto.informers = informers_.get();
  // kube-controller-manager's --concurrent-statefulset-syncs default. Each sync waits on its
  // synced writes (a claim, then a pod); with one worker every set waited on every other's.
  sto.workers = 5;
  statefulset_ = std::make_unique<statefulset::StatefulSetController>(client, sto);
  statefulset_->Start();

  fleet_start.join();
  if (!fleet.ok()) return fleet.status();
  fleet_ = std::move(*fleet);
  return Status::OK();
}

void Cluster::StopControllers() {
  // No more events for any controller's handlers; then producers of work, then what
  // consumes it.
  if (informers_) informers_->Stop();
  if (fleet_) fleet_->Stop();
  if (statefulset_) statefulset_->Stop();
  if (scheduler_) scheduler_->Stop();
  if (pv_protection_) pv_protection_->Stop();
  if (pvc_protection_) pvc_protection_->Stop();
  if (pv_controller_) pv_controller_->Stop();
}

Result<std::string> Cluster::Admin(const std::string& verb,
                                   const std::vector<std::string>& args) {
  {
    // A restarted fleet of thousands of nodes takes seconds to come back; a verb sent
    // meanwhile acts on it once it has.
    std::unique_lock<std::mutex> l(start_mu_);
    if (!start_cv_.wait_for(l, std::chrono::seconds(30), [this] { return start_done_; })) {
      return Status::Make(Reason::ServiceUnavailable,
                          "the cluster's nodes are still starting; try again");
    }
    if (!start_status_.ok()) {
      return Status::Make(Reason::ServiceUnavailable,
                          "the cluster did not start: " + start_status_.message());
    }
  }
  if (verb == "node" || verb == "disk") {
    if (!fleet_) return Status::BadRequest("this server runs no nodes (no controllers)");
    return kubelet::HandleAdmin(*fleet_, verb, args);
  }
  if (verb == "explain") {
    // explain pod NAME [-n NAMESPACE]
    std::string ns = "default";
    std::vector<std::string> words;
    for (size_t i = 0; i < args.size(); ++i) {
      if ((args[i] == "-n" || args[i] == "--namespace") && i + 1 < args.size()) {
        ns = args[++i];
      } else if (args[i].rfind("--namespace=", 0) == 0) {
        ns = args[i].substr(12);
      } else {
        words.push_back(args[i]);
      }
    }
    if (words.size() == 1 && words[0].rfind("pod/", 0) == 0) words = {"pod", words[0].substr(4)};
    if (words.size() != 2 || api::LookupKind(words[0]) != api::KindOf("Pod")) {
      return Status::BadRequest("usage: lpv explain pod NAME [-n NAMESPACE]");
    }
    if (!scheduler_) return Status::BadRequest("this server runs no scheduler (no controllers)");
    return scheduler_->Explain(ns, words[1]);
  }
  return Status::BadRequest("unknown admin verb \"" + verb + "\"");
}

void Cluster::Wait() {
  if (grpc_server_) grpc_server_->Wait();
}

void Cluster::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (options_.stopping) options_.stopping();
  StopControllers();
  if (grpc_server_) {
    grpc_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    std::error_code ec;
    fs::remove(AddressFile(data_dir_), ec);
  }
}

Cluster::~Cluster() {
  Stop();
  grpc_server_.reset();
  fleet_.reset();
  statefulset_.reset();
  scheduler_.reset();
  pv_protection_.reset();
  pvc_protection_.reset();
  pv_controller_.reset();
  informers_.reset();
  service_.reset();
  client_.reset();
  apiserver_.reset();
  store_.reset();
  if (temporary_dir_) {
    std::error_code ec;
    fs::remove_all(data_dir_, ec);
  }
}

}  // namespace lpv::cluster
