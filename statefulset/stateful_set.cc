// The controller's frame, as stateful_set.go: informers and their indexes, handlers that
// enqueue sets, the work queue and its workers, and the claiming of pods.

#include "statefulset/stateful_set.h"

#include <algorithm>
#include <optional>

#include "api/pod_util.h"
#include "client/thread_name.h"
#include "statefulset/gc.h"
#include "statefulset/stateful_pod_control.h"
#include "statefulset/stateful_set_control.h"
#include "statefulset/stateful_set_utils.h"

namespace lpv::statefulset {

namespace {

// statefulSetResyncPeriod: every set is synced again this often though nothing changed.
constexpr Duration kStatefulSetResyncPeriod = std::chrono::seconds(30);

constexpr char kByNamespace[] = "namespace";

std::vector<std::string> NamespaceIndex(const google::protobuf::Message& obj) {
  return {api::Meta(obj).namespace_()};
}

// Sets by one pair of their selector's matchLabels (the smallest key), or by "*" when it
// has none: a set selects only objects that carry that pair, so an object's own labels
// find the few sets that may select it, not every set of the namespace (a claim event at
// 5,000 sets parsed 5,000 selectors).
constexpr char kBySelectorLabel[] = "selector-label";
std::string SelectorLabelKey(const std::string& ns, const std::string& key,
                             const std::string& value) {
  return ns + '\0' + key + '=' + value;
}
std::string AnySelectorKey(const std::string& ns) { return ns + '\0' + "*"; }
std::vector<std::string> SelectorLabelIndex(const google::protobuf::Message& obj) {
  const auto& set = static_cast<const api::StatefulSet&>(obj);
  const std::string& ns = set.metadata().namespace_();
  const std::string* key = nullptr;
  const std::string* value = nullptr;
  for (const auto& [k, v] : set.spec().selector().match_labels()) {
    if (key == nullptr || k < *key) {
      key = &k;
      value = &v;
    }
  }
  if (key == nullptr) return {AnySelectorKey(ns)};
  return {SelectorLabelKey(ns, *key, *value)};
}

// Pods without a controller, by namespace: the only pods a set may adopt.
constexpr char kOrphansByNamespace[] = "orphans-by-namespace";
std::vector<std::string> OrphansByNamespaceIndex(const google::protobuf::Message& obj) {
  if (GetControllerOf(api::Meta(obj)) != nullptr) return {};
  return {api::Meta(obj).namespace_()};
}

const api::KindInfo& Kind(const google::protobuf::Message& prototype) {
  return *api::KindOf(prototype);
}

bool SameLabels(const google::protobuf::Map<std::string, std::string>& a,
                const google::protobuf::Map<std::string, std::string>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end() || it->second != v) return false;
  }
  return true;
}

bool SameControllerRef(const api::OwnerReference* a, const api::OwnerReference* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return a->SerializeAsString() == b->SerializeAsString();
}

// Whether a claim's update leaves what the sets care about as it was: its labels (which
// sets select it), its owners and whether it is being deleted.
bool SameForSets(const api::ObjectMeta& was, const api::ObjectMeta& is) {
  if (was.deletion_timestamp() != is.deletion_timestamp()) return false;
  if (was.labels().size() != is.labels().size()) return false;
  for (const auto& [k, v] : was.labels()) {
    auto it = is.labels().find(k);
    if (it == is.labels().end() || it->second != v) return false;
  }
  if (was.owner_references_size() != is.owner_references_size()) return false;
  for (int i = 0; i < was.owner_references_size(); ++i) {
    if (was.owner_references(i).SerializeAsString() != is.owner_references(i).SerializeAsString()) {
      return false;
    }
  }
  return true;
}

}  // namespace

