// The kubelet's node lease (k8s.io/component-helpers/apimachinery/lease): one Lease per
// node in kube-node-lease, named after the node, held by it, owned by the Node object so
// that it goes when the node does, and renewed with a MicroTime renewTime.
#include "kubelet-fake/kubelet.h"

namespace lpv::kubelet {

Status FakeKubelet::RenewLease() {
  const std::string& name = options_.node_name;
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::string now = FormatRFC3339Micro(clock_->Now());
    auto cur = client_->Get<api::Lease>(kNodeLeaseNamespace, name);
    if (!cur.ok() && !cur.status().IsNotFound()) return cur.status();
    if (!cur.ok()) {
      api::Lease lease;
      lease.mutable_metadata()->set_name(name);
      lease.mutable_metadata()->set_namespace_(kNodeLeaseNamespace);
      if (!node_uid_.empty()) {
        auto* owner = lease.mutable_metadata()->add_owner_references();
        owner->set_api_version("v1");
        owner->set_kind("Node");
        owner->set_name(name);
        owner->set_uid(node_uid_);
      }
      lease.mutable_spec()->set_holder_identity(name);
      lease.mutable_spec()->set_lease_duration_seconds(options_.lease_duration_seconds);
      lease.mutable_spec()->set_renew_time(now);
      auto created = client_->CreateTyped(lease);
      if (created.ok() || !created.status().IsAlreadyExists()) return created.status();
      continue;
    }
    api::Lease lease = std::move(*cur);
    lease.mutable_spec()->set_holder_identity(name);
    lease.mutable_spec()->set_lease_duration_seconds(options_.lease_duration_seconds);
    lease.mutable_spec()->set_renew_time(now);
    auto updated = client_->UpdateTyped(lease);
    if (updated.ok() || !updated.status().IsConflict()) return updated.status();
  }
  return Status::OK();  // kept losing races: the next renewal tries again
}

}  // namespace lpv::kubelet
