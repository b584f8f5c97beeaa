#include "kubelet-fake/admin.h"

#include <algorithm>

namespace lpv::kubelet {

namespace {

Status Usage(const std::string& message) { return Status::BadRequest(message); }

// Splits --flag value / --flag=value out of args.
Status ParseFlags(const std::vector<std::string>& args, AdminOptions* opts,
                  std::vector<std::string>* positional) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.compare(0, 2, "--") != 0) {
      positional->push_back(a);
      continue;
    }
    std::string flag = a.substr(2), value;
    bool has_value = false;
    if (auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_value = true;
    }
    if (flag != "size" && flag != "name") return Usage("unknown flag: --" + flag);
    if (!has_value) {
      if (i + 1 >= args.size()) return Usage("flag needs an argument: --" + flag);
      value = args[++i];
    }
    (flag == "size" ? opts->size : opts->name) = value;
  }
  return Status::OK();
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.resize(width, ' ');
  return s;
}

Result<std::string> NodeVerb(Fleet& fleet, const std::vector<std::string>& args) {
  if (args.empty()) return Usage("usage: lpv node add|stop|start NAME");
  const std::string& sub = args[0];
  if (sub != "add" && sub != "stop" && sub != "start") {
    return Usage("unknown command \"" + sub + "\" for \"lpv node\"");
  }
  if (args.size() != 2) return Usage("usage: lpv node " + sub + " NAME");
  const std::string& name = args[1];
  Status s = sub == "add" ? fleet.AddNode(name)
             : sub == "stop" ? fleet.StopNode(name)
                             : fleet.StartNode(name);
  if (!s.ok()) return s;
  const char* done = sub == "add" ? "added" : sub == "stop" ? "stopped" : "started";
  return "node/" + name + " " + done + "\n";
}

Result<std::string> DiskVerb(Fleet& fleet, const std::vector<std::string>& args,
                             const AdminOptions& opts) {
  if (args.empty()) return Usage("usage: lpv disk add|remove|list NODE ...");
  const std::string& sub = args[0];
  if (sub == "add") {
    if (args.size() != 2) return Usage("usage: lpv disk add NODE [--size SIZE] [--name NAME]");
    auto disk = fleet.AddDisk(args[1], opts.size, opts.name);
    if (!disk.ok()) return disk.status();
    return "disk " + disk->path + " added to " + args[1] + " (" + disk->capacity.String() +
           ")\n";
  }
  if (sub == "remove") {
    if (args.size() != 3) return Usage("usage: lpv disk remove NODE PATH");
    auto disk = fleet.RemoveDisk(args[1], args[2]);
    if (!disk.ok()) return disk.status();
    return "disk " + disk->path + " removed from " + args[1] + "\n";
  }
  if (sub == "list") {
    if (args.size() > 2) return Usage("usage: lpv disk list [NODE]");
    std::vector<std::string> nodes =
        args.size() == 2 ? std::vector<std::string>{args[1]} : fleet.Nodes();
    std::vector<std::vector<std::string>> rows;
    for (const auto& n : nodes) {
      auto disks = fleet.ListDisks(n);
      if (!disks.ok()) return disks.status();
      for (const auto& d : *disks) rows.push_back({n, d.path, d.capacity.String()});
    }
    if (rows.empty()) return std::string("No resources found\n");
    std::vector<size_t> width = {4, 4, 8};  // NODE PATH CAPACITY
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    std::string out = Pad("NODE", width[0] + 3) + Pad("PATH", width[1] + 3) + "CAPACITY\n";
    for (const auto& r : rows) out += Pad(r[0], width[0] + 3) + Pad(r[1], width[1] + 3) + r[2] + "\n";
    return out;
  }
  return Usage("unknown command \"" + sub + "\" for \"lpv disk\"");
}

}  // namespace

Result<std::string> HandleAdmin(Fleet& fleet, const std::string& verb,
                                const std::vector<std::string>& args,
                                const AdminOptions& options) {
  AdminOptions opts = options;
  std::vector<std::string> positional;
  Status s = ParseFlags(args, &opts, &positional);
  if (!s.ok()) return s;
  if (verb == "node") {
    if (!opts.size.empty() || !opts.name.empty()) return Usage("lpv node takes no flags");
    return NodeVerb(fleet, positional);
  }
  if (verb == "disk") return DiskVerb(fleet, positional, opts);
  return Usage("unknown command \"" + verb + "\" for \"lpv\"");
}

}  // namespace lpv::kubelet
