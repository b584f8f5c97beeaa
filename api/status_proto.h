// Status <-> api.Status (service.proto), for the wire.
#pragma once

#include "api/service.pb.h"
#include "api/status.h"

namespace lpv::api {

void StatusToProto(const lpv::Status& s, api::Status* out);
lpv::Status StatusFromProto(const api::Status& p);

}  // namespace lpv::api
