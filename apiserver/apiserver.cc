#include "apiserver/apiserver.h"

#include <algorithm>
#include <random>
#include <set>

#include "api/clock.h"
#include "api/selectors.h"
#include "api/validation.h"
#include "apiserver/list_pages.h"
#include "apiserver/pod_trigger.h"
#include "apiserver/strategy.h"

namespace lpv::apiserver {

namespace {

using api::KindInfo;
using api::ObjectMeta;

// Kubernetes' generateName suffix alphabet: no vowels, no confusable characters.
std::string RandomSuffix(size_t n) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string s;
  for (size_t i = 0; i < n; ++i) s += kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return s;
}

std::string NewUID() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  uint64_t a = rng(), b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// The stored bytes never carry resourceVersion: it is the store's mod_revision, set on
// every read, as the etcd3 storage of Kubernetes does.
std::string Encode(Message* obj) {
  ObjectMeta* meta = api::MutableMeta(obj);
  std::string rv;
  rv.swap(*meta->mutable_resource_version());
  std::string bytes;
  obj->SerializeToString(&bytes);
  meta->mutable_resource_version()->swap(rv);
  return bytes;
}

Status NotFound(const KindInfo& kind, const std::string& name) {
  return Status::NotFound(kind.resource + (kind.group.empty() ? "" : "." + kind.group), name);
}

std::string ResourceName(const KindInfo& kind) {
  return kind.resource + (kind.group.empty() ? "" : "." + kind.group);
}

// What Kubernetes answers when etcd refuses a value over its request limit: etcd's own
// error, passed on unclassified (500, no reason).
Status TooLargeForStore() {
  return Status::Make(Reason::Unknown, "etcdserver: request is too large");
}

Status CheckObject(const KindInfo& kind, const Message& obj) {
  const ObjectMeta& meta = api::Meta(obj);
  if (!kind.namespaced && !meta.namespace_().empty()) {
    return Status::Invalid(kind.kind, meta.name(),
                           {FieldError::Forbidden("metadata.namespace",
                                                  "not allowed on this type")});
  }
  return Status::OK();
}

struct Filter {
  std::optional<api::Selector> labels;
  std::optional<api::FieldSelector> fields;
  const KindInfo* kind = nullptr;

