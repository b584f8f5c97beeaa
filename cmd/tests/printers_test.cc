// The printers against kubectl's exact output: each expected text is what kubectl v1.32
// prints for the same object (worked out from its printers, describers and Go's
// tabwriter), or the Local Persistent Volume article's output where it has one.
#include "cmd/printers.h"

#include <gtest/gtest.h>

#include "api/clock.h"
#include "cmd/printers_internal.h"

namespace lpv::cmd {
namespace {

using namespace std::chrono_literals;
using lpv::api::Event;
using lpv::api::Node;
using lpv::api::PersistentVolume;
using lpv::api::PersistentVolumeClaim;
using lpv::api::Pod;
using lpv::api::StatefulSet;
using lpv::api::StorageClass;

const TimePoint kNow = *ParseRFC3339("2026-11-25T14:00:00Z");

// The RFC 3339 timestamp `d` before kNow.
std::string Ago(std::chrono::seconds d) { return FormatRFC3339(kNow - d); }

PrintOptions At(TimePoint now) {
  PrintOptions options;
  options.now = now;
  return options;
}

template <typename T>
std::vector<const google::protobuf::Message*> Ptrs(const std::vector<T>& objects) {
  std::vector<const google::protobuf::Message*> out;
  for (const auto& o : objects) out.push_back(&o);
  return out;
}

// A local PV as the static provisioner makes it.
PersistentVolume LocalPV(const std::string& name, const std::string& capacity,
                         const std::string& node, const std::string& path,
                         std::chrono::seconds age) {
  PersistentVolume pv;
  pv.mutable_metadata()->set_name(name);
  pv.mutable_metadata()->set_creation_timestamp(Ago(age));
  (*pv.mutable_spec()->mutable_capacity())["storage"] = capacity;
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
  pv.mutable_spec()->set_storage_class_name("local-storage");
  pv.mutable_spec()->mutable_local()->set_path(path);
  auto* expr = pv.mutable_spec()
                   ->mutable_node_affinity()
                   ->mutable_required()
                   ->add_node_selector_terms()
                   ->add_match_expressions();
  expr->set_key("kubernetes.io/hostname");
  expr->set_operator_("In");
  expr->add_values(node);
  pv.mutable_status()->set_phase("Available");
  return pv;
}

Event MakeEvent(const std::string& kind, const std::string& name, const std::string& type,
                const std::string& reason, const std::string& message,
                const std::string& component) {
  Event e;
  e.mutable_metadata()->set_namespace_("default");
  e.mutable_metadata()->set_name(name + ".18f5");
  e.mutable_involved_object()->set_kind(kind);
  e.mutable_involved_object()->set_namespace_("default");
  e.mutable_involved_object()->set_name(name);
  e.set_type(type);
  e.set_reason(reason);
  e.set_message(message);
  e.mutable_source()->set_component(component);
  return e;
}

Event WaitForFirstConsumerEvent() {
  Event e = MakeEvent(
      "PersistentVolumeClaim", "local-vol-local-test-0", "Normal", "WaitForFirstConsumer",
      "waiting for first consumer to be created before binding", "persistentvolume-controller");
  e.set_first_timestamp(Ago(40s));
  e.set_last_timestamp(Ago(5s));
  e.set_count(4);
  return e;
}

// ---- HumanDuration ----

TEST(HumanDurationTest, FollowsApimachineryPrecisionRules) {
  const std::pair<std::chrono::seconds, const char*> cases[] = {
      {-2s, "<invalid>"},
      {-1s, "0s"},  // a second of clock skew is "now"
      {0s, "0s"},
      {8s, "8s"},
      {59s, "59s"},
      {90s, "90s"},  // seconds up to two minutes
      {119s, "119s"},
      {120s, "2m"},
      {125s, "2m5s"},
      {303s, "5m3s"},
      {599s, "9m59s"},
      {600s, "10m"},  // minutes only from ten minutes
      {10799s, "179m"},
      {3h, "3h"},
      {3h + 4min + 59s, "3h4m"},
      {7h + 59min, "7h59m"},
      {8h + 30min, "8h"},  // hours only from eight hours
      {47h + 59min, "47h"},
      {48h, "2d"},
      {51h, "2d3h"},
      {191h, "7d23h"},
      {192h, "8d"},  // days only from eight days
      {729 * 24h, "729d"},
      {730 * 24h, "2y"},
      {735 * 24h, "2y5d"},
      {(8 * 365 - 1) * 24h, "7y364d"},
      {8 * 365 * 24h, "8y"},
      {40 * 365 * 24h, "40y"},
  };
  for (const auto& [d, want] : cases) {
    EXPECT_EQ(HumanDuration(d), want) << d.count() << "s";
  }
}

TEST(TranslateTimestampSinceTest, UnknownWhenEmptyOrUnparsable) {
  EXPECT_EQ(TranslateTimestampSince("", kNow), "<unknown>");
  EXPECT_EQ(TranslateTimestampSince("yesterday", kNow), "<unknown>");
  EXPECT_EQ(TranslateTimestampSince("2026-11-25T13:59:52Z", kNow), "8s");
  EXPECT_EQ(TranslateTimestampSince("2026-11-25T15:59:52+02:00", kNow), "8s");
}

TEST(FormatAccessModesTest, KubectlOrderWithoutDuplicates) {
  google::protobuf::RepeatedPtrField<std::string> modes;
  EXPECT_EQ(FormatAccessModes(modes), "");
  for (const char* m : {"ReadWriteOncePod", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce",
                        "ReadWriteOnce", "Bogus"}) {
    modes.Add(m);
  }
  EXPECT_EQ(FormatAccessModes(modes), "RWO,ROX,RWX,RWOP");
}

// ---- the tabwriter ----

TEST(TabWriterTest, ColumnsAreElasticBlocksOfConsecutiveLines) {
  // Go's text/tabwriter example: the b's and the d's are in different column blocks, as
  // the line "aaa\t" has no cell in the second column.
  internal::TabWriter w(0, 1);
  EXPECT_EQ(w.Format("a\tb\tc\naa\tbb\tcc\naaa\t\naaaa\tdddd\teeee\n"),
            "a    b  c\n"
            "aa   bb cc\n"
            "aaa  \n"
            "aaaa dddd eeee\n");
}

TEST(TabWriterTest, LineWithoutTabEndsTheBlockAndMinWidthApplies) {
  internal::TabWriter w(6, 3);
  EXPECT_EQ(w.Format("a\tb\nheading\nccc\td\n"), "a     b\nheading\nccc   d\n");
  // Widths count runes, not bytes.
  EXPECT_EQ(internal::TabWriter(0, 2).Format("héllo:\tx\nab:\ty\n"), "héllo:  x\nab:     y\n");
}

// ---- kubectl get pv ----

TEST(PrintTableTest, ArticleAvailableLocalVolumes) {
  std::vector<PersistentVolume> pvs = {
      LocalPV("local-pv-27c0f084", "368Gi", "node-1", "/mnt/disks/vol1", 8s),
      LocalPV("local-pv-3796b049", "368Gi", "node-1", "/mnt/disks/vol2", 7s),
      LocalPV("local-pv-3ddecaea", "368Gi", "node-1", "/mnt/disks/vol3", 7s),
  };
  EXPECT_EQ(PrintTable("PersistentVolume", Ptrs(pvs), At(kNow)),
            "NAME                CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM   "
            "STORAGECLASS    REASON   AGE\n"
            "local-pv-27c0f084   368Gi      RWO            Delete           Available           "
            "local-storage            8s\n"
            "local-pv-3796b049   368Gi      RWO            Delete           Available           "
            "local-storage            7s\n"
            "local-pv-3ddecaea   368Gi      RWO            Delete           Available           "
            "local-storage            7s\n");
}

TEST(PrintTableTest, BoundAndTerminatingVolumesWide) {
  PersistentVolume bound = LocalPV("local-pv-27c0f084", "368Gi", "node-1", "/mnt/disks/vol1", 3min);
  bound.mutable_spec()->set_volume_mode("Filesystem");
  bound.mutable_spec()->mutable_claim_ref()->set_namespace_("default");
  bound.mutable_spec()->mutable_claim_ref()->set_name("local-vol-local-test-0");
  bound.mutable_status()->set_phase("Bound");
  PersistentVolume deleting =
      LocalPV("local-pv-3796b049", "1024220Ki", "node-2", "/mnt/disks/vol1", 90min);
  deleting.mutable_metadata()->set_deletion_timestamp(Ago(2s));
  deleting.mutable_status()->set_phase("Released");
  deleting.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  deleting.mutable_status()->set_reason("Failed");
  std::vector<PersistentVolume> pvs = {bound, deleting};

  EXPECT_EQ(PrintTable("PersistentVolume", Ptrs(pvs), At(kNow)),
            "NAME                CAPACITY    ACCESS MODES   RECLAIM POLICY   STATUS        CLAIM"
            "                            STORAGECLASS    REASON   AGE\n"
            "local-pv-27c0f084   368Gi       RWO            Delete           Bound         "
            "default/local-vol-local-test-0   local-storage            3m\n"
            "local-pv-3796b049   1024220Ki   RWO            Retain           Terminating   "
            "                                 local-storage   Failed   90m\n");

  PrintOptions wide = At(kNow);
  wide.wide = true;
  wide.no_headers = true;
  EXPECT_EQ(PrintTable("PersistentVolume", Ptrs(pvs), wide),
            "local-pv-27c0f084   368Gi       RWO   Delete   Bound         "
            "default/local-vol-local-test-0   local-storage            3m    Filesystem\n"
            "local-pv-3796b049   1024220Ki   RWO   Retain   Terminating   "
            "                                 local-storage   Failed   90m   <unset>\n");
}

TEST(PrintTableTest, NoObjectsPrintsNothing) {
  EXPECT_EQ(PrintTable("PersistentVolume", {}, At(kNow)), "");
}

// ---- kubectl get pvc ----

TEST(PrintTableTest, ClaimsShowVolumeCapacityOnlyOnceBound) {
  PersistentVolumeClaim bound;
  bound.mutable_metadata()->set_name("local-vol-local-test-0");
  bound.mutable_metadata()->set_namespace_("default");
  bound.mutable_metadata()->set_creation_timestamp(Ago(10min));
  bound.mutable_spec()->set_storage_class_name("local-storage");
  bound.mutable_spec()->set_volume_name("local-pv-27c0f084");
  bound.mutable_spec()->set_volume_mode("Filesystem");
  (*bound.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "1Gi";
  bound.mutable_status()->set_phase("Bound");
  bound.mutable_status()->add_access_modes("ReadWriteOnce");
  (*bound.mutable_status()->mutable_capacity())["storage"] = "368Gi";

  PersistentVolumeClaim pending = bound;
  pending.mutable_metadata()->set_name("local-vol-local-test-1");
  pending.mutable_metadata()->set_namespace_("team-a");
  pending.mutable_spec()->clear_volume_name();
  pending.mutable_status()->set_phase("Pending");

  PersistentVolumeClaim deleting = bound;
  deleting.mutable_metadata()->set_name("www");
  deleting.mutable_metadata()->set_deletion_timestamp(Ago(1s));

  std::vector<PersistentVolumeClaim> claims = {bound, pending, deleting};
  EXPECT_EQ(PrintTable("PersistentVolumeClaim", Ptrs(claims), At(kNow)),
            "NAME                     STATUS        VOLUME              CAPACITY   ACCESS MODES   "
            "STORAGECLASS    AGE\n"
            "local-vol-local-test-0   Bound         local-pv-27c0f084   368Gi      RWO            "
            "local-storage   10m\n"
            "local-vol-local-test-1   Pending                                                     "
            "local-storage   10m\n"
            "www                      Terminating   local-pv-27c0f084   368Gi      RWO            "
            "local-storage   10m\n");

  PrintOptions all = At(kNow);
  all.with_namespace = true;
  all.wide = true;
  std::vector<PersistentVolumeClaim> two = {bound, pending};
  EXPECT_EQ(PrintTable("PersistentVolumeClaim", Ptrs(two), all),
            "NAMESPACE   NAME                     STATUS    VOLUME              CAPACITY   "
            "ACCESS MODES   STORAGECLASS    AGE   VOLUMEMODE\n"
            "default     local-vol-local-test-0   Bound     local-pv-27c0f084   368Gi      "
            "RWO            local-storage   10m   Filesystem\n"
            "team-a      local-vol-local-test-1   Pending                                      "
            "           local-storage   10m   Filesystem\n");
}

// ---- kubectl get pods ----

Pod MakePod(const std::string& name, std::chrono::seconds age) {
  Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_metadata()->set_creation_timestamp(Ago(age));
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("test-container");
  c->set_image("k8s.gcr.io/busybox");
  pod.mutable_status()->set_phase("Pending");
  return pod;
}

TEST(PrintTableTest, PodsWide) {
  Pod running = MakePod("local-test-0", 125s);
  running.mutable_spec()->set_node_name("node-1");
  running.mutable_status()->set_phase("Running");
  running.mutable_status()->set_pod_ip("10.244.1.5");
  running.mutable_status()->add_pod_ips()->set_ip("10.244.1.5");
  auto* cs = running.mutable_status()->add_container_statuses();
  cs->set_name("test-container");
  cs->set_ready(true);
  cs->set_restart_count(1);
  cs->mutable_state()->mutable_running()->set_started_at(Ago(60s));

  Pod creating = MakePod("local-test-1", 8s);
  creating.mutable_spec()->set_node_name("node-2");
  auto* waiting = creating.mutable_status()->add_container_statuses();
  waiting->set_name("test-container");
  waiting->mutable_state()->mutable_waiting()->set_reason("ContainerCreating");

  Pod unscheduled = MakePod("local-test-2", 3s);
  std::vector<Pod> pods = {running, creating, unscheduled};

  EXPECT_EQ(PrintTable("Pod", Ptrs(pods), At(kNow)),
            "NAME           READY   STATUS              RESTARTS   AGE\n"
            "local-test-0   1/1     Running             1          2m5s\n"
            "local-test-1   0/1     ContainerCreating   0          8s\n"
            "local-test-2   0/1     Pending             0          3s\n");

  PrintOptions wide = At(kNow);
  wide.wide = true;
  EXPECT_EQ(PrintTable("Pod", Ptrs(pods), wide),
            "NAME           READY   STATUS              RESTARTS   AGE    IP           NODE     "
            "NOMINATED NODE   READINESS GATES\n"
            "local-test-0   1/1     Running             1          2m5s   10.244.1.5   node-1   "
            "<none>           <none>\n"
            "local-test-1   0/1     ContainerCreating   0          8s     <none>       node-2   "
            "<none>           <none>\n"
            "local-test-2   0/1     Pending             0          3s     <none>       <none>   "
            "<none>           <none>\n");
}

TEST(PrintTableTest, PodStatusTerminatingAndUnknown) {
  Pod deleting = MakePod("local-test-0", 5min);
  deleting.mutable_status()->set_phase("Running");
  deleting.mutable_metadata()->set_deletion_timestamp(Ago(1s));
  Pod lost = deleting;
  lost.mutable_metadata()->set_name("local-test-1");
  lost.mutable_status()->set_reason("NodeLost");
  Pod done = deleting;
  done.mutable_metadata()->set_name("local-test-2");
  done.mutable_status()->set_phase("Succeeded");
  std::vector<Pod> pods = {deleting, lost, done};
  PrintOptions options = At(kNow);
  options.no_headers = true;
  EXPECT_EQ(PrintTable("Pod", Ptrs(pods), options),
            "local-test-0   0/1   Terminating   0     5m\n"
            "local-test-1   0/1   Unknown       0     5m\n"
            "local-test-2   0/1   Succeeded     0     5m\n");
}

// ---- kubectl get nodes ----

Node MakeNode(const std::string& name, const std::string& ready) {
  Node node;
  node.mutable_metadata()->set_name(name);
  node.mutable_metadata()->set_creation_timestamp(Ago(123h + 8s));
  (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = name;
  if (!ready.empty()) {
    auto* c = node.mutable_status()->add_conditions();
    c->set_type("Ready");
    c->set_status(ready);
  }
  node.mutable_status()->mutable_node_info()->set_kubelet_version("v1.32.0");
  return node;
}

TEST(PrintTableTest, NodesReadyNotReadyUnknown) {
  Node control = MakeNode("node-1", "True");
  (*control.mutable_metadata()->mutable_labels())["node-role.kubernetes.io/control-plane"] = "";
  auto* pressure = control.mutable_status()->add_conditions();  // only Ready counts
  pressure->set_type("DiskPressure");
  pressure->set_status("False");
  Node silent = MakeNode("node-2", "Unknown");  // a kubelet that stopped posting status
  Node cordoned = MakeNode("node-3", "False");
  cordoned.mutable_spec()->set_unschedulable(true);
  Node fresh = MakeNode("node-4", "");
  std::vector<Node> nodes = {control, silent, cordoned, fresh};

  EXPECT_EQ(PrintTable("Node", Ptrs(nodes), At(kNow)),
            "NAME     STATUS                        ROLES           AGE    VERSION\n"
            "node-1   Ready                         control-plane   5d3h   v1.32.0\n"
            "node-2   NotReady                      <none>          5d3h   v1.32.0\n"
            "node-3   NotReady,SchedulingDisabled   <none>          5d3h   v1.32.0\n"
            "node-4   Unknown                       <none>          5d3h   v1.32.0\n");

  auto* a = control.mutable_status()->add_addresses();
  a->set_type("InternalIP");
  a->set_address("172.18.0.2");
  auto* info = control.mutable_status()->mutable_node_info();
  info->set_os_image("Debian GNU/Linux 12 (bookworm)");
  info->set_kernel_version("6.1.0-27-amd64");
  info->set_container_runtime_version("containerd://1.7.18");
  PrintOptions wide = At(kNow);
  wide.wide = true;
  std::vector<Node> two = {control, silent};
  EXPECT_EQ(PrintTable("Node", Ptrs(two), wide),
            "NAME     STATUS     ROLES           AGE    VERSION   INTERNAL-IP   EXTERNAL-IP   "
            "OS-IMAGE                         KERNEL-VERSION   CONTAINER-RUNTIME\n"
            "node-1   Ready      control-plane   5d3h   v1.32.0   172.18.0.2    <none>        "
            "Debian GNU/Linux 12 (bookworm)   6.1.0-27-amd64   containerd://1.7.18\n"
            "node-2   NotReady   <none>          5d3h   v1.32.0   <none>        <none>        "
            "<unknown>                        <unknown>        <unknown>\n");
}

// ---- kubectl get sc, sts ----

TEST(PrintTableTest, StorageClassesMarkTheDefault) {
  StorageClass local;
  local.mutable_metadata()->set_name("local-storage");
  local.mutable_metadata()->set_creation_timestamp(Ago(20min));
  local.set_provisioner("kubernetes.io/no-provisioner");
  local.set_volume_binding_mode("WaitForFirstConsumer");
  StorageClass standard;
  standard.mutable_metadata()->set_name("standard");
  standard.mutable_metadata()->set_creation_timestamp(Ago(49h));
  (*standard.mutable_metadata()
        ->mutable_annotations())["storageclass.kubernetes.io/is-default-class"] = "true";
  standard.set_provisioner("rancher.io/local-path");
  standard.set_reclaim_policy("Retain");
  standard.set_allow_volume_expansion(true);
  std::vector<StorageClass> classes = {local, standard};
  EXPECT_EQ(PrintTable("StorageClass", Ptrs(classes), At(kNow)),
            "NAME                 PROVISIONER                    RECLAIMPOLICY   "
            "VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n"
            "local-storage        kubernetes.io/no-provisioner   Delete          "
            "WaitForFirstConsumer   false                  20m\n"
            "standard (default)   rancher.io/local-path          Retain          "
            "Immediate              true                   2d1h\n");
}

StatefulSet LocalTestSet() {
  StatefulSet sts;
  sts.mutable_metadata()->set_name("local-test");
  sts.mutable_metadata()->set_namespace_("default");
  sts.mutable_metadata()->set_uid("5b8d-sts");
  sts.mutable_metadata()->set_creation_timestamp("2026-11-25T13:57:00Z");
  auto* spec = sts.mutable_spec();
  spec->set_replicas(3);
  spec->set_service_name("local-service");
  (*spec->mutable_selector()->mutable_match_labels())["app"] = "local-test";
  spec->mutable_update_strategy()->set_type("RollingUpdate");
  spec->mutable_update_strategy()->mutable_rolling_update()->set_partition(0);
  auto* tmpl = spec->mutable_template_();
  (*tmpl->mutable_metadata()->mutable_labels())["app"] = "local-test";
  auto* c = tmpl->mutable_spec()->add_containers();
  c->set_name("test-container");
  c->set_image("k8s.gcr.io/busybox");
  c->add_command("/bin/sh");
  c->add_args("-c");
  c->add_args("sleep 100000");
  auto* mount = c->add_volume_mounts();
  mount->set_name("local-vol");
  mount->set_mount_path("/usr/test-pod");
  auto* claim = spec->add_volume_claim_templates();
  claim->mutable_metadata()->set_name("local-vol");
  claim->mutable_spec()->add_access_modes("ReadWriteOnce");
  claim->mutable_spec()->set_storage_class_name("local-storage");
  (*claim->mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "368Gi";
  sts.mutable_status()->set_replicas(3);
  sts.mutable_status()->set_ready_replicas(2);
  return sts;
}

TEST(PrintTableTest, StatefulSetsReadyOfDesired) {
  std::vector<StatefulSet> sets = {LocalTestSet()};
  EXPECT_EQ(PrintTable("StatefulSet", Ptrs(sets), At(kNow)),
            "NAME         READY   AGE\n"
            "local-test   2/3     3m\n");
  PrintOptions wide = At(kNow);
  wide.wide = true;
  wide.with_namespace = true;
  EXPECT_EQ(PrintTable("StatefulSet", Ptrs(sets), wide),
            "NAMESPACE   NAME         READY   AGE   CONTAINERS       IMAGES\n"
            "default     local-test   2/3     3m    test-container   k8s.gcr.io/busybox\n");
}

// ---- kubectl get events ----

TEST(PrintTableTest, EventsWithNamespace) {
  Event scheduled =
      MakeEvent("Pod", "local-test-0", "Normal", "Scheduled",
                "Successfully assigned default/local-test-0 to node-1", "default-scheduler");
  scheduled.set_first_timestamp(Ago(3s));
  scheduled.set_last_timestamp(Ago(3s));
  scheduled.set_count(1);
  // An event of the events.k8s.io API: eventTime only, no count.
  Event failed = MakeEvent("Pod", "local-test-1", "Warning", "FailedScheduling",
                           "0/3 nodes are available: 3 node(s) didn't find available persistent "
                           "volumes to bind.\n",
                           "");
  failed.set_event_time(Ago(2s));
  failed.set_reporting_component("default-scheduler");
  std::vector<Event> events = {WaitForFirstConsumerEvent(), scheduled, failed};

  PrintOptions options = At(kNow);
  options.with_namespace = true;
  EXPECT_EQ(PrintTable("Event", Ptrs(events), options),
            "NAMESPACE   LAST SEEN   TYPE      REASON                 OBJECT                      "
            "                   MESSAGE\n"
            "default     5s          Normal    WaitForFirstConsumer   "
            "persistentvolumeclaim/local-vol-local-test-0   waiting for first consumer to be "
            "created before binding\n"
            "default     3s          Normal    Scheduled              pod/local-test-0           "
            "                    Successfully assigned default/local-test-0 to node-1\n"
            "default     2s          Warning   FailedScheduling       pod/local-test-1           "
            "                    0/3 nodes are available: 3 node(s) didn't find available "
            "persistent volumes to bind.\n");

  PrintOptions wide = At(kNow);
  wide.wide = true;
  std::vector<Event> one = {WaitForFirstConsumerEvent()};
  EXPECT_EQ(
      PrintTable("Event", Ptrs(one), wide),
      "LAST SEEN   TYPE     REASON                 OBJECT                                    "
      "     SUBOBJECT   SOURCE                        MESSAGE                                   "
      "                FIRST SEEN   COUNT   NAME\n"
      "5s          Normal   WaitForFirstConsumer   persistentvolumeclaim/local-vol-local-test-0"
      "               persistentvolume-controller   waiting for first consumer to be "
      "created before binding   40s          4       local-vol-local-test-0.18f5\n");
}

TEST(PrintTableTest, UnknownKindGetsNameAndAge) {
  lpv::api::Binding binding;
  binding.mutable_metadata()->set_name("local-test-0");
  binding.mutable_metadata()->set_creation_timestamp(Ago(4s));
  std::vector<const google::protobuf::Message*> objects = {&binding};
  EXPECT_EQ(PrintTable("Binding", objects, At(kNow)),
            "NAME           AGE\n"
            "local-test-0   4s\n");
}

// ---- kubectl describe pv ----

TEST(DescribeTest, ArticleLocalVolume) {
  PersistentVolume pv = LocalPV("local-pv-ce05be60", "1024220Ki", "my-node", "/mnt/disks/vol1", 1h);
  (*pv.mutable_metadata()->mutable_annotations())["pv.kubernetes.io/provisioned-by"] =
      "local-volume-provisioner-minikube-18f57fb2-a186-11e7-b543-080027d51893";
  pv.mutable_spec()->set_storage_class_name("local-fast");
  EXPECT_EQ(Describe(pv, {}, kNow),
            "Name:              local-pv-ce05be60\n"
            "Labels:            <none>\n"
            "Annotations:       pv.kubernetes.io/provisioned-by: "
            "local-volume-provisioner-minikube-18f57fb2-a186-11e7-b543-080027d51893\n"
            "Finalizers:        []\n"
            "StorageClass:      local-fast\n"
            "Status:            Available\n"
            "Claim:             \n"
            "Reclaim Policy:    Delete\n"
            "Access Modes:      RWO\n"
            "Capacity:          1024220Ki\n"
            "Node Affinity:     \n"
            "  Required Terms:  \n"
            "    Term 0:        kubernetes.io/hostname in [my-node]\n"
            "Message:           \n"
            "Source:\n"
            "    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n"
            "    Path:  /mnt/disks/vol1\n"
            "Events:    <none>\n");
}

TEST(DescribeTest, BoundTerminatingHostPathVolumeWithEvents) {
  PersistentVolume pv;
  pv.mutable_metadata()->set_name("manual-pv");
  (*pv.mutable_metadata()->mutable_labels())["type"] = "local";
  (*pv.mutable_metadata()->mutable_labels())["app"] = "local-test";
  pv.mutable_metadata()->add_finalizers("kubernetes.io/pv-protection");
  pv.mutable_metadata()->add_finalizers("example.com/keep");
  pv.mutable_metadata()->set_deletion_timestamp(Ago(12s));
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "10Gi";
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->add_access_modes("ReadOnlyMany");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Retain");
  pv.mutable_spec()->set_volume_mode("Filesystem");
  pv.mutable_spec()->mutable_host_path()->set_path("/tmp/data");
  pv.mutable_spec()->mutable_claim_ref()->set_namespace_("default");
  pv.mutable_spec()->mutable_claim_ref()->set_name("www-web-0");
  pv.mutable_status()->set_phase("Bound");
  Event released = MakeEvent("PersistentVolume", "manual-pv", "Warning", "VolumeFailedDelete",
                             "  host_path deleter only supports /tmp/.+ but received provided "
                             "/tmp/data  ",
                             "persistentvolume-controller");
  released.set_first_timestamp(Ago(3min));
  released.set_last_timestamp(Ago(3min));
  released.set_count(1);

  EXPECT_EQ(Describe(pv, {released}, kNow),
            "Name:            manual-pv\n"
            "Labels:          app=local-test\n"
            "                 type=local\n"
            "Annotations:     <none>\n"
            "Finalizers:      [kubernetes.io/pv-protection example.com/keep]\n"
            "StorageClass:    \n"
            "Status:          Terminating (lasts 12s)\n"
            "Claim:           default/www-web-0\n"
            "Reclaim Policy:  Retain\n"
            "Access Modes:    RWO,ROX\n"
            "VolumeMode:      Filesystem\n"
            "Capacity:        10Gi\n"
            "Node Affinity:   <none>\n"
            "Message:         \n"
            "Source:\n"
            "    Type:          HostPath (bare host directory volume)\n"
            "    Path:          /tmp/data\n"
            "    HostPathType:  <none>\n"
            "Events:\n"
            "  Type     Reason              Age   From                         Message\n"
            "  ----     ------              ----  ----                         -------\n"
            "  Warning  VolumeFailedDelete  3m    persistentvolume-controller  host_path deleter "
            "only supports /tmp/.+ but received provided /tmp/data\n");
}

// ---- kubectl describe pvc ----

TEST(DescribeTest, PendingClaimWithRepeatedEvent) {
  PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("local-vol-local-test-0");
  pvc.mutable_metadata()->set_namespace_("default");
  (*pvc.mutable_metadata()->mutable_labels())["app"] = "local-test";
  pvc.mutable_metadata()->add_finalizers("kubernetes.io/pvc-protection");
  pvc.mutable_spec()->set_storage_class_name("local-storage");
  pvc.mutable_spec()->set_volume_mode("Filesystem");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  pvc.mutable_status()->set_phase("Pending");

  DescribeContext context;
  Pod user = MakePod("local-test-0", 40s);
  user.mutable_spec()->add_volumes()->set_name("local-vol");
  user.mutable_spec()->mutable_volumes(0)->mutable_persistent_volume_claim()->set_claim_name(
      "local-vol-local-test-0");
  Pod other = MakePod("local-test-1", 40s);  // uses another claim: not listed
  other.mutable_spec()->add_volumes()->mutable_persistent_volume_claim()->set_claim_name(
      "local-vol-local-test-1");
  context.pods = {other, user};

  Event scheduled =
      MakeEvent("PersistentVolumeClaim", "local-vol-local-test-0", "Normal", "ExternalProvisioning",
                "waiting for a volume to be created", "persistentvolume-controller");
  scheduled.set_first_timestamp(Ago(1s));
  scheduled.set_last_timestamp(Ago(1s));
  EXPECT_EQ(Describe(pvc, {scheduled, WaitForFirstConsumerEvent()}, kNow, context),
            "Name:          local-vol-local-test-0\n"
            "Namespace:     default\n"
            "StorageClass:  local-storage\n"
            "Status:        Pending\n"
            "Volume:        \n"
            "Labels:        app=local-test\n"
            "Annotations:   <none>\n"
            "Finalizers:    [kubernetes.io/pvc-protection]\n"
            "Capacity:      \n"
            "Access Modes:  \n"
            "VolumeMode:    Filesystem\n"
            "Used By:       local-test-0\n"
            "Events:\n"
            "  Type    Reason                Age               From                         "
            "Message\n"
            "  ----    ------                ----              ----                         "
            "-------\n"
            "  Normal  WaitForFirstConsumer  5s (x4 over 40s)  persistentvolume-controller  "
            "waiting for first consumer to be created before binding\n"
            "  Normal  ExternalProvisioning  1s                persistentvolume-controller  "
            "waiting for a volume to be created\n");
}

TEST(DescribeTest, BoundClaimWithoutUsers) {
  PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("www");
  pvc.mutable_metadata()->set_namespace_("default");
  (*pvc.mutable_metadata()->mutable_annotations())["pv.kubernetes.io/bind-completed"] = "yes";
  (*pvc.mutable_metadata()->mutable_annotations())["pv.kubernetes.io/bound-by-controller"] = "yes";
  (*pvc.mutable_metadata()
        ->mutable_annotations())["kubectl.kubernetes.io/last-applied-configuration"] =
      "{\"kind\":\"PersistentVolumeClaim\"}";
  (*pvc.mutable_metadata()->mutable_annotations())["volume.kubernetes.io/selected-node"] = "node-1";
  pvc.mutable_spec()->set_volume_name("local-pv-27c0f084");
  pvc.mutable_status()->set_phase("Bound");
  pvc.mutable_status()->add_access_modes("ReadWriteOnce");
  (*pvc.mutable_status()->mutable_capacity())["storage"] = "368Gi";
  EXPECT_EQ(Describe(pvc, {}, kNow),
            "Name:          www\n"
            "Namespace:     default\n"
            "StorageClass:  \n"
            "Status:        Bound\n"
            "Volume:        local-pv-27c0f084\n"
            "Labels:        <none>\n"
            "Annotations:   pv.kubernetes.io/bind-completed: yes\n"
            "               pv.kubernetes.io/bound-by-controller: yes\n"
            "               volume.kubernetes.io/selected-node: node-1\n"
            "Finalizers:    []\n"
            "Capacity:      368Gi\n"
            "Access Modes:  RWO\n"
            "Used By:       <none>\n"
            "Events:        <none>\n");
}

// ---- kubectl describe pod ----

TEST(DescribeTest, RunningStatefulSetPod) {
  Pod pod = MakePod("local-test-0", 10min);
  auto* meta = pod.mutable_metadata();
  (*meta->mutable_labels())["app"] = "local-test";
  (*meta->mutable_labels())["statefulset.kubernetes.io/pod-name"] = "local-test-0";
  auto* owner = meta->add_owner_references();
  owner->set_kind("StatefulSet");
  owner->set_name("local-test");
  owner->set_controller(true);
  auto* spec = pod.mutable_spec();
  spec->set_priority(0);
  spec->set_service_account_name("default");
  spec->set_node_name("node-1");
  auto* c = spec->mutable_containers(0);
  c->add_command("/bin/sh");
  c->add_args("-c");
  c->add_args("sleep 100000");
  auto* mount = c->add_volume_mounts();
  mount->set_name("local-vol");
  mount->set_mount_path("/usr/test-pod");
  auto* token = c->add_volume_mounts();
  token->set_name("kube-api-access");
  token->set_mount_path("/var/run/secrets/kubernetes.io/serviceaccount");
  token->set_read_only(true);
  auto* vol = spec->add_volumes();
  vol->set_name("local-vol");
  vol->mutable_persistent_volume_claim()->set_claim_name("local-vol-local-test-0");
  auto* host = spec->add_volumes();
  host->set_name("scratch");
  host->mutable_host_path()->set_path("/var/scratch");
  host->mutable_host_path()->set_type("DirectoryOrCreate");
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    auto* t = spec->add_tolerations();
    t->set_key(key);
    t->set_operator_("Exists");
    t->set_effect("NoExecute");
    t->set_toleration_seconds(300);
  }
  auto* status = pod.mutable_status();
  status->set_phase("Running");
  status->set_host_ip("172.18.0.2");
  status->set_pod_ip("10.244.1.5");
  status->add_pod_ips()->set_ip("10.244.1.5");
  status->set_start_time("2026-11-25T13:50:00Z");
  auto* cs = status->add_container_statuses();
  cs->set_name("test-container");
  cs->set_ready(true);
  cs->mutable_state()->mutable_running()->set_started_at("2026-11-25T13:50:04Z");
  for (const char* type :
       {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    auto* cond = status->add_conditions();
    cond->set_type(type);
    cond->set_status("True");
  }
  Event scheduled =
      MakeEvent("Pod", "local-test-0", "Normal", "Scheduled",
                "Successfully assigned default/local-test-0 to node-1", "default-scheduler");
  scheduled.set_first_timestamp(Ago(10min));
  scheduled.set_last_timestamp(Ago(10min));
  scheduled.set_count(1);

  EXPECT_EQ(Describe(pod, {scheduled}, kNow),
            "Name:             local-test-0\n"
            "Namespace:        default\n"
            "Priority:         0\n"
            "Service Account:  default\n"
            "Node:             node-1/172.18.0.2\n"
            "Start Time:       Wed, 25 Nov 2026 13:50:00 +0000\n"
            "Labels:           app=local-test\n"
            "                  statefulset.kubernetes.io/pod-name=local-test-0\n"
            "Annotations:      <none>\n"
            "Status:           Running\n"
            "IP:               10.244.1.5\n"
            "IPs:\n"
            "  IP:           10.244.1.5\n"
            "Controlled By:  StatefulSet/local-test\n"
            "Containers:\n"
            "  test-container:\n"
            "    Container ID:  \n"
            "    Image:         k8s.gcr.io/busybox\n"
            "    Image ID:      \n"
            "    Port:          <none>\n"
            "    Host Port:     <none>\n"
            "    Command:\n"
            "      /bin/sh\n"
            "    Args:\n"
            "      -c\n"
            "      sleep 100000\n"
            "    State:          Running\n"
            "      Started:      Wed, 25 Nov 2026 13:50:04 +0000\n"
            "    Ready:          True\n"
            "    Restart Count:  0\n"
            "    Environment:    <none>\n"
            "    Mounts:\n"
            "      /usr/test-pod from local-vol (rw)\n"
            "      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access (ro)\n"
            "Conditions:\n"
            "  Type                        Status\n"
            "  PodReadyToStartContainers   True \n"
            "  Initialized                 True \n"
            "  Ready                       True \n"
            "  ContainersReady             True \n"
            "  PodScheduled                True \n"
            "Volumes:\n"
            "  local-vol:\n"
            "    Type:       PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
            "same namespace)\n"
            "    ClaimName:  local-vol-local-test-0\n"
            "    ReadOnly:   false\n"
            "  scratch:\n"
            "    Type:          HostPath (bare host directory volume)\n"
            "    Path:          /var/scratch\n"
            "    HostPathType:  DirectoryOrCreate\n"
            "QoS Class:         BestEffort\n"
            "Node-Selectors:    <none>\n"
            "Tolerations:       node.kubernetes.io/not-ready:NoExecute op=Exists for 300s\n"
            "                   node.kubernetes.io/unreachable:NoExecute op=Exists for 300s\n"
            "Events:\n"
            "  Type    Reason     Age   From               Message\n"
            "  ----    ------     ----  ----               -------\n"
            "  Normal  Scheduled  10m   default-scheduler  Successfully assigned "
            "default/local-test-0 to node-1\n");
}

TEST(DescribeTest, PendingPodWithoutNode) {
  Pod pod = MakePod("local-test-1", 30s);
  auto* c = pod.mutable_spec()->mutable_containers(0);
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  (*c->mutable_resources()->mutable_requests())["memory"] = "64Mi";
  auto* port = c->add_ports();
  port->set_container_port(80);
  port->set_name("web");
  (*pod.mutable_spec()->mutable_node_selector())["disktype"] = "ssd";
  auto* cond = pod.mutable_status()->add_conditions();
  cond->set_type("PodScheduled");
  cond->set_status("False");
  cond->set_reason("Unschedulable");
  Event failed = MakeEvent("Pod", "local-test-1", "Warning", "FailedScheduling",
                           "0/3 nodes are available: 1 node(s) had volume node affinity "
                           "conflict, 2 node(s) didn't find available persistent volumes to bind.",
                           "default-scheduler");
  failed.set_first_timestamp(Ago(30s));
  failed.set_last_timestamp(Ago(9s));
  failed.set_count(3);
  EXPECT_EQ(Describe(pod, {failed}, kNow),
            "Name:         local-test-1\n"
            "Namespace:    default\n"
            "Node:         <none>\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "Status:       Pending\n"
            "IP:           \n"
            "IPs:          <none>\n"
            "Containers:\n"
            "  test-container:\n"
            "    Image:      k8s.gcr.io/busybox\n"
            "    Port:       80/TCP\n"
            "    Host Port:  0/TCP\n"
            "    Requests:\n"
            "      cpu:        100m\n"
            "      memory:     64Mi\n"
            "    Environment:  <none>\n"
            "    Mounts:       <none>\n"
            "Conditions:\n"
            "  Type           Status\n"
            "  PodScheduled   False \n"
            "Volumes:         <none>\n"
            "QoS Class:       Burstable\n"
            "Node-Selectors:  disktype=ssd\n"
            "Tolerations:     <none>\n"
            "Events:\n"
            "  Type     Reason            Age               From               Message\n"
            "  ----     ------            ----              ----               -------\n"
            "  Warning  FailedScheduling  9s (x3 over 30s)  default-scheduler  0/3 nodes are "
            "available: 1 node(s) had volume node affinity conflict, 2 node(s) didn't find "
            "available persistent volumes to bind.\n");
}

TEST(DescribeTest, QoSClassComputedFromRequestsAndLimits) {
  // The line aligns with the container's "    Environment:" above it: same column block.
  auto qos_of = [](const Pod& pod) {
    std::string page = Describe(pod, {}, kNow);
    size_t at = page.find("QoS Class:");
    return page.substr(at, page.find('\n', at) - at);
  };
  Pod pod = MakePod("p", 1s);
  auto* resources = pod.mutable_spec()->mutable_containers(0)->mutable_resources();
  EXPECT_EQ(qos_of(pod), "QoS Class:        BestEffort");
  (*resources->mutable_limits())["cpu"] = "1";
  (*resources->mutable_limits())["memory"] = "1Gi";
  (*resources->mutable_requests())["cpu"] = "1000m";  // equal quantities, other spelling
  (*resources->mutable_requests())["memory"] = "1024Mi";
  EXPECT_EQ(qos_of(pod), "QoS Class:        Guaranteed");
  (*resources->mutable_requests())["memory"] = "512Mi";
  EXPECT_EQ(qos_of(pod), "QoS Class:        Burstable");
  pod.mutable_status()->set_qos_class("Guaranteed");  // the status wins
  EXPECT_EQ(qos_of(pod), "QoS Class:        Guaranteed");
}

// ---- kubectl describe node ----

TEST(DescribeTest, NotReadyTaintedNode) {
  Node node = MakeNode("node-2", "");
  node.mutable_metadata()->set_creation_timestamp("2026-11-20T11:00:00Z");
  (*node.mutable_metadata()->mutable_annotations())["node.alpha.kubernetes.io/ttl"] = "0";
  auto* t1 = node.mutable_spec()->add_taints();
  t1->set_key("node.kubernetes.io/unreachable");
  t1->set_effect("NoSchedule");
  auto* t2 = node.mutable_spec()->add_taints();
  t2->set_key("node.kubernetes.io/unreachable");
  t2->set_effect("NoExecute");
  auto* ready = node.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status("Unknown");
  ready->set_last_heartbeat_time("2026-11-25T13:58:00Z");
  ready->set_last_transition_time("2026-11-25T13:59:00Z");
  ready->set_reason("NodeStatusUnknown");
  ready->set_message("Kubelet stopped posting node status.");
  auto* a = node.mutable_status()->add_addresses();
  a->set_type("InternalIP");
  a->set_address("172.18.0.3");
  auto* h = node.mutable_status()->add_addresses();
  h->set_type("Hostname");
  h->set_address("node-2");
  (*node.mutable_status()->mutable_capacity())["cpu"] = "4";
  (*node.mutable_status()->mutable_capacity())["memory"] = "8Gi";
  (*node.mutable_status()->mutable_capacity())["ephemeral-storage"] = "100Gi";
  (*node.mutable_status()->mutable_allocatable())["cpu"] = "4";
  auto* info = node.mutable_status()->mutable_node_info();
  info->set_machine_id("lpv-node-2");
  info->set_kernel_version("6.1.0");
  info->set_os_image("lpv");
  info->set_operating_system("linux");
  info->set_architecture("amd64");
  info->set_container_runtime_version("fake://0.1");
  Event not_ready = MakeEvent("Node", "node-2", "Normal", "NodeNotReady",
                              "Node node-2 status is now: NodeNotReady", "node-controller");
  not_ready.mutable_involved_object()->clear_namespace_();
  not_ready.set_first_timestamp(Ago(60s));
  not_ready.set_last_timestamp(Ago(60s));

  EXPECT_EQ(
      Describe(node, {not_ready}, kNow),
      "Name:               node-2\n"
      "Roles:              <none>\n"
      "Labels:             kubernetes.io/hostname=node-2\n"
      "Annotations:        node.alpha.kubernetes.io/ttl: 0\n"
      "CreationTimestamp:  Fri, 20 Nov 2026 11:00:00 +0000\n"
      "Taints:             node.kubernetes.io/unreachable:NoExecute\n"
      "                    node.kubernetes.io/unreachable:NoSchedule\n"
      "Unschedulable:      false\n"
      "Conditions:\n"
      "  Type    Status    LastHeartbeatTime                 LastTransitionTime                "
      "Reason              Message\n"
      "  ----    ------    -----------------                 ------------------                "
      "------              -------\n"
      "  Ready   Unknown   Wed, 25 Nov 2026 13:58:00 +0000   Wed, 25 Nov 2026 "
      "13:59:00 +0000   NodeStatusUnknown   Kubelet stopped posting node status.\n"
      "Addresses:\n"
      "  InternalIP:  172.18.0.3\n"
      "  Hostname:    node-2\n"
      "Capacity:\n"
      "  cpu:                4\n"
      "  ephemeral-storage:  100Gi\n"
      "  memory:             8Gi\n"
      "Allocatable:\n"
      "  cpu:  4\n"
      "System Info:\n"
      "  Machine ID:                 lpv-node-2\n"
      "  System UUID:                \n"
      "  Boot ID:                    \n"
      "  Kernel Version:             6.1.0\n"
      "  OS Image:                   lpv\n"
      "  Operating System:           linux\n"
      "  Architecture:               amd64\n"
      "  Container Runtime Version:  fake://0.1\n"
      "  Kubelet Version:            v1.32.0\n"
      "  Kube-Proxy Version:         \n"
      "Events:\n"
      "  Type    Reason        Age   From             Message\n"
      "  ----    ------        ----  ----             -------\n"
      "  Normal  NodeNotReady  60s   node-controller  Node node-2 status is now: "
      "NodeNotReady\n");
}

// ---- kubectl describe sc, sts ----

TEST(DescribeTest, StorageClass) {
  StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  (*sc.mutable_metadata()->mutable_annotations())["storageclass.kubernetes.io/is-default-class"] =
      "true";
  sc.set_provisioner("kubernetes.io/no-provisioner");
  sc.set_reclaim_policy("Delete");
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  auto* term = sc.add_allowed_topologies()->add_match_label_expressions();
  term->set_key("kubernetes.io/hostname");
  term->add_values("node-1");
  term->add_values("node-2");
  EXPECT_EQ(Describe(sc, {}, kNow),
            "Name:                  local-storage\n"
            "IsDefaultClass:        Yes\n"
            "Annotations:           storageclass.kubernetes.io/is-default-class=true\n"
            "Provisioner:           kubernetes.io/no-provisioner\n"
            "Parameters:            <none>\n"
            "AllowVolumeExpansion:  <unset>\n"
            "MountOptions:          <none>\n"
            "ReclaimPolicy:         Delete\n"
            "VolumeBindingMode:     WaitForFirstConsumer\n"
            "AllowedTopologies:     \n"
            "  Term 0:              kubernetes.io/hostname in [node-1, node-2]\n"
            "Events:                <none>\n");
}

TEST(DescribeTest, StatefulSetCountsItsPods) {
  StatefulSet sts = LocalTestSet();
  DescribeContext context;
  for (const char* name : {"local-test-0", "local-test-1", "local-test-2", "stray"}) {
    Pod pod = MakePod(name, 1min);
    auto* owner = pod.mutable_metadata()->add_owner_references();
    owner->set_kind("StatefulSet");
    owner->set_name("local-test");
    owner->set_uid(std::string(name) == "stray" ? "other-uid" : "5b8d-sts");
    owner->set_controller(true);
    pod.mutable_status()->set_phase(std::string(name) == "local-test-2" ? "Pending" : "Running");
    context.pods.push_back(pod);
  }
  Event created = MakeEvent("StatefulSet", "local-test", "Normal", "SuccessfulCreate",
                            "create Pod local-test-0 in StatefulSet local-test successful",
                            "statefulset-controller");
  created.set_first_timestamp(Ago(3min));
  created.set_last_timestamp(Ago(3min));
  EXPECT_EQ(Describe(sts, {created}, kNow, context),
            "Name:               local-test\n"
            "Namespace:          default\n"
            "CreationTimestamp:  Wed, 25 Nov 2026 13:57:00 +0000\n"
            "Selector:           app=local-test\n"
            "Labels:             <none>\n"
            "Annotations:        <none>\n"
            "Replicas:           3 desired | 3 total\n"
            "Update Strategy:    RollingUpdate\n"
            "  Partition:        0\n"
            "Pods Status:        2 Running / 1 Waiting / 0 Succeeded / 0 Failed\n"
            "Pod Template:\n"
            "  Labels:  app=local-test\n"
            "  Containers:\n"
            "   test-container:\n"
            "    Image:      k8s.gcr.io/busybox\n"
            "    Port:       <none>\n"
            "    Host Port:  <none>\n"
            "    Command:\n"
            "      /bin/sh\n"
            "    Args:\n"
            "      -c\n"
            "      sleep 100000\n"
            "    Environment:  <none>\n"
            "    Mounts:\n"
            "      /usr/test-pod from local-vol (rw)\n"
            "  Volumes:         <none>\n"
            "  Node-Selectors:  <none>\n"
            "  Tolerations:     <none>\n"
            "Volume Claims:\n"
            "  Name:          local-vol\n"
            "  StorageClass:  local-storage\n"
            "  Labels:        <none>\n"
            "  Annotations:   <none>\n"
            "  Capacity:      368Gi\n"
            "  Access Modes:  [ReadWriteOnce]\n"
            "Events:\n"
            "  Type    Reason            Age   From                    Message\n"
            "  ----    ------            ----  ----                    -------\n"
            "  Normal  SuccessfulCreate  3m    statefulset-controller  create Pod local-test-0 "
            "in StatefulSet local-test successful\n");
}

TEST(DescribeTest, OtherKindsGetTheGenericPage) {
  lpv::api::Binding binding;
  binding.mutable_metadata()->set_name("local-test-0");
  binding.mutable_metadata()->set_namespace_("default");
  EXPECT_EQ(Describe(binding, {}, kNow),
            "Name:         local-test-0\n"
            "Namespace:    default\n"
            "Labels:       <none>\n"
            "Annotations:  <none>\n"
            "Events:       <none>\n");
}

}  // namespace
}  // namespace lpv::cmd
