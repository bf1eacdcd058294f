// The real server's DIMSE listener on the real store: a registered node sends
// a synthetic CT with storescu, the study answers QIDO over DICOMweb and
// C-FIND, comes back with C-GET and C-MOVE, unknown callers are refused, and
// another institution's node sees nothing.
#include <gtest/gtest.h>

#include "server_process.h"
#include "support/dicom_tools.h"

#include <map>
#include <set>

namespace medai::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class DimseStoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new ServerProcess(*dir_ / "var");
    ASSERT_TRUE(server_->running()) << server_->log_text();
    ASSERT_GT(server_->dimse_port(), 0);
    const std::string data = (*dir_ / "var").string();
    auto token = run_medai({"admin", "issue-token", "--data-dir", data, "--user", "admin"}, dir_->path());
    admin_token_ = token.out.substr(0, token.out.find('\n'));
    // A synthetic chest CT (64 slices + a SEG of its nodules: seed 1 has two) to send.
    auto synth = run_medai({"synth", "chest-ct", "--small", "--seed", "1", "--count", "1", "--out",
                            (dir_->path() / "study").string()},
                           dir_->path());
    ASSERT_EQ(synth.exit_code, 0) << synth.err;
    for (const auto& e : fs::recursive_directory_iterator(dir_->path() / "study"))
      if (e.path().extension() == ".dcm") ++sent_;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string port() { return std::to_string(server_->dimse_port()); }
  static json register_node(const json& body) {
    int status = 0;
    json r = Api{server_->port(), admin_token_}.json("POST", "/api/v1/dicom-nodes", body, &status);
    EXPECT_EQ(status, 201) << r.dump();
    return r;
  }
  static std::string storescu(const std::string& ae) {
    return "storescu -R -aet " + ae + " -aec MEDAI +sd +r +sp '*.dcm' 127.0.0.1 " + port() + " " +
           (dir_->path() / "study").string();
  }

  static TempDir* dir_;
  static ServerProcess* server_;
  static std::string admin_token_;
  static int sent_;
};
TempDir* DimseStoreTest::dir_ = nullptr;
ServerProcess* DimseStoreTest::server_ = nullptr;
std::string DimseStoreTest::admin_token_;
int DimseStoreTest::sent_ = 0;

// The gauge value of `name` in a Prometheus text, or -1.
double metric_value(const std::string& text, const std::string& name) {
  std::size_t at = 0;
  while ((at = text.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + name.size() + 1));
    at += name.size();
  }
  return -1;
}

