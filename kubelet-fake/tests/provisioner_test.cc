#include "kubelet-fake/provisioner.h"

#include <filesystem>
#include <fstream>

#include "kubelet-fake/disks.h"
#include "kubelet-fake/tests/test_util.h"

namespace lpv::kubelet {
namespace {

namespace fs = std::filesystem;
using testing::kWait;

TEST(PVName, IsUpstreamsFnv1aOfFileNodeAndClass) {
  // The vectors of sig-storage-local-static-provisioner's discovery tests.
  EXPECT_EQ(LocalProvisioner::PVName("mount1", "test-node", "sc1"), "local-pv-aaaafef5");
  EXPECT_EQ(LocalProvisioner::PVName("symlink1", "test-node", "sc2"), "local-pv-55d5adba");
  EXPECT_EQ(LocalProvisioner::PVName("mount3", "test-node", "sc1"), "local-pv-f34b8003");
  EXPECT_EQ(LocalProvisioner::PVName("vol1", "node-1", "local-storage"), "local-pv-e3f48c6a");
}

TEST(RoundDownCapacityPretty, KeepsAtLeastTenUnits) {
  constexpr int64_t Ki = 1024, Mi = Ki * 1024, Gi = Mi * 1024;
  EXPECT_EQ(LocalProvisioner::RoundDownCapacityPretty(368 * Gi), 368 * Gi);
  EXPECT_EQ(LocalProvisioner::RoundDownCapacityPretty(368 * Gi + 5 * Mi), 368 * Gi);
  // The article's 1024220Ki disk: under 10Gi, so whole MiB.
  EXPECT_EQ(LocalProvisioner::RoundDownCapacityPretty(1024220 * Ki), 1000 * Mi);
  EXPECT_EQ(LocalProvisioner::RoundDownCapacityPretty(5 * Mi + 7), 5 * Mi + 7);
}

TEST(NeedsSync, OnlyAReleasedOrDeletedPVGivesTheProvisionerWork) {
  auto pv_in = [](const std::string& phase) {
    auto pv = std::make_shared<api::PersistentVolume>();
    pv->mutable_status()->set_phase(phase);
    pv->mutable_spec()->mutable_claim_ref()->set_name("www-web-0");
    return client::ObjectRef(pv);
  };
  for (const char* phase : {"Pending", "Available", "Bound", "Failed"}) {
    EXPECT_FALSE(LocalProvisioner::NeedsSync(pv_in(phase), /*deleted=*/false)) << phase;
    EXPECT_TRUE(LocalProvisioner::NeedsSync(pv_in(phase), /*deleted=*/true)) << phase;
  }
  EXPECT_TRUE(LocalProvisioner::NeedsSync(pv_in("Released"), /*deleted=*/false));
}

class ProvisionerTest : public testing::ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    node_ = MakeNode("node-1");
    disks_ = std::make_unique<Disks>(NodeRoot("node-1"));
  }
  void TearDown() override {
    provisioner_.reset();
    ClusterTest::TearDown();
  }
  void StartProvisioner(ProvisionerOptions opts = {}) {
    opts.node_name = "node-1";
    opts.node_root = NodeRoot("node-1");
    opts.clock = &clock_;
    opts.disks = disks_.get();
    provisioner_ = std::make_unique<LocalProvisioner>(&c(), opts);
    Status s = provisioner_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  api::PersistentVolume WaitForPV(const std::string& name,
                                  const std::function<bool(const api::PersistentVolume&)>& pred =
                                      nullptr) {
    return WaitFor<api::PersistentVolume>("", name, pred);
  }
  // What the PV controller would do: phase (and claimRef) of a volume.
  void SetPhase(const std::string& name, const std::string& phase) {
    for (int i = 0; i < 5; ++i) {
      auto pv = c().Get<api::PersistentVolume>("", name);
      ASSERT_TRUE(pv.ok()) << pv.status().ToString();
      pv->mutable_status()->set_phase(phase);
      auto r = c().UpdateStatusTyped(*pv);
      if (r.ok()) return;
      ASSERT_TRUE(r.status().IsConflict()) << r.status().ToString();
    }
    FAIL() << "could not set phase of " << name;
  }
  // What the pv-protection controller does once a volume is no longer bound.
  void RemoveFinalizers(const std::string& name) {
    for (int i = 0; i < 5; ++i) {
      auto pv = c().Get<api::PersistentVolume>("", name);
      ASSERT_TRUE(pv.ok()) << pv.status().ToString();
      pv->mutable_metadata()->clear_finalizers();
      auto r = c().UpdateTyped(*pv);
      if (r.ok() || r.status().IsNotFound()) return;
      ASSERT_TRUE(r.status().IsConflict()) << r.status().ToString();
    }
    FAIL() << "could not remove finalizers of " << name;
  }

  api::Node node_;
  std::unique_ptr<Disks> disks_;
  std::unique_ptr<LocalProvisioner> provisioner_;
};

TEST_F(ProvisionerTest, EveryDiskBecomesALocalPV) {
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("368Gi")).ok());
  StartProvisioner();
  EXPECT_EQ(provisioner_->name(), "local-volume-provisioner-node-1-" + node_.metadata().uid());

  std::string name = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  auto pv = WaitForPV(name);
  EXPECT_EQ(pv.metadata().annotations().at(kAnnProvisionedBy), provisioner_->name());
  EXPECT_EQ(pv.spec().capacity().at("storage"), "368Gi");
  EXPECT_EQ(pv.spec().local().path(), "/mnt/disks/vol1");
  EXPECT_FALSE(pv.spec().local().has_fs_type());
  ASSERT_EQ(pv.spec().access_modes_size(), 1);
  EXPECT_EQ(pv.spec().access_modes(0), "ReadWriteOnce");
  EXPECT_EQ(pv.spec().storage_class_name(), "local-storage");
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Delete");
  EXPECT_EQ(pv.spec().volume_mode(), "Filesystem");
  ASSERT_EQ(pv.spec().node_affinity().required().node_selector_terms_size(), 1);
  const auto& term = pv.spec().node_affinity().required().node_selector_terms(0);
  ASSERT_EQ(term.match_expressions_size(), 1);
  EXPECT_EQ(term.match_expressions(0).key(), "kubernetes.io/hostname");
  EXPECT_EQ(term.match_expressions(0).operator_(), "In");
  ASSERT_EQ(term.match_expressions(0).values_size(), 1);
  EXPECT_EQ(term.match_expressions(0).values(0), "node-1");
  EXPECT_TRUE(pv.metadata().labels().empty());
  // Phase is the PV controller's to move on from Pending.
  EXPECT_EQ(pv.status().phase(), "Pending");

  // A disk added later is a PV at once: no polling loop, no clock step.
  auto d2 = disks_->Add(api::Quantity::MustParse("100Gi"));
  ASSERT_TRUE(d2.ok());
  auto pv2 = WaitForPV(LocalProvisioner::PVName("vol2", "node-1", "local-storage"));
  EXPECT_EQ(pv2.spec().capacity().at("storage"), "100Gi");
  EXPECT_EQ(pv2.spec().local().path(), "/mnt/disks/vol2");
}

