#include "cluster/cluster.h"

#include <grpcpp/grpcpp.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "apiserver/grpc_service.h"

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

  if (!options.listen.empty()) {
    c->service_ = std::make_unique<apiserver::GrpcService>(c->apiserver_.get(), c->data_dir_);
    int port = 0;
    c->grpc_server_ = apiserver::StartGrpcServer(c->service_.get(), options.listen, &port);
    if (!c->grpc_server_) {
      return Status::Make(Reason::ServiceUnavailable, "cannot listen on " + options.listen);
    }
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    c->address_ = host + ":" + std::to_string(port);
    std::ofstream(AddressFile(c->data_dir_)) << c->address_ << "\n";
  }
  return c;
}

void Cluster::Wait() {
  if (grpc_server_) grpc_server_->Wait();
}

void Cluster::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (grpc_server_) {
    grpc_server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    std::error_code ec;
    fs::remove(AddressFile(data_dir_), ec);
  }
}

Cluster::~Cluster() {
  Stop();
  grpc_server_.reset();
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
