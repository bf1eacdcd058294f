// C-STORE SCP: DCMTK storescu sends a folder of real files in every common
// transfer syntax; each arrives as a Part 10 file with the negotiated
// transfer syntax in its meta header and the dataset bytes exactly as sent.
// Handler errors come back as the documented DIMSE failure statuses.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "dimse/dcmtk_support.h"
#include "dimse/dimse_status.h"
#include "dimse/scu.h"
#include "dimse/sop_classes.h"
#include "dimse_fixture.h"

namespace medai::testing {
namespace {

// File → expected transfer syntax (the one it was written in).
const std::vector<std::pair<std::string, std::string>> kTransferSyntaxFiles = {
    {"CT_small.dcm", "1.2.840.10008.1.2.1"},                  // explicit VR LE
    {"MR_small_implicit.dcm", "1.2.840.10008.1.2"},           // implicit VR LE
    {"MR_small_bigendian.dcm", "1.2.840.10008.1.2.2"},        // explicit VR BE
    {"image_dfl.dcm", "1.2.840.10008.1.2.1.99"},              // deflated
    {"SC_rgb_rle.dcm", "1.2.840.10008.1.2.5"},                // RLE, colour
    {"SC_rgb_jpeg_dcmtk.dcm", "1.2.840.10008.1.2.4.50"},      // JPEG baseline
    {"JPGExtended.dcm", "1.2.840.10008.1.2.4.51"},            // JPEG extended
    {"SC_rgb_jpeg_gdcm.dcm", "1.2.840.10008.1.2.4.70"},       // JPEG lossless SV1
    {"MR_small_jpeg_ls_lossless.dcm", "1.2.840.10008.1.2.4.80"},  // JPEG-LS lossless
    {"MR_small_jp2klossless.dcm", "1.2.840.10008.1.2.4.90"},  // JPEG 2000 lossless
    {"JPEG2000.dcm", "1.2.840.10008.1.2.4.91"},               // JPEG 2000
    {"MR_small_RLE.dcm", "1.2.840.10008.1.2.5"},              // RLE
    {"rtdose.dcm", "1.2.840.10008.1.2"},                      // RT Dose
    {"rtplan.dcm", "1.2.840.10008.1.2"},                      // RT Plan
    {"liver_1frame.dcm", "1.2.840.10008.1.2.1"},              // Segmentation
    {"reportsi.dcm", "1.2.840.10008.1.2.1"},                  // Basic Text SR
    {"test-SR.dcm", "1.2.840.10008.1.2.1"},                   // Comprehensive SR
};

TEST_F(DimseTest, StorescuInEveryTransferSyntaxArrivesByteIdentical) {
  start_server();
  std::vector<std::filesystem::path> originals;
  for (const auto& [name, ts] : kTransferSyntaxFiles) originals.push_back(kPydicomFiles / name);
  const auto reference = wire_reference(originals, dir_ / "ref");
  ASSERT_EQ(reference.size(), kTransferSyntaxFiles.size());

  for (const auto& file : originals) {
    auto r = run_command(storescu_command(file, "MEDAI", server_->port()));
    EXPECT_EQ(r.exit_code, 0) << file << r.output;
    EXPECT_EQ(r.output.find("E:"), std::string::npos) << file << r.output;
  }
  auto received = handler_->received();
  ASSERT_EQ(received.size(), kTransferSyntaxFiles.size());
  for (const auto& [name, ts] : kTransferSyntaxFiles) {
    auto meta = dimse::read_instance_meta(kPydicomFiles / name);
    ASSERT_TRUE(meta.is_ok()) << name;
    // storescu sends the dataset's SOP Instance UID (rtdose.dcm's meta header
    // disagrees with its dataset).
    meta->sop_instance_uid = dataset_sop_instance_uid(kPydicomFiles / name);
    const FolderHandler::Received* match = nullptr;
    for (const auto& rx : received)
      if (rx.request.sop_instance_uid == meta->sop_instance_uid && rx.request.transfer_syntax_uid == ts) match = &rx;
    ASSERT_NE(match, nullptr) << name << " was not received in " << ts;
    EXPECT_EQ(match->request.sop_class_uid, meta->sop_class_uid) << name;
    // The stored file's meta header names the negotiated transfer syntax...
    auto stored_meta = dimse::read_instance_meta(match->kept);
    ASSERT_TRUE(stored_meta.is_ok()) << name;
    EXPECT_EQ(stored_meta->transfer_syntax_uid, ts) << name;
    EXPECT_EQ(stored_meta->sop_instance_uid, meta->sop_instance_uid) << name;
    // ...and the dataset is byte for byte what storescu put on the wire.
    EXPECT_TRUE(dataset_bytes(match->kept) == reference.at(meta->sop_instance_uid + "|" + ts)) << name << " differs";
  }
  // Nothing is left in the temp folder.
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "tmp"));
}

