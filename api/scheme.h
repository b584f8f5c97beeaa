// The scheme: every kind lpv serves, with its group/version, its REST resource names and
// kubectl's short names, and the message that holds it.
//
// Every kind message has `metadata` (ObjectMeta) as field 3 and, where it has them,
// `spec` as field 4 and `status` as field 5; Meta()/MutableMeta() rely on that.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>

#include "api/objects.pb.h"

namespace lpv::api {

struct KindInfo {
  std::string kind;                      // PersistentVolume
  std::string group;                     // "", "apps", "storage.k8s.io"
  std::string version;                   // v1
  std::string resource;                  // persistentvolumes
  std::string singular;                  // persistentvolume
  std::vector<std::string> short_names;  // pv
  bool namespaced = false;
  bool has_status = false;  // a status subresource
  const google::protobuf::Message* prototype = nullptr;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  std::unique_ptr<google::protobuf::Message> New() const {
    return std::unique_ptr<google::protobuf::Message>(prototype->New());
  }
};

const std::vector<KindInfo>& AllKinds();
// By Kind, plural, singular or short name, case-insensitively, optionally qualified by
// group ("persistentvolumes", "pv", "PersistentVolume", "statefulsets.apps").
const KindInfo* LookupKind(std::string_view name);
// By exact Kind ("PersistentVolume").
const KindInfo* KindOf(std::string_view kind);
// The KindInfo of a message (by its type).
const KindInfo* KindOf(const google::protobuf::Message& msg);

const ObjectMeta& Meta(const google::protobuf::Message& obj);
ObjectMeta* MutableMeta(google::protobuf::Message* obj);
// Sets apiVersion and kind from the scheme.
void SetTypeMeta(google::protobuf::Message* obj);

// "namespace/name" or "name" for cluster-scoped objects: the key of caches and queues.
std::string KeyOf(const google::protobuf::Message& obj);

}  // namespace lpv::api
