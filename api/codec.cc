#include "api/codec.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>

#include "api/scheme.h"

namespace lpv::api {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

namespace {

std::string JsonTypeName(const Json& j) {
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "bool";
  if (j.is_number()) return "number";
  if (j.is_array()) return "array";
  if (j.is_object()) return "object";
  return "null";
}

// The Go type a Kubernetes decoder would name for this field.
std::string GoTypeName(const FD* field, bool element = false) {
  if (field->is_map()) return "map[string]string";
  if (field->is_repeated() && !element) return "[]" + GoTypeName(field, true);
  switch (field->cpp_type()) {
    case FD::CPPTYPE_STRING: return "string";
    case FD::CPPTYPE_INT32: return "int32";
    case FD::CPPTYPE_INT64: return "int64";
    case FD::CPPTYPE_BOOL: return "bool";
    case FD::CPPTYPE_MESSAGE: return field->message_type()->name();
    default: return "value";
  }
}

Status TypeError(const Json& j, const pb::Descriptor* parent, const std::string& path,
                 const FD* field, bool element = false) {
  return Status::BadRequest("json: cannot unmarshal " + JsonTypeName(j) +
                            " into Go struct field " + parent->name() + "." + path +
                            " of type " + GoTypeName(field, element));
}

// Go's encoding/json writes invalid UTF-8 as U+FFFD; nlohmann would throw instead. Input is
// checked on the way in, but objects built in process (flags, generated names) are not.
template <typename J>
std::string Dump(const J& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string NumberText(const Json& j) {
  if (j.is_number_integer()) return std::to_string(j.get<int64_t>());
  if (j.is_number_unsigned()) return std::to_string(j.get<uint64_t>());
  double d = j.get<double>();
  if (std::floor(d) == d && std::fabs(d) < 9e15) return std::to_string(static_cast<int64_t>(d));
  return Dump(j);
}

Status SetScalar(const Json& j, pb::Message* msg, const FD* field, const std::string& path,
                 const pb::Descriptor* parent, bool quantity, bool repeated) {
  const pb::Reflection* r = msg->GetReflection();
  switch (field->cpp_type()) {
    case FD::CPPTYPE_STRING: {
      std::string v;
      if (j.is_string()) {
        v = j.get<std::string>();
      } else if (quantity && j.is_number()) {
        v = NumberText(j);
      } else {
        return TypeError(j, parent, path, field, repeated);
      }
      repeated ? r->AddString(msg, field, v) : r->SetString(msg, field, v);
      return Status::OK();
    }
    case FD::CPPTYPE_INT32:
    case FD::CPPTYPE_INT64: {
      int64_t v = 0;
      if (j.is_number_integer() || j.is_number_unsigned()) {
        v = j.get<int64_t>();
      } else if (j.is_number_float() && std::floor(j.get<double>()) == j.get<double>()) {
        v = static_cast<int64_t>(j.get<double>());
      } else {
        return TypeError(j, parent, path, field, repeated);
      }
      if (field->cpp_type() == FD::CPPTYPE_INT32) {
        if (v > INT32_MAX || v < INT32_MIN) {
          return Status::BadRequest("json: cannot unmarshal number " + NumberText(j) +
                                    " into Go struct field " + parent->name() + "." + path +
                                    " of type int32");
        }
        repeated ? r->AddInt32(msg, field, static_cast<int32_t>(v))
                 : r->SetInt32(msg, field, static_cast<int32_t>(v));
      } else {
        repeated ? r->AddInt64(msg, field, v) : r->SetInt64(msg, field, v);
      }
      return Status::OK();
    }
    case FD::CPPTYPE_BOOL:
      if (!j.is_boolean()) return TypeError(j, parent, path, field, repeated);
      repeated ? r->AddBool(msg, field, j.get<bool>()) : r->SetBool(msg, field, j.get<bool>());
      return Status::OK();
    default:
      return Status::Internal("unsupported field type at " + path);
  }
}

// json_name carries Kubernetes' spelling where it differs from lowerCamel (podIP).
const FD* FieldByJsonName(const pb::Descriptor* desc, const std::string& key) {
  for (int i = 0; i < desc->field_count(); ++i) {
    if (desc->field(i)->json_name() == key) return desc->field(i);
  }
  return nullptr;
}

Status Decode(const Json& json, pb::Message* msg, const std::string& prefix,
              std::vector<std::string>* warnings) {
  const pb::Descriptor* desc = msg->GetDescriptor();
  const pb::Reflection* r = msg->GetReflection();
  if (json.is_null()) return Status::OK();
  if (!json.is_object()) {
    return Status::BadRequest("json: cannot unmarshal " + JsonTypeName(json) +
                              " into Go value of type " + desc->name() +
                              (prefix.empty() ? "" : " (field " + prefix + ")"));
  }
  for (auto it = json.begin(); it != json.end(); ++it) {
    const std::string& key = it.key();
    const Json& val = it.value();
    std::string path = prefix.empty() ? key : prefix + "." + key;
    const FD* field = FieldByJsonName(desc, key);
    if (field == nullptr) {
      if (warnings) warnings->push_back("unknown field \"" + path + "\"");
      continue;
    }
    if (val.is_null()) continue;
    if (field->is_map()) {
      if (!val.is_object()) return TypeError(val, desc, path, field);
      const FD* vf = field->message_type()->FindFieldByNumber(2);
      for (auto mit = val.begin(); mit != val.end(); ++mit) {
        pb::Message* entry = r->AddMessage(msg, field);
        entry->GetReflection()->SetString(entry, field->message_type()->FindFieldByNumber(1),
                                          mit.key());
        Status s = SetScalar(mit.value(), entry, vf, path + "[" + mit.key() + "]", desc,
                             IsQuantityField(field), false);
        if (!s.ok()) return s;
      }
    } else if (field->is_repeated()) {
      if (!val.is_array()) return TypeError(val, desc, path, field);
      for (size_t i = 0; i < val.size(); ++i) {
        const Json& el = val[i];
        std::string ep = path + "[" + std::to_string(i) + "]";
        if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
          if (!el.is_object() && !el.is_null()) return TypeError(el, desc, ep, field, true);
          Status s = Decode(el, r->AddMessage(msg, field), ep, warnings);
          if (!s.ok()) return s;
        } else {
          Status s = SetScalar(el, msg, field, ep, desc, false, true);
          if (!s.ok()) return s;
        }
      }
    } else if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (!val.is_object()) return TypeError(val, desc, path, field);
      Status s = Decode(val, r->MutableMessage(msg, field), path, warnings);
      if (!s.ok()) return s;
    } else {
      Status s = SetScalar(val, msg, field, path, desc, IsQuantityField(field), false);
      if (!s.ok()) return s;
    }
  }
  return Status::OK();
}

Json ScalarJson(const pb::Message& msg, const FD* field, int index) {
  const pb::Reflection* r = msg.GetReflection();
  bool rep = index >= 0;
  switch (field->cpp_type()) {
    case FD::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(msg, field, index) : r->GetString(msg, field);
    case FD::CPPTYPE_INT32:
      return rep ? r->GetRepeatedInt32(msg, field, index) : r->GetInt32(msg, field);
    case FD::CPPTYPE_INT64:
      return rep ? r->GetRepeatedInt64(msg, field, index) : r->GetInt64(msg, field);
    case FD::CPPTYPE_BOOL:
      return rep ? r->GetRepeatedBool(msg, field, index) : r->GetBool(msg, field);
    default:
      return nullptr;
  }
}

bool IsDefaultScalar(const Json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().empty();
  if (j.is_boolean()) return !j.get<bool>();
  if (j.is_number()) return j == 0;
  return j.is_null();
}

// ---- YAML ----

bool NeedsQuotes(const std::string& s) {
  if (s.empty()) return true;
  static const std::regex special(
      "^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|"
      "off|Off|OFF|y|Y|n|N|[-+]?[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?|"
      "[-+]?\\.[0-9]+([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\\.(inf|Inf|INF)|"
      "\\.(nan|NaN|NAN))$");
  if (std::regex_match(s, special)) return true;
  // YAML 1.1 timestamps, which kubectl quotes ("2026-11-25T14:48:52Z").
  static const std::regex timestamp("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$");
  if (std::regex_match(s, timestamp)) return true;
  if (std::string("-?:,[]{}#&*!|>'\"%@`").find(s[0]) != std::string::npos) return true;
  if (s.front() == ' ' || s.back() == ' ') return true;
  if (s.find(": ") != std::string::npos || s.find(" #") != std::string::npos) return true;
  if (s.back() == ':') return true;
  for (char c : s) {
    if (c == '\n' || c == '\t' || c == '\r' || static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

std::string YamlScalar(const nlohmann::json& j) {
  if (j.is_string()) {
    const std::string& s = j.get_ref<const std::string&>();
    if (!NeedsQuotes(s)) return s;
    return Dump(nlohmann::json(s));  // JSON string syntax is valid YAML double-quoted
  }
  if (j.is_null()) return "null";
  return Dump(j);
}

void EmitYaml(const nlohmann::json& j, int indent, std::string* out);

void EmitYamlValue(const nlohmann::json& v, int indent, std::string* out) {
  if (v.is_object() && !v.empty()) {
    *out += "\n";
    EmitYaml(v, indent + 2, out);
  } else if (v.is_array() && !v.empty()) {
    *out += "\n";
    EmitYaml(v, indent, out);  // kubectl puts "- " at the parent key's indentation
  } else if (v.is_object()) {
    *out += " {}\n";
  } else if (v.is_array()) {
    *out += " []\n";
  } else {
    *out += " " + YamlScalar(v) + "\n";
  }
}

void EmitYaml(const nlohmann::json& j, int indent, std::string* out) {
  std::string pad(indent, ' ');
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string key = NeedsQuotes(it.key()) ? Dump(nlohmann::json(it.key())) : it.key();
      *out += pad + key + ":";
      EmitYamlValue(it.value(), indent, out);
    }
  } else if (j.is_array()) {
    for (const auto& el : j) {
      if (el.is_object() && !el.empty()) {
        // First key on the dash line, the rest aligned under it.
        std::string sub;
        EmitYaml(el, indent + 2, &sub);
        sub.replace(indent, 2, "- ");
        *out += sub;
      } else if (el.is_array() && !el.empty()) {
        std::string sub;
        EmitYaml(el, indent + 2, &sub);
        sub.replace(indent, 2, "- ");
        *out += sub;
      } else {
        *out += pad + "-";
        EmitYamlValue(el, indent, out);
      }
    }
  } else {
    *out += pad + YamlScalar(j) + "\n";
  }
}

// Plain YAML scalars resolve as go-yaml (sigs.k8s.io/yaml) resolves them; quoted ones stay
// strings.
Json ResolvePlainScalar(const std::string& s) {
  static const std::regex null_re("^(~|null|Null|NULL|)$");
  static const std::regex true_re("^(true|True|TRUE|yes|Yes|YES|on|On|ON|y|Y)$");
  static const std::regex false_re("^(false|False|FALSE|no|No|NO|off|Off|OFF|n|N)$");
  static const std::regex int_re("^[-+]?(0|[1-9][0-9_]*)$");
  static const std::regex float_re("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (std::regex_match(s, null_re)) return nullptr;
  if (std::regex_match(s, true_re)) return true;
  if (std::regex_match(s, false_re)) return false;
  if (std::regex_match(s, int_re)) {
    std::string digits;
    for (char c : s) {
      if (c != '_') digits += c;
    }
    try {
      return static_cast<int64_t>(std::stoll(digits));
    } catch (...) {
      return s;
    }
  }
  if (std::regex_match(s, float_re)) {
    try {
      return std::stod(s);
    } catch (...) {
      return s;
    }
  }
  return s;
}

Result<Json> NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Json(nullptr);
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        return Json(node.Scalar());
      }
      return ResolvePlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& el : node) {
        auto v = NodeToJson(el);
        if (!v.ok()) return v;
        arr.push_back(std::move(*v));
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          return Status::BadRequest("error converting YAML to JSON: yaml: line " +
                                    std::to_string(kv.first.Mark().line + 1) +
                                    ": map keys must be strings");
        }
        auto v = NodeToJson(kv.second);
        if (!v.ok()) return v;
        obj[kv.first.Scalar()] = std::move(*v);
      }
      return obj;
    }
  }
  return Json(nullptr);
}

