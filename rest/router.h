// The Kubernetes REST API's URL space: discovery (/version, /api, /apis, group versions),
// /openapi/v2, health checks, and the object paths
//   /api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]
//   /apis/GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME[/SUBRESOURCE]]
// dispatched to handlers.h.
//
// Thread-safety: Handle may run on many threads at once; the APIServer is thread-safe.
#pragma once

#include <string>

#include "apiserver/apiserver.h"
#include "rest/handlers.h"
#include "rest/http.h"

namespace lpv::rest {

class Router {
 public:
  // `server_address` is host:port as clients reach the server (for /api).
  Router(apiserver::APIServer* server, HandlerOptions options, std::string server_address);
  void Handle(const Request& req, ResponseWriter* w) const;

 private:
  Context ctx_;
  std::string server_address_;
};

}  // namespace lpv::rest