  bool Matches(const Message& obj) const {
    if (labels && !labels->Matches(api::Meta(obj).labels())) return false;
    if (fields) {
      return fields->Matches([&](const std::string& f) { return SelectableField(*kind, obj, f); });
    }
    return true;
  }
};

Result<Filter> MakeFilter(const KindInfo& kind, const ListOptions& options) {
  Filter f;
  f.kind = &kind;
  if (!options.label_selector.empty()) {
    auto s = api::ParseSelector(options.label_selector);
    if (!s.ok()) return Status::BadRequest(s.status().message());
    f.labels = std::move(*s);
  }
  if (!options.field_selector.empty()) {
    auto s = api::ParseFieldSelector(options.field_selector);
    if (!s.ok()) return Status::BadRequest(s.status().message());
    auto probe = kind.New();
    for (const auto& field : s->Fields()) {
      if (!SelectableField(kind, *probe, field)) {
        return Status::BadRequest("field label not supported: " + field);
      }
    }
    f.fields = std::move(*s);
  }
  return f;
}

// ValidateDeleteOptions (apimachinery's validation of metav1.DeleteOptions).
Status ValidateDeleteOptions(const DeleteOptions& options) {
  const std::string& p = options.propagation_policy;
  if (p.empty() || p == kDeletePropagationOrphan || p == kDeletePropagationBackground ||
      p == kDeletePropagationForeground) {
    return Status::OK();
  }
  // The kind qualified by its group, as errors.NewInvalid prints a schema.GroupKind.
  Status invalid = Status::Invalid("DeleteOptions.meta.k8s.io", "",
                                   {FieldError::NotSupported("propagationPolicy", p,
                                                             {kDeletePropagationForeground,
                                                              kDeletePropagationBackground,
                                                              kDeletePropagationOrphan})});
  invalid.set_details("DeleteOptions", "");
  return invalid;
}

// lpv: the kinds whose deletion the garbage collector (statefulset/gc.h) finishes. On
// Kubernetes every kind is (its default policy is Background, "DeleteDependents"); lpv's
// collector watches only the kinds that own anything here, so for the others Orphan and
// Foreground act as Background, and nothing hangs on a finalizer nobody would remove.
bool GarbageCollected(const KindInfo& kind) {
  return kind.kind == "StatefulSet" || kind.kind == "Pod" || kind.kind == "PersistentVolumeClaim";
}

// shouldOrphanDependents / shouldDeleteDependents: an explicit policy wins, then a
// finalizer an earlier deletion left, then the kind's default (Background: neither).
bool ShouldOrphanDependents(const DeleteOptions& options, const ObjectMeta& meta) {
  const std::string& p = options.propagation_policy;
  if (!p.empty()) return p == kDeletePropagationOrphan;
  for (const auto& f : meta.finalizers()) {
    if (f == kFinalizerOrphanDependents) return true;
    if (f == kFinalizerDeleteDependents) return false;
  }
  return false;
}

bool ShouldDeleteDependents(const DeleteOptions& options, const ObjectMeta& meta) {
  const std::string& p = options.propagation_policy;
  if (!p.empty()) return p == kDeletePropagationForeground;
  for (const auto& f : meta.finalizers()) {
    if (f == kFinalizerDeleteDependents) return true;
    if (f == kFinalizerOrphanDependents) return false;
  }
  return false;
}

// deletionFinalizersForGarbageCollection: the "orphan" or "foregroundDeletion" finalizer the
// propagation policy asks for, replacing the other; true when the finalizers changed. With
// one of them the object stays, terminating, until the garbage collector has orphaned or
// deleted its dependents and removed the finalizer.
bool DeletionFinalizersForGarbageCollection(const KindInfo& kind, const DeleteOptions& options,
                                            ObjectMeta* meta) {
  if (!GarbageCollected(kind)) return false;
  bool orphan = ShouldOrphanDependents(options, *meta);
  bool foreground = ShouldDeleteDependents(options, *meta);
  std::vector<std::string> kept;
  for (const auto& f : meta->finalizers()) {
    if (f != kFinalizerOrphanDependents && f != kFinalizerDeleteDependents) kept.push_back(f);
  }
  if (orphan) kept.push_back(kFinalizerOrphanDependents);
  if (foreground) kept.push_back(kFinalizerDeleteDependents);
  std::set<std::string> before(meta->finalizers().begin(), meta->finalizers().end());
  if (before == std::set<std::string>(kept.begin(), kept.end())) return false;
  meta->clear_finalizers();
  for (auto& f : kept) meta->add_finalizers(std::move(f));
  return true;
}

class StoreWatch : public WatchStream {
 public:
  StoreWatch(const APIServer* server, const KindInfo& kind, Filter filter,
             std::unique_ptr<store::Watcher> w, ObjectList initial, bool wire)
      : server_(server), kind_(kind), filter_(std::move(filter)), w_(std::move(w)),
        initial_(std::move(initial)), wire_(wire && !filter_.labels && !filter_.fields) {}

  bool Next(WatchEvent* ev, std::chrono::milliseconds timeout) override {
    ev->status = Status::OK();
    ev->wire.reset();
    if (next_initial_ < initial_.items.size()) {
      ev->type = "ADDED";
      ev->object = std::move(initial_.items[next_initial_++]);
      return true;
    }
    if (next_initial_ < initial_.items.size() + initial_.wire_items.size()) {
      ev->type = "ADDED";
      ev->object = nullptr;
      ev->wire = std::move(initial_.wire_items[next_initial_++ - initial_.items.size()]);
      return true;
    }
    auto deadline = SteadyDeadline(timeout);
    auto left = timeout;
    for (;;) {
      std::shared_ptr<const store::Event> e;
      if (!w_->Next(&e, left)) return false;
      if (Convert(*e, ev)) return true;
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    }
  }
  bool done() const override { return w_->done(); }
  Status status() const override { return w_->status(); }
  void Stop() override { w_->Cancel(); }

 private:
  ObjectRef DecodeAt(const std::string& bytes, int64_t rev) const {
    ObjectPtr obj = kind_.New();
    if (!obj->ParseFromString(bytes)) return nullptr;
    api::MutableMeta(obj.get())->set_resource_version(std::to_string(rev));
    api::SetTypeMeta(obj.get());
    return obj;
  }
  // A live event's bytes are decoded once for all its watchers (their prefixes, so their
  // kinds, are the same); a replayed one's by this watcher alone.
  ObjectRef DecodeAt(const std::shared_ptr<store::Memo>& memo, const std::string& bytes,
                     int64_t rev) const {
    if (!memo) return DecodeAt(bytes, rev);
    return memo->Get<Message>([&] { return DecodeAt(bytes, rev); });
  }

