#include "datasets/dataset_store.h"

#include "access/audit.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "datasets/imaging_export.h"
#include "datasets/nifti_export.h"
#include "datasets/imaging_selection.h"

namespace medai::datasets {
namespace {

using access::Principal;
using access::Role;
using nlohmann::json;
using storage::Row;
using storage::Transaction;
using storage::TxMode;

bool works_with_data(const Principal& p) {
  return p.is_platform_admin() || p.has_role(Role::institution_admin) || p.has_role(Role::researcher);
}

Status require_reader(const Principal& p) {
  if (!works_with_data(p))
    return make_error(ErrorCode::forbidden, "datasets need the researcher or an administrator role");
  return Status::ok();
}

Status require_writer(const Principal& p, const std::string& institution_id) {
  MEDAI_RETURN_IF_ERROR(require_reader(p));
  if (!p.is_platform_admin() && institution_id != p.institution_id)
    return make_error(ErrorCode::forbidden, "datasets of another institution cannot be changed");
  return Status::ok();
}

Dataset row_to_dataset(const Row& r) {
  Dataset d;
  d.id = r.get_text("id");
  d.institution_id = r.get_text("institution_id");
  d.name = r.get_text("name");
  d.description = r.get_text("description");
  d.kind = r.get_text("kind");
  d.visibility = r.get_text("visibility");
  d.data_use = r.get_text("data_use");
  d.licence = r.get_text("licence");
  d.source = r.get_text("source");
  d.created_by = r.get_text("created_by");
  d.created_at = r.get_int("created_at");
  d.latest_version = r.get_int("latest_version");
  d.latest_state = r.get_text("latest_state");
  d.latest_items = r.get_int("latest_items");
  const auto stats = json::parse(r.get_text("latest_stats"), nullptr, false);
  if (stats.is_object() && stats.contains("splits") && stats["splits"].is_object()) {
    const json& s = stats["splits"];
    d.latest_train = s.value("train", std::int64_t{0});
    d.latest_validation = s.value("validation", std::int64_t{0});
    d.latest_test = s.value("test", std::int64_t{0});
  }
  return d;
}

DatasetVersion row_to_version(const Row& r) {
  DatasetVersion v;
  v.dataset_id = r.get_text("dataset_id");
  v.version = r.get_int("version");
  v.state = r.get_text("state");
  v.content_sha256 = r.get_text("content_sha256");
  v.content_bytes = r.get_int("content_bytes");
  v.schema = json::parse(r.get_text("schema_json"));
  v.split = json::parse(r.get_text("split_json"));
  v.stats = json::parse(r.get_text("stats_json"));
  v.item_count = r.get_int("item_count");
  v.created_by = r.get_text("created_by");
  v.created_at = r.get_int("created_at");
  v.frozen_at = r.get_optional_int("frozen_at");
  return v;
}

// Live datasets the caller may read: own institution (all for platform
// admins) or public ones.
// The latest version's state, item count and statistics come along (one row
// per dataset, so a list page needs no query per dataset).
constexpr const char* kVisibleDatasets =
    "SELECT d.*, lv.version AS latest_version, lv.state AS latest_state, lv.item_count AS latest_items, "
    "lv.stats_json AS latest_stats FROM datasets d JOIN dataset_versions lv ON lv.dataset_id = d.id AND "
    "lv.version = (SELECT MAX(version) FROM dataset_versions v WHERE v.dataset_id = d.id) WHERE d.deleted_at IS NULL AND ($1 = '' OR d.institution_id = $1 OR d.visibility = 'public')";

Status validate_new(const NewDataset& in) {
  MEDAI_RETURN_IF_ERROR(access::Directory::validate_handle("name", in.name));
  if (in.visibility != "institution" && in.visibility != "public")
    return make_error(ErrorCode::invalid_argument, "visibility must be institution or public");
  if (in.data_use.empty()) return make_error(ErrorCode::invalid_argument, "a data-use statement is required");
  if (in.licence.empty()) return make_error(ErrorCode::invalid_argument, "a licence is required");
  return Status::ok();
}

VersionRows rows_of(const TabularContent& c) {
  VersionRows out{c.schema, c.split, c.stats, {}};
  for (const auto& item : c.items) out.items.push_back({item.group, item.label, item.split, ""});
  return out;
}

VersionRows rows_of(const ImagingContent& c) {
  VersionRows out{c.schema, c.split, c.stats, {}};
  for (const auto& item : c.items) out.items.push_back({item.group, item.label, item.split, item.ref.dump()});
  return out;
}

}  // namespace

json to_json(const Dataset& d) {
  return {{"id", d.id},          {"institution_id", d.institution_id}, {"name", d.name},
          {"description", d.description}, {"kind", d.kind},           {"visibility", d.visibility},
          {"data_use", d.data_use}, {"licence", d.licence},           {"source", d.source},
          {"created_by", d.created_by}, {"created_at", iso8601_utc(d.created_at)},
          {"latest_version", d.latest_version},
          {"latest", {{"version", d.latest_version},
                      {"state", d.latest_state},
                      {"items", d.latest_items},
                      {"splits", {{"train", d.latest_train},
                                  {"validation", d.latest_validation},
                                  {"test", d.latest_test}}}}}};
}

json to_json(const DatasetVersion& v) {
  json out = {{"dataset_id", v.dataset_id}, {"version", v.version},   {"state", v.state},
              {"content_sha256", v.content_sha256}, {"content_bytes", v.content_bytes},
              {"schema", v.schema},         {"split", v.split},       {"stats", v.stats},
              {"item_count", v.item_count}, {"created_by", v.created_by},
              {"created_at", iso8601_utc(v.created_at)}};
  out["frozen_at"] = v.frozen_at ? json(iso8601_utc(*v.frozen_at)) : json(nullptr);
  return out;
}

// One version of a dataset the caller already may see; not_found otherwise.
static Result<DatasetVersion> load_version(Transaction& tx, const std::string& id, std::int64_t version) {
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one("SELECT * FROM dataset_versions WHERE dataset_id = $1 AND version = $2",
                                                {id, version}));
  if (!row) return make_error(ErrorCode::not_found, "no such dataset version");
  return row_to_version(*row);
}

