// A user of institution A must never see or change B's records, whatever
// identifier they try.
#include "access_fixture.h"

namespace medai::access {
namespace {

using TenancyTest = AccessFixture;

TEST_F(TenancyTest, InstitutionsAreScopedToTheCaller) {
  auto list = directory_->list_institutions(as(doctor_a_), {});
  ASSERT_TRUE(list.is_ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, inst_a_.id);
  EXPECT_EQ(directory_->get_institution(as(doctor_a_), inst_b_.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(directory_->find_institution(as(doctor_a_), "hospital-b").status().code(), ErrorCode::not_found);
  EXPECT_EQ(directory_->list_institutions(as(admin_), {})->size(), 2u);
}

TEST_F(TenancyTest, InstitutionAdminSeesOnlyOwnUsers) {
  auto list = directory_->list_users(as(admin_a_), std::nullopt, {});
  ASSERT_TRUE(list.is_ok());
  for (const auto& u : *list) EXPECT_EQ(u.institution_id, inst_a_.id);
  // Asking explicitly for B's users returns nothing, not B's users.
  auto other = directory_->list_users(as(admin_a_), inst_b_.id, {});
  ASSERT_TRUE(other.is_ok());
  EXPECT_TRUE(other->empty());
  // Platform admin sees both.
  EXPECT_EQ(directory_->list_users(as(admin_), std::nullopt, {})->size(), 5u);
  EXPECT_EQ(directory_->list_users(as(admin_), inst_b_.id, {})->size(), 2u);
}

TEST_F(TenancyTest, CrossTenantUserAccessIsNotFound) {
  EXPECT_EQ(directory_->get_user(as(admin_a_), doctor_b_.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(directory_->get_user(as(doctor_a_), doctor_b_.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(directory_->update_user(as(admin_a_), doctor_b_.id, {.disabled = true}).status().code(),
            ErrorCode::not_found);
  EXPECT_EQ(directory_->delete_user(as(admin_a_), doctor_b_.id).code(), ErrorCode::not_found);
  EXPECT_FALSE(directory_->get_user(as(admin_), doctor_b_.id).value().disabled) << "B's doctor untouched";
  // Creating a user in another institution is refused without revealing it.
  NewUser nu{inst_b_.id, "intruder", "", {Role::doctor}, std::nullopt};
  EXPECT_EQ(directory_->create_user(as(admin_a_), nu).status().code(), ErrorCode::not_found);
}

TEST_F(TenancyTest, CrossTenantTokensAreInvisible) {
  auto issued = tokens_->issue(as(doctor_b_), doctor_b_.id, "b's script", std::nullopt);
  ASSERT_TRUE(issued.is_ok());
  EXPECT_EQ(tokens_->list(as(admin_a_), doctor_b_.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(tokens_->revoke(as(admin_a_), issued->info.id).code(), ErrorCode::not_found);
  EXPECT_EQ(tokens_->issue(as(admin_a_), doctor_b_.id, "steal", std::nullopt).status().code(), ErrorCode::not_found);
  EXPECT_TRUE(tokens_->authenticate(issued->secret, false).is_ok()) << "B's token still works";
}

TEST_F(TenancyTest, DoctorsCannotReadOtherUsersEvenInTheirInstitution) {
  auto colleague = make_user(inst_a_, "dr-a2", {Role::doctor});
  EXPECT_EQ(directory_->get_user(as(doctor_a_), colleague.id).status().code(), ErrorCode::not_found);
  EXPECT_EQ(directory_->list_users(as(doctor_a_), std::nullopt, {}).status().code(), ErrorCode::forbidden);
  EXPECT_TRUE(directory_->get_user(as(doctor_a_), doctor_a_.id).is_ok());
}

}  // namespace
}  // namespace medai::access
