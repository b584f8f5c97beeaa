// Watch over HTTP: newline-delimited JSON events {"type":"ADDED","object":{...}} on a
// chunked response, as Kubernetes streams them, until the client goes, timeoutSeconds
// passes or the watch ends. A watch that falls behind or starts before the compacted
// history ends with an ERROR event carrying a 410 Status (client-go then relists).
// BOOKMARK events (allowWatchBookmarks) carry only a resourceVersion: that of the last
// event sent, so a client resuming from it misses nothing.
#include <chrono>

#include "api/codec.h"
#include "rest/handlers.h"
#include "rest/status_json.h"
#include "rest/tables.h"

namespace lpv::rest {
namespace {

using api::Json;
using Clock = std::chrono::steady_clock;

std::string EventLine(const std::string& type, Json object) {
  Json ev;
  ev["type"] = type;
  ev["object"] = std::move(object);
  return ev.dump() + "\n";
}

}  // namespace

void HandleWatch(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  apiserver::ListOptions opts;
  opts.label_selector = req.Param("labelSelector");
  opts.field_selector = req.Param("fieldSelector");
  opts.resource_version = req.Param("resourceVersion");
  std::optional<Clock::time_point> deadline;
  if (std::string s = req.Param("timeoutSeconds"); !s.empty()) {
    try {
      deadline = Clock::now() + std::chrono::seconds(std::stoll(s));
    } catch (...) {
      return SendStatus(w, Status::BadRequest("invalid timeoutSeconds: " + s));
    }
  }
  const bool bookmarks = req.Param("allowWatchBookmarks") == "true";
  const auto table = TableRequested(req.accept);

  auto stream = ctx.server->Watch(*t.kind, t.ns, opts);
  if (!stream.ok() && !stream.status().IsGone()) return SendStatus(w, stream.status());
  if (!w->BeginStream(200, kJson)) return;
  if (!stream.ok()) {
    w->WriteChunk(EventLine("ERROR", StatusToJson(stream.status())));
    return;
  }
  auto& s = *stream;
  std::string last_rv = opts.resource_version;
  auto last_bookmark = Clock::now();
  while (!w->ClientGone()) {
    if (deadline && Clock::now() >= *deadline) break;
    apiserver::WatchEvent ev;
    if (!s->Next(&ev, std::chrono::milliseconds(200))) {
      if (s->done()) {
        if (!s->status().ok()) w->WriteChunk(EventLine("ERROR", StatusToJson(s->status())));
        break;
      }
      if (bookmarks && !last_rv.empty() && last_rv != "0" &&
          Clock::now() - last_bookmark >= ctx.options.bookmark_interval) {
        Json obj;
        obj["kind"] = t.kind->kind;
        obj["apiVersion"] = t.kind->ApiVersion();
        obj["metadata"]["resourceVersion"] = last_rv;
        if (!w->WriteChunk(EventLine("BOOKMARK", obj))) break;
        last_bookmark = Clock::now();
      }
      continue;
    }
    last_rv = api::Meta(*ev.object).resource_version();
    Json obj = table ? TableJson(t.kind->kind, {ev.object.get()}, *table,
                                 req.Param("includeObject"), ctx.server->clock()->Now())
                     : api::ToJson(*ev.object);
    if (!w->WriteChunk(EventLine(ev.type, std::move(obj)))) break;
  }
  s->Stop();
}

}  // namespace lpv::rest
