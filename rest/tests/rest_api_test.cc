// The REST API in process: an API-only cluster, its registries served over HTTP, and
// requests as kubectl and client libraries send them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "api/codec.h"
#include "api/scheme.h"
#include "client/client.h"
#include "client/wait.h"
#include "cluster/cluster.h"
#include "rest/kube_api.h"
#include "rest/openapi_facts.h"
#include "rest/openapi_v2.pb.h"
#include "rest/tests/http_client.h"
#include "statefulset/stateful_set.h"

namespace lpv::rest {
namespace {

using testing::Call;
using testing::LineStream;
using Json = nlohmann::ordered_json;

const char* kPv = R"({"apiVersion":"v1","kind":"PersistentVolume",
  "metadata":{"name":"NAME","labels":{"disk":"DISK"}},
  "spec":{"capacity":{"storage":"100Gi"},"accessModes":["ReadWriteOnce"],
    "persistentVolumeReclaimPolicy":"Delete","storageClassName":"local-storage",
    "local":{"path":"/mnt/disks/ssd1"},
    "nodeAffinity":{"required":{"nodeSelectorTerms":[{"matchExpressions":[
      {"key":"kubernetes.io/hostname","operator":"In","values":["node-1"]}]}]}}}})";

std::string Pv(const std::string& name, const std::string& disk = "ssd") {
  std::string s = kPv;
  s.replace(s.find("NAME"), 4, name);
  s.replace(s.find("DISK"), 4, disk);
  return s;
}

const char* kPod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
  "spec":{"containers":[{"name":"app","image":"busybox"},{"name":"side","image":"busybox"}]}})";

class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster::Options opts;
    opts.history_limit = history_limit_;
    auto c = cluster::Cluster::Start(opts);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    KubeApiOptions kopts;
    kopts.handlers.bookmark_interval = std::chrono::milliseconds(0);
    auto api = KubeApi::Start(cluster_->apiserver(), kopts);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(*api);
    url_ = api_->url();
  }
  void TearDown() override {
    if (api_) api_->Stop();
    if (cluster_) cluster_->Stop();
  }

  testing::HttpResponse Get(const std::string& target,
                            std::vector<std::pair<std::string, std::string>> h = {}) {
    return Call(url_, "GET", target, "", std::move(h));
  }

  int64_t history_limit_ = 100000;
  std::unique_ptr<cluster::Cluster> cluster_;
  std::unique_ptr<KubeApi> api_;
  std::string url_;
};

TEST_F(RestApiTest, DiscoveryListsKindsVerbsAndShortNames) {
  EXPECT_EQ(Get("/version").json()["major"], "1");
  EXPECT_EQ(Get("/api").json()["versions"], Json::array({"v1"}));
  auto groups = Get("/apis").json()["groups"];
  std::vector<std::string> names;
  for (const auto& g : groups) names.push_back(g["name"]);
  EXPECT_NE(std::find(names.begin(), names.end(), "apps"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "storage.k8s.io"), names.end());

  auto core = Get("/api/v1").json();
  EXPECT_EQ(core["groupVersion"], "v1");
  std::map<std::string, Json> by_name;
  for (const auto& r : core["resources"]) by_name[r["name"]] = r;
  EXPECT_EQ(by_name["persistentvolumes"]["shortNames"], Json::array({"pv"}));
  EXPECT_EQ(by_name["persistentvolumes"]["namespaced"], false);
  EXPECT_EQ(by_name["persistentvolumeclaims"]["shortNames"], Json::array({"pvc"}));
  EXPECT_EQ(by_name["persistentvolumeclaims"]["namespaced"], true);
  EXPECT_EQ(by_name["pods"]["shortNames"], Json::array({"po"}));
  EXPECT_EQ(by_name["nodes"]["shortNames"], Json::array({"no"}));
  EXPECT_EQ(by_name["events"]["shortNames"], Json::array({"ev"}));
  EXPECT_EQ(by_name["pods/binding"]["verbs"], Json::array({"create"}));
  EXPECT_TRUE(by_name.count("persistentvolumes/status"));
  auto verbs = by_name["persistentvolumes"]["verbs"];
  EXPECT_NE(std::find(verbs.begin(), verbs.end(), "watch"), verbs.end());

  auto apps = Get("/apis/apps/v1").json();
  EXPECT_EQ(apps["resources"][0]["name"], "statefulsets");
  EXPECT_EQ(apps["resources"][0]["shortNames"], Json::array({"sts"}));
  auto storage = Get("/apis/storage.k8s.io/v1").json();
  EXPECT_EQ(storage["resources"][0]["shortNames"], Json::array({"sc"}));
  EXPECT_EQ(Get("/apis/batch/v1").code, 404);
}

