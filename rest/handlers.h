// The object verbs behind /api/v1/... and /apis/<group>/v1/...: what the router found in
// the path, and one function per kind of request. Internal to rest/.
#pragma once

#include <chrono>
#include <string>

#include "api/scheme.h"
#include "apiserver/apiserver.h"
#include "rest/http.h"

namespace lpv::rest {

struct HandlerOptions {
  // How often an idle watch that asked for bookmarks gets one (Kubernetes: about a minute).
  std::chrono::milliseconds bookmark_interval{60000};
};

struct Context {
  apiserver::APIServer* server = nullptr;
  HandlerOptions options;
};

// /api/v1/namespaces/NS/pods/NAME/status: kind pods, ns NS, name NAME, subresource status.
// ns is "" for cluster-scoped kinds and for a namespaced kind listed across namespaces.
struct Target {
  const api::KindInfo* kind = nullptr;
  std::string ns;
  std::string name;
  std::string subresource;
};

// Dispatches on the method: GET (get, list, watch), POST (create, binding), PUT (update),
// PATCH, DELETE.
void HandleObjects(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w);
// GET with watch=true: a stream of {"type":...,"object":...} lines.
void HandleWatch(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w);

}  // namespace lpv::rest
