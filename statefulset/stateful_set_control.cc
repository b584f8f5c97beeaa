#include "statefulset/stateful_set_control.h"

#include <algorithm>
#include <string>

#include "statefulset/stateful_set_utils.h"

namespace lpv::statefulset {

namespace {

constexpr size_t kMaxBatchSize = 500;

// updateStatus / computeReplicaStatus: the counts over every pod list given.
void UpdateStatus(api::StatefulSetStatus* status, const api::StatefulSet& set,
                  const std::string& current_revision, const std::string& update_revision,
                  TimePoint now, std::initializer_list<const std::vector<PodPtr>*> lists) {
  status->set_replicas(0);
  status->set_ready_replicas(0);
  status->set_available_replicas(0);
  status->set_current_replicas(0);
  status->set_updated_replicas(0);
  for (const auto* list : lists) {
    for (const auto& pod : *list) {
      if (IsCreated(*pod)) status->set_replicas(status->replicas() + 1);
      if (IsRunningAndReady(*pod)) {
        status->set_ready_replicas(status->ready_replicas() + 1);
        if (IsRunningAndAvailable(*pod, set.spec().min_ready_seconds(), now)) {
          status->set_available_replicas(status->available_replicas() + 1);
        }
      }
      if (IsCreated(*pod) && !IsTerminating(*pod)) {
        if (GetPodRevision(*pod) == current_revision) {
          status->set_current_replicas(status->current_replicas() + 1);
        }
        if (GetPodRevision(*pod) == update_revision) {
          status->set_updated_replicas(status->updated_replicas() + 1);
        }
      }
    }
  }
}

// inconsistentStatus: whether `status` says something the stored status does not.
bool InconsistentStatus(const api::StatefulSet& set, const api::StatefulSetStatus& status) {
  const auto& cur = set.status();
  return status.observed_generation() > cur.observed_generation() ||
         status.replicas() != cur.replicas() ||
         status.current_replicas() != cur.current_replicas() ||
         status.ready_replicas() != cur.ready_replicas() ||
         status.updated_replicas() != cur.updated_replicas() ||
         status.current_revision() != cur.current_revision() ||
         status.available_replicas() != cur.available_replicas() ||
         status.update_revision() != cur.update_revision();
}

// completeRollingUpdate: once every replica is updated and ready, the update revision
// becomes the current one.
void CompleteRollingUpdate(const api::StatefulSet& set, api::StatefulSetStatus* status) {
  int32_t replicas = set.spec().replicas();
  if (set.spec().update_strategy().type() == "RollingUpdate" &&
      status->updated_replicas() == replicas && status->ready_replicas() == replicas &&
      status->replicas() == replicas) {
    status->set_current_replicas(status->updated_replicas());
    status->set_current_revision(status->update_revision());
  }
}

}  // namespace

std::pair<bool, Status> RunForAll(size_t n,
                                  const std::function<std::pair<bool, Status>(size_t)>& fn,
                                  bool monotonic) {
  if (monotonic) {
    for (size_t i = 0; i < n; ++i) {
      auto [stop, err] = fn(i);
      if (stop || !err.ok()) return {true, err};
    }
    return {false, Status::OK()};
  }
  // slowStartBatch(1, n, fn). Kubernetes runs a batch's calls concurrently; lpv runs them in
  // turn, which the order-free Parallel policy cannot tell apart.
  size_t next = 0;
  for (size_t batch = std::min<size_t>(n, 1); batch > 0;
       batch = std::min({2 * batch, n - next, kMaxBatchSize})) {
    Status first_error;
    for (size_t k = 0; k < batch; ++k, ++next) {
      Status err = fn(next).second;
      if (!err.ok() && first_error.ok()) first_error = err;
    }
    if (!first_error.ok()) return {true, first_error};
  }
  return {false, Status::OK()};
}

StatefulSetControl::StatefulSetControl(client::Client* client, StatefulPodControl* pod_control,
                                       Clock* clock)
    : client_(client), pod_control_(pod_control), clock_(clock) {}

Result<api::StatefulSetStatus> StatefulSetControl::UpdateStatefulSet(
    const api::StatefulSet& set, const std::vector<PodPtr>& pods) {
  // getStatefulSetRevisions without ControllerRevision objects (see RevisionName): the
  // update revision is the current template's; the current revision is the one the status
  // recorded, or the update revision on the first sync.
  std::string update_revision = RevisionName(set);
  std::string current_revision =
      set.status().current_revision().empty() ? update_revision : set.status().current_revision();
  auto status = updateStatefulSet(set, current_revision, update_revision, pods);
  if (!status.ok()) return status.status();
  if (Status s = updateStatefulSetStatus(set, *status); !s.ok()) return s;
  return status;
}

Result<api::StatefulSetStatus> StatefulSetControl::updateStatefulSet(
    const api::StatefulSet& set, const std::string& current_revision,
    const std::string& update_revision, const std::vector<PodPtr>& pods) {
  const TimePoint now = clock_->Now();
  api::StatefulSetStatus status;
  status.set_observed_generation(set.metadata().generation());
  status.set_current_revision(current_revision);
  status.set_update_revision(update_revision);
  status.set_collision_count(set.status().collision_count());
  UpdateStatus(&status, set, current_revision, update_revision, now, {&pods});

  const int replica_count = std::max(0, set.spec().replicas());
  std::vector<PodPtr> replicas(static_cast<size_t>(replica_count));
  std::vector<PodPtr> condemned;
  for (const auto& pod : pods) {
    if (PodInOrdinalRange(*pod, set)) {
      replicas[static_cast<size_t>(GetOrdinal(*pod) - GetStartOrdinal(set))] = pod;
    } else if (GetOrdinal(*pod) >= 0) {
      condemned.push_back(pod);
    }
    // A pod whose name has no ordinal is ignored.
  }
  // The missing ordinals: pods to create, at the update revision.
  // lpv: Kubernetes makes ordinals below a RollingUpdate partition from the current
  // revision's template (kept in a ControllerRevision); lpv keeps only the set's template,
  // so every new pod is made from it.
  for (int ord = GetStartOrdinal(set); ord <= GetEndOrdinal(set); ++ord) {
    auto& slot = replicas[static_cast<size_t>(ord - GetStartOrdinal(set))];
    if (!slot) slot = std::make_shared<api::Pod>(NewStatefulSetPod(set, ord, update_revision));
  }
  std::sort(condemned.begin(), condemned.end(),
            [](const PodPtr& a, const PodPtr& b) { return GetOrdinal(*a) > GetOrdinal(*b); });

  // The first unhealthy pod: the lowest replica, else the lowest condemned.
  const api::Pod* first_unhealthy = nullptr;
  for (const auto& pod : replicas) {
    if (!IsHealthy(*pod)) {
      first_unhealthy = pod.get();
      break;
    }
  }
  for (auto it = condemned.rbegin(); first_unhealthy == nullptr && it != condemned.rend(); ++it) {
    if (!IsHealthy(**it)) first_unhealthy = it->get();
  }

  auto finish = [&](const Status& err) -> Result<api::StatefulSetStatus> {
    UpdateStatus(&status, set, current_revision, update_revision, now, {&replicas, &condemned});
    if (!err.ok()) return err;
    return status;
  };

  // A set being deleted only gets its status updated.
  if (!set.metadata().deletion_timestamp().empty()) return status;

  const bool monotonic = set.spec().pod_management_policy() != "Parallel";

  // The replicas, in ordinal order.
  std::pair<bool, Status> run = RunForAll(
      replicas.size(), [&](size_t i) { return processReplica(set, monotonic, replicas, i); },
      monotonic);
  if (run.first || !run.second.ok()) return finish(run.second);

  // The claims of condemned pods get the owner references the retention policy wants
  // (whenScaled=Delete: the pod, so the garbage collector takes them with it).
  run = RunForAll(
      condemned.size(),
      [&](size_t i) -> std::pair<bool, Status> {
        if (Status s = pod_control_->CondemnedClaimsObserved(set, *condemned[i]); !s.ok()) {
          return {true, s};
        }
        auto match = pod_control_->ClaimsMatchRetentionPolicy(set, *condemned[i]);
        if (!match.ok()) return {true, match.status()};
        if (!*match) {
          Status s = pod_control_->UpdatePodClaimForRetentionPolicy(set, *condemned[i]);
          if (!s.ok()) return {true, s};
        }
        return {false, Status::OK()};
      },
      monotonic);
  if (run.first || !run.second.ok()) return finish(run.second);

  // Scale down: the condemned, highest ordinal first. In monotonic mode every replica is now
  // Running, Ready and available; each deletion ends the sync, and the next one waits for
  // the deleted pod to be gone.
  run = RunForAll(
      condemned.size(),
      [&](size_t i) { return processCondemned(set, first_unhealthy, monotonic, condemned, i); },
      monotonic);
  if (run.first || !run.second.ok()) return finish(run.second);

  UpdateStatus(&status, set, current_revision, update_revision, now, {&replicas, &condemned});

  // OnDelete: pods are replaced only when someone deletes them.
  if (set.spec().update_strategy().type() == "OnDelete") return status;

  // RollingUpdate: delete the highest ordinal at or above the partition that is not at the
  // update revision; wait for each replacement to be healthy.
  int update_min = 0;
  if (set.spec().update_strategy().has_rolling_update()) {
    update_min = set.spec().update_strategy().rolling_update().partition();
  }
  for (int target = static_cast<int>(replicas.size()) - 1; target >= update_min; --target) {
    const api::Pod& pod = *replicas[static_cast<size_t>(target)];
    if (GetPodRevision(pod) != update_revision && !IsTerminating(pod)) {
      Status s = pod_control_->DeleteStatefulPod(set, pod);
      if (!s.ok() && !s.IsNotFound()) return s;
      status.set_current_replicas(status.current_replicas() - 1);
      return status;
    }
    if (!IsHealthy(pod)) return status;
  }
  return status;
}

std::pair<bool, Status> StatefulSetControl::processReplica(const api::StatefulSet& set,
                                                           bool monotonic,
                                                           std::vector<PodPtr>& replicas,
                                                           size_t i) {
  const api::Pod& pod = *replicas[i];
  // A failed or succeeded pod (evicted, or stopped by a node reboot) is deleted, and made
  // again by a later sync once it is gone.
  if (IsFailed(pod) || IsSucceeded(pod)) {
    if (!IsTerminating(pod)) {
      if (Status s = pod_control_->DeleteStatefulPod(set, pod); !s.ok()) return {true, s};
    }
    return {true, Status::OK()};
  }
  if (!IsCreated(pod)) {
    auto stale = pod_control_->PodClaimIsStale(set, pod);
    if (!stale.ok()) return {true, stale.status()};
    // A claim still owned by the previous pod of this ordinal: wait for it to go.
    if (*stale) return {true, Status::OK()};
    if (Status s = pod_control_->CreateStatefulPod(set, pod); !s.ok()) return {true, s};
    // OrderedReady: one pod at a time; the next sync sees it Pending.
    // lpv: Parallel moves on to the next ordinal too, rather than checking the pod just
    // created against the set (Kubernetes does, with the unsent object).
    return {monotonic, Status::OK()};
  }
  // A pending pod whose claims were deleted gets them back.
  if (IsPending(pod)) {
    if (Status s = pod_control_->CreateMissingPersistentVolumeClaims(set, pod); !s.ok()) {
      return {true, s};
    }
  }
  // A terminating pod must be gone before its ordinal is made again or the next one made.
  if (IsTerminating(pod) && monotonic) return {true, Status::OK()};
  if (!IsRunningAndReady(pod) && monotonic) return {true, Status::OK()};
  if (!IsRunningAndAvailable(pod, set.spec().min_ready_seconds(), clock_->Now()) && monotonic) {
    return {true, Status::OK()};
  }
  // The set's invariants on an existing pod: identity, storage, claim ownership.
  auto retention = pod_control_->ClaimsMatchRetentionPolicy(set, pod);
  bool retention_match = !retention.ok() || *retention;
  if (IdentityMatches(set, pod) && StorageMatches(set, pod) && retention_match) {
    return {false, Status::OK()};
  }
  if (Status s = pod_control_->UpdateStatefulPod(set, pod); !s.ok()) return {true, s};
  return {false, Status::OK()};
}

std::pair<bool, Status> StatefulSetControl::processCondemned(const api::StatefulSet& set,
                                                             const api::Pod* first_unhealthy,
                                                             bool monotonic,
                                                             const std::vector<PodPtr>& condemned,
                                                             size_t i) {
  const api::Pod& pod = *condemned[i];
  // OrderedReady waits for a terminating pod to be gone before the next deletion.
  if (IsTerminating(pod)) return {monotonic, Status::OK()};
  if (!IsRunningAndReady(pod) && monotonic && &pod != first_unhealthy) {
    return {true, Status::OK()};
  }
  if (!IsRunningAndAvailable(pod, set.spec().min_ready_seconds(), clock_->Now()) && monotonic &&
      &pod != first_unhealthy) {
    return {true, Status::OK()};
  }
  return {true, pod_control_->DeleteStatefulPod(set, pod)};
}

Status StatefulSetControl::updateStatefulSetStatus(const api::StatefulSet& set,
                                                   api::StatefulSetStatus status) {
  CompleteRollingUpdate(set, &status);
  if (!InconsistentStatus(set, status)) return Status::OK();
  api::StatefulSet copy = set;
  *copy.mutable_status() = std::move(status);
  // lpv: an unconditional write of the status subresource (Kubernetes retries on conflict
  // with the lister's copy, to the same effect): only status changes, computed from the
  // caches of this sync.
  copy.mutable_metadata()->clear_resource_version();
  return client_->UpdateStatus(copy).status();
}

}  // namespace lpv::statefulset
