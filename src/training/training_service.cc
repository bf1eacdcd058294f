#include "training/training_service.h"

#include <algorithm>

#include "access/audit.h"
#include "core/clock.h"
#include "core/log.h"
#include "datasets/csv_table.h"
#include "evaluation/report_html.h"
#include "training/imaging_training_data.h"
#include "training/institution_scope.h"
#include "training/tabular_training_data.h"

namespace medai::training {
namespace {

using nlohmann::json;

json parse_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::parse(*text, nullptr, false);
}

bool may_train(const access::Principal& who) {
  return who.is_platform_admin() || who.has_role(access::Role::researcher) || who.has_role(access::Role::partner);
}

// The run row + job as the API shows a training job.
json view_of(const jobs::Job& job, const storage::Row& run, json history) {
  json j = jobs::to_json(job);
  j.erase("input");  // the same facts appear below, named
  j["dataset_id"] = run.get_text("dataset_id");
  j["dataset_version"] = run.get_int("dataset_version");
  j["task"] = run.get_text("task");
  j["architecture"] = run.get_text("architecture");
  j["hyper"] = json::parse(run.get_text("hyper", "{}"), nullptr, false);
  j["seed"] = run.get_int("seed");
  j["threads"] = run.get_int("threads");
  j["runtime"] = run.get_optional_text("runtime") ? json(*run.get_optional_text("runtime")) : json(nullptr);
  j["model"] = run.get_optional_text("model_sha256")
                   ? json{{"sha256", *run.get_optional_text("model_sha256")}, {"bytes", run.get_int("model_bytes")}}
                   : json(nullptr);
  j["has_report"] = !run.is_null("report");
  if (!history.is_null()) j["history"] = std::move(history);
  return j;
}

class ServiceSink final : public TrainingSink {
 public:
  ServiceSink(storage::Catalog& catalog, jobs::JobContext& ctx, std::string job_id)
      : catalog_(catalog), ctx_(ctx), job_id_(std::move(job_id)) {}

  void report(const TrainingProgress& p) override {
    const double epochs = std::max(1, p.epochs);
    const double within = p.steps > 0 ? static_cast<double>(p.step) / static_cast<double>(p.steps) : 1.0;
    char msg[160];
    std::snprintf(msg, sizeof msg, "epoch %d/%d step %lld/%lld loss %.4f", p.epoch, p.epochs,
                  static_cast<long long>(p.step), static_cast<long long>(p.steps), p.loss);
    std::string message = msg;
    if (p.validation.is_object())
      for (const auto& [k, v] : p.validation.items())
        if (v.is_number()) {
          std::snprintf(msg, sizeof msg, " val_%s %.4f", k.c_str(), v.get<double>());
          message += msg;
        }
    ctx_.progress(((p.epoch - 1) + within) / epochs, message);
    if (p.step < p.steps) return;  // only epoch ends go into the history
    json record = {{"epoch", p.epoch}, {"epochs", p.epochs}, {"loss", p.loss}, {"validation", p.validation},
                   {"samples_per_second", p.samples_per_second}, {"eta_seconds", p.eta_seconds},
                   {"loader_wait_fraction", p.loader_wait_fraction}};
    Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
      return tx
          .exec("INSERT INTO training_epochs (job_id, epoch, record, recorded_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (job_id, epoch) DO UPDATE SET record = excluded.record, recorded_at = excluded.recorded_at",
                {job_id_, static_cast<std::int64_t>(p.epoch), record.dump(), now_ms()})
          .status();
    });
    if (!s) log::warn("training.epoch_not_stored", {{"job_id", job_id_}, {"error", s.message()}});
  }
  bool cancelled() const override { return ctx_.cancelled(); }

 private:
  storage::Catalog& catalog_;
  jobs::JobContext& ctx_;
  std::string job_id_;
};

}  // namespace

class TrainingService::Handler final : public jobs::JobHandler {
 public:
  explicit Handler(TrainingService& service) : s_(service) {}

