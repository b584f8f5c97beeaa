// The gRPC face of the API server: the generic lpv.api.Lpv service (service.proto).
// Objects cross the wire as their serialized messages tagged with the kind; errors as
// api.Status. Watch streams until the client cancels or the watch ends.
//
// Threads: gRPC's sync server runs each call on its own thread from its pool; a watch
// call holds its thread for its lifetime.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/service.grpc.pb.h"
#include "apiserver/apiserver.h"

namespace grpc {
class Server;
}

namespace lpv::apiserver {

// Handles the Admin verbs (node and disk management, explain) for the server process.
using AdminHandler = std::function<Result<std::string>(
    const std::string& verb, const std::vector<std::string>& args,
    const std::map<std::string, std::string>& options)>;

class GrpcService final : public api::Lpv::Service {
 public:
  GrpcService(APIServer* server, std::string data_dir);
  void SetAdminHandler(AdminHandler h) { admin_ = std::move(h); }
  // Every call must then carry `authorization: Bearer <token>` (see auth.h); without it the
  // call ends UNAUTHENTICATED with the message "Unauthorized". Empty = no credential asked
  // (loopback). Set before the server starts.
  void SetToken(std::string token) { token_ = std::move(token); }

  grpc::Status Create(grpc::ServerContext*, const api::ObjectRequest*,
                      api::ObjectResponse*) override;
  grpc::Status Get(grpc::ServerContext*, const api::ObjectRequest*,
                   api::ObjectResponse*) override;
  grpc::Status Update(grpc::ServerContext*, const api::ObjectRequest*,
                      api::ObjectResponse*) override;
  grpc::Status Delete(grpc::ServerContext*, const api::ObjectRequest*,
                      api::ObjectResponse*) override;
  grpc::Status Bind(grpc::ServerContext*, const api::ObjectRequest*,
                    api::ObjectResponse*) override;
  grpc::Status List(grpc::ServerContext*, const api::ListRequest*,
                    api::ListResponse*) override;
  grpc::Status Watch(grpc::ServerContext*, const api::ListRequest*,
                     grpc::ServerWriter<api::WatchEvent>*) override;
  grpc::Status Info(grpc::ServerContext*, const api::InfoRequest*,
                    api::InfoResponse*) override;
  grpc::Status Admin(grpc::ServerContext*, const api::AdminRequest*,
                     api::AdminResponse*) override;

 private:
  grpc::Status Authorize(const grpc::ServerContext* ctx) const;

  APIServer* server_;
  std::string data_dir_;
  AdminHandler admin_;
  std::string token_;
};

// Kubernetes' limit on a write request's body (3 MiB: twice etcd's 1.5 MiB, as JSON is
// bulkier than the stored protobuf). A larger object is refused with 413
// "Request entity too large: limit is 3145728".
inline constexpr size_t kMaxRequestBodyBytes = 3 * 1024 * 1024;

// Starts a gRPC server for `service` on `address` ("127.0.0.1:0" picks a free port).
// *port receives the bound port; nullptr on failure.
std::unique_ptr<grpc::Server> StartGrpcServer(GrpcService* service, const std::string& address,
                                              int* port);

}  // namespace lpv::apiserver
