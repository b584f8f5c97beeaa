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
  written_[key] = std::move(copy);
}

void ObjectCache::Observed(const google::protobuf::Message& obj) {
  std::string key = api::KeyOf(obj);
  std::lock_guard<std::mutex> l(mu_);
  auto it = written_.find(key);
  if (it != written_.end() && ResourceVersionOf(obj) >= ResourceVersionOf(*it->second)) {
    written_.erase(it);
  }
}

void ObjectCache::Deleted(const std::string& key) {
  std::lock_guard<std::mutex> l(mu_);
  written_.erase(key);
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
    written_.erase(it);
    return nullptr;
  }
  if (ResourceVersionOf(*cached) >= ResourceVersionOf(*it->second)) {
    written_.erase(it);
    return cached;
  }
  return it->second;
}

std::vector<std::string> ObjectCache::Keys(
    const std::function<bool(const google::protobuf::Message&)>& keep) const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> keys;
  for (const auto& [key, obj] : written_) {
    if (keep(*obj)) keys.push_back(key);
  }
  return keys;
}

}  // namespace lpv::pvcontroller
