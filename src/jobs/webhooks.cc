#include "jobs/webhooks.h"

#include <algorithm>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "access/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/log.h"

namespace medai::jobs {
namespace {

constexpr const char* kColumns = "id, institution_id, name, url, events, secret, enabled, created_at";
constexpr long kTimeoutSeconds = 15;

Webhook webhook_of(const storage::Row& r) {
  Webhook w;
  w.id = r.get_text("id");
  w.institution_id = r.get_text("institution_id");
  w.name = r.get_text("name");
  w.url = r.get_text("url");
  auto ev = nlohmann::json::parse(r.get_text("events"), nullptr, false);
  if (ev.is_array())
    for (const auto& e : ev)
      if (e.is_string()) w.events.push_back(e);
  w.enabled = r.get_int("enabled") != 0;
  w.created_at = r.get_int("created_at");
  return w;
}

Status check_url(const std::string& url) {
  const bool http = url.rfind("http://", 0) == 0, https = url.rfind("https://", 0) == 0;
  if ((!http && !https) || url.size() > 2000 || url.find_first_of(" \r\n\t") != std::string::npos)
    return make_error(ErrorCode::invalid_argument, "webhook url must be an http:// or https:// URL", {{"field", "url"}});
  return Status::ok();
}

std::size_t discard(char*, std::size_t size, std::size_t n, void*) { return size * n; }

class WebhookDeliveryHandler : public JobHandler {
 public:
  explicit WebhookDeliveryHandler(storage::Catalog& catalog) : webhooks_(catalog) {}

  Result<nlohmann::json> run(const Job& job, JobContext& ctx) override {
    const std::string id = job.input.value("webhook_id", "");
    MEDAI_ASSIGN_OR_RETURN(auto hook, webhooks_.load_for_delivery(job.institution_id, id));
    const auto& [w, secret] = hook;
    const std::int64_t now = now_ms();
    const std::string body = nlohmann::json{{"event", job.input.value("event", "")},
                                            {"institution_id", job.institution_id},
                                            {"job_id", job.id},
                                            {"sent_at", now / 1000},
                                            {"data", job.input.value("data", nlohmann::json::object())}}
                                 .dump();
    const std::string signature = "X-Medai-Signature: sha256=" + hmac_sha256_hex(body, secret);
    const std::string timestamp = "X-Medai-Timestamp: " + std::to_string(now / 1000);
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return make_error(ErrorCode::internal, "cannot create an HTTP client");
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, timestamp.c_str());
    headers = curl_slist_append(headers, signature.c_str());
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_URL, w.url.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // never follow redirects
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, kTimeoutSeconds);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "medai-webhook/1");
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    ctx.progress(1.0, "delivered");
    // Messages name the webhook, never the URL's query or the payload.
    if (rc != CURLE_OK)
      return make_error(ErrorCode::unavailable, "webhook '" + w.name + "' unreachable: " + curl_easy_strerror(rc));
    if (status >= 200 && status < 300) return nlohmann::json{{"webhook_id", w.id}, {"http_status", status}};
    if (status == 429 || status >= 500)
      return make_error(ErrorCode::remote_failure,
                        "webhook '" + w.name + "' answered HTTP " + std::to_string(status) + "; will retry");
    return make_error(ErrorCode::unprocessable,
                      "webhook '" + w.name + "' refused the delivery with HTTP " + std::to_string(status) +
                          (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
  }

 private:
  Webhooks webhooks_;
};

}  // namespace

std::string hmac_sha256_hex(std::string_view body, std::string_view secret) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), out, &len);
  return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

nlohmann::json to_json(const Webhook& w) {
  return {{"id", w.id},         {"institution_id", w.institution_id}, {"name", w.name},
          {"url", w.url},       {"events", w.events},                 {"enabled", w.enabled},
          {"created_at", iso8601_utc(w.created_at)}};
}

Result<NewWebhook> Webhooks::create(const access::Principal& who, Webhook w) {
  if (w.institution_id.empty()) w.institution_id = who.institution_id;
  if (!who.can_administer(w.institution_id))
    return make_error(ErrorCode::forbidden, "webhooks are managed by institution administrators");
  if (w.name.empty() || w.name.size() > 100)
    return make_error(ErrorCode::invalid_argument, "webhook name must be 1..100 characters", {{"field", "name"}});
  MEDAI_RETURN_IF_ERROR(check_url(w.url));
  NewWebhook out;
  w.id = new_id("whk");
  w.created_at = now_ms();
  out.secret = crypto::random_token(32);
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) -> Status {
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO webhooks (id, institution_id, name, url, events, secret, enabled, "
                                  "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                                  {w.id, w.institution_id, w.name, w.url, nlohmann::json(w.events).dump(), out.secret,
                                   std::int64_t{w.enabled ? 1 : 0}, w.created_at})
                              .status());
    auto ev = access::audit_event(who, "webhook.create", "webhook", w.id);
    ev.institution_id = w.institution_id;
    return access::record_audit(tx, ev);
  });
  if (!s) return s;
  out.webhook = w;
  return out;
}