// "Test" of a node: a real C-ECHO from the server to DCMTK storescp, to a
// closed port, and to our own SCP (accepted once our AE title is registered
// as a node on 127.0.0.1; rejected when the node names a called AE title that
// is not ours), each with its stable code; all audited.
TEST_F(DimseStoreTest, EchoTestsANodeWithStableCodes) {
  StorescpProcess scp("ECHO_SCP", dir_->path() / "echo-scp");
  auto ok_node = register_node({{"name", "echo-scp"}, {"ae_title", "ECHO_SCP"}, {"host", "127.0.0.1"},
                                {"port", scp.port()}});
  auto closed_node = register_node({{"name", "closed"}, {"ae_title", "CLOSED"}, {"host", "127.0.0.1"},
                                    {"port", free_port()}});
  auto self_node = register_node({{"name", "ourselves"}, {"ae_title", "MEDAI"}, {"host", "127.0.0.1"},
                                  {"port", server_->dimse_port()}});
  auto wrong_called = register_node({{"name", "wrong-called"}, {"ae_title", "NOT_MEDAI"}, {"host", "127.0.0.1"},
                                     {"port", server_->dimse_port()}});
  Api admin{server_->port(), admin_token_};
  int status = 0;
  auto ok = admin.json("POST", "/api/v1/dicom-nodes/" + ok_node["id"].get<std::string>() + "/echo", nullptr, &status);
  EXPECT_EQ(status, 200) << ok.dump();
  EXPECT_EQ(ok["success"], true) << ok.dump();
  EXPECT_EQ(ok["code"], "success");
  EXPECT_EQ(ok["dimse_status"], 0);
  EXPECT_EQ(ok["ae_title"], "ECHO_SCP");
  EXPECT_EQ(ok["calling_ae_title"], "MEDAI");
  EXPECT_GE(ok["elapsed_ms"].get<int>(), 0);

  auto refused = admin.json("POST", "/api/v1/dicom-nodes/" + closed_node["id"].get<std::string>() + "/echo", nullptr, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(refused["success"], false);
  EXPECT_EQ(refused["code"], "connection_refused") << refused.dump();
  EXPECT_TRUE(refused["dimse_status"].is_null());

  auto self = admin.json("POST", "/api/v1/dicom-nodes/" + self_node["id"].get<std::string>() + "/echo", nullptr, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(self["code"], "success") << "our own SCP answers our C-ECHO: " << self.dump();

  auto rejected = admin.json("POST", "/api/v1/dicom-nodes/" + wrong_called["id"].get<std::string>() + "/echo", nullptr, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(rejected["code"], "association_rejected") << rejected.dump();
  EXPECT_EQ(rejected["detail"]["reject_reason"], 7) << "called AE title not recognised";

  admin.json("POST", "/api/v1/dicom-nodes/dn_no_such_node/echo", nullptr, &status);
  EXPECT_EQ(status, 404);

  auto audit = admin.json("GET", "/api/v1/audit-events?limit=100");
  std::map<std::string, std::string> outcome_by_code;
  for (const auto& e : audit["items"])
    if (e["action"] == "dicom_node.echo") outcome_by_code[e["detail"]["code"]] = e["outcome"];
  EXPECT_EQ(outcome_by_code["success"], "allowed");
  EXPECT_EQ(outcome_by_code["connection_refused"], "failed");
  EXPECT_EQ(outcome_by_code["association_rejected"], "failed");
  for (const auto& n : {ok_node, closed_node, self_node, wrong_called})
    admin.call("DELETE", "/api/v1/dicom-nodes/" + n["id"].get<std::string>());
}

TEST_F(DimseStoreTest, RegisteredNodeStoresQueriesAndRetrieves) {
  register_node({{"name", "ct-scanner"}, {"ae_title", "CTSCANNER"}, {"host", "127.0.0.1"}, {"port", 104}});
  // Unknown callers are refused and store nothing.
  auto refused = run_command(storescu("NOBODY"));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("Calling AE Title Not Recognized"), std::string::npos) << refused.output;
  Api admin{server_->port(), admin_token_};
  EXPECT_TRUE(admin.json("GET", "/dicom-web/studies").empty());

  auto stored = run_command(storescu("CTSCANNER"), 120);
  ASSERT_EQ(stored.exit_code, 0) << stored.output;
  json studies = admin.json("GET", "/dicom-web/studies");
  ASSERT_EQ(studies.size(), 1u) << studies.dump();
  EXPECT_EQ(studies[0]["00201208"]["Value"][0], sent_) << "NumberOfStudyRelatedInstances";
  {
    // QIDO-RS: the number of matches in X-Total-Count, on a page of one too.
    auto r = admin.call("GET", "/dicom-web/studies/" + studies[0]["0020000D"]["Value"][0].get<std::string>() +
                                   "/instances?limit=1");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->header("X-Total-Count"), std::to_string(sent_));
    // /metrics: the store's size, associations (storescu's, plus the refused one).
    auto m = Api{server_->port(), ""}.call("GET", "/metrics");
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(metric_value(m->body, "medai_store_instances"), sent_) << m->body.substr(m->body.find("medai_jobs"));
    EXPECT_EQ(metric_value(m->body, "medai_store_studies"), 1);
    EXPECT_GT(metric_value(m->body, "medai_store_bytes"), 1000.0 * sent_);
    EXPECT_GE(metric_value(m->body, "medai_dicom_associations_total"), 2);
    EXPECT_EQ(metric_value(m->body, "medai_dicom_associations_active"), 0);
    EXPECT_NE(m->body.find("medai_jobs{state=\"queued\"} "), std::string::npos);
  }
  EXPECT_EQ(studies[0]["00100010"]["Value"][0]["Alphabetic"].get<std::string>().rfind("SYNTHETIC", 0), 0u);
  const std::string study = studies[0]["0020000D"]["Value"][0];

  // C-FIND, study root, SERIES level: the CT and the SEG series.
  auto find = run_command("findscu -aet CTSCANNER -aec MEDAI -S -k QueryRetrieveLevel=SERIES -k StudyInstanceUID=" +
                          study + " -k SeriesInstanceUID -k Modality 127.0.0.1 " + port());
  ASSERT_EQ(find.exit_code, 0) << find.output;
  EXPECT_NE(find.output.find("[CT]"), std::string::npos) << find.output;
  EXPECT_NE(find.output.find("[SEG"), std::string::npos) << find.output;

  // C-GET of the study into a folder: every instance comes back.
  const fs::path got = dir_->path() / "got";
  fs::create_directories(got);
  auto get = run_command("getscu -aet CTSCANNER -aec MEDAI -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=" +
                             study + " -od " + got.string() + " 127.0.0.1 " + port(),
                         120);
  ASSERT_EQ(get.exit_code, 0) << get.output;
  int received = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(got)) ++received;
  EXPECT_EQ(received, sent_);

  // C-MOVE to a registered destination (a DCMTK storescp).
  const fs::path moved = dir_->path() / "moved";
  StorescpProcess dest("WORKSTATION", moved);
  register_node({{"name", "workstation"},
                 {"ae_title", "WORKSTATION"},
                 {"host", "127.0.0.1"},
                 {"port", dest.port()},
                 {"allow_store", false}});
  auto move = run_command("movescu -aet CTSCANNER -aec MEDAI -aem WORKSTATION -S -k QueryRetrieveLevel=STUDY -k "
                          "StudyInstanceUID=" + study + " 127.0.0.1 " + port(),
                          120);
  ASSERT_EQ(move.exit_code, 0) << move.output;
  int arrived = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(moved)) ++arrived;
  EXPECT_EQ(arrived, sent_);
  // An unregistered destination is refused (0xA801).
  auto unknown = run_command("movescu -aet CTSCANNER -aec MEDAI -aem NOWHERE -S -k QueryRetrieveLevel=STUDY -k "
                             "StudyInstanceUID=" + study + " 127.0.0.1 " + port());
  EXPECT_NE(unknown.output.find("MoveDestinationUnknown"), std::string::npos) << unknown.output;
  // A node without store permission cannot send: 0x0124 (refused, not authorized).
  auto no_store = run_command("storescu -v -R -aet WORKSTATION -aec MEDAI 127.0.0.1 " + port() + " " +
                              (dir_->path() / "study" / "chest-ct-0001" / "seg.dcm").string());
  EXPECT_NE(no_store.exit_code, 0);
  EXPECT_NE(no_store.output.find("0x124"), std::string::npos) << no_store.output;
}

