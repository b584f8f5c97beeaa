#include "rest/kube_api.h"

#include <filesystem>
#include <fstream>

namespace lpv::rest {

Result<std::unique_ptr<KubeApi>> KubeApi::Start(apiserver::APIServer* server,
                                                const KubeApiOptions& options) {
  std::unique_ptr<KubeApi> api(new KubeApi());
  // The router needs the address before the listener exists; it is only shown in /api, so
  // the host is enough until the port is known.
  auto* router_slot = &api->router_;
  auto http = StartHttpServer(options.host, options.port,
                              [router_slot](const Request& req, ResponseWriter* w) {
                                (*router_slot)->Handle(req, w);
                              });
  if (!http.ok()) return http.status();
  api->http_ = std::move(*http);
  api->router_ = std::make_unique<Router>(
      server, options.handlers, options.host + ":" + std::to_string(api->http_->port()));
  return api;
}

KubeApi::~KubeApi() { Stop(); }

void KubeApi::Stop() {
  if (http_) http_->Stop();
}

std::string KubeconfigPath(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "kubeconfig").string();
}

Status WriteKubeconfig(const std::string& path, const std::string& url) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "apiVersion: v1\n"
           "kind: Config\n"
           "clusters:\n"
           "- name: lpv\n"
           "  cluster:\n"
           "    server: "
        << url
        << "\n"
           // Plain HTTP on loopback: @kubernetes/client-node refuses http:// unless TLS
           // verification is declared off; kubectl ignores it for http://.
           "    insecure-skip-tls-verify: true\n"
           "contexts:\n"
           "- name: lpv\n"
           "  context:\n"
           "    cluster: lpv\n"
           "    namespace: default\n"
           "    user: lpv\n"
           "current-context: lpv\n"
           "preferences: {}\n"
           "users:\n"
           "- name: lpv\n"
           "  user: {}\n";
    if (!out) return Status::Internal("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot write " + path + ": " + ec.message());
  return Status::OK();
}

}  // namespace lpv::rest