  // A change that moves an object into or out of the selection is seen as ADDED or
  // DELETED, as Kubernetes' watch cache reports it.
  bool Convert(const store::Event& e, WatchEvent* ev) {
    if (wire_) {
      // Everything matches: the event's type alone says what happened.
      ev->type = e.type == store::Event::Type::kDelete ? "DELETED"
                 : e.created                          ? "ADDED"
                                                      : "MODIFIED";
      ev->object = nullptr;
      ev->wire = APIServer::Wire(kind_, e.value, e.revision);
      return true;
    }
    ObjectRef cur = DecodeAt(e.value_memo, e.value, e.revision);
    if (!cur) return false;
    bool cur_match = filter_.Matches(*cur);
    ev->status = Status::OK();
    if (e.type == store::Event::Type::kDelete) {
      if (!cur_match) return false;
      ev->type = "DELETED";
      ev->object = std::move(cur);
      return true;
    }
    if (e.created) {
      if (!cur_match) return false;
      ev->type = "ADDED";
      ev->object = std::move(cur);
      return true;
    }
    bool prev_match = true;
    if (filter_.labels || filter_.fields) {
      ObjectRef prev = DecodeAt(e.prev_memo, e.prev_value, e.revision);
      prev_match = prev && filter_.Matches(*prev);
    }
    if (!cur_match && !prev_match) return false;
    ev->type = !prev_match ? "ADDED" : (!cur_match ? "DELETED" : "MODIFIED");
    ev->object = std::move(cur);
    return true;
  }

  [[maybe_unused]] const APIServer* server_;  // unread (clang warns)
  const KindInfo& kind_;
  Filter filter_;
  std::unique_ptr<store::Watcher> w_;
  ObjectList initial_;  // items, or wire_items
  size_t next_initial_ = 0;
  const bool wire_;  // live events as WireObjects (asked for, and nothing to match)
};

}  // namespace

APIServer::APIServer(store::Store* store, Clock* clock, Options options)
    : store_(store), clock_(clock), options_(options) {
  // Each write of a pod is keyed by its node once, so a kubelet's watch (spec.nodeName=NODE)
  // is handed only its node's pods rather than decoding every pod of the cluster.
  store_->SetTrigger("/registry/pods/", PodNodeNameTrigger);
}

std::string APIServer::Key(const KindInfo& kind, const std::string& ns,
                           const std::string& name) {
  std::string key = "/registry/" + kind.resource + "/";
  if (kind.namespaced) key += ns + "/";
  return key + name;
}

WireObject APIServer::Wire(const KindInfo& kind, std::string stored, int64_t revision) {
  ObjectPtr rest = kind.New();
  api::MutableMeta(rest.get())->set_resource_version(std::to_string(revision));
  api::SetTypeMeta(rest.get());
  rest->AppendToString(&stored);
  return WireObject{std::move(stored), revision};
}

Result<ObjectPtr> APIServer::Decode(const KindInfo& kind, const store::KeyValue& kv) const {
  ObjectPtr obj = kind.New();
  if (!obj->ParseFromString(kv.value)) {
    return Status::Internal("stored object " + kv.key + " cannot be decoded");
  }
  api::MutableMeta(obj.get())->set_resource_version(std::to_string(kv.mod_revision));
  api::SetTypeMeta(obj.get());
  return obj;
}

