// Equality of protobuf objects by their bytes.
//
// MessageDifferencer::Equals walks both messages by reflection. Serializing them runs
// generated code and is several times cheaper, and equal messages give equal bytes once
// map entries are written in key order (deterministic serialization). Hot callers compare
// often and mostly find no change: the kubelet each pod status it builds against the one
// stored (20,000 of them when a 5,000-node fleet restarts), the apiserver each update's
// spec against the old one.
#pragma once

#include <string>

#include <google/protobuf/message.h>

namespace lpv::api {

// The message's bytes with map entries sorted by key.
std::string DeterministicBytes(const google::protobuf::Message& m);

// Whether `a` and `b` (of the same type) hold the same fields, as
// MessageDifferencer::Equals: field presence counts, map order does not.
bool SameMessage(const google::protobuf::Message& a, const google::protobuf::Message& b);

}  // namespace lpv::api
