// Object builders for the pvcontroller tests: a volume, a claim, a class, a node, a pod, each
// with the fields the story needs and an optional edit for the rest.
#pragma once

#include <functional>
#include <string>

#include "api/objects.pb.h"
#include "pvcontroller/annotations.h"

namespace lpv::pvcontroller::testing {

inline constexpr char kHostname[] = "kubernetes.io/hostname";

template <class T>
using Edit = std::function<void(T&)>;

// A hostPath volume of `capacity`, RWO, no class, Retain, status Available (the API server
// resets status on create).
inline api::PersistentVolume Volume(const std::string& name, const std::string& capacity,
                                    Edit<api::PersistentVolume> edit = nullptr) {
  api::PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  (*pv.mutable_spec()->mutable_capacity())["storage"] = capacity;
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_volume_mode("Filesystem");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  pv.mutable_spec()->mutable_host_path()->set_path("/mnt/data/" + name);
  pv.mutable_status()->set_phase(kVolumeAvailable);
  if (edit) edit(pv);
  return pv;
}

// Makes the volume a local volume on `node`, as the local static provisioner does.
inline Edit<api::PersistentVolume> OnNode(const std::string& node) {
  return [node](api::PersistentVolume& pv) {
    pv.mutable_spec()->clear_host_path();
    pv.mutable_spec()->mutable_local()->set_path("/mnt/disks/" + pv.metadata().name());
    auto* req = pv.mutable_spec()
                    ->mutable_node_affinity()
                    ->mutable_required()
                    ->add_node_selector_terms()
                    ->add_match_expressions();
    req->set_key(kHostname);
    req->set_operator_("In");
    req->add_values(node);
  };
}

inline void SetClass(api::PersistentVolume& pv, const std::string& cls) {
  pv.mutable_spec()->set_storage_class_name(cls);
}

// claimRef naming default/<claim>, with `uid` ("" = reserved by name only).
inline void PreBind(api::PersistentVolume& pv, const std::string& claim,
                    const std::string& uid = "") {
  auto* ref = pv.mutable_spec()->mutable_claim_ref();
  ref->set_kind("PersistentVolumeClaim");
  ref->set_api_version("v1");
  ref->set_namespace_("default");
  ref->set_name(claim);
  ref->set_uid(uid);
}

// A claim in "default" for `request`, RWO, without storageClassName.
inline api::PersistentVolumeClaim Claim(const std::string& name, const std::string& request,
                                        Edit<api::PersistentVolumeClaim> edit = nullptr) {
  api::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name(name);
  pvc.mutable_metadata()->set_namespace_("default");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  pvc.mutable_spec()->set_volume_mode("Filesystem");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = request;
  if (edit) edit(pvc);
  return pvc;
}

inline Edit<api::PersistentVolumeClaim> ClassName(const std::string& cls) {
  return
      [cls](api::PersistentVolumeClaim& pvc) { pvc.mutable_spec()->set_storage_class_name(cls); };
}

inline api::StorageClass Class(const std::string& name, const std::string& binding_mode,
                               const std::string& provisioner = kNotSupportedProvisioner,
                               Edit<api::StorageClass> edit = nullptr) {
  api::StorageClass sc;
  sc.mutable_metadata()->set_name(name);
  sc.set_provisioner(provisioner);
  sc.set_volume_binding_mode(binding_mode);
  if (edit) edit(sc);
  return sc;
}

inline api::Node NodeNamed(const std::string& name) {
  api::Node node;
  node.mutable_metadata()->set_name(name);
  (*node.mutable_metadata()->mutable_labels())[kHostname] = name;
  return node;
}

// A pod in "default" mounting `claim`; scheduled to `node` unless it is "".
inline api::Pod PodUsing(const std::string& name, const std::string& claim,
                         const std::string& node) {
  api::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("app");
  c->set_image("nginx:1.27");
  auto* mount = c->add_volume_mounts();
  mount->set_name("data");
  mount->set_mount_path("/data");
  auto* vol = pod.mutable_spec()->add_volumes();
  vol->set_name("data");
  vol->mutable_persistent_volume_claim()->set_claim_name(claim);
  pod.mutable_spec()->set_node_name(node);
  return pod;
}

}  // namespace lpv::pvcontroller::testing
