// Damaged input never crashes the process and never leaves output: truncated
// and bit-flipped copies of real files either de-identify or fail with
// invalid_dicom.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "deid/deidentifier.h"
#include "dicom_values.h"
#include "support/temp_dir.h"

namespace medai::deid {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

TEST(MalformedInput, TruncatedAndCorruptedFilesFailCleanly) {
  if (!fs::exists(kCorpus)) GTEST_SKIP();
  auto d = Deidentifier::create(std::string(64, '9'));
  ASSERT_TRUE(d.is_ok());
  medai::testing::TempDir dir;
  std::mt19937 rng(42);
  int ok = 0, failed = 0, case_number = 0;
  for (const char* name :
       {"CT_small.dcm", "rtstruct.dcm", "test-SR.dcm", "MR_small_RLE.dcm", "nested_priv_SQ.dcm"}) {
    const std::string bytes = testing::file_bytes(kCorpus / name);
    for (int round = 0; round < 40; ++round) {
      std::string damaged = bytes;
      if (round % 2 == 0) {
        damaged.resize(std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng));
      } else {
        for (int flips = 0; flips < 8; ++flips)
          damaged[std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(rng)] ^=
              static_cast<char>(1 << (rng() % 8));
      }
      const fs::path in = dir / "in.dcm";
      std::ofstream(in, std::ios::binary) << damaged;
      const fs::path out = dir / ("out-" + std::to_string(case_number++));
      fs::create_directory(out);
      auto report = d->apply_file(in, out);
      if (report.is_ok()) {
        ++ok;
        EXPECT_EQ(std::distance(fs::directory_iterator(out), {}), 1);
      } else {
        ++failed;
        EXPECT_EQ(report.status().code(), ErrorCode::invalid_dicom)
            << name << ": " << report.status().to_string();
        EXPECT_TRUE(fs::is_empty(out)) << name;
      }
    }
  }
  std::cout << "[ malformed ] de-identified " << ok << ", rejected " << failed << "\n";
  EXPECT_GT(failed, 0);
}

}  // namespace
}  // namespace medai::deid