StatefulSetController::StatefulSetController(client::Client* client, Options options)
    : client_(client),
      options_(options),
      clock_(options.clock ? options.clock : RealClock::Get()),
      queue_(clock_),
      recorder_(client, clock_, kControllerComponent) {
  auto* informers = client::SharedOrOwn(options.informers, &own_informers_, client_, clock_);
  sets_ = informers->InformerFor(Kind(api::StatefulSet::default_instance()));
  pods_ = informers->InformerFor(Kind(api::Pod::default_instance()));
  claims_ = informers->InformerFor(Kind(api::PersistentVolumeClaim::default_instance()));
  sets_->AddIndexer(kByNamespace, NamespaceIndex);
  sets_->AddIndexer(kBySelectorLabel, SelectorLabelIndex);
  pods_->AddIndexer(kByNamespace, NamespaceIndex);
  pods_->AddIndexer(kOrphansByNamespace, OrphansByNamespaceIndex);
  pods_->AddIndexer(OwnerReferenceCleanup::kByOwnerUID, OwnerReferenceCleanup::OwnerUIDIndex);
  claims_->AddIndexer(OwnerReferenceCleanup::kByOwnerUID, OwnerReferenceCleanup::OwnerUIDIndex);

  pod_control_ = std::make_unique<StatefulPodControl>(client_, claims_, &recorder_);
  control_ = std::make_unique<StatefulSetControl>(client_, pod_control_.get(), clock_);
  gc_ = std::make_unique<OwnerReferenceCleanup>(client_, sets_, pods_, claims_, clock_);
  AddHandlers();
}

StatefulSetController::~StatefulSetController() { Stop(); }

void StatefulSetController::AddHandlers() {
  client::EventHandler set_handler;
  set_handler.on_add = [this](const client::ObjectRef& obj) {
    gc_->OwnerObserved(*obj);
    Enqueue(static_cast<const api::StatefulSet&>(*obj));
  };
  set_handler.on_update = [this](const client::ObjectRef&, const client::ObjectRef& obj) {
    gc_->OwnerObserved(*obj);
    Enqueue(static_cast<const api::StatefulSet&>(*obj));
  };
  set_handler.on_delete = [this](const client::ObjectRef& obj) {
    // Its pods, and the claims the retention policy gave it, are the garbage collector's.
    gc_->OwnerGone(api::Meta(*obj).uid());
  };
  sets_->AddEventHandler(std::move(set_handler), kStatefulSetResyncPeriod);

  client::EventHandler pod_handler;
  pod_handler.on_add = [this](const client::ObjectRef& obj) {
    AddPod(static_cast<const api::Pod&>(*obj));
  };
  pod_handler.on_update = [this](const client::ObjectRef& old_obj, const client::ObjectRef& obj) {
    UpdatePod(static_cast<const api::Pod&>(*old_obj), static_cast<const api::Pod&>(*obj));
  };
  pod_handler.on_delete = [this](const client::ObjectRef& obj) {
    DeletePod(static_cast<const api::Pod&>(*obj));
  };
  pods_->AddEventHandler(std::move(pod_handler));

  // lpv: Kubernetes' StatefulSet controller does not watch claims; lpv syncs the sets whose
  // selector matches a claim when it changes, so a claim that finishes deleting (or loses an
  // owner reference) is acted on at once rather than at the next retry.
  client::EventHandler claim_handler;
  claim_handler.on_add = [this](const client::ObjectRef& obj) {
    gc_->DependentObserved(*obj);
    gc_->OwnerObserved(*obj);
    ClaimChanged(static_cast<const api::PersistentVolumeClaim&>(*obj));
  };
  claim_handler.on_update = [this](const client::ObjectRef& old_obj, const client::ObjectRef& obj) {
    if (api::Meta(*old_obj).resource_version() == api::Meta(*obj).resource_version()) return;
    gc_->DependentObserved(*obj);
    gc_->OwnerObserved(*obj);
    // Binding a claim (its volumeName, status, annotations) changes nothing a set does:
    // only what decides whether a claim blocks or belongs to a set wakes the sets. With
    // 1,000 sets, each claim's bind writes would otherwise cost a scan of every set.
    if (SameForSets(api::Meta(*old_obj), api::Meta(*obj))) return;
    ClaimChanged(static_cast<const api::PersistentVolumeClaim&>(*obj));
  };
  claim_handler.on_delete = [this](const client::ObjectRef& obj) {
    gc_->DependentGone(*obj);
    ClaimChanged(static_cast<const api::PersistentVolumeClaim&>(*obj));
  };
  claims_->AddEventHandler(std::move(claim_handler));
}

