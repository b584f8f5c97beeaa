#include "apiserver/grpc_service.h"

#include <grpcpp/grpcpp.h>

#include "api/status_proto.h"
#include "apiserver/auth.h"

namespace lpv::apiserver {

namespace {

const api::KindInfo* FindKind(const std::string& kind, lpv::Status* err) {
  const api::KindInfo* info = api::LookupKind(kind);
  if (info == nullptr) {
    *err = lpv::Status::BadRequest("the server doesn't have a resource type \"" + kind + "\"");
  }
  return info;
}

Result<ObjectPtr> DecodeRequestObject(const api::KindInfo& kind, const std::string& bytes) {
  if (bytes.size() > kMaxRequestBodyBytes) {
    return lpv::Status::Make(Reason::RequestEntityTooLarge,
                             "Request entity too large: limit is " +
                                 std::to_string(kMaxRequestBodyBytes));
  }
  ObjectPtr obj = kind.New();
  if (!obj->ParseFromString(bytes)) {
    return lpv::Status::BadRequest("the request body is not a valid " + kind.kind);
  }
  return obj;
}

void Fill(const Result<ObjectPtr>& r, api::ObjectResponse* resp) {
  if (!r.ok()) {
    api::StatusToProto(r.status(), resp->mutable_status());
    return;
  }
  (*r)->SerializeToString(resp->mutable_object());
}

}  // namespace

GrpcService::GrpcService(APIServer* server, std::string data_dir)
    : server_(server), data_dir_(std::move(data_dir)) {}

grpc::Status GrpcService::Authorize(const grpc::ServerContext* ctx) const {
  if (token_.empty()) return grpc::Status::OK;
  const auto& md = ctx->client_metadata();
  auto it = md.find(kAuthorizationHeader);
  if (it != md.end() && md.count(kAuthorizationHeader) == 1 &&
      BearerMatches(std::string_view(it->second.data(), it->second.size()), token_)) {
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, Unauthorized().message());
}

grpc::Status GrpcService::Create(grpc::ServerContext* ctx, const api::ObjectRequest* req,
                                 api::ObjectResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  lpv::Status err;
  const api::KindInfo* kind = FindKind(req->kind(), &err);
  if (!kind) {
    api::StatusToProto(err, resp->mutable_status());
    return grpc::Status::OK;
  }
  auto obj = DecodeRequestObject(*kind, req->object());
  if (!obj.ok()) {
    api::StatusToProto(obj.status(), resp->mutable_status());
    return grpc::Status::OK;
  }
  Fill(server_->Create(**obj, req->dry_run()), resp);
  return grpc::Status::OK;
}

grpc::Status GrpcService::Get(grpc::ServerContext* ctx, const api::ObjectRequest* req,
                              api::ObjectResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  lpv::Status err;
  const api::KindInfo* kind = FindKind(req->kind(), &err);
  if (!kind) {
    api::StatusToProto(err, resp->mutable_status());
    return grpc::Status::OK;
  }
  Fill(server_->Get(*kind, req->namespace_(), req->name()), resp);
  return grpc::Status::OK;
}

grpc::Status GrpcService::Update(grpc::ServerContext* ctx, const api::ObjectRequest* req,
                                 api::ObjectResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  lpv::Status err;
  const api::KindInfo* kind = FindKind(req->kind(), &err);
  if (!kind) {
    api::StatusToProto(err, resp->mutable_status());
    return grpc::Status::OK;
  }
  auto obj = DecodeRequestObject(*kind, req->object());
  if (!obj.ok()) {
    api::StatusToProto(obj.status(), resp->mutable_status());
    return grpc::Status::OK;
  }
  Fill(server_->Update(**obj, req->status(), req->dry_run()), resp);
  return grpc::Status::OK;
}

grpc::Status GrpcService::Delete(grpc::ServerContext* ctx, const api::ObjectRequest* req,
                                 api::ObjectResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  lpv::Status err;
  const api::KindInfo* kind = FindKind(req->kind(), &err);
  if (!kind) {
    api::StatusToProto(err, resp->mutable_status());
    return grpc::Status::OK;
  }
  DeleteOptions opts;
  opts.resource_version = req->resource_version();
  opts.uid = req->uid();
  if (req->has_grace_period_seconds()) opts.grace_period_seconds = req->grace_period_seconds();
  opts.propagation_policy = req->propagation_policy();
  Fill(server_->Delete(*kind, req->namespace_(), req->name(), opts), resp);
  return grpc::Status::OK;
}

grpc::Status GrpcService::Bind(grpc::ServerContext* ctx, const api::ObjectRequest* req,
                               api::ObjectResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  api::Binding binding;
  if (!binding.ParseFromString(req->object())) {
    api::StatusToProto(lpv::Status::BadRequest("the request body is not a valid Binding"),
                       resp->mutable_status());
    return grpc::Status::OK;
  }
  Fill(server_->Bind(binding), resp);
  return grpc::Status::OK;
}

grpc::Status GrpcService::List(grpc::ServerContext* ctx, const api::ListRequest* req,
                               api::ListResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  lpv::Status err;
  const api::KindInfo* kind = FindKind(req->kind(), &err);
  if (!kind) {
    api::StatusToProto(err, resp->mutable_status());
    return grpc::Status::OK;
  }
  ListOptions options{req->label_selector(), req->field_selector(), ""};
  options.limit = req->limit();
  options.continue_token = req->continue_();
  options.wire = true;
  auto list = server_->List(*kind, req->namespace_(), options);
  if (!list.ok()) {
    api::StatusToProto(list.status(), resp->mutable_status());
    return grpc::Status::OK;
  }
  resp->set_resource_version(list->resource_version);
  resp->set_continue_(list->continue_token);
  resp->set_remaining_item_count(list->remaining_item_count);
  for (const auto& item : list->items) item->SerializeToString(resp->add_items());
  for (auto& item : list->wire_items) *resp->add_items() = std::move(item.bytes);
  return grpc::Status::OK;
}

grpc::Status GrpcService::Watch(grpc::ServerContext* ctx, const api::ListRequest* req,
                                grpc::ServerWriter<api::WatchEvent>* writer) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  lpv::Status err;
  const api::KindInfo* kind = FindKind(req->kind(), &err);
  auto send_error = [&](const lpv::Status& s) {
    api::WatchEvent ev;
    ev.set_type("ERROR");
    api::StatusToProto(s, ev.mutable_status());
    writer->Write(ev);
    return grpc::Status::OK;
  };
  if (!kind) return send_error(err);
  ListOptions options{req->label_selector(), req->field_selector(), req->resource_version()};
  options.wire = true;
  auto w = server_->Watch(*kind, req->namespace_(), options);
  if (!w.ok()) return send_error(w.status());
  while (!ctx->IsCancelled()) {
    WatchEvent ev;
    if (!(*w)->Next(&ev, std::chrono::milliseconds(100))) {
      if ((*w)->done()) {
        if (!(*w)->status().ok()) return send_error((*w)->status());
        return grpc::Status::OK;
      }
      continue;
    }
    api::WatchEvent out;
    out.set_type(ev.type);
    if (ev.wire) {
      out.set_resource_version(std::to_string(ev.wire->revision));
      *out.mutable_object() = std::move(ev.wire->bytes);
    } else {
      out.set_resource_version(api::Meta(*ev.object).resource_version());
      ev.object->SerializeToString(out.mutable_object());
    }
    if (!writer->Write(out)) break;
  }
  (*w)->Stop();
  return grpc::Status::OK;
}

