#include "rest/tables.h"

#include "cmd/printers.h"

namespace lpv::rest {

std::optional<std::string> TableRequested(const std::string& accept) {
  // The first acceptable type wins; kubectl lists v1, then v1beta1, then plain JSON.
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string type = accept.substr(start, comma == std::string::npos ? std::string::npos
                                                                        : comma - start);
    if (type.find("as=Table") != std::string::npos &&
        type.find("g=meta.k8s.io") != std::string::npos) {
      if (type.find("v=v1beta1") != std::string::npos) return "meta.k8s.io/v1beta1";
      if (type.find("v=v1") != std::string::npos) return "meta.k8s.io/v1";
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return std::nullopt;
}

api::Json TableJson(const std::string& kind,
                    const std::vector<const google::protobuf::Message*>& objects,
                    const std::string& table_api_version, const std::string& include_object,
                    std::chrono::system_clock::time_point now) {
  cmd::PrintOptions options;
  options.wide = true;
  options.now = now;
  cmd::TableData data = cmd::BuildTable(kind, objects, options);
  api::Json j;
  j["kind"] = "Table";
  j["apiVersion"] = table_api_version;
  j["metadata"] = api::Json::object();
  j["columnDefinitions"] = api::Json::array();
  for (size_t i = 0; i < data.columns.size(); ++i) {
    api::Json c;
    c["name"] = data.columns[i].name;
    c["type"] = "string";
    c["format"] = i == 0 && data.columns[i].name == "Name" ? "name" : "";
    c["description"] = "";
    c["priority"] = data.columns[i].wide ? 1 : 0;
    j["columnDefinitions"].push_back(c);
  }
  j["rows"] = api::Json::array();
  for (size_t r = 0; r < data.rows.size(); ++r) {
    api::Json row;
    row["cells"] = data.rows[r];
    const google::protobuf::Message& obj = *objects[data.objects[r]];
    if (include_object == "Object") {
      row["object"] = api::ToJson(obj);
    } else if (include_object != "None") {
      api::Json partial;
      partial["kind"] = "PartialObjectMetadata";
      partial["apiVersion"] = table_api_version;
      api::Json full = api::ToJson(obj);
      partial["metadata"] = full.contains("metadata") ? full["metadata"] : api::Json::object();
      row["object"] = partial;
    }
    j["rows"].push_back(row);
  }
  return j;
}

}  // namespace lpv::rest