// kubectl asks for the protobuf form (gnostic's Document); other clients get JSON. Both
// hold the definitions of every kind, found by x-kubernetes-group-version-kind.
TEST_F(RestApiTest, OpenApiV2ServesTheDefinitionsAsJsonAndProtobuf) {
  auto json = Get("/openapi/v2", {{"Accept", "application/json"}});
  ASSERT_EQ(json.code, 200);
  EXPECT_EQ(json.content_type, "application/json");
  Json definitions = json.json()["definitions"];
  for (const auto& kind : api::AllKinds()) {
    std::string name = openapi::DefinitionName(kind.kind);
    ASSERT_TRUE(definitions.contains(name)) << name;
    EXPECT_EQ(definitions[name]["x-kubernetes-group-version-kind"][0]["kind"], kind.kind);
  }
  // What kubectl (client-go's discovery) sends.
  const std::pair<std::string, std::string> accept_protobuf = {
      "Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"};
  auto proto = Get("/openapi/v2", {accept_protobuf});
  ASSERT_EQ(proto.code, 200);
  EXPECT_EQ(proto.content_type, "application/octet-stream");
  ::openapi::v2::Document doc;
  ASSERT_TRUE(doc.ParseFromString(proto.body));
  EXPECT_EQ(static_cast<size_t>(doc.definitions().additional_properties_size()),
            definitions.size());
  // Served from a cache: the same bytes again.
  EXPECT_EQ(Get("/openapi/v2", {accept_protobuf}).body, proto.body);
}

TEST_F(RestApiTest, CreateGetListAndErrorsAsStatus) {
  auto created = Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-a"));
  ASSERT_EQ(created.code, 201) << created.body;
  EXPECT_EQ(created.json()["metadata"]["name"], "pv-a");
  EXPECT_FALSE(created.json()["metadata"]["uid"].get<std::string>().empty());

  auto got = Get("/api/v1/persistentvolumes/pv-a");
  ASSERT_EQ(got.code, 200);
  EXPECT_EQ(got.json()["spec"]["capacity"]["storage"], "100Gi");

  auto again = Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-a"));
  EXPECT_EQ(again.code, 409);
  EXPECT_EQ(again.json()["kind"], "Status");
  EXPECT_EQ(again.json()["reason"], "AlreadyExists");
  EXPECT_EQ(again.json()["message"], "persistentvolumes \"pv-a\" already exists");

  auto missing = Get("/api/v1/persistentvolumes/nope");
  EXPECT_EQ(missing.code, 404);
  EXPECT_EQ(missing.json()["reason"], "NotFound");
  EXPECT_EQ(missing.json()["message"], "persistentvolumes \"nope\" not found");
  EXPECT_EQ(missing.json()["details"]["name"], "nope");

  Json bad = Json::parse(Pv("pv-bad"));
  bad["spec"].erase("nodeAffinity");
  auto invalid = Call(url_, "POST", "/api/v1/persistentvolumes", bad.dump());
  EXPECT_EQ(invalid.code, 422);
  EXPECT_EQ(invalid.json()["reason"], "Invalid");
  EXPECT_EQ(invalid.json()["details"]["causes"][0]["field"], "spec.nodeAffinity");

  auto garbage = Call(url_, "POST", "/api/v1/persistentvolumes", "{not json");
  EXPECT_EQ(garbage.code, 400);
  EXPECT_EQ(garbage.json()["reason"], "BadRequest");

  EXPECT_EQ(Get("/api/v1/foos").code, 404);
}

TEST_F(RestApiTest, ListSelectorsAndPages) {
  for (const char* n : {"pv-1", "pv-2", "pv-3"}) {
    ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv(n, n == std::string("pv-2") ? "hdd" : "ssd")).code, 201);
  }
  auto all = Get("/api/v1/persistentvolumes").json();
  EXPECT_EQ(all["kind"], "PersistentVolumeList");
  EXPECT_EQ(all["items"].size(), 3u);
  EXPECT_FALSE(all["metadata"]["resourceVersion"].get<std::string>().empty());

  auto ssd = Get("/api/v1/persistentvolumes?labelSelector=disk%3Dssd").json();
  ASSERT_EQ(ssd["items"].size(), 2u);
  auto by_name = Get("/api/v1/persistentvolumes?fieldSelector=metadata.name%3Dpv-3").json();
  ASSERT_EQ(by_name["items"].size(), 1u);
  EXPECT_EQ(by_name["items"][0]["metadata"]["name"], "pv-3");
  auto bad_field = Get("/api/v1/persistentvolumes?fieldSelector=spec.foo%3Dx");
  EXPECT_EQ(bad_field.code, 400);
  EXPECT_EQ(bad_field.json()["message"], "field label not supported: spec.foo");

  auto page1 = Get("/api/v1/persistentvolumes?limit=2").json();
  ASSERT_EQ(page1["items"].size(), 2u);
  EXPECT_EQ(page1["items"][0]["metadata"]["name"], "pv-1");
  EXPECT_EQ(page1["metadata"]["remainingItemCount"], 1);
  std::string token = page1["metadata"]["continue"];
  auto page2 = Get("/api/v1/persistentvolumes?limit=2&continue=" + token).json();
  ASSERT_EQ(page2["items"].size(), 1u);
  EXPECT_EQ(page2["items"][0]["metadata"]["name"], "pv-3");
  EXPECT_FALSE(page2["metadata"].contains("continue"));
  EXPECT_EQ(Get("/api/v1/persistentvolumes?continue=%21%21").code, 400);
}

