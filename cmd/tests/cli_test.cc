// The real `lpv` binary against a real server process on an ephemeral port.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <future>

#include "e2e/lpv_process.h"

namespace lpv {
namespace {

using testing::CommandResult;
using testing::ServerProcess;

std::string Example(const std::string& name) {
  return std::string(LPV_SOURCE_DIR) + "/examples/" + name;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    server_ = std::make_unique<ServerProcess>(LPV_BINARY, dir_, std::vector<std::string>{"--unsafe-no-fsync", "--api-only"});
    server_->Start();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  CommandResult Lpv(std::vector<std::string> args, const std::string& input = "") {
    return server_->Lpv(std::move(args), input);
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  int CountPVs() {
    auto r = Lpv({"get", "pv", "-o", "json"});
    return static_cast<int>(nlohmann::json::parse(r.out)["items"].size());
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(CliTest, ApplyTheArticlesManifestsThenReapplyChangesNothing) {
  auto r = Lpv({"apply", "-f", Example("storageclass.yaml"), "-f", Example("pv.yaml"), "-f",
                Example("statefulset.yaml")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "storageclass.storage.k8s.io/local-storage created\n"
            "persistentvolume/example-pv created\n"
            "statefulset.apps/local-test created\n");
  auto again = Lpv({"apply", "-f", std::string(LPV_SOURCE_DIR) + "/examples"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out,
            "persistentvolume/example-pv unchanged\n"
            "statefulset.apps/local-test unchanged\n"
            "storageclass.storage.k8s.io/local-storage unchanged\n");
}

TEST_F(CliTest, ApplyAChangedManifestConfiguresIt) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("statefulset.yaml")}).exit_code, 0);
  std::ifstream in(Example("statefulset.yaml"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("replicas: 3"), 11, "replicas: 5");
  auto r = Lpv({"apply", "-f", "-"}, text);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "statefulset.apps/local-test configured\n");
  auto got = Lpv({"get", "sts", "local-test", "-o", "json"});
  EXPECT_EQ(nlohmann::json::parse(got.out)["spec"]["replicas"], 5);
}

TEST_F(CliTest, GetPrintsKubectlsColumns) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("pv.yaml")}).exit_code, 0);
  auto r = Lpv({"get", "pv"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            "NAME         CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS    CLAIM   "
            "STORAGECLASS    REASON   AGE");
  EXPECT_NE(r.out.find("example-pv   100Gi      RWO            Delete           Pending"),
            std::string::npos)
      << r.out;
  auto wide = Lpv({"get", "persistentvolumes", "-o", "wide"});
  EXPECT_NE(wide.out.find("VOLUMEMODE"), std::string::npos) << wide.out;
}

TEST_F(CliTest, GetJsonIsKubernetesJson) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("storageclass.yaml")}).exit_code, 0);
  auto one = nlohmann::json::parse(Lpv({"get", "sc", "local-storage", "-o", "json"}).out);
  EXPECT_EQ(one["apiVersion"], "storage.k8s.io/v1");
  EXPECT_EQ(one["kind"], "StorageClass");
  EXPECT_EQ(one["volumeBindingMode"], "WaitForFirstConsumer");
  EXPECT_EQ(one["reclaimPolicy"], "Delete");
  auto list = nlohmann::json::parse(Lpv({"get", "storageclasses", "-o", "json"}).out);
  EXPECT_EQ(list["kind"], "List");
  ASSERT_EQ(list["items"].size(), 1u);
  auto yaml = Lpv({"get", "sc", "local-storage", "-o", "yaml"}).out;
  EXPECT_NE(yaml.find("\nvolumeBindingMode: WaitForFirstConsumer\n"), std::string::npos) << yaml;
  EXPECT_EQ(Lpv({"get", "sc", "-o", "name"}).out, "storageclass.storage.k8s.io/local-storage\n");
}