TEST_F(DimseTest, StorescuSendsAFolderInOneAssociation) {
  start_server();
  const auto folder = dir_ / "send";
  std::filesystem::create_directories(folder / "sub");
  for (const char* name : {"CT_small.dcm", "rtdose.dcm", "rtplan.dcm", "liver_1frame.dcm", "test-SR.dcm",
                           "reportsi.dcm"})
    std::filesystem::copy_file(kPydicomFiles / name, folder / name);
  std::filesystem::copy_file(kPydicomFiles / "MR_small_jpeg_ls_lossless.dcm", folder / "sub" / "mr.dcm");
  auto r = run_command("storescu -R -xt -aet TESTSCU -aec MEDAI +sd +r +sp '*.dcm' 127.0.0.1 " + port() + " " +
                       folder.string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto received = handler_->received();
  EXPECT_EQ(received.size(), 7u) << r.output;
  int jpeg_ls = 0;
  for (const auto& rx : received) jpeg_ls += rx.request.transfer_syntax_uid == "1.2.840.10008.1.2.4.80";
  EXPECT_EQ(jpeg_ls, 1);
}

TEST_F(DimseTest, StoreFailuresMapToDocumentedStatuses) {
  struct Case {
    ErrorCode code;
    std::uint16_t expected;
  };
  for (const Case& c : {Case{ErrorCode::unsupported_sop_class, 0x0122}, Case{ErrorCode::invalid_dicom, 0xC000},
                        Case{ErrorCode::dicom_missing_attribute, 0xA900}, Case{ErrorCode::storage_error, 0xA700},
                        Case{ErrorCode::duplicate_instance, 0xC000}}) {
    handler_->store_error = make_error(c.code, "refused by test");
    start_server();
    auto out = dimse::store(node(), {kPydicomFiles / "CT_small.dcm"});
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    ASSERT_EQ(out->size(), 1u);
    EXPECT_EQ((*out)[0].dimse_status, c.expected) << error_code_name(c.code);
    EXPECT_EQ((*out)[0].status.code(), ErrorCode::remote_failure);
    server_->stop();
    server_.reset();
  }
  // storescu reports the failure too.
  handler_->store_error = make_error(ErrorCode::storage_error, "disk full");
  start_server();
  auto r = run_command("storescu -v -aet TESTSCU -aec MEDAI 127.0.0.1 " + port() + " " +
                       (kPydicomFiles / "CT_small.dcm").string());
  EXPECT_NE(r.output.find("Refused: OutOfResources"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "tmp"));
}

TEST_F(DimseTest, UnacceptedSopClassIsNotNegotiated) {
  start_server();
  // Raw Data Storage is not in our storage list: CT_small relabelled as one.
  DcmFileFormat raw;
  ASSERT_TRUE(raw.loadFile((kPydicomFiles / "CT_small.dcm").c_str()).good());
  raw.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_RawDataStorage);
  raw.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "2.25.777001");
  const auto raw_path = dir_ / "raw.dcm";
  ASSERT_TRUE(raw.saveFile(raw_path.c_str(), EXS_LittleEndianExplicit).good());
  auto out = dimse::store(node(), {raw_path, kPydicomFiles / "CT_small.dcm"});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].status.code(), ErrorCode::unsupported_sop_class);
  EXPECT_TRUE((*out)[1].status.is_ok());
  EXPECT_EQ(handler_->received().size(), 1u);
}

