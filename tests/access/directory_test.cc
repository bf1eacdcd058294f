#include "access/audit.h"
#include "access/bootstrap.h"
#include "access_fixture.h"
#include "core/crypto.h"

namespace medai::access {
namespace {

using DirectoryTest = AccessFixture;

TEST_F(DirectoryTest, OnlyPlatformAdminsCreateInstitutions) {
  EXPECT_EQ(directory_->create_institution(as(admin_a_), {"hospital-c", ""}).status().code(), ErrorCode::forbidden);
  auto c = directory_->create_institution(as(admin_), {"hospital-c", ""});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->display_name, "hospital-c");
  EXPECT_EQ(directory_->create_institution(as(admin_), {"hospital-c", ""}).status().code(),
            ErrorCode::already_exists);
  EXPECT_EQ(directory_->create_institution(as(admin_), {"Bad Name!", ""}).status().code(),
            ErrorCode::invalid_argument);
}

TEST_F(DirectoryTest, InstitutionAdminCreatesUsersButCannotGrantAdmin) {
  NewUser nu{inst_a_.id, "dr-new", "Dr New", {Role::doctor, Role::researcher}, std::string("a-long-password")};
  auto u = directory_->create_user(as(admin_a_), nu);
  ASSERT_TRUE(u.is_ok()) << u.status().to_string();
  EXPECT_EQ(u->roles, (std::set<Role>{Role::doctor, Role::researcher}));
  EXPECT_TRUE(u->has_password);

  NewUser escalate{inst_a_.id, "sneaky", "", {Role::admin}, std::nullopt};
  EXPECT_EQ(directory_->create_user(as(admin_a_), escalate).status().code(), ErrorCode::forbidden);
  EXPECT_EQ(directory_->update_user(as(admin_a_), u->id, {.roles = std::set<Role>{Role::admin}}).status().code(),
            ErrorCode::forbidden);
  EXPECT_EQ(directory_->create_user(as(doctor_a_), {inst_a_.id, "x-user", "", {Role::doctor}, std::nullopt})
                .status()
                .code(),
            ErrorCode::forbidden);
}

TEST_F(DirectoryTest, ValidatesInput) {
  auto code = [&](NewUser nu) { return directory_->create_user(as(admin_), nu).status().code(); };
  EXPECT_EQ(code({inst_a_.id, "ab", "", {}, std::nullopt}), ErrorCode::invalid_argument) << "no role";
  EXPECT_EQ(code({inst_a_.id, "A", "", {Role::doctor}, std::nullopt}), ErrorCode::invalid_argument);
  EXPECT_EQ(code({inst_a_.id, "ok-name", "", {Role::doctor}, std::string("short")}), ErrorCode::invalid_argument);
  EXPECT_EQ(code({inst_a_.id, "dr-a", "", {Role::doctor}, std::nullopt}), ErrorCode::already_exists);
  EXPECT_EQ(code({"ins_missing", "ok-name", "", {Role::doctor}, std::nullopt}), ErrorCode::not_found);
}

TEST_F(DirectoryTest, SelfServiceAndAdministration) {
  // Own display name: yes. Own roles: no.
  auto renamed = directory_->update_user(as(doctor_a_), doctor_a_.id, {.display_name = std::string("Dr. A")});
  ASSERT_TRUE(renamed.is_ok());
  EXPECT_EQ(renamed->display_name, "Dr. A");
  EXPECT_EQ(directory_->update_user(as(doctor_a_), doctor_a_.id, {.roles = std::set<Role>{Role::researcher}})
                .status()
                .code(),
            ErrorCode::forbidden);
  // Own password needs the current one.
  UserPatch pw{.password = std::string("a-brand-new-password")};
  EXPECT_EQ(directory_->update_user(as(doctor_a_), doctor_a_.id, pw).status().code(), ErrorCode::invalid_credentials);
  pw.current_password = "password-of-dr-a";
  EXPECT_TRUE(directory_->update_user(as(doctor_a_), doctor_a_.id, pw).is_ok());
  EXPECT_TRUE(tokens_->login("dr-a", "a-brand-new-password").is_ok());
  EXPECT_EQ(tokens_->login("dr-a", "password-of-dr-a").status().code(), ErrorCode::invalid_credentials);
  // Nobody deletes or disables themselves.
  EXPECT_EQ(directory_->delete_user(as(admin_a_), admin_a_.id).code(), ErrorCode::invalid_argument);
  EXPECT_EQ(directory_->update_user(as(admin_a_), admin_a_.id, {.disabled = true}).status().code(),
            ErrorCode::invalid_argument);
  // Institution admins cannot touch platform admins.
  EXPECT_EQ(directory_->update_user(as(admin_a_), admin_.id, {.disabled = true}).status().code(), ErrorCode::forbidden);
  EXPECT_EQ(directory_->delete_user(as(admin_a_), admin_.id).code(), ErrorCode::forbidden);
}

TEST_F(DirectoryTest, DeleteRemovesUserAndTokensButKeepsAudit) {
  auto t = tokens_->issue(as(doctor_a_), doctor_a_.id, "script", std::nullopt).value();
  ASSERT_TRUE(directory_->delete_user(as(admin_a_), doctor_a_.id).is_ok());
  EXPECT_EQ(directory_->get_user(as(admin_a_), doctor_a_.id).status().code(), ErrorCode::not_found);
  EXPECT_FALSE(tokens_->authenticate(t.secret, false).is_ok());
  auto events = list_audit_events(*catalog_, as(admin_a_), 100, 0);
  ASSERT_TRUE(events.is_ok());
  bool found = false;
  for (const auto& e : *events) found = found || (e.action == "user.delete" && e.resource_id == doctor_a_.id);
  EXPECT_TRUE(found);
  // Institution admins see only their tenant's audit events.
  for (const auto& e : *events) EXPECT_EQ(e.institution_id, inst_a_.id);
  EXPECT_EQ(list_audit_events(*catalog_, as(doctor_a_), 10, 0).status().code(), ErrorCode::forbidden);
}

TEST_F(DirectoryTest, PasswordsAreStoredOnlyAsArgon2id) {
  auto tx = catalog_->begin(storage::TxMode::read_only).value();
  auto rows = tx->query("SELECT password_hash FROM users WHERE password_hash IS NOT NULL").value();
  ASSERT_FALSE(rows.empty());
  for (const auto& r : rows) EXPECT_EQ(r.get_text("password_hash").rfind("$argon2id$", 0), 0u);
}

TEST(Bootstrap, CreatesFirstAdminOnceWithAWorkingPassword) {
  medai::testing::TempDir dir;
  AuthConfig auth;
  auto catalog = storage::open_sqlite_catalog({.path = dir / "c.sqlite"}).value();
  Directory directory(*catalog, auth);
  Tokens tokens(*catalog, directory, auth);
  auto first = bootstrap_first_admin(directory);
  ASSERT_TRUE(first.is_ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->username, "admin");
  EXPECT_GE((*first)->password.size(), 20u);
  auto session = tokens.login("admin", (*first)->password);
  ASSERT_TRUE(session.is_ok());
  EXPECT_TRUE(session->user.roles.count(Role::admin));
  auto again = bootstrap_first_admin(directory);
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(again->has_value()) << "credentials are created and shown only once";
}

}  // namespace
}  // namespace medai::access
