// The newest version of each object a controller knows: its informer's copy, or the copy the
// API server returned for the controller's own write when that one is newer.
//
// Kubernetes' PV controller keeps such caches (ctrl.volumes, ctrl.claims, storeObjectUpdate in
// pv_controller_base.go) for this reason: binding writes four times (volume spec, volume
// status, claim spec, claim status), and the informer delivers those writes later. A sync that
// read the informer alone would find its own volume still Available and try to bind it again,
// ending in conflicts. Here the informer stays the store; this only holds the controller's
// writes until the informer has caught up with them.
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/informer.h"

namespace lpv::pvcontroller {

class ObjectCache {
 public:
  // Remembers what a write returned.
  void Wrote(const google::protobuf::Message& written);
  // The informer saw `obj`: our copy goes once the informer's is as new.
  void Observed(const google::protobuf::Message& obj);
  // The informer saw `key` deleted.
  void Deleted(const std::string& key);

  // The newer of `cached` (the informer's copy of `key`) and ours. Objects the informer no
  // longer has are gone whatever we wrote before: nullptr.
  client::ObjectRef Newest(const std::string& key, client::ObjectRef cached);
  // Keys we hold a newer copy of.
  std::vector<std::string> Keys() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, client::ObjectRef> written_;
};

// resourceVersion as a number (the store revision), 0 when absent or not a number.
int64_t ResourceVersionOf(const google::protobuf::Message& obj);

}  // namespace lpv::pvcontroller