Result<Dataset> DatasetStore::load_visible(Transaction& tx, const Principal& actor, const std::string& id) {
  MEDAI_RETURN_IF_ERROR(require_reader(actor));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx.query_one(std::string(kVisibleDatasets) + " AND d.id = $2",
                                                {access::tenant_scope(actor), id}));
  if (!row) return make_error(ErrorCode::not_found, "no such dataset");
  return row_to_dataset(*row);
}

Result<DatasetVersion> DatasetStore::insert_version(Transaction& tx, const Principal& actor, const Dataset& ds,
                                                    std::int64_t version, const VersionRows& content,
                                                    const storage::BlobRef& blob) {
  const std::int64_t now = now_ms();
  MEDAI_RETURN_IF_ERROR(
      tx.exec("INSERT INTO dataset_versions (dataset_id, version, state, content_sha256, content_bytes, schema_json, "
              "split_json, stats_json, item_count, created_by, created_at) "
              "VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $10)",
              {ds.id, version, blob.sha256, static_cast<std::int64_t>(blob.size), content.schema.dump(),
               content.split.dump(), content.stats.dump(), static_cast<std::int64_t>(content.items.size()),
               actor.user_id, now})
          .status());
  for (std::size_t i = 0; i < content.items.size(); ++i) {
    const auto& item = content.items[i];
    MEDAI_RETURN_IF_ERROR(tx.exec("INSERT INTO dataset_items (dataset_id, version, item_index, group_key, split, "
                                  "label, ref) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                                  {ds.id, version, static_cast<std::int64_t>(i), item.group,
                                   std::string(split_name(item.split)), item.label, item.ref})
                              .status());
  }
  auto ev = access::audit_event(actor, "dataset.version.create", "dataset", ds.id);
  ev.institution_id = ds.institution_id;
  ev.detail = {{"version", version}, {"items", content.items.size()}};
  MEDAI_RETURN_IF_ERROR(access::record_audit(tx, ev));
  return load_version(tx, ds.id, version);
}

