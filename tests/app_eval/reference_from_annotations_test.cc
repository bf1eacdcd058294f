// Ground truth derived from stored annotation objects (what an evaluation on
// a stored dataset scores against) must equal the generator's own
// ground_truth.json for the same study: same nodules, centres, axial
// diameters and types from the SEG alone.
#include "apps/eval/reference_from_annotations.h"

#include <gtest/gtest.h>

#include <map>

#include "support/temp_dir.h"
#include "synth/study_output.h"

namespace medai::apps::eval {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(ReferenceFromAnnotations, NodulesFromTheSegEqualTheGeneratorsGroundTruth) {
  medai::testing::TempDir dir;
  synth::StudyOptions options;
  options.small = true;
  options.min_nodules = 3;
  for (int index = 0; index < 2; ++index)
    ASSERT_TRUE(synth::write_study("chest-ct", 4242, index, options, dir.path() / ("s" + std::to_string(index))).is_ok());
  auto studies = list_studies(dir.path());
  ASSERT_TRUE(studies.is_ok()) << studies.status().message();
  ASSERT_EQ(studies->size(), 2u);
  int compared = 0;
  for (const auto& study : *studies) {
    ASSERT_EQ(study.annotation_files.size(), 1u);
    EXPECT_EQ(study.annotation_files[0].kind, "SEG");
    auto truth = detection_truth_from_seg(study.image_files, study.annotation_files, "malignant");
    ASSERT_TRUE(truth.is_ok()) << truth.status().message();
    const json& generated = study.ground_truth["nodules"];
    ASSERT_EQ((*truth)["nodules"].size(), generated.size());
    std::map<int, json> by_segment;
    for (const auto& n : (*truth)["nodules"]) by_segment[n["segment_number"].get<int>()] = n;
    for (const auto& g : generated) {
      const json& n = by_segment.at(g["segment_number"].get<int>());
      for (int a = 0; a < 3; ++a)
        EXPECT_NEAR(n["center_mm"][a].get<double>(), g["center_mm"][a].get<double>(), 2e-3) << g.dump();
      EXPECT_NEAR(n["max_axial_diameter_mm"].get<double>(), g["max_axial_diameter_mm"].get<double>(), 2e-3);
      EXPECT_NEAR(n["volume_mm3"].get<double>(), g["volume_mm3"].get<double>(), 0.01);
      EXPECT_EQ(n.value("type", ""), g["type"].get<std::string>());
      ++compared;
    }
    // Age and sex come from the CT header, as the generator wrote them.
    EXPECT_EQ((*truth)["patient"].value("sex", ""), study.ground_truth["patient"].value("sex", ""));
  }
  EXPECT_GE(compared, 6);
}

TEST(ReferenceFromAnnotations, AScanWithoutASegHasNoNodulesOnlyWhenItsLabelSaysSo) {
  medai::testing::TempDir dir;
  synth::StudyOptions options;
  options.small = true;
  options.min_nodules = 1;
  ASSERT_TRUE(synth::write_study("chest-ct", 7, 0, options, dir.path() / "s").is_ok());
  auto studies = list_studies(dir.path());
  ASSERT_TRUE(studies.is_ok());
  const auto& images = studies->front().image_files;
  for (const char* negative : {"no-nodule", "none", "normal", "negative"}) {
    auto truth = detection_truth_from_seg(images, {}, negative);
    ASSERT_TRUE(truth.is_ok()) << negative;
    EXPECT_TRUE((*truth)["nodules"].empty());
  }
  auto unlabelled = detection_truth_from_seg(images, {}, "malignant");
  ASSERT_FALSE(unlabelled.is_ok());
  EXPECT_EQ(unlabelled.status().code(), ErrorCode::invalid_argument);
}

TEST(ReferenceFromAnnotations, ExamTruthFromTheItemLabel) {
  const json right = exam_truth_from_label("malignant:R");
  EXPECT_EQ(right["kind"], "mammo");
  EXPECT_EQ(right["exam_label"], "malignant");
  EXPECT_EQ(right["lesion"]["laterality"], "R");
  EXPECT_EQ(exam_truth_from_label("malignant")["lesion"]["laterality"], "");
  const json benign = exam_truth_from_label("benign");
  EXPECT_EQ(benign["exam_label"], "benign");
  EXPECT_TRUE(benign["lesion"].is_null());
}

}  // namespace
}  // namespace medai::apps::eval