// Waveform storage classes (12-lead ECG here: pydicom's waveform_ecg.dcm) are
// accepted, from our SCU and from storescu, and arrive byte-identical.
TEST_F(DimseTest, EcgWaveformIsStored) {
  start_server();
  const auto ecg = kPydicomFiles / "waveform_ecg.dcm";
  auto out = dimse::store(node(), {ecg});
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->size(), 1u);
  EXPECT_TRUE((*out)[0].status.is_ok()) << (*out)[0].status.to_string();
  auto r = run_command(storescu_command(ecg, "MEDAI", server_->port()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto received = handler_->received();
  ASSERT_EQ(received.size(), 2u);
  const auto reference = wire_reference({ecg}, dir_ / "ref");
  for (const auto& rx : received) {
    EXPECT_EQ(rx.request.sop_class_uid, "1.2.840.10008.5.1.4.1.1.9.1.1");
    EXPECT_TRUE(dataset_bytes(rx.kept) ==
                reference.at(rx.request.sop_instance_uid + "|" + rx.request.transfer_syntax_uid));
  }
  for (const char* uid : {"1.2.840.10008.5.1.4.1.1.9.1.2", "1.2.840.10008.5.1.4.1.1.9.1.3",
                          "1.2.840.10008.5.1.4.1.1.9.2.1", "1.2.840.10008.5.1.4.1.1.9.3.1",
                          "1.2.840.10008.5.1.4.1.1.9.4.1", "1.2.840.10008.5.1.4.1.1.9.4.2",
                          "1.2.840.10008.5.1.4.1.1.9.5.1", "1.2.840.10008.5.1.4.1.1.9.6.1"})
    EXPECT_TRUE(dimse::is_accepted_storage_sop_class(uid)) << uid;
}

// Debian's DCMTK leaves Nagle's algorithm on unless TCP_NODELAY=1 is in the
// environment; with it on, every C-STORE round trip waits for a delayed ACK
// (~40 ms). Our server must be fast whatever the environment.
TEST_F(DimseTest, ManySmallStoresAreNotSlowedByNagle) {
  ::setenv("TCP_NODELAY", "0", 1);
  start_server();
  const auto folder = dir_ / "small";
  std::filesystem::create_directories(folder);
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 60; ++i) files.push_back(kPydicomFiles / "SC_rgb_small_odd.dcm");
  auto started = std::chrono::steady_clock::now();
  auto out = dimse::store(node(), files);
  auto elapsed = std::chrono::steady_clock::now() - started;
  ::unsetenv("TCP_NODELAY");
  ASSERT_TRUE(out.is_ok());
  for (const auto& o : *out) EXPECT_TRUE(o.status.is_ok());
  // 60 stores with Nagle on would take >= 60 × 40 ms = 2.4 s.
  EXPECT_LT(elapsed, std::chrono::milliseconds(1500))
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

// The same with DCMTK's storescu as the client and Nagle left on in its
// environment: our server answers fast, DCMTK's own storescp (same client,
// same files) is the slow reference. Prints both for docs/benchmarks.
TEST_F(DimseTest, StorescuWithNagleOnIsFastAgainstUsSlowAgainstStorescp) {
  start_server();
  const auto folder = dir_ / "small";
  std::filesystem::create_directories(folder);
  for (int i = 0; i < 50; ++i) {
    // 50 distinct instances: storescu skips duplicate SOP Instance UIDs.
    DcmFileFormat ff;
    ASSERT_TRUE(ff.loadFile((kPydicomFiles / "SC_rgb_small_odd.dcm").c_str()).good());
    std::string uid = "1.2.826.0.1.3680043.8.498.999." + std::to_string(i + 1);
    ff.getDataset()->putAndInsertString(DCM_SOPInstanceUID, uid.c_str());
    ASSERT_TRUE(ff.saveFile((folder / ("f" + std::to_string(i) + ".dcm")).c_str(), EXS_LittleEndianExplicit).good());
  }
  auto timed = [&](std::uint16_t port, const std::string& ae) {
    auto started = std::chrono::steady_clock::now();
    auto r = run_command("env TCP_NODELAY=0 storescu -R -aet TESTSCU -aec " + ae + " +sd 127.0.0.1 " +
                         std::to_string(port) + " " + folder.string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
  };
  auto ours = timed(server_->port(), "MEDAI");
  StorescpProcess storescp("REF", dir_ / "ref");
  auto theirs = timed(storescp.port(), "REF");
  std::cout << "[ measure ] storescu 50 small C-STORE, TCP_NODELAY=0: medai " << ours << " ms, DCMTK storescp "
            << theirs << " ms\n";
  EXPECT_EQ(handler_->received().size(), 50u);
  EXPECT_LT(ours, 1500);
}

}  // namespace
}  // namespace medai::testing
