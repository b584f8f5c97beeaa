// Quantity parsing (capacities and requests): any string either parses or is a
// BadRequest; a parsed quantity prints as a string that parses to the same value, and
// the arithmetic and conversions never overflow (they saturate).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "api/quantity.h"

using lpv::api::Quantity;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto q = Quantity::Parse(s);
  if (!q.ok()) return 0;
  std::string printed = q->String();
  auto again = Quantity::Parse(printed);
  if (!again.ok() || again->Cmp(*q) != 0) {
    std::cerr << "'" << s << "' printed as '" << printed << "' which parses "
              << (again.ok() ? "to a different value" : again.status().ToString()) << "\n";
    std::abort();
  }
  (void)q->Value();
  (void)q->MilliValue();
  for (int scale : {-9, -3, 0, 3, 9, 18}) (void)q->ScaledValue(scale);
  Quantity sum = *q;
  sum.Add(*q);
  sum.Sub(*q);
  if (sum.Cmp(*q) != 0) {
    std::cerr << "'" << s << "': q + q - q = " << sum.String() << "\n";
    std::abort();
  }
  sum.Neg();
  if (sum.Sign() != -q->Sign()) std::abort();
  (void)sum.String();
  return 0;
}
