// The API's semantics, run against both the in-process client and the gRPC client: the
// two must be indistinguishable.
#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>

#include "api/objects.pb.h"
#include "api/scheme.h"
#include "client/client.h"
#include "cluster/cluster.h"

namespace lpv {
namespace {

using api::KindOf;

enum class Transport { kLocal, kGrpc };

class ApiTest : public ::testing::TestWithParam<Transport> {
 protected:
  void SetUp() override { Start({}); }

  void Start(cluster::Options opts) {
    client_.reset();
    cluster_.reset();
    auto c = cluster::Cluster::Start(opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    if (GetParam() == Transport::kGrpc) {
      client_ = client::NewGrpcClient(cluster_->address());
    }
  }
  client::Client& c() { return client_ ? *client_ : *cluster_->client(); }

  static api::PersistentVolume LocalPV(const std::string& name, const std::string& node) {
    api::PersistentVolume pv;
    pv.mutable_metadata()->set_name(name);
    (*pv.mutable_spec()->mutable_capacity())["storage"] = "368Gi";
    pv.mutable_spec()->add_access_modes("ReadWriteOnce");
    pv.mutable_spec()->set_storage_class_name("local-storage");
    pv.mutable_spec()->mutable_local()->set_path("/mnt/disks/vol1");
    auto* expr = pv.mutable_spec()->mutable_node_affinity()->mutable_required()
                     ->add_node_selector_terms()->add_match_expressions();
    expr->set_key("kubernetes.io/hostname");
    expr->set_operator_("In");
    expr->add_values(node);
    return pv;
  }

  static api::Pod SimplePod(const std::string& name, const std::string& node = "") {
    api::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    auto* ctr = pod.mutable_spec()->add_containers();
    ctr->set_name("c");
    ctr->set_image("busybox");
    pod.mutable_spec()->set_node_name(node);
    return pod;
  }

  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<client::Client> client_;
};

TEST_P(ApiTest, CreateAssignsIdentityAndDefaults) {
  auto pv = c().CreateTyped(LocalPV("pv-1", "node-1"));
  ASSERT_TRUE(pv.ok()) << pv.status().ToString();
  EXPECT_EQ(pv->api_version(), "v1");
  EXPECT_EQ(pv->kind(), "PersistentVolume");
  EXPECT_EQ(pv->metadata().uid().size(), 36u);
  EXPECT_FALSE(pv->metadata().creation_timestamp().empty());
  EXPECT_FALSE(pv->metadata().resource_version().empty());
  // A PV's strategy does not track generation (only apps kinds do, among lpv's).
  EXPECT_EQ(pv->metadata().generation(), 0);
  // Kubernetes' defaults for a PV: Retain, Filesystem; a new PV starts Pending.
  EXPECT_EQ(pv->spec().persistent_volume_reclaim_policy(), "Retain");
  EXPECT_EQ(pv->spec().volume_mode(), "Filesystem");
  EXPECT_EQ(pv->status().phase(), "Pending");
  auto got = c().Get<api::PersistentVolume>("", "pv-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->SerializeAsString(), pv->SerializeAsString());
}

TEST_P(ApiTest, CreateTwiceIsAlreadyExists) {
  ASSERT_TRUE(c().Create(LocalPV("pv-1", "n")).ok());
  auto again = c().Create(LocalPV("pv-1", "n"));
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsAlreadyExists());
  EXPECT_EQ(again.status().message(), "persistentvolumes \"pv-1\" already exists");
}

TEST_P(ApiTest, GenerateNameMakesUniqueNames) {
  api::Pod pod = SimplePod("");
  pod.mutable_metadata()->set_generate_name("web-");
  auto a = c().CreateTyped(pod);
  auto b = c().CreateTyped(pod);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString();
  EXPECT_EQ(a->metadata().name().rfind("web-", 0), 0u);
  EXPECT_EQ(a->metadata().name().size(), 9u);
  EXPECT_NE(a->metadata().name(), b->metadata().name());
}

TEST_P(ApiTest, GetMissingIsNotFound) {
  auto r = c().Get(*KindOf("PersistentVolume"), "", "nope");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().KubectlString(),
            "Error from server (NotFound): persistentvolumes \"nope\" not found");
  auto d = c().Delete(*KindOf("Pod"), "default", "nope");
  EXPECT_TRUE(d.status().IsNotFound());
}

TEST_P(ApiTest, LocalVolumeWithoutNodeAffinityIsInvalid) {
  api::PersistentVolume pv = LocalPV("manual-pv", "n");
  pv.mutable_spec()->clear_node_affinity();
  auto r = c().Create(pv);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_EQ(r.status().message(),
            "PersistentVolume \"manual-pv\" is invalid: spec.nodeAffinity: Required value: "
            "Local volume requires node affinity");
  EXPECT_EQ(r.status().KubectlString(),
            "The PersistentVolume \"manual-pv\" is invalid: spec.nodeAffinity: Required value: "
            "Local volume requires node affinity");
  EXPECT_TRUE(c().Get(*KindOf("PersistentVolume"), "", "manual-pv").status().IsNotFound());
}

TEST_P(ApiTest, StaleResourceVersionIsConflict) {
  auto pv = c().CreateTyped(LocalPV("pv-1", "n"));
  ASSERT_TRUE(pv.ok());
  api::PersistentVolume first = *pv;
  (*first.mutable_metadata()->mutable_labels())["a"] = "1";
  auto updated = c().UpdateTyped(first);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_NE(updated->metadata().resource_version(), pv->metadata().resource_version());
  api::PersistentVolume stale = *pv;  // still the first resourceVersion
  (*stale.mutable_metadata()->mutable_labels())["b"] = "2";
  auto r = c().Update(stale);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsConflict());
  EXPECT_EQ(r.status().message(),
            "Operation cannot be fulfilled on persistentvolumes \"pv-1\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  auto now = c().Get<api::PersistentVolume>("", "pv-1");
  EXPECT_EQ(now->metadata().labels().count("b"), 0u);
  EXPECT_EQ(now->metadata().labels().at("a"), "1");
}

TEST_P(ApiTest, UpdateThatChangesNothingKeepsResourceVersion) {
  auto pv = c().CreateTyped(LocalPV("pv-1", "n"));
  ASSERT_TRUE(pv.ok());
  auto same = c().UpdateTyped(*pv);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->metadata().resource_version(), pv->metadata().resource_version());
}

TEST_P(ApiTest, SpecUpdateKeepsStatusAndStatusUpdateKeepsSpec) {
  auto pv = c().CreateTyped(LocalPV("pv-1", "n"));
  ASSERT_TRUE(pv.ok());
  api::PersistentVolume s = *pv;
  s.mutable_status()->set_phase("Available");
  s.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");  // ignored on /status
  auto after_status = c().UpdateStatusTyped(s);
  ASSERT_TRUE(after_status.ok()) << after_status.status().ToString();
  EXPECT_EQ(after_status->status().phase(), "Available");
  EXPECT_EQ(after_status->spec().persistent_volume_reclaim_policy(), "Retain");

  api::PersistentVolume spec = *after_status;
  spec.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
  spec.mutable_status()->set_phase("Failed");  // ignored on the main resource
  auto after_spec = c().UpdateTyped(spec);
  ASSERT_TRUE(after_spec.ok()) << after_spec.status().ToString();
  EXPECT_EQ(after_spec->spec().persistent_volume_reclaim_policy(), "Delete");
  EXPECT_EQ(after_spec->status().phase(), "Available");
}

// The status subresource validates what a status writer may set: a kubelet reporting an
// address that is not an IP is refused as kube-apiserver refuses it, and nothing is written.
TEST_P(ApiTest, StatusUpdateValidatesTheStatus) {
  auto pod = c().CreateTyped(SimplePod("web-0", "node-1"));
  ASSERT_TRUE(pod.ok()) << pod.status().ToString();
  api::Pod running = *pod;
  running.mutable_status()->set_phase("Running");
  running.mutable_status()->add_pod_ips()->set_ip("10.244.1");
  auto r = c().UpdateStatusTyped(running);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
  EXPECT_EQ(r.status().KubectlString(),
            "The Pod \"web-0\" is invalid: status.podIPs[0]: Invalid value: \"10.244.1\": must "
            "be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
  auto now = c().Get<api::Pod>("default", "web-0");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->metadata().resource_version(), pod->metadata().resource_version());
  EXPECT_EQ(now->status().phase(), "Pending");

  running.mutable_status()->mutable_pod_ips(0)->set_ip("10.244.1.7");
  auto fixed = c().UpdateStatusTyped(running);
  ASSERT_TRUE(fixed.ok()) << fixed.status().ToString();
  EXPECT_EQ(fixed->status().phase(), "Running");
}

// metadata.generation is kept only by the kinds whose strategy tracks it: a StatefulSet
// starts at 1 and counts spec changes; a PV's spec change leaves it unset.
TEST_P(ApiTest, GenerationCountsSpecChangesOnlyForKindsThatTrackIt) {
  api::StatefulSet set;
  set.mutable_metadata()->set_name("web");
  set.mutable_metadata()->set_namespace_("default");
  set.mutable_spec()->set_replicas(1);
  set.mutable_spec()->set_service_name("web");
  (*set.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  (*set.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "web";
  auto* ct = set.mutable_spec()->mutable_template_()->mutable_spec()->add_containers();
  ct->set_name("c");
  ct->set_image("busybox");
  auto created = c().CreateTyped(set);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->metadata().generation(), 1);
  api::StatefulSet scaled = *created;
  scaled.mutable_spec()->set_replicas(2);
  auto updated = c().UpdateTyped(scaled);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->metadata().generation(), 2);

  auto pv = c().CreateTyped(LocalPV("pv-1", "n"));
  ASSERT_TRUE(pv.ok());
  api::PersistentVolume changed = *pv;
  changed.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
  auto after = c().UpdateTyped(changed);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->metadata().generation(), 0);
}