TEST_F(ProvisionerTest, NamesAreStableAcrossRestarts) {
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("368Gi")).ok());
  StartProvisioner();
  std::string name = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  std::string uid = WaitForPV(name).metadata().uid();
  provisioner_->Stop();
  provisioner_.reset();
  StartProvisioner();
  // The same disk is the same PV: nothing new, nothing recreated. A second disk proves the
  // restarted provisioner has synced past vol1.
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  WaitForPV(LocalProvisioner::PVName("vol2", "node-1", "local-storage"));
  auto again = c().Get<api::PersistentVolume>("", name);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->metadata().uid(), uid);
  auto list = c().List(*api::KindOf("PersistentVolume"), "");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 2u);
}

TEST_F(ProvisionerTest, ReclaimPolicyAndMountOptionsComeFromTheStorageClass) {
  api::StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  sc.set_provisioner("kubernetes.io/no-provisioner");
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  sc.set_reclaim_policy("Retain");
  sc.add_mount_options("noatime");
  ASSERT_TRUE(c().Create(sc).ok());
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("368Gi")).ok());
  StartProvisioner();
  auto pv = WaitForPV(LocalProvisioner::PVName("vol1", "node-1", "local-storage"));
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Retain");
  ASSERT_EQ(pv.spec().mount_options_size(), 1);
  EXPECT_EQ(pv.spec().mount_options(0), "noatime");
}

