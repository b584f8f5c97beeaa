// /openapi/v2: the OpenAPI v2 document of lpv's kinds (openapi_schema.h), which kubectl
// reads for `explain`, for client-side validation of create/apply/replace (unknown fields
// and wrong types are errors; --validate=false skips it), and for the patch strategy of
// each list when `apply` computes its strategic merge patch.
//
// kubectl asks for the protobuf form (gnostic's openapi.v2.Document, openapi_proto.h);
// other clients get JSON. The document is built on first use and both forms are cached.
// Safe for concurrent use.
#pragma once

#include "rest/http.h"

namespace lpv::rest {

void ServeOpenApiV2(const Request& req, ResponseWriter* w);

}  // namespace lpv::rest
