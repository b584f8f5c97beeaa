#include "cluster/cluster.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "api/objects.pb.h"

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

}  // namespace
}  // namespace lpv::cluster
