// Debian's kubectl (v1.20, package kubernetes-client) against a real `lpv server`, through
// the kubeconfig the server writes: get (tables, wide, json, yaml), describe, apply twice,
// delete, get -w, api-resources, explain and client-side validation (from /openapi/v2), and
// the article's walkthrough with kubectl alone.
//
// The kubectl binary is LPV_KUBECTL (env) or the one scripts/fetch-kubectl.sh unpacked
// into the build tree (the ctest fixture rest_fetch_kubectl runs it).
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "e2e/lpv_process.h"

namespace lpv::rest {
namespace {

using lpv::testing::CommandResult;
using lpv::testing::MakeTempDir;
using lpv::testing::RunCommand;
using lpv::testing::ServerProcess;

std::string KubectlPath() {
  const char* env = std::getenv("LPV_KUBECTL");
  return env && *env ? env : LPV_KUBECTL;
}

std::string Source(const std::string& rel) { return std::string(LPV_SOURCE_DIR) + "/" + rel; }

// kubectl's output as a process that runs until killed (get -w): lines as they come.
class KubectlStream {
 public:
  KubectlStream(const std::string& kubectl, const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds)) throw std::runtime_error("pipe");
    // Built before fork: the child may only make async-signal-safe calls until exec.
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kubectl.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      execv(kubectl.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
  }
  ~KubectlStream() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    close(fd_);
  }
  // Reads lines until one contains `text`; returns it ("" if the output ended first).
  std::string WaitForLine(const std::string& text) {
    for (;;) {
      std::string line;
      char c;
      bool eof = true;
      while (read(fd_, &c, 1) == 1) {
        eof = false;
        if (c == '\n') break;
        line += c;
      }
      seen_ += line + "\n";
      if (line.find(text) != std::string::npos) return line;
      if (eof) return "";
    }
  }
  const std::string& seen() const { return seen_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string seen_;
};

class KubectlTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> extra) {
    kubectl_ = KubectlPath();
    ASSERT_EQ(access(kubectl_.c_str(), X_OK), 0)
        << kubectl_ << " is missing: run scripts/fetch-kubectl.sh";
    data_dir_ = MakeTempDir("lpv-kubectl-");
    server_ = std::make_unique<ServerProcess>(LPV_BINARY, data_dir_, std::move(extra));
    server_->Start();
    std::string line = server_->NextLine();
    ASSERT_NE(line.find("lpv Kubernetes API on http://127.0.0.1:"), std::string::npos) << line;
    auto path = server_->Lpv({"--data-dir", data_dir_, "kubeconfig"});
    ASSERT_EQ(path.exit_code, 0) << path.err;
    kubeconfig_ = path.out.substr(0, path.out.find('\n'));
    ASSERT_NE(line.find(kubeconfig_), std::string::npos);
    cache_dir_ = MakeTempDir("lpv-kubectl-cache-");
  }
  void TearDown() override {
    if (server_) server_->Kill(SIGTERM);
    std::error_code ec;
    if (!data_dir_.empty()) std::filesystem::remove_all(data_dir_, ec);
    if (!cache_dir_.empty()) std::filesystem::remove_all(cache_dir_, ec);
  }

  std::vector<std::string> Args(std::vector<std::string> args) const {
    std::vector<std::string> full = {"--kubeconfig", kubeconfig_, "--cache-dir", cache_dir_};
    full.insert(full.end(), args.begin(), args.end());
    return full;
  }
  CommandResult Kubectl(std::vector<std::string> args, const std::string& input = "") const {
    return RunCommand(kubectl_, Args(std::move(args)), input);
  }
  // Runs and expects success.
  std::string Ok(std::vector<std::string> args, const std::string& input = "") const {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    auto r = Kubectl(std::move(args), input);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << shown << "\n" << r.out << r.err;
    return r.out;
  }

  std::string kubectl_, data_dir_, kubeconfig_, cache_dir_;
  std::unique_ptr<ServerProcess> server_;
};

// Collapses runs of spaces so table rows compare without their padding.
std::string Squeeze(const std::string& s) { return std::regex_replace(s, std::regex(" +"), " "); }

