#include "apps/app_run_handler.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "annotations/result_json.h"
#include "apps/imaging_app_runner.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "diabetes/fhir_output.h"

namespace medai::apps {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace ann = annotations;

Result<std::string> required_text(const json& input, const char* field) {
  if (!input.contains(field) || !input[field].is_string() || input[field].get<std::string>().empty())
    return make_error(ErrorCode::invalid_argument, std::string("app.run input needs \"") + field + "\"",
                      {{"field", field}});
  return input[field].get<std::string>();
}

// "deliver_to": the institution's DICOM nodes the results are pushed to.
Result<std::vector<std::string>> delivery_nodes(const json& input) {
  std::vector<std::string> out;
  if (!input.contains("deliver_to")) return out;
  const json& v = input["deliver_to"];
  if (!v.is_array() || v.size() > 8)
    return make_error(ErrorCode::invalid_argument, "app.run \"deliver_to\" must be a list of at most 8 DICOM node ids",
                      {{"field", "deliver_to"}});
  for (const auto& n : v) {
    if (!n.is_string() || n.get<std::string>().empty() || n.get<std::string>().size() > 64)
      return make_error(ErrorCode::invalid_argument, "app.run \"deliver_to\" entries must be DICOM node ids",
                        {{"field", "deliver_to"}});
    out.push_back(n);
  }
  return out;
}

// The digest of the input: every instance's UID and content, in slice order.
std::string input_digest(const std::vector<dicom::StoredInstance>& instances) {
  std::string text;
  for (const auto& i : instances) text += i.sop_instance_uid + "=" + i.blob_sha256 + ";";
  return "sha256:" + crypto::sha256_hex(text);
}

// One metered job (compute time since `started`); once per job even on a re-run.
Status record_usage(const AppRunDeps& deps, const jobs::Job& job, const packages::RunnableApp& app,
                    std::chrono::steady_clock::time_point started) {
  if (!deps.usage) return Status{};
  const auto compute_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  return deps.usage->record_job_usage(job.id, app.app_name, app.version, job.institution_id, compute_ms, now_ms());
}

}  // namespace

Status check_app_run_input(const json& input) {
  auto text = [&](const char* field, bool required) -> Status {
    if (!input.contains(field)) {
      if (!required) return Status{};
      return make_error(ErrorCode::invalid_argument, std::string("app.run input needs \"") + field + "\"",
                        {{"field", std::string("input.") + field}});
    }
    const json& v = input[field];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 128)
      return make_error(ErrorCode::invalid_argument, std::string("app.run \"") + field + "\" must be non-empty text",
                        {{"field", std::string("input.") + field}});
    return Status{};
  };
  MEDAI_RETURN_IF_ERROR(text("app", true));
  MEDAI_RETURN_IF_ERROR(text("version", false));
  for (const char* field : {"patient", "fhir"})
    if (input.contains(field)) {
      if (!input[field].is_object())
        return make_error(ErrorCode::invalid_argument, std::string("app.run \"") + field + "\" must be a JSON object",
                          {{"field", std::string("input.") + field}});
      return Status{};
    }
  MEDAI_RETURN_IF_ERROR(text("study_uid", true));
  return text("series_uid", true);
}

Result<json> AppRunHandler::run_tabular(const jobs::Job& job, jobs::JobContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  MEDAI_ASSIGN_OR_RETURN(std::string app_name, required_text(job.input, "app"));
  std::string version = job.input.value("version", "");
  if (version == "latest-approved" || version == "latest") version.clear();
  const bool fhir = job.input.contains("fhir");
  const json& body = fhir ? job.input["fhir"] : job.input["patient"];
  if (!body.is_object())
    return make_error(ErrorCode::invalid_argument,
                      std::string("app.run \"") + (fhir ? "fhir" : "patient") + "\" must be a JSON object",
                      {{"field", fhir ? "fhir" : "patient"}});
  ctx.progress(0.05, "resolving the app");
  MEDAI_ASSIGN_OR_RETURN(packages::RunnableApp app,
                         deps_.catalog->resolve_runnable(job.institution_id, app_name, version));
  if (!diabetes::is_rules_app(app.manifest))
    return make_error(ErrorCode::unprocessable,
                      "app '" + app_name.substr(0, 64) +
                          "' is not a tabular-advice app: give study_uid and series_uid for an imaging app",
                      {{"field", "app"}});
  MEDAI_ASSIGN_OR_RETURN(fs::path package_dir, deps_.packages->unpacked(app));
  MEDAI_ASSIGN_OR_RETURN(auto loaded, tabular_apps_.get(package_dir, app.manifest, app.digest));
  MEDAI_ASSIGN_OR_RETURN(std::shared_ptr<runtime::ModelRuntime> model,
                         deps_.models->acquire(model_spec_of(app, package_dir, deps_.threads)));
  ctx.progress(0.5, "advising");
  // The job's creation day dates a FHIR patient's age (re-runs give the same advice).
  const std::string today = iso8601_utc(job.created_at).substr(0, 10);
  auto advice = diabetes::run_advice(*loaded, model.get(), body.dump(),
                                     fhir ? diabetes::InputFormat::fhir : diabetes::InputFormat::json, today);
  if (!advice) {
    // A job's error keeps code and message only: the message lists the
    // problems' fields and codes (never their values).
    const json problems = advice.status().detail().value("problems", json::array());
    if (!problems.is_array() || problems.empty()) return advice.status();
    std::string list;
    for (const auto& p : problems)
      if (p.is_object() && list.size() < 1000)
        list += (list.empty() ? "" : ", ") + p.value("field", std::string("?")) + " " + p.value("code", std::string("?"));
    return Status(advice.status().code(), advice.status().message() + ": " + list, advice.status().detail());
  }
  MEDAI_RETURN_IF_ERROR(record_usage(deps_, job, app, started));
  ctx.progress(1.0, "done");
  return json{{"advice", advice->advice}, {"fhir", diabetes::advice_to_fhir(advice->advice, advice->subject_reference)}};
}