TEST_F(ProvisionerTest, UpstreamModeWaitsForTheStorageClass) {
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("368Gi")).ok());
  ProvisionerOptions opts;
  opts.require_storage_class = true;
  StartProvisioner(opts);
  std::string name = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  EXPECT_TRUE(c().Get<api::PersistentVolume>("", name).status().IsNotFound());
  api::StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  sc.set_provisioner("kubernetes.io/no-provisioner");
  ASSERT_TRUE(c().Create(sc).ok());
  auto pv = WaitForPV(name);
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Delete");
}

TEST_F(ProvisionerTest, DirectoriesThatAreNotDisksAreSkipped) {
  fs::create_directories(NodeRoot("node-1") + "/mnt/disks/notmounted");
  std::ofstream(NodeRoot("node-1") + "/mnt/disks/afile") << "x";
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  StartProvisioner();
  WaitForPV(LocalProvisioner::PVName("vol1", "node-1", "local-storage"));
  auto list = c().List(*api::KindOf("PersistentVolume"), "");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->items.size(), 1u);
}

TEST_F(ProvisionerTest, ReleasedVolumeIsWipedDeletedAndOfferedAgain) {
  auto disk = disks_->Add(api::Quantity::MustParse("368Gi"));
  ASSERT_TRUE(disk.ok());
  StartProvisioner();
  std::string name = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  std::string old_uid = WaitForPV(name).metadata().uid();
  std::ofstream(disk->host_path + "/database.db") << "precious";
  fs::create_directories(disk->host_path + "/logs");

  // The claim went away: the PV controller released the volume.
  SetPhase(name, "Released");
  // Wiped, then deleted: pv-protection keeps the object until it is not bound.
  auto terminating = WaitForPV(
      name, [](const api::PersistentVolume& pv) { return !pv.metadata().deletion_timestamp().empty(); });
  EXPECT_EQ(terminating.metadata().uid(), old_uid);
  EXPECT_FALSE(fs::exists(disk->host_path + "/database.db"));
  EXPECT_FALSE(fs::exists(disk->host_path + "/logs"));
  EXPECT_TRUE(fs::exists(disk->host_path + "/" + kDiskMetadataFile));

  // The protection controller lets it go; the disk comes back as a fresh PV, same name.
  RemoveFinalizers(name);
  auto fresh = WaitForPV(name, [&](const api::PersistentVolume& pv) {
    return pv.metadata().uid() != old_uid;
  });
  EXPECT_TRUE(fresh.metadata().deletion_timestamp().empty());
  EXPECT_EQ(fresh.status().phase(), "Pending");
  EXPECT_EQ(fresh.spec().capacity().at("storage"), "368Gi");
  EXPECT_FALSE(fresh.spec().has_claim_ref());
}

TEST_F(ProvisionerTest, RetainedVolumeIsLeftAlone) {
  api::StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  sc.set_provisioner("kubernetes.io/no-provisioner");
  sc.set_reclaim_policy("Retain");
  ASSERT_TRUE(c().Create(sc).ok());
  auto disk = disks_->Add(api::Quantity::MustParse("1Gi"));
  ASSERT_TRUE(disk.ok());
  StartProvisioner();
  std::string name = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  WaitForPV(name);
  std::ofstream(disk->host_path + "/keep.me") << "x";
  SetPhase(name, "Released");
  // Let a later sync pass prove the Released volume was looked at: a second disk.
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  WaitForPV(LocalProvisioner::PVName("vol2", "node-1", "local-storage"));
  auto pv = c().Get<api::PersistentVolume>("", name);
  ASSERT_TRUE(pv.ok());
  EXPECT_TRUE(pv->metadata().deletion_timestamp().empty());
  EXPECT_TRUE(fs::exists(disk->host_path + "/keep.me"));
}

