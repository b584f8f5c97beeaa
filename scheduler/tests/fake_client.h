// A fake client::Client for the volume binder's tests, as Kubernetes' binder tests use a
// fake clientset: it holds PVs and PVCs, checks resourceVersions on Update like the API
// server (a stale one is a Conflict), bumps them, and can be told to fail an update.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "api/scheme.h"
#include "client/client.h"

namespace lpv::scheduler::testing {

class FakeClient : public client::Client {
 public:
  template <class T>
  void Put(const T& obj) {
    std::lock_guard<std::mutex> l(mu_);
    objects_[Key(obj)] = std::unique_ptr<client::Message>(obj.New());
    objects_[Key(obj)]->CopyFrom(obj);
  }
  template <class T>
  T GetObj(const std::string& key) {
    std::lock_guard<std::mutex> l(mu_);
    T out;
    auto it = objects_.find(api::KindOf(T::default_instance())->kind + "/" + key);
    if (it != objects_.end()) out.CopyFrom(*it->second);
    return out;
  }
  // The next Update of `key` ("PersistentVolume/pv-1") fails with `status`.
  void FailUpdate(const std::string& key, Status status) {
    std::lock_guard<std::mutex> l(mu_);
    failures_[key] = std::move(status);
  }
  int updates() const {
    std::lock_guard<std::mutex> l(mu_);
    return updates_;
  }

  Result<client::ObjectPtr> Update(const client::Message& obj) override {
    std::lock_guard<std::mutex> l(mu_);
    std::string key = Key(obj);
    auto f = failures_.find(key);
    if (f != failures_.end()) {
      Status s = f->second;
      failures_.erase(f);
      return s;
    }
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound("objects", key);
    const std::string want = api::Meta(obj).resource_version();
    const std::string have = api::Meta(*it->second).resource_version();
    if (!want.empty() && want != have) return Status::ConflictModified("objects", key);
    it->second->CopyFrom(obj);
    api::MutableMeta(it->second.get())->set_resource_version(std::to_string(std::stoll(have) + 1));
    ++updates_;
    client::ObjectPtr out(it->second->New());
    out->CopyFrom(*it->second);
    return out;
  }

  Result<client::ObjectPtr> Create(const client::Message&) override { return Unsupported(); }
  Result<client::ObjectPtr> Get(const api::KindInfo&, const std::string&,
                                const std::string&) override {
    return Unsupported();
  }
  Result<client::ObjectList> List(const api::KindInfo&, const std::string&,
                                  const client::ListOptions&) override {
    return Unsupported();
  }
  Result<client::ObjectPtr> UpdateStatus(const client::Message&) override { return Unsupported(); }
  Result<client::ObjectPtr> Delete(const api::KindInfo&, const std::string&, const std::string&,
                                   const client::DeleteOptions&) override {
    return Unsupported();
  }
  Result<std::unique_ptr<client::WatchStream>> Watch(const api::KindInfo&, const std::string&,
                                                     const client::ListOptions&) override {
    return Unsupported();
  }
  Result<client::ObjectPtr> Bind(const api::Binding&) override { return Unsupported(); }

 private:
  static std::string Key(const client::Message& obj) {
    return api::KindOf(obj)->kind + "/" + api::KeyOf(obj);
  }
  static Status Unsupported() { return Status::BadRequest("not supported by the fake client"); }

  mutable std::mutex mu_;
  std::map<std::string, client::ObjectPtr> objects_;
  std::map<std::string, Status> failures_;
  int updates_ = 0;
};

}  // namespace lpv::scheduler::testing
