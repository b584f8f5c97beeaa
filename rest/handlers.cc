// get, list, create, update, patch, delete and the pod binding, over the APIServer
// registries: the same calls the gRPC service makes, with Kubernetes JSON in and out.
#include "rest/handlers.h"

#include "api/codec.h"
#include "apiserver/list_pages.h"
#include "rest/patch.h"
#include "rest/status_json.h"
#include "rest/tables.h"

namespace lpv::rest {
namespace {

using api::Json;
using apiserver::ObjectPtr;

void SendObject(const Context& ctx, const Request& req, ResponseWriter* w, int code,
                const google::protobuf::Message& obj) {
  if (auto table = TableRequested(req.accept)) {
    const api::KindInfo* kind = api::KindOf(obj);
    SendJson(w, code,
             TableJson(kind ? kind->kind : "", {&obj}, *table, req.Param("includeObject"),
                       ctx.server->clock()->Now()));
    return;
  }
  w->Send(code, kJson, api::ToJsonString(obj, false));
}

void SendResult(const Context& ctx, const Request& req, ResponseWriter* w, int code,
                const Result<ObjectPtr>& r) {
  if (!r.ok()) return SendStatus(w, r.status());
  SendObject(ctx, req, w, code, **r);
}

bool DryRun(const Request& req) { return req.Param("dryRun") == "All"; }

// The request body as an object of the target's kind, its namespace and name checked
// against the path as Kubernetes' handlers do.
Result<ObjectPtr> DecodeBody(const Target& t, const Request& req) {
  Json json = Json::parse(req.body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return Status::BadRequest("the body of the request was in an unknown format - accepted "
                              "media types include: application/json, application/yaml");
  }
  if (json.contains("kind") && json["kind"].is_string() && json["kind"] != t.kind->kind) {
    return Status::BadRequest(json["kind"].get<std::string>() + " in version \"" +
                              t.kind->version + "\" cannot be handled as a " + t.kind->kind);
  }
  ObjectPtr obj = t.kind->New();
  std::vector<std::string> warnings;
  Status s = api::FromJson(json, obj.get(), &warnings);
  if (!s.ok()) return s;
  api::ObjectMeta* meta = api::MutableMeta(obj.get());
  if (t.kind->namespaced) {
    if (meta->namespace_().empty()) {
      meta->set_namespace_(t.ns);
    } else if (meta->namespace_() != t.ns) {
      return Status::BadRequest(
          "the namespace of the provided object does not match the namespace sent on the "
          "request");
    }
  }
  if (!t.name.empty() && meta->name() != t.name) {
    return Status::BadRequest("the name of the object (" + meta->name() +
                              ") does not match the name on the URL (" + t.name + ")");
  }
  api::SetTypeMeta(obj.get());
  return obj;
}

void Create(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  auto obj = DecodeBody(t, req);
  if (!obj.ok()) return SendStatus(w, obj.status());
  SendResult(ctx, req, w, 201, ctx.server->Create(**obj, DryRun(req)));
}

void Bind(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  Json json = Json::parse(req.body, nullptr, false);
  api::Binding binding;
  std::vector<std::string> warnings;
  Status s = json.is_discarded() ? Status::BadRequest("the body of the request is not JSON")
                                 : api::FromJson(json, &binding, &warnings);
  if (!s.ok()) return SendStatus(w, s);
  if (binding.metadata().name().empty()) binding.mutable_metadata()->set_name(t.name);
  if (binding.metadata().namespace_().empty()) binding.mutable_metadata()->set_namespace_(t.ns);
  if (binding.metadata().name() != t.name) {
    return SendStatus(w, Status::BadRequest("the name of the object (" +
                                            binding.metadata().name() +
                                            ") does not match the name on the URL (" + t.name +
                                            ")"));
  }
  auto r = ctx.server->Bind(binding);
  if (!r.ok()) return SendStatus(w, r.status());
  Json ok;
  ok["kind"] = "Status";
  ok["apiVersion"] = "v1";
  ok["metadata"] = Json::object();
  ok["status"] = "Success";
  ok["code"] = 201;
  SendJson(w, 201, ok);
}

void Update(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  auto obj = DecodeBody(t, req);
  if (!obj.ok()) return SendStatus(w, obj.status());
  SendResult(ctx, req, w, 200,
             ctx.server->Update(**obj, t.subresource == "status", DryRun(req)));
}

void Patch(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  // Read, patch, write; a concurrent write between the read and the write is retried,
  // unless the patch itself names the resourceVersion it expects.
  for (int attempt = 0;; ++attempt) {
    auto current = ctx.server->Get(*t.kind, t.ns, t.name);
    if (!current.ok()) return SendStatus(w, current.status());
    Json original = api::ToJson(**current);
    auto patched = ApplyPatch(original, req.content_type, req.body);
    if (!patched.ok()) return SendStatus(w, patched.status());
    if (!patched->is_object()) {
      return SendStatus(w, Status::BadRequest("the patch did not produce an object"));
    }
    Json& meta = (*patched)["metadata"];
    bool rv_in_patch = meta.is_object() && meta.contains("resourceVersion") &&
                       meta["resourceVersion"] != original["metadata"]["resourceVersion"];
    Request body_req = req;
    body_req.body = patched->dump();
    auto obj = DecodeBody(t, body_req);
    if (!obj.ok()) return SendStatus(w, obj.status());
    if (!rv_in_patch) {
      api::MutableMeta(obj->get())->set_resource_version(api::Meta(**current).resource_version());
    }
    auto r = ctx.server->Update(**obj, t.subresource == "status", DryRun(req));
    if (!r.ok() && r.status().IsConflict() && !rv_in_patch && attempt < 10) continue;
    return SendResult(ctx, req, w, 200, r);
  }
}

void Delete(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  apiserver::DeleteOptions opts;
  opts.dry_run = DryRun(req);
  std::string propagation = req.Param("propagationPolicy");
  std::string grace = req.Param("gracePeriodSeconds");
  if (!req.body.empty()) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return SendStatus(w, Status::BadRequest("the body of the request is not a DeleteOptions"));
    }
    if (body.contains("propagationPolicy") && body["propagationPolicy"].is_string()) {
      propagation = body["propagationPolicy"].get<std::string>();
    } else if (body.contains("orphanDependents") && body["orphanDependents"].is_boolean()) {
      // The deprecated boolean older clients send: true orphans, false cascades.
      propagation = body["orphanDependents"].get<bool>() ? apiserver::kDeletePropagationOrphan
                                                         : apiserver::kDeletePropagationBackground;
    }
    if (body.contains("gracePeriodSeconds") && body["gracePeriodSeconds"].is_number_integer()) {
      grace = std::to_string(body["gracePeriodSeconds"].get<int64_t>());
    }
    // kubectl delete --dry-run=server sends it in the DeleteOptions body.
    if (body.contains("dryRun") && body["dryRun"].is_array()) {
      for (const auto& d : body["dryRun"]) {
        if (d.is_string() && d.get<std::string>() == "All") opts.dry_run = true;
      }
    }
    if (body.contains("preconditions") && body["preconditions"].is_object()) {
      const Json& p = body["preconditions"];
      if (p.contains("uid") && p["uid"].is_string()) opts.uid = p["uid"];
      if (p.contains("resourceVersion") && p["resourceVersion"].is_string()) {
        opts.resource_version = p["resourceVersion"];
      }
    }
  }
  if (!grace.empty()) {
    try {
      opts.grace_period_seconds = std::stoll(grace);
    } catch (...) {
      return SendStatus(w, Status::BadRequest("invalid gracePeriodSeconds: " + grace));
    }
  }
  // Validated, and carried out with the garbage collector, by the registry (apiserver.h):
  // the same for gRPC, the CLI and REST.
  opts.propagation_policy = propagation;
  SendResult(ctx, req, w, 200, ctx.server->Delete(*t.kind, t.ns, t.name, opts));
}

