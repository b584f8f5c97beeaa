// API discovery as kubectl and client libraries read it: /version, /api, /apis, and one
// APIResourceList per group version (kinds, scope, verbs, short names, subresources),
// all derived from the scheme (api/scheme.h). And /openapi/v2, which kubectl fetches
// before apply (see openapi.h).
#pragma once

#include <optional>
#include <string>

#include "api/codec.h"

namespace lpv::rest {

api::Json VersionJson();
// /api: APIVersions. `server_address` is host:port as clients reach it.
api::Json CoreVersionsJson(const std::string& server_address);
// /apis: APIGroupList.
api::Json GroupListJson();
// /api/v1, /apis/<group>/<version>: nullopt when the group version is not served.
std::optional<api::Json> ResourceListJson(const std::string& group, const std::string& version);

}  // namespace lpv::rest