// Later pages show the state at the first page's resourceVersion, as etcd serves them.
TEST_F(RestApiTest, LaterPagesShowTheStateOfTheFirstPage) {
  for (const char* n : {"pv-1", "pv-2", "pv-3", "pv-4"}) {
    ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv(n)).code, 201);
  }
  auto page1 = Get("/api/v1/persistentvolumes?limit=2").json();
  ASSERT_EQ(page1["items"].size(), 2u);
  EXPECT_EQ(page1["items"][1]["metadata"]["name"], "pv-2");
  std::string rv = page1["metadata"]["resourceVersion"];
  std::string pv3_rv = Get("/api/v1/persistentvolumes/pv-3").json()["metadata"]["resourceVersion"];

  // After the first page: one changed, one deleted, one created, one of the first page gone.
  auto relabel = Call(url_, "PATCH", "/api/v1/persistentvolumes/pv-3",
                      R"({"metadata":{"labels":{"disk":"hdd"}}})",
                      {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(relabel.code, 200) << relabel.body;
  // Volumes carry the pv-protection finalizer: deleting marks them, finalizers removed end them.
  for (const char* n : {"pv-4", "pv-1"}) {
    std::string path = std::string("/api/v1/persistentvolumes/") + n;
    ASSERT_EQ(Call(url_, "DELETE", path).code, 200);
    ASSERT_EQ(Call(url_, "PATCH", path, R"({"metadata":{"finalizers":null}})",
                   {{"Content-Type", "application/merge-patch+json"}})
                  .code,
              200);
    ASSERT_EQ(Get(path).code, 404);
  }
  ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-5")).code, 201);

  std::string token = page1["metadata"]["continue"];
  auto page2 = Get("/api/v1/persistentvolumes?limit=2&continue=" + token).json();
  EXPECT_EQ(page2["metadata"]["resourceVersion"], rv);
  ASSERT_EQ(page2["items"].size(), 2u) << page2.dump();
  EXPECT_EQ(page2["items"][0]["metadata"]["name"], "pv-3");
  EXPECT_EQ(page2["items"][0]["metadata"]["labels"]["disk"], "ssd");
  EXPECT_EQ(page2["items"][0]["metadata"]["resourceVersion"], pv3_rv);
  EXPECT_EQ(page2["items"][1]["metadata"]["name"], "pv-4");
  EXPECT_FALSE(page2["items"][1]["metadata"].contains("deletionTimestamp"));
  EXPECT_FALSE(page2["metadata"].contains("continue")) << page2.dump();

  // A new list sees the present.
  std::vector<std::string> now;
  Json present = Get("/api/v1/persistentvolumes").json();
  for (const auto& item : present["items"]) {
    now.push_back(item["metadata"]["name"]);
  }
  EXPECT_EQ(now, (std::vector<std::string>{"pv-2", "pv-3", "pv-5"}));

  auto with_rv = Get("/api/v1/persistentvolumes?limit=2&resourceVersion=5&continue=" + token);
  EXPECT_EQ(with_rv.code, 400);
  EXPECT_EQ(with_rv.json()["message"],
            "specifying resource version is not allowed when using continue");
}

TEST_F(RestApiTest, UpdateIsOptimisticAndStatusIsASubresource) {
  auto created = Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-u")).json();
  Json obj = created;
  obj["metadata"]["labels"]["disk"] = "nvme";
  obj["status"]["phase"] = "Released";
  auto updated = Call(url_, "PUT", "/api/v1/persistentvolumes/pv-u", obj.dump());
  ASSERT_EQ(updated.code, 200) << updated.body;
  EXPECT_EQ(updated.json()["metadata"]["labels"]["disk"], "nvme");
  EXPECT_NE(updated.json()["status"]["phase"], "Released");  // status ignored on the main path

  auto stale = Call(url_, "PUT", "/api/v1/persistentvolumes/pv-u", obj.dump());
  EXPECT_EQ(stale.code, 409);
  EXPECT_EQ(stale.json()["reason"], "Conflict");

  Json status = updated.json();
  status["status"]["phase"] = "Released";
  auto st = Call(url_, "PUT", "/api/v1/persistentvolumes/pv-u/status", status.dump());
  ASSERT_EQ(st.code, 200) << st.body;
  EXPECT_EQ(st.json()["status"]["phase"], "Released");

  auto wrong_name = Call(url_, "PUT", "/api/v1/persistentvolumes/other", status.dump());
  EXPECT_EQ(wrong_name.code, 400);
}

TEST_F(RestApiTest, PatchTypes) {
  ASSERT_EQ(Call(url_, "POST", "/api/v1/namespaces/default/pods", kPod).code, 201);
  const std::string path = "/api/v1/namespaces/default/pods/web";
  auto merge = Call(url_, "PATCH", path, R"({"metadata":{"labels":{"tier":"front"}}})",
                    {{"Content-Type", "application/merge-patch+json"}});
  ASSERT_EQ(merge.code, 200) << merge.body;
  EXPECT_EQ(merge.json()["metadata"]["labels"]["tier"], "front");

  // Strategic merge: containers merge by name, so one changes and the other stays.
  auto smp = Call(url_, "PATCH", path,
                  R"({"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}})",
                  {{"Content-Type", "application/strategic-merge-patch+json"}});
  ASSERT_EQ(smp.code, 200) << smp.body;
  auto containers = smp.json()["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["image"], "busybox");
  EXPECT_EQ(containers[1]["image"], "busybox:1.36");

  // The same list in a JSON merge patch replaces the whole list (and pods' containers
  // are immutable, so that is Invalid).
  auto replace = Call(url_, "PATCH", path,
                      R"({"spec":{"containers":[{"name":"side","image":"busybox"}]}})",
                      {{"Content-Type", "application/merge-patch+json"}});
  EXPECT_EQ(replace.code, 422) << replace.body;

  auto json_patch = Call(url_, "PATCH", path,
                         R"([{"op":"add","path":"/metadata/annotations","value":{"a":"b"}}])",
                         {{"Content-Type", "application/json-patch+json"}});
  ASSERT_EQ(json_patch.code, 200) << json_patch.body;
  EXPECT_EQ(json_patch.json()["metadata"]["annotations"]["a"], "b");

  auto unknown = Call(url_, "PATCH", path, "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(unknown.code, 400);
  EXPECT_EQ(Call(url_, "PATCH", "/api/v1/namespaces/default/pods/none", "{}",
                 {{"Content-Type", "application/merge-patch+json"}})
                .code,
            404);
}

TEST_F(RestApiTest, BindingAndDeleteOptions) {
  ASSERT_EQ(Call(url_, "POST", "/api/v1/namespaces/default/pods", kPod).code, 201);
  auto bind = Call(url_, "POST", "/api/v1/namespaces/default/pods/web/binding",
                   R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"web"},
                       "target":{"apiVersion":"v1","kind":"Node","name":"node-1"}})");
  ASSERT_EQ(bind.code, 201) << bind.body;
  EXPECT_EQ(Get("/api/v1/namespaces/default/pods/web").json()["spec"]["nodeName"], "node-1");
  auto rebind = Call(url_, "POST", "/api/v1/namespaces/default/pods/web/binding",
                     R"({"metadata":{"name":"web"},"target":{"kind":"Node","name":"node-2"}})");
  EXPECT_EQ(rebind.code, 409);

  auto bad_policy = Call(url_, "DELETE", "/api/v1/namespaces/default/pods/web",
                         R"({"propagationPolicy":"Sideways"})");
  EXPECT_EQ(bad_policy.code, 422);
  // A pod on a node ends gracefully; grace 0 deletes it at once.
  auto graceful = Call(url_, "DELETE", "/api/v1/namespaces/default/pods/web",
                       R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})");
  ASSERT_EQ(graceful.code, 200) << graceful.body;
  EXPECT_FALSE(graceful.json()["metadata"]["deletionTimestamp"].is_null());
  EXPECT_EQ(Get("/api/v1/namespaces/default/pods/web").code, 200);
  auto now = Call(url_, "DELETE", "/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0");
  ASSERT_EQ(now.code, 200) << now.body;
  EXPECT_EQ(Get("/api/v1/namespaces/default/pods/web").code, 404);
}

