// client::Client — the one interface every controller and the CLI talk to the API through.
//
// Two implementations: LocalClient calls an in-process APIServer directly; GrpcClient
// speaks the lpv gRPC service. Both pass the same API test suite, so a controller
// neither knows nor cares where the server is.
//
// Thread-safety: implementations are safe for concurrent use.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "api/scheme.h"
#include "api/status.h"
#include "apiserver/apiserver.h"

namespace lpv::client {

using apiserver::DeleteOptions;
using apiserver::ListOptions;
using apiserver::ObjectList;
using apiserver::ObjectPtr;
using apiserver::WatchEvent;
using apiserver::WatchStream;
using Message = google::protobuf::Message;

class Client {
 public:
  virtual ~Client() = default;

  virtual Result<ObjectPtr> Create(const Message& obj) = 0;
  virtual Result<ObjectPtr> Get(const api::KindInfo& kind, const std::string& ns,
                                const std::string& name) = 0;
  virtual Result<ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                                  const ListOptions& options = {}) = 0;
  virtual Result<ObjectPtr> Update(const Message& obj) = 0;
  virtual Result<ObjectPtr> UpdateStatus(const Message& obj) = 0;
  virtual Result<ObjectPtr> Delete(const api::KindInfo& kind, const std::string& ns,
                                   const std::string& name,
                                   const DeleteOptions& options = {}) = 0;
  virtual Result<std::unique_ptr<WatchStream>> Watch(const api::KindInfo& kind,
                                                     const std::string& ns,
                                                     const ListOptions& options = {}) = 0;

  // The pods/binding subresource (the scheduler's bind).
  virtual Result<ObjectPtr> Bind(const api::Binding& binding) = 0;

  // Typed helpers: client.Get<api::PersistentVolume>("", "pv-1").
  template <class T>
  Result<T> Get(const std::string& ns, const std::string& name) {
    auto r = Get(*api::KindOf(T::default_instance()), ns, name);
    if (!r.ok()) return r.status();
    return std::move(static_cast<T&>(**r));
  }
  template <class T>
  Result<T> CreateTyped(const T& obj) {
    auto r = Create(obj);
    if (!r.ok()) return r.status();
    return std::move(static_cast<T&>(**r));
  }
  template <class T>
  Result<T> UpdateTyped(const T& obj) {
    auto r = Update(obj);
    if (!r.ok()) return r.status();
    return std::move(static_cast<T&>(**r));
  }
  template <class T>
  Result<T> UpdateStatusTyped(const T& obj) {
    auto r = UpdateStatus(obj);
    if (!r.ok()) return r.status();
    return std::move(static_cast<T&>(**r));
  }
};

// Calls the APIServer in this process; no serialization on the way.
class LocalClient : public Client {
 public:
  explicit LocalClient(apiserver::APIServer* server) : server_(server) {}
  Result<ObjectPtr> Create(const Message& obj) override { return server_->Create(obj); }
  Result<ObjectPtr> Get(const api::KindInfo& kind, const std::string& ns,
                        const std::string& name) override {
    return server_->Get(kind, ns, name);
  }
  Result<ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                          const ListOptions& options) override {
    return server_->List(kind, ns, options);
  }
  Result<ObjectPtr> Update(const Message& obj) override { return server_->Update(obj); }
  Result<ObjectPtr> UpdateStatus(const Message& obj) override {
    return server_->Update(obj, /*status=*/true);
  }
  Result<ObjectPtr> Delete(const api::KindInfo& kind, const std::string& ns,
                           const std::string& name, const DeleteOptions& options) override {
    return server_->Delete(kind, ns, name, options);
  }
  Result<std::unique_ptr<WatchStream>> Watch(const api::KindInfo& kind, const std::string& ns,
                                             const ListOptions& options) override {
    return server_->Watch(kind, ns, options);
  }
  Result<ObjectPtr> Bind(const api::Binding& binding) override { return server_->Bind(binding); }

 private:
  apiserver::APIServer* server_;
};

// Passes every call on to another client. A wrapper that watches or changes some calls
// (a test's counting or failing client) derives from it and overrides only those.
class ForwardingClient : public Client {
 public:
  explicit ForwardingClient(Client* next) : next_(next) {}
  Result<ObjectPtr> Create(const Message& obj) override { return next_->Create(obj); }
  Result<ObjectPtr> Get(const api::KindInfo& kind, const std::string& ns,
                        const std::string& name) override {
    return next_->Get(kind, ns, name);
  }
  Result<ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                          const ListOptions& options) override {
    return next_->List(kind, ns, options);
  }
  Result<ObjectPtr> Update(const Message& obj) override { return next_->Update(obj); }
  Result<ObjectPtr> UpdateStatus(const Message& obj) override { return next_->UpdateStatus(obj); }
  Result<ObjectPtr> Delete(const api::KindInfo& kind, const std::string& ns,
                           const std::string& name, const DeleteOptions& options) override {
    return next_->Delete(kind, ns, name, options);
  }
  Result<std::unique_ptr<WatchStream>> Watch(const api::KindInfo& kind, const std::string& ns,
                                             const ListOptions& options) override {
    return next_->Watch(kind, ns, options);
  }
  Result<ObjectPtr> Bind(const api::Binding& binding) override { return next_->Bind(binding); }

 private:
  Client* next_;
};

// Connects to an lpv server's gRPC service at `target` ("127.0.0.1:7443"), sending `token`
// as a bearer token on every call when it is not empty (remote.h ResolveToken finds it).
std::unique_ptr<Client> NewGrpcClient(const std::string& target, const std::string& token = "");

struct GrpcClientOptions {
  std::string token;  // as above
  // Events a watch may have received that its caller has not yet taken before it is cut
  // off with Gone (and an informer relists), as store::Options::watch_queue_limit.
  size_t watch_queue_limit = 100000;
};
std::unique_ptr<Client> NewGrpcClient(const std::string& target,
                                      const GrpcClientOptions& options);

}  // namespace lpv::client
