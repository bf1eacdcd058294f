#pragma once
// A real `medai serve` with two hospitals (A, B), a doctor token for each,
// and DICOMweb helpers: STOW multipart bodies, multipart response parsing.
#include <gtest/gtest.h>

#include "http/multipart.h"
#include "server_process.h"
#include "support/dicom_fixture.h"

namespace medai::testing {

struct Tenant {
  std::string institution_id;
  std::string token;
};

inline std::string stow_body(const std::vector<std::string>& instances, const std::string& boundary) {
  std::string body;
  for (const auto& i : instances) body += "--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n" + i + "\r\n";
  body += "--" + boundary + "--\r\n";
  return body;
}

// Body parts of a multipart/related response.
inline std::vector<std::string> multipart_bodies(const http::testing::RawResponse& r) {
  auto type = http::parse_media_type(r.header("Content-Type"));
  auto parts = http::parse_multipart(r.body, type.param("boundary"));
  std::vector<std::string> out;
  if (!parts) return out;
  for (const auto& p : *parts) out.emplace_back(p.body);
  return out;
}

class DicomWebServer {
 public:
  explicit DicomWebServer(const std::filesystem::path& data, std::map<std::string, std::string> env = {})
      : server_(data, std::move(env)) {}
  ServerProcess& process() { return server_; }

  // First start: log in as admin and create the two hospitals with a doctor each.
  void provision() {
    ASSERT_TRUE(server_.running()) << server_.log_text();
    int status = 0;
    auto login = Api{server_.port(), ""}.json("POST", "/api/v1/auth/login",
                                              {{"username", "admin"}, {"password", server_.first_admin_password()}},
                                              &status);
    ASSERT_EQ(status, 200) << login.dump();
    admin_token = login["token"];
    a = make_tenant("hospital-a");
    b = make_tenant("hospital-b");
  }

  Tenant make_tenant(const std::string& name) {
    Api admin{server_.port(), admin_token};
    int status = 0;
    auto inst = admin.json("POST", "/api/v1/institutions", {{"name", name}}, &status);
    EXPECT_EQ(status, 201) << inst.dump();
    auto user = admin.json("POST", "/api/v1/users",
                           {{"username", "doctor-" + name},
                            {"institution_id", inst["id"]},
                            {"roles", {"doctor"}},
                            {"password", "a-long-enough-password"}},
                           &status);
    EXPECT_EQ(status, 201) << user.dump();
    auto token = admin.json("POST", "/api/v1/tokens", {{"name", "pacs"}, {"user_id", user["id"]}}, &status);
    EXPECT_EQ(status, 201) << token.dump();
    return {inst["id"], token["token"]};
  }

  std::optional<http::testing::RawResponse> get(const Tenant& who, const std::string& target,
                                                const std::string& accept = "") {
    std::string h = "Authorization: Bearer " + who.token + "\r\n";
    if (!accept.empty()) h += "Accept: " + accept + "\r\n";
    return http::testing::fetch(server_.port(), "GET", target, h);
  }
  std::optional<http::testing::RawResponse> stow(const Tenant& who, const std::vector<std::string>& instances,
                                                 const std::string& study = "") {
    const std::string boundary = "test-boundary-7d2f";
    return http::testing::fetch(server_.port(), "POST", "/dicom-web/studies" + (study.empty() ? "" : "/" + study),
                                "Authorization: Bearer " + who.token +
                                    "\r\nContent-Type: multipart/related; type=\"application/dicom\"; boundary=" +
                                    boundary + "\r\n",
                                stow_body(instances, boundary));
  }
  nlohmann::json qido(const Tenant& who, const std::string& target) {
    auto r = get(who, target);
    EXPECT_TRUE(r);
    if (!r) return nullptr;
    EXPECT_EQ(r->status, 200) << target << " " << r->body;
    EXPECT_EQ(r->header("Content-Type"), "application/dicom+json");
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  std::string admin_token;
  Tenant a, b;

 private:
  ServerProcess server_;
};

}  // namespace medai::testing
