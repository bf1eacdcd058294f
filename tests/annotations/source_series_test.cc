// SourceSeries from files: slices sorted inferior to superior whatever the
// file order, grid and UIDs read from the headers, mixed or broken input refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "fixture.h"

namespace medai::annotations {
namespace {
using testing::inputs;

TEST(SourceSeries, ReadsGridAndSortsSlices) {
  const auto& c = inputs().chest;
  std::vector<std::filesystem::path> reversed(c.files.rbegin(), c.files.rend());
  auto s = source_series_from_files(reversed);
  ASSERT_TRUE(s.is_ok()) << s.status().to_string();
  EXPECT_EQ(s.value().nx, c.labels.nx);
  EXPECT_EQ(s.value().ny, c.labels.ny);
  EXPECT_EQ(s.value().nz(), c.labels.nz);
  EXPECT_EQ(s.value().modality, "CT");
  for (int a = 0; a < 3; ++a) {
    EXPECT_NEAR(s.value().spacing[a], c.labels.spacing[a], 1e-6);
    EXPECT_NEAR(s.value().origin[a], c.labels.origin[a], 1e-6);
  }
  for (int k = 0; k < c.labels.nz; ++k) {
    EXPECT_EQ(s.value().slices[static_cast<std::size_t>(k)].sop_instance_uid,
              c.source.slices[static_cast<std::size_t>(k)].sop_instance_uid);
    EXPECT_NEAR(s.value().slices[static_cast<std::size_t>(k)].position.z, c.labels.position(0, 0, k).z, 1e-6);
  }
  EXPECT_TRUE(check_same_grid(s.value(), c.labels, "test").is_ok());
}

TEST(SourceSeries, RefusesMixedBrokenAndEmptyInput) {
  std::vector<std::filesystem::path> mixed = inputs().chest.files;
  mixed.push_back(inputs().rt.files.front());
  EXPECT_EQ(source_series_from_files(mixed).status().code(), ErrorCode::geometry_mismatch);
  std::vector<std::filesystem::path> gap = inputs().chest.files;
  gap.erase(gap.begin() + static_cast<long>(gap.size() / 2));  // a missing slice
  EXPECT_EQ(source_series_from_files(gap).status().code(), ErrorCode::geometry_mismatch);
  medai::testing::TempDir dir;
  std::ofstream(dir / "junk.dcm") << "not dicom";
  EXPECT_EQ(source_series_from_files({dir / "junk.dcm"}).status().code(), ErrorCode::invalid_dicom);
  EXPECT_EQ(source_series_from_files({}).status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::annotations
