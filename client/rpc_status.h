// Internal to client/: gRPC failures as lpv Statuses. The two the server means (a missing
// or wrong token, an oversized request) become Kubernetes' 401 and 413; anything else is
// the caller's "could not reach the server" status.
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "api/status.h"
#include "apiserver/auth.h"
#include "apiserver/grpc_service.h"

namespace lpv::client {

inline Status FromRpcStatus(const grpc::Status& s, Status unreachable) {
  if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) return apiserver::Unauthorized();
  if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return Status::Make(Reason::RequestEntityTooLarge,
                        "Request entity too large: limit is " +
                            std::to_string(apiserver::kMaxRequestBodyBytes));
  }
  return unreachable;
}

// Every call carries the bearer token when there is one.
inline void AddToken(grpc::ClientContext* ctx, const std::string& token) {
  if (!token.empty()) ctx->AddMetadata(apiserver::kAuthorizationHeader, "Bearer " + token);
}

}  // namespace lpv::client