TEST_P(ApiTest, FinalizersHoldDeletionUntilRemoved) {
  api::PersistentVolume pv = LocalPV("pv-1", "n");
  pv.mutable_metadata()->add_finalizers("kubernetes.io/pv-protection");
  ASSERT_TRUE(c().Create(pv).ok());
  auto del = c().Delete(*KindOf("PersistentVolume"), "", "pv-1");
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  auto terminating = c().Get<api::PersistentVolume>("", "pv-1");
  ASSERT_TRUE(terminating.ok());
  EXPECT_FALSE(terminating->metadata().deletion_timestamp().empty());
  // A second delete changes nothing.
  ASSERT_TRUE(c().Delete(*KindOf("PersistentVolume"), "", "pv-1").ok());
  auto still = c().Get<api::PersistentVolume>("", "pv-1");
  EXPECT_EQ(still->metadata().resource_version(), terminating->metadata().resource_version());
  api::PersistentVolume freed = *still;
  freed.mutable_metadata()->clear_finalizers();
  ASSERT_TRUE(c().Update(freed).ok());
  EXPECT_TRUE(c().Get(*KindOf("PersistentVolume"), "", "pv-1").status().IsNotFound());
}

TEST_P(ApiTest, PodOnANodeIsDeletedGracefully) {
  auto created = c().Create(SimplePod("p", "node-1"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(c().Delete(*KindOf("Pod"), "default", "p").ok());
  auto pod = c().Get<api::Pod>("default", "p");
  ASSERT_TRUE(pod.ok());
  EXPECT_FALSE(pod->metadata().deletion_timestamp().empty());
  EXPECT_EQ(pod->metadata().deletion_grace_period_seconds(), 30);
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(c().Delete(*KindOf("Pod"), "default", "p", now).ok());
  EXPECT_TRUE(c().Get(*KindOf("Pod"), "default", "p").status().IsNotFound());
}

// deletionFinalizersForGarbageCollection: Orphan and Foreground leave the owner terminating
// with the collector's finalizer (nothing here removes it: no controllers run); a later
// delete may swap it, and Background drops it, so the object goes.
TEST_P(ApiTest, PropagationPolicyPutsTheCollectorsFinalizerOnTheOwner) {
  const api::KindInfo& pods = *KindOf("Pod");
  ASSERT_TRUE(c().Create(SimplePod("owner")).ok());
  client::DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  auto del = c().Delete(pods, "default", "owner", orphan);
  ASSERT_TRUE(del.ok()) << del.status().ToString();
  EXPECT_FALSE(api::Meta(**del).deletion_timestamp().empty());
  auto held = c().Get<api::Pod>("default", "owner");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_EQ(held->metadata().finalizers_size(), 1);
  EXPECT_EQ(held->metadata().finalizers(0), "orphan");

  client::DeleteOptions foreground;
  foreground.propagation_policy = "Foreground";
  ASSERT_TRUE(c().Delete(pods, "default", "owner", foreground).ok());
  auto swapped = c().Get<api::Pod>("default", "owner");
  ASSERT_TRUE(swapped.ok()) << swapped.status().ToString();
  ASSERT_EQ(swapped->metadata().finalizers_size(), 1);
  EXPECT_EQ(swapped->metadata().finalizers(0), "foregroundDeletion");
  EXPECT_EQ(swapped->metadata().deletion_timestamp(), held->metadata().deletion_timestamp());

  // Without a policy the finalizer an earlier deletion left stands.
  ASSERT_TRUE(c().Delete(pods, "default", "owner").ok());
  auto same = c().Get<api::Pod>("default", "owner");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->metadata().resource_version(), swapped->metadata().resource_version());

  client::DeleteOptions background;
  background.propagation_policy = "Background";
  ASSERT_TRUE(c().Delete(pods, "default", "owner", background).ok());
  EXPECT_TRUE(c().Get(pods, "default", "owner").status().IsNotFound());
}

TEST_P(ApiTest, ForegroundPodConfirmedByTheKubeletWaitsForItsFinalizer) {
  const api::KindInfo& pods = *KindOf("Pod");
  ASSERT_TRUE(c().Create(SimplePod("p", "node-1")).ok());
  client::DeleteOptions foreground;
  foreground.propagation_policy = "Foreground";
  ASSERT_TRUE(c().Delete(pods, "default", "p", foreground).ok());
  auto graceful = c().Get<api::Pod>("default", "p");
  ASSERT_TRUE(graceful.ok());
  EXPECT_EQ(graceful->metadata().deletion_grace_period_seconds(), 30);
  // The kubelet's confirmation shortens the grace period; the finalizer still holds the pod.
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(c().Delete(pods, "default", "p", now).ok());
  auto stopped = c().Get<api::Pod>("default", "p");
  ASSERT_TRUE(stopped.ok()) << stopped.status().ToString();
  EXPECT_EQ(stopped->metadata().deletion_grace_period_seconds(), 0);
  ASSERT_EQ(stopped->metadata().finalizers_size(), 1);
  // The collector's removal of the finalizer ends it.
  api::Pod done = *stopped;
  done.mutable_metadata()->clear_finalizers();
  ASSERT_TRUE(c().Update(done).ok());
  EXPECT_TRUE(c().Get(pods, "default", "p").status().IsNotFound());
}

TEST_P(ApiTest, PropagationPolicyOfAKindNothingOwnsActsAsBackground) {
  api::StorageClass sc;
  sc.mutable_metadata()->set_name("local-storage");
  sc.set_provisioner("kubernetes.io/no-provisioner");
  ASSERT_TRUE(c().Create(sc).ok());
  client::DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  ASSERT_TRUE(c().Delete(*KindOf("StorageClass"), "", "local-storage", orphan).ok());
  EXPECT_TRUE(c().Get(*KindOf("StorageClass"), "", "local-storage").status().IsNotFound());
}

TEST_P(ApiTest, UnknownPropagationPolicyIsInvalid) {
  ASSERT_TRUE(c().Create(SimplePod("p")).ok());
  client::DeleteOptions sideways;
  sideways.propagation_policy = "Sideways";
  auto del = c().Delete(*KindOf("Pod"), "default", "p", sideways);
  ASSERT_FALSE(del.ok());
  EXPECT_TRUE(del.status().IsInvalid());
  EXPECT_EQ(del.status().message(),
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: "
            "\"Sideways\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  EXPECT_TRUE(c().Get(*KindOf("Pod"), "default", "p").ok());
}

TEST_P(ApiTest, ListIsConsistentAndFiltered) {
  ASSERT_TRUE(c().Create(SimplePod("a", "node-1")).ok());
  api::Pod b = SimplePod("b", "node-2");
  (*b.mutable_metadata()->mutable_labels())["app"] = "local-test";
  ASSERT_TRUE(c().Create(b).ok());
  auto all = c().List(*KindOf("Pod"), "default");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->resource_version, std::to_string(cluster_->apiserver()->Revision()));
  auto by_node = c().List(*KindOf("Pod"), "", {"", "spec.nodeName=node-1", ""});
  ASSERT_TRUE(by_node.ok());
  ASSERT_EQ(by_node->items.size(), 1u);
  EXPECT_EQ(api::Meta(*by_node->items[0]).name(), "a");
  auto by_label = c().List(*KindOf("Pod"), "default", {"app in (local-test)", "", ""});
  ASSERT_EQ(by_label->items.size(), 1u);
  EXPECT_EQ(api::Meta(*by_label->items[0]).name(), "b");
  auto bad = c().List(*KindOf("Pod"), "default", {"", "spec.bogus=1", ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "field label not supported: spec.bogus");
  auto other_ns = c().List(*KindOf("Pod"), "kube-system");
  EXPECT_TRUE(other_ns->items.empty());
}

TEST_P(ApiTest, ListPagesShowTheFirstPagesRevision) {
  for (const char* n : {"a", "b", "c"}) ASSERT_TRUE(c().Create(SimplePod(n)).ok());
  client::ListOptions first;
  first.limit = 2;
  auto page1 = c().List(*KindOf("Pod"), "default", first);
  ASSERT_TRUE(page1.ok()) << page1.status().ToString();
  ASSERT_EQ(page1->items.size(), 2u);
  EXPECT_EQ(page1->remaining_item_count, 1);
  ASSERT_FALSE(page1->continue_token.empty());

  auto c_pod = c().Get<api::Pod>("default", "c");
  ASSERT_TRUE(c_pod.ok());
  api::Pod relabeled = *c_pod;
  (*relabeled.mutable_metadata()->mutable_labels())["changed"] = "yes";
  ASSERT_TRUE(c().Update(relabeled).ok());
  ASSERT_TRUE(c().Create(SimplePod("d")).ok());

  client::ListOptions next;
  next.limit = 2;
  next.continue_token = page1->continue_token;
  auto page2 = c().List(*KindOf("Pod"), "default", next);
  ASSERT_TRUE(page2.ok()) << page2.status().ToString();
  EXPECT_EQ(page2->resource_version, page1->resource_version);
  ASSERT_EQ(page2->items.size(), 1u);
  EXPECT_EQ(api::Meta(*page2->items[0]).name(), "c");
  EXPECT_TRUE(api::Meta(*page2->items[0]).labels().empty());
  EXPECT_EQ(api::Meta(*page2->items[0]).resource_version(), c_pod->metadata().resource_version());
  EXPECT_TRUE(page2->continue_token.empty());

  client::ListOptions bad;
  bad.continue_token = "!!";
  auto invalid = c().List(*KindOf("Pod"), "default", bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().reason(), Reason::BadRequest);
}

// Over gRPC, lists and watches without selectors send the stored bytes followed by the
// resourceVersion, apiVersion and kind (apiserver::WireObject) instead of decoding and
// encoding each object. Either way a client gets the object Get returns.
TEST_P(ApiTest, ListsAndWatchesHandOutTheObjectGetReturns) {
  api::Pod pod = SimplePod("p-1");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "web";
  ASSERT_TRUE(c().Create(pod).ok());
  auto got = c().Get<api::Pod>("default", "p-1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->kind(), "Pod");
  EXPECT_EQ(got->api_version(), "v1");
  auto same = [&](const google::protobuf::Message& m) {
    return google::protobuf::util::MessageDifferencer::Equals(m, *got);
  };
  for (const char* selector : {"", "app=web"}) {
    auto list = c().List(*KindOf("Pod"), "default", {selector, "", ""});
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->items.size(), 1u);
    EXPECT_TRUE(same(*list->items[0])) << selector << ": " << list->items[0]->ShortDebugString();
  }

  auto w = c().Watch(*KindOf("Pod"), "default", {"", "", ""});
  auto selected = c().Watch(*KindOf("Pod"), "default", {"app=web", "", ""});
  ASSERT_TRUE(w.ok() && selected.ok());
  for (auto* stream : {&*w, &*selected}) {
    client::WatchEvent ev;
    ASSERT_TRUE((*stream)->Next(&ev, std::chrono::seconds(10)));
    EXPECT_EQ(ev.type, "ADDED");
    EXPECT_TRUE(same(*ev.object)) << ev.object->ShortDebugString();
  }
  (*got->mutable_metadata()->mutable_labels())["tier"] = "1";
  ASSERT_TRUE(c().Update(*got).ok());
  got = c().Get<api::Pod>("default", "p-1");
  ASSERT_TRUE(got.ok());
  for (auto* stream : {&*w, &*selected}) {
    client::WatchEvent ev;
    ASSERT_TRUE((*stream)->Next(&ev, std::chrono::seconds(10)));
    EXPECT_EQ(ev.type, "MODIFIED");
    EXPECT_TRUE(same(*ev.object)) << ev.object->ShortDebugString();
  }
  ASSERT_TRUE(c().Delete(*KindOf("Pod"), "default", "p-1",
                         client::DeleteOptions{std::optional<int64_t>(0), "", ""}).ok());
  for (auto* stream : {&*w, &*selected}) {
    client::WatchEvent ev;
    ASSERT_TRUE((*stream)->Next(&ev, std::chrono::seconds(10)));
    EXPECT_EQ(ev.type, "DELETED");
    // The last state, at the revision of the delete.
    api::Pod last = static_cast<const api::Pod&>(*ev.object);
    EXPECT_GT(std::stoll(last.metadata().resource_version()),
              std::stoll(got->metadata().resource_version()));
    last.mutable_metadata()->set_resource_version(got->metadata().resource_version());
    EXPECT_TRUE(same(last)) << last.ShortDebugString();
  }
  (*w)->Stop();
  (*selected)->Stop();
}

TEST_P(ApiTest, WatchFromAnOldRevisionReplaysThenFollows) {
  auto first = c().CreateTyped(SimplePod("p-1"));
  ASSERT_TRUE(first.ok());
  std::string from = first->metadata().resource_version();
  ASSERT_TRUE(c().Create(SimplePod("p-2")).ok());
  api::Pod upd = *first;
  (*upd.mutable_metadata()->mutable_labels())["x"] = "y";
  ASSERT_TRUE(c().Update(upd).ok());
  auto w = c().Watch(*KindOf("Pod"), "default", {"", "", from});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(c().Delete(*KindOf("Pod"), "default", "p-2").ok());
  std::vector<std::pair<std::string, std::string>> seen;
  while (seen.size() < 3) {
    client::WatchEvent ev;
    ASSERT_TRUE((*w)->Next(&ev, std::chrono::seconds(10)));
    seen.emplace_back(ev.type, api::Meta(*ev.object).name());
  }
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::string>>{
                      {"ADDED", "p-2"}, {"MODIFIED", "p-1"}, {"DELETED", "p-2"}}));
  (*w)->Stop();
}