Result<Dataset> DatasetStore::insert_dataset(Transaction& tx, const Principal& actor, const NewDataset& in,
                                             std::string kind) {
  MEDAI_ASSIGN_OR_RETURN(auto inst, tx.query_one("SELECT id FROM institutions WHERE id = $1", {in.institution_id}));
  if (!inst) return make_error(ErrorCode::not_found, "no such institution");
  Dataset ds;
  ds.id = new_id("ds");
  ds.institution_id = in.institution_id;
  ds.name = in.name;
  ds.description = in.description;
  ds.kind = std::move(kind);
  ds.visibility = in.visibility;
  ds.data_use = in.data_use;
  ds.licence = in.licence;
  ds.source = in.source;
  ds.created_by = actor.user_id;
  ds.created_at = now_ms();
  ds.latest_version = 1;
  MEDAI_RETURN_IF_ERROR(
      tx.exec("INSERT INTO datasets (id, institution_id, name, description, kind, visibility, data_use, licence, "
              "source, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
              {ds.id, ds.institution_id, ds.name, ds.description, ds.kind, ds.visibility, ds.data_use, ds.licence,
               ds.source, ds.created_by, ds.created_at})
          .status());
  auto ev = access::audit_event(actor, "dataset.create", "dataset", ds.id);
  ev.institution_id = ds.institution_id;
  MEDAI_RETURN_IF_ERROR(access::record_audit(tx, ev));
  return ds;
}

Result<Dataset> DatasetStore::create_tabular(const Principal& actor, const NewDataset& in_, std::string_view csv,
                                             const TabularSpec& spec) {
  NewDataset in = in_;
  if (in.institution_id.empty()) in.institution_id = actor.institution_id;
  MEDAI_RETURN_IF_ERROR(require_writer(actor, in.institution_id));
  MEDAI_RETURN_IF_ERROR(validate_new(in));
  MEDAI_ASSIGN_OR_RETURN(CsvTable table, parse_csv(csv));
  MEDAI_ASSIGN_OR_RETURN(TabularContent content, build_tabular_content(std::move(table), spec));
  // Content first: an unreferenced blob is harmless, a row without its blob is not.
  MEDAI_ASSIGN_OR_RETURN(auto blob, blobs_.put(to_csv(content.table)));
  Dataset ds;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(ds, insert_dataset(tx, actor, in, "tabular"));
    MEDAI_RETURN_IF_ERROR(insert_version(tx, actor, ds, 1, rows_of(content), blob).status());
    MEDAI_ASSIGN_OR_RETURN(ds, load_visible(tx, actor, ds.id));  // with its latest version's counts
    return Status::ok();
  }));
  return ds;
}

Result<Dataset> DatasetStore::create_imaging(const Principal& actor, const NewDataset& in_, const ImagingSpec& spec) {
  NewDataset in = in_;
  if (in.institution_id.empty()) in.institution_id = actor.institution_id;
  MEDAI_RETURN_IF_ERROR(require_writer(actor, in.institution_id));
  MEDAI_RETURN_IF_ERROR(validate_new(in));
  if (in.visibility != "institution")
    return make_error(ErrorCode::invalid_argument, "imaging datasets hold patient data: visibility must be institution");
  MEDAI_ASSIGN_OR_RETURN(auto series, select_imaging_series(catalog_, blobs_, in.institution_id, spec.selection));
  MEDAI_ASSIGN_OR_RETURN(ImagingContent content, build_imaging_content(std::move(series), spec));
  MEDAI_ASSIGN_OR_RETURN(auto blob, blobs_.put(content.manifest));
  Dataset ds;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(ds, insert_dataset(tx, actor, in, "imaging"));
    MEDAI_RETURN_IF_ERROR(insert_version(tx, actor, ds, 1, rows_of(content), blob).status());
    MEDAI_ASSIGN_OR_RETURN(ds, load_visible(tx, actor, ds.id));  // with its latest version's counts
    return Status::ok();
  }));
  return ds;
}

Result<DatasetVersion> DatasetStore::add_tabular_version(const Principal& actor, const std::string& dataset_id,
                                                         std::string_view csv, const TabularSpec& spec) {
  MEDAI_ASSIGN_OR_RETURN(CsvTable table, parse_csv(csv));
  MEDAI_ASSIGN_OR_RETURN(TabularContent content, build_tabular_content(std::move(table), spec));
  MEDAI_ASSIGN_OR_RETURN(auto blob, blobs_.put(to_csv(content.table)));
  DatasetVersion out;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(Dataset ds, load_visible(tx, actor, dataset_id));
    MEDAI_RETURN_IF_ERROR(require_writer(actor, ds.institution_id));
    if (ds.kind != "tabular") return make_error(ErrorCode::conflict, "not a tabular dataset");
    MEDAI_ASSIGN_OR_RETURN(out, insert_version(tx, actor, ds, ds.latest_version + 1, rows_of(content), blob));
    return Status::ok();
  }));
  return out;
}