  Result<json> run(const jobs::Job& job, jobs::JobContext& ctx) override {
    const json& in = job.input;
    const std::string arch = in.value("architecture", "");
    auto trainer = s_.trainers_->make(arch);
    if (!trainer) return make_error(ErrorCode::unprocessable, "no trainer for architecture '" + arch + "' in this build");
    MEDAI_RETURN_IF_ERROR(ensure_run_row(job));

    TrainingRequest req;
    req.job_id = job.id;
    req.institution_id = job.institution_id;
    req.dataset_id = in.value("dataset_id", "");
    req.dataset_version = in.value("dataset_version", std::int64_t{0});
    req.task = in.value("task", "");
    req.architecture = arch;
    req.hyper = in.value("hyper", json::object());
    req.threads = static_cast<int>(in.value("threads", std::int64_t{1}));
    req.seed = in.value("seed", std::uint64_t{0});
    req.work_dir = s_.options_.work_root / job.id;
    std::error_code ec;
    std::filesystem::create_directories(req.work_dir, ec);
    if (ec) return make_error(ErrorCode::io_error, "cannot create the training work folder");

    // The dataset was checked against the submitter at creation; the job
    // reads it as the system (the export is audited).
    const access::Principal system = access::system_principal();
    MEDAI_ASSIGN_OR_RETURN(auto dataset, s_.datasets_.get(system, req.dataset_id));
    MEDAI_ASSIGN_OR_RETURN(auto version, s_.datasets_.get_version(system, req.dataset_id, req.dataset_version));
    ServiceSink sink(s_.catalog_, ctx, job.id);
    std::unique_ptr<TrainingData> data;
    if (dataset.kind == "imaging") {
      if (!s_.options_.dicom) return make_error(ErrorCode::not_implemented, "this server has no DICOM store");
      MEDAI_ASSIGN_OR_RETURN(data, ImagingTrainingData::load(s_.catalog_, *s_.options_.dicom, req.dataset_id,
                                                             req.dataset_version));
    } else {
      MEDAI_ASSIGN_OR_RETURN(data, tabular_data(version, req));
    }
    ctx.progress(0, "training started (attempt " + std::to_string(ctx.attempt()) + ")");
    auto outcome = trainer->train(req, *data, sink);
    return finish(job, ctx, req, dataset, std::move(outcome));
  }

 private:
  // The table of a tabular version as the trainer sees it: the exported CSV
  // (patient column pseudonymised) without its split column, plus each row's
  // label and split.
  Result<std::unique_ptr<TrainingData>> tabular_data(const datasets::DatasetVersion& version, TrainingRequest& req) {
    const access::Principal system = access::system_principal();
    MEDAI_ASSIGN_OR_RETURN(auto exported, s_.datasets_.export_table(system, req.dataset_id, req.dataset_version));
    MEDAI_ASSIGN_OR_RETURN(auto table, datasets::parse_csv(exported.csv));
    const std::string label_column = version.schema.value("label_column", "");
    const int label = table.column(label_column), split = table.column("split");
    if (label < 0 || split != static_cast<int>(table.header.size()) - 1)
      return make_error(ErrorCode::internal, "the exported table lacks its label or split column");
    std::vector<TrainingData::Item> items;
    items.reserve(table.rows.size());
    for (auto& row : table.rows) {
      items.push_back({row[static_cast<std::size_t>(label)], row.back(), nullptr});
      row.pop_back();
    }
    table.header.pop_back();
    // The patient column groups rows; it is never a feature.
    if (req.architecture == "xgboost" && version.schema.contains("group_column") && version.schema["group_column"].is_string()) {
      auto& ex = req.hyper["exclude_columns"];
      if (!ex.is_array()) ex = json::array();
      const std::string group = version.schema["group_column"];
      if (std::find(ex.begin(), ex.end(), group) == ex.end()) ex.push_back(group);
    }
    return std::unique_ptr<TrainingData>(
        std::make_unique<TabularTrainingData>(datasets::to_csv(table), label_column, std::move(items)));
  }

