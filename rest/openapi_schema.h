// The OpenAPI v2 document of lpv's kinds, generated from the protobuf descriptors of
// api/objects.proto with Kubernetes' facts about the same types (openapi_facts.h).
//
// It has what kubectl reads from a definition: Kubernetes' definition names and $refs,
// JSON types (the codec's names, api/codec.h: a map is an object with additionalProperties,
// a repeated field an array, Quantity / Time / IntOrString strings of their own
// definitions), required fields, descriptions, x-kubernetes-group-version-kind on each
// kind, and x-kubernetes-patch-strategy / -merge-key on the lists that have them
// (rest/patch.h). No paths: kubectl v1.20's explain and validation use only definitions.
#pragma once

#include "api/codec.h"

namespace lpv::rest::openapi {

// {"swagger": "2.0", "info": ..., "paths": {}, "definitions": {...}}; the same document on
// every call.
api::Json BuildDocument();

}  // namespace lpv::rest::openapi
