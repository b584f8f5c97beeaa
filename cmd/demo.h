// `lpv demo`: the article's walkthrough, narrated, on a fresh embedded cluster.
#pragma once

#include <iosfwd>
#include <string>

namespace lpv::cmd {

struct DemoOptions {
  double pace_seconds = 0;  // pause between steps, for a live class
  std::string keep_dir;     // leave the cluster's data here (empty: a temporary dir)
};

int Demo(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace lpv::cmd
