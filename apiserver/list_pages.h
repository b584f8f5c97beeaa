// limit and continue for lists, as Kubernetes' etcd3 storage pages them.
//
// A page holds at most `limit` items in key order, and, when more remain, an opaque continue
// token: base64url of {"v":"meta.k8s.io/v1","rv":REV,"start":KEY}, the revision of the
// first page and the key (relative to /registry/<resource>/) of the last item returned. The
// next pages are read at that revision (the store keeps the first page's snapshot, see
// store::ListOptions), so every page shows the state of one moment, as etcd serves them. A
// revision the store no longer keeps is 410 Expired with a fresh token that continues at the
// current state (rv -1), as handleCompactedErrorForPaging does.
#pragma once

#include <cstdint>
#include <string>

#include "api/status.h"

namespace lpv::apiserver {

struct ContinueToken {
  int64_t resource_version = 0;  // -1: the latest state
  std::string start;             // the last key returned; the next page starts after it
};

std::string EncodeContinue(const ContinueToken& token);
// A malformed token is BadRequest "continue key is not valid: ..." (the registry prefixes
// "invalid continue token: ").
Result<ContinueToken> DecodeContinue(const std::string& token);

// Kubernetes' messages when a continue token's revision can no longer be served: with the
// fresh token in the Status (kInconsistentContinue), or without one (kContinueExpired).
inline constexpr char kContinueExpired[] =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter.";
inline constexpr char kInconsistentContinue[] =
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list.";

// The token the 410 Status carries: the same start, at the latest revision; "" when `token`
// does not decode.
std::string InconsistentContinueToken(const std::string& token);

}  // namespace lpv::apiserver
