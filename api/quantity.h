// Quantity: Kubernetes' resource.Quantity (k8s.io/apimachinery/pkg/api/resource).
//
// A fixed-point decimal that remembers the family of its suffix (binary Ki..Ei, decimal
// n..E, or an exponent e3) and prints itself in Kubernetes' canonical form, so capacities
// read back as users and kubectl expect ("368Gi", "1024220Ki", "1.5Ti" -> "1536Gi").
// Parsing, rounding (to nano, away from zero), the BinarySI cap at 2^63-1, canonical
// printing and the reuse of an already-canonical input string follow quantity.go.
//
// Value type; not synchronized (copy it across threads).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/status.h"

namespace lpv::api {

class Quantity {
 public:
  // How the quantity prints, as resource.Format.
  enum class Format { DecimalExponent, BinarySI, DecimalSI };

  // Zero, DecimalSI.
  Quantity() = default;

  // resource.ParseQuantity. Errors are BadRequest with Kubernetes' texts:
  //   quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
  //   unable to parse quantity's suffix
  //   unable to parse numeric part of quantity
  // Accepts exactly what Kubernetes accepts, quirks included ("1.", ".5", "+1", "Ki" == 0).
  // Limitation: exponents outside int32 are rejected as a bad suffix (Kubernetes 1.32
  // silently truncates them).
  static Result<Quantity> Parse(std::string_view s);
  // Parse or abort; for constants known to be valid.
  static Quantity MustParse(std::string_view s);

  // resource.NewQuantity(bytes, BinarySI) (or DecimalSI when !binary).
  static Quantity FromBytes(int64_t bytes, bool binary = true);
  // resource.NewQuantity(value, format).
  static Quantity FromInt(int64_t value, Format format);
  // resource.NewMilliQuantity(milli, format).
  static Quantity FromMilli(int64_t milli, Format format = Format::DecimalSI);

  // ceil(|q|) with q's sign (rounded away from zero), as Quantity.Value. Saturates at the
  // int64 limits instead of overflowing.
  int64_t Value() const;
  // ceil(q * 1000) away from zero, as Quantity.MilliValue; saturates.
  int64_t MilliValue() const;
  // ceil(q / 10^scale) away from zero, as Quantity.ScaledValue; saturates.
  int64_t ScaledValue(int scale) const;

  // -1, 0, 1 as Quantity.Cmp.
  int Cmp(const Quantity& other) const;
  int Sign() const;
  bool IsZero() const { return mag_.empty(); }
  bool IsNegative() const { return neg_; }
  Format format() const { return format_; }

  // The canonical string (CanonicalizeBytes), or the input string when Kubernetes would
  // have kept it (ParseQuantity caches canonical-looking inputs: "+5Gi" stays "+5Gi").
  std::string String() const;

  // In place, as Quantity.Add/Sub/Neg: a zero receiver takes the format of y.
  void Add(const Quantity& y);
  void Sub(const Quantity& y);
  void Neg();

  friend bool operator==(const Quantity& a, const Quantity& b) { return a.Cmp(b) == 0; }
  friend bool operator<(const Quantity& a, const Quantity& b) { return a.Cmp(b) < 0; }

 private:
  // value = (neg_ ? -1 : 1) * mag_ * 10^exp_; mag_ in base 1e9 limbs, least significant
  // first, without trailing decimal zeros (they live in exp_); zero is an empty mag_.
  std::vector<uint32_t> mag_;
  bool neg_ = false;
  int64_t exp_ = 0;
  Format format_ = Format::DecimalSI;
  std::string cached_;  // the input string when Kubernetes reuses it; empty otherwise

  void Normalize();
  void AddSigned(const Quantity& y, bool negate_y);
};

// The messages of resource.ErrFormatWrong, ErrSuffix and ErrNumeric.
extern const char* const kQuantityErrFormatWrong;
extern const char* const kQuantityErrSuffix;
extern const char* const kQuantityErrNumeric;

}  // namespace lpv::api
