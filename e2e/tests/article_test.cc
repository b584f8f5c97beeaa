// The article's story, through the binary: scenarios 1, 2, 3, 6 and 7.
#include "e2e/scenario.h"

namespace lpv::e2e {
namespace {

// Scenario 1: the article.
TEST_F(Scenario, TheArticleRollsOutOnePodPerNodeEachOnItsOwnDisk) {
  StartServer();
  // The provisioner's three PVs, one per node, Available.
  WaitForList("pv", [](const auto& items) {
    int available = 0;
    for (const auto& i : items) {
      available += static_cast<const api::PersistentVolume&>(*i).status().phase() == "Available";
    }
    return available == 3;
  });
  auto pvs = Items("pv");
  ASSERT_EQ(pvs.size(), 3u);
  std::set<std::string> pv_nodes;
  for (auto& [name, pv] : pvs) {
    EXPECT_EQ(name.rfind("local-pv-", 0), 0u);
    EXPECT_EQ(pv["spec"]["capacity"]["storage"], "368Gi");
    EXPECT_EQ(pv["status"]["phase"], "Available");
    pv_nodes.insert(PVNode(pv));
  }
  EXPECT_EQ(pv_nodes.size(), 3u);

  // Watch pods from here on to see the order they are created in.
  auto watch = client_->Watch(*api::KindOf("Pod"), "default", {"", "", "0"});
  ASSERT_TRUE(watch.ok());
  Must({"apply", "-f", Example("storageclass.yaml")});
  Must({"apply", "-f", Example("statefulset.yaml")});
  std::vector<std::string> created;
  while (created.size() < 3) {
    client::WatchEvent ev;
    ASSERT_TRUE((*watch)->Next(&ev, seconds(60))) << "pods created: " << created.size();
    if (ev.type == "ADDED") created.push_back(api::Meta(*ev.object).name());
  }
  EXPECT_EQ(created, (std::vector<std::string>{"local-test-0", "local-test-1", "local-test-2"}));
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});

  auto pods = Items("pods");
  auto claims = Items("pvc");
  pvs = Items("pv");
  std::set<std::string> nodes_used;
  for (int i = 0; i < 3; ++i) {
    std::string pod_name = "local-test-" + std::to_string(i);
    std::string claim_name = "local-vol-" + pod_name;
    const Json& pod = pods[pod_name];
    const Json& claim = claims[claim_name];
    EXPECT_EQ(pod["status"]["phase"], "Running");
    EXPECT_EQ(claim["status"]["phase"], "Bound");
    std::string volume = claim["spec"]["volumeName"];
    ASSERT_TRUE(pvs.count(volume)) << volume;
    EXPECT_EQ(pvs[volume]["status"]["phase"], "Bound");
    EXPECT_EQ(pvs[volume]["spec"]["claimRef"]["name"], claim_name);
    // The PV is on the node of its pod.
    EXPECT_EQ(PVNode(pvs[volume]), pod["spec"]["nodeName"]) << pod_name;
    nodes_used.insert(pod["spec"]["nodeName"]);
    // Each claim first waited for its consumer. Kubernetes says WaitForFirstConsumer while
    // no pod uses the claim, and WaitForPodScheduled once the pod exists unscheduled (the
    // StatefulSet creates the pod right after the claim, so either may come first).
    bool waited = false;
    for (auto& e : EventsFor(claim_name)) {
      if (e["reason"] == "WaitForFirstConsumer") {
        waited = true;
        EXPECT_EQ(e["message"], "waiting for first consumer to be created before binding");
        EXPECT_EQ(e["source"]["component"], "persistentvolume-controller");
      } else if (e["reason"] == "WaitForPodScheduled") {
        waited = true;
        EXPECT_EQ(e["message"], "waiting for pod " + pod_name + " to be scheduled");
      }
    }
    EXPECT_TRUE(waited) << claim_name;
  }
  EXPECT_EQ(nodes_used.size(), 3u);  // one pod per node
  auto sts = Get("sts", "local-test");
  EXPECT_EQ(sts["status"]["readyReplicas"], 3);
  // The table a user sees.
  auto table = Must({"get", "pv"});
  EXPECT_NE(table.find("default/local-vol-local-test-0"), std::string::npos) << table;
}

