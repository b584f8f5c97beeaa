#include "cmd/changes_since.h"

#include <iostream>
#include <utility>

#include "api/scheme.h"

namespace lpv::cmd {

ChangesSince::ChangesSince(client::Client* c, const char* kind, std::string resource_version,
                           Pred bad, std::string marker)
    : client_(c), kind_(*api::KindOf(kind)), bad_(bad), marker_(std::move(marker)) {
  lo_.resource_version = std::move(resource_version);
  thread_ = std::thread([this] { Run(); });
}

ChangesSince::~ChangesSince() { Stop(); }

bool ChangesSince::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> l(mu_);
  auto done = [&] { return seen_.count(marker_) && bad_keys_.empty(); };
  cv_.wait_for(l, timeout, [&] { return done() || !error_.empty(); });
  if (!error_.empty()) std::cerr << "bench: watch failed: " << error_ << "\n";
  return error_.empty() && done();
}

bool ChangesSince::BadWhenMarked(std::chrono::milliseconds timeout, std::set<std::string>* bad) {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait_for(l, timeout, [&] { return seen_.count(marker_) || !error_.empty(); });
  *bad = bad_keys_;
  return error_.empty() && seen_.count(marker_);
}

void ChangesSince::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    if (stream_) stream_->Stop();
  }
  if (thread_.joinable()) thread_.join();
}

void ChangesSince::Run() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    auto w = client_->Watch(kind_, "", lo_);
    if (!w.ok()) return Fail(w.status().message());
    stream_ = std::move(*w);
  }
  client::WatchEvent ev;
  while (stream_->Next(&ev, std::chrono::seconds(3600))) {
    if (ev.type == "ERROR") break;
    const auto& meta = api::Meta(*ev.object);
    std::string key = meta.namespace_() + "/" + meta.name();
    std::lock_guard<std::mutex> l(mu_);
    seen_.insert(key);
    if (key != marker_ && (ev.type == "DELETED" || bad_(*ev.object))) {
      bad_keys_.insert(key);
    } else {
      bad_keys_.erase(key);
    }
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> l(mu_);
  // Changes after a given revision cannot be resumed from a fresh list.
  if (!stop_) Fail("watch ended: " + stream_->status().message());
}

void ChangesSince::Fail(const std::string& why) {
  error_ = why;
  cv_.notify_all();
}

}  // namespace lpv::cmd
