// The kubelet's node lease (k8s.io/component-helpers/apimachinery/lease): one Lease per
// node in kube-node-lease, named after the node, held by it, owned by the Node object so
// that it goes when the node does, and renewed with a MicroTime renewTime.
#include "kubelet-fake/kubelet.h"

namespace lpv::kubelet {

namespace {

void Renew(api::Lease* lease, const std::string& holder, int32_t duration_seconds,
           const std::string& now) {
  lease->mutable_spec()->set_holder_identity(holder);
  lease->mutable_spec()->set_lease_duration_seconds(duration_seconds);
  lease->mutable_spec()->set_renew_time(now);
}

}  // namespace

Status FakeKubelet::RenewLease() {
  const std::string& name = options_.node_name;
  // As the lease controller: nobody but this kubelet writes its Lease, so the copy its last
  // write returned is the base of the next and a renewal is one write, not a read and a
  // write (at 5,000 nodes that is 500 reads a second fewer). Any failure drops the copy
  // and the Lease is read again (ensureLease), as upstream.
  if (latest_lease_) {
    api::Lease lease = std::move(*latest_lease_);
    latest_lease_.reset();
    Renew(&lease, name, options_.lease_duration_seconds, FormatRFC3339Micro(clock_->Now()));
    auto updated = client_->UpdateTyped(lease);
    if (updated.ok()) {
      latest_lease_ = std::move(*updated);
      return Status::OK();
    }
  }
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
      Renew(&lease, name, options_.lease_duration_seconds, now);
      auto created = client_->CreateTyped(lease);
      if (created.ok()) latest_lease_ = std::move(*created);
      if (created.ok() || !created.status().IsAlreadyExists()) return created.status();
      continue;
    }
    api::Lease lease = std::move(*cur);
    Renew(&lease, name, options_.lease_duration_seconds, now);
    auto updated = client_->UpdateTyped(lease);
    if (updated.ok()) latest_lease_ = std::move(*updated);
    if (updated.ok() || !updated.status().IsConflict()) return updated.status();
  }
  return Status::OK();  // kept losing races: the next renewal tries again
}

}  // namespace lpv::kubelet