Result<DatasetVersion> DatasetStore::add_imaging_version(const Principal& actor, const std::string& dataset_id,
                                                         const ImagingVersionSpec& request) {
  Dataset ds;
  PreviousImagingVersion previous;
  ImagingSpec spec;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_only, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(ds, load_visible(tx, actor, dataset_id));
    MEDAI_RETURN_IF_ERROR(require_writer(actor, ds.institution_id));
    if (ds.kind != "imaging") return make_error(ErrorCode::conflict, "not an imaging dataset");
    MEDAI_ASSIGN_OR_RETURN(DatasetVersion latest, load_version(tx, ds.id, ds.latest_version));
    previous.version = latest.version;
    previous.label_table = latest.schema.value("label_source", "") == "label_table";
    if (request.selection) {
      spec.selection = *request.selection;
    } else if (latest.schema.contains("selection")) {
      MEDAI_ASSIGN_OR_RETURN(spec.selection, imaging_selection_from_json(latest.schema["selection"]));
    } else {
      return make_error(ErrorCode::invalid_argument,
                        "the latest version has no stored selection (made before selections were kept): give one",
                        {{"field", "selection"}});
    }
    spec.labels = request.labels;
    spec.require_annotations = request.require_annotations.value_or(latest.schema.value("require_annotations", false));
    if (request.split) {
      spec.split = *request.split;
    } else {
      const json& sp = latest.split;
      spec.split = {.train = sp.value("train", 0.7), .validation = sp.value("validation", 0.15),
                    .test = sp.value("test", 0.15), .seed = sp.value("seed", std::uint64_t{1})};
    }
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT group_key, split, label, ref FROM dataset_items "
                                               "WHERE dataset_id = $1 AND version = $2 ORDER BY item_index",
                                               {ds.id, latest.version}));
    for (const auto& r : rows) {
      MEDAI_ASSIGN_OR_RETURN(Split split, split_from_name(r.get_text("split")));
      const json ref = json::parse(r.get_text("ref"), nullptr, false);
      const std::string series_uid = ref.is_object() ? ref.value("series_uid", "") : "";
      const std::string group = r.get_text("group_key");
      previous.patient_splits[group.empty() ? "series:" + series_uid : group] = split;
      previous.series_labels[series_uid] = r.get_text("label");
      previous.series[series_uid] = {ref.is_object() ? ref.value("study_uid", "") : "", split};
    }
    return Status::ok();
  }));
  MEDAI_ASSIGN_OR_RETURN(auto series, select_imaging_series(catalog_, blobs_, ds.institution_id, spec.selection));
  MEDAI_ASSIGN_OR_RETURN(ImagingContent content, build_imaging_content(std::move(series), spec, &previous));
  MEDAI_ASSIGN_OR_RETURN(auto blob, blobs_.put(content.manifest));
  DatasetVersion out;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(Dataset now, load_visible(tx, actor, dataset_id));
    if (now.latest_version != previous.version)
      return make_error(ErrorCode::conflict, "another version was added meanwhile; try again",
                        {{"latest_version", now.latest_version}});
    MEDAI_ASSIGN_OR_RETURN(out, insert_version(tx, actor, now, previous.version + 1, rows_of(content), blob));
    return Status::ok();
  }));
  return out;
}

Result<std::vector<Dataset>> DatasetStore::list(const Principal& actor, access::Page page) {
  MEDAI_RETURN_IF_ERROR(require_reader(actor));
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto rows, tx->query(std::string(kVisibleDatasets) +
                                                  " ORDER BY d.name, d.institution_id LIMIT $2 OFFSET $3",
                                              {access::tenant_scope(actor), page.limit, page.offset}));
  std::vector<Dataset> out;
  for (const auto& r : rows) out.push_back(row_to_dataset(r));
  return out;
}

Result<Dataset> DatasetStore::get(const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  return load_visible(*tx, actor, id);
}

