// Datasets: versioned tables (and later imaging collections) with labels and
// train/validation/test splits; reference data imported from Debian packages.
#include <fstream>

#include "core/ids.h"
#include "datasets/folder_import.h"
#include "datasets/reference_data.h"
#include "http/routes/common.h"
#include "http/routes/routes.h"

namespace medai::http::routes {
namespace {

using datasets::SplitSpec;

json dataset_schema() {
  return schema_object({{"id", schema_string()},
                        {"institution_id", schema_string()},
                        {"name", schema_string()},
                        {"description", schema_string()},
                        {"kind", {{"type", "string"}, {"enum", {"tabular", "imaging"}}}},
                        {"visibility", {{"type", "string"}, {"enum", {"institution", "public"}}}},
                        {"data_use", schema_string()},
                        {"licence", schema_string()},
                        {"source", schema_string("provenance")},
                        {"created_by", schema_string()},
                        {"created_at", schema_string()},
                        {"latest_version", {{"type", "integer"}}},
                        {"latest", schema_object({{"version", {{"type", "integer"}}},
                                                  {"state", {{"type", "string"}, {"enum", {"draft", "frozen"}}}},
                                                  {"items", {{"type", "integer"}}},
                                                  {"splits", schema_object({{"train", {{"type", "integer"}}},
                                                                            {"validation", {{"type", "integer"}}},
                                                                            {"test", {{"type", "integer"}}}})}})}});
}

json version_schema() {
  return schema_object({{"dataset_id", schema_string()},
                        {"version", {{"type", "integer"}}},
                        {"state", {{"type", "string"}, {"enum", {"draft", "frozen"}}}},
                        {"content_sha256", schema_string()},
                        {"content_bytes", {{"type", "integer"}}},
                        {"schema", {{"type", "object"}, {"description", "columns with types; label/group columns"}}},
                        {"split", {{"type", "object"}, {"description", "how the split was made"}}},
                        {"stats", {{"type", "object"}, {"description", "counts per split and label; column summaries"}}},
                        {"item_count", {{"type", "integer"}}},
                        {"created_by", schema_string()},
                        {"created_at", schema_string()},
                        {"frozen_at", {{"type", {"string", "null"}}}}});
}

json content_properties() {
  return {{"csv", schema_string("the table, RFC 4180 with a header line")},
          {"label_column", schema_string()},
          {"group_column", schema_string("patient column: a patient's rows stay in one split")},
          {"split_column", schema_string("column with train/validation/test per row (published split)")},
          {"split", schema_object({{"train", {{"type", "number"}}},
                                   {"validation", {{"type", "number"}}},
                                   {"test", {{"type", "number"}}},
                                   {"seed", {{"type", "integer"}}}})}};
}

Result<SplitSpec> split_spec(const json& body);

json selection_schema() {
  return schema_object({{"study_uids", {{"type", "array"}, {"items", schema_string()}}},
                        {"modality", {{"type", "array"}, {"items", schema_string()}}},
                        {"body_part", schema_string()},
                        {"study_date", schema_string("DA or range a-b")},
                        {"max_series", {{"type", "integer"}}}});
}

// POST …/versions: a table (tabular) or an optional new selection (imaging).
json version_request_schema() {
  json props = content_properties();
  props["selection"] = selection_schema();
  props["labels"] = {{"type", "object"}, {"description", "imaging: series or study UID → label for new series"}};
  props["require_annotations"] = {{"type", "boolean"}};
  return schema_object(props);
}

Result<datasets::TabularSpec> tabular_spec(const json& body) {
  datasets::TabularSpec spec;
  MEDAI_ASSIGN_OR_RETURN(spec.label_column, required_string(body, "label_column", 200));
  MEDAI_ASSIGN_OR_RETURN(spec.group_column, optional_string(body, "group_column", 200));
  MEDAI_ASSIGN_OR_RETURN(spec.split_column, optional_string(body, "split_column", 200));
  MEDAI_ASSIGN_OR_RETURN(spec.split, split_spec(body));
  return spec;
}

Result<datasets::NewDataset> new_dataset_fields(const json& body, const std::string& default_source) {
  datasets::NewDataset in;
  auto name = required_string(body, "name", 64);
  auto description = optional_string(body, "description", 4000);
  auto visibility = optional_string(body, "visibility", 20);
  auto data_use = required_string(body, "data_use", 4000);
  auto licence = required_string(body, "licence", 1000);
  auto source = optional_string(body, "source", 2000);
  auto institution = optional_string(body, "institution_id", 64);
  for (const Status& s : {name.status(), description.status(), visibility.status(), data_use.status(),
                          licence.status(), source.status(), institution.status()})
    MEDAI_RETURN_IF_ERROR(s);
  in.name = *name;
  in.description = description->value_or("");
  in.visibility = visibility->value_or("institution");
  in.data_use = *data_use;
  in.licence = *licence;
  in.source = source->value_or(default_source);
  in.institution_id = institution->value_or("");
  return in;
}

Result<SplitSpec> split_spec(const json& body) {
  SplitSpec split;
  if (!body.contains("split")) return split;
  const json& s = body["split"];
  if (!s.is_object()) return make_error(ErrorCode::invalid_argument, "split must be an object", {{"field", "split"}});
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string& k = it.key();
    if (k == "seed") {
      if (!it->is_number_unsigned())
        return make_error(ErrorCode::invalid_argument, "split.seed must be a non-negative integer");
      split.seed = it->get<std::uint64_t>();
    } else if (k == "train" || k == "validation" || k == "test") {
      if (!it->is_number()) return make_error(ErrorCode::invalid_argument, "split." + k + " must be a number");
      (k == "train" ? split.train : k == "validation" ? split.validation : split.test) = it->get<double>();
    } else {
      return make_error(ErrorCode::invalid_argument, "unknown field split." + k);
    }
  }
  return split;
}

// `labels`: series or study UID → label.
Result<std::map<std::string, std::string>> label_table(const json& body) {
  std::map<std::string, std::string> out;
  if (!body.contains("labels")) return out;
  const json& labels = body["labels"];
  if (!labels.is_object())
    return make_error(ErrorCode::invalid_argument, "labels must map series or study UIDs to labels",
                      {{"field", "labels"}});
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (!it->is_string() || it->get<std::string>().empty() || it->get<std::string>().size() > 200)
      return make_error(ErrorCode::invalid_argument, "each label must be a non-empty string", {{"field", "labels"}});
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

// POST …/versions of an imaging dataset: everything optional (the latest version's selection, split and
// label table carry over).
Response add_imaging_version(AppContext& ctx, Request& req, const json& body) {
  if (Status s = reject_unknown_fields(body, {"selection", "labels", "split", "require_annotations"}); !s)
    return Response::error(s);
  datasets::ImagingVersionSpec spec;
  if (body.contains("selection")) {
    auto selection = datasets::imaging_selection_from_json(body["selection"]);
    if (!selection) return Response::error(selection.status());
    spec.selection = *selection;
  }
  auto labels = label_table(body);
  if (!labels) return Response::error(labels.status());
  spec.labels = std::move(*labels);
  if (body.contains("split")) {
    auto split = split_spec(body);
    if (!split) return Response::error(split.status());
    spec.split = *split;
  }
  auto require = optional_bool(body, "require_annotations");
  if (!require) return Response::error(require.status());
  spec.require_annotations = *require;
  auto v = ctx.datasets->add_imaging_version(*req.principal, req.param("id"), spec);
  if (!v) return fail(ctx, req, v.status());
  return Response::json(datasets::to_json(*v), 201);
}

Response create_imaging(AppContext& ctx, Request& req, const json& body) {
  if (Status s = reject_unknown_fields(body, {"name", "description", "visibility", "data_use", "licence", "source",
                                              "institution_id", "kind", "selection", "labels",
                                              "require_annotations", "split"});
      !s)
    return Response::error(s);
  // source: provenance text, or {"folder": "<path below the import root>"} (server-side import).
  std::optional<std::string> folder;
  json fields = body;
  if (body.contains("source") && body["source"].is_object()) {
    const json& src = body["source"];
    if (Status st = reject_unknown_fields(src, {"folder"}); !st) return Response::error(st);
    auto f = required_string(src, "folder", 1024);
    if (!f) return Response::error(f.status());
    folder = *f;
    fields.erase("source");
  }
  auto in = new_dataset_fields(fields, folder ? "import folder" : "query");
  if (!in) return Response::error(in.status());
  datasets::ImagingSpec spec;
  if (body.contains("selection")) {
    auto selection = datasets::imaging_selection_from_json(body["selection"], /*needs_filter=*/!folder);
    if (!selection) return Response::error(selection.status());
    spec.selection = *selection;
  } else if (!folder) {
    return Response::error(make_error(ErrorCode::invalid_argument, "selection is required", {{"field", "selection"}}));
  }
  auto labels = label_table(body);
  if (!labels) return Response::error(labels.status());
  spec.labels = std::move(*labels);
  auto require = optional_bool(body, "require_annotations");
  if (!require) return Response::error(require.status());
  spec.require_annotations = require->value_or(false);
  auto split = split_spec(body);
  if (!split) return Response::error(split.status());
  spec.split = *split;
  if (folder) {
    if (!ctx.dicom_store) return Response::error(make_error(ErrorCode::unavailable, "DICOM store not ready"));
    auto made = datasets::create_imaging_from_folder(*ctx.datasets, *ctx.dicom_store, *req.principal, *in, spec,
                                                     ctx.config.datasets.import_root, *folder,
                                                     ctx.config.datasets.max_import_files);
    if (!made) return fail(ctx, req, made.status());
    json out = datasets::to_json(made->dataset);
    json failures = json::array();
    for (const auto& f : made->import.failures)
      failures.push_back({{"file", f.file}, {"error", f.error}, {"message", f.message}});
    out["import"] = {{"files", made->import.files},     {"stored", made->import.stored},
                     {"already_present", made->import.already_present}, {"failed", made->import.failed},
                     {"studies", made->import.study_uids.size()}, {"failures", failures}};
    return Response::json(out, 201);
  }
  auto ds = ctx.datasets->create_imaging(*req.principal, *in, spec);
  if (!ds) return fail(ctx, req, ds.status());
  return Response::json(datasets::to_json(*ds), 201);
}

// Streams a file that is already unlinked: nothing is left behind whether
// the client reads it all or goes away.
Response stream_and_forget(const std::filesystem::path& path, std::string content_type, std::string filename) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!*in) return Response::error(make_error(ErrorCode::io_error, "cannot read the export"));
  Response res;
  res.header("Content-Type", std::move(content_type));
  res.header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.chunks = [in](std::string& out) {
    char buf[1 << 16];
    in->read(buf, sizeof buf);
    out.append(buf, static_cast<std::size_t>(in->gcount()));
    return !in->eof() && in->good();
  };
  return res;
}

