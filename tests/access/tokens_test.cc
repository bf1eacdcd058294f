#include "access_fixture.h"
#include "core/clock.h"
#include "core/crypto.h"

namespace medai::access {
namespace {

using TokensTest = AccessFixture;

TEST_F(TokensTest, IssuedTokenAuthenticatesAsItsUser) {
  auto t = tokens_->issue(as(doctor_a_), doctor_a_.id, "pacs bridge", std::nullopt);
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->secret.rfind("medai_", 0), 0u);
  auto p = tokens_->authenticate(t->secret, false);
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(p->user_id, doctor_a_.id);
  EXPECT_EQ(p->institution_id, inst_a_.id);
  EXPECT_TRUE(p->has_role(Role::doctor));
  EXPECT_FALSE(p->via_session);
  // Default lifetime is the configured one.
  EXPECT_NEAR(static_cast<double>(*t->info.expires_at - t->info.created_at),
              static_cast<double>(auth_.token_ttl_days) * 86400000.0, 1000.0);
}

TEST_F(TokensTest, OnlyTheHashIsStored) {
  auto t = tokens_->issue(as(doctor_a_), doctor_a_.id, "x", std::nullopt).value();
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto row = tx->query_one("SELECT token_hash, prefix FROM tokens WHERE id = $1", {t.info.id}).value();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->get_text("token_hash"), crypto::sha256_hex(t.secret));
  EXPECT_EQ(t.secret.find(row->get_text("token_hash")), std::string::npos);
  EXPECT_LT(row->get_text("prefix").size(), 16u);
}

TEST_F(TokensTest, RevokedExpiredUnknownAndDisabledAreRefused) {
  auto t = tokens_->issue(as(doctor_a_), doctor_a_.id, "x", std::nullopt).value();
  ASSERT_TRUE(tokens_->revoke(as(doctor_a_), t.info.id).is_ok());
  EXPECT_EQ(tokens_->authenticate(t.secret, false).status().code(), ErrorCode::token_revoked);

  auto e = tokens_->issue(as(doctor_a_), doctor_a_.id, "y", 1).value();
  {
    auto tx = catalog_->begin().value();
    ASSERT_TRUE(tx->exec("UPDATE tokens SET expires_at = $1 WHERE id = $2", {now_ms() - 1, e.info.id}).is_ok());
    ASSERT_TRUE(tx->commit().is_ok());
  }
  EXPECT_EQ(tokens_->authenticate(e.secret, false).status().code(), ErrorCode::token_expired);

  EXPECT_EQ(tokens_->authenticate("medai_" + crypto::random_token(32), false).status().code(),
            ErrorCode::unauthenticated);
  EXPECT_EQ(tokens_->authenticate("garbage", false).status().code(), ErrorCode::unauthenticated);

  auto d = tokens_->issue(as(doctor_a_), doctor_a_.id, "z", std::nullopt).value();
  ASSERT_TRUE(directory_->update_user(as(admin_a_), doctor_a_.id, {.disabled = true}).is_ok());
  EXPECT_FALSE(tokens_->authenticate(d.secret, false).is_ok()) << "disabling revokes every token";
}

TEST_F(TokensTest, TtlIsBoundedAndNameRequired) {
  EXPECT_EQ(tokens_->issue(as(doctor_a_), doctor_a_.id, "x", 0).status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(tokens_->issue(as(doctor_a_), doctor_a_.id, "x", auth_.max_token_ttl_days + 1).status().code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(tokens_->issue(as(doctor_a_), doctor_a_.id, "", std::nullopt).status().code(), ErrorCode::invalid_argument);
}

TEST_F(TokensTest, UsersManageOwnTokensAdminsTheirInstitutions) {
  auto colleague = make_user(inst_a_, "dr-a2", {Role::doctor});
  EXPECT_EQ(tokens_->issue(as(doctor_a_), colleague.id, "x", std::nullopt).status().code(), ErrorCode::not_found);
  auto by_admin = tokens_->issue(as(admin_a_), colleague.id, "for dr-a2", std::nullopt);
  ASSERT_TRUE(by_admin.is_ok());
  EXPECT_EQ(tokens_->revoke(as(doctor_a_), by_admin->info.id).code(), ErrorCode::not_found);
  EXPECT_TRUE(tokens_->revoke(as(admin_a_), by_admin->info.id).is_ok());
  auto list = tokens_->list(as(colleague), colleague.id);
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].revoked_at.has_value());
}

TEST_F(TokensTest, LoginCreatesSessionAndLogoutEndsIt) {
  auto s = tokens_->login("dr-a", "password-of-dr-a");
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s->token.info.kind, TokenKind::session);
  auto p = tokens_->authenticate(s->token.secret, true);
  ASSERT_TRUE(p.is_ok());
  EXPECT_TRUE(p->via_session);
  ASSERT_TRUE(tokens_->logout(*p).is_ok());
  EXPECT_EQ(tokens_->authenticate(s->token.secret, true).status().code(), ErrorCode::token_revoked);
}

TEST_F(TokensTest, ApiTokensAreNotAcceptedFromCookies) {
  auto t = tokens_->issue(as(doctor_a_), doctor_a_.id, "x", std::nullopt).value();
  EXPECT_EQ(tokens_->authenticate(t.secret, true).status().code(), ErrorCode::unauthenticated);
  auto p = tokens_->authenticate(t.secret, false).value();
  EXPECT_EQ(tokens_->logout(p).code(), ErrorCode::invalid_argument);
}

TEST_F(TokensTest, WrongUserAndWrongPasswordLookTheSame) {
  auto a = tokens_->login("dr-a", "wrong-password-here");
  auto b = tokens_->login("nobody-at-all", "wrong-password-here");
  EXPECT_EQ(a.status().code(), ErrorCode::invalid_credentials);
  EXPECT_EQ(b.status().code(), ErrorCode::invalid_credentials);
  EXPECT_EQ(a.status().message(), b.status().message());
}

TEST_F(TokensTest, RepeatedFailuresAreThrottledPerUser) {
  for (int i = 0; i < auth_.login_max_failures; ++i)
    EXPECT_EQ(tokens_->login("dr-a", "wrong-password-here").status().code(), ErrorCode::invalid_credentials);
  EXPECT_EQ(tokens_->login("dr-a", "password-of-dr-a").status().code(), ErrorCode::too_many_requests)
      << "even the right password waits out the window";
  EXPECT_TRUE(tokens_->login("dr-b", "password-of-dr-b").is_ok()) << "other users unaffected";
}

TEST_F(TokensTest, DisabledUserCannotLogIn) {
  ASSERT_TRUE(directory_->update_user(as(admin_a_), doctor_a_.id, {.disabled = true}).is_ok());
  EXPECT_EQ(tokens_->login("dr-a", "password-of-dr-a").status().code(), ErrorCode::invalid_credentials);
}

}  // namespace
}  // namespace medai::access
