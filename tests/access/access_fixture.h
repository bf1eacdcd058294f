#pragma once
// A fresh catalog with two institutions (A and B) and a user of each role.
#include <gtest/gtest.h>

#include <memory>

#include "access/directory.h"
#include "access/tokens.h"
#include "storage/catalog.h"
#include "support/temp_dir.h"

namespace medai::access {

class AccessFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auth_.min_password_length = 12;
    auto catalog = storage::open_sqlite_catalog({.path = dir_ / "catalog.sqlite"});
    ASSERT_TRUE(catalog.is_ok()) << catalog.status().to_string();
    catalog_ = std::move(*catalog);
    directory_ = std::make_unique<Directory>(*catalog_, auth_);
    tokens_ = std::make_unique<Tokens>(*catalog_, *directory_, auth_);
    const Principal system = system_principal();
    inst_a_ = directory_->create_institution(system, {"hospital-a", "Hospital A"}).value();
    inst_b_ = directory_->create_institution(system, {"hospital-b", "Hospital B"}).value();
    admin_ = make_user(inst_a_, "root", {Role::admin});
    admin_a_ = make_user(inst_a_, "alice-admin", {Role::institution_admin});
    doctor_a_ = make_user(inst_a_, "dr-a", {Role::doctor});
    doctor_b_ = make_user(inst_b_, "dr-b", {Role::doctor});
    admin_b_ = make_user(inst_b_, "bob-admin", {Role::institution_admin});
  }

  User make_user(const Institution& inst, const std::string& name, std::set<Role> roles) {
    NewUser nu{inst.id, name, name, roles, std::string("password-of-") + name};
    auto u = directory_->create_user(system_principal(), nu);
    EXPECT_TRUE(u.is_ok()) << u.status().to_string();
    return *u;
  }

  static Principal as(const User& u) {
    Principal p;
    p.user_id = u.id;
    p.username = u.username;
    p.institution_id = u.institution_id;
    p.roles = u.roles;
    return p;
  }

  medai::testing::TempDir dir_;
  AuthConfig auth_;
  std::unique_ptr<storage::Catalog> catalog_;
  std::unique_ptr<Directory> directory_;
  std::unique_ptr<Tokens> tokens_;
  Institution inst_a_, inst_b_;
  User admin_, admin_a_, doctor_a_, doctor_b_, admin_b_;
};

}  // namespace medai::access
