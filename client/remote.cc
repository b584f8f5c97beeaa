#include "client/remote.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/service.grpc.pb.h"
#include "api/status_proto.h"
#include "apiserver/auth.h"
#include "client/rpc_status.h"

namespace lpv::client {

std::string DefaultDataDir() {
  if (const char* d = std::getenv("LPV_DATA_DIR"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.lpv";
}

Result<std::string> ResolveServer(const std::string& flag, const std::string& data_dir) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("LPV_SERVER"); env && *env) return std::string(env);
  std::string dir = data_dir.empty() ? DefaultDataDir() : data_dir;
  std::ifstream in(std::filesystem::path(dir) / "server.address");
  std::string addr;
  if (in >> addr && !addr.empty()) return addr;
  return Status::Make(Reason::ServiceUnavailable,
                      "no lpv server found: pass --server HOST:PORT, set LPV_SERVER, or start "
                      "`lpv server --data-dir " + dir + "`");
}

std::string ResolveToken(const std::string& flag, const std::string& data_dir) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("LPV_TOKEN"); env && *env) return env;
  std::ifstream in(apiserver::TokenFile(data_dir.empty() ? DefaultDataDir() : data_dir));
  std::string token;
  in >> token;
  return token;
}

Result<ServerInfo> GetServerInfo(const std::string& target, int timeout_ms,
                                 const std::string& token) {
  auto stub = api::Lpv::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  ctx.set_wait_for_ready(true);
  AddToken(&ctx, token);
  api::InfoRequest req;
  api::InfoResponse resp;
  grpc::Status s = stub->Info(&ctx, req, &resp);
  if (!s.ok()) {
    return FromRpcStatus(s, Status::Make(Reason::ServiceUnavailable,
                                         "The connection to the server " + target +
                                             " was refused - did you specify the right host "
                                             "or port?"));
  }
  return ServerInfo{resp.version(), resp.revision(), resp.data_dir()};
}

Result<std::string> CallAdmin(const std::string& target, const std::string& verb,
                              const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& options,
                              const std::string& token) {
  auto stub = api::Lpv::NewStub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  AddToken(&ctx, token);
  api::AdminRequest req;
  req.set_verb(verb);
  for (const auto& a : args) req.add_args(a);
  for (const auto& [k, v] : options) (*req.mutable_options())[k] = v;
  api::AdminResponse resp;
  grpc::Status s = stub->Admin(&ctx, req, &resp);
  if (!s.ok()) {
    return FromRpcStatus(s, Status::Make(Reason::ServiceUnavailable,
                                         "The connection to the server " + target +
                                             " was refused - did you specify the right host "
                                             "or port?"));
  }
  if (resp.has_status() && resp.status().code() != 0) return api::StatusFromProto(resp.status());
  return resp.output();
}

}  // namespace lpv::client