void List(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  apiserver::ListOptions opts;
  opts.label_selector = req.Param("labelSelector");
  opts.field_selector = req.Param("fieldSelector");
  opts.resource_version = req.Param("resourceVersion");
  opts.continue_token = req.Param("continue");
  std::string limit = req.Param("limit");
  if (!limit.empty()) {
    try {
      opts.limit = std::stoll(limit);
    } catch (...) {
      return SendStatus(w, Status::BadRequest("invalid limit: " + limit));
    }
  }
  auto list = ctx.server->List(*t.kind, t.ns, opts);
  if (!list.ok()) {
    if (list.status().IsGone() && !opts.continue_token.empty()) {
      // handleCompactedErrorForPaging: the Status carries a token that continues at the
      // current state, for a client that accepts an inconsistent list.
      Json status = StatusToJson(list.status());
      std::string fresh = apiserver::InconsistentContinueToken(opts.continue_token);
      if (!fresh.empty()) status["metadata"]["continue"] = fresh;
      return SendJson(w, list.status().code(), status);
    }
    return SendStatus(w, list.status());
  }
  std::vector<const google::protobuf::Message*> items;
  for (const auto& item : list->items) items.push_back(item.get());
  Json meta;
  meta["resourceVersion"] = list->resource_version;
  if (!list->continue_token.empty()) {
    meta["continue"] = list->continue_token;
    if (list->remaining_item_count > 0) meta["remainingItemCount"] = list->remaining_item_count;
  }
  if (auto table = TableRequested(req.accept)) {
    Json j = TableJson(t.kind->kind, items, *table, req.Param("includeObject"),
                       ctx.server->clock()->Now());
    j["metadata"] = meta;
    return SendJson(w, 200, j);
  }
  Json j;
  j["kind"] = t.kind->kind + "List";
  j["apiVersion"] = t.kind->ApiVersion();
  j["metadata"] = meta;
  j["items"] = Json::array();
  for (const auto* item : items) j["items"].push_back(api::ToJson(*item));
  SendJson(w, 200, j);
}

