// `medai synth` end to end through the real binary.
#include <gtest/gtest.h>

#include "synth_fixture.h"

namespace medai::synth {
namespace {

TEST(SynthCli, WritesStudiesAndSummary) {
  medai::testing::TempDir dir;
  const auto out = testing::run_tool(std::string(MEDAI_BINARY) + " synth chest-ct --seed 5 --count 2 --small --out '" +
                                     dir.path().string() + "'");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("chest-ct-0001"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("chest-ct-0002"), std::string::npos) << out.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "chest-ct-0001" / "ground_truth.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "chest-ct-0002" / "ct" / "CT0064.dcm"));
  EXPECT_FALSE(std::filesystem::exists(dir / "chest-ct-0001.partial"));
}

TEST(SynthCli, RejectsUnknownKindAndBadCount) {
  medai::testing::TempDir dir;
  auto out = testing::run_tool(std::string(MEDAI_BINARY) + " synth brain-mr --out '" + dir.path().string() + "'");
  EXPECT_NE(out.exit_code, 0);
  out = testing::run_tool(std::string(MEDAI_BINARY) + " synth mammo --count 0 --out '" + dir.path().string() + "'");
  EXPECT_NE(out.exit_code, 0);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(SynthCli, UnwritableOutputFailsCleanly) {
  const auto out = testing::run_tool(std::string(MEDAI_BINARY) + " synth diabetes --count 3 --out /proc/medai-synth");
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("[io_error]"), std::string::npos) << out.output;
}

}  // namespace
}  // namespace medai::synth

namespace medai::synth {
namespace {

// pydicom (an independent reader) sees the same geometry, labels and references.
TEST(SynthInterop, PydicomReadsCtSegMgRtstruct) {
  auto& st = testing::small_studies();
  const auto out = testing::run_tool("/usr/bin/python3 '" + std::string(MEDAI_SOURCE_DIR) +
                                     "/tests/synth/pydicom_readback.py' '" + st.chest_dir.string() + "' '" +
                                     st.mammo_dir.string() + "' '" + st.rt_dir.string() + "'");
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("OK"), std::string::npos) << out.output;
}

}  // namespace
}  // namespace medai::synth
