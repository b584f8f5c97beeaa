#include "apiserver/pod_trigger.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include "api/objects.pb.h"

namespace lpv::apiserver {

namespace {

using google::protobuf::internal::WireFormatLite;

constexpr uint32_t kSpecTag = WireFormatLite::MakeTag(
    api::Pod::kSpecFieldNumber, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
constexpr uint32_t kNodeNameTag = WireFormatLite::MakeTag(
    api::PodSpec::kNodeNameFieldNumber, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);

// Reads the fields of a PodSpec up to the stream's current limit, leaving its last nodeName
// in `node` (a parse keeps the last value of a repeated scalar). False on malformed bytes.
bool ScanSpec(google::protobuf::io::CodedInputStream* in, std::string* node) {
  while (uint32_t tag = in->ReadTag()) {
    if (tag == kNodeNameTag) {
      if (!WireFormatLite::ReadString(in, node)) return false;
    } else if (!WireFormatLite::SkipField(in, tag)) {
      return false;
    }
  }
  return in->ConsumedEntireMessage();
}

}  // namespace

std::string PodNodeNameTrigger(std::string_view stored) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(stored.data()),
                                            static_cast<int>(stored.size()));
  std::string node;
  while (uint32_t tag = in.ReadTag()) {
    if (tag == kSpecTag) {
      // A spec that occurs more than once is merged by a parse: its nodeName is the last one
      // any occurrence carries, which scanning each in turn also leaves.
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) return "";
      auto limit = in.PushLimit(static_cast<int>(length));
      if (!ScanSpec(&in, &node)) return "";
      in.PopLimit(limit);
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return "";
    }
  }
  return in.ConsumedEntireMessage() ? node : "";
}

}  // namespace lpv::apiserver
