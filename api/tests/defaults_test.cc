#include "api/defaults.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>

#include "api/validation.h"

namespace lpv::api {
namespace {

template <class T>
T FromText(const std::string& text) {
  T msg;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &msg)) << text;
  return msg;
}

template <class T>
void ExpectIdempotent(const T& once) {
  T twice = once;
  SetDefaults(&twice);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(once, twice))
      << twice.DebugString();
}

TEST(DefaultsTest, StorageClass) {
  auto sc = FromText<StorageClass>(R"pb(metadata { name: "local-storage" }
                                        provisioner: "kubernetes.io/no-provisioner")pb");
  SetDefaults(&sc);
  EXPECT_EQ(sc.reclaim_policy(), "Delete");
  EXPECT_EQ(sc.volume_binding_mode(), "Immediate");
  EXPECT_TRUE(Validate(sc).empty());
  ExpectIdempotent(sc);

  auto set = FromText<StorageClass>(R"pb(reclaim_policy: "Retain"
                                         volume_binding_mode: "WaitForFirstConsumer")pb");
  SetDefaults(&set);
  EXPECT_EQ(set.reclaim_policy(), "Retain");
  EXPECT_EQ(set.volume_binding_mode(), "WaitForFirstConsumer");
}

TEST(DefaultsTest, PersistentVolume) {
  auto pv = FromText<PersistentVolume>(R"pb(
    metadata { name: "local-pv" }
    spec {
      capacity { key: "storage" value: "10Gi" }
      access_modes: "ReadWriteOnce"
      local { path: "/mnt/disks/vol1" }
      node_affinity {
        required {
          node_selector_terms {
            match_expressions { key: "kubernetes.io/hostname" operator: "In" values: "node-1" }
          }
        }
      }
    }
  )pb");
  SetDefaults(&pv);
  EXPECT_EQ(pv.spec().persistent_volume_reclaim_policy(), "Retain");
  EXPECT_TRUE(pv.spec().has_volume_mode());
  EXPECT_EQ(pv.spec().volume_mode(), "Filesystem");
  EXPECT_EQ(pv.status().phase(), "Pending");
  EXPECT_TRUE(Validate(pv).empty());
  ExpectIdempotent(pv);

  auto set = FromText<PersistentVolume>(R"pb(
    spec {
      persistent_volume_reclaim_policy: "Delete"
      volume_mode: "Block"
      host_path { path: "/data" }
    }
    status { phase: "Bound" }
  )pb");
  SetDefaults(&set);
  EXPECT_EQ(set.spec().persistent_volume_reclaim_policy(), "Delete");
  EXPECT_EQ(set.spec().volume_mode(), "Block");
  EXPECT_EQ(set.status().phase(), "Bound");
  EXPECT_TRUE(set.spec().host_path().has_type());
  EXPECT_EQ(set.spec().host_path().type(), "");
}

TEST(DefaultsTest, PersistentVolumeClaim) {
  auto pvc = FromText<PersistentVolumeClaim>(R"pb(
    metadata { name: "data" namespace: "default" }
    spec {
      access_modes: "ReadWriteOnce"
      resources { requests { key: "storage" value: "1Gi" } }
    }
  )pb");
  SetDefaults(&pvc);
  EXPECT_EQ(pvc.spec().volume_mode(), "Filesystem");
  EXPECT_EQ(pvc.status().phase(), "Pending");
  // The storage class stays absent: absent means "the default class", unlike "".
  EXPECT_FALSE(pvc.spec().has_storage_class_name());
  EXPECT_TRUE(Validate(pvc).empty());
  ExpectIdempotent(pvc);

  auto block = FromText<PersistentVolumeClaim>(R"pb(spec { volume_mode: "Block" }
                                                    status { phase: "Bound" })pb");
  SetDefaults(&block);
  EXPECT_EQ(block.spec().volume_mode(), "Block");
  EXPECT_EQ(block.status().phase(), "Bound");
}

TEST(DefaultsTest, ImagePullPolicy) {
  const struct {
    const char* image;
    const char* policy;
  } cases[] = {
      {"nginx", "Always"},
      {"nginx:latest", "Always"},
      {"nginx:1.25", "IfNotPresent"},
      {"k8s.gcr.io/busybox", "Always"},
      {"registry:5000/nginx", "Always"},
      {"registry:5000/nginx:1.0", "IfNotPresent"},
      {"nginx@sha256:0123456789abcdef", "IfNotPresent"},
      {"nginx:latest@sha256:0123456789abcdef", "Always"},
  };
  for (const auto& c : cases) EXPECT_EQ(DefaultImagePullPolicy(c.image), c.policy) << c.image;
}

