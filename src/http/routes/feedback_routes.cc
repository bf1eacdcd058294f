// Clinician feedback on the findings of an app result: accept, reject or
// edit one finding of a finished app.run job. Counted per app version
// (GET /api/v1/apps/{name}/usage shows the totals to the vendor).
#include "annotations/result_json.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"
#include "jobs/job_engine.h"
#include "packages/app_usage.h"

namespace medai::http::routes {

void register_feedback_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::post,
              .pattern = "/api/v1/jobs/{id}/findings/{finding}/feedback",
              .operation_id = "recordFindingFeedback",
              .summary = "Accept, reject or edit one finding of an app result",
              .description = "Doctors and institution administrators of the job's institution, for a succeeded "
                             "app.run job whose app version is approved there. `verdict` is accept, reject or "
                             "edit; `edit` (an object, e.g. corrected measurements or label) is required for edit. "
                             "A later verdict by the same user on the same finding replaces the earlier one.",
              .tags = {"apps"},
              .request_schema = schema_object({{"verdict", {{"type", "string"}, {"enum", {"accept", "reject", "edit"}}}},
                                               {"edit", {{"type", "object"}}}},
                                              {"verdict"}),
              .responses = {{204, "recorded", nullptr},
                            error_doc(400, "bad verdict or edit"),
                            error_doc(403, "not a clinician of the institution, or version not approved"),
                            error_doc(404, "no such job or finding"),
                            error_doc(409, "the job has no result yet")}},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (Status s = reject_unknown_fields(*body, {"verdict", "edit"}); !s) return Response::error(s);
               auto verdict_name = required_string(*body, "verdict", 16);
               if (!verdict_name) return Response::error(verdict_name.status());
               auto verdict = packages::verdict_from_name(*verdict_name);
               if (!verdict)
                 return Response::error(make_error(ErrorCode::invalid_argument,
                                                   "verdict must be accept, reject or edit", {{"field", "verdict"}}));
               auto job = ctx.jobs->get(*req.principal, req.param("id"));
               if (!job) return fail(ctx, req, job.status());
               if (job->type != "app.run")
                 return fail(ctx, req, make_error(ErrorCode::not_found, "not an app result"));
               if (job->state != jobs::JobState::succeeded || job->result.is_null())
                 return fail(ctx, req, make_error(ErrorCode::conflict, "the job has no result yet"));
               auto result = annotations::result_from_json(job->result);
               if (!result) return fail(ctx, req, make_error(ErrorCode::internal, "the stored result is unreadable"));
               const std::string finding = req.param("finding");
               if (!annotations::find_finding(*result, finding))
                 return fail(ctx, req, make_error(ErrorCode::not_found, "no such finding in this result"));
               packages::FeedbackInput in;
               in.app_name = result->producer.app_name;
               in.version = result->producer.app_version;
               in.job_id = job->id;
               in.finding_id = finding;
               in.verdict = *verdict;
               in.edit = body->value("edit", json(nullptr));
               if (Status s = ctx.app_usage->record_feedback(*req.principal, in); !s) return fail(ctx, req, s);
               return Response::no_content();
             });
}

}  // namespace medai::http::routes