// dryRun=All (in the query, or in the body as kubectl delete --dry-run=server sends it):
// the answer is what the delete would do, and the store is left as it was.
TEST_F(RestApiTest, ADryRunDeleteAnswersButDeletesNothing) {
  ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv("keep")).code, 201);
  const std::string rv = Get("/api/v1/persistentvolumes/keep").json()["metadata"]["resourceVersion"];
  auto query = Call(url_, "DELETE", "/api/v1/persistentvolumes/keep?dryRun=All");
  ASSERT_EQ(query.code, 200) << query.body;
  EXPECT_EQ(query.json()["metadata"]["name"], "keep");
  auto body = Call(url_, "DELETE", "/api/v1/persistentvolumes/keep",
                   R"({"kind":"DeleteOptions","apiVersion":"v1","dryRun":["All"]})");
  ASSERT_EQ(body.code, 200) << body.body;
  auto after = Get("/api/v1/persistentvolumes/keep");
  ASSERT_EQ(after.code, 200);
  EXPECT_EQ(after.json()["metadata"]["resourceVersion"], rv);
  EXPECT_TRUE(after.json()["metadata"]["deletionTimestamp"].is_null());
  // A pod on a node would only start its graceful end: not even that is written.
  ASSERT_EQ(Call(url_, "POST", "/api/v1/namespaces/default/pods", kPod).code, 201);
  ASSERT_EQ(Call(url_, "POST", "/api/v1/namespaces/default/pods/web/binding",
                 R"({"metadata":{"name":"web"},"target":{"kind":"Node","name":"node-1"}})")
                .code,
            201);
  auto pod = Call(url_, "DELETE", "/api/v1/namespaces/default/pods/web?dryRun=All");
  ASSERT_EQ(pod.code, 200) << pod.body;
  EXPECT_FALSE(pod.json()["metadata"]["deletionTimestamp"].is_null());
  EXPECT_TRUE(Get("/api/v1/namespaces/default/pods/web").json()["metadata"]["deletionTimestamp"]
                  .is_null());
}

