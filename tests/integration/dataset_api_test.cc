// Datasets over the real server and the CLI: reference data from Debian
// packages, a researcher's own table, split, export, roles.
#include <gtest/gtest.h>

#include "dicom/zip_writer.h"
#include "server_process.h"

namespace medai::testing {
namespace {

using nlohmann::json;

class DatasetApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    // A server-side import folder (off by default) for the folder tests.
    std::filesystem::create_directories(*dir_ / "import");
    server_ = new ServerProcess(*dir_ / "var", {{"MEDAI_DATASETS_IMPORT_ROOT", (*dir_ / "import").string()}});
    ASSERT_TRUE(server_->running()) << server_->log_text();
    const std::string data = (*dir_ / "var").string();
    admin_token_ = token_for("admin");
    ASSERT_EQ(run_medai({"admin", "create-institution", "--data-dir", data, "--name", "hosp-r"}, dir_->path()).exit_code, 0);
    for (const auto& [user, role] : {std::pair{"res", "researcher"}, std::pair{"doc", "doctor"}})
      ASSERT_EQ(run_medai({"admin", "create-user", "--data-dir", data, "--username", user, "--institution", "hosp-r",
                           "--role", role},
                          dir_->path())
                    .exit_code,
                0);
    researcher_token_ = token_for("res");
    doctor_token_ = token_for("doc");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string token_for(const std::string& user) {
    auto t = run_medai({"admin", "issue-token", "--data-dir", (*dir_ / "var").string(), "--user", user}, dir_->path());
    std::string s = t.out;
    while (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  std::vector<std::string> client_flags(const std::string& token) const {
    return {"--server", "http://127.0.0.1:" + std::to_string(server_->port()), "--token", token};
  }
  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string admin_token_, researcher_token_, doctor_token_;
};
TempDir* DatasetApiTest::dir_ = nullptr;
ServerProcess* DatasetApiTest::server_ = nullptr;
std::string DatasetApiTest::admin_token_, DatasetApiTest::researcher_token_, DatasetApiTest::doctor_token_;

TEST_F(DatasetApiTest, ReferenceDataIsImportedOnceAndReadableByOtherInstitutions) {
  Api admin{server_->port(), admin_token_};
  int status = 0;
  json first = admin.json("POST", "/api/v1/datasets/reference-imports", nullptr, &status);
  ASSERT_EQ(status, 200) << first.dump();
  ASSERT_EQ(first["items"].size(), 3u);
  for (const auto& r : first["items"]) EXPECT_EQ(r["outcome"], "imported") << r.dump();
  json again = admin.json("POST", "/api/v1/datasets/reference-imports", nullptr, &status);
  for (const auto& r : again["items"]) EXPECT_EQ(r["outcome"], "present");
  // A researcher of another institution sees them (public) and exports the published test split.
  Api res{server_->port(), researcher_token_};
  json list = res.json("GET", "/api/v1/datasets");
  std::string mass_id;
  for (const auto& d : list["items"])
    if (d["name"] == "pima-diabetes-mass") mass_id = d["id"];
  ASSERT_FALSE(mass_id.empty()) << list.dump();
  auto csv = res.call("GET", "/api/v1/datasets/" + mass_id + "/versions/1/export?split=test");
  ASSERT_TRUE(csv && csv->status == 200);
  EXPECT_NE(csv->header("content-type").find("text/csv"), std::string::npos);
  EXPECT_EQ(std::count(csv->body.begin(), csv->body.end(), '\n'), 333) << "header + Pima.te's 332 rows";
  EXPECT_EQ(csv->body.substr(0, csv->body.find('\n')), "npreg,glu,bp,skin,bmi,ped,age,type,split");
  // Only a platform admin imports; only the owner freezes or deletes.
  res.json("POST", "/api/v1/datasets/reference-imports", nullptr, &status);
  EXPECT_EQ(status, 403);
  res.call("DELETE", "/api/v1/datasets/" + mass_id);
  EXPECT_EQ(res.json("GET", "/api/v1/datasets/" + mass_id)["dataset"]["name"], "pima-diabetes-mass");
}

TEST_F(DatasetApiTest, ResearcherCreatesSplitsFreezesAndExportsWithTheCli) {
  const auto csv_path = dir_->path() / "cohort.csv";
  {
    std::ofstream out(csv_path);
    out << "patient_id,age,hba1c,outcome\n";
    for (int i = 0; i < 120; ++i)
      out << "MRN" << (1000 + i / 2) << "," << 40 + i % 30 << "," << 5.5 + (i % 7) * 0.4 << ","
          << (i % 3 == 0 ? "yes" : "no") << "\n";
  }
  auto flags = client_flags(researcher_token_);
  std::vector<std::string> create = {"data", "create", "--name", "hba1c-cohort", "--csv", csv_path.string(),
                                     "--label", "outcome", "--group", "patient_id", "--data-use", "QI study 12",
                                     "--licence", "internal", "--seed", "3"};
  create.insert(create.end(), flags.begin(), flags.end());
  auto created = run_medai(create, dir_->path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string id = created.out.substr(0, created.out.find('\n'));
  Api res{server_->port(), researcher_token_};
  json shown = res.json("GET", "/api/v1/datasets/" + id);
  const json& v1 = shown["versions"][0];
  EXPECT_EQ(v1["state"], "draft");
  EXPECT_EQ(v1["item_count"], 120);
  EXPECT_EQ(v1["split"]["by"], "group");
  const json& splits = v1["stats"]["splits"];
  EXPECT_EQ(splits["train"].get<int>() + splits["validation"].get<int>() + splits["test"].get<int>(), 120);

  std::vector<std::string> freeze = {"data", "freeze", id, "1"};
  freeze.insert(freeze.end(), flags.begin(), flags.end());
  ASSERT_EQ(run_medai(freeze, dir_->path()).exit_code, 0);
  EXPECT_EQ(res.json("GET", "/api/v1/datasets/" + id + "/versions/1")["state"], "frozen");

  const auto out_path = dir_->path() / "export.csv";
  std::vector<std::string> exp = {"data", "export", id, "1", "--out", out_path.string()};
  exp.insert(exp.end(), flags.begin(), flags.end());
  auto exported = run_medai(exp, dir_->path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string text = read_file(out_path);
  EXPECT_EQ(text.find("MRN"), std::string::npos) << "patient identifiers are pseudonymised";
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 121);

  // Doctors do not browse research datasets; other tenants do not see private ones.
  Api doc{server_->port(), doctor_token_};
  int status = 0;
  doc.json("GET", "/api/v1/datasets/" + id, nullptr, &status);
  EXPECT_EQ(status, 403);
  Api admin{server_->port(), admin_token_};
  EXPECT_EQ(admin.json("GET", "/api/v1/datasets/" + id)["dataset"]["name"], "hba1c-cohort") << "platform admin sees all";
}

TEST_F(DatasetApiTest, SynthesisedStudiesBecomeAnImagingDatasetExportedDeidentified) {
  // Generate two small chest CTs, send them over STOW-RS and tag them as a dataset in one command.
  auto flags = client_flags(researcher_token_);
  std::vector<std::string> synth = {"synth", "chest-ct", "--small", "--count", "2", "--seed", "11",
                                    "--out", (dir_->path() / "synth").string(),
                                    "--to", "http://127.0.0.1:" + std::to_string(server_->port()),
                                    "--token", researcher_token_, "--dataset", "synth-chest"};
  auto made = run_medai(synth, dir_->path());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const auto at = made.out.find("dataset synth-chest: ");
  ASSERT_NE(at, std::string::npos) << made.out;
  std::string id = made.out.substr(at + 21);
  id = id.substr(0, id.find('\n'));

  Api res{server_->port(), researcher_token_};
  json shown = res.json("GET", "/api/v1/datasets/" + id);
  EXPECT_EQ(shown["dataset"]["kind"], "imaging");
  const json& v1 = shown["versions"][0];
  EXPECT_EQ(v1["item_count"], 2) << v1.dump();
  EXPECT_EQ(v1["stats"]["patients"], 2);
  EXPECT_EQ(v1["schema"]["label_source"], "label_table");

  // The same series selected by modality through the CLI: labels from the SEGs.
  std::vector<std::string> create = {"data", "create", "--imaging", "--name", "ct-by-query", "--modality", "CT",
                                     "--data-use", "nodule detection research", "--licence", "internal"};
  create.insert(create.end(), flags.begin(), flags.end());
  auto created = run_medai(create, dir_->path());
  ASSERT_EQ(created.exit_code, 0) << created.err;

  const auto zip = dir_->path() / "synth-chest.zip";
  std::vector<std::string> exp = {"data", "export", id, "1", "--out", zip.string()};
  exp.insert(exp.end(), flags.begin(), flags.end());
  auto exported = run_medai(exp, dir_->path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string bytes = read_file(zip);
  ASSERT_GT(bytes.size(), 100000u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");
  // No study UID of the originals (they were all remapped), the labels are in.
  json studies = res.json("GET", "/dicom-web/studies");
  ASSERT_GE(studies.size(), 2u);
  for (const auto& st : studies) {
    const std::string uid = st["0020000D"]["Value"][0].get<std::string>();
    EXPECT_EQ(bytes.find(uid), std::string::npos);
  }
  EXPECT_NE(bytes.find("labels.csv"), std::string::npos);

  // A doctor may not export research datasets.
  Api doc{server_->port(), doctor_token_};
  int status = 0;
  doc.json("GET", "/api/v1/datasets/" + id + "/versions/1/export", nullptr, &status);
  EXPECT_EQ(status, 403);
}

// Synthetic chest CTs written to `dir` by the CLI (no server).
static void synth_studies(const std::filesystem::path& dir, int count, int seed, const std::filesystem::path& scratch) {
  auto made = run_medai({"synth", "chest-ct", "--small", "--count", std::to_string(count), "--seed",
                         std::to_string(seed), "--out", dir.string()},
                        scratch);
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

TEST_F(DatasetApiTest, ImagingDatasetsFromFoldersGrowInVersionsAndExportAsNifti) {
  auto flags = client_flags(researcher_token_);
  Api res{server_->port(), researcher_token_};
  // A folder as a user gets it: one study as files, one zipped, one broken file.
  const auto folder = dir_->path() / "from-cd";
  synth_studies(dir_->path() / "cd-studies", 2, 41, dir_->path());
  std::filesystem::create_directories(folder);
  std::filesystem::copy(dir_->path() / "cd-studies" / "chest-ct-0001", folder / "first", std::filesystem::copy_options::recursive);
  {
    auto zip = dicom::ZipWriter::create(folder / "second.zip");
    ASSERT_TRUE(zip.is_ok());
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_->path() / "cd-studies" / "chest-ct-0002"))
      if (e.path().extension() == ".dcm")
        ASSERT_TRUE(zip->add_file(e.path().filename().string(), e.path()).is_ok());
    ASSERT_TRUE(zip->close().is_ok());
  }
  std::ofstream(folder / "broken.dcm") << "not DICOM at all";
  std::vector<std::string> create = {"data", "create", "--imaging", "--folder", folder.string(), "--name",
                                     "from-cd", "--data-use", "research", "--licence", "internal"};
  create.insert(create.end(), flags.begin(), flags.end());
  auto created = run_medai(create, dir_->path());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.err.find("broken.dcm"), std::string::npos) << "per-file failure reported: " << created.err;
  const std::string cd_id = created.out.substr(0, created.out.find('\n'));
  json cd = res.json("GET", "/api/v1/datasets/" + cd_id);
  EXPECT_EQ(cd["versions"][0]["item_count"], 2) << "exactly the folder's two studies: " << cd.dump();
  EXPECT_EQ(cd["versions"][0]["stats"]["annotated_series"].get<int>() >= 0, true);

  // NIfTI export through the CLI.
  const auto nifti = dir_->path() / "from-cd-nifti.zip";
  std::vector<std::string> exp = {"data", "export", cd_id, "1", "--format", "nifti", "--out", nifti.string()};
  exp.insert(exp.end(), flags.begin(), flags.end());
  auto exported = run_medai(exp, dir_->path());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  const std::string bytes = read_file(nifti);
  EXPECT_EQ(bytes.substr(0, 2), "PK");
  EXPECT_NE(bytes.find("images/"), std::string::npos);
  EXPECT_NE(bytes.find("labels.json"), std::string::npos);
  EXPECT_NE(bytes.find(".nii.gz"), std::string::npos);
  int status = 0;
  res.json("GET", "/api/v1/datasets/" + cd_id + "/versions/1/export?format=analyze", nullptr, &status);
  EXPECT_EQ(status, 400);

  // A dataset of every CT so far; then a server-side import folder adds a study, and version 2 picks it up.
  std::vector<std::string> all_ct = {"data", "create", "--imaging", "--name", "all-ct", "--modality", "CT",
                                     "--data-use", "research", "--licence", "internal"};
  all_ct.insert(all_ct.end(), flags.begin(), flags.end());
  auto all = run_medai(all_ct, dir_->path());
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const std::string all_id = all.out.substr(0, all.out.find('\n'));
  const int v1_items = res.json("GET", "/api/v1/datasets/" + all_id)["versions"][0]["item_count"].get<int>();

  const std::string inst = res.json("GET", "/api/v1/me")["institution"]["id"].get<std::string>();
  const auto batch = dir_->path() / "import" / inst / "batch-1";
  synth_studies(batch, 1, 43, dir_->path());
  std::ofstream(batch / "broken.dcm") << "still not DICOM";
  json made = res.json("POST", "/api/v1/datasets",
                       {{"kind", "imaging"}, {"name", "server-folder"}, {"data_use", "research"},
                        {"licence", "internal"}, {"source", {{"folder", "batch-1"}}}},
                       &status);
  ASSERT_EQ(status, 201) << made.dump();
  EXPECT_GE(made["import"]["stored"].get<int>(), 10);
  EXPECT_EQ(made["import"]["studies"], 1);
  bool broken_listed = false;
  for (const auto& f : made["import"]["failures"]) broken_listed |= f["file"] == "broken.dcm";
  EXPECT_TRUE(broken_listed) << made["import"].dump();
  EXPECT_EQ(made["latest"]["items"], 1);
  json traversal = res.json("POST", "/api/v1/datasets",
                            {{"kind", "imaging"}, {"name", "escape"}, {"data_use", "research"}, {"licence", "internal"},
                             {"source", {{"folder", "../../var"}}}},
                            &status);
  EXPECT_EQ(status, 403);
  EXPECT_EQ(traversal["detail"]["reason"], "outside_import_root") << traversal.dump();

  std::vector<std::string> version = {"data", "version", all_id};
  version.insert(version.end(), flags.begin(), flags.end());
  auto v2 = run_medai(version, dir_->path());
  ASSERT_EQ(v2.exit_code, 0) << v2.err;
  EXPECT_NE(v2.out.find("version 2 draft"), std::string::npos) << v2.out;
  EXPECT_NE(v2.out.find("+1 series"), std::string::npos) << v2.out;
  json shown = res.json("GET", "/api/v1/datasets/" + all_id);
  ASSERT_EQ(shown["versions"].size(), 2u);
  EXPECT_EQ(shown["versions"][1]["stats"]["changes"]["kept_series"], v1_items);
  EXPECT_EQ(shown["versions"][1]["item_count"], v1_items + 1);

  // The list carries each dataset's latest counts per split.
  json list = res.json("GET", "/api/v1/datasets");
  bool found = false;
  for (const auto& d : list["items"]) {
    const json& s = d["latest"]["splits"];
    EXPECT_EQ(s["train"].get<int>() + s["validation"].get<int>() + s["test"].get<int>(), d["latest"]["items"])
        << d.dump();
    if (d["id"] == all_id) {
      found = true;
      EXPECT_EQ(d["latest"]["version"], 2);
      EXPECT_EQ(d["latest"]["items"], v1_items + 1);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(DatasetApiTest, BadTablesGetClearErrors) {
  Api res{server_->port(), researcher_token_};
  int status = 0;
  json e = res.json("POST", "/api/v1/datasets",
                    {{"name", "broken"}, {"csv", "a,b\n1,2\n3\n"}, {"label_column", "b"}, {"data_use", "x"},
                     {"licence", "y"}},
                    &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(e["error"], "invalid_argument");
  EXPECT_EQ(e["detail"]["line"], 3);
  e = res.json("POST", "/api/v1/datasets",
               {{"name", "broken"}, {"csv", "a,b\n1,2\n"}, {"label_column", "b"}, {"data_use", "x"}, {"licence", "y"},
                {"split", {{"train", 0.9}, {"validation", 0.9}, {"test", 0}}}},
               &status);
  EXPECT_EQ(status, 400);
  e = res.json("POST", "/api/v1/datasets", {{"name", "broken"}, {"csv", 5}}, &status);
  EXPECT_EQ(status, 400);
  json list = res.json("GET", "/api/v1/datasets");
  for (const auto& d : list["items"]) EXPECT_NE(d["name"], "broken") << "nothing left behind";
}

}  // namespace
}  // namespace medai::testing
