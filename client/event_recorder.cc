#include "client/event_recorder.h"

#include <algorithm>
#include <cstdio>
#include <functional>

#include "client/thread_name.h"

namespace lpv::client {

EventBroadcaster::EventBroadcaster(Client* client, Clock* clock, int writers)
    : client_(client), clock_(clock ? clock : RealClock::Get()) {
  for (int i = 0; i < std::max(1, writers); ++i) {
    writers_.push_back(std::make_unique<Writer>());
    Writer* w = writers_.back().get();
    w->thread = std::thread([this, w] { Run(w); });
    SetThreadName(w->thread, "events");
  }
}

EventBroadcaster::~EventBroadcaster() {
  Flush();
  for (auto& w : writers_) {
    {
      std::lock_guard<std::mutex> l(w->mu);
      w->stop = true;
    }
    w->cv.notify_all();
    w->thread.join();
  }
}

void EventBroadcaster::Record(Pending p) {
  // One object's events always go to the same writer: in order, and folded together.
  size_t h = std::hash<std::string>{}(p.ref.uid() + "/" + p.ref.name());
  Writer* w = writers_[h % writers_.size()].get();
  std::lock_guard<std::mutex> l(w->mu);
  w->queue.push_back(std::move(p));
  ++w->recorded;
  w->cv.notify_all();
}

void EventBroadcaster::Flush() {
  std::vector<uint64_t> targets;
  for (auto& w : writers_) {
    std::lock_guard<std::mutex> l(w->mu);
    targets.push_back(w->recorded);
  }
  for (size_t i = 0; i < writers_.size(); ++i) {
    Writer* w = writers_[i].get();
    std::unique_lock<std::mutex> l(w->mu);
    w->cv.wait(l, [&] { return w->written >= targets[i]; });
  }
}

void EventBroadcaster::Run(Writer* w) {
  std::unique_lock<std::mutex> l(w->mu);
  for (;;) {
    w->cv.wait(l, [&] { return w->stop || !w->queue.empty(); });
    if (w->queue.empty()) return;
    Pending p = std::move(w->queue.front());
    w->queue.pop_front();
    l.unlock();
    Write(w, p);
    l.lock();
    ++w->written;
    w->cv.notify_all();
  }
}

void EventBroadcaster::Write(Writer* w, const Pending& p) {
  // The correlator's key: source, object, type, reason and message.
  std::string key = p.component + "/" + p.host + "/" + p.ref.kind() + "/" + p.ref.namespace_() +
                    "/" + p.ref.name() + "/" + p.ref.uid() + "/" + p.type + "/" + p.reason +
                    "/" + p.message;
  std::string now = FormatRFC3339(p.at);
  auto& folded = w->folded;
  auto it = folded.find(key);
  if (it != folded.end()) {
    auto cur = client_->Get<api::Event>(it->second.ns, it->second.name);
    if (cur.ok()) {
      api::Event ev = *cur;
      ev.set_count(ev.count() + 1);
      ev.set_last_timestamp(now);
      if (client_->Update(ev).ok()) {
        it->second.count = ev.count();
        return;
      }
    }
    folded.erase(it);  // gone or unwritable: start a new event
  }
  api::Event ev;
  // Kubernetes names events <object>.<unique hex>.
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                        p.at.time_since_epoch()).count() + static_cast<long long>(folded.size())));
  ev.mutable_metadata()->set_name(p.ref.name() + "." + suffix);
  ev.mutable_metadata()->set_namespace_(p.ns);
  *ev.mutable_involved_object() = p.ref;
  ev.set_reason(p.reason);
  ev.set_message(p.message);
  ev.mutable_source()->set_component(p.component);
  if (!p.host.empty()) ev.mutable_source()->set_host(p.host);
  ev.set_first_timestamp(now);
  ev.set_last_timestamp(now);
  ev.set_count(1);
  ev.set_type(p.type);
  ev.set_reporting_component(p.component);
  ev.set_reporting_instance(p.host);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto created = client_->CreateTyped(ev);
    if (created.ok()) {
      if (folded.size() >= 4096) folded.clear();  // bounded, as the correlator's LRU
      folded[key] = {created->metadata().name(), p.ns, 1, now};
      return;
    }
    if (!created.status().IsAlreadyExists()) return;  // events are best effort
    ev.mutable_metadata()->set_name(ev.metadata().name() + "x");
  }
}

EventRecorder::EventRecorder(Client* client, Clock* clock, std::string component,
                             std::string host)
    : own_(std::make_unique<EventBroadcaster>(client, clock)), broadcaster_(own_.get()),
      component_(std::move(component)), host_(std::move(host)) {}

EventRecorder::EventRecorder(EventBroadcaster* broadcaster, std::string component,
                             std::string host)
    : broadcaster_(broadcaster), component_(std::move(component)), host_(std::move(host)) {}

void EventRecorder::Event(const google::protobuf::Message& obj, const std::string& type,
                          const std::string& reason, const std::string& message) {
  const api::KindInfo* kind = api::KindOf(obj);
  const api::ObjectMeta& meta = api::Meta(obj);
  EventBroadcaster::Pending p;
  p.ref.set_kind(kind ? kind->kind : "");
  p.ref.set_api_version(kind ? kind->ApiVersion() : "");
  p.ref.set_namespace_(meta.namespace_());
  p.ref.set_name(meta.name());
  p.ref.set_uid(meta.uid());
  p.ref.set_resource_version(meta.resource_version());
  // Events of cluster-scoped objects live in the default namespace, as in Kubernetes.
  p.ns = meta.namespace_().empty() ? "default" : meta.namespace_();
  p.component = component_;
  p.host = host_;
  p.type = type;
  p.reason = reason;
  p.message = message;
  p.at = broadcaster_->clock()->Now();
  broadcaster_->Record(std::move(p));
}

void EventRecorder::Flush() { broadcaster_->Flush(); }

}  // namespace lpv::client