TEST_F(KubectlTest, GetTablesWideJsonYaml) {
  StartServer({"--api-only"});
  Ok({"apply", "-f", Source("examples/storageclass.yaml")});
  Ok({"apply", "-f", Source("examples/pv.yaml")});

  std::string table = Ok({"get", "pv"});
  EXPECT_EQ(Squeeze(table.substr(0, table.find('\n'))),
            "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS REASON AGE");
  // --api-only: no PV controller, so the phase stays Pending.
  EXPECT_NE(Squeeze(table).find("example-pv 100Gi RWO Delete Pending local-storage"),
            std::string::npos)
      << table;
  std::string wide = Ok({"get", "pv", "-o", "wide"});
  EXPECT_NE(wide.find("VOLUMEMODE"), std::string::npos) << wide;
  EXPECT_NE(wide.find("Filesystem"), std::string::npos) << wide;
  std::string sc = Ok({"get", "sc"});
  EXPECT_NE(Squeeze(sc).find("local-storage kubernetes.io/no-provisioner Delete "
                             "WaitForFirstConsumer false"),
            std::string::npos)
      << sc;

  auto json = nlohmann::json::parse(Ok({"get", "pv", "example-pv", "-o", "json"}));
  EXPECT_EQ(json["kind"], "PersistentVolume");
  EXPECT_EQ(json["spec"]["local"]["path"], "/mnt/disks/ssd1");
  auto list = nlohmann::json::parse(Ok({"get", "pv", "-o", "json"}));
  EXPECT_EQ(list["kind"], "List");
  ASSERT_EQ(list["items"].size(), 1u);
  std::string yaml = Ok({"get", "pv", "example-pv", "-o", "yaml"});
  EXPECT_NE(yaml.find("  name: example-pv\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("storageClassName: local-storage"), std::string::npos) << yaml;

  auto missing = Kubectl({"get", "pv", "nope"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(missing.err, "Error from server (NotFound): persistentvolumes \"nope\" not found\n");
}

TEST_F(KubectlTest, ApplyTwiceThenUnchangedAndDelete) {
  // With controllers: the PV protection controller lets an unbound volume go, so delete
  // (which waits) returns.
  StartServer({});
  std::string first = Ok({"apply", "-f", Source("examples/")});
  EXPECT_NE(first.find("persistentvolume/example-pv created"), std::string::npos) << first;
  EXPECT_NE(first.find("statefulset.apps/local-test created"), std::string::npos) << first;
  EXPECT_NE(first.find("storageclass.storage.k8s.io/local-storage created"), std::string::npos)
      << first;
  std::string second = Ok({"apply", "-f", Source("examples/")});
  // The StatefulSet reads "configured" on a real cluster too (kubernetes/kubernetes#66450):
  // its volumeClaimTemplates are an atomic list the server defaults (volumeMode, status),
  // so kubectl's three-way patch resends it. The patch changes nothing: same generation.
  EXPECT_EQ(second,
            "persistentvolume/example-pv unchanged\n"
            "statefulset.apps/local-test configured\n"
            "storageclass.storage.k8s.io/local-storage unchanged\n");
  EXPECT_EQ(Ok({"get", "sts", "local-test", "-o", "jsonpath={.metadata.generation}"}), "1");
  std::string deleted = Ok({"delete", "pv", "example-pv"});
  EXPECT_EQ(deleted, "persistentvolume \"example-pv\" deleted\n");
  auto gone = Kubectl({"get", "pv", "example-pv"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos);
}

TEST_F(KubectlTest, ApplyAChangeIsConfigured) {
  StartServer({"--api-only"});
  Ok({"apply", "-f", Source("examples/pv.yaml")});
  std::ifstream in(Source("examples/pv.yaml"));
  std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  manifest = std::regex_replace(manifest, std::regex("Delete"), "Retain");
  std::string out = Ok({"apply", "-f", "-"}, manifest);
  EXPECT_EQ(out, "persistentvolume/example-pv configured\n");
  auto json = nlohmann::json::parse(Ok({"get", "pv", "example-pv", "-o", "json"}));
  EXPECT_EQ(json["spec"]["persistentVolumeReclaimPolicy"], "Retain");
}

TEST_F(KubectlTest, DescribePv) {
  StartServer({"--api-only"});
  Ok({"apply", "-f", Source("examples/pv.yaml")});
  std::string out = Ok({"describe", "pv", "example-pv"});
  EXPECT_NE(out.find("Name:"), std::string::npos) << out;
  EXPECT_NE(Squeeze(out).find("StorageClass: local-storage"), std::string::npos) << out;
  EXPECT_NE(Squeeze(out).find("Term 0: kubernetes.io/hostname in [example-node]"),
            std::string::npos)
      << out;
  EXPECT_NE(Squeeze(out).find("Path: /mnt/disks/ssd1"), std::string::npos) << out;
}

TEST_F(KubectlTest, GetWatchSeesAnUpdate) {
  StartServer({"--api-only"});
  Ok({"apply", "-f", Source("examples/pv.yaml")});
  KubectlStream watch(kubectl_, Args({"get", "pv", "-w"}));
  ASSERT_NE(watch.WaitForLine("example-pv").find("Delete"), std::string::npos) << watch.seen();
  Ok({"patch", "pv", "example-pv", "-p", R"({"spec":{"persistentVolumeReclaimPolicy":"Retain"}})"});
  std::string line = watch.WaitForLine("Retain");
  EXPECT_NE(line.find("example-pv"), std::string::npos) << watch.seen();
}

TEST_F(KubectlTest, ApiResources) {
  StartServer({"--api-only"});
  std::string out = Squeeze(Ok({"api-resources"}));
  EXPECT_NE(out.find("persistentvolumes pv v1 false PersistentVolume"), std::string::npos) << out;
  EXPECT_NE(out.find("persistentvolumeclaims pvc v1 true PersistentVolumeClaim"),
            std::string::npos);
  EXPECT_NE(out.find("statefulsets sts apps/v1 true StatefulSet"), std::string::npos);
  EXPECT_NE(out.find("storageclasses sc storage.k8s.io/v1 false StorageClass"),
            std::string::npos);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// `kubectl explain` reads the definitions lpv serves at /openapi/v2.
TEST_F(KubectlTest, ExplainReadsTheServedSchema) {
  StartServer({"--api-only"});
  std::string pv = Ok({"explain", "pv"});
  EXPECT_EQ(pv.substr(0, pv.find("\n\n")), "KIND:     PersistentVolume\nVERSION:  v1") << pv;
  EXPECT_NE(pv.find("DESCRIPTION:\n     A piece of storage"), std::string::npos) << pv;
  EXPECT_NE(pv.find("   apiVersion\t<string>\n"), std::string::npos) << pv;
  EXPECT_NE(pv.find("   spec\t<Object>\n"), std::string::npos) << pv;

  std::string affinity = Ok({"explain", "pv.spec.nodeAffinity"});
  EXPECT_NE(affinity.find("RESOURCE: nodeAffinity <Object>\n"), std::string::npos) << affinity;
  EXPECT_NE(affinity.find("   required\t<Object>\n"), std::string::npos) << affinity;

  std::string templates = Ok({"explain", "statefulset.spec.volumeClaimTemplates"});
  EXPECT_EQ(templates.substr(0, templates.find("\n\n")), "KIND:     StatefulSet\nVERSION:  apps/v1")
      << templates;
  EXPECT_NE(templates.find("RESOURCE: volumeClaimTemplates <[]Object>\n"), std::string::npos)
      << templates;
  EXPECT_NE(templates.find("   spec\t<Object>\n"), std::string::npos) << templates;

  // Every field, indented under its parent.
  std::string pvc = Ok({"explain", "pvc", "--recursive"});
  EXPECT_EQ(pvc.substr(0, pvc.find("\n\n")), "KIND:     PersistentVolumeClaim\nVERSION:  v1")
      << pvc;
  for (const char* line :
       {"   spec\t<Object>\n", "      accessModes\t<[]string>\n",
        "         matchExpressions\t<[]Object>\n", "         requests\t<map[string]string>\n",
        "      storageClassName\t<string>\n", "      labels\t<map[string]string>\n"}) {
    EXPECT_NE(pvc.find(line), std::string::npos) << line << pvc;
  }

  auto unknown = Kubectl({"explain", "pv.spec.foo"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_EQ(unknown.err, "error: field \"foo\" does not exist\n");
}

// With the schema, kubectl validates manifests before sending them, as against a real
// cluster: an unknown field or a wrong type is an error and nothing is created;
// --validate=false sends it anyway, and lpv's server drops the field it does not know.
TEST_F(KubectlTest, ApplyValidatesManifestsAgainstTheSchema) {
  StartServer({"--api-only"});
  std::string pv = ReadFile(Source("examples/pv.yaml"));
  std::string bad = std::regex_replace(pv, std::regex("\nspec:\n"), "\nspec:\n  foo: bar\n");
  auto rejected = Kubectl({"apply", "-f", "-"}, bad);
  EXPECT_NE(rejected.exit_code, 0);
  EXPECT_EQ(rejected.err,
            "error: error validating \"STDIN\": error validating data: "
            "ValidationError(PersistentVolume.spec): unknown field \"foo\" in "
            "io.k8s.api.core.v1.PersistentVolumeSpec; if you choose to ignore these errors, turn "
            "validation off with --validate=false\n");
  EXPECT_NE(Kubectl({"get", "pv", "example-pv"}).exit_code, 0);

  std::string sts = std::regex_replace(ReadFile(Source("examples/statefulset.yaml")),
                                       std::regex("replicas: 3"), "replicas: three");
  auto wrong_type = Kubectl({"apply", "-f", "-"}, sts);
  EXPECT_NE(wrong_type.exit_code, 0);
  EXPECT_NE(wrong_type.err.find("ValidationError(StatefulSet.spec.replicas): invalid type for "
                                "io.k8s.api.apps.v1.StatefulSetSpec.replicas: got \"string\", "
                                "expected \"integer\""),
            std::string::npos)
      << wrong_type.err;

  EXPECT_EQ(Ok({"apply", "--validate=false", "-f", "-"}, bad),
            "persistentvolume/example-pv created\n");
  auto json = nlohmann::json::parse(Ok({"get", "pv", "example-pv", "-o", "json"}));
  EXPECT_FALSE(json["spec"].contains("foo"));
  EXPECT_EQ(json["spec"]["local"]["path"], "/mnt/disks/ssd1");
}

// A manifest from a real cluster passes validation: fields lpv does not model (probes,
// security contexts, pull secrets, spread constraints) are in the schema, open inside, and
// quantities may be numbers. Applying it again computes its patch from the schema quietly.
TEST_F(KubectlTest, ManifestsFromARealClusterPassValidation) {
  StartServer({"--api-only"});
  const char* pod = R"(apiVersion: v1
kind: Pod
metadata:
  name: real
spec:
  securityContext:
    runAsUser: 1000
    seLinuxOptions: {level: "s0"}
  imagePullSecrets:
  - name: regcred
  hostNetwork: false
  topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: zone
    whenUnsatisfiable: DoNotSchedule
    labelSelector: {matchLabels: {app: real}}
  containers:
  - name: app
    image: busybox
    ports:
    - {containerPort: 80, hostPort: 8080}
    livenessProbe:
      httpGet: {path: /, port: 80}
    resources:
      requests: {cpu: 100m, memory: 1}
    env:
    - name: A
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    volumeMounts:
    - {name: data, mountPath: /data}
  volumes:
  - name: data
    emptyDir: {sizeLimit: 1}
)";
  EXPECT_EQ(Ok({"apply", "-f", "-"}, pod), "pod/real created\n");
  std::string changed = std::regex_replace(pod, std::regex("runAsUser: 1000"), "runAsUser: 1001");
  auto again = Kubectl({"apply", "-f", "-"}, changed);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "");  // no "error calculating patch from openapi spec"
  std::string pv = std::regex_replace(ReadFile(Source("examples/pv.yaml")),
                                      std::regex("storage: 100Gi"), "storage: 5");
  EXPECT_EQ(Ok({"apply", "-f", "-"}, pv), "persistentvolume/example-pv created\n");
}

// The article with kubectl alone: the class, the provisioner's PVs, a hand-made PV, the
// StatefulSet whose pods land where their claims' volumes are.
TEST_F(KubectlTest, ArticleWalkthrough) {
  StartServer({});
  Ok({"apply", "-f", Source("examples/storageclass.yaml")});
  // The local static provisioner has discovered one disk per node.
  std::string pvs = Ok({"get", "pv"});
  EXPECT_EQ(std::count(pvs.begin(), pvs.end(), '\n'), 4) << pvs;
  EXPECT_NE(Squeeze(pvs).find("368Gi RWO Delete Available local-storage"), std::string::npos)
      << pvs;
  std::string first_pv = pvs.substr(pvs.find('\n') + 1);
  first_pv = first_pv.substr(0, first_pv.find(' '));
  std::string describe = Ok({"describe", "pv", first_pv});
  EXPECT_NE(describe.find("LocalVolume"), std::string::npos) << describe;
  EXPECT_NE(Squeeze(describe).find("Term 0: kubernetes.io/hostname in [node-"), std::string::npos)
      << describe;
  Ok({"apply", "-f", Source("examples/pv.yaml")});
  Ok({"apply", "-f", Source("examples/statefulset.yaml")});
  // Follow the claims until all three are Bound.
  {
    KubectlStream watch(kubectl_, Args({"get", "pvc", "-w", "--no-headers"}));
    std::set<std::string> bound;
    while (bound.size() < 3) {
      std::string line = watch.WaitForLine("Bound");
      ASSERT_FALSE(line.empty()) << watch.seen();
      bound.insert(line.substr(0, line.find(' ')));
    }
  }
  Ok({"wait", "--for=condition=Ready", "pod/local-test-0", "pod/local-test-1", "pod/local-test-2",
      "--timeout=120s"});
  auto pods = nlohmann::json::parse(Ok({"get", "pods", "-o", "json"}));
  ASSERT_EQ(pods["items"].size(), 3u);
  auto claims = nlohmann::json::parse(Ok({"get", "pvc", "-o", "json"}));
  auto volumes = nlohmann::json::parse(Ok({"get", "pv", "-o", "json"}));
  for (const auto& pod : pods["items"]) {
    std::string node = pod["spec"]["nodeName"];
    std::string claim = "local-vol-" + pod["metadata"]["name"].get<std::string>();
    std::string volume;
    for (const auto& c : claims["items"]) {
      if (c["metadata"]["name"] == claim) volume = c["spec"]["volumeName"];
    }
    ASSERT_FALSE(volume.empty()) << claim;
    for (const auto& v : volumes["items"]) {
      if (v["metadata"]["name"] != volume) continue;
      // The volume the claim is bound to lives on the pod's node.
      EXPECT_EQ(v["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"]
                 [0]["values"][0],
                node);
      EXPECT_EQ(v["status"]["phase"], "Bound");
    }
  }
  // example-pv names a node that does not exist: nobody can use it.
  std::string example = Squeeze(Ok({"get", "pv", "example-pv", "--no-headers"}));
  EXPECT_NE(example.find("Available"), std::string::npos) << example;

  // A deleted pod comes back on the same node, to its data.
  std::string node0 = Ok({"get", "pod", "local-test-0", "-o", "jsonpath={.spec.nodeName}"});
  std::string uid0 = Ok({"get", "pod", "local-test-0", "-o", "jsonpath={.metadata.uid}"});
  Ok({"delete", "pod", "local-test-0"});
  // delete waits until the old pod is gone; the controller makes a new one.
  KubectlStream pod_watch(kubectl_, Args({"get", "pod", "local-test-0", "-w", "--no-headers"}));
  ASSERT_FALSE(pod_watch.WaitForLine("Running").empty()) << pod_watch.seen();
  EXPECT_NE(Ok({"get", "pod", "local-test-0", "-o", "jsonpath={.metadata.uid}"}), uid0);
  EXPECT_EQ(Ok({"get", "pod", "local-test-0", "-o", "jsonpath={.spec.nodeName}"}), node0);
}

}  // namespace
}  // namespace lpv::rest
