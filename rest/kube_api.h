// The Kubernetes REST API of an lpv server: an HTTP server (server.h) on loopback routing
// to the APIServer registries (router.h), and the kubeconfig that points kubectl at it.
//
//   auto api = lpv::rest::KubeApi::Start(cluster->apiserver(), {});
//   WriteKubeconfig(KubeconfigPath(data_dir), (*api)->url());
#pragma once

#include <memory>
#include <string>

#include "api/status.h"
#include "apiserver/apiserver.h"
#include "rest/handlers.h"
#include "rest/router.h"
#include "rest/server.h"

namespace lpv::rest {

struct KubeApiOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = a free port
  HandlerOptions handlers;
  // The bearer token every request must carry ("" = none): the gRPC service's
  // (apiserver/auth.h), so a server reachable beyond loopback lets no one in through this
  // door without it either. A request without it is 401 Unauthorized.
  std::string token;
};

class KubeApi {
 public:
  static Result<std::unique_ptr<KubeApi>> Start(apiserver::APIServer* server,
                                                const KubeApiOptions& options);
  ~KubeApi();
  std::string url() const { return http_->url(); }
  void Stop();

 private:
  KubeApi() = default;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> http_;
};

// <data_dir>/kubeconfig
std::string KubeconfigPath(const std::string& data_dir);
// A kubeconfig with one cluster, user and context named "lpv", namespace default; the user
// carries `token` when there is one. Written owner-only (0600), as kubectl writes its own.
Status WriteKubeconfig(const std::string& path, const std::string& url,
                       const std::string& token = "");

}  // namespace lpv::rest
