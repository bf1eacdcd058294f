// Auto-contouring results: a label map on a generated planning CT's grid
// becomes an RTSTRUCT that passes dciodvfy without errors, references the CT
// (frame of reference, study, series, every slice) and reads back through the
// project's RTSTRUCT reader to the same masks (Dice >= 0.98 per structure), a
// SEG with one segment per structure, and one JSON finding per structure.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "annotations/rtstruct_reader.h"
#include "annotations/seg_reader.h"
#include "annotations/source_series.h"
#include "apps/rt/label_cleanup.h"
#include "apps/rt/plan_scoring.h"
#include "apps/rt/structure_results.h"
#include "evaluation/segmentation_metrics.h"
#include "support/dicom_tools.h"
#include "support/temp_dir.h"
#include "synth/study_output.h"

namespace medai::apps::rt {
namespace {
namespace fs = std::filesystem;
namespace ann = annotations;

// Model-style label map from the plan's reference masks: values in the
// order a trained model uses (structure names sorted), External painted
// first so the organs inside it keep their own value.
struct Fixture {
  medai::testing::TempDir dir;
  ReferencePlan plan;
  ann::SourceSeries source;
  imaging::Volume<std::uint8_t> labels;
  std::vector<OutputStructure> structures;
};

Fixture& fixture() {
  static Fixture* f = [] {
    auto* x = new Fixture;
    synth::StudyOptions o;
    o.small = true;
    EXPECT_TRUE(synth::write_study("rt", 21, 1, o, x->dir / "plan").is_ok());
    auto plan = load_reference_plan(x->dir / "plan");
    EXPECT_TRUE(plan.is_ok()) << plan.status().message();
    x->plan = std::move(plan.value());
    x->source = ann::source_series_from_files(x->plan.ct_files).value();
    nlohmann::json labels = nlohmann::json::array();
    int value = 0;
    for (const auto& [name, mask] : x->plan.structures) labels.push_back({{"value", ++value}, {"name", name}});
    x->structures = output_structures(labels).value();
    x->labels = x->source.empty_mask();
    for (const auto& s : x->structures) {  // writing order: External first
      const auto& m = x->plan.structures.at(s.info.name);
      for (std::size_t v = 0; v < m.data.size(); ++v)
        if (m.data[v]) x->labels.data[v] = static_cast<std::uint8_t>(s.label);
    }
    return x;
  }();
  return *f;
}

ann::Producer producer() {
  ann::Producer p;
  p.manufacturer = "medai-reference";
  p.app_name = "rt-auto-contouring";
  p.app_version = "1.0.0";
  p.package_digest = "sha256:0123456789abcdef";
  p.input_digest = "sha256:fedcba9876543210";
  p.job_id = "job-test";
  p.research_use_only = true;
  return p;
}

StructureResultOptions options() {
  ann::UidDeriver uids{"2.25", "test-key"};
  StructureResultOptions o;
  o.rtstruct_series = uids.output_series("job-test", "sha256:in", "rtstruct");
  o.rtstruct_series.series_number = 902;
  o.rtstruct_series.series_description = "RT auto-contouring structures";
  o.rtstruct_series.content_date = "20261127";
  o.rtstruct_series.content_time = "120000";
  o.seg_series = uids.output_series("job-test", "sha256:in", "seg");
  o.seg_series.series_number = 901;
  o.seg_series.content_date = "20261127";
  o.seg_series.content_time = "120000";
  o.notice = "research use only - trained on synthetic data";
  return o;
}

TEST(RtStructures, OutputLabelsMapToTg263StructuresInWritingOrder) {
  auto s = output_structures(nlohmann::json::parse(
      R"([{"value":1,"name":"External"},{"value":2,"name":"GTV"},{"value":3,"name":"Heart"},
          {"value":4,"name":"Lung_L"},{"value":5,"name":"Lung_R"},{"value":6,"name":"SpinalCord"}])"));
  ASSERT_TRUE(s.is_ok());
  std::vector<std::string> names;
  for (const auto& x : s.value()) names.push_back(x.info.name);
  EXPECT_EQ(names, (std::vector<std::string>{"External", "Lung_L", "Lung_R", "SpinalCord", "Heart", "GTV"}));
  EXPECT_EQ(s.value()[0].info.interpreted_type, "EXTERNAL");
  EXPECT_EQ(s.value()[5].info.interpreted_type, "GTV");
  EXPECT_EQ(s.value()[5].label, 2);
  EXPECT_EQ(s.value()[1].info.type.value, "44029006");  // SCT left lung
  // Duplicates and bad values are refused.
  EXPECT_FALSE(output_structures(nlohmann::json::parse(R"([{"value":1,"name":"GTV"},{"value":1,"name":"Heart"}])"))
                   .is_ok());
  EXPECT_FALSE(output_structures(nlohmann::json::parse(R"([{"value":0,"name":"GTV"}])")).is_ok());
  EXPECT_FALSE(output_structures(nlohmann::json::array()).is_ok());
}

TEST(RtStructures, ExternalMaskIsEveryLabelledVoxel) {
  imaging::Volume<std::uint8_t> l(4, 1, 1);
  l.data = {0, 1, 2, 3};
  OutputStructure ext{1, *structure_info("External")}, gtv{2, *structure_info("GTV")};
  EXPECT_EQ(structure_mask(l, ext).data, (std::vector<std::uint8_t>{0, 1, 1, 1}));
  EXPECT_EQ(structure_mask(l, gtv).data, (std::vector<std::uint8_t>{0, 0, 1, 0}));
}

TEST(RtLabelCleanup, MovesLungsToTheirSideAndDropsOrganIslands) {
  // 20 x 5 x 1 body (label 1); a "left" lung component on +x labelled right,
  // and a one-voxel heart island beside the real heart.
  auto s = output_structures(nlohmann::json::parse(
                                 R"([{"value":1,"name":"External"},{"value":2,"name":"Heart"},
                                     {"value":3,"name":"Lung_L"},{"value":4,"name":"Lung_R"}])"))
               .value();
  imaging::Volume<std::uint8_t> l(20, 5, 1, 1);
  l.origin = {-9.5, 0, 0};  // x = -9.5 .. 9.5, midline 0
  for (int j = 1; j < 4; ++j) {
    for (int i = 2; i < 6; ++i) l.at(i, j, 0) = 4;    // right lung on -x: correct
    for (int i = 14; i < 18; ++i) l.at(i, j, 0) = 4;  // on +x but labelled right: wrong side
  }
  l.at(9, 2, 0) = l.at(10, 2, 0) = 2;  // heart
  l.at(0, 0, 0) = 2;                   // heart island
  const CleanupReport r = clean_up_labels(l, s);
  EXPECT_EQ(l.at(15, 2, 0), 3);
  EXPECT_EQ(l.at(3, 2, 0), 4);
  EXPECT_EQ(l.at(0, 0, 0), 1);
  EXPECT_EQ(l.at(9, 2, 0), 2);
  EXPECT_EQ(r.lung_voxels_moved, 12);
  EXPECT_EQ(r.island_voxels_removed, 1);
}

TEST(RtStructureResults, RtstructPassesDciodvfyAndReadsBackToTheLabelMap) {
  Fixture& f = fixture();
  auto built = build_structure_results(f.labels, f.structures, f.source, producer(), options());
  ASSERT_TRUE(built.is_ok()) << built.status().message();
  const StructureResults& r = built.value();
  ASSERT_EQ(r.objects.size(), 2u);
  ASSERT_EQ(r.findings.size(), 6u);

  const fs::path rs_file = f.dir / "out-rtstruct.dcm";
  ASSERT_TRUE(ann::save_object(r.objects[0], rs_file).is_ok());
  std::string report;
  const auto errors = medai::testing::dciodvfy_errors(rs_file, &report);
  EXPECT_TRUE(errors.empty()) << report;

  auto contents = ann::parse_rtstruct(r.objects[0].bytes);
  ASSERT_TRUE(contents.is_ok());
  const auto& rs = contents.value();
  EXPECT_EQ(rs.study_instance_uid, f.source.study_instance_uid);
  ASSERT_EQ(rs.rois.size(), 6u);
  auto masks = ann::rasterise_rtstruct(rs, f.source);
  ASSERT_TRUE(masks.is_ok()) << masks.status().message();
  for (std::size_t s = 0; s < rs.rois.size(); ++s) {
    const auto& roi = rs.rois[s];
    EXPECT_EQ(roi.name, f.structures[s].info.name);
    EXPECT_EQ(roi.interpreted_type, f.structures[s].info.interpreted_type);
    EXPECT_EQ(roi.rgb, f.structures[s].info.rgb);
    EXPECT_EQ(roi.frame_of_reference_uid, f.source.frame_of_reference_uid);
    for (const auto& c : roi.contours) EXPECT_EQ(c.geometric_type, "CLOSED_PLANAR");
    const auto expected = structure_mask(f.labels, f.structures[s]);
    const double dice = evaluation::dice_coefficient(masks.value().masks[s].data.data(), expected.data.data(),
                                                     expected.data.size());
    EXPECT_GE(dice, 0.98) << roi.name;
    std::printf("RTSTRUCT read back %s Dice %.4f\n", roi.name.c_str(), dice);
    EXPECT_EQ(r.findings[s].rtstruct->roi_number, static_cast<int>(s + 1));
    EXPECT_GT(r.findings[s].attributes.value("contours", 0), 0) << roi.name;
  }
  EXPECT_EQ(masks.value().contours_not_closed, 0u);
  EXPECT_EQ(r.exam["notice"], "research use only - trained on synthetic data");
}

TEST(RtStructureResults, SegHasOneSegmentPerStructureAndJsonVolumes) {
  Fixture& f = fixture();
  auto built = build_structure_results(f.labels, f.structures, f.source, producer(), options());
  ASSERT_TRUE(built.is_ok());
  const auto& r = built.value();
  const fs::path seg_file = f.dir / "out-seg.dcm";
  ASSERT_TRUE(ann::save_object(r.objects[1], seg_file).is_ok());
  std::string report;
  EXPECT_TRUE(medai::testing::dciodvfy_errors(seg_file, &report).empty()) << report;
  auto seg = ann::read_seg(r.objects[1].bytes, f.source);
  ASSERT_TRUE(seg.is_ok()) << seg.status().message();
  ASSERT_EQ(seg.value().segments.size(), 6u);
  const double voxel_ml = f.labels.spacing[0] * f.labels.spacing[1] * f.labels.spacing[2] / 1000.0;
  for (std::size_t s = 0; s < 6; ++s) {
    EXPECT_EQ(seg.value().segments[s].label, f.structures[s].info.name);
    const auto expected = structure_mask(f.labels, f.structures[s]);
    EXPECT_EQ(seg.value().masks[s].data, expected.data) << f.structures[s].info.name;
    std::size_t n = 0;
    for (auto v : expected.data) n += v;
    EXPECT_NEAR(r.findings[s].measurements[0].value, n * voxel_ml, 0.01);
    EXPECT_EQ(r.findings[s].seg->segment_number, static_cast<int>(s + 1));
  }
}

TEST(RtStructureResults, RefusesALabelMapOffTheGrid) {
  Fixture& f = fixture();
  imaging::Volume<std::uint8_t> wrong(4, 4, 4, 1);
  auto r = build_structure_results(wrong, f.structures, f.source, producer(), options());
  ASSERT_FALSE(r.is_ok());
}

}  // namespace
}  // namespace medai::apps::rt
