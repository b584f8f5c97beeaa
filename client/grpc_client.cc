#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "api/clock.h"
#include "api/service.grpc.pb.h"
#include "api/status_proto.h"
#include "client/client.h"
#include "client/rpc_status.h"

namespace lpv::client {

namespace {

Status RpcError(const grpc::Status& s) {
  return FromRpcStatus(s, Status::Make(Reason::ServiceUnavailable,
                                       "the lpv server could not be reached: " +
                                           s.error_message()));
}

Result<ObjectPtr> DecodeObject(const api::KindInfo& kind, const api::ObjectResponse& resp) {
  if (resp.has_status() && resp.status().code() != 0) return api::StatusFromProto(resp.status());
  ObjectPtr obj = kind.New();
  if (!obj->ParseFromString(resp.object())) {
    return Status::Internal("the server sent an undecodable " + kind.kind);
  }
  return obj;
}

// Reads the server stream on its own thread so Next() can wait with a timeout and Stop()
// can cancel from anywhere. Events the caller has not taken wait in a bounded queue: a
// caller more than `queue_limit` behind is cut off with Gone, as the store cuts off its own
// slow watchers, and relists, rather than the queue growing without bound.
class GrpcWatch : public WatchStream {
 public:
  GrpcWatch(api::Lpv::Stub* stub, const api::KindInfo& kind, api::ListRequest req,
            const std::string& token, size_t queue_limit)
      : kind_(kind), queue_limit_(queue_limit) {
    AddToken(&ctx_, token);
    reader_ = stub->Watch(&ctx_, req);
    thread_ = std::thread([this] { Run(); });
  }
  ~GrpcWatch() override {
    Stop();
    thread_.join();
  }

  bool Next(WatchEvent* ev, std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_until(l, SteadyDeadline(timeout), [&] { return !queue_.empty() || ended_; });
    if (queue_.empty()) {
      done_ = ended_;
      return false;
    }
    *ev = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }
  bool done() const override {
    std::lock_guard<std::mutex> l(mu_);
    return done_;
  }
  Status status() const override {
    std::lock_guard<std::mutex> l(mu_);
    return status_;
  }
  void Stop() override { ctx_.TryCancel(); }

 private:
  void Run() {
    api::WatchEvent in;
    while (reader_->Read(&in)) {
      if (in.type() == "ERROR") {
        std::lock_guard<std::mutex> l(mu_);
        status_ = api::StatusFromProto(in.status());
        break;
      }
      WatchEvent ev;
      ev.type = in.type();
      ObjectPtr obj = kind_.New();
      obj->ParseFromString(in.object());
      ev.object = std::move(obj);
      std::lock_guard<std::mutex> l(mu_);
      if (queue_.size() >= queue_limit_) {
        // The store's words for its own cut-off; the queue goes and the watch ends.
        status_ = Status::Gone("watcher fell behind: more than " + std::to_string(queue_limit_) +
                               " events queued");
        queue_.clear();
        ctx_.TryCancel();
        break;
      }
      queue_.push_back(std::move(ev));
      cv_.notify_all();
    }
    grpc::Status s = reader_->Finish();
    std::lock_guard<std::mutex> l(mu_);
    if (status_.ok() && !s.ok() && s.error_code() != grpc::StatusCode::CANCELLED) {
      status_ = RpcError(s);
    }
    ended_ = true;
    cv_.notify_all();
  }

  const api::KindInfo& kind_;
  const size_t queue_limit_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<api::WatchEvent>> reader_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> queue_;
  bool ended_ = false;
  bool done_ = false;
  Status status_;
};

// A list of a big cluster (tens of thousands of events or pods) is far past gRPC's 4 MiB
// default for a received message; Kubernetes bounds list responses only by memory, so do we.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

class GrpcClient : public Client {
 public:
  GrpcClient(const std::string& target, std::string token, size_t watch_queue_limit)
      : stub_(api::Lpv::NewStub(NewChannel(target))),
        token_(std::move(token)),
        watch_queue_limit_(watch_queue_limit) {}