Result<std::optional<Dataset>> DatasetStore::find(const Principal& actor, const std::string& institution_id,
                                                  const std::string& name) {
  MEDAI_RETURN_IF_ERROR(require_reader(actor));
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_ASSIGN_OR_RETURN(auto row, tx->query_one(std::string(kVisibleDatasets) +
                                                     " AND d.institution_id = $2 AND d.name = $3",
                                                 {access::tenant_scope(actor), institution_id, name}));
  if (!row) return std::optional<Dataset>();
  return std::optional<Dataset>(row_to_dataset(*row));
}

Result<std::vector<DatasetVersion>> DatasetStore::versions(const Principal& actor, const std::string& id) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_RETURN_IF_ERROR(load_visible(*tx, actor, id).status());
  MEDAI_ASSIGN_OR_RETURN(auto rows,
                         tx->query("SELECT * FROM dataset_versions WHERE dataset_id = $1 ORDER BY version", {id}));
  std::vector<DatasetVersion> out;
  for (const auto& r : rows) out.push_back(row_to_version(r));
  return out;
}

Result<DatasetVersion> DatasetStore::get_version(const Principal& actor, const std::string& id,
                                                 std::int64_t version) {
  MEDAI_ASSIGN_OR_RETURN(auto tx, catalog_.begin(TxMode::read_only));
  MEDAI_RETURN_IF_ERROR(load_visible(*tx, actor, id).status());
  return load_version(*tx, id, version);
}

Result<DatasetVersion> DatasetStore::freeze(const Principal& actor, const std::string& id, std::int64_t version) {
  DatasetVersion out;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(Dataset ds, load_visible(tx, actor, id));
    MEDAI_RETURN_IF_ERROR(require_writer(actor, ds.institution_id));
    MEDAI_ASSIGN_OR_RETURN(auto changed,
                           tx.exec("UPDATE dataset_versions SET state = 'frozen', frozen_by = $3, frozen_at = $4 "
                                   "WHERE dataset_id = $1 AND version = $2 AND state = 'draft'",
                                   {id, version, actor.user_id, now_ms()}));
    MEDAI_ASSIGN_OR_RETURN(out, load_version(tx, id, version));
    if (changed == 0) return Status::ok();
    auto ev = access::audit_event(actor, "dataset.freeze", "dataset", id);
    ev.institution_id = ds.institution_id;
    ev.detail = {{"version", version}};
    return access::record_audit(tx, ev);
  }));
  return out;
}

Result<ExportedTable> DatasetStore::export_table(const Principal& actor, const std::string& id, std::int64_t version,
                                                 std::optional<Split> only) {
  DatasetVersion v;
  std::vector<std::string> splits;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(Dataset ds, load_visible(tx, actor, id));
    if (ds.kind != "tabular") return make_error(ErrorCode::conflict, "not a tabular dataset");
    MEDAI_ASSIGN_OR_RETURN(v, load_version(tx, id, version));
    MEDAI_ASSIGN_OR_RETURN(auto items, tx.query("SELECT split FROM dataset_items WHERE dataset_id = $1 AND "
                                                "version = $2 ORDER BY item_index",
                                                {id, version}));
    for (const auto& r : items) splits.push_back(r.get_text("split"));
    auto ev = access::audit_event(actor, "dataset.export", "dataset", id);
    ev.institution_id = ds.institution_id;
    ev.detail = {{"version", version}, {"split", only ? std::string(split_name(*only)) : "all"}};
    return access::record_audit(tx, ev);
  }));
  MEDAI_ASSIGN_OR_RETURN(std::string content, blobs_.read(v.content_sha256));
  MEDAI_ASSIGN_OR_RETURN(CsvTable table, parse_csv(content));
  if (table.rows.size() != splits.size())
    return make_error(ErrorCode::storage_error, "dataset content and items disagree");
  int group_col = v.schema.contains("group_column") ? table.column(v.schema["group_column"].get<std::string>()) : -1;
  CsvTable out;
  out.header = table.header;
  out.header.push_back("split");
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    if (only && splits[r] != split_name(*only)) continue;
    auto row = std::move(table.rows[r]);
    if (group_col >= 0 && !is_missing(row[group_col]))
      row[group_col] = "pt-" + crypto::blake2b_hex(row[group_col], pseudonym_key_, 8);
    row.push_back(splits[r]);
    out.rows.push_back(std::move(row));
  }
  return ExportedTable{to_csv(out), static_cast<std::int64_t>(out.rows.size())};
}

