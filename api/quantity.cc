#include "api/quantity.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

namespace lpv::api {

const char* const kQuantityErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const char* const kQuantityErrSuffix = "unable to parse quantity's suffix";
const char* const kQuantityErrNumeric = "unable to parse numeric part of quantity";

namespace {

// Unsigned big integers in base 1e9 limbs, least significant first, no leading zero limbs.
using Mag = std::vector<uint32_t>;
constexpr uint32_t kBase = 1000000000;
constexpr uint32_t kPow10[] = {1,      10,      100,      1000,      10000,
                               100000, 1000000, 10000000, 100000000, 1000000000};

void Trim(Mag& m) {
  while (!m.empty() && m.back() == 0) m.pop_back();
}

void MulSmall(Mag& m, uint32_t f) {
  uint64_t carry = 0;
  for (uint32_t& limb : m) {
    uint64_t cur = uint64_t{limb} * f + carry;
    limb = static_cast<uint32_t>(cur % kBase);
    carry = cur / kBase;
  }
  while (carry != 0) {
    m.push_back(static_cast<uint32_t>(carry % kBase));
    carry /= kBase;
  }
  Trim(m);
}

void AddSmall(Mag& m, uint32_t a) {
  uint64_t carry = a;
  for (size_t i = 0; carry != 0; ++i) {
    if (i == m.size()) m.push_back(0);
    uint64_t cur = uint64_t{m[i]} + carry;
    m[i] = static_cast<uint32_t>(cur % kBase);
    carry = cur / kBase;
  }
}

// m /= d; returns the remainder.
uint32_t DivSmall(Mag& m, uint32_t d) {
  uint64_t rem = 0;
  for (size_t i = m.size(); i-- > 0;) {
    uint64_t cur = rem * kBase + m[i];
    m[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  Trim(m);
  return static_cast<uint32_t>(rem);
}

int CmpMag(const Mag& a, const Mag& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

Mag AddMag(const Mag& a, const Mag& b) {
  Mag r;
  uint64_t carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry != 0; ++i) {
    uint64_t cur = carry;
    if (i < a.size()) cur += a[i];
    if (i < b.size()) cur += b[i];
    r.push_back(static_cast<uint32_t>(cur % kBase));
    carry = cur / kBase;
  }
  Trim(r);
  return r;
}

// a - b for a >= b.
Mag SubMag(const Mag& a, const Mag& b) {
  Mag r = a;
  int64_t borrow = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    int64_t cur = int64_t{r[i]} - borrow - (i < b.size() ? int64_t{b[i]} : 0);
    borrow = cur < 0 ? 1 : 0;
    if (cur < 0) cur += kBase;
    r[i] = static_cast<uint32_t>(cur);
  }
  Trim(r);
  return r;
}

std::string MagToString(const Mag& m) {
  if (m.empty()) return "0";
  std::string s = std::to_string(m.back());
  char buf[16];
  for (size_t i = m.size() - 1; i-- > 0;) {
    std::snprintf(buf, sizeof buf, "%09u", m[i]);
    s += buf;
  }
  return s;
}

Mag MagFromDigits(std::string_view digits) {
  Mag m;
  for (size_t end = digits.size(); end > 0;) {
    size_t start = end >= 9 ? end - 9 : 0;
    uint32_t limb = 0;
    for (size_t i = start; i < end; ++i) limb = limb * 10 + uint32_t(digits[i] - '0');
    m.push_back(limb);
    end = start;
  }
  Trim(m);
  return m;
}

Mag MagFromU64(uint64_t v) {
  Mag m;
  while (v != 0) {
    m.push_back(static_cast<uint32_t>(v % kBase));
    v /= kBase;
  }
  return m;
}

int64_t DigitCount(const Mag& m) {
  if (m.empty()) return 0;
  int64_t n = int64_t(m.size() - 1) * 9;
  for (uint32_t top = m.back(); top != 0; top /= 10) ++n;
  return n;
}

void MulPow10(Mag& m, int64_t n) {
  if (m.empty() || n <= 0) return;
  m.insert(m.begin(), size_t(n / 9), 0);
  MulSmall(m, kPow10[n % 9]);
}

// m /= 10^n (truncating); returns whether a non-zero remainder was dropped.
bool DivPow10(Mag& m, int64_t n) {
  bool rem = false;
  size_t limbs = std::min(size_t(n / 9), m.size());
  for (size_t i = 0; i < limbs; ++i) rem = rem || m[i] != 0;
  m.erase(m.begin(), m.begin() + long(limbs));
  if (DivSmall(m, kPow10[n % 9]) != 0) rem = true;
  return rem;
}

void MulPow2(Mag& m, int64_t e) {
  for (; e >= 29; e -= 29) MulSmall(m, 1u << 29);
  MulSmall(m, 1u << e);
}

bool ToU64(const Mag& m, uint64_t* out) {
  unsigned __int128 v = 0;
  for (size_t i = m.size(); i-- > 0;) {
    v = v * kBase + m[i];
    if (v > std::numeric_limits<uint64_t>::max()) return false;
  }
  *out = static_cast<uint64_t>(v);
  return true;
}

// Compares a*10^ea with b*10^eb (magnitudes, normalized).
int CmpMagExp(const Mag& a, int64_t ea, const Mag& b, int64_t eb) {
  if (a.empty() || b.empty()) return a.empty() ? (b.empty() ? 0 : -1) : 1;
  int64_t oa = DigitCount(a) + ea, ob = DigitCount(b) + eb;
  if (oa != ob) return oa < ob ? -1 : 1;
  // Same order of magnitude: the exponents differ by at most the digit counts.
  if (ea > eb) {
    Mag x = a;
    MulPow10(x, ea - eb);
    return CmpMag(x, b);
  }
  Mag y = b;
  MulPow10(y, eb - ea);
  return CmpMag(a, y);
}

const Mag& MaxAllowed() {  // 2^63-1, the BinarySI cap
  static const Mag m = MagFromU64(uint64_t{std::numeric_limits<int64_t>::max()});
  return m;
}

Status Bad(const char* msg) { return Status::BadRequest(msg); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSuffixChar(char c) {
  switch (c) {
    case 'e':
    case 'E':
    case 'i':
    case 'n':
    case 'u':
    case 'm':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P':
      return true;
    default:
      return false;
  }
}

struct Suffix {
  int base;
  int64_t exponent;
  Quantity::Format format;
};

// quantitySuffixer.interpret.
bool InterpretSuffix(std::string_view s, Suffix* out) {
  using F = Quantity::Format;
  static const std::pair<std::string_view, Suffix> kTable[] = {
      {"", {10, 0, F::DecimalSI}},   {"n", {10, -9, F::DecimalSI}}, {"u", {10, -6, F::DecimalSI}},
      {"m", {10, -3, F::DecimalSI}}, {"k", {10, 3, F::DecimalSI}},  {"M", {10, 6, F::DecimalSI}},
      {"G", {10, 9, F::DecimalSI}},  {"T", {10, 12, F::DecimalSI}}, {"P", {10, 15, F::DecimalSI}},
      {"E", {10, 18, F::DecimalSI}}, {"Ki", {2, 10, F::BinarySI}},  {"Mi", {2, 20, F::BinarySI}},
      {"Gi", {2, 30, F::BinarySI}},  {"Ti", {2, 40, F::BinarySI}},  {"Pi", {2, 50, F::BinarySI}},
      {"Ei", {2, 60, F::BinarySI}},
  };
  for (const auto& [name, suffix] : kTable) {
    if (s == name) {
      *out = suffix;
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    // strconv.ParseInt(s[1:], 10, 64): optional sign, then at least one digit.
    std::string_view d = s.substr(1);
    bool negative = false;
    if (d[0] == '+' || d[0] == '-') {
      negative = d[0] == '-';
      d.remove_prefix(1);
    }
    if (d.empty() || d.size() > 10) return false;
    int64_t v = 0;
    for (char c : d) {
      if (!IsDigit(c)) return false;
      v = v * 10 + (c - '0');
    }
    if (negative) v = -v;
    if (v > std::numeric_limits<int32_t>::max() || v < -std::numeric_limits<int32_t>::max()) {
      return false;
    }
    *out = {10, v, F::DecimalExponent};
    return true;
  }
  return false;
}

std::string DecimalSISuffix(int64_t exponent, bool* ok) {
  *ok = true;
  switch (exponent) {
    case -9:
      return "n";
    case -6:
      return "u";
    case -3:
      return "m";
    case 0:
      return "";
    case 3:
      return "k";
    case 6:
      return "M";
    case 9:
      return "G";
    case 12:
      return "T";
    case 15:
      return "P";
    case 18:
      return "E";
    default:
      *ok = false;
      return "";
  }
}

}  // namespace

void Quantity::Normalize() {
  Trim(mag_);
  if (mag_.empty()) {
    exp_ = 0;
    neg_ = false;
    return;
  }
  while (mag_[0] % 10 == 0) {
    if (mag_[0] == 0) {
      mag_.erase(mag_.begin());
      exp_ += 9;
    } else {
      DivSmall(mag_, 10);
      ++exp_;
    }
  }
}

Result<Quantity> Quantity::Parse(std::string_view str) {
  if (str.empty()) return Bad(kQuantityErrFormatWrong);
  if (str == "0") {
    Quantity zero;
    zero.cached_ = "0";
    return zero;
  }

  // parseQuantityString: sign, number, optional fraction, suffix.
  bool positive = true;
  size_t pos = 0;
  const size_t end = str.size();
  std::string_view num, denom, suffix;
  bool done = false;
  if (str[0] == '-') {
    positive = false;
    ++pos;
  } else if (str[0] == '+') {
    ++pos;
  }
  while (pos < end && str[pos] == '0') ++pos;
  if (pos >= end) {
    num = "0";
    done = true;
  }
  if (!done) {
    size_t start = pos;
    while (pos < end && IsDigit(str[pos])) ++pos;
    num = str.substr(start, pos - start);
    done = pos >= end;
  }
  if (!done) {
    if (num.empty()) num = "0";
    if (str[pos] == '.') {
      ++pos;
      size_t start = pos;
      while (pos < end && IsDigit(str[pos])) ++pos;
      denom = str.substr(start, pos - start);
      done = pos >= end;
    }
  }
  if (!done) {
    size_t start = pos;
    while (pos < end && IsSuffixChar(str[pos])) ++pos;
    if (pos < end && (str[pos] == '-' || str[pos] == '+')) ++pos;
    while (pos < end && IsDigit(str[pos])) ++pos;
    if (pos < end) return Bad(kQuantityErrFormatWrong);
    suffix = str.substr(start);
  }

  Suffix sfx;
  if (!InterpretSuffix(suffix, &sfx)) return Bad(kQuantityErrSuffix);

  Quantity q;
  q.format_ = sfx.format;
  std::string digits = std::string(num) + std::string(denom);
  q.mag_ = MagFromDigits(digits);
  q.exp_ = (sfx.base == 10 ? sfx.exponent : 0) - int64_t(denom.size());
  if (sfx.base == 2) MulPow2(q.mag_, sfx.exponent);
  // Non-zero values round up (away from zero) to the nano scale: asking for some
  // resource should give some resource.
  if (!q.mag_.empty() && q.exp_ < -9) {
    int64_t n = -9 - q.exp_;
    if (n > DigitCount(q.mag_)) {
      q.mag_ = {1};
    } else if (DivPow10(q.mag_, n)) {
      AddSmall(q.mag_, 1);
    }
    q.exp_ = -9;
  }
  q.Normalize();
  if (q.format_ == Format::BinarySI) {
    if (CmpMagExp(q.mag_, q.exp_, MaxAllowed(), 0) > 0) {
      q.mag_ = MaxAllowed();
      q.exp_ = 0;
    }
    if (!q.mag_.empty() && CmpMagExp(q.mag_, q.exp_, Mag{1}, 0) < 0) {
      q.format_ = Format::DecimalSI;  // a fraction of a byte: avoids rounding
    }
  }
  q.neg_ = !positive && !q.mag_.empty();

  // ParseQuantity keeps the input string when its fast path finds it canonical-looking;
  // String() then returns it verbatim (sign and leading zeros included, as Kubernetes).
  if (sfx.format == Format::BinarySI) {
    int64_t precision = 15 - int64_t(num.size()) - sfx.exponent * 3 / 10 - 1;
    if (denom.empty() && precision >= 0) {
      int64_t value = std::strtoll(std::string(num).c_str(), nullptr, 10);
      if ((value & 0x07) != 0) q.cached_ = std::string(str);
    }
  } else {
    int64_t precision = 18 - int64_t(num.size() + denom.size());
    int64_t scale = sfx.exponent - int64_t(denom.size());
    if (precision >= 0 && scale >= -9) {
      bool trailing000 = digits.size() >= 3 && digits.compare(digits.size() - 3, 3, "000") == 0;
      if (scale % 3 == 0 && !trailing000 && digits[0] != '0') q.cached_ = std::string(str);
    }
  }
  return q;
}

Quantity Quantity::MustParse(std::string_view s) {
  Result<Quantity> q = Parse(s);
  if (!q.ok()) {
    std::fprintf(stderr, "cannot parse '%.*s': %s\n", int(s.size()), s.data(),
                 q.status().message().c_str());
    std::abort();
  }
  return *q;
}

Quantity Quantity::FromInt(int64_t value, Format format) {
  Quantity q;
  q.format_ = format;
  uint64_t mag = value < 0 ? uint64_t{0} - uint64_t(value) : uint64_t(value);
  q.mag_ = MagFromU64(mag);
  q.neg_ = value < 0;
  q.Normalize();
  return q;
}

Quantity Quantity::FromBytes(int64_t bytes, bool binary) {
  return FromInt(bytes, binary ? Format::BinarySI : Format::DecimalSI);
}

Quantity Quantity::FromMilli(int64_t milli, Format format) {
  Quantity q = FromInt(milli, format);
  if (!q.IsZero()) q.exp_ -= 3;
  return q;
}

int Quantity::Sign() const {
  if (mag_.empty()) return 0;
  return neg_ ? -1 : 1;
}

int64_t Quantity::ScaledValue(int scale) const {
  if (mag_.empty()) return 0;
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t e = exp_ - scale;
  Mag m = mag_;
  if (e >= 0) {
    if (DigitCount(m) + e > 20) return neg_ ? kMin : kMax;
    MulPow10(m, e);
  } else if (-e > DigitCount(m)) {
    m = {1};  // 0 < |q| < 10^scale rounds away from zero to one unit
  } else if (DivPow10(m, -e)) {
    AddSmall(m, 1);
  }
  uint64_t v = 0;
  if (!ToU64(m, &v)) return neg_ ? kMin : kMax;
  if (neg_) return v >= uint64_t{1} << 63 ? kMin : -int64_t(v);
  return v > uint64_t(kMax) ? kMax : int64_t(v);
}

int64_t Quantity::Value() const { return ScaledValue(0); }
int64_t Quantity::MilliValue() const { return ScaledValue(-3); }

int Quantity::Cmp(const Quantity& other) const {
  int sa = Sign(), sb = other.Sign();
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int c = CmpMagExp(mag_, exp_, other.mag_, other.exp_);
  return sa > 0 ? c : -c;
}

std::string Quantity::String() const {
  if (!cached_.empty()) return cached_;
  if (mag_.empty()) return "0";
  const std::string sign = neg_ ? "-" : "";
  Format format = format_;
  if (format == Format::BinarySI) {
    // Between -1024 and 1024, or not a whole number of bytes: print as DecimalSI rather
    // than round.
    if (CmpMagExp(mag_, exp_, MagFromU64(1024), 0) < 0 || exp_ < 0) {
      format = Format::DecimalSI;
    } else if (exp_ <= 40) {
      Mag m = mag_;
      MulPow10(m, exp_);
      static const char* const kBinary[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      int k = 0;
      for (;; ++k) {
        Mag next = m;
        if (DivSmall(next, 1024) != 0) break;
        if (k == 6) {
          k = 7;  // a factor of 1024 beyond Ei: no binary suffix
          break;
        }
        m = std::move(next);
      }
      if (k <= 6) return sign + MagToString(m) + kBinary[k];
      format = Format::DecimalExponent;
    } else {
      format = Format::DecimalExponent;
    }
    // Past Ei Kubernetes 1.32 dropped the suffix (printing 2^70 as "1"); later releases
    // print the exact decimal, as here.
  }
  Mag m = mag_;
  int64_t e = exp_;
  while (e % 3 != 0) {
    MulSmall(m, 10);
    --e;
  }
  std::string number = sign + MagToString(m);
  if (format == Format::DecimalExponent) {
    return e == 0 ? number : number + "e" + std::to_string(e);
  }
  bool ok = false;
  std::string suffix = DecimalSISuffix(e, &ok);
  // Outside n..E Kubernetes 1.32 dropped the magnitude; later releases (and this) fall
  // back to exponent notation.
  if (!ok) return number + "e" + std::to_string(e);
  return number + suffix;
}

void Quantity::AddSigned(const Quantity& y, bool negate_y) {
  cached_.clear();
  if (IsZero()) format_ = y.format_;
  if (y.IsZero()) return;
  bool yneg = y.neg_ != negate_y;
  if (IsZero()) {
    mag_ = y.mag_;
    exp_ = y.exp_;
    neg_ = yneg;
    return;
  }
  // Align to the smaller exponent. Operands more than 100000 decimal places apart are
  // not materialized: the far smaller one cannot show in any realistic quantity.
  int64_t lo = std::min(exp_, y.exp_);
  int64_t order_x = DigitCount(mag_) + exp_, order_y = DigitCount(y.mag_) + y.exp_;
  if (std::max(exp_, y.exp_) - lo > 100000) {
    if (order_y > order_x) {
      mag_ = y.mag_;
      exp_ = y.exp_;
      neg_ = yneg;
    }
    return;
  }
  Mag a = mag_, b = y.mag_;
  MulPow10(a, exp_ - lo);
  MulPow10(b, y.exp_ - lo);
  if (neg_ == yneg) {
    mag_ = AddMag(a, b);
  } else {
    int c = CmpMag(a, b);
    if (c >= 0) {
      mag_ = SubMag(a, b);
    } else {
      mag_ = SubMag(b, a);
      neg_ = yneg;
    }
  }
  exp_ = lo;
  Normalize();
}

void Quantity::Add(const Quantity& y) { AddSigned(y, false); }
void Quantity::Sub(const Quantity& y) { AddSigned(y, true); }

void Quantity::Neg() {
  cached_.clear();
  if (!mag_.empty()) neg_ = !neg_;
}

}  // namespace lpv::api