TEST_F(CliTest, ErrorsReadAsKubectlsAndExitNonZero) {
  auto missing = Lpv({"get", "pv", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "Error from server (NotFound): persistentvolumes \"nope\" not found\n");
  auto kind = Lpv({"get", "widgets"});
  EXPECT_EQ(kind.exit_code, 1);
  EXPECT_EQ(kind.err, "error: the server doesn't have a resource type \"widgets\"\n");
  auto del = Lpv({"delete", "pvc", "nope"});
  EXPECT_EQ(del.exit_code, 1);
  EXPECT_EQ(del.err,
            "Error from server (NotFound): persistentvolumeclaims \"nope\" not found\n");
  auto empty = Lpv({"get", "pods"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.err, "No resources found in default namespace.\n");
}

TEST_F(CliTest, AnInvalidLocalVolumeIsRejectedAndNothingChanges) {
  std::string path = WriteFile("manual-pv.yaml",
                               "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n"
                               "  name: manual-pv\nspec:\n  capacity:\n    storage: 100Gi\n"
                               "  accessModes: [ReadWriteOnce]\n  storageClassName: local-storage\n"
                               "  local:\n    path: /mnt/disks/ssd1\n");
  auto r = Lpv({"apply", "-f", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "The PersistentVolume \"manual-pv\" is invalid: spec.nodeAffinity: Required value: "
            "Local volume requires node affinity\n");
  EXPECT_EQ(CountPVs(), 0);
}

TEST_F(CliTest, AMalformedFileNamesTheFileAndChangesNothing) {
  std::string good = WriteFile("a-good.yaml", "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n");
  std::string bad = WriteFile("b-bad.yaml", "apiVersion: v1\nkind: Node\nmetadata:\n  name: [n2\n");
  auto r = Lpv({"apply", "-f", good, "-f", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("error: error parsing " + bad + ": error converting YAML to JSON: yaml: line"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Lpv({"get", "nodes"}).err, "No resources found\n");
  auto wrong_type = Lpv({"apply", "-f", "-"},
                        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: x}\n"
                        "spec: {capacity: 5}\n");
  EXPECT_EQ(wrong_type.exit_code, 1);
  EXPECT_EQ(wrong_type.err,
            "error: error decoding \"STDIN\": PersistentVolume in version \"v1\" cannot be handled "
            "as a PersistentVolume: json: cannot unmarshal number into Go struct field "
            "PersistentVolumeSpec.spec.capacity of type map[string]string\n");
  auto no_file = Lpv({"apply", "-f", dir_ + "/missing.yaml"});
  EXPECT_EQ(no_file.exit_code, 1);
  EXPECT_EQ(no_file.err, "error: the path \"" + dir_ + "/missing.yaml\" does not exist\n");
  EXPECT_EQ(CountPVs(), 0);
}

TEST_F(CliTest, UnknownFieldsWarnButApply) {
  auto r = Lpv({"apply", "-f", "-"},
               "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\n"
               "provisioner: kubernetes.io/no-provisioner\nfancy: true\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "Warning: unknown field \"fancy\" in STDIN\n");
  EXPECT_EQ(r.out, "storageclass.storage.k8s.io/s created\n");
}

TEST_F(CliTest, DescribePersistentVolumeShowsNodeAffinityAndSource) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("pv.yaml")}).exit_code, 0);
  auto r = Lpv({"describe", "pv", "example-pv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Name:              example-pv\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    Term 0:        kubernetes.io/hostname in [example-node]\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("    Path:  /mnt/disks/ssd1\n"), std::string::npos) << r.out;
}

TEST_F(CliTest, DeleteWaitsForFinalizersUnlessToldNotTo) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("pv.yaml"), "-f", Example("storageclass.yaml")}).exit_code, 0);
  auto sc = Lpv({"delete", "sc", "local-storage"});
  EXPECT_EQ(sc.exit_code, 0) << sc.err;
  EXPECT_EQ(sc.out, "storageclass.storage.k8s.io \"local-storage\" deleted\n");
  auto pv = Lpv({"delete", "pv", "example-pv", "--wait=false"});
  EXPECT_EQ(pv.out, "persistentvolume \"example-pv\" deleted\n");
  auto get = Lpv({"get", "pv", "example-pv"});
  EXPECT_NE(get.out.find("Terminating"), std::string::npos) << get.out;
  auto timeout = Lpv({"delete", "pv", "example-pv", "--timeout", "1"});
  EXPECT_EQ(timeout.exit_code, 1);
  EXPECT_EQ(timeout.err,
            "error: timed out waiting for the condition on persistentvolumes/example-pv\n");
}

