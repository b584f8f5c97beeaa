// The validating admission plugins lpv runs, after validation and before the write, as
// Kubernetes' API server calls its admission chain. Only the one that turns away a user
// input lives here: PersistentVolumeClaimResize (plugin/pkg/admission/storage/
// persistentvolume/resize). The protection finalizers the StorageObjectInUseProtection
// plugin adds are set in strategy.cc, on create.
#include "api/objects.pb.h"
#include "api/quantity.h"
#include "apiserver/apiserver.h"

namespace lpv::apiserver {

namespace {

constexpr char kBetaStorageClass[] = "volume.beta.kubernetes.io/storage-class";

// GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName.
std::string ClaimClass(const api::PersistentVolumeClaim& pvc) {
  const auto& ann = pvc.metadata().annotations();
  if (auto it = ann.find(kBetaStorageClass); it != ann.end()) return it->second;
  return pvc.spec().storage_class_name();
}

api::Quantity StorageRequest(const api::PersistentVolumeClaim& pvc) {
  const auto& requests = pvc.spec().resources().requests();
  auto it = requests.find("storage");
  if (it == requests.end()) return api::Quantity();
  auto q = api::Quantity::Parse(it->second);
  return q.ok() ? *q : api::Quantity();
}

}  // namespace

Status APIServer::AdmitUpdate(const api::KindInfo& kind, const Message& updated,
                              const Message& old) {
  if (kind.kind != "PersistentVolumeClaim") return Status::OK();
  const auto& pvc = static_cast<const api::PersistentVolumeClaim&>(updated);
  const auto& old_pvc = static_cast<const api::PersistentVolumeClaim&>(old);
  if (StorageRequest(pvc).Cmp(StorageRequest(old_pvc)) <= 0) return Status::OK();
  auto forbidden = [&](const std::string& why) {
    return Status::Forbidden("persistentvolumeclaims \"" + pvc.metadata().name() +
                             "\" is forbidden: " + why);
  };
  if (old_pvc.status().phase() != "Bound") {
    return forbidden("Only bound persistent volume claims can be expanded");
  }
  // Growing is allowed only when the claim's class (unchanged) says allowVolumeExpansion.
  std::string cls = ClaimClass(pvc);
  bool allowed = false;
  if (!cls.empty() && cls == ClaimClass(old_pvc)) {
    auto sc = Get(*api::KindOf("StorageClass"), "", cls);
    if (sc.ok()) {
      const auto& klass = static_cast<const api::StorageClass&>(**sc);
      allowed = klass.has_allow_volume_expansion() && klass.allow_volume_expansion();
    }
  }
  if (!allowed) {
    return forbidden(
        "only dynamically provisioned pvc can be resized and the storageclass that provisions "
        "the pvc must support resize");
  }
  return Status::OK();
}

}  // namespace lpv::apiserver
