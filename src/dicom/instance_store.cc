#include "dicom/instance_store.h"

#include "storage/blob_gc.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "access/audit.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/log.h"
#include "dicom/index_attributes.h"

namespace medai::dicom {
namespace fs = std::filesystem;
using storage::Params;
using storage::Value;

namespace {

Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

struct Prepared {
  std::size_t index;
  IndexAttributes attributes;
};

// Recomputes the counters of the touched series and studies (simpler and
// safer than incremental bookkeeping across replacements), and drops series
// or studies left empty by a replacement that moved an instance.
Status refresh_counters(storage::Transaction& tx, const std::string& institution,
                        const std::set<std::string>& series, const std::set<std::string>& studies) {
  for (const auto& se : series) {
    MEDAI_ASSIGN_OR_RETURN(auto n, tx.query_one("SELECT COUNT(*) AS n FROM dicom_instances WHERE institution_id = $1 "
                                                "AND series_uid = $2",
                                                {institution, se}));
    const std::int64_t count = n ? n->get_int("n") : 0;
    if (count == 0) {
      MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM dicom_series WHERE institution_id = $1 AND series_uid = $2",
                                    {institution, se}).status());
    } else {
      MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE dicom_series SET instance_count = $3 WHERE institution_id = $1 AND "
                                    "series_uid = $2",
                                    {institution, se, count}).status());
    }
  }
  const std::int64_t now = now_ms();
  for (const auto& st : studies) {
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT modality, instance_count FROM dicom_series WHERE "
                                               "institution_id = $1 AND study_uid = $2",
                                               {institution, st}));
    if (rows.empty()) {
      MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM dicom_studies WHERE institution_id = $1 AND study_uid = $2",
                                    {institution, st}).status());
      continue;
    }
    std::set<std::string> modalities;
    std::int64_t instances = 0;
    for (const auto& r : rows) {
      const std::string m = r.get_text("modality");
      if (!m.empty()) modalities.insert(m);
      instances += r.get_int("instance_count");
    }
    std::string joined;
    for (const auto& m : modalities) joined += (joined.empty() ? "" : "\\") + m;
    MEDAI_RETURN_IF_ERROR(tx.exec("UPDATE dicom_studies SET series_count = $3, instance_count = $4, modalities = $5, "
                                  "updated_at = $6 WHERE institution_id = $1 AND study_uid = $2",
                                  {institution, st, static_cast<std::int64_t>(rows.size()), instances, joined, now})
                              .status());
  }
  return Status::ok();
}

}  // namespace

Result<DuplicatePolicy> duplicate_policy_from_name(std::string_view name) {
  if (name == "reject") return DuplicatePolicy::reject;
  if (name == "keep_newest") return DuplicatePolicy::keep_newest;
  return make_error(ErrorCode::config_error, "dicom.duplicate_policy must be \"reject\" or \"keep_newest\"");
}

std::string_view outcome_name(IngestOutcome outcome) {
  switch (outcome) {
    case IngestOutcome::stored: return "stored";
    case IngestOutcome::already_present: return "already_present";
    case IngestOutcome::replaced: return "replaced";
    case IngestOutcome::failed: return "failed";
  }
  return "failed";
}

InstanceStore::InstanceStore(storage::Catalog& catalog, storage::BlobStore& blobs, DuplicatePolicy policy)
    : catalog_(catalog), blobs_(blobs), policy_(policy) {}

IngestResult InstanceStore::ingest(const IngestItem& item, const IngestContext& context) {
  return std::move(ingest_batch(std::span<const IngestItem>(&item, 1), context).front());
}