Result<std::int64_t> version_param(const Request& req) {
  const std::string v = req.param("version");
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || n < 1) return make_error(ErrorCode::invalid_argument, "version must be a positive integer");
  return n;
}

}  // namespace

void register_dataset_routes(Router& router, AppContext& ctx) {
  router.add({.method = Method::get,
              .pattern = "/api/v1/datasets",
              .operation_id = "listDatasets",
              .summary = "List datasets",
              .description = "Datasets of the caller's institution and public reference datasets, each with "
                             "its latest version's state, item count and items per split (`latest`). "
                             "Researchers and administrators only.",
              .tags = {"datasets"},
              .parameters = paging_parameters(),
              .responses = {{200, "datasets",
                             paged_list_schema(dataset_schema())},
                            error_doc(403, "role not allowed")}},
             [&ctx](Request& req) {
               auto page = page_of(req);
               if (!page) return Response::error(page.status());
               auto list = ctx.datasets->list(*req.principal, *page);
               if (!list) return fail(ctx, req, list.status());
               json items = json::array();
               for (const auto& d : *list) items.push_back(datasets::to_json(d));
               // DatasetStore (src/datasets) has no COUNT yet: a full page is
               // counted by listing every visible dataset once (they are few).
               auto total = list_total(items.size(), *page, [&]() -> Result<std::int64_t> {
                 MEDAI_ASSIGN_OR_RETURN(auto all, ctx.datasets->list(*req.principal, {1000000, 0}));
                 return static_cast<std::int64_t>(all.size());
               });
               if (!total) return fail(ctx, req, total.status());
               return list_response(std::move(items), *page, *total);
             });

  json create_props = content_properties();
  const json meta_props = json{{"name", schema_string("handle, unique in the institution")},
                           {"description", schema_string()},
                           {"visibility", {{"type", "string"}, {"enum", {"institution", "public"}}}},
                           {"data_use", schema_string("data-use statement")},
                           {"licence", schema_string()},
                           {"source", schema_string("provenance")},
                           {"institution_id", schema_string("platform admins: owner institution")}};
  for (const auto& [k, v] : meta_props.items()) create_props[k] = v;
  create_props["kind"] = {{"type", "string"}, {"enum", {"tabular", "imaging"}}};
  create_props["selection"] = selection_schema();
  create_props["source"] = {
      {"oneOf", {schema_string("provenance"),
                 schema_object({{"folder", schema_string("imaging: a folder below <datasets.import_root>/<institution "
                                                         "id>/ to ingest; the dataset holds its studies")}},
                               {"folder"})}}};
  create_props["labels"] = {{"type", "object"}, {"description", "series or study UID → label (imaging)"}};
  create_props["require_annotations"] = {{"type", "boolean"}};
  router.add({.method = Method::post,
              .pattern = "/api/v1/datasets",
              .operation_id = "createDataset",
              .summary = "Create a dataset (tabular or imaging)",
              .description = "Creates a dataset with version 1 (draft). Tabular (default `kind`): from a CSV "
                             "table (`csv`, `label_column` required), an optional patient column (a patient's rows "
                             "stay in one split) and either split fractions (stratified by label, seeded) or a "
                             "column holding the split. Imaging (`kind: imaging`): from stored series of the "
                             "institution chosen by `selection` (study UIDs and/or modality, body part, study "
                             "date range); one item per image series, grouped by patient for the split; labels "
                             "from `labels` (series or study UID → label) or else from the SEG/RTSTRUCT/SR "
                             "objects that reference each series. With `source: {folder}` (imaging; needs "
                             "`datasets.import_root`) the server first ingests that folder below "
                             "<import_root>/<institution id>/ (symbolic links and paths leaving it are refused: "
                             "403, detail.reason outside_import_root / symlink / import_folders_disabled) and the "
                             "dataset holds exactly the studies it held; `import` in the answer counts the files "
                             "and lists each file that failed.",
              .tags = {"datasets"},
              .request_schema = schema_object(create_props, {"name", "data_use", "licence"}),
              .responses = {{201, "created", dataset_schema()},
                            error_doc(400, "bad table or fields"),
                            error_doc(403, "role not allowed"),
                            error_doc(409, "name taken")},
              .max_body_bytes = 64 * 1024 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               if (body->value("kind", "tabular") == "imaging") return create_imaging(ctx, req, *body);
               if (Status s = reject_unknown_fields(*body, {"name", "description", "visibility", "data_use", "licence",
                                                            "source", "institution_id", "csv", "label_column",
                                                            "group_column", "split_column", "split", "kind"});
                   !s)
                 return Response::error(s);
               auto in = new_dataset_fields(*body, "upload");
               if (!in) return Response::error(in.status());
               auto csv = required_string(*body, "csv", 64 * 1024 * 1024);
               if (!csv) return Response::error(csv.status());
               auto spec = tabular_spec(*body);
               if (!spec) return Response::error(spec.status());
               auto ds = ctx.datasets->create_tabular(*req.principal, *in, *csv, *spec);
               if (!ds) return fail(ctx, req, ds.status());
               return Response::json(datasets::to_json(*ds), 201);
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/datasets/reference-imports",
              .operation_id = "importReferenceDatasets",
              .summary = "Import the reference datasets",
              .description = "Platform administrators: imports the real tabular data shipped by Debian packages "
                             "(Pima diabetes from r-cran-mlbench and r-cran-mass, Wisconsin breast cancer from "
                             "python3-sklearn) as public, frozen datasets of the caller's institution. Datasets "
                             "already present are left alone; a missing package is reported as unavailable.",
              .tags = {"datasets"},
              .responses = {{200, "outcome per dataset",
                             schema_object({{"items", {{"type", "array"},
                                                       {"items", schema_object({{"name", schema_string()},
                                                                                {"outcome", schema_string()},
                                                                                {"dataset_id", schema_string()},
                                                                                {"detail", schema_string()}})}}}})},
                            error_doc(403, "not a platform administrator")}},
             [&ctx](Request& req) {
               if (!req.principal->is_platform_admin())
                 return fail(ctx, req, make_error(ErrorCode::forbidden, "platform administrators only"));
               auto done = datasets::import_reference_datasets(*ctx.datasets, *req.principal,
                                                               req.principal->institution_id);
               if (!done) return fail(ctx, req, done.status());
               json items = json::array();
               for (const auto& r : *done)
                 items.push_back(
                     {{"name", r.name}, {"outcome", r.outcome}, {"dataset_id", r.dataset_id}, {"detail", r.detail}});
               return full_list_response(std::move(items));
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/datasets/{id}",
              .operation_id = "getDataset",
              .summary = "Get a dataset with its versions",
              .description = "The dataset and every version with counts and label statistics.",
              .tags = {"datasets"},
              .responses = {{200, "the dataset",
                             schema_object({{"dataset", dataset_schema()},
                                            {"versions", {{"type", "array"}, {"items", version_schema()}}}})},
                            error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto ds = ctx.datasets->get(*req.principal, req.param("id"));
               if (!ds) return fail(ctx, req, ds.status());
               auto versions = ctx.datasets->versions(*req.principal, ds->id);
               if (!versions) return fail(ctx, req, versions.status());
               json vs = json::array();
               for (const auto& v : *versions) vs.push_back(datasets::to_json(v));
               return Response::json({{"dataset", datasets::to_json(*ds)}, {"versions", vs}});
             });

  router.add({.method = Method::del,
              .pattern = "/api/v1/datasets/{id}",
              .operation_id = "deleteDataset",
              .summary = "Delete a dataset",
              .description = "Hides the dataset and drops its items; the audit trail is kept.",
              .tags = {"datasets"},
              .responses = {{204, "deleted", nullptr}, error_doc(403, "not allowed"), error_doc(404, "not found")}},
             [&ctx](Request& req) {
               if (Status s = ctx.datasets->remove(*req.principal, req.param("id")); !s) return fail(ctx, req, s);
               return Response::no_content();
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/datasets/{id}/versions",
              .operation_id = "addDatasetVersion",
              .summary = "Add a version",
              .description = "A new draft version; earlier versions are unchanged. Tabular: from a table "
                             "(`csv`, `label_column` required). Imaging: the latest version's stored selection "
                             "re-run against what is stored now, or a new `selection`; a patient already in a "
                             "split stays in it and only new patients are assigned (stratified, seeded with "
                             "the latest version's fractions and seed unless `split` is given); with a label "
                             "table, series of the latest version keep their labels and `labels` labels new "
                             "ones. `stats.changes` lists the series added and removed versus the latest "
                             "version.",
              .tags = {"datasets"},
              .request_schema = version_request_schema(),
              .responses = {{201, "created", version_schema()}, error_doc(400, "bad table"),
                            error_doc(404, "not found")},
              .max_body_bytes = 64 * 1024 * 1024},
             [&ctx](Request& req) {
               auto body = object_body(req);
               if (!body) return Response::error(body.status());
               auto ds = ctx.datasets->get(*req.principal, req.param("id"));
               if (!ds) return fail(ctx, req, ds.status());
               if (ds->kind == "imaging") return add_imaging_version(ctx, req, *body);
               if (Status s = reject_unknown_fields(*body, {"csv", "label_column", "group_column", "split_column",
                                                            "split"});
                   !s)
                 return Response::error(s);
               auto csv = required_string(*body, "csv", 64 * 1024 * 1024);
               if (!csv) return Response::error(csv.status());
               auto spec = tabular_spec(*body);
               if (!spec) return Response::error(spec.status());
               auto v = ctx.datasets->add_tabular_version(*req.principal, req.param("id"), *csv, *spec);
               if (!v) return fail(ctx, req, v.status());
               return Response::json(datasets::to_json(*v), 201);
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/datasets/{id}/versions/{version}",
              .operation_id = "getDatasetVersion",
              .summary = "Get a dataset version",
              .description = "Counts per split and label, column summaries, split method, state.",
              .tags = {"datasets"},
              .responses = {{200, "the version", version_schema()}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto version = version_param(req);
               if (!version) return Response::error(version.status());
               auto v = ctx.datasets->get_version(*req.principal, req.param("id"), *version);
               if (!v) return fail(ctx, req, v.status());
               return Response::json(datasets::to_json(*v));
             });

  router.add({.method = Method::post,
              .pattern = "/api/v1/datasets/{id}/versions/{version}/freeze",
              .operation_id = "freezeDatasetVersion",
              .summary = "Freeze a version",
              .description = "Makes the version immutable (training and reports refer to frozen versions).",
              .tags = {"datasets"},
              .responses = {{200, "frozen", version_schema()}, error_doc(403, "not allowed"),
                            error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto version = version_param(req);
               if (!version) return Response::error(version.status());
               auto v = ctx.datasets->freeze(*req.principal, req.param("id"), *version);
               if (!v) return fail(ctx, req, v.status());
               return Response::json(datasets::to_json(*v));
             });

  router.add({.method = Method::get,
              .pattern = "/api/v1/datasets/{id}/versions/{version}/export",
              .operation_id = "exportDatasetVersion",
              .summary = "Export a version (de-identified)",
              .description = "Tabular: the table as CSV with a trailing `split` column; patient values are "
                             "replaced by keyed pseudonyms. Imaging: a zip of de-identified DICOM (PS3.15 basic "
                             "profile, patient characteristics kept, dates shifted per patient, UIDs remapped "
                             "consistently so annotations still reference their images) under "
                             "split/patient-pseudonym/series-N/, with labels.csv and manifest.json; with "
                             "`format=nifti` a zip of NIfTI-1 volumes (images/<split>/item-N.nii.gz, values as "
                             "loaded: HU for CT; affine from the DICOM geometry, LPS to RAS, qform and sform) and "
                             "label maps of the SEG/RTSTRUCT annotations on the image grid "
                             "(labels/<split>/item-N.nii.gz, one value per structure as listed in labels.json), "
                             "with labels.csv and manifest.json; no DICOM header goes along. `split` limits the "
                             "export to one split. Audited.",
              .tags = {"datasets"},
              .parameters = {query_parameter("split", "train, validation or test"),
                             query_parameter("format", "imaging: dicom (default) or nifti; tabular: csv")},
              .responses = {{200, "text/csv (tabular) or application/zip (imaging)", nullptr}, error_doc(404, "not found")}},
             [&ctx](Request& req) {
               auto version = version_param(req);
               if (!version) return Response::error(version.status());
               std::optional<datasets::Split> only;
               if (auto s = req.query_param("split")) {
                 auto parsed = datasets::split_from_name(*s);
                 if (!parsed) return Response::error(parsed.status());
                 only = *parsed;
               }
               const std::string format = req.query_param("format").value_or("");
               auto ds = ctx.datasets->get(*req.principal, req.param("id"));
               if (!ds) return fail(ctx, req, ds.status());
               if (ds->kind == "imaging" && format == "nifti") {
                 const auto zip = ctx.data->root / ("export-" + new_id("x") + ".zip");
                 auto written = ctx.datasets->export_nifti(*req.principal, ds->id, *version, only, zip);
                 if (!written) return fail(ctx, req, written.status());
                 return stream_and_forget(zip, "application/zip",
                                          ds->name + "-v" + std::to_string(*version) + "-nifti.zip");
               }
               if (!format.empty() && format != (ds->kind == "imaging" ? "dicom" : "csv"))
                 return Response::error(make_error(ErrorCode::invalid_argument,
                                                   ds->kind == "imaging" ? "format must be dicom or nifti"
                                                                         : "a tabular dataset exports as csv",
                                                   {{"field", "format"}}));
               if (ds->kind == "imaging") {
                 const auto zip = ctx.data->root / ("export-" + new_id("x") + ".zip");
                 auto written = ctx.datasets->export_imaging(*req.principal, ds->id, *version, only, zip);
                 if (!written) return fail(ctx, req, written.status());
                 return stream_and_forget(zip, "application/zip",
                                          ds->name + "-v" + std::to_string(*version) + ".zip");
               }
               auto out = ctx.datasets->export_table(*req.principal, req.param("id"), *version, only);
               if (!out) return fail(ctx, req, out.status());
               return Response::text(std::move(out->csv), "text/csv; charset=utf-8");
             });
}

}  // namespace medai::http::routes
