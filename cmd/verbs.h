// The client verbs of `lpv`, as kubectl's: each takes a client and the parsed flags,
// writes what kubectl would to `out` and `err`, and returns the exit code.
#pragma once

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "client/client.h"

namespace lpv::cmd {

struct Streams {
  std::ostream& out;
  std::ostream& err;
  std::istream& in;
};

struct ApplyOptions {
  std::vector<std::string> files;  // files, directories (their *.yaml/*.yml/*.json) or "-"
  std::string ns;                  // -n; empty = the object's own or "default"
  bool dry_run = false;
  // --validate: "strict"/"true"/"warn" check apiVersion and kind before decoding (kubectl's
  // client-side part), "ignore"/"false" leave it to the decoder.
  std::string validate = "strict";
};
int Apply(client::Client& c, const ApplyOptions& o, Streams s);

struct GetOptions {
  std::string kind;
  std::vector<std::string> names;
  std::string output;  // "", wide, json, yaml, name
  std::string ns = "default";
  bool all_namespaces = false;
  std::string selector;        // -l
  std::string field_selector;  // --field-selector
  bool watch = false;          // -w
  bool no_headers = false;
  // -w ends after this many events (0 = until interrupted); for scripts and tests.
  int watch_events = 0;
};
int Get(client::Client& c, const GetOptions& o, Streams s);

struct DescribeOptions {
  std::string kind;
  std::vector<std::string> names;  // none: every object of the kind
  std::string ns = "default";
  std::string selector;
};
int Describe(client::Client& c, const DescribeOptions& o, Streams s);

struct DeleteOptions {
  std::string kind;
  std::vector<std::string> names;
  std::vector<std::string> files;  // -f
  std::string ns = "default";
  bool wait = true;  // as kubectl: wait until the object is gone (finalizers)
  std::chrono::seconds timeout{0};  // 0 = wait as long as it takes
  std::optional<int64_t> grace_period;
  bool ignore_not_found = false;
  // kubectl's --cascade: background, orphan or foreground; the booleans of kubectl before
  // 1.20 still work, with kubectl's deprecation warning (true = background, false = orphan).
  std::string cascade = "background";
};
int Delete(client::Client& c, const DeleteOptions& o, Streams s);

struct EventsOptions {
  std::string ns = "default";
  bool all_namespaces = false;
  std::string for_object;  // --for kind/name
  std::string output;
  bool watch = false;
  int watch_events = 0;
};
int Events(client::Client& c, const EventsOptions& o, Streams s);

}  // namespace lpv::cmd
