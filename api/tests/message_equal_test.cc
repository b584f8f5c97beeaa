#include "api/message_equal.h"

#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>

#include "api/objects.pb.h"

namespace lpv::api {
namespace {

// SameMessage stands in for MessageDifferencer::Equals on hot paths: every case here must
// get the same answer from both.
void ExpectAgree(const google::protobuf::Message& a, const google::protobuf::Message& b,
                 bool same) {
  EXPECT_EQ(google::protobuf::util::MessageDifferencer::Equals(a, b), same);
  EXPECT_EQ(SameMessage(a, b), same);
  EXPECT_EQ(SameMessage(b, a), same);
}

Node MakeNode() {
  Node n;
  n.mutable_metadata()->set_name("node-1");
  auto* c = n.mutable_status()->add_conditions();
  c->set_type("Ready");
  c->set_status("True");
  return n;
}

TEST(SameMessageTest, AgreesWithMessageDifferencer) {
  Node a = MakeNode();
  ExpectAgree(a, a, true);
  Node b = MakeNode();
  ExpectAgree(a, b, true);

  // Maps: the order entries went in does not count, their values do.
  (*a.mutable_status()->mutable_capacity())["cpu"] = "2";
  (*a.mutable_status()->mutable_capacity())["memory"] = "8Gi";
  (*b.mutable_status()->mutable_capacity())["memory"] = "8Gi";
  (*b.mutable_status()->mutable_capacity())["cpu"] = "2";
  ExpectAgree(a, b, true);
  (*b.mutable_status()->mutable_capacity())["cpu"] = "4";
  ExpectAgree(a, b, false);

  // Repeated fields: order counts.
  Node c = MakeNode(), d = MakeNode();
  c.mutable_status()->add_conditions()->set_type("MemoryPressure");
  d.mutable_status()->mutable_conditions()->Add()->set_type("MemoryPressure");
  d.mutable_status()->mutable_conditions()->SwapElements(0, 1);
  ExpectAgree(c, d, false);

  // A string set to "" is no field at all; a message field set empty is one.
  Node e = MakeNode(), f = MakeNode();
  e.mutable_metadata()->set_uid("");
  ExpectAgree(e, f, true);
  e.mutable_spec();
  ExpectAgree(e, f, false);
}

}  // namespace
}  // namespace lpv::api