// Scenario 2: the hand-made PV of pv.yaml.
TEST_F(Scenario, AHandMadeLocalVolumeNeedsNodeAffinityAndServesOnlyItsNode) {
  StartServer({"--disks-per-node", "0", "--nodes", "2"});
  Must({"apply", "-f", Example("storageclass.yaml")});
  // Without nodeAffinity the API refuses it, with Kubernetes' message.
  std::string text = ReadFile(Example("pv.yaml"));
  std::string without = text.substr(0, text.find("  nodeAffinity:"));
  auto refused = Lpv({"apply", "-f", "-"}, without);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "The PersistentVolume \"example-pv\" is invalid: spec.nodeAffinity: Required value: "
            "Local volume requires node affinity\n");
  EXPECT_TRUE(Get("pv")["items"].empty());
  // With it, it is accepted; example-node joins the cluster with that disk.
  Must({"node", "add", "example-node"});
  Must({"apply", "-f", Example("pv.yaml")});
  WaitFor<api::PersistentVolume>("", "example-pv", [](const api::PersistentVolume& pv) {
    return pv.status().phase() == "Available";
  });
  // A pod that must run on node-1 cannot use it: it stays Pending.
  auto claim_pod = [](const std::string& name, const std::string& node) {
    std::string pod =
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " + name + "}\n"
        "spec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: local-storage\n"
        "  resources: {requests: {storage: 50Gi}}\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\nspec:\n";
    if (!node.empty()) pod += "  nodeSelector: {kubernetes.io/hostname: " + node + "}\n";
    pod += "  containers: [{name: c, image: busybox}]\n"
           "  volumes: [{name: v, persistentVolumeClaim: {claimName: " + name + "}}]\n";
    return pod;
  };
  Must({"apply", "-f", "-"}, claim_pod("pinned", "node-1"));
  WaitFor<api::Pod>("default", "pinned", [](const api::Pod& p) {
    for (const auto& c : p.status().conditions()) {
      if (c.type() == "PodScheduled" && c.reason() == "Unschedulable") return true;
    }
    return false;
  });
  EXPECT_FALSE(Get("pv", "example-pv")["spec"].contains("claimRef"));
  // A pod free to go anywhere lands on example-node and gets the volume.
  Must({"apply", "-f", "-"}, claim_pod("free", ""));
  WaitPodsReady({"free"});
  auto pod = Get("pods", "free");
  EXPECT_EQ(pod["spec"]["nodeName"], "example-node");
  auto pv = Get("pv", "example-pv");
  EXPECT_EQ(pv["spec"]["claimRef"]["name"], "free");
  EXPECT_EQ(Get("pods", "pinned")["status"]["phase"], "Pending");
}

// Scenario 3: a deleted pod comes back to its node and its data; with hostPath it may not.
TEST_F(Scenario, ADeletedPodReturnsToItsNodeAndFindsItsData) {
  StartServer();
  Must({"apply", "-f", Example("storageclass.yaml"), "-f", Example("statefulset.yaml")});
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});
  auto before = Get("pods", "local-test-1");
  std::string node = before["spec"]["nodeName"];
  std::string uid = before["metadata"]["uid"];
  std::string volume = Get("pvc", "local-vol-local-test-1")["spec"]["volumeName"];
  std::string path = Get("pv", volume)["spec"]["local"]["path"];
  std::string marker = NodeRoot(node) + path + "/.lpv-marker";
  ASSERT_NE(ReadFile(marker).find(uid), std::string::npos) << marker;

  Must({"delete", "pod", "local-test-1"});
  auto back = WaitFor<api::Pod>("default", "local-test-1", [&](const api::Pod& p) {
    return p.metadata().uid() != uid && PodReady(p);
  });
  EXPECT_EQ(back.spec().node_name(), node);
  EXPECT_EQ(Get("pvc", "local-vol-local-test-1")["spec"]["volumeName"], volume);
  // The marker the first pod left is still there, and the new pod's beside it.
  std::string data = ReadFile(marker);
  EXPECT_NE(data.find(uid), std::string::npos);
  EXPECT_NE(data.find(back.metadata().uid()), std::string::npos);
}

TEST_F(Scenario, WithHostPathARecreatedPodMayLandElsewhereWithoutItsData) {
  StartServer({"--disks-per-node", "0"});
  std::string sts =
      "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: host-test}\nspec:\n"
      "  serviceName: host-service\n  replicas: 1\n"
      "  selector: {matchLabels: {app: host-test}}\n  template:\n"
      "    metadata: {labels: {app: host-test}}\n    spec:\n"
      "      containers: [{name: c, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]\n"
      "      volumes: [{name: data, hostPath: {path: /var/lib/host-test}}]\n";
  Must({"apply", "-f", "-"}, sts);
  WaitPodsReady({"host-test-0"});
  auto first = Get("pods", "host-test-0");
  std::string node = first["spec"]["nodeName"];
  std::string uid = first["metadata"]["uid"];
  ASSERT_NE(ReadFile(NodeRoot(node) + "/var/lib/host-test/.lpv-marker").find(uid),
            std::string::npos);
  // Nothing ties the pod to that node: cordon it, and the new pod goes elsewhere.
  auto n = client_->Get<api::Node>("", node);
  ASSERT_TRUE(n.ok());
  api::Node cordoned = *n;
  cordoned.mutable_spec()->set_unschedulable(true);
  ASSERT_TRUE(client_->Update(cordoned).ok());
  Must({"delete", "pod", "host-test-0"});
  auto back = WaitFor<api::Pod>("default", "host-test-0", [&](const api::Pod& p) {
    return p.metadata().uid() != uid && PodReady(p);
  });
  EXPECT_NE(back.spec().node_name(), node);
  // Its hostPath there is a fresh empty directory: the first pod's data is not in it.
  std::string there = ReadFile(NodeRoot(back.spec().node_name()) + "/var/lib/host-test/.lpv-marker");
  EXPECT_EQ(there.find(uid), std::string::npos);
  EXPECT_NE(there.find(back.metadata().uid()), std::string::npos);
}