void StatefulSetController::Start() {
  if (started_) return;
  started_ = true;
  for (auto* informer : {sets_, pods_, claims_}) informer->Start();
  gc_->Start();
  int n = std::max(1, options_.workers);
  for (int i = 0; i < n; ++i) {
    workers_.emplace_back([this] { Worker(); });
    client::SetThreadName(workers_.back(), "statefulset");
  }
}

void StatefulSetController::Stop() {
  if (stop_.exchange(true)) return;
  queue_.ShutDown();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  gc_->Stop();
  if (own_informers_) own_informers_->Stop();
  recorder_.Flush();
}

bool StatefulSetController::WaitForCacheSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto* informer : {sets_, pods_, claims_}) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0 || !informer->WaitForCacheSync(left)) return false;
  }
  return true;
}

void StatefulSetController::Worker() {
  // A sync on half-filled caches would create pods and claims that already exist.
  while (!stop_ && !WaitForCacheSync(std::chrono::milliseconds(100))) {
  }
  std::string key;
  while (queue_.Get(&key)) {
    Status s = Sync(key);
    if (s.ok()) {
      queue_.Forget(key);
    } else {
      queue_.AddRateLimited(key);
    }
    queue_.Done(key);
  }
}

void StatefulSetController::Enqueue(const api::StatefulSet& set) { queue_.Add(api::KeyOf(set)); }

void StatefulSetController::EnqueueAfter(const api::StatefulSet& set, Duration after) {
  queue_.AddAfter(api::KeyOf(set), after);
}

std::shared_ptr<const api::StatefulSet> StatefulSetController::ResolveControllerRef(
    const std::string& ns, const api::OwnerReference& ref) const {
  // Looked up by name, then checked by uid: a set of the same name made later is another set.
  if (ref.kind() != "StatefulSet") return nullptr;
  auto set = client::As<api::StatefulSet>(sets_->Get(ns + "/" + ref.name()));
  if (!set || set->metadata().uid() != ref.uid()) return nullptr;
  return set;
}

std::vector<std::shared_ptr<const api::StatefulSet>> StatefulSetController::GetStatefulSetsMatching(
    const std::string& ns, const google::protobuf::Map<std::string, std::string>& labels) const {
  // GetPodStatefulSets: sets whose (non-empty) selector matches the labels. Each set is in
  // one bucket of kBySelectorLabel, so no set is a candidate twice.
  std::vector<client::ObjectRef> candidates = sets_->ByIndex(kBySelectorLabel, AnySelectorKey(ns));
  for (const auto& [k, v] : labels) {
    auto more = sets_->ByIndex(kBySelectorLabel, SelectorLabelKey(ns, k, v));
    candidates.insert(candidates.end(), more.begin(), more.end());
  }
  std::vector<std::shared_ptr<const api::StatefulSet>> out;
  for (const auto& obj : candidates) {
    auto set = client::As<api::StatefulSet>(obj);
    auto selector = api::LabelSelectorAsSelector(
        set->spec().has_selector() ? &set->spec().selector() : nullptr);
    if (!selector.ok() || selector->Empty() || !selector->Matches(labels)) continue;
    out.push_back(set);
  }
  return out;
}