// Watchers of one pod (all namespaces, one namespace, its node by field selector) each get
// its creation and update. In process they share one decoded object per event, as
// Kubernetes' watch cache decodes each event once; over gRPC each stream decodes its own.
TEST_P(ApiTest, WatchersOfOneEventShareItsDecodedObject) {
  auto before = c().CreateTyped(SimplePod("p-0"));
  ASSERT_TRUE(before.ok());
  const std::string from = before->metadata().resource_version();
  std::vector<std::unique_ptr<client::WatchStream>> watches;
  for (const auto& [ns, fields] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"default", ""}, {"", "spec.nodeName=nowhere"}}) {
    auto w = c().Watch(*KindOf("Pod"), ns, {"", fields, from});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    watches.push_back(std::move(*w));
  }
  auto created = c().CreateTyped(SimplePod("p-1", "nowhere"));
  ASSERT_TRUE(created.ok());
  api::Pod labelled = *created;
  (*labelled.mutable_metadata()->mutable_labels())["x"] = "y";
  ASSERT_TRUE(c().Update(labelled).ok());
  for (const std::string type : {"ADDED", "MODIFIED"}) {
    std::vector<client::WatchEvent> got(watches.size());
    for (size_t i = 0; i < watches.size(); ++i) {
      ASSERT_TRUE(watches[i]->Next(&got[i], std::chrono::seconds(10))) << "watch " << i;
      EXPECT_EQ(got[i].type, type) << "watch " << i;
      EXPECT_EQ(api::Meta(*got[i].object).name(), "p-1") << "watch " << i;
    }
    if (GetParam() == Transport::kLocal) {
      EXPECT_EQ(got[0].object.get(), got[1].object.get()) << type;
      EXPECT_EQ(got[0].object.get(), got[2].object.get()) << type;
    }
  }
  for (auto& w : watches) w->Stop();
}