// Scenario 6: kill -9 in the middle of the rollout.
TEST_F(Scenario, KillNineMidRolloutThenRestartCompletesWithNothingBoundTwice) {
  StartServer();
  Must({"apply", "-f", Example("storageclass.yaml"), "-f", Example("statefulset.yaml")});
  WaitFor<api::Pod>("default", "local-test-0", nullptr);
  auto objects_before = Get("pvc")["items"].size() + Get("pods")["items"].size();
  KillAndRestart();
  // Nothing acknowledged is lost.
  EXPECT_GE(Get("pvc")["items"].size() + Get("pods")["items"].size(), objects_before);
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});
  auto claims = Items("pvc");
  auto pvs = Items("pv");
  std::map<std::string, std::string> claim_of_volume;
  for (auto& [name, claim] : claims) {
    EXPECT_EQ(claim["status"]["phase"], "Bound") << name;
    std::string volume = claim["spec"]["volumeName"];
    EXPECT_TRUE(claim_of_volume.emplace(volume, name).second) << volume << " bound twice";
    EXPECT_EQ(pvs[volume]["spec"]["claimRef"]["name"], name);
  }
  for (auto& [name, pv] : pvs) {
    if (pv["spec"].contains("claimRef")) {
      std::string claim = pv["spec"]["claimRef"]["name"];
      EXPECT_EQ(claims[claim]["spec"]["volumeName"], name) << name << " points at " << claim;
    }
  }
  EXPECT_EQ(claims.size(), 3u);
}

// Scenario 7: scale past the disks, add disks, scale back.
TEST_F(Scenario, ScalingPastTheDisksWaitsForNewDisksAndScaleDownKeepsClaims) {
  StartServer();
  std::string text = ReadFile(Example("statefulset.yaml"));
  // Parallel, so that both extra pods are created at once and both wait.
  const std::string replicas = "  replicas: 3";
  text.replace(text.find(replicas), replicas.size(), replicas + "\n  podManagementPolicy: Parallel");
  Must({"apply", "-f", Example("storageclass.yaml")});
  Must({"apply", "-f", "-"}, text);
  WaitPodsReady({"local-test-0", "local-test-1", "local-test-2"});
  std::string five = text;
  five.replace(five.find("replicas: 3"), 11, "replicas: 5");
  Must({"apply", "-f", "-"}, five);
  for (const char* name : {"local-test-3", "local-test-4"}) {
    auto pod = WaitFor<api::Pod>("default", name, [](const api::Pod& p) {
      for (const auto& c : p.status().conditions()) {
        if (c.type() == "PodScheduled" && c.reason() == "Unschedulable") return true;
      }
      return false;
    });
    (void)pod;
    // The exact message, as kube-scheduler v1.26 composes it. (An earlier attempt may
    // have said the claim was not found yet, if the pod reached the scheduler first.)
    const std::string expected =
        "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to "
        "bind. preemption: 0/3 nodes are available: 3 Preemption is not helpful for "
        "scheduling..";
    WaitForList("events", [&](const auto& items) {
      for (const auto& i : items) {
        const auto& e = static_cast<const api::Event&>(*i);
        if (e.involved_object().name() == name && e.reason() == "FailedScheduling" &&
            e.type() == "Warning" && e.message() == expected) {
          return true;
        }
      }
      return false;
    });
  }
  Must({"disk", "add", "node-1"});
  Must({"disk", "add", "node-2"});
  WaitPodsReady({"local-test-3", "local-test-4"});
  Must({"apply", "-f", "-"}, text);  // back to 3
  WaitForDeletion("pods", "default", "local-test-4");
  WaitForDeletion("pods", "default", "local-test-3");
  auto claims = Items("pvc");
  EXPECT_EQ(claims.size(), 5u);
  EXPECT_TRUE(claims.count("local-vol-local-test-3"));
  EXPECT_TRUE(claims.count("local-vol-local-test-4"));
}

}  // namespace
}  // namespace lpv::e2e
