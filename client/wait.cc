#include "client/wait.h"

#include <map>

namespace lpv::client {

namespace {

Status TimeoutStatus(const std::string& what) {
  return Status::Make(Reason::Timeout, "timed out waiting for the condition on " + what);
}

}  // namespace

Result<std::vector<ObjectPtr>> WaitForList(Client& c, const api::KindInfo& kind,
                                           const std::string& ns, const ListPredicate& pred,
                                           std::chrono::milliseconds timeout,
                                           const ListOptions& options) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto list = c.List(kind, ns, {options.label_selector, options.field_selector, ""});
    if (!list.ok()) return list.status();
    if (pred(list->items)) return std::move(list->items);
    // Keep a local copy of the state, updated from the watch, and re-check on each event.
    std::map<std::string, apiserver::ObjectRef> state;
    for (auto& item : list->items) state[api::KeyOf(*item)] = std::move(item);
    auto w = c.Watch(kind, ns,
                     {options.label_selector, options.field_selector, list->resource_version});
    if (!w.ok()) return w.status();
    while (std::chrono::steady_clock::now() < deadline) {
      WatchEvent ev;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (!(*w)->Next(&ev, std::min(left, std::chrono::milliseconds(200)))) {
        if ((*w)->done()) break;  // relist
        continue;
      }
      std::string key = api::KeyOf(*ev.object);
      if (ev.type == "DELETED") {
        state.erase(key);
      } else {
        state[key] = std::move(ev.object);
      }
      std::vector<ObjectPtr> items;
      for (const auto& [k, v] : state) {
        ObjectPtr copy(v->New());
        copy->CopyFrom(*v);
        items.push_back(std::move(copy));
      }
      if (pred(items)) {
        (*w)->Stop();
        return items;
      }
    }
    (*w)->Stop();
  }
  return TimeoutStatus(kind.resource);
}

Result<ObjectPtr> WaitForObject(Client& c, const api::KindInfo& kind, const std::string& ns,
                                const std::string& name, const ObjectPredicate& pred,
                                std::chrono::milliseconds timeout) {
  ListOptions opts{"", "metadata.name=" + name, ""};
  auto r = WaitForList(
      c, kind, ns,
      [&](const std::vector<ObjectPtr>& items) {
        for (const auto& i : items) {
          if (api::Meta(*i).name() == name && (!pred || pred(*i))) return true;
        }
        return false;
      },
      timeout, opts);
  if (!r.ok()) {
    if (r.status().reason() == Reason::Timeout) return TimeoutStatus(kind.resource + "/" + name);
    return r.status();
  }
  for (auto& i : *r) {
    if (api::Meta(*i).name() == name) return std::move(i);
  }
  return TimeoutStatus(kind.resource + "/" + name);
}

Status WaitForDeletion(Client& c, const api::KindInfo& kind, const std::string& ns,
                       const std::string& name, std::chrono::milliseconds timeout) {
  ListOptions opts{"", "metadata.name=" + name, ""};
  auto r = WaitForList(
      c, kind, ns, [](const std::vector<ObjectPtr>& items) { return items.empty(); }, timeout,
      opts);
  if (!r.ok()) {
    if (r.status().reason() == Reason::Timeout) return TimeoutStatus(kind.resource + "/" + name);
    return r.status();
  }
  return Status::OK();
}

}  // namespace lpv::client