std::vector<IngestResult> InstanceStore::ingest_batch(std::span<const IngestItem> items,
                                                      const IngestContext& context) {
  std::vector<IngestResult> results(items.size());
  std::vector<Prepared> prepared;
  prepared.reserve(items.size());
  std::vector<std::string> owned_files;  // bytes of items given as files
  owned_files.reserve(2 * items.size());  // file bytes and de-identified bytes: views must stay valid
  std::vector<std::string_view> blob_bytes;
  if (context.institution_id.empty()) {
    for (auto& r : results) r.error = make_error(ErrorCode::invalid_argument, "no institution to file the data under");
    return results;
  }

  // 1+2: parse, validate, write blobs. Each item is parsed exactly once.
  // A single instance (a C-STORE) is staged before it is parsed: the disk
  // syncs its file while the CPU parses and hashes (a wasted write when it
  // turns out invalid or already stored).
  std::unique_ptr<storage::StagedBlob> staged;
  for (std::size_t i = 0; i < items.size(); ++i) {
    IngestResult& r = results[i];
    std::string_view bytes = items[i].bytes;
    if (bytes.empty() && !items[i].file.empty()) {
      auto read = read_file(items[i].file);
      if (!read) {
        r.error = read.status();
        continue;
      }
      owned_files.push_back(std::move(*read));
      bytes = owned_files.back();
    }
    if (ingest_deid_ && ingest_deid_->applies_to(context.institution_id)) {
      auto clean = ingest_deid_->apply(bytes, context.institution_id);
      if (!clean) {
        r.error = clean.status();
        continue;
      }
      owned_files.push_back(std::move(*clean));
      bytes = owned_files.back();
    }
    if (items.size() == 1) {
      auto st = blobs_.stage(bytes);
      if (st) staged = std::move(*st);  // else the batch path below writes it
    }
    IndexAttributes attributes;
    {
      auto parsed = parse_dicom(bytes);
      if (!parsed) {
        r.error = parsed.status();
        continue;
      }
      r.keys = parsed->keys();
      if (!context.required_study_uid.empty() && r.keys.study_uid != context.required_study_uid) {
        r.error = make_error(ErrorCode::conflict,
                             "the instance's Study Instance UID differs from the study in the request",
                             {{"attribute", "StudyInstanceUID"}});
        continue;
      }
      attributes = extract_index_attributes(*parsed);
    }  // the parsed data set (with its pixel data copy) is released here
    blob_bytes.push_back(bytes);
    prepared.push_back({i, std::move(attributes)});
  }
  if (prepared.empty()) return results;
  // One durability barrier for all blobs of the batch.
  auto refs = [&]() -> Result<std::vector<storage::BlobRef>> {
    if (!staged) return blobs_.put_batch(blob_bytes);
    MEDAI_ASSIGN_OR_RETURN(storage::BlobRef ref, blobs_.commit(*staged));
    return std::vector<storage::BlobRef>{std::move(ref)};
  }();
  if (!refs) {
    for (const auto& p : prepared) results[p.index].error = refs.status();
    log::error("dicom.blob_write_failed", {{"protocol", context.protocol}, {"error", refs.status().to_json()}});
    return results;
  }
  for (std::size_t p = 0; p < prepared.size(); ++p) {
    results[prepared[p].index].blob_sha256 = (*refs)[p].sha256;
    results[prepared[p].index].size = (*refs)[p].size;
  }

  // 3: one transaction for the whole batch.
  const std::string& inst = context.institution_id;
  const std::int64_t now = now_ms();
  std::set<std::string> touched_series, touched_studies;
  std::map<std::string, std::string> arrived_series;  // series → study, for the series-complete detector
  std::map<std::string, nlohmann::json> per_study;  // audit detail per study
  std::vector<IngestOutcome> outcome(prepared.size(), IngestOutcome::failed);
  std::vector<Status> item_error(prepared.size());

  Status tx_status = storage::with_transaction(catalog_, storage::TxMode::read_write, [&](storage::Transaction& tx) {
    for (std::size_t p = 0; p < prepared.size(); ++p) {
      IngestResult& r = results[prepared[p].index];
      const IndexAttributes& a = prepared[p].attributes;
      const InstanceKeys& k = r.keys;
      MEDAI_ASSIGN_OR_RETURN(auto existing,
                             tx.query_one("SELECT blob_sha256, series_uid, study_uid FROM dicom_instances WHERE "
                                          "institution_id = $1 AND sop_instance_uid = $2",
                                          {inst, k.sop_instance_uid}));
      bool replacing = false;
      if (existing) {
        if (existing->get_text("blob_sha256") == r.blob_sha256) {
          outcome[p] = IngestOutcome::already_present;
          continue;
        }
        log::warn("dicom.duplicate_instance",
                  {{"policy", policy_ == DuplicatePolicy::reject ? "reject" : "keep_newest"},
                   {"institution_id", inst},
                   {"sop_instance_uid", k.sop_instance_uid},
                   {"protocol", context.protocol}});
        if (policy_ == DuplicatePolicy::reject) {
          item_error[p] = make_error(ErrorCode::duplicate_instance,
                                     "an instance with this SOP Instance UID is already stored with different content");
          continue;
        }
        touched_series.insert(existing->get_text("series_uid"));
        touched_studies.insert(existing->get_text("study_uid"));
        MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM dicom_instances WHERE institution_id = $1 AND sop_instance_uid = $2",
                                      {inst, k.sop_instance_uid}).status());
        replacing = true;
      }
      MEDAI_RETURN_IF_ERROR(
          tx.exec("INSERT INTO dicom_studies (institution_id, study_uid, patient_id, patient_name, patient_name_norm, "
                  "patient_birth_date, patient_sex, study_date, study_time, accession_number, "
                  "referring_physician_name, referring_physician_norm, study_id, study_description, created_at, "
                  "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) "
                  "ON CONFLICT (institution_id, study_uid) DO NOTHING",
                  {inst, k.study_uid, a.patient_id, a.patient_name, normalize_person_name(a.patient_name),
                   a.patient_birth_date, a.patient_sex, a.study_date, a.study_time, a.accession_number,
                   a.referring_physician_name, normalize_person_name(a.referring_physician_name), a.study_id,
                   a.study_description, now})
              .status());
      MEDAI_RETURN_IF_ERROR(
          tx.exec("INSERT INTO dicom_series (institution_id, series_uid, study_uid, modality, series_number, "
                  "series_description, series_date, series_time, body_part_examined, pps_start_date, "
                  "pps_start_time, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
                  "ON CONFLICT (institution_id, series_uid) DO NOTHING",
                  {inst, k.series_uid, k.study_uid, a.modality, opt(a.series_number), a.series_description,
                   a.series_date, a.series_time, a.body_part_examined, a.pps_start_date, a.pps_start_time, now})
              .status());
      MEDAI_RETURN_IF_ERROR(
          tx.exec("INSERT INTO dicom_instances (institution_id, sop_instance_uid, series_uid, study_uid, "
                  "sop_class_uid, instance_number, rows_count, columns_count, number_of_frames, bits_allocated, "
                  "transfer_syntax, blob_sha256, size_bytes, received_at, source_protocol, source_ae, "
                  "source_user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
                  "$17)",
                  {inst, k.sop_instance_uid, k.series_uid, k.study_uid, k.sop_class_uid, opt(a.instance_number),
                   opt(a.rows), opt(a.columns), opt(a.number_of_frames), opt(a.bits_allocated),
                   k.transfer_syntax_uid, r.blob_sha256, static_cast<std::int64_t>(r.size), now, context.protocol,
                   context.calling_ae, context.user_id})
              .status());
      touched_series.insert(k.series_uid);
      touched_studies.insert(k.study_uid);
      arrived_series.emplace(k.series_uid, k.study_uid);
      outcome[p] = replacing ? IngestOutcome::replaced : IngestOutcome::stored;
      auto& d = per_study[k.study_uid];
      if (d.is_null()) d = nlohmann::json::object();
      d[std::string(outcome_name(outcome[p]))] = d.value(std::string(outcome_name(outcome[p])), 0) + 1;
    }
    MEDAI_RETURN_IF_ERROR(refresh_counters(tx, inst, touched_series, touched_studies));
    // Jobs hook (migration 0007): the series' last arrival, so routing rules
    // run once it has been stable for jobs.series_stable_seconds.
    for (const auto& [series, study] : arrived_series)
      MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO dicom_series_activity (institution_id, series_uid, study_uid, "
                                    "last_arrival_at) VALUES ($1, $2, $3, $4) ON CONFLICT (institution_id, "
                                    "series_uid) DO UPDATE SET last_arrival_at = excluded.last_arrival_at",
                                    {inst, series, study, now})
                                .status());
    for (auto& [study, detail] : per_study) {
      access::AuditEvent ev;
      ev.actor_user_id = context.user_id;
      ev.institution_id = inst;
      ev.action = "dicom.store";
      ev.resource_type = "study";
      ev.resource_id = study;
      ev.outcome = "allowed";
      detail["protocol"] = context.protocol;
      if (!context.calling_ae.empty()) detail["calling_ae"] = context.calling_ae;
      ev.detail = detail;
      MEDAI_RETURN_IF_ERROR(access::record_audit(tx, std::move(ev)));
    }
    return Status::ok();
  });

  for (std::size_t p = 0; p < prepared.size(); ++p) {
    IngestResult& r = results[prepared[p].index];
    if (!tx_status.is_ok()) {
      r.error = tx_status;
      r.outcome = IngestOutcome::failed;
    } else if (!item_error[p].is_ok()) {
      r.error = item_error[p];
      r.outcome = IngestOutcome::failed;
    } else {
      r.outcome = outcome[p];
    }
  }
  if (!tx_status.is_ok())
    log::error("dicom.ingest_failed", {{"protocol", context.protocol}, {"error", tx_status.to_json()}});
  return results;
}

