// medai data ...: datasets through the REST API of a running server.
#include <filesystem>
#include <fstream>
#include <set>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "cli/stow_client.h"
#include "core/ids.h"
#include "dicom/zip_reader.h"
#include "datasets/csv_table.h"

namespace medai::cli {
namespace {

using nlohmann::json;

struct CreateFlags {
  std::string name, csv_file, label, group, split_column, data_use, licence, description, source;
  double train = 0.7, validation = 0.15, test = 0.15;
  std::uint64_t seed = 1;
  bool is_public = false;
  // imaging datasets
  bool imaging = false, require_annotations = false;
  std::vector<std::string> modalities, study_uids;
  std::string body_part, study_date;
  std::string labels_file, folder;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(make_error(ErrorCode::not_found, "cannot read " + path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json must(Result<json> r) {
  if (!r) fail(r.status());
  return std::move(*r);
}

json selection_of(const CreateFlags& f) {
  json selection = json::object();
  if (!f.study_uids.empty()) selection["study_uids"] = f.study_uids;
  if (!f.modalities.empty()) selection["modality"] = f.modalities;
  if (!f.body_part.empty()) selection["body_part"] = f.body_part;
  if (!f.study_date.empty()) selection["study_date"] = f.study_date;
  return selection;
}

// A label table file: a header line, then "UID,label" per line (series or
// study UID; more columns are ignored).
json label_table_of(const std::string& path) {
  auto table = datasets::parse_csv(read_file(path));
  if (!table) fail(table.status());
  if (table->header.size() < 2)
    fail(make_error(ErrorCode::invalid_argument, "--labels needs two columns: series or study UID, label"));
  json labels = json::object();
  for (const auto& row : table->rows) labels[row[0]] = row[1];
  return labels;
}

// A folder deleted when the command ends.
struct ScratchDir {
  std::filesystem::path path;
  ~ScratchDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

bool is_zip(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".zip";
}

// Uploads every file below `folder` (zip files unpacked first) with STOW-RS,
// reports each failure on stderr, and returns the studies the server stored
// the instances under.
std::vector<std::string> upload_folder(const ServerFlags& server, const std::string& folder) {
  ScratchDir scratch{std::filesystem::temp_directory_path() / ("medai-folder-" + new_id("u"))};
  std::vector<std::filesystem::path> files;
  std::map<std::filesystem::path, std::string> shown;  // unpacked file → "archive.zip:entry"
  std::size_t zip_failures = 0;
  for (auto& f : collect_files(folder)) {
    if (!is_zip(f)) {
      files.push_back(std::move(f));
      continue;
    }
    std::filesystem::create_directories(scratch.path);
    std::ifstream in(f, std::ios::binary);
    const std::string archive((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t n = 0;
    Status s = dicom::for_each_zip_file(archive, {}, [&](const std::string& name, std::string bytes) -> Status {
      const auto out = scratch.path / (std::to_string(files.size()) + "-" + std::to_string(n++) + ".dcm");
      std::ofstream(out, std::ios::binary) << bytes;
      shown[out] = f.string() + ":" + name;
      files.push_back(out);
      return Status::ok();
    });
    if (!s) {
      ++zip_failures;
      std::cerr << f.string() << ": " << s.message() << "\n";
    }
  }
  if (files.empty()) fail(make_error(ErrorCode::invalid_argument, "the folder holds no files"));
  StowOptions o{server.server + "/dicom-web", server.token, 50};
  auto results = stow_files(o, files);
  if (!results) fail(results.status());
  std::set<std::string> studies;
  std::size_t stored = 0;
  for (const auto& r : *results) {
    if (r.stored) {
      ++stored;
      if (!r.study_uid.empty()) studies.insert(r.study_uid);
    } else {
      auto it = shown.find(r.file);
      std::cerr << (it == shown.end() ? r.file.string() : it->second) << ": " << r.reason << "\n";
    }
  }
  std::cerr << stored << " of " << results->size() << " files stored"
            << (zip_failures ? ", " + std::to_string(zip_failures) + " zip files unreadable" : "") << ", "
            << studies.size() << " studies\n";
  if (studies.empty()) fail(make_error(ErrorCode::invalid_argument, "no file of the folder was stored"));
  return std::vector<std::string>(studies.begin(), studies.end());
}

}  // namespace

void add_data_commands(CLI::App& app) {
  auto server = std::make_shared<ServerFlags>();
  auto* data = app.add_subcommand("data", "Datasets: reference data, create, show, freeze, export, delete");
  data->require_subcommand(1);

  auto* import = data->add_subcommand("import-reference",
                                      "Import the real tabular data shipped by Debian packages (Pima diabetes, "
                                      "Wisconsin breast cancer) as public datasets (platform admins)");
  server->add_to(*import);
  import->callback([server] {
    ApiClient client(server->server, server->token);
    json out = must(client.call("POST", "/api/v1/datasets/reference-imports"));
    for (const auto& r : out["items"])
      std::cout << std::left << std::setw(26) << r["name"].get<std::string>() << std::setw(12)
                << r["outcome"].get<std::string>() << r["dataset_id"].get<std::string>()
                << (r["detail"].get<std::string>().empty() ? "" : "  (" + r["detail"].get<std::string>() + ")")
                << "\n";
  });

  auto* list = data->add_subcommand("list", "List the datasets you can see");
  server->add_to(*list);
  list->callback([server] {
    ApiClient client(server->server, server->token);
    json out = must(client.call("GET", "/api/v1/datasets?limit=1000"));
    for (const auto& d : out["items"]) {
      std::cout << std::left << std::setw(30) << d["id"].get<std::string>() << std::setw(26)
                << d["name"].get<std::string>() << std::setw(9) << d["kind"].get<std::string>() << "v"
                << std::setw(4) << d["latest_version"].get<std::int64_t>() << std::setw(13)
                << d["visibility"].get<std::string>();
      if (d.contains("latest")) {
        const json& sp = d["latest"]["splits"];
        std::cout << d["latest"]["items"] << " items (train " << sp["train"] << ", validation " << sp["validation"]
                  << ", test " << sp["test"] << ")";
      }
      std::cout << "\n";
    }
  });

  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<std::int64_t>(0);
  auto* show = data->add_subcommand("show", "Show a dataset and its versions (counts, label statistics)");
  server->add_to(*show);
  show->add_option("id", *id, "dataset id")->required();
  show->callback([server, id] {
    ApiClient client(server->server, server->token);
    std::cout << must(client.call("GET", "/api/v1/datasets/" + *id)).dump(2) << "\n";
  });

  auto flags = std::make_shared<CreateFlags>();
  auto* create = data->add_subcommand("create", "Create a dataset: a table from a CSV file, or (--imaging) stored series");
  server->add_to(*create);
  create->add_option("--name", flags->name, "handle, unique in your institution")->required();
  create->add_option("--csv", flags->csv_file, "tabular: CSV file with a header line")->check(CLI::ExistingFile);
  create->add_option("--label", flags->label, "tabular: label (target) column");
  create->add_flag("--imaging", flags->imaging, "imaging: one item per stored image series matching the selection");
  create->add_option("--modality", flags->modalities, "imaging: modality to select (repeatable), e.g. CT");
  create->add_option("--study", flags->study_uids, "imaging: Study Instance UID to select (repeatable)");
  create->add_option("--body-part", flags->body_part, "imaging: Body Part Examined, e.g. CHEST");
  create->add_option("--study-date", flags->study_date, "imaging: study date or range YYYYMMDD-YYYYMMDD");
  create->add_option("--folder", flags->folder,
                     "imaging: upload this folder's files first (recursively; zip files unpacked) with STOW-RS; "
                     "the dataset holds exactly its studies")
      ->check(CLI::ExistingDirectory);
  create->add_option("--labels", flags->labels_file, "imaging: CSV of series or study UID,label (header line first)");
  create->add_flag("--require-annotations", flags->require_annotations,
                   "imaging: refuse series no SEG/RTSTRUCT/SR references");
  create->add_option("--group", flags->group, "patient column: a patient's rows stay in one split");
  create->add_option("--split-column", flags->split_column, "column holding train/validation/test per row");
  create->add_option("--train", flags->train, "train fraction (default 0.7)");
  create->add_option("--validation", flags->validation, "validation fraction (default 0.15)");
  create->add_option("--test", flags->test, "test fraction (default 0.15)");
  create->add_option("--seed", flags->seed, "split seed (default 1)");
  create->add_option("--data-use", flags->data_use, "data-use statement")->required();
  create->add_option("--licence", flags->licence, "licence of the data")->required();
  create->add_option("--description", flags->description, "description");
  create->add_option("--source", flags->source, "provenance");
  create->add_flag("--public", flags->is_public, "readable by researchers of every institution");
  create->callback([server, flags] {
    json split = {{"train", flags->train}, {"validation", flags->validation}, {"test", flags->test},
                  {"seed", flags->seed}};
    if (flags->imaging) {
      if (!flags->csv_file.empty() || !flags->label.empty())
        fail(make_error(ErrorCode::invalid_argument, "--imaging takes a selection, not --csv/--label"));
      json selection = selection_of(*flags);
      if (!flags->folder.empty()) {
        if (!flags->study_uids.empty())
          fail(make_error(ErrorCode::invalid_argument, "--folder selects its own studies: leave out --study"));
        selection["study_uids"] = upload_folder(*server, flags->folder);
      }
      json body = {{"kind", "imaging"},          {"name", flags->name},
                   {"data_use", flags->data_use}, {"licence", flags->licence},
                   {"description", flags->description}, {"source", flags->source.empty() ? "query" : flags->source},
                   {"selection", selection},     {"require_annotations", flags->require_annotations},
                   {"split", split}};
      if (!flags->labels_file.empty()) body["labels"] = label_table_of(flags->labels_file);
      if (flags->source.empty() && !flags->folder.empty()) body["source"] = "import folder (CLI upload)";
      ApiClient client(server->server, server->token);
      json ds = must(client.call("POST", "/api/v1/datasets", body));
      std::cout << ds["id"].get<std::string>() << "\n";
      return;
    }
    if (flags->csv_file.empty() || flags->label.empty())
      fail(make_error(ErrorCode::invalid_argument, "a tabular dataset needs --csv and --label"));
    json body = {{"name", flags->name},
                 {"csv", read_file(flags->csv_file)},
                 {"label_column", flags->label},
                 {"data_use", flags->data_use},
                 {"licence", flags->licence},
                 {"description", flags->description},
                 {"source", flags->source.empty() ? "upload of " + flags->csv_file : flags->source},
                 {"visibility", flags->is_public ? "public" : "institution"}};
    if (!flags->group.empty()) body["group_column"] = flags->group;
    if (!flags->split_column.empty())
      body["split_column"] = flags->split_column;
    else
      body["split"] = split;
    ApiClient client(server->server, server->token);
    json ds = must(client.call("POST", "/api/v1/datasets", body));
    std::cout << ds["id"].get<std::string>() << "\n";
  });

  auto vflags = std::make_shared<CreateFlags>();
  auto vsplit = std::make_shared<bool>(false);
  auto* add_version = data->add_subcommand(
      "version", "Add a version (draft): imaging: re-run the stored selection (or a new one); patients keep their "
                 "split, new patients are assigned; tabular: from --csv");
  server->add_to(*add_version);
  add_version->add_option("id", *id, "dataset id")->required();
  add_version->add_option("--csv", vflags->csv_file, "tabular: CSV file with a header line")->check(CLI::ExistingFile);
  add_version->add_option("--label", vflags->label, "tabular: label (target) column");
  add_version->add_option("--group", vflags->group, "tabular: patient column");
  add_version->add_option("--split-column", vflags->split_column, "tabular: column holding the split");
  add_version->add_option("--modality", vflags->modalities, "imaging: a new selection: modality (repeatable)");
  add_version->add_option("--study", vflags->study_uids, "imaging: a new selection: Study Instance UID (repeatable)");
  add_version->add_option("--body-part", vflags->body_part, "imaging: a new selection: Body Part Examined");
  add_version->add_option("--study-date", vflags->study_date, "imaging: a new selection: study date or range");
  add_version->add_option("--labels", vflags->labels_file,
                          "imaging: CSV of series or study UID,label for series new in this version");
  auto* train_opt = add_version->add_option("--train", vflags->train, "split fractions and seed for new patients "
                                                                      "(default: those of the latest version)");
  auto* val_opt = add_version->add_option("--validation", vflags->validation, "validation fraction");
  auto* test_opt = add_version->add_option("--test", vflags->test, "test fraction");
  auto* seed_opt = add_version->add_option("--seed", vflags->seed, "split seed");
  add_version->callback([server, id, vflags, train_opt, val_opt, test_opt, seed_opt] {
    const auto& f = *vflags;
    json split = {{"train", f.train}, {"validation", f.validation}, {"test", f.test}, {"seed", f.seed}};
    const bool split_given = train_opt->count() + val_opt->count() + test_opt->count() + seed_opt->count() > 0;
    json body = json::object();
    if (!f.csv_file.empty()) {
      if (f.label.empty()) fail(make_error(ErrorCode::invalid_argument, "a tabular version needs --csv and --label"));
      body = {{"csv", read_file(f.csv_file)}, {"label_column", f.label}};
      if (!f.group.empty()) body["group_column"] = f.group;
      if (!f.split_column.empty()) body["split_column"] = f.split_column;
      else body["split"] = split;
    } else {
      json selection = selection_of(f);
      if (!selection.empty()) body["selection"] = selection;
      if (!f.labels_file.empty()) body["labels"] = label_table_of(f.labels_file);
      if (split_given) body["split"] = split;
    }
    ApiClient client(server->server, server->token);
    json v = must(client.call("POST", "/api/v1/datasets/" + *id + "/versions", body));
    std::cout << "version " << v["version"] << " " << v["state"].get<std::string>() << ": " << v["item_count"]
              << " items";
    if (v["stats"].contains("changes")) {
      const json& c = v["stats"]["changes"];
      std::cout << "; versus version " << c["previous_version"] << ": +" << c["added_series"] << " series ("
                << c["new_patients"] << " new patients: train " << c["added_per_split"]["train"] << ", validation "
                << c["added_per_split"]["validation"] << ", test " << c["added_per_split"]["test"] << "), -"
                << c["removed_series"] << " series";
    }
    std::cout << "\n";
  });

  auto* freeze = data->add_subcommand("freeze", "Freeze a dataset version (immutable from now on)");
  server->add_to(*freeze);
  freeze->add_option("id", *id, "dataset id")->required();
  freeze->add_option("version", *version, "version")->required()->check(CLI::PositiveNumber);
  freeze->callback([server, id, version] {
    ApiClient client(server->server, server->token);
    json v = must(client.call("POST", "/api/v1/datasets/" + *id + "/versions/" + std::to_string(*version) + "/freeze"));
    std::cout << "version " << v["version"] << " " << v["state"].get<std::string>() << "\n";
  });

  auto split = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>();
  auto out_file = std::make_shared<std::string>();
  auto* exp = data->add_subcommand("export", "Export a version, de-identified: CSV with a split column (tabular) or a zip of DICOM + labels (imaging)");
  server->add_to(*exp);
  exp->add_option("id", *id, "dataset id")->required();
  exp->add_option("version", *version, "version")->required()->check(CLI::PositiveNumber);
  exp->add_option("--split", *split, "only train, validation or test");
  exp->add_option("--format", *format, "imaging: dicom (default) or nifti (volumes and label maps as .nii.gz)");
  exp->add_option("--out", *out_file, "file to write (default: stdout)");
  exp->callback([server, id, version, split, format, out_file] {
    ApiClient client(server->server, server->token);
    std::string path = "/api/v1/datasets/" + *id + "/versions/" + std::to_string(*version) + "/export";
    std::string query;
    if (!split->empty()) query += "&split=" + *split;
    if (!format->empty()) query += "&format=" + *format;
    if (!query.empty()) path += "?" + query.substr(1);
    auto csv = client.get_text(path);
    if (!csv) fail(csv.status());
    if (out_file->empty()) {
      std::cout << *csv;
    } else {
      std::ofstream(*out_file, std::ios::binary) << *csv;
    }
  });

  auto* del = data->add_subcommand("delete", "Delete a dataset (the audit trail is kept)");
  server->add_to(*del);
  del->add_option("id", *id, "dataset id")->required();
  del->callback([server, id] {
    ApiClient client(server->server, server->token);
    must(client.call("DELETE", "/api/v1/datasets/" + *id));
    std::cout << "deleted " << *id << "\n";
  });
}

}  // namespace medai::cli
