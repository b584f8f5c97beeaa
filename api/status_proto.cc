#include "api/status_proto.h"

namespace lpv::api {

void StatusToProto(const lpv::Status& s, api::Status* out) {
  out->Clear();
  if (s.ok()) return;
  out->set_code(s.code());
  out->set_reason(ReasonName(s.reason()));
  out->set_message(s.message());
  out->set_kind(s.kind());
  out->set_name(s.name());
  for (const auto& c : s.causes()) {
    auto* pc = out->add_causes();
    pc->set_type(c.CauseType());
    pc->set_field(c.field);
    pc->set_message(c.ErrorBody());
  }
}

lpv::Status StatusFromProto(const api::Status& p) {
  if (p.code() == 0 && p.reason().empty()) return lpv::Status::OK();
  // A failure without a reason is Kubernetes' StatusReasonUnknown.
  Reason reason = p.reason().empty() ? Reason::Unknown : ReasonFromName(p.reason());
  lpv::Status s = lpv::Status::Make(reason, p.message());
  s.set_details(p.kind(), p.name());
  FieldErrors causes;
  for (const auto& c : p.causes()) {
    // The wire keeps the rendered body; it is shown again as it came.
    FieldError fe;
    fe.type = FieldError::Type::Rendered;
    fe.value = c.type();
    fe.field = c.field();
    fe.detail = c.message();
    causes.push_back(fe);
  }
  s.set_causes(std::move(causes));
  return s;
}

}  // namespace lpv::api
