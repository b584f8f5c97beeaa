// The store trigger for pods (store::Store::SetTrigger): spec.nodeName, read from a stored
// pod's bytes.
#pragma once

#include <string>
#include <string_view>

namespace lpv::apiserver {

// spec.nodeName of the pod whose wire bytes are `stored`, as decoding the pod would give it
// ("" when it has none, or the bytes are not a well-formed message). The store runs it for every pod write,
// on the new and the previous value, inside its commit (under the write lock), so it skips
// over every other field instead of decoding the whole pod.
std::string PodNodeNameTrigger(std::string_view stored);

}  // namespace lpv::apiserver
