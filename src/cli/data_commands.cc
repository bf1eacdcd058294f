// medai data ...: datasets through the REST API of a running server.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/api_client.h"
#include "cli/commands.h"

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
    for (const auto& d : out["items"])
      std::cout << std::left << std::setw(30) << d["id"].get<std::string>() << std::setw(26)
                << d["name"].get<std::string>() << std::setw(9) << d["kind"].get<std::string>() << "v"
                << std::setw(4) << d["latest_version"].get<std::int64_t>() << d["visibility"].get<std::string>()
                << "\n";
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
      json selection = json::object();
      if (!flags->study_uids.empty()) selection["study_uids"] = flags->study_uids;
      if (!flags->modalities.empty()) selection["modality"] = flags->modalities;
      if (!flags->body_part.empty()) selection["body_part"] = flags->body_part;
      if (!flags->study_date.empty()) selection["study_date"] = flags->study_date;
      json body = {{"kind", "imaging"},          {"name", flags->name},
                   {"data_use", flags->data_use}, {"licence", flags->licence},
                   {"description", flags->description}, {"source", flags->source.empty() ? "query" : flags->source},
                   {"selection", selection},     {"require_annotations", flags->require_annotations},
                   {"split", split}};
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
  auto out_file = std::make_shared<std::string>();
  auto* exp = data->add_subcommand("export", "Export a version, de-identified: CSV with a split column (tabular) or a zip of DICOM + labels (imaging)");
  server->add_to(*exp);
  exp->add_option("id", *id, "dataset id")->required();
  exp->add_option("version", *version, "version")->required()->check(CLI::PositiveNumber);
  exp->add_option("--split", *split, "only train, validation or test");
  exp->add_option("--out", *out_file, "file to write (default: stdout)");
  exp->callback([server, id, version, split, out_file] {
    ApiClient client(server->server, server->token);
    std::string path = "/api/v1/datasets/" + *id + "/versions/" + std::to_string(*version) + "/export";
    if (!split->empty()) path += "?split=" + *split;
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
