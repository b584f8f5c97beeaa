// Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` turns a get,
// list or watch event into a meta.k8s.io Table whose columns and cells are kubectl's (the
// same rows `lpv get` prints, from cmd/printers.h). Wide columns have priority 1, so
// kubectl shows them only with -o wide.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "api/codec.h"

namespace lpv::rest {

// The Table group version the Accept header asks for ("meta.k8s.io/v1" or
// "meta.k8s.io/v1beta1"), or nullopt when it does not ask for a Table.
std::optional<std::string> TableRequested(const std::string& accept);

// includeObject: "None", "Metadata" (default: PartialObjectMetadata) or "Object".
api::Json TableJson(const std::string& kind,
                    const std::vector<const google::protobuf::Message*>& objects,
                    const std::string& table_api_version, const std::string& include_object,
                    std::chrono::system_clock::time_point now);

}  // namespace lpv::rest