// go-yaml's reader rejects text that is not UTF-8 (or holds control characters) before it
// parses anything; yaml-cpp would pass the bytes through into strings that cannot be stored
// (protobuf strings are UTF-8) or printed as JSON. nullptr when the text is fine, else
// go-yaml's problem text.
const char* YamlReaderProblem(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char octet = static_cast<unsigned char>(text[i]);
    int width = (octet & 0x80) == 0x00   ? 1
                : (octet & 0xE0) == 0xC0 ? 2
                : (octet & 0xF0) == 0xE0 ? 3
                : (octet & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (width == 0) return "invalid leading UTF-8 octet";
    if (i + width > text.size()) return "incomplete UTF-8 octet sequence";
    uint32_t value = width == 1   ? octet & 0x7F
                     : width == 2 ? octet & 0x1F
                     : width == 3 ? octet & 0x0F
                                  : octet & 0x07;
    for (int k = 1; k < width; ++k) {
      unsigned char trailing = static_cast<unsigned char>(text[i + k]);
      if ((trailing & 0xC0) != 0x80) return "invalid trailing UTF-8 octet";
      value = (value << 6) + (trailing & 0x3F);
    }
    if (!(width == 1 || (width == 2 && value >= 0x80) || (width == 3 && value >= 0x800) ||
          (width == 4 && value >= 0x10000))) {
      return "invalid length of a UTF-8 sequence";
    }
    if ((value >= 0xD800 && value <= 0xDFFF) || value > 0x10FFFF) {
      return "invalid Unicode character";
    }
    bool printable = value == 0x09 || value == 0x0A || value == 0x0D ||
                     (value >= 0x20 && value <= 0x7E) || value == 0x85 ||
                     (value >= 0xA0 && value <= 0xD7FF) || (value >= 0xE000 && value <= 0xFFFD) ||
                     (value >= 0x10000 && value <= 0x10FFFF);
    if (!printable) return "control characters are not allowed";
    i += width;
  }
  return nullptr;
}

