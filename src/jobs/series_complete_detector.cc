#include "jobs/series_complete_detector.h"

#include "core/clock.h"
#include "core/log.h"
#include "jobs/series_geometry.h"

namespace medai::jobs {
namespace {
// Geometry reads every header of the series: bounded for huge series.
constexpr std::int64_t kMaxGeometryInstances = 2000;
}  // namespace

SeriesCompleteDetector::SeriesCompleteDetector(storage::Catalog& catalog, storage::BlobStore& blobs,
                                               JobEngine& engine, DetectorOptions options)
    : catalog_(catalog), blobs_(blobs), engine_(engine), rules_(catalog), options_(options) {}

SeriesCompleteDetector::~SeriesCompleteDetector() { stop(); }

void SeriesCompleteDetector::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void SeriesCompleteDetector::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SeriesCompleteDetector::loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_interval_ms), [this] { return stopping_; });
      if (stopping_) return;
    }
    auto n = run_once(now_ms());
    if (!n) log::warn("jobs.routing_pass_failed", {{"error", n.status().to_json()}});
  }
}

Result<SeriesFacts> SeriesCompleteDetector::series_facts(const std::string& institution_id,
                                                         const std::string& series_uid, bool with_geometry) {
  SeriesFacts f;
  std::vector<std::filesystem::path> files;
  {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(auto s, tx->query_one("SELECT study_uid, modality, body_part_examined, series_description, "
                                                 "instance_count FROM dicom_series WHERE institution_id = $1 AND "
                                                 "series_uid = $2",
                                                 {institution_id, series_uid}));
    if (!s) return make_error(ErrorCode::not_found, "no such series");
    f.institution_id = institution_id;
    f.series_uid = series_uid;
    f.study_uid = s->get_text("study_uid");
    f.modality = s->get_text("modality");
    f.body_part = s->get_text("body_part_examined");
    f.series_description = s->get_text("series_description");
    f.instance_count = s->get_int("instance_count");
    MEDAI_ASSIGN_OR_RETURN(auto classes, tx->query("SELECT DISTINCT sop_class_uid FROM dicom_instances WHERE "
                                                   "institution_id = $1 AND series_uid = $2",
                                                   {institution_id, series_uid}));
    for (const auto& r : classes) f.sop_classes.insert(r.get_text("sop_class_uid"));
    MEDAI_ASSIGN_OR_RETURN(auto mods, tx->query("SELECT DISTINCT modality FROM dicom_series WHERE institution_id = $1 "
                                                "AND study_uid = $2",
                                                {institution_id, f.study_uid}));
    for (const auto& r : mods)
      if (!r.get_text("modality").empty()) f.study_modalities.insert(r.get_text("modality"));
    if (with_geometry) {
      MEDAI_ASSIGN_OR_RETURN(auto blobs, tx->query("SELECT blob_sha256 FROM dicom_instances WHERE institution_id = $1 "
                                                   "AND series_uid = $2 LIMIT $3",
                                                   {institution_id, series_uid, kMaxGeometryInstances}));
      for (const auto& r : blobs) {
        auto p = blobs_.path_of(r.get_text("blob_sha256"));
        if (p) files.push_back(*p);
      }
    }
  }
  if (with_geometry) f.slice_thickness_mm = slice_geometry(files).effective_mm();
  return f;
}

Result<int> SeriesCompleteDetector::run_once(std::int64_t now) {
  storage::Rows due;
  {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(due, tx->query("SELECT institution_id, series_uid, last_arrival_at FROM "
                                          "dicom_series_activity WHERE last_arrival_at <= $1 AND (evaluated_at IS "
                                          "NULL OR evaluated_at < last_arrival_at) ORDER BY last_arrival_at LIMIT $2",
                                          {now - options_.stable_ms, options_.batch}));
  }
  int enqueued = 0;
  for (const auto& row : due) {
    const std::string inst = row.get_text("institution_id");
    const std::string series = row.get_text("series_uid");
    const std::int64_t seen = row.get_int("last_arrival_at");
    MEDAI_ASSIGN_OR_RETURN(auto rules, rules_.enabled_rules(inst));
    bool all_ok = true;
    if (!rules.empty()) {
      bool geometry = false;
      for (const auto& r : rules) geometry = geometry || needs_geometry(r.match);
      auto facts = series_facts(inst, series, geometry);
      if (!facts && facts.status().code() != ErrorCode::not_found) return facts.status();
      if (facts) {
        for (const auto& rule : rules) {
          if (!rule_matches(rule.match, *facts)) continue;
          JobRequest req;
          req.type = rule.action.job_type;
          req.institution_id = inst;
          req.idempotency_key = rule.id + ":" + series;
          req.input = {{"trigger", "routing_rule"},
                       {"rule_id", rule.id},
                       {"rule_name", rule.name},
                       {"app", rule.action.app},
                       {"version", rule.action.version},
                       {"study_uid", facts->study_uid},
                       {"series_uid", series}};
          if (!rule.action.deliver_to.empty()) req.input["deliver_to"] = rule.action.deliver_to;
          auto e = engine_.enqueue(req);
          if (!e) {
            all_ok = false;
            log::warn("jobs.routing_enqueue_failed", {{"rule_id", rule.id}, {"error", e.status().to_json()}});
            continue;
          }
          if (e->created) {
            ++enqueued;
            log::info("jobs.routed", {{"rule_id", rule.id}, {"job_id", e->job.id}, {"institution_id", inst}});
          }
        }
      }
    }
    if (!all_ok) continue;  // due again next pass; the keys prevent duplicates
    MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
      return tx.exec("UPDATE dicom_series_activity SET evaluated_at = $3 WHERE institution_id = $1 AND series_uid = $2",
                     {inst, series, seen})
          .status();
    }));
  }
  return enqueued;
}

}  // namespace medai::jobs
