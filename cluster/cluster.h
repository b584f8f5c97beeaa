// An lpv cluster in one process: the RocksDB store, the API server and its gRPC service,
// (as later issues add them) the controllers, scheduler and fake kubelets.
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

#include <memory>
#include <string>

#include "api/clock.h"
#include "api/status.h"
#include "apiserver/apiserver.h"
#include "client/client.h"

namespace grpc {
class Server;
}

namespace lpv::apiserver {
class GrpcService;
}

namespace lpv::cluster {

struct Options {
  // Where the store lives. Empty = a fresh temporary directory removed on Stop().
  std::string data_dir;
  // The gRPC listen address. Loopback by default; port 0 picks a free port. Empty = no
  // gRPC service (in-process use only).
  std::string listen = "127.0.0.1:0";
  // Sync every write to the WAL (see store::Options::sync).
  bool sync = true;
  int64_t history_limit = 100000;
  Clock* clock = nullptr;  // default: the real clock
};

class Cluster {
 public:
  ~Cluster();
  static Result<std::unique_ptr<Cluster>> Start(const Options& options);

  // An in-process client. Valid until the cluster is destroyed.
  client::Client* client() { return client_.get(); }
  apiserver::APIServer* apiserver() { return apiserver_.get(); }
  apiserver::GrpcService* grpc_service() { return service_.get(); }
  const std::string& data_dir() const { return data_dir_; }
  // host:port of the gRPC service ("" without one).
  const std::string& address() const { return address_; }
  Clock* clock() const { return clock_; }

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
  Clock* clock_ = nullptr;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<apiserver::APIServer> apiserver_;
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<apiserver::GrpcService> service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  bool stopped_ = false;
};

}  // namespace lpv::cluster
