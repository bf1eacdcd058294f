#include "core/status.h"

#include <gtest/gtest.h>

#include <set>

namespace medai {
namespace {

TEST(ErrorCatalogue, NamesAreUniqueSnakeCaseAndRoundTrip) {
  std::set<std::string> seen;
  for (ErrorCode code : all_error_codes()) {
    const std::string name(error_code_name(code));
    EXPECT_TRUE(seen.insert(name).second) << "duplicate " << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '_') << name;
    EXPECT_EQ(error_code_from_name(name), code);
    EXPECT_FALSE(error_code_meaning(code).empty()) << name;
  }
  EXPECT_EQ(error_code_from_name("no_such_code"), std::nullopt);
}

TEST(ErrorCatalogue, MapsToHttpStatus) {
  EXPECT_EQ(error_code_http_status(ErrorCode::ok), 200);
  EXPECT_EQ(error_code_http_status(ErrorCode::invalid_argument), 400);
  EXPECT_EQ(error_code_http_status(ErrorCode::unauthenticated), 401);
  EXPECT_EQ(error_code_http_status(ErrorCode::forbidden), 403);
  EXPECT_EQ(error_code_http_status(ErrorCode::not_found), 404);
  EXPECT_EQ(error_code_http_status(ErrorCode::already_exists), 409);
  EXPECT_EQ(error_code_http_status(ErrorCode::payload_too_large), 413);
  EXPECT_EQ(error_code_http_status(ErrorCode::headers_too_large), 431);
  EXPECT_EQ(error_code_http_status(ErrorCode::internal), 500);
  EXPECT_EQ(error_code_http_status(ErrorCode::unavailable), 503);
  for (ErrorCode code : all_error_codes()) {
    int s = error_code_http_status(code);
    EXPECT_TRUE(s == 200 || (s >= 400 && s < 600)) << error_code_name(code);
  }
}

TEST(Status, JsonBodyHasErrorMessageDetail) {
  Status s(ErrorCode::not_found, "no such user", {{"id", "usr_x"}});
  auto j = s.to_json();
  EXPECT_EQ(j["error"], "not_found");
  EXPECT_EQ(j["message"], "no such user");
  EXPECT_EQ(j["detail"]["id"], "usr_x");
  EXPECT_EQ(s.http_status(), 404);
  // Empty message falls back to the catalogue's meaning.
  EXPECT_EQ(Status(ErrorCode::forbidden, "").to_json()["message"], error_code_meaning(ErrorCode::forbidden));
}

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorCode::invalid_argument, "must be positive");
  return v;
}

Result<int> doubled(int v) {
  MEDAI_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return x * 2;
}

Status check(int v) {
  MEDAI_RETURN_IF_ERROR(parse_positive(v).status());
  return Status::ok();
}

TEST(Result, PropagatesValuesAndErrors) {
  auto ok = doubled(21);
  ASSERT_TRUE(ok.is_ok());
  EXPECT_EQ(*ok, 42);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::invalid_argument);
  EXPECT_TRUE(check(1).is_ok());
  EXPECT_EQ(check(0).code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai
