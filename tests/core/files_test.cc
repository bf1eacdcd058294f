#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "core/files.h"
#include "core/parallel.h"
#include "support/temp_dir.h"

namespace medai {
namespace {

TEST(ReadFile, ReturnsEveryByteOfEmptySmallAndLargeFiles) {
  testing::TempDir dir;
  std::mt19937 gen(5);
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{65535}, std::size_t{65537}, std::size_t{3} << 20}) {
    std::string bytes(size, '\0');
    for (auto& c : bytes) c = static_cast<char>(gen());
    const auto path = dir.path() / ("f" + std::to_string(size));
    ASSERT_TRUE(write_file(path, bytes).is_ok());
    auto read = read_file(path);
    ASSERT_TRUE(read.is_ok()) << read.status().to_string();
    EXPECT_EQ(*read, bytes) << size;
  }
}

TEST(ReadFile, ReadsFilesWhoseSizeIsNotKnownInAdvance) {
  // /proc files report size 0 and still have content.
  auto status = read_file("/proc/self/status");
  ASSERT_TRUE(status.is_ok());
  EXPECT_NE(status->find("Name:"), std::string::npos);
  EXPECT_EQ(status->back(), '\n');
}

TEST(ReadFile, MissingFileIsAnIoErrorWithoutThePath) {
  auto r = read_file("/nonexistent/patient-name.dcm");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::io_error);
  EXPECT_EQ(r.status().to_string().find("patient-name"), std::string::npos);
}

TEST(ParallelFor, RunsEveryIndexOnceWhateverTheThreadCount) {
  for (int threads : {0, 1, 2, 3, 8}) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{100}}) {
      std::vector<int> hits(n, 0);
      parallel_for(n, threads, [&](std::size_t i) { ++hits[i]; });  // distinct i: no race
      for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i], 1) << "threads " << threads << " n " << n;
    }
  }
}

}  // namespace
}  // namespace medai