// kubectl's --cascade. The API-only server runs no garbage collector, so the set stays with
// the finalizer its propagation policy asked for.
TEST_F(CliTest, DeleteCascadeChoosesThePropagationPolicy) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("statefulset.yaml")}).exit_code, 0);
  auto bad = Lpv({"delete", "sts", "local-test", "--cascade=sideways"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err,
            "error: invalid cascade value (sideways). Must be \"background\", \"foreground\", "
            "or \"orphan\"\n");

  auto orphan = Lpv({"delete", "sts", "local-test", "--cascade=false", "--wait=false"});
  EXPECT_EQ(orphan.exit_code, 0) << orphan.err;
  EXPECT_EQ(orphan.err,
            "warning: --cascade=false is deprecated (boolean value) and can be replaced with "
            "--cascade=orphan.\n");
  EXPECT_EQ(orphan.out, "statefulset.apps \"local-test\" deleted\n");
  auto held = nlohmann::json::parse(Lpv({"get", "sts", "local-test", "-o", "json"}).out);
  EXPECT_EQ(held["metadata"]["finalizers"], nlohmann::json::array({"orphan"}));

  auto foreground = Lpv({"delete", "sts", "local-test", "--cascade=foreground", "--wait=false"});
  EXPECT_EQ(foreground.exit_code, 0) << foreground.err;
  EXPECT_EQ(foreground.err, "");
  auto swapped = nlohmann::json::parse(Lpv({"get", "sts", "local-test", "-o", "json"}).out);
  EXPECT_EQ(swapped["metadata"]["finalizers"], nlohmann::json::array({"foregroundDeletion"}));

  // Background drops the collector's finalizer: the set goes.
  auto background = Lpv({"delete", "sts", "local-test", "--cascade=background"});
  EXPECT_EQ(background.exit_code, 0) << background.err;
  EXPECT_EQ(Lpv({"get", "sts", "local-test"}).exit_code, 1);
}

TEST_F(CliTest, EventsListsEventsOldestFirst) {
  auto r = Lpv({"apply", "-f", "-"},
               "apiVersion: v1\nkind: Event\nmetadata: {name: e1, namespace: default}\n"
               "involvedObject: {kind: PersistentVolumeClaim, name: local-vol-local-test-0, "
               "namespace: default}\nreason: WaitForFirstConsumer\nmessage: waiting for first "
               "consumer to be created before binding\ntype: Normal\ncount: 1\n"
               "source: {component: persistentvolume-controller}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ev = Lpv({"events"});
  EXPECT_EQ(ev.exit_code, 0) << ev.err;
  EXPECT_NE(ev.out.find("REASON"), std::string::npos) << ev.out;
  EXPECT_NE(ev.out.find("persistentvolumeclaim/local-vol-local-test-0"), std::string::npos)
      << ev.out;
  EXPECT_NE(ev.out.find("waiting for first consumer to be created before binding"),
            std::string::npos);
}

TEST_F(CliTest, GetWatchSeesAnUpdate) {
  ASSERT_EQ(Lpv({"apply", "-f", Example("storageclass.yaml")}).exit_code, 0);
  auto watch = std::async(std::launch::async, [&] {
    return Lpv({"get", "sc", "-w", "--watch-events", "1", "-o", "name"});
  });
  // Each label change is a new event; keep changing until the watcher has seen one.
  for (int i = 0; i < 200; ++i) {
    if (watch.wait_for(std::chrono::milliseconds(50)) == std::future_status::ready) break;
    Lpv({"apply", "-f", "-"},
        "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: local-storage\n"
        "  labels: {round: \"" + std::to_string(i) + "\"}\nprovisioner: kubernetes.io/no-provisioner\n"
        "volumeBindingMode: WaitForFirstConsumer\n");
  }
  auto r = watch.get();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The initial listing, then the update.
  EXPECT_EQ(r.out,
            "storageclass.storage.k8s.io/local-storage\nstorageclass.storage.k8s.io/local-storage\n");
}

// Benchmark figures name the allocator they were measured with: jemalloc when lpv is linked
// with it (LPV_JEMALLOC, not in sanitizer builds), else glibc's malloc.
TEST(BenchTest, TheHeaderNamesTheAllocator) {
  auto r = testing::RunCommand(LPV_BINARY, {"bench", "B3", "--tiny"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = LPV_LINKS_JEMALLOC ? " malloc=jemalloc-" : " malloc=glibc\n";
  EXPECT_NE(r.out.find("lpv bench B3: cores="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
}

TEST_F(CliTest, NoServerIsAClearError) {
  auto r = testing::RunCommand(LPV_BINARY, {"--server", "127.0.0.1:1", "get", "pv"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "The connection to the server 127.0.0.1:1 was refused - did you specify the right "
            "host or port?\n");
}

}  // namespace
}  // namespace lpv