TEST(DefaultsTest, Pod) {
  auto pod = FromText<Pod>(R"pb(
    metadata { name: "local-test-0" namespace: "default" }
    spec {
      containers {
        name: "c"
        image: "busybox:1.36"
        ports { container_port: 80 }
      }
      init_containers { name: "init" image: "busybox" }
      volumes {
        name: "h"
        host_path { path: "/data" }
      }
    }
  )pb");
  SetDefaults(&pod);
  const PodSpec& spec = pod.spec();
  EXPECT_EQ(spec.restart_policy(), "Always");
  EXPECT_EQ(spec.dns_policy(), "ClusterFirst");
  EXPECT_EQ(spec.scheduler_name(), "default-scheduler");
  EXPECT_EQ(spec.termination_grace_period_seconds(), 30);
  EXPECT_EQ(spec.containers(0).image_pull_policy(), "IfNotPresent");
  EXPECT_EQ(spec.init_containers(0).image_pull_policy(), "Always");
  EXPECT_EQ(spec.containers(0).ports(0).protocol(), "TCP");
  EXPECT_TRUE(spec.volumes(0).host_path().has_type());
  EXPECT_TRUE(spec.has_priority());
  EXPECT_EQ(spec.priority(), 0);
  ASSERT_EQ(spec.tolerations_size(), 2);
  EXPECT_EQ(spec.tolerations(0).key(), "node.kubernetes.io/not-ready");
  EXPECT_EQ(spec.tolerations(1).key(), "node.kubernetes.io/unreachable");
  for (const Toleration& t : spec.tolerations()) {
    EXPECT_EQ(t.operator_(), "Exists");
    EXPECT_EQ(t.effect(), "NoExecute");
    EXPECT_EQ(t.toleration_seconds(), 300);
  }
  EXPECT_EQ(pod.status().phase(), "Pending");
  EXPECT_EQ(pod.status().qos_class(), "BestEffort");
  EXPECT_TRUE(Validate(pod).empty());
  ExpectIdempotent(pod);
}

TEST(DefaultsTest, PodKeepsWhatIsSet) {
  auto pod = FromText<Pod>(R"pb(
    spec {
      restart_policy: "Never"
      dns_policy: "Default"
      scheduler_name: "other"
      termination_grace_period_seconds: 5
      priority: 100
      containers {
        name: "c"
        image: "busybox"
        image_pull_policy: "Never"
        ports { container_port: 53 protocol: "UDP" }
      }
      tolerations {
        key: "node.kubernetes.io/not-ready"
        operator: "Exists"
        effect: "NoExecute"
        toleration_seconds: 10
      }
    }
    status { phase: "Running" qos_class: "Burstable" }
  )pb");
  SetDefaults(&pod);
  EXPECT_EQ(pod.spec().restart_policy(), "Never");
  EXPECT_EQ(pod.spec().dns_policy(), "Default");
  EXPECT_EQ(pod.spec().scheduler_name(), "other");
  EXPECT_EQ(pod.spec().termination_grace_period_seconds(), 5);
  EXPECT_EQ(pod.spec().priority(), 100);
  EXPECT_EQ(pod.spec().containers(0).image_pull_policy(), "Never");
  EXPECT_EQ(pod.spec().containers(0).ports(0).protocol(), "UDP");
  // The existing not-ready toleration is kept; only unreachable is added.
  ASSERT_EQ(pod.spec().tolerations_size(), 2);
  EXPECT_EQ(pod.spec().tolerations(0).toleration_seconds(), 10);
  EXPECT_EQ(pod.spec().tolerations(1).key(), "node.kubernetes.io/unreachable");
  EXPECT_EQ(pod.status().phase(), "Running");
  EXPECT_EQ(pod.status().qos_class(), "Burstable");
}

TEST(DefaultsTest, WildcardTolerationCoversBoth) {
  auto pod = FromText<Pod>(R"pb(spec {
                                  containers { name: "c" image: "busybox" }
                                  tolerations { operator: "Exists" }
                                })pb");
  SetDefaults(&pod);
  EXPECT_EQ(pod.spec().tolerations_size(), 1);
}

TEST(DefaultsTest, PodQOSClass) {
  const struct {
    const char* name;
    const char* resources;
    const char* qos;
  } cases[] = {
      {"no resources", "", "BestEffort"},
      {"requests only", R"pb(requests { key: "cpu" value: "100m" })pb", "Burstable"},
      {"limits equal requests", R"pb(limits { key: "cpu" value: "1" }
                                     limits { key: "memory" value: "1Gi" })pb",
       "Guaranteed"},
      {"limits above requests",
       R"pb(requests { key: "cpu" value: "500m" }
            requests { key: "memory" value: "1Gi" }
            limits { key: "cpu" value: "1" }
            limits { key: "memory" value: "1Gi" })pb",
       "Burstable"},
      {"cpu limit only", R"pb(limits { key: "cpu" value: "1" })pb", "Burstable"},
      {"storage does not count", R"pb(requests { key: "ephemeral-storage" value: "1Gi" })pb",
       "BestEffort"},
  };
  for (const auto& c : cases) {
    auto pod = FromText<Pod>(
        std::string("spec { containers { name: \"c\" image: \"busybox\" resources { ") +
        c.resources + " } } }");
    SetDefaults(&pod);  // requests default to limits first
    EXPECT_EQ(pod.status().qos_class(), c.qos) << c.name;
    EXPECT_EQ(ComputePodQOS(pod), c.qos) << c.name;
  }
}