TEST_F(RestApiTest, WatchStreamsEventsAndBookmarks) {
  auto created = Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-w")).json();
  std::string rv = created["metadata"]["resourceVersion"];
  LineStream watch(url_, "/api/v1/persistentvolumes?watch=true&allowWatchBookmarks=true"
                         "&resourceVersion=" + rv);
  ASSERT_EQ(watch.code(), 200);
  Json patch = {{"metadata", {{"labels", {{"disk", "hdd"}}}}}};
  ASSERT_EQ(Call(url_, "PATCH", "/api/v1/persistentvolumes/pv-w", patch.dump(),
                 {{"Content-Type", "application/merge-patch+json"}})
                .code,
            200);
  auto ev = watch.NextEvent();
  EXPECT_EQ(ev["type"], "MODIFIED");
  EXPECT_EQ(ev["object"]["metadata"]["labels"]["disk"], "hdd");
  std::string modified_rv = ev["object"]["metadata"]["resourceVersion"];
  // Idle with bookmarks allowed (interval 0 here): a BOOKMARK at the last event's version.
  auto bookmark = watch.NextEvent();
  EXPECT_EQ(bookmark["type"], "BOOKMARK");
  EXPECT_EQ(bookmark["object"]["metadata"]["resourceVersion"], modified_rv);
  EXPECT_EQ(bookmark["object"]["kind"], "PersistentVolume");
}

TEST_F(RestApiTest, WatchFromZeroStartsWithTheCurrentState) {
  ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-z")).code, 201);
  LineStream watch(url_, "/api/v1/persistentvolumes?watch=1&resourceVersion=0");
  auto ev = watch.NextEvent();
  EXPECT_EQ(ev["type"], "ADDED");
  EXPECT_EQ(ev["object"]["metadata"]["name"], "pv-z");
  // The pv-protection finalizer keeps the volume: deletion is a MODIFIED event that sets
  // deletionTimestamp.
  ASSERT_EQ(Call(url_, "DELETE", "/api/v1/persistentvolumes/pv-z").code, 200);
  auto marked = watch.NextEvent();
  EXPECT_EQ(marked["type"], "MODIFIED");
  EXPECT_TRUE(marked["object"]["metadata"].contains("deletionTimestamp"));
}

// A server listening beyond loopback has a bearer token; the REST API demands it too.
class RestTokenTest : public RestApiTest {
 protected:
  static constexpr const char* kToken = "0123456789abcdef0123456789abcdef";
  void SetUp() override {
    RestApiTest::SetUp();
    if (HasFatalFailure()) return;
    api_->Stop();
    KubeApiOptions kopts;
    kopts.token = kToken;
    auto api = KubeApi::Start(cluster_->apiserver(), kopts);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(*api);
    url_ = api_->url();
  }
};

