#include "api/quantity.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace lpv::api {
namespace {

Quantity Q(const std::string& s) {
  Result<Quantity> q = Quantity::Parse(s);
  EXPECT_TRUE(q.ok()) << s << ": " << q.status().ToString();
  return q.ok() ? *q : Quantity();
}

struct EmitCase {
  const char* in;
  const char* out;
};

// What String() prints for a parsed input. Expected values follow quantity.go and its
// tests (TestQuantityParseEmit, TestQuantityString, TestQuantityParse).
TEST(QuantityTest, ParseAndPrintCanonically) {
  const EmitCase cases[] = {
      // The article's capacities keep their suffix family.
      {"368Gi", "368Gi"},
      {"1024220Ki", "1024220Ki"},
      {"100G", "100G"},
      {"10Gi", "10Gi"},
      // Binary values move to the largest exact binary suffix.
      {"1.5Ti", "1536Gi"},
      {"1024Mi", "1Gi"},
      {"1000Mi", "1000Mi"},
      {"1.5Gi", "1536Mi"},
      {"0.5Gi", "512Mi"},
      {"1024Ti", "1Pi"},
      {"7Ei", "7Ei"},
      {"1Ki", "1Ki"},
      {"1Mi", "1Mi"},
      {"1Gi", "1Gi"},
      // Binary values below 1024, or not whole bytes, print as DecimalSI.
      {".001Ki", "1024m"},
      {".000001Ki", "1024u"},
      {".000000001Ki", "1024n"},
      {".000000000001Ki", "2n"},
      {"1.1Ki", "1126400m"},
      {"100.035Ki", "102435840m"},
      // BinarySI is capped at 2^63-1.
      {"9Ei", "9223372036854775807"},
      {"8Ei", "9223372036854775807"},
      {"9223372036854775807Ki", "9223372036854775807"},
      // Decimal: exponent a multiple of 3, no fraction, largest suffix.
      {"1000M", "1G"},
      {"0.5", "500m"},
      {"1.5", "1500m"},
      {"1.08", "1080m"},
      {"500m", "500m"},
      {"1000", "1k"},
      {"10", "10"},
      {"100", "100"},
      {"5n", "5n"},
      {"12E", "12E"},
      {"1.01E", "1010P"},
      {"50k", "50k"},
      {"0.0005k", "500m"},
      // Rounding up to the nano scale.
      {"0.0000000001", "1n"},
      {"0.0000000005", "1n"},
      {"3.001n", "4n"},
      {"0.00000012345", "124n"},
      // Exponents.
      {"1e3", "1e3"},  // kept as written: Kubernetes does not turn it into "1k"
      {"1E3", "1E3"},
      {"1e-3", "1e-3"},
      {"1.2e3", "1200"},
      {"1.3E+6", "1300e3"},
      {"2e2", "200"},
      {"1e100", "10e99"},
      {"0.5e0", "500e-3"},
      // Past E there is no suffix: exponent notation (Kubernetes 1.32 printed "1").
      {"1000E", "1e21"},
      // Zero.
      {"0", "0"},
      {"0Ki", "0"},
      {"-0", "0"},
      {"0.0", "0"},
      // Signs.
      {"-1", "-1"},
      {"-1.5Gi", "-1536Mi"},
      {"-0.5", "-500m"},
      {"-1000", "-1k"},
      // Inputs Kubernetes keeps verbatim because its fast path finds them canonical.
      {"+1", "+1"},
      {"+5Gi", "+5Gi"},
      {"05Gi", "05Gi"},
      {"1.", "1."},
      {"1.G", "1.G"},
      {"1.500k", "1.500k"},
      {"6.987654321G", "6.987654321G"},
      // ...and ones it does not.
      {"1.000k", "1k"},
      {"+1000", "1k"},
      // A suffix without digits is zero.
      {"Ki", "0"},
  };
  for (const auto& c : cases) {
    Result<Quantity> q = Quantity::Parse(c.in);
    ASSERT_TRUE(q.ok()) << c.in << ": " << q.status().ToString();
    EXPECT_EQ(q->String(), c.out) << "input " << c.in;
  }
}

TEST(QuantityTest, RejectsWhatKubernetesRejects) {
  const std::string kFormat =
      "quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  const std::string kSuffix = "unable to parse quantity's suffix";
  const struct {
    const char* in;
    const std::string& message;
  } cases[] = {
      {"", kFormat},      {"1.1.M", kFormat},        {"1+1.0M", kFormat},  {"0.1am", kFormat},
      {"aoeu", kFormat},  {" 1", kFormat},           {"1 ", kFormat},      {"1Gb", kFormat},
      {"10 Gi", kFormat}, {"abc", kFormat},          {"0.1mi", kSuffix},   {".5i", kSuffix},
      {"1i", kSuffix},    {"-3.01i", kSuffix},       {"-3.01e-", kSuffix}, {"1e", kSuffix},
      {"1Gii", kSuffix},  {"1e4294967297", kSuffix},
  };
  for (const auto& c : cases) {
    Result<Quantity> q = Quantity::Parse(c.in);
    ASSERT_FALSE(q.ok()) << "input '" << c.in << "' parsed as " << q->String();
    EXPECT_EQ(q.status().message(), c.message) << "input '" << c.in << "'";
    EXPECT_EQ(q.status().reason(), Reason::BadRequest);
  }
  EXPECT_EQ(kFormat, kQuantityErrFormatWrong);
  EXPECT_EQ(kSuffix, kQuantityErrSuffix);
}

TEST(QuantityTest, ValueRoundsAwayFromZero) {
  const struct {
    const char* in;
    int64_t value;
    int64_t milli;
  } cases[] = {
      {"1.5", 2, 1500},
      {"-1.5", -2, -1500},
      {"100m", 1, 100},
      {"1n", 1, 1},
      {"-1n", -1, -1},
      {"1Gi", 1073741824, 1073741824000},
      {"1.5Ti", 1649267441664, 1649267441664000},
      {"368Gi", 395136991232, 395136991232000},
      {"100G", 100000000000, 100000000000000},
      {"0", 0, 0},
      {"1e3", 1000, 1000000},
      {"9Ei", std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max()},
      {"100E", std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max()},
      {"-100E", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min()},
  };
  for (const auto& c : cases) {
    Quantity q = Q(c.in);
    EXPECT_EQ(q.Value(), c.value) << c.in;
    EXPECT_EQ(q.MilliValue(), c.milli) << c.in;
  }
  EXPECT_EQ(Q("1").ScaledValue(-9), 1000000000);
  EXPECT_EQ(Q("1n").ScaledValue(-3), 1);
  EXPECT_EQ(Q("2k").ScaledValue(3), 2);
}

TEST(QuantityTest, ComparesValuesAcrossFormats) {
  const struct {
    const char* a;
    const char* b;
    int cmp;
  } cases[] = {
      {"0", "0", 0},        {"100m", "50m", 1}, {"50m", "100m", -1}, {"10000T", "100Gi", 1},
      {"1Gi", "1024Mi", 0}, {"1G", "1Gi", -1},  {"-1", "1", -1},     {"0", "-0", 0},
      {"1.5", "1500m", 0},  {"1e3", "1k", 0},   {"-2", "-1", -1},    {"1n", "0", 1},
      {"10Gi", "10G", 1},   {"1e100", "1E", 1}, {"1e-9", "1n", 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Q(c.a).Cmp(Q(c.b)), c.cmp) << c.a << " vs " << c.b;
    EXPECT_EQ(Q(c.b).Cmp(Q(c.a)), -c.cmp) << c.b << " vs " << c.a;
  }
  EXPECT_TRUE(Q("1Gi") == Q("1024Mi"));
  EXPECT_TRUE(Q("1G") < Q("1Gi"));
}

TEST(QuantityTest, SignAndZero) {
  EXPECT_TRUE(Q("0").IsZero());
  EXPECT_TRUE(Q("0Gi").IsZero());
  EXPECT_TRUE(Quantity().IsZero());
  EXPECT_FALSE(Q("1n").IsZero());
  EXPECT_TRUE(Q("-1Mi").IsNegative());
  EXPECT_FALSE(Q("-0").IsNegative());
  EXPECT_EQ(Q("-5").Sign(), -1);
  EXPECT_EQ(Q("5").Sign(), 1);
  EXPECT_EQ(Q("0").Sign(), 0);
}

TEST(QuantityTest, AddAndSubKeepTheFormatOfTheFirstNonZeroOperand) {
  const struct {
    const char* a;
    const char* b;
    bool sub;
    const char* want;
  } cases[] = {
      {"1Gi", "1Gi", false, "2Gi"}, {"0", "100m", false, "100m"},
      {"100m", "0", false, "100m"}, {"1Gi", "0", false, "1Gi"},
      {"0", "1Gi", false, "1Gi"},   {"1Gi", "512Mi", true, "512Mi"},
      {"1", "1", true, "0"},        {"0", "1Gi", true, "-1Gi"},
      {"10", "1", false, "11"},     {"10", "1", true, "9"},
      {"1k", "1Ki", false, "2024"}, {"1Ki", "1k", false, "2024"},
      {"1.5", "0.5", false, "2"},   {"1", "1n", true, "999999999n"},
  };
  for (const auto& c : cases) {
    Quantity q = Q(c.a);
    if (c.sub) {
      q.Sub(Q(c.b));
    } else {
      q.Add(Q(c.b));
    }
    EXPECT_EQ(q.String(), c.want) << c.a << (c.sub ? " - " : " + ") << c.b;
  }
  // Add leaves a sign that String() prints only when negative.
  Quantity plus = Q("+5Gi");
  plus.Add(Q("0"));
  EXPECT_EQ(plus.String(), "5Gi");
  Quantity neg = Q("1Gi");
  neg.Neg();
  EXPECT_EQ(neg.String(), "-1Gi");
  EXPECT_EQ(neg.Value(), -1073741824);
}

TEST(QuantityTest, FromIntegers) {
  EXPECT_EQ(Quantity::FromBytes(1024).String(), "1Ki");
  EXPECT_EQ(Quantity::FromBytes(1000, /*binary=*/false).String(), "1k");
  EXPECT_EQ(Quantity::FromBytes(5).String(), "5");
  EXPECT_EQ(Quantity::FromBytes(0).String(), "0");
  EXPECT_EQ(Quantity::FromBytes(int64_t{10} << 30).String(), "10Gi");
  EXPECT_EQ(Quantity::FromBytes(1024 * 1024).String(), "1Mi");
  EXPECT_EQ(Quantity::FromBytes(1234000, false).String(), "1234k");
  EXPECT_EQ(Quantity::FromInt(-1024, Quantity::Format::BinarySI).String(), "-1Ki");
  EXPECT_EQ(Quantity::FromInt(1000000, Quantity::Format::DecimalExponent).String(), "1e6");
  EXPECT_EQ(Quantity::FromMilli(1).String(), "1m");
  EXPECT_EQ(Quantity::FromMilli(1000).String(), "1");
  EXPECT_EQ(Quantity::FromMilli(1234000).String(), "1234");
  EXPECT_EQ(Quantity::FromMilli(1024, Quantity::Format::BinarySI).String(), "1024m");
  EXPECT_EQ(Quantity::FromMilli(1024 * 1024, Quantity::Format::BinarySI).String(), "1048576m");
  EXPECT_EQ(Quantity::FromMilli(1000000, Quantity::Format::DecimalExponent).String(), "1e3");
  EXPECT_EQ(Quantity::FromBytes(std::numeric_limits<int64_t>::min()).Value(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Quantity::FromBytes(123456789).Value(), 123456789);
}

TEST(QuantityTest, MustParse) {
  EXPECT_EQ(Quantity::MustParse("10Gi").Value(), int64_t{10} << 30);
  EXPECT_DEATH(Quantity::MustParse("ten"), "cannot parse 'ten'");
}

TEST(QuantityTest, ExtremeValuesStayExactOrSaturate) {
  const std::string big = "1234567890123456789012345678901234567890";
  EXPECT_EQ(Q(big).String(), big);
  EXPECT_EQ(Q(big).Value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Q("1e2147483647").String(), "10e2147483646");
  EXPECT_EQ(Q("1e2147483647").Value(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Q("1e-2147483647").String(), "1e-9");  // rounded up to nano, exponent kept
  Quantity sum = Q("1e200000");
  sum.Add(Q("1"));  // too far apart to materialize: the smaller one is dropped
  EXPECT_EQ(sum.Cmp(Q("1e200000")), 0);
  Quantity exact = Q(big);
  exact.Add(Q("1"));
  EXPECT_EQ(exact.String(), "1234567890123456789012345678901234567891");
}

TEST(QuantityTest, ParsedFormatIsRemembered) {
  EXPECT_EQ(Q("1Gi").format(), Quantity::Format::BinarySI);
  EXPECT_EQ(Q("1G").format(), Quantity::Format::DecimalSI);
  EXPECT_EQ(Q("1e9").format(), Quantity::Format::DecimalExponent);
  // A fraction of a byte becomes DecimalSI at parse time.
  EXPECT_EQ(Q(".000000000001Ki").format(), Quantity::Format::DecimalSI);
  EXPECT_EQ(Q("0Ki").format(), Quantity::Format::BinarySI);
}

}  // namespace
}  // namespace lpv::api