  Result<ObjectPtr> Create(const Message& obj) override {
    const api::KindInfo* kind = api::KindOf(obj);
    api::ObjectRequest req;
    req.set_kind(kind->kind);
    obj.SerializeToString(req.mutable_object());
    return Call(&api::Lpv::Stub::Create, *kind, req);
  }
  Result<ObjectPtr> Get(const api::KindInfo& kind, const std::string& ns,
                        const std::string& name) override {
    api::ObjectRequest req;
    req.set_kind(kind.kind);
    req.set_namespace_(ns);
    req.set_name(name);
    return Call(&api::Lpv::Stub::Get, kind, req);
  }
  Result<ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                          const ListOptions& options) override {
    api::ListRequest req;
    req.set_kind(kind.kind);
    req.set_namespace_(ns);
    req.set_label_selector(options.label_selector);
    req.set_field_selector(options.field_selector);
    req.set_limit(options.limit);
    req.set_continue_(options.continue_token);
    api::ListResponse resp;
    grpc::ClientContext ctx;
    AddToken(&ctx, token_);
    grpc::Status s = stub_->List(&ctx, req, &resp);
    if (!s.ok()) return RpcError(s);
    if (resp.has_status() && resp.status().code() != 0) return api::StatusFromProto(resp.status());
    ObjectList out;
    out.resource_version = resp.resource_version();
    out.continue_token = resp.continue_();
    out.remaining_item_count = resp.remaining_item_count();
    for (const auto& bytes : resp.items()) {
      ObjectPtr obj = kind.New();
      obj->ParseFromString(bytes);
      out.items.push_back(std::move(obj));
    }
    return out;
  }
  Result<ObjectPtr> Update(const Message& obj) override { return DoUpdate(obj, false); }
  Result<ObjectPtr> UpdateStatus(const Message& obj) override { return DoUpdate(obj, true); }
  Result<ObjectPtr> Delete(const api::KindInfo& kind, const std::string& ns,
                           const std::string& name, const DeleteOptions& options) override {
    api::ObjectRequest req;
    req.set_kind(kind.kind);
    req.set_namespace_(ns);
    req.set_name(name);
    req.set_resource_version(options.resource_version);
    req.set_uid(options.uid);
    if (options.grace_period_seconds) req.set_grace_period_seconds(*options.grace_period_seconds);
    req.set_propagation_policy(options.propagation_policy);
    return Call(&api::Lpv::Stub::Delete, kind, req);
  }
  Result<ObjectPtr> Bind(const api::Binding& binding) override {
    api::ObjectRequest req;
    req.set_kind("Binding");
    binding.SerializeToString(req.mutable_object());
    return Call(&api::Lpv::Stub::Bind, *api::KindOf("Pod"), req);
  }
  Result<std::unique_ptr<WatchStream>> Watch(const api::KindInfo& kind, const std::string& ns,
                                             const ListOptions& options) override {
    api::ListRequest req;
    req.set_kind(kind.kind);
    req.set_namespace_(ns);
    req.set_label_selector(options.label_selector);
    req.set_field_selector(options.field_selector);
    req.set_resource_version(options.resource_version);
    return std::unique_ptr<WatchStream>(
        new GrpcWatch(stub_.get(), kind, req, token_, watch_queue_limit_));
  }

 private:
  using Method = grpc::Status (api::Lpv::Stub::*)(grpc::ClientContext*,
                                                  const api::ObjectRequest&,
                                                  api::ObjectResponse*);
  Result<ObjectPtr> Call(Method m, const api::KindInfo& kind, const api::ObjectRequest& req) {
    api::ObjectResponse resp;
    grpc::ClientContext ctx;
    AddToken(&ctx, token_);
    grpc::Status s = (stub_.get()->*m)(&ctx, req, &resp);
    if (!s.ok()) return RpcError(s);
    return DecodeObject(kind, resp);
  }
  Result<ObjectPtr> DoUpdate(const Message& obj, bool status) {
    const api::KindInfo* kind = api::KindOf(obj);
    api::ObjectRequest req;
    req.set_kind(kind->kind);
    req.set_status(status);
    obj.SerializeToString(req.mutable_object());
    return Call(&api::Lpv::Stub::Update, *kind, req);
  }

  std::unique_ptr<api::Lpv::Stub> stub_;
  std::string token_;
  size_t watch_queue_limit_;
};

}  // namespace

std::unique_ptr<Client> NewGrpcClient(const std::string& target, const std::string& token) {
  return NewGrpcClient(target, GrpcClientOptions{token});
}

std::unique_ptr<Client> NewGrpcClient(const std::string& target,
                                      const GrpcClientOptions& options) {
  return std::make_unique<GrpcClient>(target, options.token, options.watch_queue_limit);
}

}  // namespace lpv::client