TEST_F(RestTokenTest, RequestsWithoutTheBearerTokenAre401) {
  const std::string bearer = std::string("Bearer ") + kToken;
  for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {},
           {{"Authorization", "Bearer not-the-token"}},
           {{"Authorization", bearer + "x"}},
           {{"Authorization", kToken}},
       }) {
    SCOPED_TRACE(headers.empty() ? "no header" : headers[0].second);
    for (const char* path : {"/version", "/api/v1/persistentvolumes", "/api/v1"}) {
      auto r = Get(path, headers);
      ASSERT_EQ(r.code, 401) << path << ": " << r.body;
      EXPECT_EQ(nlohmann::json::parse(r.body),
                nlohmann::json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
          "status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})"))
          << r.body;
    }
    auto create = Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-refused"), headers);
    EXPECT_EQ(create.code, 401) << create.body;
  }
  // Nothing a refused request sent was written.
  EXPECT_TRUE(cluster_->client()->Get(*api::KindOf("PersistentVolume"), "", "pv-refused")
                  .status()
                  .IsNotFound());
}

TEST_F(RestTokenTest, RequestsWithTheBearerTokenAreServed) {
  std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", std::string("Bearer ") + kToken}};
  EXPECT_EQ(Get("/version", auth).code, 200);
  auto create = Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-1"), auth);
  ASSERT_EQ(create.code, 201) << create.body;
  auto list = Get("/api/v1/persistentvolumes", auth);
  ASSERT_EQ(list.code, 200) << list.body;
  EXPECT_EQ(list.json()["items"].size(), 1u);
}

TEST(KubeconfigTest, CarriesTheTokenWhenThereIsOneAndIsOwnerOnly) {
  std::string dir = (std::filesystem::temp_directory_path() / "lpv-kubeconfig-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto mode = [](const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0u;
  };
  std::string path = KubeconfigPath(dir);
  ASSERT_TRUE(WriteKubeconfig(path, "http://127.0.0.1:1234", "s3cret").ok());
  std::string with = read(path);
  EXPECT_NE(with.find("- name: lpv\n  user:\n    token: s3cret\n"), std::string::npos) << with;
  EXPECT_EQ(mode(path), 0600u);
  ASSERT_TRUE(WriteKubeconfig(path, "http://127.0.0.1:1234").ok());
  std::string without = read(path);
  EXPECT_EQ(without.find("token"), std::string::npos) << without;
  EXPECT_NE(without.find("  user: {}\n"), std::string::npos) << without;
  std::filesystem::remove_all(dir);
}

// With the StatefulSet controller, whose garbage collector (statefulset/gc.h) finishes what
// a propagation policy starts. The test plays the scheduler and the kubelet: it binds the
// pods (so their deletion is graceful) and confirms their deletion.
class RestGarbageCollectionTest : public RestApiTest {
 protected:
  static constexpr std::chrono::milliseconds kWait{10000};
  static constexpr const char* kSet = R"({"apiVersion":"apps/v1","kind":"StatefulSet",
    "metadata":{"name":"web"},"spec":{"replicas":2,"podManagementPolicy":"Parallel",
    "serviceName":"web","selector":{"matchLabels":{"app":"web"}},
    "template":{"metadata":{"labels":{"app":"web"}},
      "spec":{"containers":[{"name":"app","image":"busybox"}]}}}})";
  static constexpr const char* kSetPath = "/apis/apps/v1/namespaces/default/statefulsets/web";

  void SetUp() override {
    RestApiTest::SetUp();
    if (HasFatalFailure()) return;
    controller_ = std::make_unique<statefulset::StatefulSetController>(
        cluster_->client(), statefulset::StatefulSetController::Options{});
    controller_->Start();
    ASSERT_TRUE(controller_->WaitForCacheSync(kWait));
  }
  void TearDown() override {
    if (controller_) controller_->Stop();
    RestApiTest::TearDown();
  }

  // Creates the set and waits for its two pods, bound to node-1.
  void CreateSetWithBoundPods() {
    auto created = Call(url_, "POST", "/apis/apps/v1/namespaces/default/statefulsets", kSet);
    ASSERT_EQ(created.code, 201) << created.body;
    for (const char* pod : {"web-0", "web-1"}) {
      auto r = client::WaitForObject(*cluster_->client(), *api::KindOf("Pod"), "default", pod,
                                     nullptr, kWait);
      ASSERT_TRUE(r.ok()) << pod << ": " << r.status().ToString();
      auto bind = Call(url_, "POST", std::string("/api/v1/namespaces/default/pods/") + pod +
                                         "/binding",
                       std::string(R"({"metadata":{"name":")") + pod +
                           R"("},"target":{"kind":"Node","name":"node-1"}})");
      ASSERT_EQ(bind.code, 201) << bind.body;
    }
  }

  void WaitForTerminating(const std::string& pod) {
    auto r = client::WaitForObject(
        *cluster_->client(), *api::KindOf("Pod"), "default", pod,
        [](const google::protobuf::Message& m) {
          return !api::Meta(m).deletion_timestamp().empty();
        },
        kWait);
    ASSERT_TRUE(r.ok()) << pod << " not terminating: " << r.status().ToString();
  }

  // The kubelet's confirmation that the pod has stopped.
  void ConfirmDeletion(const std::string& pod) {
    auto del = Call(url_, "DELETE",
                    "/api/v1/namespaces/default/pods/" + pod + "?gracePeriodSeconds=0");
    ASSERT_EQ(del.code, 200) << del.body;
    Status gone = client::WaitForDeletion(*cluster_->client(), *api::KindOf("Pod"), "default",
                                          pod, kWait);
    ASSERT_TRUE(gone.ok()) << pod << ": " << gone.ToString();
  }

  std::unique_ptr<statefulset::StatefulSetController> controller_;
};

