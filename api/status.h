// Status: errors as values, with Kubernetes reasons.
//
// One Status travels from the store through the registries to every caller: the gRPC
// service sends it as api::Status, the CLI prints it as kubectl does ("Error from server
// (NotFound): ..."). Invalid carries every field error, formatted as Kubernetes'
// field.Error ("spec.nodeAffinity: Required value: Local volume requires node affinity").
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lpv {

// One field error, as k8s.io/apimachinery/pkg/util/validation/field.Error.
struct FieldError {
  // Rendered: a field error received over the wire, kept as its rendered body (detail)
  // and its cause type (value).
  enum class Type { Required, Invalid, NotSupported, Forbidden, Duplicate, TooLong, NotFound, Rendered };
  Type type = Type::Invalid;
  std::string field;   // spec.accessModes[0]
  std::string value;   // the bad value as Kubernetes quotes it (already quoted when a string)
  std::string detail;  // free text after the value

  static FieldError Required(std::string field, std::string detail = "");
  // `value` is quoted as a string: Invalid value: "Foo": detail
  static FieldError Invalid(std::string field, const std::string& value, std::string detail);
  // `value` printed bare (numbers, objects): Invalid value: -1: detail
  static FieldError InvalidRaw(std::string field, std::string value, std::string detail);
  static FieldError NotSupported(std::string field, const std::string& value,
                                 const std::vector<std::string>& supported);
  static FieldError Forbidden(std::string field, std::string detail);
  static FieldError Duplicate(std::string field, const std::string& value);

  std::string TypeString() const;   // "Required value"
  std::string CauseType() const;    // "FieldValueRequired"
  std::string ErrorBody() const;    // "Required value: Local volume requires node affinity"
  std::string ToString() const;     // "spec.nodeAffinity: " + ErrorBody()
};

using FieldErrors = std::vector<FieldError>;

// Reasons as metav1.StatusReason; the code is the HTTP status Kubernetes sends.
enum class Reason {
  OK,
  NotFound,        // 404
  AlreadyExists,   // 409
  Conflict,        // 409
  Invalid,         // 422
  Gone,            // 410 (too old resource version)
  BadRequest,      // 400
  Forbidden,       // 403
  Unauthorized,    // 401
  MethodNotAllowed,// 405
  RequestEntityTooLarge,  // 413
  Timeout,         // 504
  ServiceUnavailable,     // 503
  InternalError,   // 500
  // 500 with an empty reason (metav1.StatusReasonUnknown): an error Kubernetes passes on
  // without classifying it, such as etcd's "etcdserver: request is too large".
  Unknown,
};

const char* ReasonName(Reason r);
int ReasonCode(Reason r);
Reason ReasonFromName(const std::string& name);

class Status {
 public:
  Status() = default;
  static Status OK() { return Status(); }

  // `resource` is the plural resource ("persistentvolumes"), as in Kubernetes' messages.
  static Status NotFound(const std::string& resource, const std::string& name);
  static Status AlreadyExists(const std::string& resource, const std::string& name);
  static Status Conflict(const std::string& resource, const std::string& name,
                         const std::string& why);
  static Status ConflictModified(const std::string& resource, const std::string& name);
  // `kind` is the Kind ("PersistentVolume"): PersistentVolume "x" is invalid: ...
  static Status Invalid(const std::string& kind, const std::string& name, FieldErrors errs);
  static Status Gone(const std::string& message);
  static Status TooOldResourceVersion(long long requested, long long oldest);
  static Status BadRequest(const std::string& message);
  static Status Forbidden(const std::string& message);
  static Status Internal(const std::string& message);
  static Status Make(Reason reason, std::string message);

  bool ok() const { return reason_ == Reason::OK; }
  Reason reason() const { return reason_; }
  int code() const { return ok() ? 0 : ReasonCode(reason_); }
  const std::string& message() const { return message_; }
  const FieldErrors& causes() const { return causes_; }
  const std::string& kind() const { return kind_; }
  const std::string& name() const { return name_; }
  void set_details(std::string kind, std::string name) {
    kind_ = std::move(kind);
    name_ = std::move(name);
  }
  void set_causes(FieldErrors causes) { causes_ = std::move(causes); }

  bool IsNotFound() const { return reason_ == Reason::NotFound; }
  bool IsAlreadyExists() const { return reason_ == Reason::AlreadyExists; }
  bool IsConflict() const { return reason_ == Reason::Conflict; }
  bool IsInvalid() const { return reason_ == Reason::Invalid; }
  bool IsGone() const { return reason_ == Reason::Gone; }

  // "NotFound: persistentvolumes "x" not found"
  std::string ToString() const;
  // kubectl's rendering: "Error from server (NotFound): ..." / "The PersistentVolume ...";
  // "Error from server: ..." without a reason; "error: You must be logged in to the server
  // (Unauthorized)" for 401.
  std::string KubectlString() const;
  // kubectl's "Error from server (Reason): " prefix alone ("Error from server: " without a
  // reason), for messages kubectl wraps ("error when creating \"x.yaml\": ...").
  std::string KubectlPrefix() const;

 private:
  Reason reason_ = Reason::OK;
  std::string message_;
  std::string kind_;
  std::string name_;
  FieldErrors causes_;
};

// A value or the Status that says why there is none.
template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace lpv
