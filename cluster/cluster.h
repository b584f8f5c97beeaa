// An lpv cluster in one process: the RocksDB store, the API server and its gRPC service,
// the controllers, scheduler and fake kubelets. They share one informer per kind
// (client::SharedInformerFactory): each kind is listed, decoded and watched once.
//
// `lpv server` runs one; integration tests start one per test:
//
//   lpv::cluster::Options opts;             // temporary data dir, ephemeral port
//   auto c = lpv::cluster::Cluster::Start(opts);
//   lpv::client::Client* client = (*c)->client();
//   ... (*c)->Stop();
//
// Thread-safety: Start/Stop from one thread; client() is safe for concurrent use.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/clock.h"
#include "api/status.h"
#include "apiserver/apiserver.h"
#include "client/client.h"
#include "client/informer_factory.h"

namespace grpc {
class Server;
}

namespace lpv::apiserver {
class GrpcService;
}
namespace lpv::kubelet {
class Fleet;
}
namespace lpv::scheduler {
class Scheduler;
}
namespace lpv::statefulset {
class StatefulSetController;
}
namespace lpv::pvcontroller {
class PersistentVolumeController;
class PVCProtectionController;
class PVProtectionController;
}

namespace lpv::cluster {

class Cluster;

struct Options {
  // Where the store lives. Empty = a fresh temporary directory removed on Stop().
  std::string data_dir;
  // The gRPC listen address. Loopback by default; port 0 picks a free port. Empty = no
  // gRPC service (in-process use only).
  std::string listen = "127.0.0.1:0";
  // The bearer token every gRPC call must carry (apiserver/auth.h). Empty: none when
  // `listen` is loopback only, else a fresh random one. A token in use is written to
  // DATA/token (mode 0600), where local clients read it.
  std::string token;
  // Sync every write to the WAL (see store::Options::sync).
  bool sync = true;
  int64_t history_limit = 100000;
  Clock* clock = nullptr;  // default: the real clock

  // The control plane beyond the API server: the PV controller and the protection
  // controllers, the scheduler, the StatefulSet controller, and the fleet of fake nodes
  // with their disks, kubelets and local static provisioners. Off = the API alone.
  bool start_controllers = false;
  // A fresh fleet (a data dir that already has nodes keeps them as they were).
  int nodes = 3;
  int disks_per_node = 1;
  std::string disk_size = "368Gi";
  // How often a kubelet posts node status (Kubernetes: --node-status-update-frequency) and
  // how long the node lifecycle controller waits before marking a silent node Unknown
  // (--node-monitor-grace-period). Shorter values make node failure visible sooner.
  Duration node_status_update_frequency = std::chrono::seconds(10);
  Duration node_monitor_grace_period = std::chrono::seconds(40);
  // A node status that changed only in its heartbeat is posted this often
  // (--node-status-report-frequency, Kubernetes' default 5 m): between reports the node
  // Lease alone says the node is alive, so 5,000 idle nodes do not rewrite 500 Nodes a
  // second.
  Duration node_status_report_frequency = std::chrono::minutes(5);
  // How often each kubelet renews its node Lease (the kubelet: a quarter of
  // nodeLeaseDurationSeconds, 10 s). Leases carry sub-second heartbeats.
  Duration node_lease_renew_interval = std::chrono::seconds(10);
  // The scheduling queue's first backoff after a failed attempt (podInitialBackoffSeconds;
  // Kubernetes allows whole seconds only, 1 by default).
  Duration pod_initial_backoff = std::chrono::seconds(1);
  // Called once the gRPC service listens (its address is known), before the controllers
  // and the fleet start: Kubernetes' API server serves before any kubelet registers, so
  // clients connect while a restarted fleet of thousands of nodes comes back. An error
  // ends the start with it. Not called when `listen` is empty.
  std::function<Status(Cluster&)> serving;
  // Called first by Stop, which a failed start runs too: where `serving` started a server
  // of its own on this API server, it stops there, before the API goes.
  std::function<void()> stopping;
};

class Cluster {
 public:
  ~Cluster();
  static Result<std::unique_ptr<Cluster>> Start(const Options& options);

  // An in-process client. Valid until the cluster is destroyed.
  client::Client* client() { return client_.get(); }
  apiserver::APIServer* apiserver() { return apiserver_.get(); }
  // The informers every controller shares; nullptr without controllers.
  client::SharedInformerFactory* informers() { return informers_.get(); }
  apiserver::GrpcService* grpc_service() { return service_.get(); }
  const std::string& data_dir() const { return data_dir_; }
  // host:port of the gRPC service ("" without one).
  const std::string& address() const { return address_; }
  // The bearer token the gRPC service requires ("" = none).
  const std::string& token() const { return token_; }
  Clock* clock() const { return clock_; }
  // nullptr unless start_controllers.
  kubelet::Fleet* fleet() { return fleet_.get(); }
  scheduler::Scheduler* scheduler() { return scheduler_.get(); }

  // The server's admin verbs: `node ...`, `disk ...` (the fleet) and `explain pod NAME`.
  // While the controllers start (the API serves from before), a call waits for them.
  Result<std::string> Admin(const std::string& verb, const std::vector<std::string>& args);

  // Blocks until Stop() is called from another thread (or a signal handler's thread).
  void Wait();
  void Stop();

  // The file in the data dir where a running server records its address for clients.
  static std::string AddressFile(const std::string& data_dir);

 private:
  Cluster() = default;

  Options options_;
  std::string data_dir_;
  bool temporary_dir_ = false;
  std::string address_;
  std::string token_;
  Clock* clock_ = nullptr;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<apiserver::APIServer> apiserver_;
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<apiserver::GrpcService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<client::SharedInformerFactory> informers_;
  std::unique_ptr<pvcontroller::PersistentVolumeController> pv_controller_;
  std::unique_ptr<pvcontroller::PVCProtectionController> pvc_protection_;
  std::unique_ptr<pvcontroller::PVProtectionController> pv_protection_;
  std::unique_ptr<kubelet::Fleet> fleet_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<statefulset::StatefulSetController> statefulset_;
  bool stopped_ = false;
  // Set once StartControllers has returned (or was never to run): what Admin waits for.
  std::mutex start_mu_;
  std::condition_variable start_cv_;
  bool start_done_ = false;
  Status start_status_;

  Status Serve();
  Status StartControllers();
  void StartDone(const Status& s);
  void StopControllers();
};

}  // namespace lpv::cluster
