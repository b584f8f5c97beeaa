#include "apiserver/strategy.h"

#include "api/defaults.h"
#include "api/message_equal.h"
#include "api/objects.pb.h"
#include "api/validation.h"

namespace lpv::apiserver {

namespace {

using namespace lpv::api;  // NOLINT: the kinds

// Calls f with the object as its concrete type.
template <class F>
auto Visit(Message* obj, F&& f) {
  if (auto* o = dynamic_cast<StorageClass*>(obj)) return f(o);
  if (auto* o = dynamic_cast<PersistentVolume*>(obj)) return f(o);
  if (auto* o = dynamic_cast<PersistentVolumeClaim*>(obj)) return f(o);
  if (auto* o = dynamic_cast<Pod*>(obj)) return f(o);
  if (auto* o = dynamic_cast<Node*>(obj)) return f(o);
  if (auto* o = dynamic_cast<StatefulSet*>(obj)) return f(o);
  if (auto* o = dynamic_cast<Lease*>(obj)) return f(o);
  return f(dynamic_cast<Event*>(obj));
}

const google::protobuf::FieldDescriptor* Field(const Message& m, int number) {
  return m.GetDescriptor()->FindFieldByNumber(number);
}

// Events and Leases have no defaults.
void SetDefaults(Event*) {}
void SetDefaults(Lease*) {}

constexpr int kSpec = 4;

// The StorageObjectInUseProtection admission plugin puts these on every new volume and
// claim; the protection controllers take them off once nothing uses the object.
constexpr char kPVProtection[] = "kubernetes.io/pv-protection";
constexpr char kPVCProtection[] = "kubernetes.io/pvc-protection";

void AddFinalizer(ObjectMeta* meta, const std::string& f) {
  for (const auto& existing : meta->finalizers()) {
    if (existing == f) return;
  }
  meta->add_finalizers(f);
}
constexpr int kStatus = 5;

}  // namespace

void PrepareForCreate(const KindInfo& kind, Message* obj) {
  Visit(obj, [](auto* o) { SetDefaults(o); });
  // Status is the controllers' to write: a create starts from the kind's initial status.
  if (kind.kind == "PersistentVolume") {
    auto* pv = static_cast<PersistentVolume*>(obj);
    pv->clear_status();
    pv->mutable_status()->set_phase("Pending");
    AddFinalizer(pv->mutable_metadata(), kPVProtection);
  } else if (kind.kind == "PersistentVolumeClaim") {
    auto* pvc = static_cast<PersistentVolumeClaim*>(obj);
    pvc->clear_status();
    pvc->mutable_status()->set_phase("Pending");
    AddFinalizer(pvc->mutable_metadata(), kPVCProtection);
  } else if (kind.kind == "StatefulSet") {
    static_cast<StatefulSet*>(obj)->clear_status();
  } else if (kind.kind == "Pod") {
    auto* pod = static_cast<Pod*>(obj);
    std::string qos = pod->status().qos_class();
    pod->clear_status();
    pod->mutable_status()->set_phase("Pending");
    pod->mutable_status()->set_qos_class(qos.empty() ? "BestEffort" : qos);
  }
}

void PrepareForUpdate(const KindInfo& kind, Message* updated, const Message& old,
                      bool status_subresource) {
  const auto* refl = updated->GetReflection();
  if (status_subresource) {
    if (const auto* spec = Field(old, kSpec); spec && spec->message_type()) {
      if (old.GetReflection()->HasField(old, spec)) {
        refl->MutableMessage(updated, spec)->CopyFrom(old.GetReflection()->GetMessage(old, spec));
      } else {
        refl->ClearField(updated, spec);
      }
    }
    // Metadata changes ride only on the main resource, except that a status writer may
    // not drop finalizers or labels by accident: keep the stored ones.
    MutableMeta(updated)->CopyFrom(Meta(old));
    return;
  }
  if (kind.has_status) {
    const auto* status = Field(old, kStatus);
    if (old.GetReflection()->HasField(old, status)) {
      refl->MutableMessage(updated, status)->CopyFrom(old.GetReflection()->GetMessage(old, status));
    } else {
      refl->ClearField(updated, status);
    }
  }
  Visit(updated, [](auto* o) { SetDefaults(o); });
}

// api::Validate is Kubernetes' whole create check (metadata included); api::ValidateUpdate
// its whole update check (it validates the new object too).
FieldErrors ValidateCreate(const KindInfo&, const Message& obj) {
  return Visit(const_cast<Message*>(&obj), [](auto* o) { return Validate(*o); });
}

FieldErrors ValidateUpdate(const KindInfo&, const Message& updated, const Message& old) {
  return Visit(const_cast<Message*>(&updated), [&](auto* o) {
    using T = std::remove_pointer_t<decltype(o)>;
    return ::lpv::api::ValidateUpdate(*o, static_cast<const T&>(old));
  });
}

FieldErrors ValidateStatusUpdate(const KindInfo&, const Message& updated, const Message& old) {
  return Visit(const_cast<Message*>(&updated), [&](auto* o) -> FieldErrors {
    using T = std::remove_pointer_t<decltype(o)>;
    if constexpr (requires { ::lpv::api::ValidateStatusUpdate(*o, static_cast<const T&>(old)); }) {
      return ::lpv::api::ValidateStatusUpdate(*o, static_cast<const T&>(old));
    } else {
      return ::lpv::api::ValidateUpdate(*o, static_cast<const T&>(old));  // no status
    }
  });
}

bool TracksGeneration(const api::KindInfo& kind) { return kind.kind == "StatefulSet"; }

bool SpecChanged(const Message& updated, const Message& old) {
  const auto* spec = Field(old, kSpec);
  if (spec == nullptr || spec->message_type() == nullptr) return false;
  return !api::SameMessage(updated.GetReflection()->GetMessage(updated, spec),
                           old.GetReflection()->GetMessage(old, spec));
}

std::optional<std::string> SelectableField(const KindInfo& kind, const Message& obj,
                                           const std::string& field) {
  const ObjectMeta& meta = Meta(obj);
  if (field == "metadata.name") return meta.name();
  if (field == "metadata.namespace") return meta.namespace_();
  if (kind.kind == "Pod") {
    const auto& pod = static_cast<const Pod&>(obj);
    if (field == "spec.nodeName") return pod.spec().node_name();
    if (field == "spec.schedulerName") return pod.spec().scheduler_name();
    if (field == "status.phase") return pod.status().phase();
  } else if (kind.kind == "Event") {
    const auto& ev = static_cast<const Event&>(obj);
    const auto& io = ev.involved_object();
    if (field == "involvedObject.kind") return io.kind();
    if (field == "involvedObject.namespace") return io.namespace_();
    if (field == "involvedObject.name") return io.name();
    if (field == "involvedObject.uid") return io.uid();
    if (field == "involvedObject.apiVersion") return io.api_version();
    if (field == "involvedObject.resourceVersion") return io.resource_version();
    if (field == "involvedObject.fieldPath") return io.field_path();
    if (field == "reason") return ev.reason();
    if (field == "type") return ev.type();
    if (field == "source") return ev.source().component();
  } else if (kind.kind == "PersistentVolume") {
    if (field == "status.phase") return static_cast<const PersistentVolume&>(obj).status().phase();
  } else if (kind.kind == "PersistentVolumeClaim") {
    if (field == "status.phase") {
      return static_cast<const PersistentVolumeClaim&>(obj).status().phase();
    }
  } else if (kind.kind == "Node") {
    if (field == "spec.unschedulable") {
      return static_cast<const Node&>(obj).spec().unschedulable() ? "true" : "false";
    }
  }
  return std::nullopt;
}

}  // namespace lpv::apiserver
