// webhook.deliver against a tiny HTTP receiver on loopback: HMAC signature
// over the exact body, timestamp header, retry after a 503, no redirects
// followed, 4xx fails without retry, secrets shown once, tenancy.
#include "jobs/webhooks.h"
#include "jobs_fixture.h"
#include "support/http_receiver.h"

namespace medai::jobs {
namespace {

using Receiver = testing::HttpReceiver;
using testing::body_of;
using testing::header_of;

class WebhookTest : public JobsTest {
 protected:
  NewWebhook subscribe(const std::string& url) {
    Webhook w;
    w.name = "pacs-gateway";
    w.url = url;
    w.events = {"job.succeeded"};
    auto created = Webhooks(*catalog_).create(admin_a_, w);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return created.is_ok() ? *created : NewWebhook{};
  }
  Job deliver(JobEngine& engine, const std::string& webhook_id) {
    auto r = request("webhook.deliver", {{"webhook_id", webhook_id}, {"event", "job.succeeded"},
                                         {"data", {{"job", "job_1"}, {"series_uid", "1.2.3"}}}});
    auto e = engine.enqueue(r);
    EXPECT_TRUE(e.is_ok());
    return wait_terminal(engine, e->job.id);
  }
  const access::Principal admin_a_ = user_of("inst-a", "adm", access::Role::institution_admin);
};

TEST_F(WebhookTest, SignedDeliveryRetriedAfterServerErrorThenDelivered) {
  Receiver receiver({503, 200});
  const NewWebhook hook = subscribe(receiver.url());
  ASSERT_EQ(hook.secret.size(), 43u);  // 32 random bytes, base64url
  JobEngine engine(*catalog_, fast_options());
  register_webhook_delivery(engine, *catalog_);
  ASSERT_TRUE(engine.start().is_ok());
  Job done = deliver(engine, hook.webhook.id);
  EXPECT_EQ(done.state, JobState::succeeded) << done.error_message.value_or("");
  EXPECT_EQ(done.attempts, 2);
  EXPECT_EQ(done.result["http_status"], 200);
  auto reqs = receiver.requests();
  ASSERT_EQ(reqs.size(), 2u);
  for (const auto& req : reqs) {
    const std::string body = body_of(req);
    EXPECT_EQ(header_of(req, "X-Medai-Signature"), "sha256=" + hmac_sha256_hex(body, hook.secret));
    EXPECT_NE(header_of(req, "X-Medai-Signature"), "sha256=" + hmac_sha256_hex(body, "wrong secret"));
    auto j = nlohmann::json::parse(body);
    EXPECT_EQ(j["event"], "job.succeeded");
    EXPECT_EQ(j["data"]["series_uid"], "1.2.3");
    EXPECT_EQ(std::to_string(j["sent_at"].get<std::int64_t>()), header_of(req, "X-Medai-Timestamp"));
    EXPECT_EQ(header_of(req, "Content-Type"), "application/json");
  }
}

TEST_F(WebhookTest, RedirectIsNotFollowedAndClientErrorsAreNotRetried) {
  Receiver redirect({302});
  Receiver refuses({410});
  JobEngine engine(*catalog_, fast_options());
  register_webhook_delivery(engine, *catalog_);
  ASSERT_TRUE(engine.start().is_ok());
  Job r = deliver(engine, subscribe(redirect.url()).webhook.id);
  EXPECT_EQ(r.state, JobState::failed);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(redirect.requests().size(), 1u);
  Webhook second;
  second.name = "second";
  second.url = refuses.url();
  auto created = Webhooks(*catalog_).create(admin_a_, second);
  ASSERT_TRUE(created.is_ok());
  Job g = deliver(engine, created->webhook.id);
  EXPECT_EQ(g.state, JobState::failed);
  EXPECT_EQ(g.error_code.value_or(""), "unprocessable");
  EXPECT_EQ(refuses.requests().size(), 1u);
}

TEST_F(WebhookTest, UnreachableReceiverIsRetriedUntilAttemptsRunOut) {
  const NewWebhook hook = subscribe("http://127.0.0.1:1/nothing-listens");
  JobEngine engine(*catalog_, fast_options());
  register_webhook_delivery(engine, *catalog_);
  ASSERT_TRUE(engine.start().is_ok());
  Job done = deliver(engine, hook.webhook.id);
  EXPECT_EQ(done.state, JobState::failed);
  EXPECT_EQ(done.attempts, 3);  // fast_options: 3 attempts
  EXPECT_EQ(done.error_code.value_or(""), "unavailable");
}

TEST_F(WebhookTest, SubscriptionsAreValidatedAndTenantScoped) {
  Webhooks hooks(*catalog_);
  Webhook bad;
  bad.name = "x";
  bad.url = "ftp://example.org/";
  EXPECT_EQ(hooks.create(admin_a_, bad).status().code(), ErrorCode::invalid_argument);
  bad.url = "file:///etc/passwd";
  EXPECT_EQ(hooks.create(admin_a_, bad).status().code(), ErrorCode::invalid_argument);
  const NewWebhook hook = subscribe("https://example.org/hook");
  EXPECT_EQ(hooks.create(user_of("inst-a", "doc"), bad).status().code(), ErrorCode::forbidden);
  const auto admin_b = user_of("inst-b", "admb", access::Role::institution_admin);
  auto list_b = hooks.list(admin_b);
  ASSERT_TRUE(list_b.is_ok());
  EXPECT_TRUE(list_b->empty());
  EXPECT_EQ(hooks.remove(admin_b, hook.webhook.id).code(), ErrorCode::not_found);
  // Listing never shows the secret.
  auto list_a = hooks.list(admin_a_);
  ASSERT_TRUE(list_a.is_ok());
  ASSERT_EQ(list_a->size(), 1u);
  EXPECT_EQ(to_json(list_a->front()).dump().find(hook.secret), std::string::npos);
  // A delivery job of another institution cannot use this webhook.
  auto other = hooks.load_for_delivery("inst-b", hook.webhook.id);
  EXPECT_EQ(other.status().code(), ErrorCode::not_found);
  EXPECT_TRUE(hooks.remove(admin_a_, hook.webhook.id).is_ok());
}

}  // namespace
}  // namespace medai::jobs