TEST(DefaultsTest, RequestsDefaultToLimits) {
  auto pod = FromText<Pod>(R"pb(spec {
                                  containers {
                                    name: "c"
                                    image: "busybox"
                                    resources {
                                      requests { key: "cpu" value: "100m" }
                                      limits { key: "cpu" value: "1" }
                                      limits { key: "memory" value: "1Gi" }
                                    }
                                  }
                                })pb");
  SetDefaults(&pod);
  const auto& requests = pod.spec().containers(0).resources().requests();
  EXPECT_EQ(requests.at("cpu"), "100m");
  EXPECT_EQ(requests.at("memory"), "1Gi");
}

TEST(DefaultsTest, StatefulSet) {
  auto set = FromText<StatefulSet>(R"pb(
    metadata { name: "local-test" namespace: "default" }
    spec {
      selector { match_labels { key: "app" value: "local-test" } }
      service_name: "local-service"
      template {
        metadata { labels { key: "app" value: "local-test" } }
        spec { containers { name: "c" image: "busybox" } }
      }
      volume_claim_templates {
        metadata { name: "local-vol" }
        spec {
          access_modes: "ReadWriteOnce"
          resources { requests { key: "storage" value: "368Gi" } }
        }
      }
    }
  )pb");
  SetDefaults(&set);
  const StatefulSetSpec& spec = set.spec();
  EXPECT_EQ(spec.replicas(), 1);
  EXPECT_EQ(spec.pod_management_policy(), "OrderedReady");
  EXPECT_EQ(spec.update_strategy().type(), "RollingUpdate");
  ASSERT_TRUE(spec.update_strategy().has_rolling_update());
  EXPECT_TRUE(spec.update_strategy().rolling_update().has_partition());
  EXPECT_EQ(spec.update_strategy().rolling_update().partition(), 0);
  EXPECT_EQ(spec.revision_history_limit(), 10);
  EXPECT_EQ(spec.persistent_volume_claim_retention_policy().when_deleted(), "Retain");
  EXPECT_EQ(spec.persistent_volume_claim_retention_policy().when_scaled(), "Retain");
  // The template gets pod-spec defaults, but not the pod-only ones.
  EXPECT_EQ(spec.template_().spec().restart_policy(), "Always");
  EXPECT_EQ(spec.template_().spec().containers(0).image_pull_policy(), "Always");
  EXPECT_EQ(spec.template_().spec().tolerations_size(), 0);
  EXPECT_FALSE(spec.template_().spec().has_priority());
  // Claim templates are defaulted like claims (kubectl shows their status phase Pending).
  EXPECT_EQ(spec.volume_claim_templates(0).spec().volume_mode(), "Filesystem");
  EXPECT_EQ(spec.volume_claim_templates(0).status().phase(), "Pending");
  EXPECT_TRUE(Validate(set).empty());
  ExpectIdempotent(set);
}

TEST(DefaultsTest, StatefulSetKeepsWhatIsSet) {
  auto set = FromText<StatefulSet>(
      R"pb(spec {
             replicas: 0
             pod_management_policy: "Parallel"
             revision_history_limit: 2
             update_strategy { type: "OnDelete" }
             persistent_volume_claim_retention_policy { when_deleted: "Delete" }
           })pb");
  SetDefaults(&set);
  EXPECT_EQ(set.spec().replicas(), 0);
  EXPECT_EQ(set.spec().pod_management_policy(), "Parallel");
  EXPECT_EQ(set.spec().revision_history_limit(), 2);
  EXPECT_EQ(set.spec().update_strategy().type(), "OnDelete");
  EXPECT_FALSE(set.spec().update_strategy().has_rolling_update());
  EXPECT_EQ(set.spec().persistent_volume_claim_retention_policy().when_deleted(), "Delete");
  EXPECT_EQ(set.spec().persistent_volume_claim_retention_policy().when_scaled(), "Retain");

  auto partial = FromText<StatefulSet>(R"pb(spec {
                                              update_strategy {
                                                type: "RollingUpdate"
                                                rolling_update {}
                                              }
                                            })pb");
  SetDefaults(&partial);
  EXPECT_TRUE(partial.spec().update_strategy().rolling_update().has_partition());
}

TEST(DefaultsTest, Node) {
  auto node = FromText<Node>(R"pb(metadata { name: "node-1" }
                                  status { capacity { key: "cpu" value: "4" } })pb");
  SetDefaults(&node);
  EXPECT_EQ(node.status().allocatable().at("cpu"), "4");
  ExpectIdempotent(node);

  auto own = FromText<Node>(R"pb(status {
                                   capacity { key: "cpu" value: "4" }
                                   allocatable { key: "cpu" value: "3" }
                                 })pb");
  SetDefaults(&own);
  EXPECT_EQ(own.status().allocatable().at("cpu"), "3");
}

}  // namespace
}  // namespace lpv::api