TEST_F(ProvisionerTest, RemovedDiskIsNotOfferedAgain) {
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  StartProvisioner();
  std::string free_pv = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  std::string used_pv = LocalProvisioner::PVName("vol2", "node-1", "local-storage");
  WaitForPV(free_pv);
  WaitForPV(used_pv);
  SetPhase(free_pv, "Available");
  SetPhase(used_pv, "Bound");

  ASSERT_TRUE(disks_->Remove("/mnt/disks/vol1").ok());
  ASSERT_TRUE(disks_->Remove("/mnt/disks/vol2").ok());
  // The unclaimed volume goes.
  WaitForPV(free_pv, [](const api::PersistentVolume& pv) {
    return !pv.metadata().deletion_timestamp().empty();
  });
  RemoveFinalizers(free_pv);
  ASSERT_TRUE(client::WaitForDeletion(c(), *api::KindOf("PersistentVolume"), "", free_pv, kWait)
                  .ok());
  // A later sync (a new disk) creates the new disk's PV and nothing for the removed ones.
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  WaitForPV(LocalProvisioner::PVName("vol3", "node-1", "local-storage"));
  EXPECT_TRUE(c().Get<api::PersistentVolume>("", free_pv).status().IsNotFound());
  // The bound one stays: a pod may still be using it (the article's order of deletion).
  auto used = c().Get<api::PersistentVolume>("", used_pv);
  ASSERT_TRUE(used.ok());
  EXPECT_TRUE(used->metadata().deletion_timestamp().empty());
}

// The disk goes while its PV is still Pending: the sync of the removal passes over the PV
// (only an Available one is unclaimed for sure), and the PV controller's update to Available
// must bring the provisioner back to it. (Under load the same order happened when the
// removal's sync ran before the informer had seen the Available phase.)
TEST_F(ProvisionerTest, ADiskRemovedBeforeItsPVIsAvailableLosesThePVOnceAvailable) {
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  StartProvisioner();
  std::string gone = LocalProvisioner::PVName("vol1", "node-1", "local-storage");
  WaitForPV(gone);  // Pending: no PV controller in this test
  ASSERT_TRUE(disks_->Remove("/mnt/disks/vol1").ok());
  // A later disk's PV proves a sync ran after the removal.
  ASSERT_TRUE(disks_->Add(api::Quantity::MustParse("1Gi")).ok());
  WaitForPV(LocalProvisioner::PVName("vol2", "node-1", "local-storage"));
  auto pending = c().Get<api::PersistentVolume>("", gone);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->metadata().deletion_timestamp().empty());

  SetPhase(gone, "Available");
  WaitForPV(gone, [](const api::PersistentVolume& pv) {
    return !pv.metadata().deletion_timestamp().empty();
  });
  RemoveFinalizers(gone);
  EXPECT_TRUE(client::WaitForDeletion(c(), *api::KindOf("PersistentVolume"), "", gone, kWait)
                  .ok());
}

TEST_F(ProvisionerTest, FailedCleanupIsAVolumeFailedDeleteEvent) {
  StartProvisioner();
  // A released volume of this provisioner whose class is no longer configured.
  api::PersistentVolume pv;
  pv.mutable_metadata()->set_name("local-pv-orphan");
  (*pv.mutable_metadata()->mutable_annotations())[kAnnProvisionedBy] = provisioner_->name();
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "1Gi";
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
  pv.mutable_spec()->set_storage_class_name("fast-disks");
  pv.mutable_spec()->mutable_local()->set_path("/mnt/fast-disks/vol1");
  auto* expr = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                   ->add_node_selector_terms()->add_match_expressions();
  expr->set_key("kubernetes.io/hostname");
  expr->set_operator_("In");
  expr->add_values("node-1");
  ASSERT_TRUE(c().Create(pv).ok());
  SetPhase("local-pv-orphan", "Released");
  auto events = WaitForEvents("default", "local-pv-orphan", "VolumeFailedDelete");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].type(), "Warning");
  EXPECT_EQ(events[0].message(),
            "Error cleaning PV \"local-pv-orphan\": Unknown storage class name fast-disks");
  EXPECT_EQ(events[0].source().component(), provisioner_->name());
  EXPECT_EQ(events[0].involved_object().kind(), "PersistentVolume");
  EXPECT_TRUE(c().Get<api::PersistentVolume>("", "local-pv-orphan")
                  ->metadata().deletion_timestamp().empty());
}

TEST_F(ProvisionerTest, StartNeedsTheNode) {
  ProvisionerOptions opts;
  opts.node_name = "node-9";
  opts.node_root = NodeRoot("node-9");
  opts.clock = &clock_;
  LocalProvisioner p(&c(), opts);
  Status s = p.Start();
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
  EXPECT_EQ(s.message(), "nodes \"node-9\" not found");
}

}  // namespace
}  // namespace lpv::kubelet
