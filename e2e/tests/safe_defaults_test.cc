// Safe defaults of `lpv server`: loopback unless told otherwise; beyond loopback every call
// needs the bearer token the server writes, owner-only, into its data dir; the data dir is
// the owner's alone.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "api/objects.pb.h"
#include "api/scheme.h"
#include "client/client.h"
#include "client/remote.h"
#include "e2e/lpv_process.h"
#include "rest/tests/http_client.h"

namespace lpv {
namespace {

using testing::CommandResult;
using testing::RunCommand;

const char kUnauthorized[] = "error: You must be logged in to the server (Unauthorized)\n";

unsigned Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

// `lpv server` with the listen flag as given ("" = the default), API only.
class Server {
 public:
  Server(const std::string& data_dir, const std::string& listen) {
    int out[2];
    if (pipe(out)) throw std::runtime_error("pipe");
    std::vector<std::string> args = {"server", "--data-dir", data_dir, "--api-only",
                                     "--unsafe-no-fsync"};
    if (!listen.empty()) args.insert(args.end(), {"--listen", listen});
    const std::string binary = LPV_BINARY;
    std::vector<char*> argv = testing::ArgvOf(binary, args);
    pid_ = fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec (see ArgvOf).
      dup2(out[1], 1);
      close(out[0]);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 2);
      execv(LPV_BINARY, argv.data());
      _exit(127);
    }
    close(out[1]);
    // "lpv server listening on HOST:PORT (data dir ...)"
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line_ += c;
    out_fd_ = out[0];
    const std::string marker = "listening on ";
    auto pos = line_.find(marker);
    if (pos == std::string::npos) throw std::runtime_error("server did not start: " + line_);
    address_ = line_.substr(pos + marker.size());
    address_ = address_.substr(0, address_.find(' '));
  }
  ~Server() {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
    close(out_fd_);
  }
  // As printed: "0.0.0.0:PORT" for a server on every interface.
  const std::string& address() const { return address_; }
  // The REST API's URL, from the line after "listening on": "lpv Kubernetes API on URL
  // (kubeconfig PATH)", printed once the kubeconfig is written.
  std::string RestUrl() {
    std::string line;
    char c;
    while (read(out_fd_, &c, 1) == 1 && c != '\n') line += c;
    const std::string marker = "Kubernetes API on ";
    auto pos = line.find(marker);
    if (pos == std::string::npos) return "";
    std::string url = line.substr(pos + marker.size());
    return url.substr(0, url.find(' '));
  }
  // The same port through loopback, as a client on this machine dials it.
  std::string loopback() const {
    return "127.0.0.1:" + address_.substr(address_.rfind(':') + 1);
  }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string line_;
  std::string address_;
};

class SafeDefaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("lpv-safe-");
    data_ = dir_ + "/data";
    elsewhere_ = dir_ + "/elsewhere";  // a data dir with no token in it
    std::filesystem::create_directories(elsewhere_);
    unsetenv("LPV_TOKEN");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string ReadToken() {
    std::ifstream in(data_ + "/token");
    std::string t;
    in >> t;
    return t;
  }

  std::string dir_, data_, elsewhere_;
};

