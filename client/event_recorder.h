// Records Kubernetes events about objects, as client-go's EventRecorder with its
// correlator: an event repeated with the same object, type, reason and message is not
// written again but folded into the first one, whose `count` and `lastTimestamp` grow
// (kubectl shows "(x4 over 40s)").
//
// Threads: Event() only queues; one writer thread per recorder writes through the client.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "api/objects.pb.h"
#include "client/client.h"

namespace lpv::client {

class EventRecorder {
 public:
  // `component` is the event source ("persistentvolume-controller", "default-scheduler",
  // "kubelet"); `host` the node for kubelet events.
  EventRecorder(Client* client, Clock* clock, std::string component, std::string host = "");
  ~EventRecorder();

  // type: "Normal" or "Warning".
  void Event(const google::protobuf::Message& obj, const std::string& type,
             const std::string& reason, const std::string& message);
  // Blocks until every event queued so far is written.
  void Flush();

 private:
  struct Pending {
    api::ObjectReference ref;
    std::string ns;
    std::string type, reason, message;
    TimePoint at;
  };
  struct Folded {
    std::string name;
    std::string ns;
    int32_t count = 0;
    std::string first_timestamp;
  };
  void Run();
  void Write(const Pending& p);

  Client* client_;
  Clock* clock_;
  std::string component_;
  std::string host_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool writing_ = false;
  bool stop_ = false;
  std::map<std::string, Folded> folded_;  // by correlation key; writer thread only
  std::thread thread_;
};

}  // namespace lpv::client
