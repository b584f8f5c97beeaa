// Issue 3's integration: the article's StorageClass and three discovered PVs, the PV
// controller and the kubelets, with the scheduler's part played by hand: a claim waits for
// its first consumer; once a PV's claimRef names it (what BindPodVolumes writes) the PV
// controller completes the bind; a pod placed on that PV's node mounts it and runs.
#include <gtest/gtest.h>

#include "api/objects.pb.h"
#include "client/wait.h"
#include "cluster/cluster.h"

namespace lpv::cluster {
namespace {

using std::chrono::seconds;

TEST(ArticleIntegrationTest, ClaimWaitsThenAClaimRefCompletesTheBindAndThePodRuns) {
  Options o;
  o.listen = "";
  o.sync = false;
  o.start_controllers = true;
  auto c = Cluster::Start(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  client::Client& cl = *(*c)->client();

  auto pvs = client::WaitForList(
      cl, *api::KindOf("PersistentVolume"), "",
      [](const std::vector<client::ObjectPtr>& items) {
        int available = 0;
        for (const auto& i : items) {
          available += static_cast<const api::PersistentVolume&>(*i).status().phase() == "Available";
        }
        return available == 3;
      },
      seconds(30));
  ASSERT_TRUE(pvs.ok()) << pvs.status().ToString();

  api::StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  sc.set_provisioner("kubernetes.io/no-provisioner");
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  ASSERT_TRUE(cl.Create(sc).ok());
  api::PersistentVolumeClaim claim;
  claim.mutable_metadata()->set_name("local-vol-local-test-0");
  claim.mutable_metadata()->set_namespace_("default");
  claim.mutable_spec()->add_access_modes("ReadWriteOnce");
  claim.mutable_spec()->set_storage_class_name("local-storage");
  (*claim.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "368Gi";
  auto created = cl.CreateTyped(claim);
  ASSERT_TRUE(created.ok()) << created.status().ToString();

  // Pending, with the WaitForFirstConsumer event.
  auto events = client::WaitForList(
      cl, *api::KindOf("Event"), "default",
      [](const std::vector<client::ObjectPtr>& items) {
        for (const auto& i : items) {
          const auto& e = static_cast<const api::Event&>(*i);
          if (e.involved_object().name() == "local-vol-local-test-0" &&
              e.reason() == "WaitForFirstConsumer") {
            return e.message() == "waiting for first consumer to be created before binding" &&
                   e.source().component() == "persistentvolume-controller";
          }
        }
        return false;
      },
      seconds(30));
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  auto pending = cl.Get<api::PersistentVolumeClaim>("default", "local-vol-local-test-0");
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->status().phase(), "Pending");
  EXPECT_TRUE(pending->spec().volume_name().empty());

  // What BindPodVolumes writes: the PV's claimRef and bound-by-controller.
  api::PersistentVolume pv = static_cast<const api::PersistentVolume&>(*(*pvs)[0]);
  auto fresh = cl.Get<api::PersistentVolume>("", pv.metadata().name());
  ASSERT_TRUE(fresh.ok());
  pv = *fresh;
  auto* ref = pv.mutable_spec()->mutable_claim_ref();
  ref->set_kind("PersistentVolumeClaim");
  ref->set_api_version("v1");
  ref->set_namespace_("default");
  ref->set_name("local-vol-local-test-0");
  ref->set_uid(created->metadata().uid());
  (*pv.mutable_metadata()->mutable_annotations())["pv.kubernetes.io/bound-by-controller"] = "yes";
  ASSERT_TRUE(cl.Update(pv).ok());
  std::string node = pv.spec().node_affinity().required().node_selector_terms(0)
                         .match_expressions(0).values(0);

  // The PV controller completes the bind.
  auto bound = client::WaitFor<api::PersistentVolumeClaim>(
      cl, "default", "local-vol-local-test-0",
      [](const api::PersistentVolumeClaim& p) { return p.status().phase() == "Bound"; },
      seconds(30));
  ASSERT_TRUE(bound.ok()) << bound.status().ToString();
  EXPECT_EQ(bound->spec().volume_name(), pv.metadata().name());
  EXPECT_EQ(bound->metadata().annotations().at("pv.kubernetes.io/bind-completed"), "yes");
  EXPECT_EQ(bound->status().capacity().at("storage"), "368Gi");
  auto pv_bound = client::WaitFor<api::PersistentVolume>(
      cl, "", pv.metadata().name(),
      [](const api::PersistentVolume& p) { return p.status().phase() == "Bound"; }, seconds(30));
  ASSERT_TRUE(pv_bound.ok());

  // A pod with nodeName on that PV's node mounts it and runs.
  api::Pod pod;
  pod.mutable_metadata()->set_name("local-test-0");
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_spec()->set_node_name(node);
  auto* ctr = pod.mutable_spec()->add_containers();
  ctr->set_name("test-container");
  ctr->set_image("k8s.gcr.io/busybox");
  auto* mount = ctr->add_volume_mounts();
  mount->set_name("local-vol");
  mount->set_mount_path("/usr/test-pod");
  auto* vol = pod.mutable_spec()->add_volumes();
  vol->set_name("local-vol");
  vol->mutable_persistent_volume_claim()->set_claim_name("local-vol-local-test-0");
  ASSERT_TRUE(cl.Create(pod).ok());
  auto running = client::WaitFor<api::Pod>(
      cl, "default", "local-test-0",
      [](const api::Pod& p) {
        if (p.status().phase() != "Running") return false;
        for (const auto& cnd : p.status().conditions()) {
          if (cnd.type() == "Ready") return cnd.status() == "True";
        }
        return false;
      },
      seconds(30));
  ASSERT_TRUE(running.ok()) << running.status().ToString();
  EXPECT_EQ(running->spec().node_name(), node);
}

}  // namespace
}  // namespace lpv::cluster