TEST_F(RestGarbageCollectionTest, ForegroundKeepsTheOwnerVisibleUntilItsPodsAreGone) {
  CreateSetWithBoundPods();
  auto del = Call(url_, "DELETE", kSetPath,
                  R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"})");
  ASSERT_EQ(del.code, 200) << del.body;
  EXPECT_TRUE(del.json()["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(del.json()["metadata"]["finalizers"], Json::array({"foregroundDeletion"}));

  WaitForTerminating("web-0");
  WaitForTerminating("web-1");
  auto owner = Get(kSetPath);
  ASSERT_EQ(owner.code, 200) << owner.body;
  EXPECT_EQ(owner.json()["metadata"]["finalizers"], Json::array({"foregroundDeletion"}));

  ConfirmDeletion("web-1");
  auto still = Get(kSetPath);
  EXPECT_EQ(still.code, 200) << "the owner went while web-0 remained: " << still.body;

  ConfirmDeletion("web-0");
  Status gone = client::WaitForDeletion(*cluster_->client(), *api::KindOf("StatefulSet"),
                                        "default", "web", kWait);
  ASSERT_TRUE(gone.ok()) << gone.ToString();
  EXPECT_EQ(Get(kSetPath).code, 404);
}

TEST_F(RestGarbageCollectionTest, OrphanLeavesThePodsWithoutTheOwnerReference) {
  CreateSetWithBoundPods();
  auto del = Call(url_, "DELETE", std::string(kSetPath) + "?propagationPolicy=Orphan");
  ASSERT_EQ(del.code, 200) << del.body;
  EXPECT_EQ(del.json()["metadata"]["finalizers"], Json::array({"orphan"}));
  Status gone = client::WaitForDeletion(*cluster_->client(), *api::KindOf("StatefulSet"),
                                        "default", "web", kWait);
  ASSERT_TRUE(gone.ok()) << gone.ToString();

  for (const char* pod : {"web-0", "web-1"}) {
    auto got = Get(std::string("/api/v1/namespaces/default/pods/") + pod);
    ASSERT_EQ(got.code, 200) << pod << ": " << got.body;
    EXPECT_FALSE(got.json()["metadata"].contains("ownerReferences")) << got.body;
    EXPECT_FALSE(got.json()["metadata"].contains("deletionTimestamp")) << got.body;
  }
}

// A store that keeps only the last few revisions, so an old resourceVersion is compacted.
class ShortHistoryTest : public RestApiTest {
 protected:
  ShortHistoryTest() { history_limit_ = 2; }
};

// handleCompactedErrorForPaging: 410 Expired, and a token that continues at the present.
TEST_F(ShortHistoryTest, ContinueFromACompactedRevisionIs410WithAFreshToken) {
  for (const char* n : {"pv-1", "pv-2", "pv-3"}) {
    ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv(n)).code, 201);
  }
  auto page1 = Get("/api/v1/persistentvolumes?limit=1").json();
  ASSERT_EQ(page1["items"].size(), 1u);
  std::string token = page1["metadata"]["continue"];
  // Enough writes that the first page's revision falls behind the kept history.
  for (const char* n : {"pv-4", "pv-5", "pv-6"}) {
    ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv(n)).code, 201);
  }
  auto expired = Get("/api/v1/persistentvolumes?limit=1&continue=" + token);
  ASSERT_EQ(expired.code, 410) << expired.body;
  Json status = expired.json();
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "Expired");
  EXPECT_EQ(status["code"], 410);
  EXPECT_EQ(status["message"],
            "The provided continue parameter is too old to display a consistent list result. "
            "You can start a new list without the continue parameter, or use the continue "
            "token in this response to retrieve the remainder of the results. Continuing with "
            "the provided token results in an inconsistent list - objects that were created, "
            "modified, or deleted between the time the first chunk was returned and now may "
            "show up in the list.");
  ASSERT_TRUE(status["metadata"].contains("continue")) << expired.body;

  // The fresh token goes on from the same key, in the present: pv-4..6 show up.
  std::vector<std::string> rest;
  std::string next = status["metadata"]["continue"];
  while (!next.empty()) {
    auto page = Get("/api/v1/persistentvolumes?limit=2&continue=" + next);
    ASSERT_EQ(page.code, 200) << page.body;
    Json j = page.json();
    for (const auto& item : j["items"]) rest.push_back(item["metadata"]["name"]);
    next = j["metadata"].value("continue", "");
  }
  EXPECT_EQ(rest, (std::vector<std::string>{"pv-2", "pv-3", "pv-4", "pv-5", "pv-6"}));
}