grpc::Status GrpcService::Info(grpc::ServerContext* ctx, const api::InfoRequest*,
                               api::InfoResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  resp->set_version("lpv v0.1.0 (Kubernetes v1.29 API)");
  resp->set_revision(std::to_string(server_->Revision()));
  resp->set_data_dir(data_dir_);
  return grpc::Status::OK;
}

grpc::Status GrpcService::Admin(grpc::ServerContext* ctx, const api::AdminRequest* req,
                                api::AdminResponse* resp) {
  if (grpc::Status auth = Authorize(ctx); !auth.ok()) return auth;
  if (!admin_) {
    api::StatusToProto(lpv::Status::BadRequest("admin verb \"" + req->verb() +
                                               "\" is not available on this server"),
                       resp->mutable_status());
    return grpc::Status::OK;
  }
  std::vector<std::string> args(req->args().begin(), req->args().end());
  std::map<std::string, std::string> opts(req->options().begin(), req->options().end());
  auto r = admin_(req->verb(), args, opts);
  if (!r.ok()) {
    api::StatusToProto(r.status(), resp->mutable_status());
  } else {
    resp->set_output(*r);
  }
  return grpc::Status::OK;
}

std::unique_ptr<grpc::Server> StartGrpcServer(GrpcService* service, const std::string& address,
                                              int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), port);
  builder.RegisterService(service);
  // Room for a request just over the limit, so the service answers it with Kubernetes' 413;
  // anything larger gRPC refuses itself (RESOURCE_EXHAUSTED, which the client maps to 413).
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxRequestBodyBytes + 64 * 1024));
  // Watches hold a thread each: allow many, as informers keep one per kind open.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 4);
  auto server = builder.BuildAndStart();
  if (!server || *port == 0) return nullptr;
  return server;
}

}  // namespace lpv::apiserver