Result<ObjectPtr> APIServer::Create(const Message& in, bool dry_run) {
  const KindInfo* kind = api::KindOf(in);
  if (kind == nullptr) return Status::BadRequest("unknown kind " + in.GetTypeName());
  ObjectPtr obj(in.New());
  obj->CopyFrom(in);
  ObjectMeta* meta = api::MutableMeta(obj.get());
  if (kind->namespaced && meta->namespace_().empty()) meta->set_namespace_("default");
  Status s = CheckObject(*kind, *obj);
  if (!s.ok()) return s;
  if (!meta->resource_version().empty()) {
    return Status::BadRequest("resourceVersion should not be set on objects to be created");
  }
  if (meta->name().empty() && !meta->generate_name().empty()) {
    meta->set_name(meta->generate_name() + RandomSuffix(5));
  }
  meta->set_uid(NewUID());
  meta->set_creation_timestamp(FormatRFC3339(clock_->Now()));
  meta->clear_deletion_timestamp();
  meta->clear_deletion_grace_period_seconds();
  if (TracksGeneration(*kind)) meta->set_generation(1);
  api::SetTypeMeta(obj.get());
  PrepareForCreate(*kind, obj.get());
  FieldErrors errs = ValidateCreate(*kind, *obj);
  if (!errs.empty()) return Status::Invalid(kind->kind, meta->name(), std::move(errs));
  std::string bytes = Encode(obj.get());
  if (bytes.size() > options_.max_object_bytes) return TooLargeForStore();
  if (dry_run) return obj;
  auto rev = store_->Create(Key(*kind, meta->namespace_(), meta->name()), bytes);
  if (!rev.ok()) {
    if (rev.status().IsAlreadyExists()) {
      return Status::AlreadyExists(ResourceName(*kind), meta->name());
    }
    return rev.status();
  }
  meta->set_resource_version(std::to_string(*rev));
  return obj;
}

Result<ObjectPtr> APIServer::Get(const KindInfo& kind, const std::string& ns,
                                 const std::string& name) {
  auto kv = store_->Get(Key(kind, kind.namespaced && ns.empty() ? "default" : ns, name));
  if (!kv.ok()) {
    if (kv.status().IsNotFound()) return NotFound(kind, name);
    return kv.status();
  }
  return Decode(kind, *kv);
}

Result<ObjectList> APIServer::List(const KindInfo& kind, const std::string& ns,
                                   const ListOptions& options) {
  auto filter = MakeFilter(kind, options);
  if (!filter.ok()) return filter.status();
  // Continue tokens name keys relative to the resource, so one works for the same list in
  // any namespace scope.
  const std::string root = "/registry/" + kind.resource + "/";
  std::string prefix = root;
  if (kind.namespaced && !ns.empty()) prefix += ns + "/";
  if (options.limit < 0) return Status::BadRequest("limit must not be negative");
  store::ListOptions at;
  std::string start;
  if (!options.continue_token.empty()) {
    if (!options.resource_version.empty() && options.resource_version != "0") {
      return Status::BadRequest("specifying resource version is not allowed when using continue");
    }
    auto token = DecodeContinue(options.continue_token);
    if (!token.ok()) {
      return Status::BadRequest("invalid continue token: " + token.status().message());
    }
    start = token->start;
    if (token->resource_version > 0) at.revision = token->resource_version;
  }
  // A paged list keeps its snapshot for the pages to come (list_pages.h).
  at.keep_snapshot = options.limit > 0;
  auto list = store_->List(prefix, at);
  if (!list.ok()) {
    // The REST layer adds the fresh token (InconsistentContinueToken) to the Status.
    if (list.status().IsGone() && at.revision > 0) return Status::Gone(kInconsistentContinue);
    return list.status();
  }
  ObjectList out;
  out.resource_version = std::to_string(list->revision);
  const bool filtered = filter->labels || filter->fields;
  std::string last_key;
  for (size_t i = 0; i < list->items.size(); ++i) {
    auto& kv = list->items[i];
    std::string key = kv.key.substr(root.size());
    if (!start.empty() && key <= start) continue;
    if (options.limit > 0 &&
        static_cast<int64_t>(out.items.size() + out.wire_items.size()) == options.limit) {
      // Full: a continue token if anything after the last item returned can still match.
      // remainingItemCount only when nothing is filtered out, as Kubernetes counts keys.
      bool more = !filtered;
      for (size_t j = i; filtered && j < list->items.size() && !more; ++j) {
        auto obj = Decode(kind, list->items[j]);
        if (!obj.ok()) return obj.status();
        more = filter->Matches(**obj);
      }
      if (more) {
        out.continue_token = EncodeContinue({list->revision, last_key});
        if (!filtered) out.remaining_item_count = static_cast<int64_t>(list->items.size() - i);
      }
      break;
    }
    if (options.wire && !filtered) {
      out.wire_items.push_back(Wire(kind, std::move(kv.value), kv.mod_revision));
      last_key = std::move(key);
      continue;
    }
    auto obj = Decode(kind, kv);
    if (!obj.ok()) return obj.status();
    if (!filter->Matches(**obj)) continue;
    out.items.push_back(std::move(*obj));
    last_key = std::move(key);
  }
  return out;
}

