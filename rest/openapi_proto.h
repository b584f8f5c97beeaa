// The OpenAPI v2 document (JSON, as openapi_schema.h builds it) in gnostic's protobuf form,
// openapi.v2.Document (openapi_v2.proto), which kubectl asks /openapi/v2 for.
//
// One conversion for the whole document keeps the two forms the same document. Vendor
// extensions become NamedAny values holding YAML text, as Kubernetes serves them and as
// kube-openapi reads them back.
#pragma once

#include "api/codec.h"
#include "rest/openapi_v2.pb.h"

namespace lpv::rest::openapi {

::openapi::v2::Document ToGnostic(const api::Json& document);

}  // namespace lpv::rest::openapi
