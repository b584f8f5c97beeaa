// Errors as Kubernetes `Status` objects (metav1.Status), and the JSON responses around
// them: the reason, the HTTP code, details (name, kind, causes) as kubectl reads them.
#pragma once

#include <string>

#include "api/codec.h"
#include "api/status.h"
#include "rest/http.h"

namespace lpv::rest {

inline constexpr const char* kJson = "application/json";

// {"kind":"Status","apiVersion":"v1","status":"Failure","message":...,"reason":...,
//  "details":{...},"code":404}
api::Json StatusToJson(const lpv::Status& s);
void SendStatus(ResponseWriter* w, const lpv::Status& s);
void SendJson(ResponseWriter* w, int code, const api::Json& json);

}  // namespace lpv::rest