// The documents of a YAML stream as Kubernetes' YAMLReader cuts them: a line starting with
// "---" and holding nothing else but a comment ends a document and belongs to neither; empty
// chunks are dropped. ("--- value" starts a document whose first line it is.)
std::vector<std::string_view> SplitYamlDocuments(std::string_view text) {
  std::vector<std::string_view> docs;
  size_t start = 0, pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    std::string_view line = text.substr(pos, next - pos);
    if (line.starts_with("---")) {
      size_t rest = line.find_first_not_of(" \t\r\n", 3);
      bool marker_only = rest == std::string_view::npos || line[rest] == '#';
      if (marker_only || line.size() == 3 || line[3] == ' ' || line[3] == '\t') {
        if (pos > start) docs.push_back(text.substr(start, pos - start));
        start = marker_only ? next : pos;
      }
    }
    pos = next;
  }
  if (text.size() > start) docs.push_back(text.substr(start));
  return docs;
}

Result<std::vector<Json>> ParseDocuments(std::string_view text, const std::string& source) {
  std::vector<Json> docs;
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    try {
      docs.push_back(Json::parse(text.substr(first)));
    } catch (const nlohmann::json::exception& e) {
      return Status::BadRequest("error parsing " + source + ": " + e.what());
    }
    return docs;
  }
  if (const char* problem = YamlReaderProblem(text)) {
    return Status::BadRequest("error parsing " + source +
                              ": error converting YAML to JSON: yaml: " + problem);
  }
  try {
    // One document at a time: yaml-cpp's LoadAll never returns on some malformed streams
    // (`"a","b"`, found by fuzz/selector_fuzzer), and line numbers count from each
    // document's start, as kubectl reports them.
    for (std::string_view doc : SplitYamlDocuments(text)) {
      auto j = NodeToJson(YAML::Load(std::string(doc)));
      if (!j.ok()) {
        return Status::BadRequest("error parsing " + source + ": " + j.status().message());
      }
      docs.push_back(std::move(*j));
    }
  } catch (const YAML::Exception& e) {
    return Status::BadRequest("error parsing " + source + ": error converting YAML to JSON: " +
                              "yaml: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return docs;
}

}  // namespace

