// Records Kubernetes events about objects, as client-go's EventRecorder with its
// correlator: an event repeated with the same object, type, reason and message is not
// written again but folded into the first one, whose `count` and `lastTimestamp` grow
// (kubectl shows "(x4 over 40s)").
//
// An EventBroadcaster writes what its recorders record (client-go's Broadcaster with
// StartRecordingToSink). A recorder made without one owns a broadcaster with one writer;
// a fleet's thousands of kubelets and provisioners share one with a few writers, so that
// events cost no thread per component.
//
// Threads: Event() only queues; the broadcaster's writer threads write through the
// client. All of an object's events go to the same writer, so they keep their order and
// fold.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/objects.pb.h"
#include "client/client.h"

namespace lpv::client {

class EventBroadcaster {
 public:
  // `writers` threads (at least one).
  EventBroadcaster(Client* client, Clock* clock, int writers = 1);
  // Writes what is queued, then stops.
  ~EventBroadcaster();
  EventBroadcaster(const EventBroadcaster&) = delete;
  EventBroadcaster& operator=(const EventBroadcaster&) = delete;

  // Blocks until every event recorded before the call is written (not those recorded
  // meanwhile: a node that stops does not wait for the rest of the fleet's events).
  void Flush();
  Clock* clock() const { return clock_; }

 private:
  friend class EventRecorder;
  struct Pending {
    api::ObjectReference ref;
    std::string ns;
    std::string component, host;
    std::string type, reason, message;
    TimePoint at;
  };
  struct Folded {
    std::string name;
    std::string ns;
    int32_t count = 0;
    std::string first_timestamp;
  };
  struct Writer {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Pending> queue;
    uint64_t recorded = 0;  // events queued so far
    uint64_t written = 0;   // of those, written (or given up on)
    bool stop = false;
    std::map<std::string, Folded> folded;  // by correlation key; this writer's thread only
    std::thread thread;
  };
  void Record(Pending p);
  void Run(Writer* w);
  void Write(Writer* w, const Pending& p);

  Client* client_;
  Clock* clock_;
  std::vector<std::unique_ptr<Writer>> writers_;
};

class EventRecorder {
 public:
  // `component` is the event source ("persistentvolume-controller", "default-scheduler",
  // "kubelet"); `host` the node for kubelet events. This recorder owns its broadcaster.
  EventRecorder(Client* client, Clock* clock, std::string component, std::string host = "");
  // Records through a shared broadcaster, which must outlive the recorder.
  EventRecorder(EventBroadcaster* broadcaster, std::string component, std::string host = "");
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // type: "Normal" or "Warning".
  void Event(const google::protobuf::Message& obj, const std::string& type,
             const std::string& reason, const std::string& message);
  // Blocks until every event queued so far (on the broadcaster) is written.
  void Flush();

 private:
  std::unique_ptr<EventBroadcaster> own_;
  EventBroadcaster* broadcaster_;
  std::string component_;
  std::string host_;
};

}  // namespace lpv::client
