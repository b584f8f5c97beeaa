#include "client/informer_factory.h"

#include <gtest/gtest.h>

#include "api/objects.pb.h"
#include "client/thread_name.h"
#include "cluster/cluster.h"

namespace lpv::client {
namespace {

using std::chrono::seconds;

class SharedInformerFactoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster::Options o;
    o.listen = "";
    o.sync = false;
    o.start_controllers = false;
    cluster_ = std::move(*cluster::Cluster::Start(o));
  }
  std::unique_ptr<cluster::Cluster> cluster_;
};

TEST_F(SharedInformerFactoryTest, OneInformerPerKindForEveryoneWhoAsks) {
  api::Node node;
  node.mutable_metadata()->set_name("node-1");
  ASSERT_TRUE(cluster_->client()->Create(node).ok());
  SharedInformerFactory factory(cluster_->client());
  Informer* nodes = factory.InformerFor(*api::KindOf("Node"));
  EXPECT_EQ(factory.InformerFor(*api::KindOf("Node")), nodes);
  Informer* pods = factory.InformerFor(*api::KindOf("Pod"));
  EXPECT_NE(pods, nodes);
  EXPECT_EQ(factory.size(), 2u);
  factory.Start();
  ASSERT_TRUE(nodes->WaitForCacheSync(seconds(10)));
  ASSERT_TRUE(pods->WaitForCacheSync(seconds(10)));
  EXPECT_NE(nodes->Get("node-1"), nullptr);
  EXPECT_EQ(nodes->lists(), 1);
}

TEST_F(SharedInformerFactoryTest, SharedOrOwnMakesAFactoryOnlyWhenNoneIsGiven) {
  SharedInformerFactory shared(cluster_->client());
  std::unique_ptr<SharedInformerFactory> own;
  EXPECT_EQ(SharedOrOwn(&shared, &own, cluster_->client(), nullptr), &shared);
  EXPECT_EQ(own, nullptr);
  SharedInformerFactory* made = SharedOrOwn(nullptr, &own, cluster_->client(), nullptr);
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(made, own.get());
}

// Every controller of a cluster (PV, protection, scheduler, StatefulSet, fleet, node
// lifecycle) follows a kind through the same informer: each kind is listed once, by one
// informer thread ("inf-<Kind>", truncated to 15 characters).
TEST(ClusterInformersTest, EveryControllerSharesOneInformerPerKind) {
  cluster::Options o;
  o.listen = "";
  o.sync = false;
  o.start_controllers = true;
  o.nodes = 2;
  auto c = cluster::Cluster::Start(o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  SharedInformerFactory* f = (*c)->informers();
  ASSERT_NE(f, nullptr);
  // Pod, Node, PersistentVolume, PersistentVolumeClaim, StorageClass, StatefulSet.
  EXPECT_EQ(f->size(), 6u);
  for (const char* kind : {"Pod", "Node", "PersistentVolume", "PersistentVolumeClaim",
                           "StorageClass", "StatefulSet"}) {
    Informer* inf = f->InformerFor(*api::KindOf(kind));
    ASSERT_TRUE(inf->WaitForCacheSync(seconds(10))) << kind;
    EXPECT_EQ(inf->lists(), 1) << kind;
  }
  EXPECT_EQ(f->size(), 6u);  // no kind was new
  // Had a controller made its own, its thread would be here too.
  EXPECT_EQ(ThreadsNamed("inf-Pod"), 1);
  EXPECT_EQ(ThreadsNamed("inf-pv"), 1);   // too long: kubectl's short name
  EXPECT_EQ(ThreadsNamed("inf-pvc"), 1);
  EXPECT_EQ(ThreadsNamed("inf-StatefulSet"), 1);
  EXPECT_EQ(ThreadsNamed("inf-Node"), 1);
}

}  // namespace
}  // namespace lpv::client