Result<std::vector<Webhook>> Webhooks::list(const access::Principal& who) {
  if (!who.is_platform_admin() && !who.has_role(access::Role::institution_admin))
    return make_error(ErrorCode::forbidden, "webhooks are managed by institution administrators");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(std::string("SELECT ") + kColumns +
                                                  " FROM webhooks WHERE ($1 = '' OR institution_id = $1) ORDER BY "
                                                  "created_at, id",
                                              {who.is_platform_admin() ? std::string() : who.institution_id}));
  std::vector<Webhook> out;
  for (const auto& r : rows) out.push_back(webhook_of(r));
  return out;
}

Status Webhooks::remove(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_write));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one("SELECT institution_id FROM webhooks WHERE id = $1", {id}));
  if (!row || !who.can_see_institution(row->get_text("institution_id")))
    return make_error(ErrorCode::not_found, "no such webhook");
  if (!who.can_administer(row->get_text("institution_id")))
    return make_error(ErrorCode::forbidden, "webhooks are managed by institution administrators");
  MEDAI_RETURN_IF_ERROR(tx->exec("DELETE FROM webhooks WHERE id = $1", {id}).status());
  auto ev = access::audit_event(who, "webhook.delete", "webhook", id);
  ev.institution_id = row->get_text("institution_id");
  MEDAI_RETURN_IF_ERROR(access::record_audit(*tx, ev));
  return tx->commit();
}

Result<std::pair<Webhook, std::string>> Webhooks::load_for_delivery(const std::string& institution_id,
                                                                    const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one(std::string("SELECT ") + kColumns +
                                                     " FROM webhooks WHERE id = $1 AND institution_id = $2",
                                                 {id, institution_id}));
  // Deleted or disabled since the job was queued: nothing to deliver to.
  if (!row) return make_error(ErrorCode::not_found, "the webhook no longer exists");
  Webhook w = webhook_of(*row);
  if (!w.enabled) return make_error(ErrorCode::conflict, "the webhook is disabled");
  return std::make_pair(w, row->get_text("secret"));
}

Result<std::vector<Webhook>> Webhooks::enabled_for(const std::string& institution_id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(std::string("SELECT ") + kColumns +
                                                  " FROM webhooks WHERE institution_id = $1 AND enabled = 1 "
                                                  "ORDER BY created_at, id",
                                              {institution_id}));
  std::vector<Webhook> out;
  for (const auto& r : rows) out.push_back(webhook_of(r));
  return out;
}

nlohmann::json job_event_data(const Job& job) {
  nlohmann::json data = {{"job_id", job.id},
                         {"type", job.type},
                         {"state", std::string(state_name(job.state))},
                         {"attempts", job.attempts}};
  if (job.error_code) data["error_code"] = *job.error_code;
  // Identifiers only: the input's free text (e.g. rule names) stays out.
  for (const char* key : {"app", "version", "study_uid", "series_uid", "rule_id", "node_id"})
    if (job.input.contains(key) && job.input[key].is_string()) data[key] = job.input[key];
  if (job.state == JobState::succeeded && job.result.is_object()) {
    if (job.result.contains("app")) data["result_app"] = job.result["app"];
    if (job.result.contains("findings") && job.result["findings"].is_array())
      data["findings"] = job.result["findings"].size();
    if (job.result.contains("objects") && job.result["objects"].is_array()) {
      nlohmann::json objects = nlohmann::json::array();
      for (const auto& o : job.result["objects"]) {
        nlohmann::json e = nlohmann::json::object();
        for (const char* key : {"kind", "series_instance_uid", "sop_instance_uid", "sop_class_uid"})
          if (o.contains(key)) e[key] = o[key];
        objects.push_back(std::move(e));
      }
      data["objects"] = std::move(objects);
    }
  }
  return data;
}

void register_job_events(JobEngine& engine, storage::Catalog& catalog) {
  engine.add_terminal_listener([&engine, &catalog](const Job& job) {
    if (job.type == "webhook.deliver") return;  // deliveries never announce themselves
    const std::string event = "job." + std::string(state_name(job.state));
    auto hooks = Webhooks(catalog).enabled_for(job.institution_id);
    if (!hooks) {
      log::warn("jobs.webhook_lookup_failed", {{"job_id", job.id}, {"error", hooks.status().to_json()}});
      return;
    }
    for (const auto& w : *hooks) {
      const bool wanted = w.events.empty() || std::find(w.events.begin(), w.events.end(), event) != w.events.end() ||
                          std::find(w.events.begin(), w.events.end(), "job.*") != w.events.end();
      if (!wanted) continue;
      JobRequest req;
      req.type = "webhook.deliver";
      req.institution_id = job.institution_id;
      req.idempotency_key = job.id + ":" + event + ":" + w.id;
      req.input = {{"webhook_id", w.id}, {"event", event}, {"data", job_event_data(job)}};
      if (auto e = engine.enqueue(std::move(req)); !e)
        log::warn("jobs.webhook_enqueue_failed", {{"job_id", job.id}, {"error", e.status().to_json()}});
    }
  });
}

void register_webhook_delivery(JobEngine& engine, storage::Catalog& catalog) {
  engine.register_handler("webhook.deliver", std::make_shared<WebhookDeliveryHandler>(catalog),
                          JobTypeOptions{.api_submittable = true,
                                         .submit_roles = {access::Role::institution_admin}});
}

}  // namespace medai::jobs