void StatefulSetController::AddPod(const api::Pod& pod) {
  gc_->DependentObserved(pod);
  gc_->OwnerObserved(pod);
  if (!pod.metadata().deletion_timestamp().empty()) {
    // A pod already being deleted (seen after a restart) is not a creation to observe.
    DeletePod(pod);
    return;
  }
  if (const auto* ref = GetControllerOf(pod.metadata())) {
    if (auto set = ResolveControllerRef(pod.metadata().namespace_(), *ref)) Enqueue(*set);
    return;
  }
  // An orphan: the sets that might adopt it.
  for (const auto& set :
       GetStatefulSetsMatching(pod.metadata().namespace_(), pod.metadata().labels())) {
    Enqueue(*set);
  }
}

void StatefulSetController::UpdatePod(const api::Pod& old_pod, const api::Pod& cur_pod) {
  // The informer's resync redelivers unchanged pods: nothing to see.
  if (old_pod.metadata().resource_version() == cur_pod.metadata().resource_version()) return;
  pod_control_->PodObserved(cur_pod);
  gc_->DependentObserved(cur_pod);
  gc_->OwnerObserved(cur_pod);
  bool labels_changed = !SameLabels(old_pod.metadata().labels(), cur_pod.metadata().labels());
  const auto* cur_ref = GetControllerOf(cur_pod.metadata());
  const auto* old_ref = GetControllerOf(old_pod.metadata());
  bool ref_changed = !SameControllerRef(cur_ref, old_ref);
  if (ref_changed && old_ref != nullptr) {
    if (auto set = ResolveControllerRef(old_pod.metadata().namespace_(), *old_ref)) Enqueue(*set);
  }
  if (cur_ref != nullptr) {
    auto set = ResolveControllerRef(cur_pod.metadata().namespace_(), *cur_ref);
    if (!set) return;
    if (!api::IsPodReady(old_pod) && api::IsPodReady(cur_pod) && set->spec().min_ready_seconds() > 0) {
      // A second more than minReadySeconds, against rounding in the timestamps. Scheduled
      // before the sync below, so whoever sees that sync's status finds this timer pending.
      EnqueueAfter(*set, std::chrono::seconds(set->spec().min_ready_seconds() + 1));
    }
    Enqueue(*set);
    return;
  }
  if (labels_changed || ref_changed) {
    for (const auto& set :
         GetStatefulSetsMatching(cur_pod.metadata().namespace_(), cur_pod.metadata().labels())) {
      Enqueue(*set);
    }
  }
}

void StatefulSetController::DeletePod(const api::Pod& pod) {
  pod_control_->PodGone(pod);
  // Claims the retention policy gave to this pod go with it; a set deleting its dependents
  // in the foreground may be waiting for this one.
  gc_->OwnerGone(pod.metadata().uid());
  gc_->DependentGone(pod);
  const auto* ref = GetControllerOf(pod.metadata());
  if (ref == nullptr) return;  // nobody cares about an orphan's deletion
  if (auto set = ResolveControllerRef(pod.metadata().namespace_(), *ref)) Enqueue(*set);
}

void StatefulSetController::ClaimChanged(const api::PersistentVolumeClaim& claim) {
  for (const auto& set :
       GetStatefulSetsMatching(claim.metadata().namespace_(), claim.metadata().labels())) {
    Enqueue(*set);
  }
}

Status StatefulSetController::Sync(const std::string& key) {
  auto set = client::As<api::StatefulSet>(sets_->Get(key));
  if (!set) return Status::OK();  // deleted; its children are the garbage collector's
  auto selector =
      api::LabelSelectorAsSelector(set->spec().has_selector() ? &set->spec().selector() : nullptr);
  // A selector that does not parse will not parse next time either: don't retry.
  if (!selector.ok()) return Status::OK();
  auto pods = GetPodsForStatefulSet(*set, *selector);
  if (!pods.ok()) return pods.status();
  auto status = control_->UpdateStatefulSet(*set, *pods);
  if (!status.ok()) return status.status();
  // One more sync once pods may have become available (minReadySeconds after Ready).
  if (set->spec().min_ready_seconds() > 0 &&
      status->available_replicas() != set->spec().replicas()) {
    EnqueueAfter(*set, std::chrono::seconds(set->spec().min_ready_seconds()));
  }
  return Status::OK();
}