  Result<json> finish(const jobs::Job& job, jobs::JobContext& ctx, const TrainingRequest& req,
                      const datasets::Dataset& dataset, Result<TrainingOutcome> outcome) {
    const std::string& arch = req.architecture;
    std::error_code ec;
    if (!outcome) {
      const auto code = outcome.status().code();
      // Bad data or parameters will not get better on a retry.
      if (code == ErrorCode::invalid_argument)
        return make_error(ErrorCode::unprocessable, outcome.status().message(), outcome.status().detail());
      return outcome.status();
    }

    MEDAI_ASSIGN_OR_RETURN(auto model_blob, s_.blobs_.put_file(outcome->model_artifact));
    std::optional<storage::BlobRef> last_blob;
    for (const auto& entry : std::filesystem::directory_iterator(req.work_dir, ec))
      if (entry.is_regular_file() && entry.path().filename().string().rfind("last", 0) == 0) {
        MEDAI_ASSIGN_OR_RETURN(auto b, s_.blobs_.put_file(entry.path()));
        last_blob = b;
        break;
      }

    json report = outcome->report;
    report["schema"] = evaluation::kReportSchema;
    report["title"] = "Training job " + job.id + ": " + arch + " on " + dataset.name + " v" +
                      std::to_string(req.dataset_version);
    report["created_at"] = iso8601_utc(now_ms());
    report["task"] = req.task;
    report["subject"] = {{"kind", "training_job"}, {"id", job.id}, {"architecture", arch},
                         {"runtime", outcome->runtime}, {"seed", req.seed}};
    report["dataset"] = {{"id", dataset.id}, {"name", dataset.name}, {"version", req.dataset_version},
                         {"licence", dataset.licence}};
    if (!report.contains("history")) {  // a trainer that leaves the curves to the service
      MEDAI_ASSIGN_OR_RETURN(auto tx, s_.catalog_.begin(storage::TxMode::read_only));
      MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query("SELECT record FROM training_epochs WHERE job_id = $1 ORDER BY epoch",
                                                  {job.id}));
      report["history"] = json::array();
      for (const auto& r : rows) report["history"].push_back(json::parse(r.get_text("record"), nullptr, false));
    }
    if (!report.contains("notes")) report["notes"] = json::array();
    report["notes"].push_back("Research use only: trained on the platform, not validated for clinical use.");
    const auto rounds = report.contains("history") ? static_cast<std::int64_t>(report["history"].size()) : 0;

    MEDAI_RETURN_IF_ERROR(storage::with_transaction(s_.catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
      MEDAI_RETURN_IF_ERROR(
          tx.exec("UPDATE training_runs SET runtime = $2, model_sha256 = $3, model_bytes = $4, last_sha256 = $5, "
                  "manifest_fragment = $6, report = $7, finished_at = $8 WHERE job_id = $1",
                  {job.id, outcome->runtime, model_blob.sha256, static_cast<std::int64_t>(model_blob.size),
                   last_blob ? storage::Value(last_blob->sha256) : storage::Value(nullptr),
                   outcome->manifest_fragment.dump(), report.dump(), now_ms()})
              .status());
      // A re-run that stopped earlier than an interrupted attempt leaves no
      // stale epochs behind.
      if (rounds > 0)
        MEDAI_RETURN_IF_ERROR(
            tx.exec("DELETE FROM training_epochs WHERE job_id = $1 AND epoch > $2", {job.id, rounds}).status());
      return Status::ok();
    }));
    std::filesystem::remove_all(req.work_dir, ec);  // artefacts are blobs now
    json result = {{"model_sha256", model_blob.sha256}, {"runtime", outcome->runtime}};
    if (report.contains("splits"))
      for (const auto& [split, m] : report["splits"].items())
        if (m.contains("auc")) result[split + "_auc"] = m["auc"];
    return result;
  }

 private:
  // Normally written by create(); a job queued by other means gets it here.
  Status ensure_run_row(const jobs::Job& job) {
    const json& in = job.input;
    return storage::with_transaction(s_.catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
      return tx
          .exec("INSERT INTO training_runs (job_id, institution_id, created_by, dataset_id, dataset_version, task, "
                "architecture, hyper, seed, threads, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) "
                "ON CONFLICT (job_id) DO NOTHING",
                {job.id, job.institution_id, job.created_by, in.value("dataset_id", ""),
                 in.value("dataset_version", std::int64_t{0}), in.value("task", ""), in.value("architecture", ""),
                 in.value("hyper", json::object()).dump(), in.value("seed", std::int64_t{0}),
                 in.value("threads", std::int64_t{1}), job.created_at})
          .status();
    });
  }
  TrainingService& s_;
};