Status MethodNotAllowed() {
  return Status::Make(Reason::MethodNotAllowed,
                      "the server does not allow this method on the requested resource");
}

}  // namespace

void HandleObjects(const Context& ctx, const Target& t, const Request& req, ResponseWriter* w) {
  const std::string& m = req.method;
  if (!t.subresource.empty() && t.subresource != "status" &&
      !(t.subresource == "binding" && t.kind->kind == "Pod")) {
    return SendStatus(w, Status::NotFound(t.kind->resource + "/" + t.subresource, t.name));
  }
  if (t.subresource == "status" && !t.kind->has_status) {
    return SendStatus(w, Status::NotFound(t.kind->resource + "/status", t.name));
  }
  if (t.name.empty()) {
    if (m == "GET") {
      if (req.Param("watch") == "true" || req.Param("watch") == "1") {
        return HandleWatch(ctx, t, req, w);
      }
      return List(ctx, t, req, w);
    }
    if (m == "POST") return Create(ctx, t, req, w);
    return SendStatus(w, MethodNotAllowed());
  }
  if (t.subresource == "binding") {
    if (m == "POST") return Bind(ctx, t, req, w);
    return SendStatus(w, MethodNotAllowed());
  }
  if (m == "GET") {
    if (req.Param("watch") == "true" || req.Param("watch") == "1") {
      // A watch of one object: the collection watch narrowed by name.
      Request narrowed = req;
      std::string fs = req.Param("fieldSelector");
      narrowed.query["fieldSelector"] =
          (fs.empty() ? "" : fs + ",") + "metadata.name=" + t.name;
      Target all = t;
      all.name.clear();
      return HandleWatch(ctx, all, narrowed, w);
    }
    return SendResult(ctx, req, w, 200, ctx.server->Get(*t.kind, t.ns, t.name));
  }
  if (m == "PUT") return Update(ctx, t, req, w);
  if (m == "PATCH") return Patch(ctx, t, req, w);
  if (m == "DELETE" && t.subresource.empty()) return Delete(ctx, t, req, w);
  SendStatus(w, MethodNotAllowed());
}

}  // namespace lpv::rest
