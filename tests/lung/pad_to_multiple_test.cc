// The pad_to_multiple pipeline operator (added for the lung app's whole-volume
// call): sides up to the next multiple, data and origin kept, padding value,
// bad parameters refused.
#include <gtest/gtest.h>

#include "imaging/pipeline.h"

namespace medai::imaging {
namespace {

TEST(PadToMultiple, PadsTheHighEndAndKeepsGeometry) {
  auto p = parse_pipeline(nlohmann::json::parse(R"([{"op": "pad_to_multiple", "multiple": 4, "pad_value": -1}])"));
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  PipelineData d;
  d.image = Volume<float>(5, 6, 7, 2.0f);
  d.image.origin = {10, 20, 30};
  d.image.spacing = {2, 2, 2};
  ASSERT_TRUE(run_pipeline(*p, d, {}).is_ok());
  EXPECT_EQ(d.image.nx, 8);
  EXPECT_EQ(d.image.ny, 8);
  EXPECT_EQ(d.image.nz, 8);
  EXPECT_EQ(d.image.origin, (std::array<double, 3>{10, 20, 30}));
  EXPECT_FLOAT_EQ(d.image.at(4, 5, 6), 2.0f);
  EXPECT_FLOAT_EQ(d.image.at(5, 5, 6), -1.0f);
  EXPECT_FLOAT_EQ(d.image.at(4, 6, 6), -1.0f);
  EXPECT_FLOAT_EQ(d.image.at(4, 5, 7), -1.0f);
  EXPECT_FALSE(parse_pipeline(nlohmann::json::parse(R"([{"op": "pad_to_multiple", "multiple": 0}])")).is_ok());
}

}  // namespace
}  // namespace medai::imaging
