// /openapi/v2, which kubectl reads before `apply` (validation, and the patch strategy of
// fields when the document has the kind) and for `explain`.
//
// kubectl asks for the protobuf form (gnostic's openapi_v2.Document). lpv serves a valid
// document without definitions: kubectl then skips schema validation of lpv's kinds and
// computes apply's strategic merge patches from its own compiled-in types, which carry the
// same patch strategies. `explain` needs definitions and is not served yet.
#pragma once

#include "rest/http.h"

namespace lpv::rest {

void ServeOpenApiV2(const Request& req, ResponseWriter* w);

}  // namespace lpv::rest
