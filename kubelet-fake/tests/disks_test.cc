#include "kubelet-fake/disks.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace lpv::kubelet {
namespace {

namespace fs = std::filesystem;

class DisksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "lpv-disks-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl + "/nodes/node-1";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(fs::path(root_).parent_path().parent_path(), ec);
  }
  std::string root_;
};

TEST_F(DisksTest, AddedDisksAreDirectoriesWithTheirCapacity) {
  Disks disks(root_);
  auto d1 = disks.Add(api::Quantity::MustParse("368Gi"));
  ASSERT_TRUE(d1.ok()) << d1.status().ToString();
  EXPECT_EQ(d1->name, "vol1");
  EXPECT_EQ(d1->path, "/mnt/disks/vol1");
  EXPECT_EQ(d1->host_path, root_ + "/mnt/disks/vol1");
  EXPECT_TRUE(fs::is_directory(d1->host_path));
  std::ifstream meta(d1->host_path + "/" + kDiskMetadataFile);
  std::string text;
  meta >> text;
  EXPECT_EQ(text, "368Gi");

  auto d2 = disks.Add(api::Quantity::MustParse("100Gi"));
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(d2->path, "/mnt/disks/vol2");
  auto list = disks.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "vol1");
  EXPECT_EQ(list[1].capacity.String(), "100Gi");
}

TEST_F(DisksTest, ListOrdersVolumesNumerically) {
  Disks disks(root_);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(disks.Add(api::Quantity::MustParse("1Gi")).ok());
  auto list = disks.List();
  ASSERT_EQ(list.size(), 10u);
  EXPECT_EQ(list[1].name, "vol2");
  EXPECT_EQ(list[9].name, "vol10");
}

TEST_F(DisksTest, RemovedDiskNamesAreNotReused) {
  Disks disks(root_);
  ASSERT_TRUE(disks.Add(api::Quantity::MustParse("1Gi")).ok());
  ASSERT_TRUE(disks.Add(api::Quantity::MustParse("1Gi")).ok());
  auto removed = disks.Remove("/mnt/disks/vol2");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_FALSE(fs::exists(root_ + "/mnt/disks/vol2"));
  // A new disk is a new disk: its PV must not take the old one's name.
  auto next = disks.Add(api::Quantity::MustParse("1Gi"));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->name, "vol3");
  // ... also for a fresh Disks on the same root (a restarted server).
  ASSERT_TRUE(disks.Remove("vol3").ok());
  Disks again(root_);
  EXPECT_EQ(again.Add(api::Quantity::MustParse("1Gi"))->name, "vol4");
}

TEST_F(DisksTest, NamedDisks) {
  Disks disks(root_);
  auto ssd = disks.Add(api::Quantity::MustParse("100Gi"), "ssd1");
  ASSERT_TRUE(ssd.ok());
  EXPECT_EQ(ssd->path, "/mnt/disks/ssd1");
  auto dup = disks.Add(api::Quantity::MustParse("100Gi"), "ssd1");
  EXPECT_TRUE(dup.status().IsAlreadyExists()) << dup.status().ToString();
  EXPECT_EQ(dup.status().message(), "disks \"/mnt/disks/ssd1\" already exists");
  EXPECT_EQ(disks.Add(api::Quantity::MustParse("1Gi"), "../evil").status().reason(),
            Reason::BadRequest);
  EXPECT_EQ(disks.Add(api::Quantity::MustParse("0"), "").status().reason(), Reason::BadRequest);
}

TEST_F(DisksTest, WipeKeepsOnlyTheMetadata) {
  Disks disks(root_);
  auto d = disks.Add(api::Quantity::MustParse("10Gi"));
  ASSERT_TRUE(d.ok());
  std::ofstream(d->host_path + "/data.txt") << "hello";
  fs::create_directories(d->host_path + "/sub/dir");
  std::ofstream(d->host_path + "/sub/dir/f") << "x";
  ASSERT_TRUE(disks.Wipe("/mnt/disks/vol1").ok());
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(d->host_path)) {
    left.push_back(e.path().filename().string());
  }
  EXPECT_EQ(left, std::vector<std::string>{kDiskMetadataFile});
  EXPECT_EQ(disks.Get("vol1")->capacity.String(), "10Gi");
}

TEST_F(DisksTest, UnknownDisksAreNotFound) {
  Disks disks(root_);
  EXPECT_TRUE(disks.Remove("/mnt/disks/vol7").status().IsNotFound());
  EXPECT_EQ(disks.Remove("/mnt/disks/vol7").status().message(),
            "disks \"/mnt/disks/vol7\" not found");
  EXPECT_TRUE(disks.Wipe("vol7").IsNotFound());
  EXPECT_TRUE(disks.Get("/etc/passwd").status().IsNotFound());
  EXPECT_TRUE(disks.Get("/mnt/disks/../../etc").status().reason() == Reason::BadRequest);
  // A plain directory without metadata is not a mounted disk.
  fs::create_directories(root_ + "/mnt/disks/notadisk");
  EXPECT_TRUE(disks.Get("notadisk").status().IsNotFound());
  EXPECT_TRUE(disks.List().empty());
}

TEST_F(DisksTest, ListenersHearAddsAndRemoves) {
  Disks disks(root_);
  int calls = 0;
  int id = disks.AddListener([&] { ++calls; });
  ASSERT_TRUE(disks.Add(api::Quantity::MustParse("1Gi")).ok());
  ASSERT_TRUE(disks.Remove("vol1").ok());
  EXPECT_EQ(calls, 2);
  disks.RemoveListener(id);
  ASSERT_TRUE(disks.Add(api::Quantity::MustParse("1Gi")).ok());
  EXPECT_EQ(calls, 2);
}

TEST(NodePaths, MapIntoTheNodeRoot) {
  EXPECT_EQ(*HostPathOf("/data/nodes/n1", "/mnt/disks/vol1"), "/data/nodes/n1/mnt/disks/vol1");
  EXPECT_EQ(*CleanNodePath("/mnt//disks/./vol1/"), "/mnt/disks/vol1");
  EXPECT_FALSE(CleanNodePath("mnt/disks").ok());
  EXPECT_FALSE(HostPathOf("/data/nodes/n1", "/mnt/../../../etc").ok());
}

}  // namespace
}  // namespace lpv::kubelet
