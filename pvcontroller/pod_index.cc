#include "pvcontroller/pod_index.h"

namespace lpv::pvcontroller {

std::vector<std::string> PodPVCIndexFunc(const google::protobuf::Message& obj) {
  const auto& pod = static_cast<const api::Pod&>(obj);
  std::vector<std::string> keys;
  for (const auto& volume : pod.spec().volumes()) {
    if (!volume.has_persistent_volume_claim() ||
        volume.persistent_volume_claim().claim_name().empty()) {
      continue;
    }
    std::string key =
        pod.metadata().namespace_() + "/" + volume.persistent_volume_claim().claim_name();
    bool seen = false;
    for (const auto& k : keys) seen = seen || k == key;
    if (!seen) keys.push_back(std::move(key));
  }
  return keys;
}

bool PodReferencesClaim(const api::Pod& pod, const std::string& claim_name) {
  for (const auto& volume : pod.spec().volumes()) {
    if (volume.has_persistent_volume_claim() &&
        volume.persistent_volume_claim().claim_name() == claim_name) {
      return true;
    }
  }
  return false;
}

bool IsPodTerminated(const api::Pod& pod) {
  const std::string& phase = pod.status().phase();
  if (phase == "Failed" || phase == "Succeeded") return true;
  if (pod.metadata().deletion_timestamp().empty()) return false;
  // Being deleted: terminated once no container runs. A container runs unless it is
  // waiting (lpv's ContainerState has no terminated state).
  for (const auto& status : pod.status().container_statuses()) {
    if (!status.state().has_waiting()) return false;
  }
  return true;
}

}  // namespace lpv::pvcontroller
