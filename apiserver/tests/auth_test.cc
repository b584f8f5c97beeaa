#include "apiserver/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lpv::apiserver {
namespace {

TEST(AuthTest, LoopbackAddressesNeedNoToken) {
  for (const char* a : {"127.0.0.1:0", "127.0.0.1:7443", "127.1.2.3:80", "localhost:0",
                        "[::1]:0"}) {
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  }
}

TEST(AuthTest, EveryOtherAddressIsReachableFromElsewhere) {
  for (const char* a : {"0.0.0.0:0", "[::]:0", "192.168.1.5:7443", "example.com:80",
                        "127.0.0.1.example.com:80", "128.0.0.1:0", ":7443"}) {
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
  }
}

TEST(AuthTest, TokensAreLongRandomAndDifferent) {
  auto a = GenerateToken();
  auto b = GenerateToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*a, *b);
}

TEST(AuthTest, OnlyTheExactBearerHeaderMatches) {
  EXPECT_TRUE(BearerMatches("Bearer s3cret", "s3cret"));
  EXPECT_FALSE(BearerMatches("Bearer s3cres", "s3cret"));
  EXPECT_FALSE(BearerMatches("Bearer s3cret2", "s3cret"));
  EXPECT_FALSE(BearerMatches("bearer s3cret", "s3cret"));
  EXPECT_FALSE(BearerMatches("s3cret", "s3cret"));
  EXPECT_FALSE(BearerMatches("Bearer ", ""));
  EXPECT_FALSE(BearerMatches("", ""));
}

TEST(AuthTest, TheTokenFileIsOwnerOnlyEvenOverALooserOne) {
  std::string dir = (std::filesystem::temp_directory_path() / "lpv-auth-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::ofstream(TokenFile(dir)) << "old\n";
  ::chmod(TokenFile(dir).c_str(), 0644);
  ASSERT_TRUE(WriteTokenFile(dir, "abc").ok());
  struct stat st;
  ASSERT_EQ(::stat(TokenFile(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(TokenFile(dir));
  std::string token;
  in >> token;
  EXPECT_EQ(token, "abc");
  std::filesystem::remove_all(dir);
}

TEST(AuthTest, RefusalIsKubernetes401) {
  Status s = Unauthorized();
  EXPECT_EQ(s.code(), 401);
  EXPECT_EQ(s.message(), "Unauthorized");
  EXPECT_EQ(s.KubectlString(), "error: You must be logged in to the server (Unauthorized)");
}

}  // namespace
}  // namespace lpv::apiserver
