#include "cluster/cluster.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "api/objects.pb.h"
#include "client/client.h"
#include "client/remote.h"

namespace lpv::cluster {
namespace {

TEST(ClusterTest, RestartOnTheSameDataDirResumesWithEveryObject) {
  std::string dir = (std::filesystem::temp_directory_path() / "lpv-cluster-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  Options o;
  o.data_dir = dir + "/data";
  o.listen = "";
  int64_t revision = 0;
  std::string uid;
  {
    auto c = Cluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    api::StorageClass sc;
    sc.mutable_metadata()->set_name("local-storage");
    sc.set_provisioner("kubernetes.io/no-provisioner");
    auto created = (*c)->client()->CreateTyped(sc);
    ASSERT_TRUE(created.ok());
    uid = created->metadata().uid();
    revision = (*c)->apiserver()->Revision();
    // The data dir holds the cluster's state: owner-only.
    struct stat st;
    ASSERT_EQ(stat(o.data_dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
  }
  auto again = Cluster::Start(o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->apiserver()->Revision(), revision);
  auto sc = (*again)->client()->Get<api::StorageClass>("", "local-storage");
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(sc->metadata().uid(), uid);
  api::StorageClass other;
  other.mutable_metadata()->set_name("fast");
  other.set_provisioner("p");
  auto next = (*again)->client()->CreateTyped(other);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->metadata().resource_version(), std::to_string(revision + 1));
  again->reset();
  std::filesystem::remove_all(dir);
}

TEST(ClusterTest, ListensOnLoopbackAndWritesItsAddress) {
  Options o;
  auto c = Cluster::Start(o);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)->address().rfind("127.0.0.1:", 0), 0u) << (*c)->address();
  std::ifstream in(Cluster::AddressFile((*c)->data_dir()));
  std::string addr;
  in >> addr;
  EXPECT_EQ(addr, (*c)->address());
}

// Kubernetes' API server serves before any kubelet registers: `serving` runs with the API
// up and no controller started, and an admin verb sent then acts on the fleet once it is.
TEST(ClusterTest, ServesBeforeItsNodesStartAndAdminVerbsWaitForThem) {
  Options o;
  o.start_controllers = true;
  o.nodes = 2;
  int served = 0;
  std::future<Result<std::string>> disks;
  o.serving = [&](Cluster& c) {
    ++served;
    EXPECT_EQ(c.fleet(), nullptr);
    EXPECT_EQ(c.scheduler(), nullptr);
    auto nodes = client::NewGrpcClient(c.address())->List(*api::KindOf("Node"), "");
    EXPECT_TRUE(nodes.ok()) << nodes.status().ToString();
    if (nodes.ok()) {
      EXPECT_TRUE(nodes->items.empty());
    }
    disks = std::async(std::launch::async, [address = c.address()] {
      return client::CallAdmin(address, "disk", {"list"});
    });
    return Status::OK();
  };
  auto c = Cluster::Start(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(served, 1);
  ASSERT_TRUE(disks.valid());
  auto listed = disks.get();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_NE(listed->find("node-1 "), std::string::npos) << *listed;
  EXPECT_NE(listed->find("node-2 "), std::string::npos) << *listed;
}

// A start that fails after serving began stops what `serving` started, once, and reports
// the failure.
TEST(ClusterTest, AFailedStartAfterServingRunsStoppingOnce) {
  std::string dir = (std::filesystem::temp_directory_path() / "lpv-cluster-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::ofstream(dir + "/nodes") << "not a directory\n";  // where the fleet keeps its nodes
  Options o;
  o.data_dir = dir;
  o.start_controllers = true;
  int served = 0, stopped = 0;
  o.serving = [&](Cluster&) {
    ++served;
    return Status::OK();
  };
  o.stopping = [&] { ++stopped; };
  auto c = Cluster::Start(o);
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("nodes"), std::string::npos) << c.status().ToString();
  EXPECT_EQ(served, 1);
  EXPECT_EQ(stopped, 1);
  std::filesystem::remove_all(dir);
}

TEST(ClusterTest, StopRunsStoppingOnce) {
  Options o;
  int stopped = 0;
  o.stopping = [&] { ++stopped; };
  auto c = Cluster::Start(o);
  ASSERT_TRUE(c.ok());
  (*c)->Stop();
  (*c)->Stop();
  c->reset();
  EXPECT_EQ(stopped, 1);
}

}  // namespace
}  // namespace lpv::cluster