Result<std::vector<StoredInstance>> InstanceStore::locate(const access::Principal& who,
                                                          const InstanceSelector& selector,
                                                          std::string_view audit_action) {
  if (selector.study_uid.empty()) return make_error(ErrorCode::invalid_argument, "a study is required");
  const std::string scope = who.is_platform_admin() ? "" : who.institution_id;
  if (!who.is_platform_admin() && scope.empty()) return make_error(ErrorCode::not_found, "no such study");
  std::string sql =
      "SELECT i.institution_id, i.study_uid, i.series_uid, i.sop_instance_uid, i.sop_class_uid, i.transfer_syntax, "
      "i.instance_number, i.number_of_frames, i.rows_count, i.columns_count, i.blob_sha256, i.size_bytes, "
      "s.series_number FROM dicom_instances i JOIN dicom_series s ON s.institution_id = i.institution_id AND "
      "s.series_uid = i.series_uid WHERE i.study_uid = $1";
  Params params{selector.study_uid};
  if (!scope.empty()) {
    params.push_back(scope);
    sql += " AND i.institution_id = $" + std::to_string(params.size());
  }
  if (!selector.series_uid.empty()) {
    params.push_back(selector.series_uid);
    sql += " AND i.series_uid = $" + std::to_string(params.size());
  }
  if (!selector.sop_instance_uid.empty()) {
    params.push_back(selector.sop_instance_uid);
    sql += " AND i.sop_instance_uid = $" + std::to_string(params.size());
  }
  sql += " ORDER BY s.series_number IS NULL, s.series_number, i.series_uid, i.instance_number IS NULL, "
         "i.instance_number, i.sop_instance_uid, i.institution_id";
  storage::Rows rows;
  {
    MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(storage::TxMode::read_only));
    MEDAI_ASSIGN_OR_RETURN(rows, tx->query(sql, params));
  }
  if (rows.empty()) {
    const char* what = !selector.sop_instance_uid.empty() ? "no such instance"
                       : !selector.series_uid.empty()     ? "no such series"
                                                          : "no such study";
    return make_error(ErrorCode::not_found, what);
  }
  std::vector<StoredInstance> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    StoredInstance s;
    s.institution_id = row.get_text("institution_id");
    s.study_uid = row.get_text("study_uid");
    s.series_uid = row.get_text("series_uid");
    s.sop_instance_uid = row.get_text("sop_instance_uid");
    s.sop_class_uid = row.get_text("sop_class_uid");
    s.transfer_syntax_uid = row.get_text("transfer_syntax");
    s.series_number = row.get_optional_int("series_number");
    s.instance_number = row.get_optional_int("instance_number");
    s.number_of_frames = row.get_optional_int("number_of_frames");
    s.rows = row.get_optional_int("rows_count");
    s.columns = row.get_optional_int("columns_count");
    s.blob_sha256 = row.get_text("blob_sha256");
    s.size = static_cast<std::uint64_t>(row.get_int("size_bytes"));
    auto path = blobs_.path_of(s.blob_sha256);
    if (!path) return make_error(ErrorCode::storage_error, "a stored instance's blob is missing");
    s.path = std::move(*path);
    out.push_back(std::move(s));
  }
  if (!audit_action.empty()) {
    auto ev = access::audit_event(who, std::string(audit_action),
                                  !selector.sop_instance_uid.empty() ? "instance"
                                  : !selector.series_uid.empty()     ? "series"
                                                                     : "study",
                                  !selector.sop_instance_uid.empty() ? selector.sop_instance_uid
                                  : !selector.series_uid.empty()     ? selector.series_uid
                                                                     : selector.study_uid);
    if (ev.institution_id.empty()) ev.institution_id = out.front().institution_id;
    ev.detail = {{"instances", out.size()}};
    MEDAI_RETURN_IF_ERROR(access::record_audit(catalog_, std::move(ev)));
  }
  return out;
}

Result<std::size_t> InstanceStore::collect_garbage(std::chrono::seconds min_age) {
  return storage::collect_unreferenced_blobs(catalog_, blobs_, min_age);
}

}  // namespace medai::dicom
