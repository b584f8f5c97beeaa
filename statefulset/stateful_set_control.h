// StatefulSetControl: one sync of a StatefulSet against its pods, as Kubernetes'
// defaultStatefulSetControl (stateful_set_control.go).
//
// Ordinals [0, replicas) are the set's replicas, higher ones are condemned. With
// OrderedReady (monotonic) the sync stops at the first replica that is missing (it creates
// it), terminating, or not Running and Ready (and available): ordinal i+1 is created only
// once 0..i are healthy, and a condemned pod is deleted — the highest first, one at a time,
// each waited for until gone — only once every replica is healthy. Parallel (burst) does
// everything at once. Then the RollingUpdate strategy replaces pods of an older template,
// highest ordinal first. The set's status is written at the end.
//
// Thread-safety: safe for concurrent use on different sets (the work queue never hands
// one set to two workers).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "api/clock.h"
#include "api/objects.pb.h"
#include "api/status.h"
#include "client/client.h"
#include "statefulset/stateful_pod_control.h"

namespace lpv::statefulset {

using PodPtr = std::shared_ptr<const api::Pod>;

class StatefulSetControl {
 public:
  StatefulSetControl(client::Client* client, StatefulPodControl* pod_control, Clock* clock);

  // Moves the set one step toward its spec and writes its status; returns the status.
  Result<api::StatefulSetStatus> UpdateStatefulSet(const api::StatefulSet& set,
                                                   const std::vector<PodPtr>& pods);

 private:
  Result<api::StatefulSetStatus> updateStatefulSet(const api::StatefulSet& set,
                                                   const std::string& current_revision,
                                                   const std::string& update_revision,
                                                   const std::vector<PodPtr>& pods);
  // (should the sync stop here, error)
  std::pair<bool, Status> processReplica(const api::StatefulSet& set, bool monotonic,
                                         std::vector<PodPtr>& replicas, size_t i);
  std::pair<bool, Status> processCondemned(const api::StatefulSet& set,
                                           const api::Pod* first_unhealthy, bool monotonic,
                                           const std::vector<PodPtr>& condemned, size_t i);
  Status updateStatefulSetStatus(const api::StatefulSet& set, api::StatefulSetStatus status);

  client::Client* client_;
  StatefulPodControl* pod_control_;
  Clock* clock_;
};

// runForAll: OrderedReady runs `fn` in order and stops at the first that says stop (or
// fails); Parallel runs every one, in slow-start batches (1, 2, 4, ...) that stop after a
// batch with an error. Returns (stopped, error).
std::pair<bool, Status> RunForAll(size_t n,
                                  const std::function<std::pair<bool, Status>(size_t)>& fn,
                                  bool monotonic);

}  // namespace lpv::statefulset
