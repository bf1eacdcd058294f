#include "core/crypto.h"

#include <gtest/gtest.h>

#include <set>

#include "core/clock.h"
#include "core/ids.h"

namespace medai {
namespace {

TEST(Crypto, Sha256KnownVectors) {
  EXPECT_EQ(crypto::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(crypto::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, PasswordHashIsArgon2idAndVerifies) {
  auto h = crypto::hash_password("correct horse battery staple");
  ASSERT_TRUE(h.is_ok());
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;
  EXPECT_TRUE(crypto::verify_password(*h, "correct horse battery staple"));
  EXPECT_FALSE(crypto::verify_password(*h, "correct horse battery stapler"));
  EXPECT_FALSE(crypto::verify_password("not a hash", "x"));
  EXPECT_NE(*h, *crypto::hash_password("correct horse battery staple")) << "salted";
}

TEST(Crypto, TokensAreRandomAndUrlSafe) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = crypto::random_token(32);
    EXPECT_EQ(t.size(), 43u);
    for (char c : t) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    EXPECT_TRUE(seen.insert(t).second);
  }
  EXPECT_TRUE(crypto::constant_time_equal("abc", "abc"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abd"));
  EXPECT_FALSE(crypto::constant_time_equal("abc", "abcd"));
}

TEST(Ids, PrefixedUniqueBase32) {
  auto id = new_id("usr");
  EXPECT_EQ(id.rfind("usr_", 0), 0u);
  EXPECT_EQ(id.size(), 4u + 24u);
  EXPECT_NE(id, new_id("usr"));
}

TEST(Clock, Iso8601) {
  EXPECT_EQ(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(iso8601_utc(1795776569123), "2026-11-27T10:49:29.123Z");
}

}  // namespace
}  // namespace medai
