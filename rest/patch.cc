#include "rest/patch.h"

#include <map>

namespace lpv::rest {
namespace {

using api::Json;

// Lists merged item by item, keyed by field name (Kubernetes: patchStrategy:"merge" with
// a patchMergeKey on the field's Go struct).
const std::map<std::string, std::string>& MergeKeys() {
  static const auto* keys = new std::map<std::string, std::string>{
      {"containers", "name"},        {"initContainers", "name"},
      {"ephemeralContainers", "name"}, {"volumes", "name"},
      {"volumeMounts", "mountPath"}, {"volumeDevices", "devicePath"},
      {"env", "name"},               {"ports", "containerPort"},
      {"conditions", "type"},        {"addresses", "type"},
      {"ownerReferences", "uid"},    {"imagePullSecrets", "name"},
      {"hostAliases", "ip"},         {"topologySpreadConstraints", "topologyKey"},
      {"resourceClaims", "name"},
  };
  return *keys;
}

// Lists of scalars merged as sets (patchStrategy:"merge" without a key).
bool IsPrimitiveMergeList(const std::string& field) { return field == "finalizers"; }

const char kDirective[] = "$patch";
const char kRetainKeys[] = "$retainKeys";
const char kSetOrder[] = "$setElementOrder/";
const char kDeleteFromPrimitive[] = "$deleteFromPrimitiveList/";

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

Result<Json> MergeMap(const Json& original, const Json& patch);

// Orders `list` (items with `key`) as `order` names them; items it does not name keep
// their relative order after the named ones.
Json ApplyOrder(const Json& list, const Json& order, const std::string& key) {
  Json out = Json::array();
  std::vector<bool> used(list.size(), false);
  for (const auto& o : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (used[i]) continue;
      bool same = key.empty() ? list[i] == o
                              : (list[i].is_object() && o.is_object() && list[i].contains(key) &&
                                 o.contains(key) && list[i][key] == o[key]);
      if (same) {
        out.push_back(list[i]);
        used[i] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!used[i]) out.push_back(list[i]);
  }
  return out;
}

Result<Json> MergeList(const Json& original, const Json& patch, const std::string& key) {
  Json result = original.is_array() ? original : Json::array();
  // A list-level {"$patch": "replace"} item replaces the whole list with the other items.
  for (const auto& item : patch) {
    if (item.is_object() && item.contains(kDirective) && item[kDirective] == "replace") {
      Json out = Json::array();
      for (const auto& i : patch) {
        if (!(i.is_object() && i.contains(kDirective))) out.push_back(i);
      }
      return out;
    }
  }
  for (const auto& item : patch) {
    if (!item.is_object() || !item.contains(key)) {
      return Status::BadRequest("map: " + item.dump() + " does not contain declared merge key: " +
                                key);
    }
    auto it = std::find_if(result.begin(), result.end(), [&](const Json& o) {
      return o.is_object() && o.contains(key) && o[key] == item[key];
    });
    if (item.contains(kDirective)) {
      std::string d = item[kDirective].is_string() ? item[kDirective].get<std::string>() : "";
      if (d == "delete") {
        if (it != result.end()) result.erase(it);
        continue;
      }
      if (d != "merge" && d != "replace") {
        return Status::BadRequest("Unknown patch type: " + d + " in map: " + item.dump());
      }
    }
    if (it == result.end()) {
      Json added = item;
      added.erase(kDirective);
      result.push_back(added);
    } else {
      auto merged = MergeMap(*it, item);
      if (!merged.ok()) return merged.status();
      *it = *merged;
    }
  }
  return result;
}

Result<Json> MergeMap(const Json& original, const Json& patch) {
  if (!patch.is_object()) return patch;
  if (patch.contains(kDirective)) {
    std::string d = patch[kDirective].is_string() ? patch[kDirective].get<std::string>() : "";
    if (d == "replace") {
      Json out = patch;
      out.erase(kDirective);
      return out;
    }
    if (d == "delete") return Json();  // the caller removes a null
    if (d != "merge") return Status::BadRequest("Unknown patch type: " + d + " in map: " + patch.dump());
  }
  Json result = original.is_object() ? original : Json::object();
  std::map<std::string, Json> orders;
  for (const auto& [k, v] : patch.items()) {
    if (k == kDirective || k == kRetainKeys) continue;
    if (StartsWith(k, kSetOrder)) {
      orders[k.substr(sizeof(kSetOrder) - 1)] = v;
      continue;
    }
    if (StartsWith(k, kDeleteFromPrimitive)) {
      std::string field = k.substr(sizeof(kDeleteFromPrimitive) - 1);
      if (result.contains(field) && result[field].is_array() && v.is_array()) {
        Json kept = Json::array();
        for (const auto& e : result[field]) {
          if (std::find(v.begin(), v.end(), e) == v.end()) kept.push_back(e);
        }
        result[field] = kept;
      }
      continue;
    }
    if (v.is_null()) {
      result.erase(k);
      continue;
    }
    const Json& cur = result.contains(k) ? result[k] : Json();
    if (v.is_object()) {
      auto merged = MergeMap(cur, v);
      if (!merged.ok()) return merged.status();
      if (merged->is_null()) {
        result.erase(k);
      } else {
        result[k] = *merged;
      }
    } else if (v.is_array() && MergeKeys().count(k)) {
      auto merged = MergeList(cur, v, MergeKeys().at(k));
      if (!merged.ok()) return merged.status();
      result[k] = *merged;
    } else if (v.is_array() && IsPrimitiveMergeList(k)) {
      Json merged = cur.is_array() ? cur : Json::array();
      for (const auto& e : v) {
        if (std::find(merged.begin(), merged.end(), e) == merged.end()) merged.push_back(e);
      }
      result[k] = merged;
    } else {
      result[k] = v;
    }
  }
  for (const auto& [field, order] : orders) {
    if (!result.contains(field) || !result[field].is_array()) continue;
    auto key = MergeKeys().find(field);
    result[field] = ApplyOrder(result[field], order, key == MergeKeys().end() ? "" : key->second);
  }
  // $retainKeys: the fields of this map not listed are cleared (a union's other members).
  if (patch.contains(kRetainKeys) && patch[kRetainKeys].is_array()) {
    const Json& keep = patch[kRetainKeys];
    Json kept = Json::object();
    for (const auto& [k, v] : result.items()) {
      if (std::find(keep.begin(), keep.end(), k) != keep.end()) kept[k] = v;
    }
    result = kept;
  }
  return result;
}

}  // namespace

std::optional<ListPatchStrategy> ListPatchStrategyOf(const std::string& field) {
  if (IsPrimitiveMergeList(field)) return ListPatchStrategy{"merge", ""};
  auto key = MergeKeys().find(field);
  if (key == MergeKeys().end()) return std::nullopt;
  // A pod's volumes also retain keys: kubectl's apply sends $retainKeys for each volume so
  // that switching its source (emptyDir -> persistentVolumeClaim) drops the old one.
  return ListPatchStrategy{field == "volumes" ? "merge,retainKeys" : "merge", key->second};
}

Result<Json> StrategicMerge(const Json& original, const Json& patch) {
  if (!patch.is_object()) {
    return Status::BadRequest("unable to find api field in struct for the patch: not an object");
  }
  return MergeMap(original, patch);
}

Result<Json> ApplyPatch(const Json& original, const std::string& content_type,
                        const std::string& patch_text) {
  std::string type = content_type.substr(0, content_type.find(';'));
  Json patch = Json::parse(patch_text, nullptr, false);
  if (patch.is_discarded()) {
    return Status::BadRequest("error decoding patch: invalid JSON");
  }
  try {
    if (type == kMergePatch) {
      Json out = original;
      out.merge_patch(patch);
      return out;
    }
    if (type == kJsonPatch) {
      if (!patch.is_array()) {
        return Status::BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
      }
      return original.patch(patch);
    }
  } catch (const std::exception& e) {
    return Status::Make(Reason::Invalid, std::string("the server rejected our request due to an "
                                                     "error in our request: ") + e.what());
  }
  if (type == kStrategicMergePatch) return StrategicMerge(original, patch);
  return Status::BadRequest("the body of the request was in an unknown format - accepted media "
                            "types include: application/json-patch+json, "
                            "application/merge-patch+json, "
                            "application/strategic-merge-patch+json");
}

}  // namespace lpv::rest
