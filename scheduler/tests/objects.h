// Builders for the objects the scheduler tests use, in the shapes the article uses:
// a StorageClass local-storage (kubernetes.io/no-provisioner, WaitForFirstConsumer),
// local PVs pinned to a node by kubernetes.io/hostname, claims and pods using them, nodes.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/objects.pb.h"

namespace lpv::scheduler::testing {

inline constexpr char kLocalStorage[] = "local-storage";

inline api::StorageClass MakeClass(const std::string& name, const std::string& mode,
                                   const std::string& provisioner = "kubernetes.io/no-provisioner") {
  api::StorageClass sc;
  sc.mutable_metadata()->set_name(name);
  sc.mutable_metadata()->set_resource_version("1");
  sc.set_provisioner(provisioner);
  sc.set_volume_binding_mode(mode);
  return sc;
}

inline api::Node MakeNode(const std::string& name, const std::string& cpu = "4",
                          const std::string& memory = "16Gi", const std::string& pods = "110") {
  api::Node n;
  n.mutable_metadata()->set_name(name);
  n.mutable_metadata()->set_uid("uid-" + name);
  n.mutable_metadata()->set_resource_version("1");
  (*n.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
  for (auto* list : {n.mutable_status()->mutable_capacity(), n.mutable_status()->mutable_allocatable()}) {
    (*list)["cpu"] = cpu;
    (*list)["memory"] = memory;
    (*list)["pods"] = pods;
  }
  auto* ready = n.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status("True");
  return n;
}

// A local PV on `node` (hostname In [node]), Available.
inline api::PersistentVolume MakeLocalPV(const std::string& name, const std::string& node,
                                         const std::string& size = "100Gi",
                                         const std::string& cls = kLocalStorage,
                                         const std::string& rv = "1") {
  api::PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  pv.mutable_metadata()->set_uid("uid-" + name);
  pv.mutable_metadata()->set_resource_version(rv);
  (*pv.mutable_spec()->mutable_capacity())["storage"] = size;
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  pv.mutable_spec()->set_storage_class_name(cls);
  pv.mutable_spec()->mutable_local()->set_path("/mnt/disks/" + name);
  if (!node.empty()) {
    auto* expr = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                     ->add_node_selector_terms()->add_match_expressions();
    expr->set_key("kubernetes.io/hostname");
    expr->set_operator_("In");
    expr->add_values(node);
  }
  pv.mutable_status()->set_phase("Available");
  return pv;
}

inline api::PersistentVolumeClaim MakeClaim(const std::string& name,
                                            const std::string& cls = kLocalStorage,
                                            const std::string& size = "10Gi",
                                            const std::string& ns = "default") {
  api::PersistentVolumeClaim c;
  c.mutable_metadata()->set_name(name);
  c.mutable_metadata()->set_namespace_(ns);
  c.mutable_metadata()->set_uid("uid-" + name);
  c.mutable_metadata()->set_resource_version("1");
  c.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*c.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = size;
  c.mutable_spec()->set_storage_class_name(cls);
  c.mutable_status()->set_phase("Pending");
  return c;
}

// The claim bound to `pv` as the PV controller leaves it.
inline api::PersistentVolumeClaim BoundClaim(api::PersistentVolumeClaim c, const std::string& pv) {
  c.mutable_spec()->set_volume_name(pv);
  (*c.mutable_metadata()->mutable_annotations())["pv.kubernetes.io/bind-completed"] = "yes";
  c.mutable_status()->set_phase("Bound");
  return c;
}

// The PV bound to `claim` as the PV controller leaves it.
inline api::PersistentVolume BoundPV(api::PersistentVolume pv, const api::PersistentVolumeClaim& c) {
  auto* ref = pv.mutable_spec()->mutable_claim_ref();
  ref->set_kind("PersistentVolumeClaim");
  ref->set_namespace_(c.metadata().namespace_());
  ref->set_name(c.metadata().name());
  ref->set_uid(c.metadata().uid());
  pv.mutable_status()->set_phase("Bound");
  return pv;
}

inline api::Pod MakePod(const std::string& name, const std::vector<std::string>& claims,
                        const std::string& ns = "default") {
  api::Pod p;
  p.mutable_metadata()->set_name(name);
  p.mutable_metadata()->set_namespace_(ns);
  p.mutable_metadata()->set_uid("uid-" + name);
  p.mutable_metadata()->set_resource_version("1");
  p.mutable_spec()->set_scheduler_name("default-scheduler");
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("app");
  c->set_image("busybox");
  int i = 0;
  for (const auto& claim : claims) {
    auto* v = p.mutable_spec()->add_volumes();
    v->set_name("vol" + std::to_string(i++));
    v->mutable_persistent_volume_claim()->set_claim_name(claim);
  }
  return p;
}

template <class T>
std::shared_ptr<const T> Ref(const T& obj) {
  return std::make_shared<const T>(obj);
}

}  // namespace lpv::scheduler::testing