TEST_F(SafeDefaultsTest, TheDefaultIsLoopbackWithoutAToken) {
  // A data dir that exists with looser permissions is tightened.
  std::filesystem::create_directories(data_);
  ::chmod(data_.c_str(), 0755);
  Server server(data_, "");
  EXPECT_EQ(server.address().rfind("127.0.0.1:", 0), 0u) << server.address();
  EXPECT_EQ(Mode(data_), 0700u);
  EXPECT_FALSE(std::filesystem::exists(data_ + "/token"));
  auto r = RunCommand(LPV_BINARY,
                      {"--server", server.address(), "--data-dir", elsewhere_, "get", "pv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "No resources found\n");
}

TEST_F(SafeDefaultsTest, ANewDataDirIsOwnerOnly) {
  Server server(data_ + "/nested", "");
  EXPECT_EQ(Mode(data_ + "/nested"), 0700u);
}

TEST_F(SafeDefaultsTest, BeyondLoopbackTheTokenIsOwnerOnlyInTheDataDir) {
  Server server(data_, "0.0.0.0:0");
  EXPECT_EQ(server.address().rfind("0.0.0.0:", 0), 0u) << server.address();
  EXPECT_EQ(Mode(data_), 0700u);
  EXPECT_EQ(Mode(data_ + "/token"), 0600u);
  std::string token = ReadToken();
  EXPECT_EQ(token.size(), 64u);
  // A restart makes a new one.
  {
    Server again(data_ + "2", "0.0.0.0:0");
    std::ifstream in(data_ + "2/token");
    std::string other;
    in >> other;
    EXPECT_EQ(other.size(), 64u);
    EXPECT_NE(other, token);
  }
}

TEST_F(SafeDefaultsTest, BeyondLoopbackTheCliIsRefusedWithoutTheRightToken) {
  Server server(data_, "0.0.0.0:0");
  const std::string target = server.loopback();
  auto none = RunCommand(LPV_BINARY, {"--server", target, "--data-dir", elsewhere_, "get", "pv"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.err, kUnauthorized);
  auto wrong = RunCommand(LPV_BINARY, {"--server", target, "--data-dir", elsewhere_, "--token",
                                       std::string(64, 'a'), "apply", "-f", "-"},
                          "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err, kUnauthorized);
  auto admin = RunCommand(LPV_BINARY,
                          {"--server", target, "--data-dir", elsewhere_, "disk", "list"});
  EXPECT_EQ(admin.exit_code, 1);
  EXPECT_EQ(admin.err, kUnauthorized);

  // The token file in the data dir, the flag, and $LPV_TOKEN each let the CLI in.
  auto from_dir = RunCommand(LPV_BINARY, {"--server", target, "--data-dir", data_, "apply",
                                          "-f", "-"},
                             "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\n");
  EXPECT_EQ(from_dir.exit_code, 0) << from_dir.err;
  EXPECT_EQ(from_dir.out, "node/n1 created\n");
  auto from_flag = RunCommand(LPV_BINARY, {"--server", target, "--data-dir", elsewhere_,
                                           "--token", ReadToken(), "get", "nodes", "-o", "name"});
  EXPECT_EQ(from_flag.exit_code, 0) << from_flag.err;
  EXPECT_EQ(from_flag.out, "node/n1\n");
  setenv("LPV_TOKEN", ReadToken().c_str(), 1);
  auto from_env = RunCommand(LPV_BINARY, {"--server", target, "--data-dir", elsewhere_, "get",
                                          "nodes", "-o", "name"});
  unsetenv("LPV_TOKEN");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(from_env.out, "node/n1\n");
  // The address the server printed works too (0.0.0.0 dials this machine).
  auto printed = RunCommand(LPV_BINARY, {"--server", server.address(), "--data-dir", data_,
                                         "get", "nodes", "-o", "name"});
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
}

TEST_F(SafeDefaultsTest, BeyondLoopbackEveryApiCallIsRefusedWithoutTheRightToken) {
  Server server(data_, "0.0.0.0:0");
  const std::string target = server.loopback();
  const std::string token = ReadToken();
  auto revision = [&] {
    auto info = client::GetServerInfo(target, 2000, token);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->revision : "";
  };
  const std::string before = revision();
  api::Node node;
  node.mutable_metadata()->set_name("n1");
  const auto& kind = *api::KindOf("Node");

  for (const std::string& bad : {std::string(), std::string("not-the-token"), token + "x"}) {
    SCOPED_TRACE("token \"" + bad + "\"");
    auto info = client::GetServerInfo(target, 2000, bad);
    EXPECT_EQ(info.status().reason(), Reason::Unauthorized) << info.status().ToString();
    auto c = client::NewGrpcClient(target, bad);
    auto created = c->Create(node);
    EXPECT_EQ(created.status().reason(), Reason::Unauthorized) << created.status().ToString();
    EXPECT_EQ(created.status().message(), "Unauthorized");
    EXPECT_EQ(c->Get(kind, "", "n1").status().reason(), Reason::Unauthorized);
    EXPECT_EQ(c->List(kind, "", {}).status().reason(), Reason::Unauthorized);
    EXPECT_EQ(c->Update(node).status().reason(), Reason::Unauthorized);
    EXPECT_EQ(c->Delete(kind, "", "n1", {}).status().reason(), Reason::Unauthorized);
    api::Binding b;
    b.mutable_metadata()->set_name("p");
    b.mutable_target()->set_name("n1");
    EXPECT_EQ(c->Bind(b).status().reason(), Reason::Unauthorized);
    auto w = c->Watch(kind, "", {});
    ASSERT_TRUE(w.ok());
    client::WatchEvent ev;
    while (!(*w)->done()) {
      EXPECT_FALSE((*w)->Next(&ev, std::chrono::seconds(5))) << "a refused watch sends nothing";
    }
    EXPECT_EQ((*w)->status().reason(), Reason::Unauthorized) << (*w)->status().ToString();
    auto admin = client::CallAdmin(target, "disk", {"list"}, {}, bad);
    EXPECT_EQ(admin.status().reason(), Reason::Unauthorized);
  }
  EXPECT_EQ(revision(), before) << "a refused call wrote";

  auto ok = client::NewGrpcClient(target, token)->Create(node);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_NE(revision(), before);
}

// The REST API listens on loopback only, but a server reachable beyond it has a token, and
// so does the REST API: the kubeconfig the server writes carries it, owner-only.
TEST_F(SafeDefaultsTest, BeyondLoopbackTheRestApiNeedsTheKubeconfigsToken) {
  Server server(data_, "0.0.0.0:0");
  const std::string url = server.RestUrl();
  ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  const std::string token = ReadToken();
  ASSERT_EQ(token.size(), 64u);
  const std::string kubeconfig = data_ + "/kubeconfig";
  EXPECT_EQ(Mode(kubeconfig), 0600u);
  std::ifstream in(kubeconfig);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("    token: " + token + "\n"), std::string::npos) << text;

  auto refused = rest::testing::Call(url, "GET", "/api/v1/nodes");
  EXPECT_EQ(refused.code, 401) << refused.body;
  EXPECT_EQ(refused.json()["message"], "Unauthorized");
  auto wrong = rest::testing::Call(url, "GET", "/api/v1/nodes", "",
                                   {{"Authorization", "Bearer " + token + "x"}});
  EXPECT_EQ(wrong.code, 401) << wrong.body;
  auto served = rest::testing::Call(url, "GET", "/api/v1/nodes", "",
                                    {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(served.code, 200) << served.body;
  EXPECT_EQ(served.json()["kind"], "NodeList");
}

TEST_F(SafeDefaultsTest, OnLoopbackTheRestApiAndItsKubeconfigHaveNoToken) {
  Server server(data_, "");
  const std::string url = server.RestUrl();
  ASSERT_FALSE(url.empty());
  std::ifstream in(data_ + "/kubeconfig");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("token"), std::string::npos) << text;
  EXPECT_EQ(rest::testing::Call(url, "GET", "/api/v1/nodes").code, 200);
}

}  // namespace
}  // namespace lpv
