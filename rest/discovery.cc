#include "rest/discovery.h"

#include <set>

#include "api/scheme.h"

namespace lpv::rest {
namespace {

api::Json Verbs(std::initializer_list<const char*> verbs) {
  api::Json j = api::Json::array();
  for (const char* v : verbs) j.push_back(v);
  return j;
}

// Groups in the order they are first met in the scheme, the core group left out.
std::vector<std::string> Groups() {
  std::vector<std::string> groups;
  std::set<std::string> seen;
  for (const auto& k : api::AllKinds()) {
    if (!k.group.empty() && seen.insert(k.group).second) groups.push_back(k.group);
  }
  return groups;
}

}  // namespace

api::Json VersionJson() {
  // The Kubernetes API version lpv's objects follow (see the gRPC Info call).
  api::Json j;
  j["major"] = "1";
  j["minor"] = "29";
  j["gitVersion"] = "v1.29.0-lpv";
  j["gitCommit"] = "";
  j["gitTreeState"] = "clean";
  j["buildDate"] = "";
  j["goVersion"] = "";
  j["compiler"] = "lpv";
  j["platform"] = "linux/amd64";
  return j;
}

api::Json CoreVersionsJson(const std::string& server_address) {
  api::Json j;
  j["kind"] = "APIVersions";
  j["versions"] = api::Json::array({"v1"});
  api::Json cidr;
  cidr["clientCIDR"] = "0.0.0.0/0";
  cidr["serverAddress"] = server_address;
  j["serverAddressByClientCIDRs"] = api::Json::array({cidr});
  return j;
}

api::Json GroupListJson() {
  api::Json j;
  j["kind"] = "APIGroupList";
  j["apiVersion"] = "v1";
  j["groups"] = api::Json::array();
  for (const auto& g : Groups()) {
    api::Json gv;
    gv["groupVersion"] = g + "/v1";
    gv["version"] = "v1";
    api::Json group;
    group["name"] = g;
    group["versions"] = api::Json::array({gv});
    group["preferredVersion"] = gv;
    j["groups"].push_back(group);
  }
  return j;
}

std::optional<api::Json> ResourceListJson(const std::string& group, const std::string& version) {
  if (version != "v1") return std::nullopt;
  bool served = group.empty();
  for (const auto& g : Groups()) served = served || g == group;
  if (!served) return std::nullopt;
  api::Json j;
  j["kind"] = "APIResourceList";
  j["apiVersion"] = "v1";
  j["groupVersion"] = group.empty() ? "v1" : group + "/v1";
  j["resources"] = api::Json::array();
  for (const auto& k : api::AllKinds()) {
    if (k.group != group) continue;
    api::Json r;
    r["name"] = k.resource;
    r["singularName"] = k.singular;
    r["namespaced"] = k.namespaced;
    r["kind"] = k.kind;
    r["verbs"] = Verbs({"create", "delete", "get", "list", "patch", "update", "watch"});
    if (!k.short_names.empty()) r["shortNames"] = k.short_names;
    j["resources"].push_back(r);
    if (k.has_status) {
      api::Json s;
      s["name"] = k.resource + "/status";
      s["singularName"] = "";
      s["namespaced"] = k.namespaced;
      s["kind"] = k.kind;
      s["verbs"] = Verbs({"get", "patch", "update"});
      j["resources"].push_back(s);
    }
    if (k.kind == "Pod") {
      api::Json b;
      b["name"] = "pods/binding";
      b["singularName"] = "";
      b["namespaced"] = true;
      b["kind"] = "Binding";
      b["verbs"] = Verbs({"create"});
      j["resources"].push_back(b);
    }
  }
  return j;
}

}  // namespace lpv::rest
