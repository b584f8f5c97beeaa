// Waiting for a condition without sleeping: the wait follows a watch and re-checks the
// condition on every change, so it returns as soon as the world satisfies it.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "client/client.h"

namespace lpv::client {

// Waits until `pred` holds for the list of `kind` objects in `ns` ("" = all), checked on
// the current state and after every change. Returns the satisfying list, or Timeout.
using ListPredicate = std::function<bool(const std::vector<ObjectPtr>& items)>;
Result<std::vector<ObjectPtr>> WaitForList(Client& c, const api::KindInfo& kind,
                                           const std::string& ns, const ListPredicate& pred,
                                           std::chrono::milliseconds timeout,
                                           const ListOptions& options = {});

// Waits until the named object exists and satisfies `pred` (nullptr = merely exists).
using ObjectPredicate = std::function<bool(const google::protobuf::Message& obj)>;
Result<ObjectPtr> WaitForObject(Client& c, const api::KindInfo& kind, const std::string& ns,
                                const std::string& name, const ObjectPredicate& pred,
                                std::chrono::milliseconds timeout);

// Waits until the named object is gone.
Status WaitForDeletion(Client& c, const api::KindInfo& kind, const std::string& ns,
                       const std::string& name, std::chrono::milliseconds timeout);

// Typed forms.
template <class T>
Result<T> WaitFor(Client& c, const std::string& ns, const std::string& name,
                  const std::function<bool(const T&)>& pred, std::chrono::milliseconds timeout) {
  auto r = WaitForObject(
      c, *api::KindOf(T::default_instance()), ns, name,
      [&](const google::protobuf::Message& m) { return !pred || pred(static_cast<const T&>(m)); },
      timeout);
  if (!r.ok()) return r.status();
  return std::move(static_cast<T&>(**r));
}

}  // namespace lpv::client