TrainingService::TrainingService(storage::Catalog& catalog, storage::BlobStore& blobs,
                                 datasets::DatasetStore& datasets, jobs::JobEngine& engine,
                                 std::shared_ptr<TrainerRegistry> trainers, TrainingServiceOptions options)
    : catalog_(catalog), blobs_(blobs), datasets_(datasets), engine_(engine), trainers_(std::move(trainers)),
      options_(std::move(options)) {}

void TrainingService::register_job_handler() {
  engine_.register_handler(kTrainJobType, std::make_shared<Handler>(*this), {.api_submittable = false});
}

Result<json> TrainingService::create(const access::Principal& who, const NewTrainingJob& in) {
  if (!may_train(who))
    return make_error(ErrorCode::forbidden, "training needs the researcher or partner role");
  auto trainer = trainers_->make(in.architecture);
  if (!trainer)
    return make_error(ErrorCode::unprocessable, "unknown architecture '" + in.architecture + "'",
                      {{"field", "architecture"}, {"available", trainers_->names()}});
  const auto tasks = trainer->tasks();
  if (std::find(tasks.begin(), tasks.end(), in.task) == tasks.end())
    return make_error(ErrorCode::unprocessable, "architecture '" + in.architecture + "' does not do task '" + in.task + "'",
                      {{"field", "task"}, {"tasks", tasks}});
  if (Status s = trainer->validate_for(in.task, in.hyper); !s)
    return make_error(ErrorCode::unprocessable, s.message(), s.detail());

  MEDAI_ASSIGN_OR_RETURN(auto dataset, datasets_.get(who, in.dataset_id));
  std::int64_t version = 0;
  if (in.dataset_version) {
    MEDAI_ASSIGN_OR_RETURN(auto v, datasets_.get_version(who, in.dataset_id, *in.dataset_version));
    if (v.state != "frozen")
      return make_error(ErrorCode::conflict, "dataset version " + std::to_string(v.version) +
                                                 " is a draft: freeze it before training on it",
                        {{"field", "dataset_version"}});
    version = v.version;
  } else {
    MEDAI_ASSIGN_OR_RETURN(auto all, datasets_.versions(who, in.dataset_id));
    for (const auto& v : all)
      if (v.state == "frozen") version = std::max(version, v.version);
    if (version == 0)
      return make_error(ErrorCode::conflict, "the dataset has no frozen version: freeze one before training on it",
                        {{"field", "dataset_version"}});
  }
  std::uint64_t seed = 0;
  if (in.seed) seed = *in.seed;
  else if (in.hyper.contains("seed") && in.hyper["seed"].is_number_unsigned()) seed = in.hyper["seed"];
  const std::int64_t threads = std::clamp<std::int64_t>(in.threads.value_or(options_.max_threads), 1,
                                                        std::max(1, options_.max_threads));

  jobs::JobRequest r;
  r.type = kTrainJobType;
  r.institution_id = who.institution_id;
  r.created_by = who.user_id;
  r.max_attempts = 3;
  r.input = {{"dataset_id", dataset.id}, {"dataset_version", version}, {"task", in.task},
             {"architecture", in.architecture}, {"hyper", in.hyper}, {"seed", seed}, {"threads", threads}};
  MEDAI_ASSIGN_OR_RETURN(auto queued, engine_.enqueue(r));
  const std::string id = queued.job.id;
  Status s = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
    MEDAI_RETURN_IF_ERROR(
        tx.exec("INSERT INTO training_runs (job_id, institution_id, created_by, dataset_id, dataset_version, task, "
                "architecture, hyper, seed, threads, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) "
                "ON CONFLICT (job_id) DO NOTHING",
                {id, who.institution_id, who.user_id, dataset.id, version, in.task, in.architecture, in.hyper.dump(),
                 static_cast<std::int64_t>(seed), threads, now_ms()})
            .status());
    auto ev = access::audit_event(who, "training.create", "training_job", id);
    ev.detail = {{"dataset_id", dataset.id}, {"dataset_version", version}, {"architecture", in.architecture}};
    return access::record_audit(tx, ev);
  });
  if (!s) {
    (void)engine_.cancel(access::system_principal(), id);
    return s;
  }
  return get(who, id);
}

