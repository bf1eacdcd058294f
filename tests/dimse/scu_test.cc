// Our SCU against DCMTK's storescp: echo, push with per-file results.
#include "dimse/dcmtk_support.h"
#include "dimse/scu.h"
#include "dimse_fixture.h"

namespace medai::testing {
namespace {

TEST(ParseNode, AcceptsAeAtHostPort) {
  auto n = dimse::parse_node("PACS@10.0.0.5:104");
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(n->ae_title, "PACS");
  EXPECT_EQ(n->host, "10.0.0.5");
  EXPECT_EQ(n->port, 104);
  for (const char* bad : {"PACS", "PACS@host", "@host:104", "PACS@:104", "PACS@host:0", "PACS@host:70000",
                          "PACS@host:x", "WAYTOOLONGAETITLE17@h:1"})
    EXPECT_EQ(dimse::parse_node(bad).status().code(), ErrorCode::invalid_argument) << bad;
}

TEST(ScuAgainstStorescp, EchoAndPushKeepBytesAndReportPerFile) {
  TempDir dir;
  StorescpProcess storescp("PEER", dir / "in");
  dimse::RemoteNode peer{"PEER", "127.0.0.1", storescp.port()};
  EXPECT_TRUE(dimse::echo(peer).is_ok());

  std::vector<std::filesystem::path> files = {kPydicomFiles / "CT_small.dcm",
                                              kPydicomFiles / "MR_small_RLE.dcm",
                                              kPydicomFiles / "SC_rgb_jpeg_dcmtk.dcm",
                                              dir / "not-dicom.dcm"};
  std::ofstream(dir / "not-dicom.dcm") << "hello";
  auto out = dimse::store(peer, files);
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE((*out)[i].status.is_ok()) << (*out)[i].status.to_string();
  EXPECT_EQ((*out)[3].status.code(), ErrorCode::invalid_dicom);

  auto reference = wire_reference({files[0], files[1], files[2]}, dir / "ref");
  int received = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "in")) {
    ++received;
    auto meta = dimse::read_instance_meta(e.path());
    ASSERT_TRUE(meta.is_ok());
    for (int i = 0; i < 3; ++i) {
      auto sent = dimse::read_instance_meta(files[i]);
      if (sent->sop_instance_uid == meta->sop_instance_uid) {
        EXPECT_EQ(sent->transfer_syntax_uid, meta->transfer_syntax_uid);  // no transcoding
        EXPECT_TRUE(dataset_bytes(e.path()) == reference.at(meta->sop_instance_uid + "|" + meta->transfer_syntax_uid))
            << files[i];
      }
    }
  }
  EXPECT_EQ(received, 3);
}

TEST(ScuAgainstStorescp, UnreachableNodeIsUnavailable) {
  dimse::RemoteNode nobody{"NOBODY", "127.0.0.1", free_port()};
  EXPECT_EQ(dimse::echo(nobody).code(), ErrorCode::unavailable);
  auto out = dimse::store(nobody, {kPydicomFiles / "CT_small.dcm"});
  EXPECT_EQ(out.status().code(), ErrorCode::unavailable);
}

}  // namespace
}  // namespace medai::testing