Result<std::vector<std::shared_ptr<const api::Pod>>> StatefulSetController::GetPodsForStatefulSet(
    const api::StatefulSet& set, const api::Selector& selector) {
  const std::string& uid = set.metadata().uid();
  const bool set_deleting = !set.metadata().deletion_timestamp().empty();
  std::vector<std::shared_ptr<const api::Pod>> claimed;
  std::vector<std::string> errors;
  // RecheckDeletionTimestamp: before adopting, make sure the set (this uid) still exists and
  // is not being deleted, with a read from the API rather than the cache.
  std::optional<bool> can_adopt;
  auto CanAdopt = [&]() {
    if (!can_adopt) {
      auto fresh =
          client_->Get<api::StatefulSet>(set.metadata().namespace_(), set.metadata().name());
      can_adopt = fresh.ok() && fresh->metadata().uid() == uid &&
                  fresh->metadata().deletion_timestamp().empty();
    }
    return *can_adopt;
  };

  // The pods this set owns and the namespace's orphans: every other pod is another
  // controller's, which the loop would skip (Kubernetes reads the whole namespace; with
  // 1,000 sets of 4 pods that is 4,000 pods per sync instead of 4). By key, as before.
  std::vector<client::ObjectRef> candidates =
      pods_->ByIndex(OwnerReferenceCleanup::kByOwnerUID, uid);
  for (auto& obj : pods_->ByIndex(kOrphansByNamespace, set.metadata().namespace_())) {
    candidates.push_back(std::move(obj));
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const client::ObjectRef& a, const client::ObjectRef& b) {
              return api::KeyOf(*a) < api::KeyOf(*b);
            });
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (const auto& obj : candidates) {
    if (api::Meta(*obj).namespace_() != set.metadata().namespace_()) continue;
    auto pod = client::As<api::Pod>(obj);
    bool matches = selector.Matches(pod->metadata().labels()) && IsMemberOf(set, *pod);
    const auto* ref = GetControllerOf(pod->metadata());
    if (ref != nullptr) {
      if (ref->uid() != uid) continue;  // another controller's
      if (matches) {
        claimed.push_back(pod);
        continue;
      }
      if (set_deleting) continue;
      // Ours but no longer selected: release it.
      api::Pod released = *pod;
      auto* refs = released.mutable_metadata()->mutable_owner_references();
      for (int i = refs->size() - 1; i >= 0; --i) {
        if (refs->Get(i).uid() == uid) refs->DeleteSubrange(i, 1);
      }
      auto r = client_->Update(released);
      if (!r.ok() && !r.status().IsNotFound()) errors.push_back(r.status().message());
      continue;
    }
    // An orphan: adopt it if it is ours by selector and name.
    if (!matches || set_deleting || !pod->metadata().deletion_timestamp().empty()) continue;
    if (!CanAdopt()) continue;
    api::Pod adopted = *pod;
    *adopted.mutable_metadata()->add_owner_references() = NewControllerRef(set);
    auto r = client_->UpdateTyped(adopted);
    if (r.ok()) {
      claimed.push_back(std::make_shared<const api::Pod>(std::move(*r)));
    } else if (!r.status().IsNotFound()) {
      errors.push_back(r.status().message());
    }
  }
  if (!errors.empty()) {
    std::string msg = errors.size() == 1 ? errors[0] : "[";
    if (errors.size() > 1) {
      for (size_t i = 0; i < errors.size(); ++i) msg += (i ? ", " : "") + errors[i];
      msg += "]";
    }
    return Status::Internal(msg);
  }
  return claimed;
}

}  // namespace lpv::statefulset
