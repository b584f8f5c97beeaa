#include "api/status.h"

#include <sstream>

namespace lpv {

namespace {
std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

FieldError FieldError::Required(std::string field, std::string detail) {
  return {Type::Required, std::move(field), "", std::move(detail)};
}
FieldError FieldError::Invalid(std::string field, const std::string& value, std::string detail) {
  return {Type::Invalid, std::move(field), Quote(value), std::move(detail)};
}
FieldError FieldError::InvalidRaw(std::string field, std::string value, std::string detail) {
  return {Type::Invalid, std::move(field), std::move(value), std::move(detail)};
}
FieldError FieldError::NotSupported(std::string field, const std::string& value,
                                    const std::vector<std::string>& supported) {
  std::string detail;
  if (!supported.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) {
      if (i) detail += ", ";
      detail += Quote(supported[i]);
    }
  }
  return {Type::NotSupported, std::move(field), Quote(value), std::move(detail)};
}
FieldError FieldError::Forbidden(std::string field, std::string detail) {
  return {Type::Forbidden, std::move(field), "", std::move(detail)};
}
FieldError FieldError::Duplicate(std::string field, const std::string& value) {
  return {Type::Duplicate, std::move(field), Quote(value), ""};
}

std::string FieldError::TypeString() const {
  switch (type) {
    case Type::Required: return "Required value";
    case Type::Invalid: return "Invalid value";
    case Type::NotSupported: return "Unsupported value";
    case Type::Forbidden: return "Forbidden";
    case Type::Duplicate: return "Duplicate value";
    case Type::TooLong: return "Too long";
    case Type::NotFound: return "Not found";
    case Type::Rendered: return "";
  }
  return "Invalid value";
}

std::string FieldError::CauseType() const {
  switch (type) {
    case Type::Required: return "FieldValueRequired";
    case Type::Invalid: return "FieldValueInvalid";
    case Type::NotSupported: return "FieldValueNotSupported";
    case Type::Forbidden: return "FieldValueForbidden";
    case Type::Duplicate: return "FieldValueDuplicate";
    case Type::TooLong: return "FieldValueTooLong";
    case Type::NotFound: return "FieldValueNotFound";
    case Type::Rendered: return value;
  }
  return "FieldValueInvalid";
}

// Mirrors field.Error.ErrorBody: the value is shown for the types that carry one.
std::string FieldError::ErrorBody() const {
  if (type == Type::Rendered) return detail;
  std::string s = TypeString();
  bool with_value = type == Type::Invalid || type == Type::NotSupported ||
                    type == Type::Duplicate || type == Type::NotFound;
  if (with_value && !value.empty()) s += ": " + value;
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string FieldError::ToString() const {
  if (field.empty()) return ErrorBody();
  return field + ": " + ErrorBody();
}

const char* ReasonName(Reason r) {
  switch (r) {
    case Reason::OK: return "";
    case Reason::NotFound: return "NotFound";
    case Reason::AlreadyExists: return "AlreadyExists";
    case Reason::Conflict: return "Conflict";
    case Reason::Invalid: return "Invalid";
    case Reason::Gone: return "Expired";
    case Reason::BadRequest: return "BadRequest";
    case Reason::Forbidden: return "Forbidden";
    case Reason::Unauthorized: return "Unauthorized";
    case Reason::MethodNotAllowed: return "MethodNotAllowed";
    case Reason::RequestEntityTooLarge: return "RequestEntityTooLarge";
    case Reason::Timeout: return "Timeout";
    case Reason::ServiceUnavailable: return "ServiceUnavailable";
    case Reason::InternalError: return "InternalError";
    case Reason::Unknown: return "";
  }
  return "InternalError";
}

int ReasonCode(Reason r) {
  switch (r) {
    case Reason::OK: return 200;
    case Reason::NotFound: return 404;
    case Reason::AlreadyExists: return 409;
    case Reason::Conflict: return 409;
    case Reason::Invalid: return 422;
    case Reason::Gone: return 410;
    case Reason::BadRequest: return 400;
    case Reason::Forbidden: return 403;
    case Reason::Unauthorized: return 401;
    case Reason::MethodNotAllowed: return 405;
    case Reason::RequestEntityTooLarge: return 413;
    case Reason::Timeout: return 504;
    case Reason::ServiceUnavailable: return 503;
    case Reason::InternalError: return 500;
    case Reason::Unknown: return 500;
  }
  return 500;
}

Reason ReasonFromName(const std::string& name) {
  for (Reason r : {Reason::NotFound, Reason::AlreadyExists, Reason::Conflict, Reason::Invalid,
                   Reason::Gone, Reason::BadRequest, Reason::Forbidden, Reason::Unauthorized,
                   Reason::MethodNotAllowed, Reason::RequestEntityTooLarge, Reason::Timeout,
                   Reason::ServiceUnavailable, Reason::InternalError}) {
    if (name == ReasonName(r)) return r;
  }
  return name.empty() ? Reason::OK : Reason::InternalError;
}

Status Status::Make(Reason reason, std::string message) {
  Status s;
  s.reason_ = reason;
  s.message_ = std::move(message);
  return s;
}

Status Status::NotFound(const std::string& resource, const std::string& name) {
  Status s = Make(Reason::NotFound, resource + " " + Quote(name) + " not found");
  s.set_details(resource, name);
  return s;
}

Status Status::AlreadyExists(const std::string& resource, const std::string& name) {
  Status s = Make(Reason::AlreadyExists, resource + " " + Quote(name) + " already exists");
  s.set_details(resource, name);
  return s;
}

Status Status::Conflict(const std::string& resource, const std::string& name,
                        const std::string& why) {
  Status s = Make(Reason::Conflict,
                  "Operation cannot be fulfilled on " + resource + " " + Quote(name) + ": " + why);
  s.set_details(resource, name);
  return s;
}

Status Status::ConflictModified(const std::string& resource, const std::string& name) {
  return Conflict(resource, name,
                  "the object has been modified; please apply your changes to the latest "
                  "version and try again");
}

Status Status::Invalid(const std::string& kind, const std::string& name, FieldErrors errs) {
  std::string msg = kind + " " + Quote(name) + " is invalid: ";
  if (errs.size() == 1) {
    msg += errs[0].ToString();
  } else {
    msg += "[";
    for (size_t i = 0; i < errs.size(); ++i) {
      if (i) msg += ", ";
      msg += errs[i].ToString();
    }
    msg += "]";
  }
  Status s = Make(Reason::Invalid, msg);
  s.set_details(kind, name);
  s.causes_ = std::move(errs);
  return s;
}

Status Status::Gone(const std::string& message) { return Make(Reason::Gone, message); }

Status Status::TooOldResourceVersion(long long requested, long long oldest) {
  return Gone("too old resource version: " + std::to_string(requested) + " (" +
              std::to_string(oldest) + ")");
}

Status Status::BadRequest(const std::string& message) {
  return Make(Reason::BadRequest, message);
}
Status Status::Forbidden(const std::string& message) { return Make(Reason::Forbidden, message); }
Status Status::Internal(const std::string& message) {
  return Make(Reason::InternalError, message);
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(reason_ == Reason::Unknown ? "Unknown" : ReasonName(reason_)) + ": " +
         message_;
}

std::string Status::KubectlString() const {
  if (ok()) return "";
  // kubectl prints Invalid errors without the "Error from server" prefix.
  if (reason_ == Reason::Invalid) return "The " + message_;
  if (reason_ == Reason::Unauthorized) {
    return "error: You must be logged in to the server (" + message_ + ")";
  }
  return KubectlPrefix() + message_;
}

std::string Status::KubectlPrefix() const {
  if (reason_ == Reason::Unknown) return "Error from server: ";
  return std::string("Error from server (") + ReasonName(reason_) + "): ";
}

}  // namespace lpv