Result<ObjectPtr> APIServer::Update(const Message& in, bool status, bool dry_run) {
  const KindInfo* kind = api::KindOf(in);
  if (kind == nullptr) return Status::BadRequest("unknown kind " + in.GetTypeName());
  const ObjectMeta& in_meta = api::Meta(in);
  std::string ns = kind->namespaced && in_meta.namespace_().empty() ? "default"
                                                                    : in_meta.namespace_();
  if (in_meta.name().empty()) {
    return Status::Invalid(kind->kind, "",
                           {FieldError::Required("metadata.name", "name is required")});
  }
  Status s = CheckObject(*kind, in);
  if (!s.ok()) return s;
  std::string key = Key(*kind, ns, in_meta.name());
  // Without a resourceVersion the update is unconditional: retry on races, as
  // GuaranteedUpdate does. With one, a mismatch is the caller's Conflict.
  for (int attempt = 0;; ++attempt) {
    auto current = store_->Get(key);
    if (!current.ok()) {
      if (current.status().IsNotFound()) return NotFound(*kind, in_meta.name());
      return current.status();
    }
    if (!in_meta.resource_version().empty() &&
        in_meta.resource_version() != std::to_string(current->mod_revision)) {
      return Status::ConflictModified(ResourceName(*kind), in_meta.name());
    }
    auto old = Decode(*kind, *current);
    if (!old.ok()) return old.status();
    ObjectPtr obj(in.New());
    obj->CopyFrom(in);
    ObjectMeta* meta = api::MutableMeta(obj.get());
    const ObjectMeta& old_meta = api::Meta(**old);
    if (!in_meta.uid().empty() && in_meta.uid() != old_meta.uid()) {
      return Status::Conflict(ResourceName(*kind), in_meta.name(),
                              "Precondition failed: UID in precondition: " + in_meta.uid() +
                                  ", UID in object meta: " + old_meta.uid());
    }
    meta->set_namespace_(old_meta.namespace_());
    meta->set_uid(old_meta.uid());
    meta->set_creation_timestamp(old_meta.creation_timestamp());
    meta->set_deletion_timestamp(old_meta.deletion_timestamp());
    if (old_meta.has_deletion_grace_period_seconds()) {
      meta->set_deletion_grace_period_seconds(old_meta.deletion_grace_period_seconds());
    } else {
      meta->clear_deletion_grace_period_seconds();
    }
    meta->set_generate_name(old_meta.generate_name());
    meta->set_generation(old_meta.generation());
    // An unconditional update validates as if it named the current version.
    meta->set_resource_version(std::to_string(current->mod_revision));
    api::SetTypeMeta(obj.get());
    PrepareForUpdate(*kind, obj.get(), **old, status);
    if (!status && TracksGeneration(*kind) && SpecChanged(*obj, **old)) {
      meta->set_generation(old_meta.generation() + 1);
    }
    FieldErrors errs = status ? ValidateStatusUpdate(*kind, *obj, **old)
                              : ValidateUpdate(*kind, *obj, **old);
    if (!errs.empty()) return Status::Invalid(kind->kind, meta->name(), std::move(errs));
    if (!status) {
      Status admitted = AdmitUpdate(*kind, *obj, **old);
      if (!admitted.ok()) return admitted;
    }
    auto written = WriteUpdate(*kind, std::move(obj), *current, dry_run);
    if (!written.ok() && written.status().IsConflict() && in_meta.resource_version().empty() &&
        attempt < 100) {
      continue;
    }
    return written;
  }
}

