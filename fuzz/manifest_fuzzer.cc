// Manifest decoding (what `lpv apply -f` reads): YAML or JSON, one or many documents.
// Anything decoded must encode again, and its JSON must decode to the same object, so a
// manifest read back from `get -o json` is the manifest that was stored.
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> warnings;
  auto decoded = lpv::api::DecodeManifests(text, "fuzz.yaml", &warnings);
  if (!decoded.ok()) {
    (void)decoded.status().ToString();
    return 0;
  }
  for (const auto& d : *decoded) {
    std::string json = lpv::api::ToJsonString(*d.object);
    (void)lpv::api::ToYamlString(*d.object);
    std::unique_ptr<google::protobuf::Message> again(d.object->New());
    std::vector<std::string> again_warnings;
    lpv::Status s = lpv::api::DecodeObject(json, again.get(), &again_warnings);
    if (!s.ok() || !google::protobuf::util::MessageDifferencer::Equals(*d.object, *again)) {
      std::cerr << "round trip failed: " << s.ToString() << "\n" << json << "\n";
      std::abort();
    }
  }
  return 0;
}
