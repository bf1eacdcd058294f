#include "core/config.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace medai {
namespace {

using nlohmann::json;

json defaults_json() { return config_to_json(Config{}); }

// Walks `defaults` and yields every leaf key as "a.b".
void leaf_keys(const json& j, const std::string& prefix, std::vector<std::string>& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object())
      leaf_keys(it.value(), key, out);
    else
      out.push_back(key);
  }
}

json::json_pointer pointer_of(const std::string& dotted) {
  std::string p = "/" + dotted;
  for (auto& c : p)
    if (c == '.') c = '/';
  return json::json_pointer(p);
}

// Coerces `value` to the JSON type of `like`; strings from the environment
// or flags are parsed as numbers or booleans where the default is one.
Result<json> coerce(const std::string& key, const json& like, const json& value) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::config_error, "configuration key '" + key + "' " + why,
                      json{{"key", key}});
  };
  if (like.is_number_integer()) {
    if (value.is_number_integer()) return value;
    if (value.is_string()) {
      const std::string s = value.get<std::string>();
      char* end = nullptr;
      errno = 0;
      long long v = std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || errno != 0 || *end != '\0') return bad("must be an integer");
      return json(v);
    }
    return bad("must be an integer");
  }
  if (like.is_boolean()) {
    if (value.is_boolean()) return value;
    if (value.is_string()) {
      const std::string s = value.get<std::string>();
      if (s == "true" || s == "1") return json(true);
      if (s == "false" || s == "0") return json(false);
    }
    return bad("must be true or false");
  }
  if (like.is_string()) {
    if (value.is_string()) return value;
    return bad("must be a string");
  }
  return bad("has an unsupported type");
}

