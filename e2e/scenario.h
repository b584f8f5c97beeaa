// The fixture of the end-to-end scenarios: an `lpv server` process with its own data dir
// on an ephemeral port, the `lpv` client verbs, JSON of what `lpv get -o json` prints, and
// waits that follow a watch (through a gRPC client) instead of sleeping.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "api/objects.pb.h"
#include "api/pod_util.h"
#include "client/client.h"
#include "client/wait.h"
#include "e2e/lpv_process.h"

namespace lpv::e2e {

using Json = nlohmann::json;
using std::chrono::seconds;

inline std::string Example(const std::string& name) {
  return std::string(LPV_SOURCE_DIR) + "/examples/" + name;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Scenario : public ::testing::Test {
 protected:
  void TearDown() override {
    client_.reset();
    server_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  void StartServer(std::vector<std::string> flags = {}) {
    if (dir_.empty()) dir_ = testing::MakeTempDir("lpv-e2e-");
    flags_ = flags;
    server_ = std::make_unique<testing::ServerProcess>(LPV_BINARY, dir_ + "/data", flags);
    server_->Start();
    client_ = client::NewGrpcClient(server_->address());
  }
  // kill -9, then start again on the same data dir.
  void KillAndRestart() {
    client_.reset();
    server_->Kill(SIGKILL);
    server_ = std::make_unique<testing::ServerProcess>(LPV_BINARY, dir_ + "/data", flags_);
    server_->Start();
    client_ = client::NewGrpcClient(server_->address());
  }

  testing::CommandResult Lpv(std::vector<std::string> args, const std::string& input = "") {
    return server_->Lpv(std::move(args), input);
  }
  // Runs a verb that must succeed.
  std::string Must(std::vector<std::string> args, const std::string& input = "") {
    std::string line;
    for (const auto& a : args) line += a + " ";
    auto r = Lpv(std::move(args), input);
    EXPECT_EQ(r.exit_code, 0) << "lpv " << line << "\n" << r.err;
    return r.out;
  }
  Json Get(const std::string& kind, const std::string& name = "") {
    std::vector<std::string> args = {"get", kind};
    if (!name.empty()) args.push_back(name);
    args.insert(args.end(), {"-o", "json"});
    auto r = Lpv(args);
    if (r.exit_code != 0) return Json();
    return Json::parse(r.out);
  }
  // Items of a list, by name.
  std::map<std::string, Json> Items(const std::string& kind) {
    std::map<std::string, Json> out;
    Json list = Get(kind);  // kept alive for the loop
    for (auto& i : list["items"]) out[i["metadata"]["name"]] = i;
    return out;
  }
  std::vector<Json> EventsFor(const std::string& name) {
    std::vector<Json> out;
    Json list = Get("events");  // kept alive for the loop
    for (auto& e : list["items"]) {
      if (e["involvedObject"]["name"] == name) out.push_back(e);
    }
    return out;
  }

  template <class T>
  T WaitFor(const std::string& ns, const std::string& name,
            const std::function<bool(const T&)>& pred, seconds timeout = seconds(60)) {
    auto r = client::WaitFor<T>(*client_, ns, name, pred, timeout);
    EXPECT_TRUE(r.ok()) << "waiting for " << name << ": " << r.status().ToString();
    return r.ok() ? *r : T();
  }
  // Waits until the list of `kind` satisfies pred.
  void WaitForList(const std::string& kind,
                   const std::function<bool(const std::vector<client::ObjectPtr>&)>& pred,
                   seconds timeout = seconds(60)) {
    auto r = client::WaitForList(*client_, *api::LookupKind(kind), "", pred, timeout);
    ASSERT_TRUE(r.ok()) << "waiting for " << kind << ": " << r.status().ToString();
  }
  void WaitForDeletion(const std::string& kind, const std::string& ns, const std::string& name,
                       seconds timeout = seconds(60)) {
    Status s = client::WaitForDeletion(*client_, *api::LookupKind(kind), ns, name, timeout);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  static bool PodReady(const api::Pod& p) { return api::IsPodRunningAndReady(p); }
  void WaitPodsReady(const std::vector<std::string>& names, seconds timeout = seconds(60)) {
    for (const auto& n : names) {
      WaitFor<api::Pod>("default", n, [](const api::Pod& p) { return PodReady(p); }, timeout);
    }
  }
  // The node a PV's node affinity names (kubernetes.io/hostname In [node]).
  static std::string PVNode(const Json& pv) {
    return pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
             ["values"][0];
  }
  std::string NodeRoot(const std::string& node) { return dir_ + "/data/nodes/" + node; }

  std::string dir_;
  std::vector<std::string> flags_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<client::Client> client_;
};

}  // namespace lpv::e2e