TEST_P(ApiTest, NewVolumesAndClaimsCarryProtectionFinalizers) {
  auto pv = c().CreateTyped(LocalPV("pv-1", "n"));
  ASSERT_TRUE(pv.ok());
  ASSERT_EQ(pv->metadata().finalizers_size(), 1);
  EXPECT_EQ(pv->metadata().finalizers(0), "kubernetes.io/pv-protection");
  api::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("claim");
  pvc.mutable_spec()->add_access_modes("ReadWriteOnce");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "1Gi";
  auto created = c().CreateTyped(pvc);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->metadata().namespace_(), "default");
  ASSERT_EQ(created->metadata().finalizers_size(), 1);
  EXPECT_EQ(created->metadata().finalizers(0), "kubernetes.io/pvc-protection");
  EXPECT_EQ(created->status().phase(), "Pending");
}

TEST_P(ApiTest, WatchWithSelectorSeesObjectsEnterAndLeave) {
  auto pv = c().CreateTyped(LocalPV("pv-1", "n"));
  ASSERT_TRUE(pv.ok());
  auto w = c().Watch(*KindOf("PersistentVolume"), "",
                     {"tier=fast", "", pv->metadata().resource_version()});
  ASSERT_TRUE(w.ok());
  api::PersistentVolume in = *pv;
  (*in.mutable_metadata()->mutable_labels())["tier"] = "fast";
  auto r1 = c().UpdateTyped(in);
  ASSERT_TRUE(r1.ok());
  api::PersistentVolume out = *r1;
  out.mutable_metadata()->mutable_labels()->clear();
  ASSERT_TRUE(c().Update(out).ok());
  client::WatchEvent ev;
  ASSERT_TRUE((*w)->Next(&ev, std::chrono::seconds(10)));
  EXPECT_EQ(ev.type, "ADDED");
  ASSERT_TRUE((*w)->Next(&ev, std::chrono::seconds(10)));
  EXPECT_EQ(ev.type, "DELETED");
}

