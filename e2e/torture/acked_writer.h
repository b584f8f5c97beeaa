// The torture's client: it keeps writing Events (creates, then read-modify-write updates
// of their count) while the server is killed and restarted under it, and remembers what
// the server acknowledged. A write whose reply never came has an unknown outcome: it may
// or may not have landed, so it bounds what may be found but is never required.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "api/objects.pb.h"
#include "client/client.h"

namespace lpv::torture {

// The client of the server currently running, handed to the writer across restarts.
class ServerHandle {
 public:
  // Publishes the client of a freshly started server.
  void Set(std::shared_ptr<client::Client> c) {
    std::lock_guard<std::mutex> l(mu_);
    client_ = std::move(c);
    ++generation_;
    cv_.notify_all();
  }
  // Waits for a client newer than *generation (a server started after the one that
  // failed); nullptr once Close()d.
  std::shared_ptr<client::Client> WaitNewer(int64_t* generation) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [&] { return closed_ || generation_ > *generation; });
    if (closed_) return nullptr;
    *generation = generation_;
    return client_;
  }
  void Close() {
    std::lock_guard<std::mutex> l(mu_);
    closed_ = true;
    cv_.notify_all();
  }
  bool closed() {
    std::lock_guard<std::mutex> l(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<client::Client> client_;
  int64_t generation_ = 0;
  bool closed_ = false;
};

// What the writer knows of one Event: the highest count the server acknowledged (0 = its
// creation was never acknowledged) and the highest count it ever sent.
struct WriteRecord {
  int32_t acked = 0;
  int32_t attempted = 0;
};

class AckedWriter {
 public:
  static constexpr const char* kNamespace = "default";
  static constexpr const char* kPrefix = "torture-";

  AckedWriter(ServerHandle* server, uint64_t seed) : server_(server), rng_(seed) {}
  ~AckedWriter() { Join(); }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // Call after server->Close().
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  std::map<std::string, WriteRecord> records() const {
    std::lock_guard<std::mutex> l(mu_);
    return records_;
  }
  int64_t max_acked_revision() const {
    std::lock_guard<std::mutex> l(mu_);
    return max_acked_revision_;
  }
  int64_t acked_writes() const {
    std::lock_guard<std::mutex> l(mu_);
    return acked_writes_;
  }
  int64_t unknown_outcomes() const {
    std::lock_guard<std::mutex> l(mu_);
    return unknown_outcomes_;
  }
  // Anything the server said that it should not have (an acknowledged Event missing or
  // behind, a Conflict only this writer could have caused).
  std::vector<std::string> violations() const {
    std::lock_guard<std::mutex> l(mu_);
    return violations_;
  }

 private:
  void Run() {
    int64_t generation = 0;
    std::shared_ptr<client::Client> c = server_->WaitNewer(&generation);
    while (c && !server_->closed()) {
      Status s = Step(*c);
      if (!s.ok()) {
        // The server went away mid-call: wait for the next one.
        c = server_->WaitNewer(&generation);
      }
    }
  }

  // One write. Not OK when it failed.
  Status Step(client::Client& c) {
    std::string name;
    {
      std::lock_guard<std::mutex> l(mu_);
      bool create = live_.empty() || std::uniform_int_distribution<int>(0, 2)(rng_) == 0;
      if (create) {
        name = kPrefix + std::to_string(next_++);
        records_[name].attempted = 1;
      } else {
        name = live_[std::uniform_int_distribution<size_t>(0, live_.size() - 1)(rng_)];
      }
    }
    if (records_snapshot(name).acked == 0) return Create(c, name);
    return Increment(c, name);
  }

  WriteRecord records_snapshot(const std::string& name) {
    std::lock_guard<std::mutex> l(mu_);
    return records_[name];
  }

  Status Create(client::Client& c, const std::string& name) {
    api::Event ev;
    ev.mutable_metadata()->set_name(name);
    ev.mutable_metadata()->set_namespace_(kNamespace);
    (*ev.mutable_metadata()->mutable_labels())["lpv-torture"] = "writer";
    ev.mutable_involved_object()->set_kind("Node");
    ev.mutable_involved_object()->set_name("node-1");
    ev.set_reason("Torture");
    ev.set_message("written while the server is killed at random");
    ev.set_type("Normal");
    ev.set_count(1);
    auto r = c.CreateTyped(ev);
    if (!r.ok()) return Unknown(name, r.status());
    std::lock_guard<std::mutex> l(mu_);
    records_[name].acked = 1;
    live_.push_back(name);
    Acked(r->metadata().resource_version());
    return Status::OK();
  }

  Status Increment(client::Client& c, const std::string& name) {
    auto cur = c.Get<api::Event>(kNamespace, name);
    if (!cur.ok()) return Unknown(name, cur.status());
    {
      std::lock_guard<std::mutex> l(mu_);
      if (cur->count() < records_[name].acked) {
        violations_.push_back(name + " read back count " + std::to_string(cur->count()) +
                              " after count " + std::to_string(records_[name].acked) +
                              " was acknowledged");
      }
      records_[name].attempted = std::max(records_[name].attempted, cur->count() + 1);
    }
    api::Event next = *cur;
    next.set_count(cur->count() + 1);
    auto r = c.UpdateTyped(next);
    if (!r.ok()) return Unknown(name, r.status());
    std::lock_guard<std::mutex> l(mu_);
    records_[name].acked = std::max(records_[name].acked, r->count());
    Acked(r->metadata().resource_version());
    return Status::OK();
  }

  // A failed call: unreachable means unknown outcome; any other answer is a violation
  // (this writer alone touches these objects, so nothing may conflict or vanish). Either
  // way the writer waits for the next server.
  Status Unknown(const std::string& name, const Status& s) {
    std::lock_guard<std::mutex> l(mu_);
    if (s.reason() == Reason::ServiceUnavailable) {
      ++unknown_outcomes_;
    } else {
      violations_.push_back(name + ": " + s.ToString());
    }
    return s;
  }

  void Acked(const std::string& resource_version) {  // under mu_
    ++acked_writes_;
    max_acked_revision_ = std::max<int64_t>(max_acked_revision_, std::stoll(resource_version));
  }

  ServerHandle* server_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;                         // guarded by mu_
  int64_t next_ = 0;                            // guarded by mu_
  std::vector<std::string> live_;               // acknowledged creations; guarded by mu_
  std::map<std::string, WriteRecord> records_;  // guarded by mu_
  int64_t max_acked_revision_ = 0;              // guarded by mu_
  int64_t acked_writes_ = 0;                    // guarded by mu_
  int64_t unknown_outcomes_ = 0;                // guarded by mu_
  std::vector<std::string> violations_;         // guarded by mu_
};

}  // namespace lpv::torture
