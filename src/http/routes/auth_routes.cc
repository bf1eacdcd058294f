// Log-in, log-out and "who am I".
#include "core/clock.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {

namespace {
std::string session_cookie(const std::string& value, std::int64_t max_age_s, bool tls) {
  std::string c = "medai_session=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                  std::to_string(max_age_s);
  if (tls) c += "; Secure";
  return c;
}
}  // namespace

void register_auth_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::post,
              .pattern = "/api/v1/auth/login",
              .operation_id = "login",
              .summary = "Log in with user name and password",
              .description = "Starts a browser session: sets the HttpOnly medai_session cookie and "
                             "returns the session token (usable as a bearer token until it expires). "
                             "Repeated failures for one user name are throttled (429).",
              .tags = {"auth"},
              .auth = Auth::none,
              .request_schema = schema_object({{"username", schema_string()}, {"password", schema_string()}},
                                              {"username", "password"}),
              .responses = {{200, "logged in",
                             schema_object({{"token", schema_string("session secret")},
                                            {"expires_at", schema_string()},
                                            {"user", user_schema()}})},
                            error_doc(401, "wrong user name or password"),
                            error_doc(429, "too many failures")},
              .max_body_bytes = 16 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               auto username = required_string(*body, "username", 64);
               if (!username) return Response::error(username.status());
               auto password = required_string(*body, "password", 1024);
               if (!password) return Response::error(password.status());
               auto session = ctx.tokens->login(*username, *password);
               if (!session) return Response::error(session.status());
               Response r = Response::json({{"token", session->token.secret},
                                            {"expires_at", iso8601_utc(*session->token.info.expires_at)},
                                            {"user", access::to_json(session->user)}});
               r.header("Set-Cookie", session_cookie(session->token.secret,
                                                     ctx.config.auth.session_ttl_minutes * 60, req.tls));
               return r;
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/auth/logout",
              .operation_id = "logout",
              .summary = "End the current session",
              .description = "Revokes the session that authenticated this request and clears the cookie. "
                             "API tokens are revoked with DELETE /api/v1/tokens/{id} instead.",
              .tags = {"auth"},
              .responses = {{204, "logged out"}, error_doc(400, "called with an API token")}},
             [&ctx](Request& req) {
               Status s = ctx.tokens->logout(*req.principal);
               if (!s) return fail(ctx, req, s);
               Response r = Response::no_content();
               r.header("Set-Cookie", session_cookie("", 0, req.tls));
               return r;
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/me",
              .operation_id = "getMe",
              .summary = "The calling user",
              .description = "The authenticated user's record, institution and roles.",
              .tags = {"auth"},
              .responses = {{200, "the caller",
                             schema_object({{"user", user_schema()}, {"institution", institution_schema()},
                                            {"via", schema_string("session or api")}})}}},
             [&ctx](Request& req) {
               const auto& p = *req.principal;
               auto user = ctx.directory->get_user(p, p.user_id);
               if (!user) return fail(ctx, req, user.status());
               auto inst = ctx.directory->get_institution(p, p.institution_id);
               if (!inst) return fail(ctx, req, inst.status());
               return Response::json({{"user", access::to_json(*user)},
                                      {"institution", access::to_json(*inst)},
                                      {"via", p.via_session ? "session" : "api"}});
             });
}

}  // namespace medai::http::routes
