#include "rest/openapi.h"

#include "rest/openapi_proto.h"
#include "rest/openapi_schema.h"

namespace lpv::rest {
namespace {

struct Encoded {
  std::string json;
  std::string protobuf;
};

const Encoded& Document() {
  // Built on first use; C++ makes a function-local static's initialisation thread-safe.
  static const Encoded* encoded = [] {
    api::Json doc = openapi::BuildDocument();
    auto* e = new Encoded;
    e->json = doc.dump();
    e->protobuf = openapi::ToGnostic(doc).SerializeAsString();
    return e;
  }();
  return *encoded;
}

}  // namespace

void ServeOpenApiV2(const Request& req, ResponseWriter* w) {
  if (req.accept.find("protobuf") != std::string::npos) {
    // Go clients parse the Content-Type; the "@" of the name they Accept is not valid in
    // one, so the bytes go as octet-stream (client-go reads them raw).
    return w->Send(200, "application/octet-stream", Document().protobuf);
  }
  w->Send(200, "application/json", Document().json);
}

}  // namespace lpv::rest
