// medai admin ...: account administration directly on a data folder (server
// running or not). The local operator acts as platform administrator; every
// change is in the audit trail as actor "system".
#include <iostream>
#include <memory>

#include "access/bootstrap.h"
#include "access/directory.h"
#include "access/tokens.h"
#include "cli/commands.h"
#include "core/phi.h"
#include "storage/data_dir.h"

namespace medai::cli {
namespace {

struct Opened {
  Config config;
  storage::DataDir data;
  std::unique_ptr<access::Directory> directory;
  std::unique_ptr<access::Tokens> tokens;
};

Opened open_folder(const ConfigFlags& flags) {
  auto config = flags.load();
  if (!config) fail(config.status());
  auto data = storage::open_data_dir(*config);
  if (!data) fail(data.status());
  Opened o{*config, std::move(*data), nullptr, nullptr};
  phi::set_mask_key(o.data.secret);
  o.directory = std::make_unique<access::Directory>(*o.data.catalog, o.config.auth);
  o.tokens = std::make_unique<access::Tokens>(*o.data.catalog, *o.directory, o.config.auth);
  return o;
}

struct InstitutionFlags {
  ConfigFlags config;
  std::string name, display_name;
};

struct UserFlags {
  ConfigFlags config;
  std::string username, institution, display_name, password;
  std::vector<std::string> roles;
  bool generate_password = false;
};

struct TokenFlags {
  ConfigFlags config;
  std::string user, name = "cli";
  int ttl_days = 0;
};

}  // namespace

void add_admin_commands(CLI::App& app) {
  auto* admin = app.add_subcommand("admin", "Administer institutions, users and tokens on a data folder");
  admin->require_subcommand(1);

  auto inst = std::make_shared<InstitutionFlags>();
  auto* ci = admin->add_subcommand("create-institution", "Create an institution (tenant)");
  inst->config.add_to(*ci);
  ci->add_option("--name", inst->name, "unique handle: lower-case letters, digits, . _ -")->required();
  ci->add_option("--display-name", inst->display_name, "full name shown to users");
  ci->callback([inst] {
    auto o = open_folder(inst->config);
    auto created = o.directory->create_institution(access::system_principal(), {inst->name, inst->display_name});
    if (!created) fail(created.status());
    std::cout << access::to_json(*created).dump(2) << "\n";
  });

  auto user = std::make_shared<UserFlags>();
  auto* cu = admin->add_subcommand("create-user", "Create a user in an institution");
  user->config.add_to(*cu);
  cu->add_option("--username", user->username, "log-in name")->required();
  cu->add_option("--institution", user->institution, "institution handle (name)")->required();
  cu->add_option("--role", user->roles, "admin, institution_admin, doctor, researcher or partner (repeatable)")
      ->required();
  cu->add_option("--display-name", user->display_name, "full name");
  cu->add_option("--password", user->password, "password (prefer --generate-password: flags end up in shell history)");
  cu->add_flag("--generate-password", user->generate_password, "generate a password and print it once");
  cu->callback([user] {
    auto o = open_folder(user->config);
    const auto system = access::system_principal();
    auto institution = o.directory->find_institution(system, user->institution);
    if (!institution) fail(institution.status());
    access::NewUser nu;
    nu.institution_id = institution->id;
    nu.username = user->username;
    nu.display_name = user->display_name;
    for (const auto& r : user->roles) {
      auto role = access::role_from_name(r);
      if (!role) fail(make_error(ErrorCode::invalid_argument, "unknown role '" + r + "'"));
      nu.roles.insert(*role);
    }
    std::string password = user->password;
    if (user->generate_password) password = access::generate_password();
    if (!password.empty()) nu.password = password;
    auto created = o.directory->create_user(system, nu);
    if (!created) fail(created.status());
    auto out = access::to_json(*created);
    if (user->generate_password) out["password"] = password;  // shown once, never stored in clear
    std::cout << out.dump(2) << "\n";
  });

  auto token = std::make_shared<TokenFlags>();
  auto* it = admin->add_subcommand("issue-token", "Issue an API token; prints only the token");
  token->config.add_to(*it);
  it->add_option("--user", token->user, "user name")->required();
  it->add_option("--name", token->name, "what the token is for (default: cli)");
  it->add_option("--ttl-days", token->ttl_days, "lifetime in days (default from configuration)")
      ->check(CLI::PositiveNumber);
  it->callback([token] {
    auto o = open_folder(token->config);
    const auto system = access::system_principal();
    auto u = o.directory->find_user(system, token->user);
    if (!u) fail(u.status());
    auto issued = o.tokens->issue(system, u->id, token->name,
                                  token->ttl_days > 0 ? std::optional<std::int64_t>(token->ttl_days) : std::nullopt);
    if (!issued) fail(issued.status());
    std::cout << issued->secret << "\n";  // stdout carries only the token, for $(...)
  });
}

}  // namespace medai::cli