TEST_F(ShortHistoryTest, WatchFromACompactedVersionIs410Status) {
  for (const char* n : {"pv-o1", "pv-o2", "pv-o3", "pv-o4", "pv-o5", "pv-o6"}) {
    ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv(n)).code, 201);
  }
  LineStream watch(url_, "/api/v1/persistentvolumes?watch=true&resourceVersion=1");
  EXPECT_EQ(watch.code(), 200);
  auto ev = watch.NextEvent();
  EXPECT_EQ(ev["type"], "ERROR");
  EXPECT_EQ(ev["object"]["kind"], "Status");
  EXPECT_EQ(ev["object"]["code"], 410);
  EXPECT_EQ(ev["object"]["reason"], "Expired");
}

TEST_F(RestApiTest, ServerSideTables) {
  ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-t")).code, 201);
  const std::pair<std::string, std::string> accept = {
      "Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"};
  auto table = Get("/api/v1/persistentvolumes", {accept}).json();
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  std::vector<std::string> columns;
  for (const auto& c : table["columnDefinitions"]) columns.push_back(c["name"]);
  EXPECT_EQ(columns, (std::vector<std::string>{"Name", "Capacity", "Access Modes",
                                               "Reclaim Policy", "Status", "Claim",
                                               "StorageClass", "Reason", "Age", "VolumeMode"}));
  EXPECT_EQ(table["columnDefinitions"][9]["priority"], 1);  // wide only
  ASSERT_EQ(table["rows"].size(), 1u);
  auto cells = table["rows"][0]["cells"];
  EXPECT_EQ(cells[0], "pv-t");
  EXPECT_EQ(cells[1], "100Gi");
  EXPECT_EQ(cells[2], "RWO");
  EXPECT_EQ(cells[3], "Delete");
  EXPECT_EQ(cells[6], "local-storage");
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(table["rows"][0]["object"]["metadata"]["name"], "pv-t");

  auto one = Get("/api/v1/persistentvolumes/pv-t", {accept}).json();
  EXPECT_EQ(one["kind"], "Table");
  EXPECT_EQ(one["rows"][0]["cells"][0], "pv-t");
}

// The gRPC service and the REST API serve the same registries: one object read both ways
// is the same Kubernetes JSON.
TEST_F(RestApiTest, GrpcAndRestAgree) {
  ASSERT_EQ(Call(url_, "POST", "/api/v1/persistentvolumes", Pv("pv-g")).code, 201);
  ASSERT_EQ(Call(url_, "POST", "/api/v1/namespaces/default/pods", kPod).code, 201);
  auto grpc = client::NewGrpcClient(cluster_->address());
  const auto* pv_kind = api::KindOf("PersistentVolume");
  auto via_grpc = grpc->Get(*pv_kind, "", "pv-g");
  ASSERT_TRUE(via_grpc.ok()) << via_grpc.status().ToString();
  EXPECT_EQ(Get("/api/v1/persistentvolumes/pv-g").json(), api::ToJson(**via_grpc));
  auto pod = grpc->Get(*api::KindOf("Pod"), "default", "web");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(Get("/api/v1/namespaces/default/pods/web").json(), api::ToJson(**pod));
}

}  // namespace
}  // namespace lpv::rest
