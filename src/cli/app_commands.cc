// `medai app ...`: building, signing and verifying app packages offline
// (keygen, pack, sign, verify) and using the server's app catalog
// (register-key, publish, list, show, approve) through the REST API.
#include <sys/stat.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/api_client.h"
#include "core/files.h"
#include "cli/commands.h"
#include "packages/package_builder.h"
#include "packages/package_verifier.h"
#include "packages/signing.h"

namespace medai::cli {
namespace {

namespace fs = std::filesystem;


// Writes through a temporary file and a rename, so a failed write never
// leaves a half package (or key) under the final name.
Status write_file(const fs::path& p, std::string_view bytes, bool secret = false) {
  const fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (secret) ::chmod(tmp.c_str(), 0600);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return make_error(ErrorCode::io_error, "cannot write " + p.string());
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) return make_error(ErrorCode::io_error, "cannot write " + p.string());
  return Status::ok();
}

template <typename T>
T or_fail(Result<T> r) {
  if (!r) fail(r.status());
  return std::move(r).value();
}

std::string url_segment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

void add_offline_commands(CLI::App& app) {
  auto* keygen = app.add_subcommand("keygen", "Create an Ed25519 signing key pair (PREFIX.key.json, PREFIX.pub.json)");
  auto prefix = std::make_shared<std::string>();
  keygen->add_option("--out", *prefix, "path prefix of the two key files")->required();
  keygen->callback([prefix] {
    const fs::path secret = *prefix + ".key.json", pub = *prefix + ".pub.json";
    if (fs::exists(secret)) fail(make_error(ErrorCode::already_exists, secret.string() + " exists; not overwritten"));
    const packages::SigningKey key = packages::generate_signing_key();
    if (Status s = write_file(secret, packages::secret_key_json(key), true); !s) fail(s);
    if (Status s = write_file(pub, packages::public_key_json(key)); !s) fail(s);
    std::cout << "key id " << key.key_id << "\nsecret key: " << secret.string() << " (keep it private)\n"
              << "public key: " << pub.string() << " (register it with `medai app register-key`)\n";
  });

  auto* pack = app.add_subcommand("pack", "Build an unsigned package from a folder with manifest.json");
  auto dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  pack->add_option("folder", *dir, "folder with manifest.json, model/ and test/")->required()->check(CLI::ExistingDirectory);
  pack->add_option("-o,--out", *out, "package file to write (.medai)")->required();
  pack->callback([dir, out] {
    const std::string archive = or_fail(packages::pack_directory(*dir));
    if (Status s = write_file(*out, archive); !s) fail(s);
    std::cout << "wrote " << *out << " (" << archive.size() << " bytes, unsigned; sign it with `medai app sign`)\n";
  });

  auto* sign = app.add_subcommand("sign", "Sign a package's manifest with a secret key (adds manifest.sig)");
  auto package = std::make_shared<std::string>();
  auto key_file = std::make_shared<std::string>();
  auto sign_out = std::make_shared<std::string>();
  sign->add_option("package", *package, "package file")->required()->check(CLI::ExistingFile);
  sign->add_option("--key", *key_file, "secret key file from `medai app keygen`")->required()->check(CLI::ExistingFile);
  sign->add_option("-o,--out", *sign_out, "signed package to write (default: replace the input)");
  sign->callback([package, key_file, sign_out] {
    const auto key = or_fail(packages::parse_key_json(or_fail(read_file(*key_file))));
    const std::string signed_archive = or_fail(packages::sign_package_archive(or_fail(read_file(*package)), key));
    const std::string target = sign_out->empty() ? *package : *sign_out;
    if (Status s = write_file(target, signed_archive); !s) fail(s);
    std::cout << "signed " << target << " with key " << key.key_id << "\n";
  });

  auto* verify = app.add_subcommand("verify", "Verify a package offline: archive rules, signature, manifest, hashes");
  auto verify_package = std::make_shared<std::string>();
  auto public_keys = std::make_shared<std::vector<std::string>>();
  auto vendor = std::make_shared<std::string>();
  verify->add_option("package", *verify_package, "package file")->required()->check(CLI::ExistingFile);
  verify->add_option("--public-key", *public_keys, "trusted public (or secret) key file; repeatable")
      ->required()
      ->check(CLI::ExistingFile);
  verify->add_option("--vendor", *vendor, "the vendor handle the manifest must name");
  verify->callback([verify_package, public_keys, vendor] {
    std::vector<packages::TrustedKey> trusted;
    for (const auto& f : *public_keys) {
      const auto key = or_fail(packages::parse_key_json(or_fail(read_file(f))));
      trusted.push_back({*vendor, key.key_id, key.public_key});
    }
    const auto v = or_fail(packages::verify_package(or_fail(read_file(*verify_package)), trusted, {}, *vendor));
    std::cout << nlohmann::json{{"name", v.manifest.name},
                                {"vendor", v.manifest.vendor},
                                {"version", v.manifest.version},
                                {"digest", v.digest},
                                {"key_id", v.key_id},
                                {"files", v.manifest.files.size()},
                                {"verified", true}}
                     .dump(2)
              << "\n";
  });
}

void add_server_commands(CLI::App& app) {
  auto flags = std::make_shared<ServerFlags>();

  auto* register_key = app.add_subcommand("register-key", "Register a public signing key for your vendor");
  auto pub = std::make_shared<std::string>();
  auto key_name = std::make_shared<std::string>();
  flags->add_to(*register_key);
  register_key->add_option("--public-key", *pub, "public key file from `medai app keygen`")->required()->check(CLI::ExistingFile);
  register_key->add_option("--name", *key_name, "label of the key")->required();
  register_key->callback([flags, pub, key_name] {
    const auto key = or_fail(packages::parse_key_json(or_fail(read_file(*pub))));
    ApiClient client(flags->server, flags->token);
    auto r = client.call("POST", "/api/v1/vendor-keys",
                         {{"public_key", packages::base64_encode(key.public_key)}, {"name", *key_name}});
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* publish = app.add_subcommand("publish", "Upload a signed package to the server");
  auto package = std::make_shared<std::string>();
  flags->add_to(*publish);
  publish->add_option("package", *package, "signed package file")->required()->check(CLI::ExistingFile);
  publish->callback([flags, package] {
    const std::string bytes = or_fail(read_file(*package));
    ApiClient client(flags->server, flags->token);
    auto r = client.send_bytes("POST", "/api/v1/apps", bytes, "application/zip");
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* list = app.add_subcommand("list", "List the apps you may see");
  flags->add_to(*list);
  list->callback([flags] {
    ApiClient client(flags->server, flags->token);
    auto r = client.call("GET", "/api/v1/apps");
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* show = app.add_subcommand("show", "Show an app, or one version with its manifest");
  auto name = std::make_shared<std::string>();
  auto version = std::make_shared<std::string>();
  flags->add_to(*show);
  show->add_option("name", *name, "app name")->required();
  show->add_option("version", *version, "version (default: the app and all versions)");
  show->callback([flags, name, version] {
    ApiClient client(flags->server, flags->token);
    std::string path = "/api/v1/apps/" + url_segment(*name);
    if (!version->empty()) path += "/versions/" + url_segment(*version);
    auto r = client.call("GET", path);
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });

  auto* approve = app.add_subcommand("approve", "Approve (or --revoke) a version for clinical use at your institution");
  auto approve_name = std::make_shared<std::string>();
  auto approve_version = std::make_shared<std::string>();
  auto institution = std::make_shared<std::string>();
  auto revoke = std::make_shared<bool>(false);
  flags->add_to(*approve);
  approve->add_option("name", *approve_name, "app name")->required();
  approve->add_option("version", *approve_version, "version")->required();
  approve->add_option("--institution", *institution, "platform admins: the institution id");
  approve->add_flag("--revoke", *revoke, "revoke the approval instead");
  approve->callback([flags, approve_name, approve_version, institution, revoke] {
    ApiClient client(flags->server, flags->token);
    nlohmann::json body = nlohmann::json::object();
    if (!institution->empty()) body["institution_id"] = *institution;
    auto r = client.call("POST",
                         "/api/v1/apps/" + url_segment(*approve_name) + "/versions/" + url_segment(*approve_version) +
                             (*revoke ? "/revoke" : "/approve"),
                         body);
    if (!r) fail(r.status());
    std::cout << r->dump(2) << "\n";
  });
}

}  // namespace

void add_app_commands(CLI::App& app) {
  auto* cmd = app.add_subcommand("app", "AI app packages: keygen, pack, sign, verify, register-key, publish, list, "
                                        "show, approve");
  cmd->require_subcommand(1);
  add_offline_commands(*cmd);
  add_server_commands(*cmd);
}

}  // namespace medai::cli