Result<json> AppRunHandler::run(const jobs::Job& job, jobs::JobContext& ctx) {
  if (job.input.contains("patient") || job.input.contains("fhir")) return run_tabular(job, ctx);
  const auto started = std::chrono::steady_clock::now();
  MEDAI_ASSIGN_OR_RETURN(std::string app_name, required_text(job.input, "app"));
  MEDAI_ASSIGN_OR_RETURN(std::string study_uid, required_text(job.input, "study_uid"));
  MEDAI_ASSIGN_OR_RETURN(std::string series_uid, required_text(job.input, "series_uid"));
  std::string version = job.input.value("version", "");
  if (version == "latest-approved" || version == "latest") version.clear();
  MEDAI_ASSIGN_OR_RETURN(std::vector<std::string> deliver_to, delivery_nodes(job.input));

  // 1. Which version may run here.
  ctx.progress(0.02, "resolving the app");
  MEDAI_ASSIGN_OR_RETURN(packages::RunnableApp app,
                         deps_.catalog->resolve_runnable(job.institution_id, app_name, version));
  MEDAI_ASSIGN_OR_RETURN(fs::path package_dir, deps_.packages->unpacked(app));

  // 2. The input series, read as the institution.
  ctx.progress(0.05, "loading the series");
  access::Principal reader;
  reader.user_id = "job:" + job.id;
  reader.institution_id = job.institution_id;
  reader.roles = {access::Role::doctor};
  MEDAI_ASSIGN_OR_RETURN(auto instances,
                         deps_.dicom->locate(reader, {study_uid, series_uid, ""}, "app.input"));
  std::vector<fs::path> files;
  for (const auto& i : instances) files.push_back(i.path);
  if (ctx.cancelled()) return make_error(ErrorCode::cancelled, "cancelled");

  // 3. The model, then the app itself (pipeline, model, result objects).
  ctx.progress(0.1, "loading the model");
  MEDAI_ASSIGN_OR_RETURN(std::shared_ptr<runtime::ModelRuntime> model,
                         deps_.models->acquire(model_spec_of(app, package_dir, deps_.threads)));
  RunContext run;
  run.job_id = job.id;
  run.created_at_ms = job.created_at;
  run.uid_key = deps_.uid_key;
  run.input_digest = input_digest(instances);
  run.threads = deps_.threads;
  run.progress = [&ctx](double f, const std::string& message) {
    ctx.progress(f, message);
    return !ctx.cancelled();
  };
  MEDAI_ASSIGN_OR_RETURN(AppRunOutput result, run_imaging_app({app, package_dir}, files, *model, run));
  const std::vector<ann::DicomObject>& objects = result.objects;

  // 4. Store the objects in the study (same bytes on a re-run: already present).
  if (!objects.empty()) {
    std::vector<dicom::IngestItem> items;
    for (const auto& o : objects) items.push_back({o.bytes, {}});
    auto stored = deps_.dicom->ingest_batch(
        items, {.institution_id = job.institution_id, .user_id = "", .calling_ae = "", .protocol = "app",
                .required_study_uid = result.study_instance_uid});
    for (const auto& s : stored)
      if (!s.ok()) return s.error;
  }

  // 5. Results back to the hospital: one dicom.push job per node (keyed by
  // this job, so a re-run does not push twice; the push jobs retry on their own).
  json deliveries = json::array();
  if (!deliver_to.empty() && !objects.empty()) {
    if (deps_.engine == nullptr) return make_error(ErrorCode::internal, "result delivery is not configured");
    json uids = json::array();
    for (const auto& o : objects) uids.push_back(o.sop_instance_uid);
    for (const auto& node : deliver_to) {
      jobs::JobRequest push;
      push.type = "dicom.push";
      push.institution_id = job.institution_id;
      push.created_by = job.created_by;
      push.idempotency_key = job.id + ":deliver:" + node;
      push.input = {{"node_id", node}, {"study_uid", result.study_instance_uid}, {"sop_instance_uids", uids},
                    {"trigger", "app.run"}, {"app_job_id", job.id}};
      MEDAI_ASSIGN_OR_RETURN(jobs::EnqueueResult queued, deps_.engine->enqueue(std::move(push)));
      deliveries.push_back({{"node_id", node}, {"job_id", queued.job.id}});
    }
  }

  // 6. Usage.
  MEDAI_RETURN_IF_ERROR(record_usage(deps_, job, app, started));
  ctx.progress(1.0, "done");
  json out = ann::to_json(result.result);
  out["pipeline_log"] = result.log;
  if (!deliveries.empty()) out["deliveries"] = deliveries;
  return out;
}

}  // namespace medai::apps
