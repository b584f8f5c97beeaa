#include "rest/router.h"

#include <vector>

#include "rest/discovery.h"
#include "rest/openapi.h"
#include "rest/status_json.h"

namespace lpv::rest {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> segs;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) segs.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segs;
}

// Kubernetes' answer to a path it does not serve.
void NotFoundPath(ResponseWriter* w) {
  SendStatus(w, Status::Make(Reason::NotFound, "the server could not find the requested resource"));
}

// The object path after /api/v1 or /apis/GROUP/VERSION.
bool ResolveTarget(const std::string& group, const std::string& version,
                   std::vector<std::string> rest, Target* t) {
  bool ns_in_path = false;
  if (rest.size() >= 3 && rest[0] == "namespaces") {
    t->ns = rest[1];
    ns_in_path = true;
    rest.erase(rest.begin(), rest.begin() + 2);
  }
  if (rest.empty() || rest.size() > 3) return false;
  for (const auto& k : api::AllKinds()) {
    if (k.group == group && k.version == version && k.resource == rest[0]) t->kind = &k;
  }
  if (t->kind == nullptr) return false;
  if (ns_in_path != t->kind->namespaced && (ns_in_path || rest.size() > 1)) return false;
  if (rest.size() > 1) t->name = rest[1];
  if (rest.size() > 2) t->subresource = rest[2];
  return true;
}

}  // namespace

Router::Router(apiserver::APIServer* server, HandlerOptions options, std::string server_address)
    : ctx_{server, options}, server_address_(std::move(server_address)) {}

void Router::Handle(const Request& req, ResponseWriter* w) const {
  std::vector<std::string> segs = Segments(req.path);
  const bool get = req.method == "GET";
  if (segs.size() == 1 && (segs[0] == "healthz" || segs[0] == "livez" || segs[0] == "readyz")) {
    return w->Send(200, "text/plain; charset=utf-8", "ok");
  }
  if (get && segs.size() == 1 && segs[0] == "version") return SendJson(w, 200, VersionJson());
  if (get && segs.size() == 2 && segs[0] == "openapi" && segs[1] == "v2") {
    return ServeOpenApiV2(req, w);
  }
  if (segs.empty()) return NotFoundPath(w);
  std::string group, version;
  std::vector<std::string> rest;
  if (segs[0] == "api") {
    if (segs.size() == 1) {
      if (get) return SendJson(w, 200, CoreVersionsJson(server_address_));
      return NotFoundPath(w);
    }
    version = segs[1];
    rest.assign(segs.begin() + 2, segs.end());
  } else if (segs[0] == "apis") {
    if (segs.size() == 1) {
      if (get) return SendJson(w, 200, GroupListJson());
      return NotFoundPath(w);
    }
    if (segs.size() == 2) return NotFoundPath(w);
    group = segs[1];
    version = segs[2];
    rest.assign(segs.begin() + 3, segs.end());
  } else {
    return NotFoundPath(w);
  }
  if (rest.empty()) {
    auto list = get ? ResourceListJson(group, version) : std::nullopt;
    if (!list) return NotFoundPath(w);
    return SendJson(w, 200, *list);
  }
  Target t;
  if (!ResolveTarget(group, version, rest, &t)) return NotFoundPath(w);
  HandleObjects(ctx_, t, req, w);
}

}  // namespace lpv::rest