bool IsQuantityField(const FD* field) {
  const std::string& n = field->name();
  return n == "capacity" || n == "requests" || n == "limits" || n == "allocatable" ||
         n == "size_limit";
}

Status FromJson(const Json& json, pb::Message* msg, std::vector<std::string>* warnings) {
  return Decode(json, msg, "", warnings);
}

Json ToJson(const pb::Message& msg) {
  Json out = Json::object();
  const pb::Descriptor* desc = msg.GetDescriptor();
  const pb::Reflection* r = msg.GetReflection();
  for (int i = 0; i < desc->field_count(); ++i) {
    const FD* field = desc->field(i);
    const std::string& name = field->json_name();
    if (field->is_map()) {
      int n = r->FieldSize(msg, field);
      if (n == 0) continue;
      std::map<std::string, std::string> sorted;  // Go encodes map keys in order
      for (int k = 0; k < n; ++k) {
        const pb::Message& e = r->GetRepeatedMessage(msg, field, k);
        const pb::Reflection* er = e.GetReflection();
        sorted[er->GetString(e, field->message_type()->FindFieldByNumber(1))] =
            er->GetString(e, field->message_type()->FindFieldByNumber(2));
      }
      Json m = Json::object();
      for (auto& [k, v] : sorted) m[k] = v;
      out[name] = std::move(m);
    } else if (field->is_repeated()) {
      int n = r->FieldSize(msg, field);
      if (n == 0) continue;
      Json arr = Json::array();
      for (int k = 0; k < n; ++k) {
        if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
          arr.push_back(ToJson(r->GetRepeatedMessage(msg, field, k)));
        } else {
          arr.push_back(ScalarJson(msg, field, k));
        }
      }
      out[name] = std::move(arr);
    } else if (field->cpp_type() == FD::CPPTYPE_MESSAGE) {
      if (r->HasField(msg, field)) out[name] = ToJson(r->GetMessage(msg, field));
    } else if (field->has_presence()) {
      if (r->HasField(msg, field)) out[name] = ScalarJson(msg, field, -1);
    } else {
      Json v = ScalarJson(msg, field, -1);
      if (!IsDefaultScalar(v)) out[name] = std::move(v);
    }
  }
  return out;
}

