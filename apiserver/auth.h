// Who may call the API. A server that listens only on loopback is reachable only from this
// machine and needs no credential; one that listens anywhere else requires a bearer token
// on every call (gRPC metadata `authorization: Bearer <token>`, as Kubernetes' static
// token authenticator reads the HTTP header). The token is random, generated at start and
// written into the data dir, owner-only, where the local client finds it.
//
// Thread-safety: free functions; no shared state.
#pragma once

#include <string>
#include <string_view>

#include "api/status.h"

namespace lpv::apiserver {

// The metadata key gRPC carries the credential in (HTTP/2 header names are lowercase).
inline constexpr char kAuthorizationHeader[] = "authorization";

// True when `listen` ("host:port") binds a loopback address only: 127.0.0.0/8, ::1,
// localhost. 0.0.0.0, [::] and every other host are reachable from elsewhere.
bool IsLoopbackAddress(const std::string& listen);

// 32 random bytes from the kernel, as 64 hex digits.
Result<std::string> GenerateToken();

// DATA/token.
std::string TokenFile(const std::string& data_dir);

// Writes the token to DATA/token, mode 0600 (created so, never readable by others even for
// a moment).
Status WriteTokenFile(const std::string& data_dir, const std::string& token);

// True when `header` is exactly "Bearer <token>"; compares in constant time so the answer's
// timing says nothing about how much of a guess was right.
bool BearerMatches(std::string_view header, std::string_view token);

// Kubernetes' answer to a request without valid credentials: 401 Unauthorized.
Status Unauthorized();

}  // namespace lpv::apiserver