TEST_F(DimseStoreTest, AnotherInstitutionsNodeSeesNothing) {
  const std::string data = (*dir_ / "var").string();
  ASSERT_EQ(run_medai({"admin", "create-institution", "--data-dir", data, "--name", "other-hosp"}, dir_->path()).exit_code,
            0);
  auto added = run_medai({"dicom", "nodes", "add", "--data-dir", data, "--name", "pacs", "--ae", "OTHERPACS", "--host",
                          "127.0.0.1", "--port", "104", "--institution", "other-hosp"},
                         dir_->path());
  ASSERT_EQ(added.exit_code, 0) << added.err;
  auto find = run_command("findscu -aet OTHERPACS -aec MEDAI -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID "
                          "127.0.0.1 " + port());
  ASSERT_EQ(find.exit_code, 0) << find.output;
  EXPECT_EQ(find.output.find("StudyInstanceUID"), std::string::npos) << "no match expected:\n" << find.output;
  // A registered AE title calling from another host than its node's is refused
  // (AE titles are trivially spoofed; the address is the check).
  register_node({{"name", "remote-ct"}, {"ae_title", "REMOTECT"}, {"host", "10.9.9.9"}, {"port", 104}});
  auto spoofed = run_command("echoscu -aet REMOTECT -aec MEDAI 127.0.0.1 " + port());
  EXPECT_NE(spoofed.exit_code, 0);
  EXPECT_NE(spoofed.output.find("Calling AE Title Not Recognized"), std::string::npos) << spoofed.output;
  // The node registry refuses a second node with the same AE title.
  int status = 0;
  const json dup = Api{server_->port(), admin_token_}.json(
      "POST", "/api/v1/dicom-nodes", {{"name", "dup"}, {"ae_title", "OTHERPACS"}, {"host", "127.0.0.1"}, {"port", 104}},
      &status);
  EXPECT_EQ(status, 409);
  EXPECT_EQ(dup["detail"]["field"], "ae_title") << dup.dump();  // named by field, not by the catalog's constraint
  EXPECT_EQ(dup.dump().find("constraint"), std::string::npos) << dup.dump();
  Api{server_->port(), admin_token_}.json(
      "POST", "/api/v1/dicom-nodes", {{"name", "bad"}, {"ae_title", "A\\B"}, {"host", "127.0.0.1"}, {"port", 104}},
      &status);
  EXPECT_EQ(status, 400);
}

}  // namespace
}  // namespace medai::testing

