#include "rest/openapi.h"

#include "api/codec.h"
#include "rest/status_json.h"

namespace lpv::rest {

void ServeOpenApiV2(const Request& req, ResponseWriter* w) {
  if (req.accept.find("protobuf") != std::string::npos) {
    // An empty message is the empty Document in protobuf's encoding.
    // Go clients parse the Content-Type; the "@" of the name they Accept is not valid in
    // one, so the bytes go as octet-stream (client-go reads them raw).
    return w->Send(200, "application/octet-stream", "");
  }
  api::Json doc;
  doc["swagger"] = "2.0";
  doc["info"]["title"] = "lpv";
  doc["info"]["version"] = "v1.29.0";
  doc["paths"] = api::Json::object();
  doc["definitions"] = api::Json::object();
  SendJson(w, 200, doc);
}

}  // namespace lpv::rest
