// Mammography: four views, lesion in both views of its side at a consistent
// nipple distance, boxes/masks agree, density classes ordered.
#include <gtest/gtest.h>

#include <cmath>

#include "synth/mammography.h"
#include "synth_fixture.h"

namespace medai::synth {
namespace {

TEST(Mammo, FourViewsAndLesionOnBothViewsOfItsSide) {
  MammoOptions o;
  o.small = true;
  o.lesion_fraction = 1.0;
  int checked = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    const MammoExam e = generate_mammo_exam(seed, o);
    ASSERT_EQ(e.images.size(), 4u);
    ASSERT_NE(e.lesion.kind, LesionKind::none);
    double nipple_dist[2] = {0, 0};
    int n = 0;
    for (const MammoImage& img : e.images) {
      EXPECT_EQ(img.rows, 512);
      EXPECT_EQ(img.cols, 416);
      if (img.side != e.lesion.side) {
        EXPECT_FALSE(img.has_lesion);
        continue;
      }
      ASSERT_TRUE(img.has_lesion) << "seed " << seed << " lesion missing from a view of its side";
      // Box contains every mask pixel.
      std::size_t count = 0;
      for (int r = 0; r < img.rows; ++r)
        for (int c = 0; c < img.cols; ++c)
          if (img.lesion_mask[static_cast<std::size_t>(r) * img.cols + c]) {
            ++count;
            EXPECT_TRUE(c >= img.lesion_box[0] && c <= img.lesion_box[2] && r >= img.lesion_box[1] && r <= img.lesion_box[3]);
          }
      EXPECT_GT(count, 0u);
      // Distance of the lesion centre from the chest-wall edge, in mm.
      const double cx = 0.5 * (img.lesion_box[0] + img.lesion_box[2]) * img.pixel_mm;
      nipple_dist[n++] = img.side == Laterality::left ? cx : img.cols * img.pixel_mm - cx;
      // The lesion is brighter than its surroundings (mean in mask vs ring around the box).
      double in = 0, out = 0;
      std::size_t ni = 0, no = 0;
      const int pad = 6;
      for (int r = std::max(0, img.lesion_box[1] - pad); r <= std::min(img.rows - 1, img.lesion_box[3] + pad); ++r)
        for (int c = std::max(0, img.lesion_box[0] - pad); c <= std::min(img.cols - 1, img.lesion_box[2] + pad); ++c) {
          const std::size_t i = static_cast<std::size_t>(r) * img.cols + c;
          if (img.lesion_mask[i]) {
            in += img.pixels[i];
            ++ni;
          } else if (r < img.lesion_box[1] || r > img.lesion_box[3] || c < img.lesion_box[0] || c > img.lesion_box[2]) {
            out += img.pixels[i];
            ++no;
          }
        }
      if (ni && no) {
        EXPECT_GT(in / ni, out / no) << "seed " << seed;
      }
    }
    ASSERT_EQ(n, 2);
    // CC and MLO depths differ by breast geometry only (MLO is up to ~15% deeper).
    EXPECT_NEAR(nipple_dist[0], nipple_dist[1], 0.25 * std::max(nipple_dist[0], nipple_dist[1]) + 5);
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Mammo, DenserClassesHaveBrighterBreasts) {
  MammoOptions o;
  o.small = true;
  o.lesion_fraction = 0;
  std::map<char, std::vector<double>> by_class;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    const MammoExam e = generate_mammo_exam(seed, o);
    const MammoImage& img = e.images[0];
    double sum = 0;
    std::size_t n = 0;
    for (std::uint16_t p : img.pixels)
      if (p > 400) {
        sum += p;
        ++n;
      }
    by_class[e.density].push_back(sum / n);
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / v.size();
  };
  ASSERT_TRUE(by_class.count('b') && by_class.count('c'));
  EXPECT_LT(mean(by_class['b']), mean(by_class['c']));
}

TEST(Mammo, GroundTruthJsonAndMasks) {
  auto& st = testing::small_studies();
  const auto& gt = st.mammo;
  ASSERT_FALSE(gt["lesion"].is_null());
  EXPECT_NE(gt["exam_label"], "normal");
  int with_lesion = 0;
  for (const auto& v : gt["views"]) {
    if (v["lesion_box"].is_null()) {
      EXPECT_EQ(v["label"], "normal");
      continue;
    }
    ++with_lesion;
    EXPECT_EQ(v["label"], gt["exam_label"]);
    EXPECT_EQ(v["image_laterality"], gt["lesion"]["laterality"]);
    const std::string png = testing::read_bytes(st.mammo_dir / v["lesion_mask"].get<std::string>());
    ASSERT_GT(png.size(), 8u);
    EXPECT_EQ(png.substr(1, 3), "PNG");
  }
  EXPECT_EQ(with_lesion, 2);
}

}  // namespace
}  // namespace medai::synth
