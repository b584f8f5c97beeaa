#include "api/defaults.h"

#include <map>

#include "api/quantity.h"

namespace lpv::api {

namespace {

// DefaultTolerationSeconds admission: every pod tolerates a not-ready or unreachable node
// for five minutes before the node lifecycle controller evicts it.
void AddDefaultTolerations(PodSpec* spec) {
  const char* const kNotReady = "node.kubernetes.io/not-ready";
  const char* const kUnreachable = "node.kubernetes.io/unreachable";
  bool not_ready = false, unreachable = false;
  for (const Toleration& t : spec->tolerations()) {
    bool no_execute = t.effect() == "NoExecute" || t.effect().empty();
    if ((t.key() == kNotReady || t.key().empty()) && no_execute) not_ready = true;
    if ((t.key() == kUnreachable || t.key().empty()) && no_execute) unreachable = true;
  }
  for (auto [key, present] :
       {std::pair{kNotReady, not_ready}, std::pair{kUnreachable, unreachable}}) {
    if (present) continue;
    Toleration* t = spec->add_tolerations();
    t->set_key(key);
    t->set_operator_("Exists");
    t->set_effect("NoExecute");
    t->set_toleration_seconds(300);
  }
}

// SetDefaults_Pod: requests default to limits where only limits are set.
void DefaultRequestsFromLimits(Container* c) {
  auto* requests = c->mutable_resources()->mutable_requests();
  for (const auto& [name, value] : c->resources().limits()) {
    if (!requests->count(name)) (*requests)[name] = value;
  }
}

void SetContainerDefaults(Container* c) {
  if (c->image_pull_policy().empty()) c->set_image_pull_policy(DefaultImagePullPolicy(c->image()));
  for (ContainerPort& port : *c->mutable_ports()) {
    if (port.protocol().empty()) port.set_protocol("TCP");
  }
}

void SetClaimDefaults(PersistentVolumeClaim* pvc) {
  if (!pvc->spec().has_volume_mode()) pvc->mutable_spec()->set_volume_mode("Filesystem");
  if (pvc->status().phase().empty()) pvc->mutable_status()->set_phase("Pending");
}

// Sums cpu/memory quantities that are greater than zero.
void AddPositive(std::map<std::string, Quantity>* sums, const std::string& name,
                 const std::string& value) {
  Result<Quantity> q = Quantity::Parse(value);
  if (!q.ok() || q->Sign() <= 0) return;
  (*sums)[name].Add(*q);
}

}  // namespace

std::string DefaultImagePullPolicy(const std::string& image) {
  // parsers.ParseImageName: a tag follows the last ':' after the last '/'; a digest
  // follows '@'. No tag and no digest means "latest".
  std::string name = image;
  bool digest = false;
  if (size_t at = name.find('@'); at != std::string::npos) {
    digest = true;
    name.resize(at);
  }
  std::string tag;
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    tag = name.substr(colon + 1);
  if (tag.empty() && !digest) tag = "latest";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

void SetPodSpecDefaults(PodSpec* spec) {
  if (spec->dns_policy().empty()) spec->set_dns_policy("ClusterFirst");
  if (spec->restart_policy().empty()) spec->set_restart_policy("Always");
  if (!spec->has_termination_grace_period_seconds()) spec->set_termination_grace_period_seconds(30);
  if (spec->scheduler_name().empty()) spec->set_scheduler_name("default-scheduler");
  for (Container& c : *spec->mutable_containers()) SetContainerDefaults(&c);
  for (Container& c : *spec->mutable_init_containers()) SetContainerDefaults(&c);
  for (Volume& v : *spec->mutable_volumes()) {
    if (v.has_host_path() && !v.host_path().has_type()) v.mutable_host_path()->set_type("");
  }
}

std::string ComputePodQOS(const Pod& pod) {
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  auto visit = [&](const Container& c) {
    for (const auto& [name, value] : c.resources().requests()) {
      if (name == "cpu" || name == "memory") AddPositive(&requests, name, value);
    }
    bool cpu_limit = false, memory_limit = false;
    for (const auto& [name, value] : c.resources().limits()) {
      if (name != "cpu" && name != "memory") continue;
      Result<Quantity> q = Quantity::Parse(value);
      if (!q.ok() || q->Sign() <= 0) continue;
      (name == "cpu" ? cpu_limit : memory_limit) = true;
      limits[name].Add(*q);
    }
    if (!cpu_limit || !memory_limit) guaranteed = false;
  };
  for (const Container& c : pod.spec().init_containers()) visit(c);
  for (const Container& c : pod.spec().containers()) visit(c);
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, request] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || it->second.Cmp(request) != 0) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return "Guaranteed";
  return "Burstable";
}

void SetDefaults(StorageClass* sc) {
  if (!sc->has_reclaim_policy()) sc->set_reclaim_policy("Delete");
  if (!sc->has_volume_binding_mode()) sc->set_volume_binding_mode("Immediate");
}

void SetDefaults(PersistentVolume* pv) {
  PersistentVolumeSpec* spec = pv->mutable_spec();
  if (spec->persistent_volume_reclaim_policy().empty())
    spec->set_persistent_volume_reclaim_policy("Retain");
  if (!spec->has_volume_mode()) spec->set_volume_mode("Filesystem");
  if (spec->has_host_path() && !spec->host_path().has_type())
    spec->mutable_host_path()->set_type("");
  if (pv->status().phase().empty()) pv->mutable_status()->set_phase("Pending");
}

void SetDefaults(PersistentVolumeClaim* pvc) { SetClaimDefaults(pvc); }

void SetDefaults(Pod* pod) {
  PodSpec* spec = pod->mutable_spec();
  for (Container& c : *spec->mutable_containers()) DefaultRequestsFromLimits(&c);
  for (Container& c : *spec->mutable_init_containers()) DefaultRequestsFromLimits(&c);
  SetPodSpecDefaults(spec);
  AddDefaultTolerations(spec);
  if (!spec->has_priority()) spec->set_priority(0);
  if (pod->status().phase().empty()) pod->mutable_status()->set_phase("Pending");
  if (pod->status().qos_class().empty()) pod->mutable_status()->set_qos_class(ComputePodQOS(*pod));
}

void SetDefaults(StatefulSet* set) {
  StatefulSetSpec* spec = set->mutable_spec();
  if (spec->pod_management_policy().empty()) spec->set_pod_management_policy("OrderedReady");
  StatefulSetUpdateStrategy* strategy = spec->mutable_update_strategy();
  if (strategy->type().empty()) {
    strategy->set_type("RollingUpdate");
    strategy->mutable_rolling_update();
  }
  if (strategy->type() == "RollingUpdate" && strategy->has_rolling_update() &&
      !strategy->rolling_update().has_partition()) {
    strategy->mutable_rolling_update()->set_partition(0);
  }
  auto* retention = spec->mutable_persistent_volume_claim_retention_policy();
  if (retention->when_deleted().empty()) retention->set_when_deleted("Retain");
  if (retention->when_scaled().empty()) retention->set_when_scaled("Retain");
  if (!spec->has_replicas()) spec->set_replicas(1);
  if (!spec->has_revision_history_limit()) spec->set_revision_history_limit(10);
  SetPodSpecDefaults(spec->mutable_template_()->mutable_spec());
  for (PersistentVolumeClaim& claim : *spec->mutable_volume_claim_templates())
    SetClaimDefaults(&claim);
}

void SetDefaults(Node* node) {
  NodeStatus* status = node->mutable_status();
  if (status->allocatable().empty() && !status->capacity().empty()) {
    *status->mutable_allocatable() = status->capacity();
  }
}

}  // namespace lpv::api
