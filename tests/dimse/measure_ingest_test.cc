// Measurement, not a regression test (disabled by default): DCMTK storescu
// sends N CT instances (512×512, 16 bit, 4 series) in one association to our
// SCP and to DCMTK's storescp (bit-preserving, same machine, same files,
// TCP_NODELAY=1 for every DCMTK process). Our handler here only moves each
// received file into a folder (no fsync, no index), so this is the DIMSE layer's
// ceiling, not the ingest benchmark of issue #3.
//   build/release/tests/dimse_tests --gtest_also_run_disabled_tests
//     --gtest_filter='*MeasureIngest*'      (MEDAI_MEASURE_N=1000 by default)
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "dimse_fixture.h"

namespace medai::testing {
namespace {

TEST_F(DimseTest, DISABLED_MeasureIngestThroughput) {
  const char* env_n = std::getenv("MEDAI_MEASURE_N");
  const int n = env_n ? std::atoi(env_n) : 1000;
  const auto folder = dir_ / "ct";
  std::filesystem::create_directories(folder);
  DcmFileFormat ff;
  ASSERT_TRUE(ff.loadFile((kPydicomFiles / "CT_small.dcm").c_str()).good());
  DcmDataset* ds = ff.getDataset();
  ds->putAndInsertUint16(DCM_Rows, 512);
  ds->putAndInsertUint16(DCM_Columns, 512);
  std::vector<Uint16> pixels(512 * 512);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<Uint16>((i * 31) & 0x0FFF);
  ds->putAndInsertUint16Array(DCM_PixelData, pixels.data(), pixels.size());
  for (int i = 0; i < n; ++i) {
    std::string series = "1.2.826.0.1.3680043.8.498.77." + std::to_string(i % 4 + 1);
    std::string uid = series + "." + std::to_string(i + 1);
    ds->putAndInsertString(DCM_SeriesInstanceUID, series.c_str());
    ds->putAndInsertString(DCM_SOPInstanceUID, uid.c_str());
    ff.getMetaInfo()->putAndInsertString(DCM_MediaStorageSOPInstanceUID, uid.c_str());
    ASSERT_TRUE(ff.saveFile((folder / (std::to_string(i) + ".dcm")).c_str(), EXS_LittleEndianExplicit).good());
  }
  auto send = [&](std::uint16_t port, const std::string& ae) {
    auto started = std::chrono::steady_clock::now();
    auto r = run_command("env TCP_NODELAY=1 storescu -R -aet BENCH -aec " + ae + " +sd 127.0.0.1 " +
                             std::to_string(port) + " " + folder.string(),
                         600);
    EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  start_server();
  const double ours = send(server_->port(), "MEDAI");
  EXPECT_EQ(handler_->received().size(), static_cast<std::size_t>(n));
  ::setenv("TCP_NODELAY", "1", 1);  // inherited by the storescp child
  StorescpProcess storescp("REF", dir_ / "ref");
  ::unsetenv("TCP_NODELAY");
  const double theirs = send(storescp.port(), "REF");
  std::cout << "[ measure ] storescu " << n << " CT 512x512 in one association: medai SCP " << n / ours
            << " inst/s (" << ours << " s), DCMTK storescp +B " << n / theirs << " inst/s (" << theirs << " s)\n";
}

}  // namespace
}  // namespace medai::testing