namespace medai::testing {
namespace {

// `medai synth --to` and `medai dicom stow` send through STOW-RS to the real server.
TEST(StowCliTest, SynthToServerAndDicomStow) {
  TempDir dir;
  ServerProcess server(dir / "var");
  ASSERT_TRUE(server.running()) << server.log_text();
  auto token = run_medai({"admin", "issue-token", "--data-dir", (dir / "var").string(), "--user", "admin"}, dir.path());
  const std::string secret = token.out.substr(0, token.out.find('\n'));
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  auto synth = run_medai({"synth", "rt", "--small", "--seed", "2", "--out", (dir.path() / "rt").string(), "--to", url,
                          "--token", secret},
                         dir.path());
  ASSERT_EQ(synth.exit_code, 0) << synth.err;
  Api admin{server.port(), secret};
  json series = admin.json("GET", "/dicom-web/series?includefield=00080060");
  std::set<std::string> modalities;
  for (const auto& s : series) modalities.insert(s["00080060"]["Value"][0].get<std::string>());
  EXPECT_EQ(modalities, (std::set<std::string>{"CT", "RTSTRUCT", "SEG"}));

  // dicom stow: a folder with a non-DICOM file → per-file reason, exit 1, the rest stored.
  const fs::path mixed = dir.path() / "mixed";
  fs::create_directories(mixed);
  fs::copy_file("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm", mixed / "ct.dcm");
  std::ofstream(mixed / "notes.txt") << "not DICOM";
  auto stow = run_medai({"dicom", "stow", mixed.string(), "--server", url, "--token", secret}, dir.path());
  EXPECT_EQ(stow.exit_code, 1);
  EXPECT_NE(stow.out.find("1 of 2 files stored"), std::string::npos) << stow.out;
  EXPECT_NE(stow.err.find("notes.txt"), std::string::npos) << stow.err;
  auto denied = run_medai({"dicom", "stow", mixed.string(), "--server", url, "--token", "medai_wrong"}, dir.path());
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("HTTP 401"), std::string::npos) << denied.err;
}

}  // namespace
}  // namespace medai::testing
