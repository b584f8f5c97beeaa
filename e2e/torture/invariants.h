// The torture's invariants over one consistent look at the cluster (pods, claims,
// volumes): bindings are one-to-one and point at each other, every pod runs on the node
// of its volumes, and the StatefulSet's pods all run. Each check counts what it looked at,
// so the report says how much was checked, not merely that nothing failed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "client/client.h"

namespace lpv::torture {

struct Findings {
  std::vector<std::string> violations;
  int pods_running = 0;
  int claims_bound = 0;
  int volumes_bound = 0;
  int pairs_checked = 0;           // claimRef <-> volumeName pairs
  int pod_volumes_checked = 0;     // (pod, claim) node-affinity checks
  int volumes = 0;
  int claims = 0;
};

inline bool PodReady(const api::Pod& p) {
  if (p.status().phase() != "Running" || !p.metadata().deletion_timestamp().empty()) return false;
  for (const auto& c : p.status().conditions()) {
    if (c.type() == "Ready") return c.status() == "True";
  }
  return false;
}

// The nodes a local PV's required node affinity allows (kubernetes.io/hostname In ...).
inline std::set<std::string> AffinityNodes(const api::PersistentVolume& pv) {
  std::set<std::string> out;
  for (const auto& term : pv.spec().node_affinity().required().node_selector_terms()) {
    for (const auto& expr : term.match_expressions()) {
      if (expr.key() == "kubernetes.io/hostname" && expr.operator_() == "In") {
        out.insert(expr.values().begin(), expr.values().end());
      }
    }
  }
  return out;
}

// `pods` are the StatefulSet's expected pod names (set-0 .. set-N-1).
inline Findings CheckBindings(const std::vector<api::PersistentVolume>& pvs,
                              const std::vector<api::PersistentVolumeClaim>& claims,
                              const std::vector<api::Pod>& pods,
                              const std::vector<std::string>& expected_pods) {
  Findings f;
  f.volumes = static_cast<int>(pvs.size());
  f.claims = static_cast<int>(claims.size());
  std::map<std::string, const api::PersistentVolume*> pv_by_name;
  std::map<std::string, std::vector<std::string>> pvs_of_claim;  // ns/name -> PVs naming it
  for (const auto& pv : pvs) {
    pv_by_name[pv.metadata().name()] = &pv;
    if (!pv.spec().has_claim_ref()) continue;
    const auto& ref = pv.spec().claim_ref();
    pvs_of_claim[ref.namespace_() + "/" + ref.name()].push_back(pv.metadata().name());
    if (pv.status().phase() == "Bound") ++f.volumes_bound;
  }
  std::map<std::string, const api::PersistentVolumeClaim*> claim_by_key;
  std::map<std::string, std::vector<std::string>> claims_of_pv;
  for (const auto& pvc : claims) {
    std::string key = pvc.metadata().namespace_() + "/" + pvc.metadata().name();
    claim_by_key[key] = &pvc;
    if (pvc.status().phase() == "Bound") ++f.claims_bound;
    if (!pvc.spec().volume_name().empty()) claims_of_pv[pvc.spec().volume_name()].push_back(key);
  }
  // No PV has two claims, no claim two PVs.
  for (const auto& [pv, keys] : claims_of_pv) {
    if (keys.size() > 1) {
      f.violations.push_back("PV " + pv + " is the volumeName of " + std::to_string(keys.size()) +
                             " claims");
    }
  }
  for (const auto& [key, names] : pvs_of_claim) {
    if (names.size() > 1) {
      f.violations.push_back("claim " + key + " is the claimRef of " +
                             std::to_string(names.size()) + " PVs");
    }
  }
  // claimRef and volumeName point at each other (uid too).
  for (const auto& pv : pvs) {
    if (!pv.spec().has_claim_ref()) continue;
    const auto& ref = pv.spec().claim_ref();
    std::string key = ref.namespace_() + "/" + ref.name();
    auto it = claim_by_key.find(key);
    ++f.pairs_checked;
    if (it == claim_by_key.end()) {
      f.violations.push_back("PV " + pv.metadata().name() + " claims missing " + key);
    } else if (it->second->spec().volume_name() != pv.metadata().name()) {
      f.violations.push_back("PV " + pv.metadata().name() + " names " + key +
                             " whose volumeName is '" + it->second->spec().volume_name() + "'");
    } else if (!ref.uid().empty() && ref.uid() != it->second->metadata().uid()) {
      f.violations.push_back("PV " + pv.metadata().name() + " names " + key + " with uid " +
                             ref.uid() + ", the claim's is " + it->second->metadata().uid());
    }
  }
  for (const auto& pvc : claims) {
    const std::string& volume = pvc.spec().volume_name();
    if (volume.empty()) continue;
    std::string key = pvc.metadata().namespace_() + "/" + pvc.metadata().name();
    ++f.pairs_checked;
    auto it = pv_by_name.find(volume);
    if (it == pv_by_name.end()) {
      f.violations.push_back("claim " + key + " names missing PV " + volume);
    } else if (!it->second->spec().has_claim_ref() ||
               it->second->spec().claim_ref().namespace_() + "/" +
                       it->second->spec().claim_ref().name() != key) {
      f.violations.push_back("claim " + key + " names PV " + volume + " which does not name it");
    }
  }
  // Every pod runs on the node of its volumes.
  std::map<std::string, const api::Pod*> pod_by_name;
  for (const auto& pod : pods) {
    pod_by_name[pod.metadata().name()] = &pod;
    for (const auto& v : pod.spec().volumes()) {
      if (!v.has_persistent_volume_claim()) continue;
      std::string key = pod.metadata().namespace_() + "/" + v.persistent_volume_claim().claim_name();
      auto c = claim_by_key.find(key);
      if (c == claim_by_key.end() || c->second->spec().volume_name().empty()) {
        if (!pod.spec().node_name().empty()) {
          f.violations.push_back("pod " + pod.metadata().name() + " is on " +
                                 pod.spec().node_name() + " but its claim " + key +
                                 " is unbound");
        }
        continue;
      }
      auto pv = pv_by_name.find(c->second->spec().volume_name());
      if (pv == pv_by_name.end() || pod.spec().node_name().empty()) continue;
      ++f.pod_volumes_checked;
      auto nodes = AffinityNodes(*pv->second);
      if (!nodes.count(pod.spec().node_name())) {
        f.violations.push_back("pod " + pod.metadata().name() + " runs on " +
                               pod.spec().node_name() + " but its volume " +
                               pv->first + " is on another node");
      }
    }
  }
  // Every pod that should run runs.
  for (const auto& name : expected_pods) {
    auto it = pod_by_name.find(name);
    if (it == pod_by_name.end()) {
      f.violations.push_back("pod " + name + " is missing");
    } else if (!PodReady(*it->second)) {
      f.violations.push_back("pod " + name + " is not Running and Ready (phase " +
                             it->second->status().phase() + ")");
    } else {
      ++f.pods_running;
    }
  }
  return f;
}

}  // namespace lpv::torture