Result<ObjectPtr> APIServer::WriteUpdate(const KindInfo& kind, ObjectPtr obj,
                                         const store::KeyValue& current, bool dry_run) {
  ObjectMeta* meta = api::MutableMeta(obj.get());
  // A terminating object whose last finalizer is removed is gone, unless it is still in
  // its grace period (a pod its kubelet has not yet confirmed stopped).
  if (!meta->deletion_timestamp().empty() && meta->finalizers_size() == 0 &&
      meta->deletion_grace_period_seconds() == 0) {
    if (dry_run) return obj;
    auto rev = store_->Delete(current.key, current.mod_revision);
    if (!rev.ok()) {
      if (rev.status().IsConflict()) return Status::ConflictModified(ResourceName(kind), meta->name());
      if (rev.status().IsNotFound()) return NotFound(kind, meta->name());
      return rev.status();
    }
    meta->set_resource_version(std::to_string(*rev));
    return obj;
  }
  std::string bytes = Encode(obj.get());
  if (bytes.size() > options_.max_object_bytes) return TooLargeForStore();
  // An update that changes nothing is not written: the resourceVersion stays, as
  // Kubernetes skips no-op updates (re-applying a manifest changes nothing).
  if (bytes == current.value || dry_run) {
    meta->set_resource_version(std::to_string(current.mod_revision));
    return obj;
  }
  auto rev = store_->Update(current.key, bytes, current.mod_revision);
  if (!rev.ok()) {
    if (rev.status().IsConflict()) return Status::ConflictModified(ResourceName(kind), meta->name());
    if (rev.status().IsNotFound()) return NotFound(kind, meta->name());
    return rev.status();
  }
  meta->set_resource_version(std::to_string(*rev));
  return obj;
}

Result<ObjectPtr> APIServer::Delete(const KindInfo& kind, const std::string& ns_in,
                                    const std::string& name, const DeleteOptions& options) {
  Status valid = ValidateDeleteOptions(options);
  if (!valid.ok()) return valid;
  std::string ns = kind.namespaced && ns_in.empty() ? "default" : ns_in;
  std::string key = Key(kind, ns, name);
  for (int attempt = 0;; ++attempt) {
    auto current = store_->Get(key);
    if (!current.ok()) {
      if (current.status().IsNotFound()) return NotFound(kind, name);
      return current.status();
    }
    auto obj = Decode(kind, *current);
    if (!obj.ok()) return obj.status();
    ObjectMeta* meta = api::MutableMeta(obj->get());
    if (!options.resource_version.empty() &&
        options.resource_version != meta->resource_version()) {
      return Status::Conflict(ResourceName(kind), name,
                              "Precondition failed: ResourceVersion in precondition: " +
                                  options.resource_version +
                                  ", ResourceVersion in object meta: " +
                                  meta->resource_version());
    }
    if (!options.uid.empty() && options.uid != meta->uid()) {
      return Status::Conflict(ResourceName(kind), name,
                              "Precondition failed: UID in precondition: " + options.uid +
                                  ", UID in object meta: " + meta->uid());
    }
    // Pods on a node end gracefully: the kubelet stops them and confirms with grace 0.
    bool graceful = false;
    int64_t grace = 0;
    if (kind.kind == "Pod") {
      const auto& pod = static_cast<const api::Pod&>(**obj);
      grace = options.grace_period_seconds.value_or(
          pod.spec().has_termination_grace_period_seconds()
              ? pod.spec().termination_grace_period_seconds()
              : 30);
      graceful = !pod.spec().node_name().empty() && grace > 0 &&
                 pod.status().phase() != "Succeeded" && pod.status().phase() != "Failed";
    }
    bool finalizers_changed = DeletionFinalizersForGarbageCollection(kind, options, meta);
    bool pending_finalizers = meta->finalizers_size() > 0;
    if (!meta->deletion_timestamp().empty()) {
      // Already terminating (updateForGracefulDeletionAndFinalizers): a shorter grace period
      // is kept, so the object goes when its last finalizer does (a pod the kubelet has
      // confirmed stopped while the garbage collector still holds it); a new propagation
      // policy swaps the collector's finalizers.
      bool shorter = options.grace_period_seconds &&
                     *options.grace_period_seconds < meta->deletion_grace_period_seconds();
      if (shorter) meta->set_deletion_grace_period_seconds(*options.grace_period_seconds);
      bool ends_now = !pending_finalizers && meta->deletion_grace_period_seconds() == 0;
      if (!ends_now) {
        if (!shorter && !finalizers_changed) return std::move(*obj);
        auto written = WriteUpdate(kind, std::move(*obj), *current, options.dry_run);
        if (!written.ok() && written.status().IsConflict() && attempt < 100) continue;
        return written;
      }
    } else if (pending_finalizers || graceful) {
      meta->set_deletion_timestamp(FormatRFC3339(clock_->Now()));
      meta->set_deletion_grace_period_seconds(graceful ? grace : 0);
      auto written = WriteUpdate(kind, std::move(*obj), *current, options.dry_run);
      if (!written.ok() && written.status().IsConflict() && attempt < 100) continue;
      return written;
    }
    if (options.dry_run) return std::move(*obj);
    auto rev = store_->Delete(key, current->mod_revision);
    if (!rev.ok()) {
      if (rev.status().IsConflict() && attempt < 100) continue;
      if (rev.status().IsNotFound()) return NotFound(kind, name);
      return rev.status();
    }
    return std::move(*obj);
  }
}