Result<json> TrainingService::get(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto job, engine_.get(who, id));
  if (job.type != kTrainJobType) return make_error(ErrorCode::not_found, "no such training job");
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto run, tx->query_one("SELECT * FROM training_runs WHERE job_id = $1", {id}));
  if (!run) return make_error(ErrorCode::not_found, "no such training job");
  MEDAI_ASSIGN_OR_RETURN(auto epochs,
                         tx->query("SELECT record FROM training_epochs WHERE job_id = $1 ORDER BY epoch", {id}));
  json history = json::array();
  for (const auto& e : epochs) history.push_back(json::parse(e.get_text("record"), nullptr, false));
  return view_of(job, *run, std::move(history));
}

Result<std::vector<json>> TrainingService::list(const access::Principal& who, access::Page page) {
  std::vector<std::string> ids;
  {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
    const std::string sql = "SELECT job_id FROM training_runs " + institution_scope(who) +
                            "ORDER BY created_at DESC, job_id LIMIT $2 OFFSET $3";
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(sql, {who.institution_id, page.limit, page.offset}));
    for (const auto& r : rows) ids.push_back(r.get_text("job_id"));
  }
  std::vector<json> out;
  for (const auto& id : ids) {
    auto j = get(who, id);
    if (!j) continue;  // job row gone (should not happen): skip rather than fail the list
    j->erase("history");
    out.push_back(std::move(*j));
  }
  return out;
}

Result<std::int64_t> TrainingService::count(const access::Principal& who) {
  return count_in_scope(catalog_, "training_runs", who);
}

Result<json> TrainingService::cancel(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto j, get(who, id));
  (void)j;
  MEDAI_ASSIGN_OR_RETURN(auto job, engine_.cancel(who, id));
  (void)job;
  return get(who, id);
}

Result<json> TrainingService::report(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto j, get(who, id));
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto run, tx->query_one("SELECT report FROM training_runs WHERE job_id = $1", {id}));
  if (!run || run->is_null("report"))
    return make_error(ErrorCode::conflict, "the training job has no report yet (state " + j.value("state", "") + ")");
  return json::parse(run->get_text("report"), nullptr, false);
}

Result<std::string> TrainingService::report_html(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto r, report(who, id));
  return evaluation::render_report_html(r);
}

Result<TrainedModel> TrainingService::trained_model(const access::Principal& who, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto j, get(who, id));
  MEDAI_ASSIGN_OR_RETURN(auto rep, report(who, id));
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto run, tx->query_one("SELECT * FROM training_runs WHERE job_id = $1", {id}));
  if (!run || !run->get_optional_text("model_sha256"))
    return make_error(ErrorCode::conflict, "the training job has no model yet");
  TrainedModel m;
  m.job_id = id;
  m.runtime = run->get_text("runtime");
  MEDAI_ASSIGN_OR_RETURN(m.model_file, blobs_.path_of(*run->get_optional_text("model_sha256")));
  m.manifest_fragment = parse_or_null(run->get_optional_text("manifest_fragment"));
  m.report = std::move(rep);
  j.erase("history");
  m.run = std::move(j);
  return m;
}

}  // namespace medai::training
