// Failure and teardown, through the binary: scenarios 4 and 5.
#include "e2e/scenario.h"

namespace lpv::e2e {
namespace {

bool HasCondition(const api::Node& n, const std::string& type, const std::string& status) {
  for (const auto& c : n.status().conditions()) {
    if (c.type() == type) return c.status() == status;
  }
  return false;
}

// Scenario 4: the node of a pod's volume goes down.
TEST_F(Scenario, APodWhoseNodeIsDownStaysPendingUntilTheNodeReturns) {
  // The node Lease is the heartbeat (node status is reported every 5 minutes when nothing
  // changes); its renewTime has microseconds, so a short grace period works.
  StartServer({"--node-lease-renew-interval", "0.25", "--node-monitor-grace-period", "2"});
  Must({"apply", "-f", Example("storageclass.yaml"), "-f", Example("statefulset.yaml")});
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});
  std::string node = Get("pods", "local-test-2")["spec"]["nodeName"];
  Must({"node", "stop", node});
  WaitFor<api::Node>("", node, [](const api::Node& n) { return !HasCondition(n, "Ready", "True"); });
  // The kubelet is gone, so nothing confirms a graceful deletion: delete at once.
  Must({"delete", "pod", "local-test-2", "--grace-period", "0"});
  auto pending = WaitFor<api::Pod>("default", "local-test-2", [](const api::Pod& p) {
    for (const auto& c : p.status().conditions()) {
      if (c.type() == "PodScheduled" && c.reason() == "Unschedulable") return true;
    }
    return false;
  });
  EXPECT_EQ(pending.status().phase(), "Pending");
  EXPECT_TRUE(pending.spec().node_name().empty());
  bool conflict = false;
  for (auto& e : EventsFor("local-test-2")) {
    std::string msg = e["message"];
    if (e["reason"] == "FailedScheduling" &&
        msg.find("2 node(s) had volume node affinity conflict") != std::string::npos) {
      conflict = true;
    }
  }
  EXPECT_TRUE(conflict);
  Must({"node", "start", node});
  WaitPodsReady({"local-test-2"});
  EXPECT_EQ(Get("pods", "local-test-2")["spec"]["nodeName"], node);
}

// kubectl's --cascade against the whole cluster: orphan leaves the pods running without
// their owner; a new set adopts them; foreground returns only once they are gone.
TEST_F(Scenario, DeleteCascadeOrphanKeepsThePodsAndForegroundWaitsForThem) {
  StartServer();
  Must({"apply", "-f", Example("storageclass.yaml"), "-f", Example("statefulset.yaml")});
  const std::vector<std::string> pods = {"local-test-0", "local-test-1", "local-test-2"};
  WaitPodsReady(pods);

  Must({"delete", "sts", "local-test", "--cascade=orphan"});  // waits until the set is gone
  for (const auto& p : pods) {
    Json pod = Get("pods", p);
    EXPECT_FALSE(pod["metadata"].contains("ownerReferences")) << p;
    EXPECT_FALSE(pod["metadata"].contains("deletionTimestamp")) << p;
    EXPECT_EQ(pod["status"]["phase"], "Running") << p;
  }

  Must({"apply", "-f", Example("statefulset.yaml")});
  std::string uid = Get("statefulsets", "local-test")["metadata"]["uid"];
  for (const auto& p : pods) {
    WaitFor<api::Pod>("default", p, [&](const api::Pod& pod) {
      return pod.metadata().owner_references_size() == 1 &&
             pod.metadata().owner_references(0).uid() == uid;
    });
  }

  Must({"delete", "sts", "local-test", "--cascade=foreground"});
  for (const auto& p : pods) {
    EXPECT_EQ(Lpv({"get", "pod", p}).exit_code, 1) << p << " outlived its foreground-deleted set";
  }
}

// Scenario 5: the article's deletion order leaves nothing behind.
TEST_F(Scenario, DeletingInTheArticlesOrderLeavesNothingBehind) {
  StartServer();
  Must({"apply", "-f", Example("storageclass.yaml"), "-f", Example("statefulset.yaml")});
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});
  auto claims = Items("pvc");
  auto pvs = Items("pv");
  // The pods (through their StatefulSet, or it would recreate them).
  Must({"delete", "sts", "local-test"});
  for (const char* p : {"local-test-0", "local-test-1", "local-test-2"}) {
    WaitForDeletion("pods", "default", p);
  }
  // Then per claim: take the disk out of its node, delete the claim, delete the volume.
  for (auto& [name, claim] : claims) {
    std::string volume = claim["spec"]["volumeName"];
    const Json& pv = pvs[volume];
    Must({"disk", "remove", PVNode(pv), pv["spec"]["local"]["path"]});
    Must({"delete", "pvc", name});
    Must({"delete", "pv", volume, "--ignore-not-found"});
  }
  EXPECT_TRUE(Get("pvc")["items"].empty());
  EXPECT_TRUE(Get("pods")["items"].empty());
  WaitForList("pv", [](const auto& items) { return items.empty(); });
}