// milliseconds::max() waits for as long as it takes: a filtered watch that passes over an
// event it does not match still waits for the next (its deadline once overflowed, and it
// returned as if timed out).
TEST_P(ApiTest, WatchWithMaxTimeoutWaitsPastEventsItFiltersOut) {
  auto first = c().CreateTyped(LocalPV("pv-0", "n"));
  ASSERT_TRUE(first.ok());
  auto w = c().Watch(*KindOf("PersistentVolume"), "",
                     {"tier=fast", "", first->metadata().resource_version()});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(c().Create(LocalPV("pv-1", "n")).ok());  // not selected
  api::PersistentVolume fast = LocalPV("pv-2", "n");
  (*fast.mutable_metadata()->mutable_labels())["tier"] = "fast";
  ASSERT_TRUE(c().Create(fast).ok());
  client::WatchEvent ev;
  ASSERT_TRUE((*w)->Next(&ev, std::chrono::milliseconds::max())) << (*w)->status().ToString();
  EXPECT_EQ(ev.type, "ADDED");
  ASSERT_NE(ev.object, nullptr);
  EXPECT_EQ(api::Meta(*ev.object).name(), "pv-2");
}

TEST_P(ApiTest, WatchFromCompactedRevisionIsGone) {
  cluster::Options opts;
  opts.history_limit = 5;
  Start(opts);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(c().Create(LocalPV("pv-" + std::to_string(i), "n")).ok());
  }
  auto w = c().Watch(*KindOf("PersistentVolume"), "", {"", "", "1"});
  Status st;
  if (!w.ok()) {
    st = w.status();
  } else {
    client::WatchEvent ev;
    while (!(*w)->done()) (*w)->Next(&ev, std::chrono::milliseconds(100));
    st = (*w)->status();
  }
  EXPECT_TRUE(st.IsGone()) << st.ToString();
  EXPECT_EQ(st.message().rfind("too old resource version: 1", 0), 0u) << st.message();
}

TEST_P(ApiTest, ClusterScopedObjectsRejectNamespace) {
  api::PersistentVolume pv = LocalPV("pv-1", "n");
  pv.mutable_metadata()->set_namespace_("default");
  auto r = c().Create(pv);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalid());
}

INSTANTIATE_TEST_SUITE_P(Transports, ApiTest,
                         ::testing::Values(Transport::kLocal, Transport::kGrpc),
                         [](const auto& info) {
                           return info.param == Transport::kLocal ? "InProcess" : "Grpc";
                         });

}  // namespace
}  // namespace lpv
