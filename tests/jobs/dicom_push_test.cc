// dicom.push against a real DCMTK storescp that is down at first and comes
// up later: the job fails its first attempt (unavailable), is retried after
// the backoff and delivers every instance; per-instance results are stored.
#include "dicom/instance_store.h"
#include "dicom/remote_nodes.h"
#include "jobs/dicom_push.h"
#include "jobs_fixture.h"
#include "support/dicom_fixture.h"
#include "support/dicom_tools.h"

namespace medai::jobs {
namespace {

class DicomPushTest : public JobsTest {
 protected:
  void SetUp() override {
    JobsTest::SetUp();
    ASSERT_TRUE(exec("INSERT INTO institutions (id, name, display_name, created_at) VALUES ('inst-a', 'a', 'A', 0)")
                    .is_ok());
    auto b = storage::BlobStore::open(dir_ / "blobs");
    ASSERT_TRUE(b.is_ok());
    blobs_ = std::make_unique<storage::BlobStore>(std::move(b).value());
    store_ = std::make_unique<dicom::InstanceStore>(*catalog_, *blobs_, dicom::DuplicatePolicy::reject);
    nodes_ = std::make_unique<dicom::RemoteNodes>(*catalog_);
    dicom::IngestContext ctx{.institution_id = "inst-a", .protocol = "upload"};
    for (int n = 1; n <= 3; ++n) {
      testing::TestInstance t;
      t.study_uid = "2.25.9100";
      t.series_uid = "2.25.9100.1";
      t.sop_uid = "2.25.9100.1." + std::to_string(n);
      t.instance_number = n;
      const std::string bytes = testing::make_dicom(t);
      auto r = store_->ingest({.bytes = bytes}, ctx);
      ASSERT_TRUE(r.ok()) << r.error.to_string();
    }
  }

  std::string add_node(std::uint16_t port, bool allow_push = true) {
    dicom::RemoteNodeRecord n;
    n.institution_id = "inst-a";
    n.name = "pacs" + std::to_string(port);
    n.ae_title = "PACS" + std::to_string(port);
    n.host = "127.0.0.1";
    n.port = port;
    n.allow_push = allow_push;
    auto created = nodes_->create(access::system_principal(), n);
    EXPECT_TRUE(created.is_ok()) << created.status().to_string();
    return created.is_ok() ? created->id : "";
  }

  std::unique_ptr<storage::BlobStore> blobs_;
  std::unique_ptr<dicom::InstanceStore> store_;
  std::unique_ptr<dicom::RemoteNodes> nodes_;
};

TEST_F(DicomPushTest, NodeDownAtFirstThenUpIsDeliveredAfterRetry) {
  const std::uint16_t port = testing::free_port();
  const std::string node = add_node(port);
  auto options = fast_options();
  options.retry_base_ms = 1500;  // time to bring the node up between attempts
  options.default_max_attempts = 5;
  JobEngine engine(*catalog_, options);
  register_dicom_push(engine, *store_, *nodes_, {});
  ASSERT_TRUE(engine.start().is_ok());
  auto e = engine.enqueue(request("dicom.push", {{"node_id", node}, {"study_uid", "2.25.9100"}}));
  ASSERT_TRUE(e.is_ok());
  Job waiting = wait_until(engine, e->job.id, [](const Job& j) { return j.attempts == 1 && j.state == JobState::queued; });
  EXPECT_EQ(waiting.error_code.value_or(""), "unavailable");
  testing::TempDir received;
  testing::StorescpProcess pacs("PACS" + std::to_string(port), received.path(), port);
  Job done = wait_terminal(engine, e->job.id, std::chrono::seconds(60));
  ASSERT_EQ(done.state, JobState::succeeded) << done.error_message.value_or("");
  EXPECT_GE(done.attempts, 2);
  EXPECT_EQ(done.result["sent"], 3);
  ASSERT_EQ(done.result["instances"].size(), 3u);
  for (const auto& i : done.result["instances"]) EXPECT_TRUE(i["ok"].get<bool>()) << i.dump();
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(received.path()))
    files += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 3);
}

TEST_F(DicomPushTest, SelectionAndRefusals) {
  testing::TempDir received;
  testing::StorescpProcess pacs("PACSSEL", received.path());
  dicom::RemoteNodeRecord n;
  n.institution_id = "inst-a";
  n.name = "sel";
  n.ae_title = "PACSSEL";
  n.host = "127.0.0.1";
  n.port = pacs.port();
  auto created = nodes_->create(access::system_principal(), n);
  ASSERT_TRUE(created.is_ok());
  const std::string no_push = add_node(testing::free_port(), false);
  JobEngine engine(*catalog_, fast_options());
  register_dicom_push(engine, *store_, *nodes_, {});
  ASSERT_TRUE(engine.start().is_ok());
  auto one = engine.enqueue(request("dicom.push", {{"node_id", created->id},
                                                   {"study_uid", "2.25.9100"},
                                                   {"sop_instance_uids", {"2.25.9100.1.2"}}}));
  ASSERT_TRUE(one.is_ok());
  Job done = wait_terminal(engine, one->job.id, std::chrono::seconds(30));
  EXPECT_EQ(done.state, JobState::succeeded) << done.error_message.value_or("");
  EXPECT_EQ(done.result["sent"], 1);
  auto refused = engine.enqueue(request("dicom.push", {{"node_id", no_push}, {"study_uid", "2.25.9100"}}));
  EXPECT_EQ(wait_terminal(engine, refused->job.id).error_code.value_or(""), "forbidden");
  auto other_tenant = engine.enqueue(request("dicom.push", {{"node_id", created->id}, {"study_uid", "2.25.9100"}},
                                             "inst-b"));
  EXPECT_EQ(wait_terminal(engine, other_tenant->job.id).state, JobState::failed);
  auto missing = engine.enqueue(request("dicom.push", {{"node_id", created->id}, {"study_uid", "2.25.0"}}));
  EXPECT_EQ(wait_terminal(engine, missing->job.id).error_code.value_or(""), "not_found");
}

}  // namespace
}  // namespace medai::jobs