std::string ToJsonString(const pb::Message& msg, bool pretty) {
  return Dump(ToJson(msg), pretty ? 4 : -1);
}

std::string JsonToYaml(const Json& json) {
  std::string out;
  EmitYaml(nlohmann::json::parse(Dump(json)), 0, &out);  // std::map: sorted keys
  return out;
}

std::string ToYamlString(const pb::Message& msg) { return JsonToYaml(ToJson(msg)); }

namespace {
Json ListJson(const std::vector<const pb::Message*>& items, const std::string& rv) {
  Json list = Json::object();
  list["apiVersion"] = "v1";
  Json arr = Json::array();
  for (const auto* m : items) arr.push_back(ToJson(*m));
  list["items"] = std::move(arr);
  list["kind"] = "List";
  list["metadata"] = Json::object({{"resourceVersion", rv}});
  return list;
}
}  // namespace

std::string ListToJsonString(const std::vector<const pb::Message*>& items,
                             const std::string& resource_version) {
  return Dump(ListJson(items, resource_version), 4);
}

std::string ListToYamlString(const std::vector<const pb::Message*>& items,
                             const std::string& resource_version) {
  return JsonToYaml(ListJson(items, resource_version));
}

Result<Json> YamlToJson(std::string_view text) {
  auto docs = ParseDocuments(text, "input");
  if (!docs.ok()) return docs.status();
  for (auto& d : *docs) {
    if (!d.is_null()) return d;
  }
  return Json(nullptr);
}

