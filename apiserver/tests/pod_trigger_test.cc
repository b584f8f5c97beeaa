// The pods' store trigger reads spec.nodeName from the stored bytes as a full decode would.

#include "apiserver/pod_trigger.h"

#include <gtest/gtest.h>

#include "api/objects.pb.h"

namespace lpv::apiserver {
namespace {

api::Pod PodOn(const std::string& node) {
  api::Pod pod;
  pod.set_kind("Pod");
  pod.mutable_metadata()->set_namespace_("default");
  pod.mutable_metadata()->set_name("local-test-0");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "local-test";
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("test-container");
  c->set_image("busybox");
  pod.mutable_spec()->set_node_name(node);
  pod.mutable_spec()->set_scheduler_name("default-scheduler");
  pod.mutable_status()->set_phase("Running");
  return pod;
}

// What decoding the whole pod gives.
std::string Decoded(const std::string& bytes) {
  api::Pod pod;
  if (!pod.ParseFromString(bytes)) return "";
  return pod.spec().node_name();
}

TEST(PodNodeNameTriggerTest, ReadsNodeNameAsADecodeDoes) {
  for (const std::string node : {"node-1", "", "a-node-name-longer-than-fifteen-bytes"}) {
    std::string bytes = PodOn(node).SerializeAsString();
    EXPECT_EQ(PodNodeNameTrigger(bytes), node);
    EXPECT_EQ(PodNodeNameTrigger(bytes), Decoded(bytes));
  }
  api::Pod no_spec = PodOn("");
  no_spec.clear_spec();
  EXPECT_EQ(PodNodeNameTrigger(no_spec.SerializeAsString()), "");
  EXPECT_EQ(PodNodeNameTrigger(""), "");
}

TEST(PodNodeNameTriggerTest, ARepeatedSpecIsMergedAsADecodeMergesIt) {
  // Concatenated messages parse as one, their specs merged: the last nodeName set wins.
  std::string a = PodOn("node-a").SerializeAsString();
  std::string b = PodOn("node-b").SerializeAsString();
  std::string none = PodOn("").SerializeAsString();
  EXPECT_EQ(PodNodeNameTrigger(a + b), "node-b");
  EXPECT_EQ(PodNodeNameTrigger(a + none), "node-a");
  EXPECT_EQ(PodNodeNameTrigger(a + b), Decoded(a + b));
  EXPECT_EQ(PodNodeNameTrigger(a + none), Decoded(a + none));
}

TEST(PodNodeNameTriggerTest, SkipsFieldsItDoesNotKnow) {
  api::Pod pod = PodOn("node-7");
  // Field 99 as a varint, and field 100 as bytes, in the pod and in its spec.
  pod.GetReflection()->MutableUnknownFields(&pod)->AddVarint(99, 12345);
  pod.GetReflection()->MutableUnknownFields(&pod)->AddLengthDelimited(100, "xyz");
  api::PodSpec* spec = pod.mutable_spec();
  spec->GetReflection()->MutableUnknownFields(spec)->AddVarint(99, 1);
  spec->GetReflection()->MutableUnknownFields(spec)->AddLengthDelimited(100, "node-x");
  std::string bytes = pod.SerializeAsString();
  EXPECT_EQ(PodNodeNameTrigger(bytes), "node-7");
  EXPECT_EQ(Decoded(bytes), "node-7");
}

TEST(PodNodeNameTriggerTest, MalformedBytesGiveNoNode) {
  std::string bytes = PodOn("node-1").SerializeAsString();
  // Cut inside the message: a field's length runs past the end.
  for (size_t cut : {bytes.size() - 1, bytes.size() / 2, size_t{1}}) {
    std::string truncated = bytes.substr(0, cut);
    EXPECT_EQ(PodNodeNameTrigger(truncated), "") << "cut at " << cut;
    EXPECT_EQ(Decoded(truncated), "") << "cut at " << cut;
  }
  EXPECT_EQ(PodNodeNameTrigger("\xff\xff\xff"), "");
}

}  // namespace
}  // namespace lpv::apiserver
