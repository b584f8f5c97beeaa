#include "pvcontroller/object_cache.h"

#include <charconv>

namespace lpv::pvcontroller {

int64_t ResourceVersionOf(const google::protobuf::Message& obj) {
  const std::string& rv = api::Meta(obj).resource_version();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(rv.data(), rv.data() + rv.size(), value);
  if (ec != std::errc() || ptr != rv.data() + rv.size()) return 0;
  return value;
}

ObjectCache::Write::Write(ObjectCache* cache, std::string key)
    : cache_(cache), key_(std::move(key)) {
  std::lock_guard<std::mutex> l(cache_->mu_);
  ++cache_->writing_[key_];
}

ObjectCache::Write::~Write() {
  {
    std::lock_guard<std::mutex> l(cache_->mu_);
    if (--cache_->writing_[key_] == 0) cache_->writing_.erase(key_);
  }
  cache_->cv_.notify_all();
}

void ObjectCache::Write::Wrote(const google::protobuf::Message& written) {
  cache_->Remember(key_, written);
}

void ObjectCache::Remember(const std::string& key, const google::protobuf::Message& written) {
  std::shared_ptr<google::protobuf::Message> copy(written.New());
  copy->CopyFrom(written);
  std::lock_guard<std::mutex> l(mu_);
  auto it = written_.find(key);
  if (it != written_.end() && ResourceVersionOf(*it->second) >= ResourceVersionOf(written)) return;
  StoreLocked(key, std::move(copy));
}

void ObjectCache::StoreLocked(const std::string& key, client::ObjectRef copy) {
  auto [it, added] = written_.try_emplace(key);
  if (!added) IndexLocked(key, *it->second, /*add=*/false);
  IndexLocked(key, *copy, /*add=*/true);
  it->second = std::move(copy);
}

void ObjectCache::EraseLocked(Written::iterator it) {
  IndexLocked(it->first, *it->second, /*add=*/false);
  written_.erase(it);
}

void ObjectCache::IndexLocked(const std::string& key, const google::protobuf::Message& obj,
                              bool add) {
  for (const auto& [name, fn] : index_funcs_) IndexLocked(name, key, obj, add);
}

void ObjectCache::IndexLocked(const std::string& index, const std::string& key,
                              const google::protobuf::Message& obj, bool add) {
  auto& by_value = indices_[index];
  for (const auto& value : index_funcs_.at(index)(obj)) {
    if (add) {
      by_value[value].insert(key);
      continue;
    }
    auto v = by_value.find(value);
    if (v == by_value.end()) continue;
    v->second.erase(key);
    if (v->second.empty()) by_value.erase(v);
  }
}

void ObjectCache::Observed(const google::protobuf::Message& obj) {
  std::string key = api::KeyOf(obj);
  std::lock_guard<std::mutex> l(mu_);
  auto it = written_.find(key);
  if (it != written_.end() && ResourceVersionOf(obj) >= ResourceVersionOf(*it->second)) {
    EraseLocked(it);
  }
}

void ObjectCache::Deleted(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = written_.find(key); it != written_.end()) EraseLocked(it);
}

client::ObjectRef ObjectCache::Newest(const std::string& key, const client::Informer& informer) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return !writing_.contains(key); });
  // The informer calls Observed after its cache holds the object, never under its own lock:
  // reading it under ours is safe and sees at least the version that made us drop our copy.
  client::ObjectRef cached = informer.Get(key);
  auto it = written_.find(key);
  if (it == written_.end()) return cached;
  if (!cached) {
    // Deleted after we wrote it (the delete may have overtaken our bookkeeping).
    EraseLocked(it);
    return nullptr;
  }
  if (ResourceVersionOf(*cached) >= ResourceVersionOf(*it->second)) {
    EraseLocked(it);
    return cached;
  }
  return it->second;
}

void ObjectCache::AddIndexer(const std::string& name, client::IndexFunc fn) {
  std::lock_guard<std::mutex> l(mu_);
  index_funcs_[name] = std::move(fn);
  indices_[name].clear();
  for (const auto& [key, obj] : written_) IndexLocked(name, key, *obj, /*add=*/true);
}

std::vector<std::string> ObjectCache::IndexKeys(const std::string& name,
                                                const std::string& value) const {
  std::lock_guard<std::mutex> l(mu_);
  auto index = indices_.find(name);
  if (index == indices_.end()) return {};
  auto keys = index->second.find(value);
  if (keys == index->second.end()) return {};
  return {keys->second.begin(), keys->second.end()};
}

}  // namespace lpv::pvcontroller
