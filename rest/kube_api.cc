#include "rest/kube_api.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "apiserver/auth.h"
#include "rest/status_json.h"

namespace lpv::rest {

Result<std::unique_ptr<KubeApi>> KubeApi::Start(apiserver::APIServer* server,
                                                const KubeApiOptions& options) {
  std::unique_ptr<KubeApi> api(new KubeApi());
  // The router needs the address before the listener exists; it is only shown in /api, so
  // the host is enough until the port is known.
  auto* router_slot = &api->router_;
  const std::string token = options.token;
  auto http = StartHttpServer(options.host, options.port,
                              [router_slot, token](const Request& req, ResponseWriter* w) {
                                // Every path, discovery and health included, as a
                                // Kubernetes API server without anonymous access.
                                if (!token.empty() &&
                                    !apiserver::BearerMatches(req.authorization, token)) {
                                  return SendStatus(w, apiserver::Unauthorized());
                                }
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

Status WriteKubeconfig(const std::string& path, const std::string& url,
                       const std::string& token) {
  std::string tmp = path + ".tmp";
  {
    std::ostringstream out;
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
           "- name: lpv\n";
    if (token.empty()) {
      out << "  user: {}\n";
    } else {
      out << "  user:\n"
             "    token: "
          << token << "\n";
    }
    // Created owner-only (it may hold the token), never readable by others even for a
    // moment; a file left by an earlier run is replaced, not reused with its permissions.
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::Internal("cannot write " + tmp);
    const std::string text = out.str();
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ok = ::fchmod(fd, 0600) == 0 && ok;
    ok = ::close(fd) == 0 && ok;
    if (!ok) return Status::Internal("cannot write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::Internal("cannot write " + path + ": " + ec.message());
  return Status::OK();
}

}  // namespace lpv::rest