Status merge_file(json& effective, const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in)
    return make_error(ErrorCode::config_error, "cannot read configuration file " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  json parsed = json::parse(ss.str(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return make_error(ErrorCode::config_error,
                      "configuration file " + file.string() + " is not a JSON object");
  std::vector<std::string> keys;
  leaf_keys(parsed, "", keys);
  std::vector<std::string> unknown;
  for (const auto& key : keys) {
    auto ptr = pointer_of(key);
    if (!effective.contains(ptr) || effective.at(ptr).is_object()) {
      unknown.push_back(key);
      continue;
    }
    MEDAI_ASSIGN_OR_RETURN(json v, coerce(key, effective.at(ptr), parsed.at(ptr)));
    effective[ptr] = v;
  }
  if (!unknown.empty())
    return make_error(ErrorCode::config_error, "unknown configuration keys in " + file.string(),
                      json{{"unknown_keys", unknown}});
  return Status::ok();
}

Result<Config> from_json(const json& j) {
  Config c;
  try {
    c.data_dir = j.at("data_dir").get<std::string>();
    const auto& h = j.at("http");
    c.http.host = h.at("host");
    c.http.port = h.at("port");
    c.http.io_threads = h.at("io_threads");
    c.http.handler_threads = h.at("handler_threads");
    c.http.max_header_bytes = h.at("max_header_bytes");
    c.http.max_body_bytes = h.at("max_body_bytes");
    c.http.header_timeout_ms = h.at("header_timeout_ms");
    c.http.body_timeout_ms = h.at("body_timeout_ms");
    c.http.idle_timeout_ms = h.at("idle_timeout_ms");
    c.http.tls_cert = h.at("tls_cert");
    c.http.tls_key = h.at("tls_key");
    const auto& a = j.at("auth");
    c.auth.session_ttl_minutes = a.at("session_ttl_minutes");
    c.auth.token_ttl_days = a.at("token_ttl_days");
    c.auth.max_token_ttl_days = a.at("max_token_ttl_days");
    c.auth.login_max_failures = a.at("login_max_failures");
    c.auth.login_failure_window_s = a.at("login_failure_window_s");
    c.auth.min_password_length = a.at("min_password_length");
    const auto& d = j.at("dicom");
    c.dicom.enabled = d.at("enabled");
    c.dicom.host = d.at("host");
    c.dicom.port = d.at("port");
    c.dicom.ae_title = d.at("ae_title");
    c.dicom.accept_unknown_callers = d.at("accept_unknown_callers");
    c.dicom.default_institution = d.at("default_institution");
    c.dicom.max_associations = d.at("max_associations");
    c.dicom.max_pdu_bytes = d.at("max_pdu_bytes");
    c.dicom.acse_timeout_s = d.at("acse_timeout_s");
    c.dicom.dimse_timeout_s = d.at("dimse_timeout_s");
    c.dicom.duplicate_policy = d.at("duplicate_policy");
    c.dicom.deidentify_institutions = d.at("deidentify_institutions");
    c.apps.max_package_bytes = j.at("apps").at("max_package_bytes");
    c.datasets.import_root = j.at("datasets").at("import_root");
    c.datasets.max_import_files = j.at("datasets").at("max_import_files");
    const auto& r = j.at("runtime");
    c.runtime.max_resident_bytes = r.at("max_resident_bytes");
    c.runtime.threads = r.at("threads");
    c.runtime.interop_threads = r.at("interop_threads");
    c.runtime.models_file = r.at("models_file");
    const auto& jb = j.at("jobs");
    c.jobs.workers = jb.at("workers");
    c.jobs.poll_interval_ms = jb.at("poll_interval_ms");
    c.jobs.lease_seconds = jb.at("lease_seconds");
    c.jobs.retry_base_ms = jb.at("retry_base_ms");
    c.jobs.retry_max_ms = jb.at("retry_max_ms");
    c.jobs.max_attempts = jb.at("max_attempts");
    c.jobs.series_stable_seconds = jb.at("series_stable_seconds");
    c.jobs.enable_test_handlers = jb.at("enable_test_handlers");
    c.web.root = j.at("web").at("root");
    const auto& l = j.at("log");
    c.log.level = l.at("level");
    c.log.file = l.at("file");
  } catch (const json::exception& e) {
    return make_error(ErrorCode::config_error, std::string("invalid configuration: ") + e.what());
  }
  std::vector<std::string> problems;
  if (c.data_dir.empty()) problems.push_back("data_dir must not be empty");
  if (c.http.port < 0 || c.http.port > 65535) problems.push_back("http.port must be 0..65535");
  if (c.http.io_threads < 1 || c.http.io_threads > 64) problems.push_back("http.io_threads must be 1..64");
  if (c.http.handler_threads < 1 || c.http.handler_threads > 256)
    problems.push_back("http.handler_threads must be 1..256");
  if (c.http.max_header_bytes < 1024) problems.push_back("http.max_header_bytes must be >= 1024");
  if (c.http.max_body_bytes < 1024) problems.push_back("http.max_body_bytes must be >= 1024");
  if (c.http.header_timeout_ms < 10 || c.http.body_timeout_ms < 10 || c.http.idle_timeout_ms < 10)
    problems.push_back("http timeouts must be >= 10 ms");
  if (c.http.tls_cert.empty() != c.http.tls_key.empty())
    problems.push_back("http.tls_cert and http.tls_key must be set together");
  if (c.auth.session_ttl_minutes < 1) problems.push_back("auth.session_ttl_minutes must be >= 1");
  if (c.auth.token_ttl_days < 1 || c.auth.token_ttl_days > c.auth.max_token_ttl_days)
    problems.push_back("auth.token_ttl_days must be 1..auth.max_token_ttl_days");
  if (c.auth.min_password_length < 8) problems.push_back("auth.min_password_length must be >= 8");
  if (c.dicom.port < 0 || c.dicom.port > 65535) problems.push_back("dicom.port must be 0..65535");
  if (c.dicom.ae_title.empty() || c.dicom.ae_title.size() > 16 ||
      c.dicom.ae_title.find_first_of("\\") != std::string::npos ||
      c.dicom.ae_title.find_first_not_of(' ') == std::string::npos)
    problems.push_back("dicom.ae_title must be 1..16 characters, not all spaces, without backslash");
  if (c.dicom.accept_unknown_callers && c.dicom.default_institution.empty())
    problems.push_back("dicom.accept_unknown_callers needs dicom.default_institution");
  if (c.dicom.max_associations < 1 || c.dicom.max_associations > 1024)
    problems.push_back("dicom.max_associations must be 1..1024");
  if (c.dicom.max_pdu_bytes < 4096 || c.dicom.max_pdu_bytes > 131072)
    problems.push_back("dicom.max_pdu_bytes must be 4096..131072");
  if (c.dicom.acse_timeout_s < 1 || c.dicom.dimse_timeout_s < 1)
    problems.push_back("dicom timeouts must be >= 1 s");
  if (c.dicom.duplicate_policy != "reject" && c.dicom.duplicate_policy != "keep_newest")
    problems.push_back("dicom.duplicate_policy must be reject or keep_newest");
  if (c.apps.max_package_bytes < 1024) problems.push_back("apps.max_package_bytes must be >= 1024");
  if (c.datasets.max_import_files < 1) problems.push_back("datasets.max_import_files must be >= 1");
  if (c.runtime.max_resident_bytes < (1 << 20)) problems.push_back("runtime.max_resident_bytes must be >= 1 MiB");
  if (c.runtime.threads < 0 || c.runtime.threads > 1024) problems.push_back("runtime.threads must be 0..1024");
  if (c.runtime.interop_threads < 0 || c.runtime.interop_threads > 1024)
    problems.push_back("runtime.interop_threads must be 0..1024");
  if (c.jobs.workers < 0 || c.jobs.workers > 64) problems.push_back("jobs.workers must be 0..64");
  if (c.jobs.poll_interval_ms < 10) problems.push_back("jobs.poll_interval_ms must be >= 10");
  if (c.jobs.lease_seconds < 3) problems.push_back("jobs.lease_seconds must be >= 3");
  if (c.jobs.retry_base_ms < 1 || c.jobs.retry_max_ms < c.jobs.retry_base_ms)
    problems.push_back("jobs.retry_base_ms must be >= 1 and <= jobs.retry_max_ms");
  if (c.jobs.max_attempts < 1 || c.jobs.max_attempts > 100) problems.push_back("jobs.max_attempts must be 1..100");
  if (c.jobs.series_stable_seconds < 1) problems.push_back("jobs.series_stable_seconds must be >= 1");
  if (c.log.level != "debug" && c.log.level != "info" && c.log.level != "warn" &&
      c.log.level != "error")
    problems.push_back("log.level must be debug, info, warn or error");
  if (!problems.empty())
    return make_error(ErrorCode::config_error, "invalid configuration: " + problems.front(),
                      json{{"problems", problems}});
  return c;
}

}  // namespace

std::string config_env_name(const std::string& key) {
  std::string out = "MEDAI_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

nlohmann::json config_to_json(const Config& c) {
  return json{{"data_dir", c.data_dir},
              {"http",
               {{"host", c.http.host},
                {"port", c.http.port},
                {"io_threads", c.http.io_threads},
                {"handler_threads", c.http.handler_threads},
                {"max_header_bytes", c.http.max_header_bytes},
                {"max_body_bytes", c.http.max_body_bytes},
                {"header_timeout_ms", c.http.header_timeout_ms},
                {"body_timeout_ms", c.http.body_timeout_ms},
                {"idle_timeout_ms", c.http.idle_timeout_ms},
                {"tls_cert", c.http.tls_cert},
                {"tls_key", c.http.tls_key}}},
              {"auth",
               {{"session_ttl_minutes", c.auth.session_ttl_minutes},
                {"token_ttl_days", c.auth.token_ttl_days},
                {"max_token_ttl_days", c.auth.max_token_ttl_days},
                {"login_max_failures", c.auth.login_max_failures},
                {"login_failure_window_s", c.auth.login_failure_window_s},
                {"min_password_length", c.auth.min_password_length}}},
              {"dicom",
               {{"enabled", c.dicom.enabled},
                {"host", c.dicom.host},
                {"port", c.dicom.port},
                {"ae_title", c.dicom.ae_title},
                {"accept_unknown_callers", c.dicom.accept_unknown_callers},
                {"default_institution", c.dicom.default_institution},
                {"max_associations", c.dicom.max_associations},
                {"max_pdu_bytes", c.dicom.max_pdu_bytes},
                {"acse_timeout_s", c.dicom.acse_timeout_s},
                {"dimse_timeout_s", c.dicom.dimse_timeout_s},
                {"duplicate_policy", c.dicom.duplicate_policy},
                {"deidentify_institutions", c.dicom.deidentify_institutions}}},
              {"apps", {{"max_package_bytes", c.apps.max_package_bytes}}},
              {"datasets", {{"import_root", c.datasets.import_root}, {"max_import_files", c.datasets.max_import_files}}},
              {"web", {{"root", c.web.root}}},
              {"runtime",
               {{"max_resident_bytes", c.runtime.max_resident_bytes},
                {"threads", c.runtime.threads},
                {"interop_threads", c.runtime.interop_threads},
                {"models_file", c.runtime.models_file}}},
              {"jobs",
               {{"workers", c.jobs.workers},
                {"poll_interval_ms", c.jobs.poll_interval_ms},
                {"lease_seconds", c.jobs.lease_seconds},
                {"retry_base_ms", c.jobs.retry_base_ms},
                {"retry_max_ms", c.jobs.retry_max_ms},
                {"max_attempts", c.jobs.max_attempts},
                {"series_stable_seconds", c.jobs.series_stable_seconds},
                {"enable_test_handlers", c.jobs.enable_test_handlers}}},
              {"log", {{"level", c.log.level}, {"file", c.log.file}}}};
}

Result<Config> load_config(const ConfigSources& sources) {
  json effective = defaults_json();
  if (sources.file) MEDAI_RETURN_IF_ERROR(merge_file(effective, *sources.file));

  std::vector<std::string> keys;
  leaf_keys(effective, "", keys);
  if (sources.read_environment) {
    for (const auto& key : keys) {
      if (const char* v = std::getenv(config_env_name(key).c_str())) {
        auto ptr = pointer_of(key);
        MEDAI_ASSIGN_OR_RETURN(json coerced, coerce(key, effective.at(ptr), json(std::string(v))));
        effective[ptr] = coerced;
      }
    }
  }
  for (const auto& [key, value] : sources.flags) {
    auto ptr = pointer_of(key);
    if (!effective.contains(ptr) || effective.at(ptr).is_object())
      return make_error(ErrorCode::config_error, "unknown configuration key '" + key + "'");
    MEDAI_ASSIGN_OR_RETURN(json coerced, coerce(key, effective.at(ptr), value));
    effective[ptr] = coerced;
  }
  return from_json(effective);
}

}  // namespace medai
