// The admin verbs of the simulated machines, as the server's admin handler runs them:
//
//   lpv node add NAME              node/NAME added
//   lpv node stop NAME             node/NAME stopped
//   lpv node start NAME            node/NAME started
//   lpv disk add NODE [--size SIZE] [--name NAME]
//                                  disk /mnt/disks/vol2 added to NODE (368Gi)
//   lpv disk remove NODE PATH      disk /mnt/disks/vol2 removed from NODE
//   lpv disk list [NODE]           NODE  PATH  CAPACITY table
//
// Errors are Kubernetes-style Status values: NotFound for an unknown node or disk
// (`nodes "node-9" not found`), AlreadyExists, Invalid for a bad node name, BadRequest for
// a bad size or usage.
#pragma once

#include <string>
#include <vector>

#include "api/status.h"
#include "kubelet-fake/fleet.h"

namespace lpv::kubelet {

// Flags of the verbs; they may also be given inside `args` ("--size", "1Ti" or
// "--size=1Ti"), which is what a CLI forwarding its argv does.
struct AdminOptions {
  std::string size;  // disk add: the disk's size (default: the fleet's)
  std::string name;  // disk add: the disk's name under /mnt/disks (default: the next volN)
};

// `verb` is "node" or "disk"; `args` the rest ("add", "node-4"). Returns the output, one
// line per result, ending in a newline.
Result<std::string> HandleAdmin(Fleet& fleet, const std::string& verb,
                                const std::vector<std::string>& args,
                                const AdminOptions& options = {});

}  // namespace lpv::kubelet