TEST_F(Scenario, DeletingInTheWrongOrderHangsVisiblyUntilWhatHoldsItIsGone) {
  StartServer();
  Must({"apply", "-f", Example("storageclass.yaml"), "-f", Example("statefulset.yaml")});
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});
  std::string volume = Get("pvc", "local-vol-local-test-0")["spec"]["volumeName"];
  std::string old_uid = Get("pv", volume)["metadata"]["uid"];
  // The claim is in use by a pod: it stays Terminating.
  Must({"delete", "pvc", "local-vol-local-test-0", "--wait=false"});
  // The volume is bound: it stays Terminating too.
  Must({"delete", "pv", volume, "--wait=false"});
  auto claim = Get("pvc", "local-vol-local-test-0");
  EXPECT_TRUE(claim["metadata"].contains("deletionTimestamp"));
  EXPECT_NE(Must({"get", "pvc"}).find("Terminating"), std::string::npos);
  EXPECT_NE(Must({"get", "pv", volume}).find("Terminating"), std::string::npos);
  EXPECT_EQ(Get("pv", volume)["status"]["phase"], "Bound");
  // Once the pod is gone the claim goes, then the volume.
  Must({"delete", "sts", "local-test"});
  WaitForDeletion("pvc", "default", "local-vol-local-test-0");
  WaitForList("pv", [&](const auto& items) {
    for (const auto& i : items) {
      if (api::Meta(*i).uid() == old_uid) return false;
    }
    return true;
  });
}

TEST_F(Scenario, ReclaimDeleteWipesAndReoffersWhileRetainKeepsReleased) {
  StartServer({"--disks-per-node", "0", "--nodes", "1"});
  Must({"apply", "-f", Example("storageclass.yaml")});
  Must({"disk", "add", "node-1"});
  WaitForList("pv", [](const auto& items) {
    return items.size() == 1 &&
           static_cast<const api::PersistentVolume&>(*items[0]).status().phase() == "Available";
  });
  auto use = [&](const std::string& name, const std::string& cls) {
    Must({"apply", "-f", "-"},
         "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " + name + "}\n"
         "spec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: " + cls + "\n"
         "  resources: {requests: {storage: 1Gi}}\n---\n"
         "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n"
         "  containers: [{name: c, image: busybox, volumeMounts: [{name: v, mountPath: /data}]}]\n"
         "  volumes: [{name: v, persistentVolumeClaim: {claimName: " + name + "}}]\n");
    WaitPodsReady({name});
    return Get("pvc", name)["spec"]["volumeName"].get<std::string>();
  };
  // Delete: the released volume is wiped and offered again.
  std::string volume = use("wipe-me", "local-storage");
  auto pv = Get("pv", volume);
  std::string uid = pv["metadata"]["uid"];
  std::string marker = NodeRoot("node-1") + pv["spec"]["local"]["path"].get<std::string>() + "/.lpv-marker";
  ASSERT_FALSE(ReadFile(marker).empty()) << marker;
  Must({"delete", "pod", "wipe-me"});
  Must({"delete", "pvc", "wipe-me"});
  WaitFor<api::PersistentVolume>("", volume, [&](const api::PersistentVolume& p) {
    return p.metadata().uid() != uid && p.status().phase() == "Available";
  });
  EXPECT_TRUE(ReadFile(marker).empty());  // wiped

  // Retain (kubectl patch pv ... persistentVolumeReclaimPolicy: Retain): it stays Released
  // with its data.
  auto fresh = client_->Get<api::PersistentVolume>("", volume);
  ASSERT_TRUE(fresh.ok());
  api::PersistentVolume keep = *fresh;
  keep.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  ASSERT_TRUE(client_->Update(keep).ok());
  ASSERT_EQ(use("keep-me", "local-storage"), volume);
  std::string kept_uid = Get("pv", volume)["metadata"]["uid"];
  Must({"delete", "pod", "keep-me"});
  Must({"delete", "pvc", "keep-me"});
  auto released = WaitFor<api::PersistentVolume>("", volume, [](const api::PersistentVolume& p) {
    return p.status().phase() == "Released";
  });
  EXPECT_EQ(released.metadata().uid(), kept_uid);
  EXPECT_NE(ReadFile(marker).find("keep-me"), std::string::npos);
  EXPECT_NE(Must({"get", "pv"}).find("Released"), std::string::npos);
}

}  // namespace
}  // namespace lpv::e2e