struct DatasetStore::ExportRows {
  ImagingExportSource source;
  std::vector<ExportItem> items;  // every item of the version
};

Result<DatasetStore::ExportRows> DatasetStore::export_rows(const Principal& actor, const std::string& id,
                                                           std::int64_t version, std::optional<Split> only,
                                                           const char* format) {
  ExportRows out;
  MEDAI_RETURN_IF_ERROR(storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(Dataset ds, load_visible(tx, actor, id));
    if (ds.kind != "imaging") return make_error(ErrorCode::conflict, "not an imaging dataset");
    MEDAI_RETURN_IF_ERROR(load_version(tx, id, version).status());
    out.source = {ds.institution_id, ds.id, pseudonym_key_};
    MEDAI_ASSIGN_OR_RETURN(auto rows, tx.query("SELECT item_index, group_key, split, label, ref FROM dataset_items "
                                               "WHERE dataset_id = $1 AND version = $2 ORDER BY item_index",
                                               {id, version}));
    std::size_t exported = 0;
    for (const auto& r : rows) {
      MEDAI_ASSIGN_OR_RETURN(Split split, split_from_name(r.get_text("split")));
      if (!only || split == *only) ++exported;
      out.items.push_back({r.get_int("item_index"), r.get_text("group_key"), r.get_text("label"), split,
                           json::parse(r.get_text("ref"))});
    }
    auto ev = access::audit_event(actor, "dataset.export", "dataset", id);
    ev.institution_id = ds.institution_id;
    ev.detail = {{"version", version}, {"split", only ? std::string(split_name(*only)) : "all"},
                 {"series", exported}, {"format", format}};
    return access::record_audit(tx, ev);
  }));
  return out;
}

Result<ImagingExport> DatasetStore::export_imaging(const Principal& actor, const std::string& id,
                                                   std::int64_t version, std::optional<Split> only,
                                                   const std::filesystem::path& out) {
  MEDAI_ASSIGN_OR_RETURN(ExportRows rows, export_rows(actor, id, version, only, "dicom-zip"));
  std::vector<ExportItem> items;
  for (auto& item : rows.items)
    if (!only || item.split == *only) items.push_back(std::move(item));
  return write_imaging_export(catalog_, blobs_, rows.source, items, out);
}

Result<NiftiExport> DatasetStore::export_nifti(const Principal& actor, const std::string& id, std::int64_t version,
                                               std::optional<Split> only, const std::filesystem::path& out) {
  MEDAI_ASSIGN_OR_RETURN(ExportRows rows, export_rows(actor, id, version, only, "nifti-zip"));
  return write_nifti_export(catalog_, blobs_, rows.source, rows.items, only, out);
}

Status DatasetStore::check_create(const Principal& actor, const NewDataset& in_) {
  NewDataset in = in_;
  if (in.institution_id.empty()) in.institution_id = actor.institution_id;
  MEDAI_RETURN_IF_ERROR(require_writer(actor, in.institution_id));
  return validate_new(in);
}

Status DatasetStore::audit(const Principal& actor, const std::string& action, const std::string& institution_id,
                           json detail) {
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    auto ev = access::audit_event(actor, action, "institution", institution_id);
    ev.institution_id = institution_id;
    ev.detail = std::move(detail);
    return access::record_audit(tx, ev);
  });
}

Status DatasetStore::remove(const Principal& actor, const std::string& id) {
  return storage::with_transaction(catalog_, TxMode::read_write, [&](Transaction& tx) -> Status {
    MEDAI_ASSIGN_OR_RETURN(Dataset ds, load_visible(tx, actor, id));
    MEDAI_RETURN_IF_ERROR(require_writer(actor, ds.institution_id));
    MEDAI_RETURN_IF_ERROR(tx.exec("DELETE FROM dataset_items WHERE dataset_id = $1", {id}).status());
    MEDAI_RETURN_IF_ERROR(
        tx.exec("UPDATE datasets SET deleted_at = $2, deleted_by = $3 WHERE id = $1", {id, now_ms(), actor.user_id})
            .status());
    auto ev = access::audit_event(actor, "dataset.delete", "dataset", id);
    ev.institution_id = ds.institution_id;
    return access::record_audit(tx, ev);
  });
}

}  // namespace medai::datasets
