// Hostnames numbered densely, so that what is kept by host can be an array. For every node
// it filters, the scheduler asks whether a free PV is pinned to the node's hostname. With
// the hostname numbered once, when the node or the PV is cached, that question is an array
// read instead of a string hash and compare in a table as big as the cluster, which missed
// the processor's cache on every node.
//
// Numbers are given on first sight and never reused: a hostname that goes and comes back
// keeps its number. Thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lpv::scheduler {

class HostSlots {
 public:
  using Slot = uint32_t;
  // No hostname: a node without the kubernetes.io/hostname label, or one never numbered.
  static constexpr Slot kNone = std::numeric_limits<Slot>::max();

  // The hostname's number, given now if it has none; kNone for "".
  Slot Intern(const std::string& hostname);
  // The hostname's number, or kNone if it has none yet.
  Slot Find(const std::string& hostname) const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Slot> slots_;
};

}  // namespace lpv::scheduler