Result<ObjectPtr> APIServer::Bind(const api::Binding& binding) {
  const KindInfo& kind = *api::KindOf("Pod");
  const ObjectMeta& bm = binding.metadata();
  std::string ns = bm.namespace_().empty() ? "default" : bm.namespace_();
  FieldErrors errs = api::Validate(binding);
  if (!errs.empty()) return Status::Invalid("Binding", bm.name(), std::move(errs));
  std::string key = Key(kind, ns, bm.name());
  for (int attempt = 0;; ++attempt) {
    auto current = store_->Get(key);
    if (!current.ok()) {
      if (current.status().IsNotFound()) return NotFound(kind, bm.name());
      return current.status();
    }
    auto obj = Decode(kind, *current);
    if (!obj.ok()) return obj.status();
    auto& pod = static_cast<api::Pod&>(**obj);
    if (!bm.uid().empty() && bm.uid() != pod.metadata().uid()) {
      return Status::Conflict("pods/binding", bm.name(),
                              "Precondition failed: UID in precondition: " + bm.uid() +
                                  ", UID in object meta: " + pod.metadata().uid());
    }
    if (!pod.metadata().deletion_timestamp().empty()) {
      return Status::Conflict("pods/binding", bm.name(), "pod " + bm.name() + " is being deleted, cannot be assigned to a host");
    }
    if (!pod.spec().node_name().empty()) {
      return Status::Conflict("pods/binding", bm.name(),
                              "pod " + bm.name() + " is already assigned to node \"" +
                                  pod.spec().node_name() + "\"");
    }
    pod.mutable_spec()->set_node_name(binding.target().name());
    std::string now = FormatRFC3339(clock_->Now());
    api::PodCondition* cond = nullptr;
    for (auto& c : *pod.mutable_status()->mutable_conditions()) {
      if (c.type() == "PodScheduled") cond = &c;
    }
    if (cond == nullptr) {
      cond = pod.mutable_status()->add_conditions();
      cond->set_type("PodScheduled");
    }
    if (cond->status() != "True") cond->set_last_transition_time(now);
    cond->set_status("True");
    cond->clear_reason();
    cond->clear_message();
    auto written = WriteUpdate(kind, std::move(*obj), *current, false);
    if (!written.ok() && written.status().IsConflict() && attempt < 100) continue;
    return written;
  }
}

Result<std::unique_ptr<WatchStream>> APIServer::Watch(const KindInfo& kind,
                                                      const std::string& ns,
                                                      const ListOptions& options) {
  auto filter = MakeFilter(kind, options);
  if (!filter.ok()) return filter.status();
  std::string prefix = "/registry/" + kind.resource + "/";
  if (kind.namespaced && !ns.empty()) prefix += ns + "/";
  int64_t after = 0;
  ObjectList initial;
  if (options.resource_version.empty() || options.resource_version == "0") {
    ListOptions current{options.label_selector, options.field_selector, ""};
    current.wire = options.wire;
    auto list = List(kind, ns, current);
    if (!list.ok()) return list.status();
    after = std::stoll(list->resource_version);
    initial = std::move(*list);
  } else {
    try {
      after = std::stoll(options.resource_version);
    } catch (...) {
      return Status::BadRequest("invalid resource version: " + options.resource_version);
    }
  }
  std::optional<std::string> node;
  if (kind.resource == "pods" && filter->fields) {
    node = filter->fields->RequiresExactMatch("spec.nodeName");
  }
  auto w = node ? store_->WatchTriggered(prefix, after, *node) : store_->Watch(prefix, after);
  if (!w.ok()) return w.status();
  return std::unique_ptr<WatchStream>(
      new StoreWatch(this, kind, std::move(*filter), std::move(*w), std::move(initial),
                     options.wire));
}

}  // namespace lpv::apiserver
