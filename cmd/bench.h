// `lpv bench WORKLOAD`: the performance workloads of issue 7 (B1 ... B14), each printing its
// figures and the machine's core count. Writes are durable (synced) unless `sync` is false.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace lpv::cmd {

struct BenchOptions {
  std::string workload;  // B1 B2 B3 B4 B4s B5 B7 B11 B14
  bool sync = true;      // --unsafe-no-fsync turns it off
  int runs = 1;          // repeat and print the median
  bool tiny = false;     // a tiny size, for the test command: never rots, measures nothing
  int nodes = 0;         // override the workload's node count (0 = the issue's)
  std::vector<int> sizes;  // B4s: the node counts to run (empty = 100, 1,000 and 5,000)
  std::string plot;      // B4s: write an SVG of pods/s against node count here
};

int Bench(const BenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace lpv::cmd
