#pragma once
// Webhook subscriptions (table webhooks) and the `webhook.deliver` job type.
//
// A subscription = {name, url (http/https), events, secret}. The secret is
// generated here and returned once, at creation; afterwards only its use is
// visible. Delivery POSTs JSON
//   {"event", "institution_id", "job_id", "sent_at", "data"}
// with headers
//   X-Medai-Timestamp: <unix seconds> (also "sent_at" in the signed body)
//   X-Medai-Signature: sha256=<hex HMAC-SHA256(body, secret)>
// Redirects are never followed (a 3xx is a failed attempt). 2xx = delivered;
// connection errors, timeouts, 429 and 5xx are retried with the engine's
// backoff; other 4xx fail the job (the receiver refused it).
#include <optional>
#include <string>
#include <vector>

#include "access/principal.h"
#include "jobs/job_engine.h"
#include "storage/catalog.h"

namespace medai::jobs {

struct Webhook {
  std::string id, institution_id, name, url;
  std::vector<std::string> events;  // e.g. ["job.succeeded"]; empty = all
  bool enabled = true;
  std::int64_t created_at = 0;
};
nlohmann::json to_json(const Webhook& w);

struct NewWebhook {
  Webhook webhook;
  std::string secret;  // shown once
};

class Webhooks {
 public:
  explicit Webhooks(storage::Catalog& catalog) : catalog_(catalog) {}
  // institution_id "" = the caller's own; institution administrators only.
  Result<NewWebhook> create(const access::Principal& who, Webhook w);
  Result<std::vector<Webhook>> list(const access::Principal& who);
  Status remove(const access::Principal& who, const std::string& id);
  // Delivery side (no principal): the webhook and its secret.
  Result<std::pair<Webhook, std::string>> load_for_delivery(const std::string& institution_id, const std::string& id);
  // Enabled subscriptions of one institution (system side, no principal).
  Result<std::vector<Webhook>> enabled_for(const std::string& institution_id);

 private:
  storage::Catalog& catalog_;
};

// hex HMAC-SHA256(body, secret).
std::string hmac_sha256_hex(std::string_view body, std::string_view secret);

// Registers `webhook.deliver`: input {"webhook_id", "event", "data"}.
void register_webhook_delivery(JobEngine& engine, storage::Catalog& catalog);

// Job events: when a job of any other type ends, every enabled subscription
// of the job's institution whose events include "job.<state>" (or "job.*",
// or that lists no events) gets a `webhook.deliver` job (idempotency key
// "<job id>:job.<state>:<webhook id>", so a retried job that ends again in the
// same state is announced once). The data names the job, its type, state,
// error code, the input's app/version/study/series and, for app.run, the
// finding count and the result objects' UIDs; never patient data.
void register_job_events(JobEngine& engine, storage::Catalog& catalog);
nlohmann::json job_event_data(const Job& job);

}  // namespace medai::jobs