Status DecodeObject(std::string_view text, pb::Message* msg,
                    std::vector<std::string>* warnings) {
  auto j = YamlToJson(text);
  if (!j.ok()) return j.status();
  return FromJson(*j, msg, warnings);
}

Result<std::vector<DecodedObject>> DecodeManifests(std::string_view text,
                                                   const std::string& source,
                                                   std::vector<std::string>* warnings,
                                                   bool validate) {
  // kubectl's client-side validation ends each failure with how to skip it.
  const std::string hint =
      "; if you choose to ignore these errors, turn validation off with --validate=false";
  auto docs = ParseDocuments(text, source);
  if (!docs.ok()) return docs.status();
  std::vector<std::pair<Json, int>> flat;
  for (size_t i = 0; i < docs->size(); ++i) {
    Json& d = (*docs)[i];
    if (d.is_null()) continue;
    if (d.is_object() && d.contains("kind") && d["kind"].is_string() &&
        d["kind"].get<std::string>().ends_with("List") && d.contains("items")) {
      if (!d["items"].is_array()) {
        return Status::BadRequest("error validating \"" + source +
                                  "\": error validating data: items must be a list" + hint);
      }
      for (auto& item : d["items"]) flat.emplace_back(std::move(item), static_cast<int>(i));
      continue;
    }
    flat.emplace_back(std::move(d), static_cast<int>(i));
  }
  std::vector<DecodedObject> out;
  for (auto& [doc, index] : flat) {
    if (!doc.is_object()) {
      return Status::BadRequest("error validating \"" + source +
                                "\": error validating data: invalid object to validate" + hint);
    }
    std::vector<std::string> missing;
    std::string api_version, kind;
    if (doc.contains("apiVersion") && doc["apiVersion"].is_string()) {
      api_version = doc["apiVersion"].get<std::string>();
    }
    if (doc.contains("kind") && doc["kind"].is_string()) kind = doc["kind"].get<std::string>();
    if (!validate && (kind.empty() || api_version.empty())) {
      // The decoder's missingKindErr / missingVersionErr, quoting the document as JSON.
      return Status::BadRequest("unable to decode \"" + source + "\": Object '" +
                                (kind.empty() ? "Kind" : "apiVersion") + "' is missing in '" +
                                doc.dump() + "'");
    }
    if (api_version.empty()) missing.push_back("apiVersion not set");
    if (kind.empty()) missing.push_back("kind not set");
    if (!missing.empty()) {
      std::string what = missing.size() == 1 ? missing[0]
                                             : "[" + missing[0] + ", " + missing[1] + "]";
      return Status::BadRequest("error validating \"" + source +
                                "\": error validating data: " + what + hint);
    }
    const KindInfo* info = KindOf(kind);
    if (info == nullptr || info->ApiVersion() != api_version) {
      std::string name;
      if (doc.contains("metadata") && doc["metadata"].is_object() &&
          doc["metadata"].contains("name") && doc["metadata"]["name"].is_string()) {
        name = doc["metadata"]["name"].get<std::string>();
      }
      return Status::BadRequest("resource mapping not found for name: \"" + name +
                                "\" namespace: \"\" from \"" + source +
                                "\": no matches for kind \"" + kind + "\" in version \"" +
                                api_version + "\"");
    }
    auto obj = info->New();
    Status s = FromJson(doc, obj.get(), warnings);
    if (!s.ok()) {
      return Status::BadRequest("error decoding \"" + source + "\": " + kind + " in version \"" +
                                info->version + "\" cannot be handled as a " + kind + ": " +
                                s.message());
    }
    out.push_back({std::move(obj), index});
  }
  return out;
}

}  // namespace lpv::api
