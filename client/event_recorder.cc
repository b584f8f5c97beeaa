#include "client/event_recorder.h"

#include <cstdio>

#include "client/thread_name.h"

namespace lpv::client {

EventRecorder::EventRecorder(Client* client, Clock* clock, std::string component,
                             std::string host)
    : client_(client), clock_(clock ? clock : RealClock::Get()),
      component_(std::move(component)), host_(std::move(host)),
      thread_([this] { Run(); }) {
  SetThreadName(thread_, "events");
}

EventRecorder::~EventRecorder() {
  Flush();
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EventRecorder::Event(const google::protobuf::Message& obj, const std::string& type,
                          const std::string& reason, const std::string& message) {
  const api::KindInfo* kind = api::KindOf(obj);
  const api::ObjectMeta& meta = api::Meta(obj);
  Pending p;
  p.ref.set_kind(kind ? kind->kind : "");
  p.ref.set_api_version(kind ? kind->ApiVersion() : "");
  p.ref.set_namespace_(meta.namespace_());
  p.ref.set_name(meta.name());
  p.ref.set_uid(meta.uid());
  p.ref.set_resource_version(meta.resource_version());
  // Events of cluster-scoped objects live in the default namespace, as in Kubernetes.
  p.ns = meta.namespace_().empty() ? "default" : meta.namespace_();
  p.type = type;
  p.reason = reason;
  p.message = message;
  p.at = clock_->Now();
  std::lock_guard<std::mutex> l(mu_);
  queue_.push_back(std::move(p));
  cv_.notify_all();
}

void EventRecorder::Flush() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [&] { return queue_.empty() && !writing_; });
}

void EventRecorder::Run() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    l.unlock();
    Write(p);
    l.lock();
    writing_ = false;
    cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& p) {
  std::string key = p.ref.kind() + "/" + p.ref.namespace_() + "/" + p.ref.name() + "/" +
                    p.ref.uid() + "/" + p.type + "/" + p.reason + "/" + p.message;
  std::string now = FormatRFC3339(p.at);
  auto it = folded_.find(key);
  if (it != folded_.end()) {
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
    folded_.erase(it);  // gone or unwritable: start a new event
  }
  api::Event ev;
  // Kubernetes names events <object>.<unique hex>.
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, "%016llx",
                static_cast<unsigned long long>(
                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                        p.at.time_since_epoch()).count() + static_cast<long long>(folded_.size())));
  ev.mutable_metadata()->set_name(p.ref.name() + "." + suffix);
  ev.mutable_metadata()->set_namespace_(p.ns);
  *ev.mutable_involved_object() = p.ref;
  ev.set_reason(p.reason);
  ev.set_message(p.message);
  ev.mutable_source()->set_component(component_);
  if (!host_.empty()) ev.mutable_source()->set_host(host_);
  ev.set_first_timestamp(now);
  ev.set_last_timestamp(now);
  ev.set_count(1);
  ev.set_type(p.type);
  ev.set_reporting_component(component_);
  ev.set_reporting_instance(host_);
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto created = client_->CreateTyped(ev);
    if (created.ok()) {
      if (folded_.size() >= 4096) folded_.clear();  // bounded, as the correlator's LRU
      folded_[key] = {created->metadata().name(), p.ns, 1, now};
      return;
    }
    if (!created.status().IsAlreadyExists()) return;  // events are best effort
    ev.mutable_metadata()->set_name(ev.metadata().name() + "x");
  }
}

}  // namespace lpv::client
