#include "core/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "support/temp_dir.h"

namespace medai {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void TearDown() override {
    unsetenv("MEDAI_HTTP_PORT");
    unsetenv("MEDAI_LOG_LEVEL");
    unsetenv("MEDAI_DATA_DIR");
  }
  std::filesystem::path write_file(const std::string& text) {
    auto p = dir_ / "medai.json";
    std::ofstream(p) << text;
    return p;
  }
  testing::TempDir dir_;
};

TEST_F(ConfigTest, DefaultsAreTheEmbeddedSetUp) {
  auto c = load_config({.read_environment = false});
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_EQ(c->http.host, "127.0.0.1");
  EXPECT_EQ(c->http.port, 8142);
  EXPECT_EQ(c->data_dir, "var");
  EXPECT_EQ(c->catalog_path(), std::filesystem::path("var/catalog.sqlite"));
}

TEST_F(ConfigTest, FileThenEnvironmentThenFlags) {
  auto file = write_file(R"({"http": {"port": 9000, "host": "0.0.0.0"}, "log": {"level": "warn"}})");
  auto c = load_config({.file = file});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->http.port, 9000);
  EXPECT_EQ(c->http.host, "0.0.0.0");
  EXPECT_EQ(c->log.level, "warn");

  setenv("MEDAI_HTTP_PORT", "9100", 1);
  c = load_config({.file = file});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->http.port, 9100);

  c = load_config({.file = file, .flags = {{"http.port", 9200}}});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->http.port, 9200);
  EXPECT_EQ(c->http.host, "0.0.0.0");  // untouched keys keep the file's value
}

TEST_F(ConfigTest, UnknownKeysInFileAreRejectedByName) {
  auto file = write_file(R"({"http": {"prot": 9000}})");
  auto c = load_config({.file = file, .read_environment = false});
  ASSERT_FALSE(c.is_ok());
  EXPECT_EQ(c.status().code(), ErrorCode::config_error);
  EXPECT_EQ(c.status().detail()["unknown_keys"][0], "http.prot");
}

TEST_F(ConfigTest, WrongTypesAndRangesAreRejected) {
  setenv("MEDAI_HTTP_PORT", "eighty", 1);
  auto c = load_config({});
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("http.port"), std::string::npos);
  unsetenv("MEDAI_HTTP_PORT");

  c = load_config({.read_environment = false, .flags = {{"http.port", 70000}}});
  ASSERT_FALSE(c.is_ok());
  c = load_config({.read_environment = false, .flags = {{"log.level", "loud"}}});
  ASSERT_FALSE(c.is_ok());
  c = load_config({.read_environment = false, .flags = {{"http.tls_cert", "/x.pem"}}});
  ASSERT_FALSE(c.is_ok()) << "a certificate without a key must be refused";
  auto bad_json = write_file("{not json");
  c = load_config({.file = bad_json, .read_environment = false});
  ASSERT_FALSE(c.is_ok());
}

TEST_F(ConfigTest, EnvironmentNamesFollowKeys) {
  EXPECT_EQ(config_env_name("http.port"), "MEDAI_HTTP_PORT");
  EXPECT_EQ(config_env_name("data_dir"), "MEDAI_DATA_DIR");
  setenv("MEDAI_DATA_DIR", "/srv/medai", 1);
  auto c = load_config({});
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->data_dir, "/srv/medai");
}

TEST_F(ConfigTest, PrintedConfigLoadsBackIdentically) {
  auto c = load_config({.read_environment = false, .flags = {{"http.port", 1234}}});
  ASSERT_TRUE(c.is_ok());
  auto file = write_file(config_to_json(*c).dump());
  auto again = load_config({.file = file, .read_environment = false});
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(config_to_json(*again), config_to_json(*c));
}

}  // namespace
}  // namespace medai
