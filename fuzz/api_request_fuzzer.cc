// The API request path: manifests decoded as the server decodes a request body, then
// validated and written by the APIServer (Create, or Update of an object already there,
// then its status, then Delete) on a RocksDB store in a temporary directory. Bad input must
// come back as an error status, and whatever a write acknowledges must read back unchanged.
#include <google/protobuf/util/message_differencer.h>
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/clock.h"
#include "api/codec.h"
#include "api/scheme.h"
#include "apiserver/apiserver.h"
#include "store/store.h"

namespace {

using google::protobuf::util::MessageDifferencer;
using lpv::apiserver::ObjectPtr;

struct Server {
  std::string dir;
  std::unique_ptr<lpv::store::Store> store;
  lpv::FakeClock clock;
  std::unique_ptr<lpv::apiserver::APIServer> api;

  Server() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lpv-fuzz-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    lpv::store::Options options;
    options.dir = dir + "/db";
    options.sync = false;  // durability is not what this fuzzes
    auto opened = lpv::store::Store::Open(options);
    if (!opened.ok()) {
      std::cerr << opened.status().ToString() << "\n";
      std::abort();
    }
    store = std::move(*opened);
    api = std::make_unique<lpv::apiserver::APIServer>(store.get(), &clock);
  }
  ~Server() {
    api.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // Every input starts from an empty store, so a crash reproduces from its input alone.
  void Wipe() {
    auto all = store->List("/");
    if (!all.ok()) std::abort();
    for (const auto& kv : all->items) (void)store->Delete(kv.key, 0);
  }
};

Server* TheServer() {
  static Server* server = [] {
    auto* s = new Server();
    std::atexit([] { delete TheServer(); });
    return s;
  }();
  return server;
}

// What a write acknowledged is what a read returns.
void CheckStored(lpv::apiserver::APIServer* api, const lpv::api::KindInfo& kind,
                 const google::protobuf::Message& acked) {
  const auto& meta = lpv::api::Meta(acked);
  auto got = api->Get(kind, meta.namespace_(), meta.name());
  if (!got.ok() || !MessageDifferencer::Equals(**got, acked)) {
    std::cerr << "acknowledged " << lpv::api::ToJsonString(acked) << "\nread back "
              << (got.ok() ? lpv::api::ToJsonString(**got) : got.status().ToString()) << "\n";
    std::abort();
  }
}

void Write(lpv::apiserver::APIServer* api, const google::protobuf::Message& obj) {
  const lpv::api::KindInfo* kind = lpv::api::KindOf(obj);
  if (kind == nullptr) return;
  auto created = api->Create(obj);
  ObjectPtr latest;
  if (created.ok()) {
    CheckStored(api, *kind, **created);
    latest = std::move(*created);
  } else if (created.status().IsAlreadyExists()) {
    // Apply's second step: an update carrying the stored resourceVersion.
    const auto& meta = lpv::api::Meta(obj);
    auto current = api->Get(*kind, meta.namespace_(), meta.name());
    if (!current.ok()) return;
    ObjectPtr update(obj.New());
    update->CopyFrom(obj);
    lpv::api::MutableMeta(update.get())
        ->set_resource_version(lpv::api::Meta(**current).resource_version());
    auto updated = api->Update(*update);
    if (!updated.ok()) return;
    CheckStored(api, *kind, **updated);
    latest = std::move(*updated);
  } else {
    (void)created.status().ToString();
    return;
  }
  if (kind->has_status) {
    // The status subresource with the input's status on the stored object.
    ObjectPtr with_status(obj.New());
    with_status->CopyFrom(obj);
    lpv::api::MutableMeta(with_status.get())->CopyFrom(lpv::api::Meta(*latest));
    auto updated = api->Update(*with_status, /*status=*/true);
    if (updated.ok()) CheckStored(api, *kind, **updated);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Server* server = TheServer();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  auto decoded = lpv::api::DecodeManifests(text, "request", &warnings);
  if (decoded.ok()) {
    for (const auto& d : *decoded) Write(server->api.get(), *d.object);
    for (const auto& d : *decoded) {
      const lpv::api::KindInfo* kind = lpv::api::KindOf(*d.object);
      const auto& meta = lpv::api::Meta(*d.object);
      lpv::apiserver::DeleteOptions options;
      options.grace_period_seconds = 0;
      if (kind != nullptr)
        (void)server->api->Delete(*kind, meta.namespace_(), meta.name(), options);
    }
  }
  server->Wipe();
  return 0;
}
