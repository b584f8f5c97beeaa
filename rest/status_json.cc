#include "rest/status_json.h"

namespace lpv::rest {

api::Json StatusToJson(const lpv::Status& s) {
  api::Json j;
  j["kind"] = "Status";
  j["apiVersion"] = "v1";
  j["metadata"] = api::Json::object();
  j["status"] = "Failure";
  j["message"] = s.message();
  j["reason"] = ReasonName(s.reason());
  api::Json details = api::Json::object();
  if (!s.name().empty()) details["name"] = s.name();
  if (!s.kind().empty()) details["kind"] = s.kind();
  if (!s.causes().empty()) {
    api::Json causes = api::Json::array();
    for (const auto& c : s.causes()) {
      api::Json cause;
      cause["reason"] = c.CauseType();
      cause["message"] = c.ErrorBody();
      cause["field"] = c.field;
      causes.push_back(cause);
    }
    details["causes"] = causes;
  }
  if (!details.empty()) j["details"] = details;
  j["code"] = s.code();
  return j;
}

void SendStatus(ResponseWriter* w, const lpv::Status& s) {
  w->Send(s.code(), kJson, StatusToJson(s).dump());
}

void SendJson(ResponseWriter* w, int code, const api::Json& json) {
  w->Send(code, kJson, json.dump());
}

}  // namespace lpv::rest
