#include "cmd/changes_since.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include "api/objects.pb.h"
#include "apiserver/apiserver.h"
#include "client/client.h"
#include "store/store.h"

namespace lpv::cmd {
namespace {

constexpr auto kWait = std::chrono::seconds(30);

bool NotRunning(const google::protobuf::Message& m) {
  return static_cast<const api::Pod&>(m).status().phase() != "Running";
}

class ChangesSinceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / "lpv-changes-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_.data()), nullptr);
    store::Options so;
    so.dir = dir_;
    so.sync = false;
    auto st = store::Store::Open(so);
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    store_ = std::move(*st);
    api_ = std::make_unique<apiserver::APIServer>(store_.get(), RealClock::Get());
    client_ = std::make_unique<client::LocalClient>(api_.get());
  }
  void TearDown() override {
    client_.reset();
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void CreatePod(const std::string& name, const std::string& phase) {
    api::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    auto* c = pod.mutable_spec()->add_containers();
    c->set_name("app");
    c->set_image("busybox");
    auto created = client_->CreateTyped(pod);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    if (!phase.empty()) SetPhase(name, phase);
  }
  void SetPhase(const std::string& name, const std::string& phase) {
    auto pod = client_->Get<api::Pod>("default", name);
    ASSERT_TRUE(pod.ok()) << pod.status().ToString();
    pod->mutable_status()->set_phase(phase);
    auto written = client_->UpdateStatusTyped(*pod);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }
  std::string Revision() {
    auto list = client_->List(*api::KindOf("Pod"), "");
    EXPECT_TRUE(list.ok());
    return list.ok() ? list->resource_version : "";
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<apiserver::APIServer> api_;
  std::unique_ptr<client::Client> client_;
};

TEST_F(ChangesSinceTest, APodChangedAwayFromRunningHoldsItUntilItRunsAgain) {
  CreatePod("a", "Running");
  CreatePod("b", "Running");
  ChangesSince changes(client_.get(), "Pod", Revision(), NotRunning, "default/marker");
  SetPhase("a", "Pending");
  CreatePod("marker", "");  // Pending, but the marker is never bad

  std::set<std::string> bad;
  ASSERT_TRUE(changes.BadWhenMarked(kWait, &bad));
  EXPECT_EQ(bad, (std::set<std::string>{"default/a"}));

  SetPhase("a", "Running");
  EXPECT_TRUE(changes.WaitFor(kWait));
  ASSERT_TRUE(changes.BadWhenMarked(kWait, &bad));
  EXPECT_TRUE(bad.empty());
}

TEST_F(ChangesSinceTest, ADeletedObjectIsBadAndChangesBeforeTheRevisionAreNotSeen) {
  CreatePod("a", "Pending");  // before the revision: the caller knows that state itself
  CreatePod("b", "Running");
  ChangesSince changes(client_.get(), "Pod", Revision(), NotRunning, "default/marker");
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(client_->Delete(*api::KindOf("Pod"), "default", "b", now).ok());
  CreatePod("marker", "");

  std::set<std::string> bad;
  ASSERT_TRUE(changes.BadWhenMarked(kWait, &bad));
  EXPECT_EQ(bad, (std::set<std::string>{"default/b"}));
}

}  // namespace
}  // namespace lpv::cmd
