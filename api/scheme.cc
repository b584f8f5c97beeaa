#include "api/scheme.h"

#include <algorithm>
#include <cctype>

namespace lpv::api {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<KindInfo> MakeKinds() {
  std::vector<KindInfo> kinds;
  auto add = [&](std::string kind, std::string group, std::string resource,
                 std::string singular, std::vector<std::string> shorts, bool namespaced,
                 bool has_status, const google::protobuf::Message* proto) {
    kinds.push_back({std::move(kind), std::move(group), "v1", std::move(resource),
                     std::move(singular), std::move(shorts), namespaced, has_status, proto});
  };
  add("StorageClass", "storage.k8s.io", "storageclasses", "storageclass", {"sc"}, false, false,
      &StorageClass::default_instance());
  add("PersistentVolume", "", "persistentvolumes", "persistentvolume", {"pv"}, false, true,
      &PersistentVolume::default_instance());
  add("PersistentVolumeClaim", "", "persistentvolumeclaims", "persistentvolumeclaim", {"pvc"},
      true, true, &PersistentVolumeClaim::default_instance());
  add("Pod", "", "pods", "pod", {"po"}, true, true, &Pod::default_instance());
  add("Node", "", "nodes", "node", {"no"}, false, true, &Node::default_instance());
  add("StatefulSet", "apps", "statefulsets", "statefulset", {"sts"}, true, true,
      &StatefulSet::default_instance());
  add("Event", "", "events", "event", {"ev"}, true, false, &Event::default_instance());
  add("Lease", "coordination.k8s.io", "leases", "lease", {}, true, false,
      &Lease::default_instance());
  return kinds;
}

}  // namespace

const std::vector<KindInfo>& AllKinds() {
  static const std::vector<KindInfo> kinds = MakeKinds();
  return kinds;
}

const KindInfo* LookupKind(std::string_view name) {
  std::string n = Lower(name);
  std::string group;
  if (auto dot = n.find('.'); dot != std::string::npos) {
    group = n.substr(dot + 1);
    n = n.substr(0, dot);
  }
  for (const auto& k : AllKinds()) {
    if (!group.empty() && group != k.group) continue;
    bool match = n == Lower(k.kind) || n == k.resource || n == k.singular;
    for (const auto& s : k.short_names) match = match || n == s;
    if (match) return &k;
  }
  return nullptr;
}

const KindInfo* KindOf(std::string_view kind) {
  for (const auto& k : AllKinds()) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

const KindInfo* KindOf(const google::protobuf::Message& msg) {
  const auto* desc = msg.GetDescriptor();
  for (const auto& k : AllKinds()) {
    if (k.prototype->GetDescriptor() == desc) return &k;
  }
  return nullptr;
}

const ObjectMeta& Meta(const google::protobuf::Message& obj) {
  const auto* field = obj.GetDescriptor()->FindFieldByNumber(3);
  return static_cast<const ObjectMeta&>(obj.GetReflection()->GetMessage(obj, field));
}

ObjectMeta* MutableMeta(google::protobuf::Message* obj) {
  const auto* field = obj->GetDescriptor()->FindFieldByNumber(3);
  return static_cast<ObjectMeta*>(obj->GetReflection()->MutableMessage(obj, field));
}

void SetTypeMeta(google::protobuf::Message* obj) {
  const KindInfo* info = KindOf(*obj);
  if (info == nullptr) return;
  const auto* desc = obj->GetDescriptor();
  const auto* refl = obj->GetReflection();
  refl->SetString(obj, desc->FindFieldByNumber(1), info->ApiVersion());
  refl->SetString(obj, desc->FindFieldByNumber(2), info->kind);
}

std::string KeyOf(const google::protobuf::Message& obj) {
  const ObjectMeta& m = Meta(obj);
  if (m.namespace_().empty()) return m.name();
  return m.namespace_() + "/" + m.name();
}

}  // namespace lpv::api
