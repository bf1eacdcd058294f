// The app's result objects from a generated chest CT (real DICOM): SEG with
// one segment per nodule and SR TID 1500 with one measurement group per
// nodule, both valid for dciodvfy; SR measurements read back equal the JSON;
// the input check refuses thick slices and other modalities with stable reasons.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "annotations/sr_tid1500_writer.h"
#include "apps/lung/lung_results.h"
#include "support/dicom_tools.h"
#include "support/temp_dir.h"
#include "synth/study_output.h"

namespace medai::apps::lung {
namespace {

namespace fs = std::filesystem;
namespace ann = annotations;

std::vector<fs::path> dcm_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".dcm") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(LungResults, SegAndSrPerNoduleValidAndConsistent) {
  medai::testing::TempDir dir;
  synth::StudyOptions o;
  o.matrix = 256;
  o.min_nodules = 2;
  auto gt = synth::write_study("chest-ct", 77, 1, o, dir.path() / "study");
  ASSERT_TRUE(gt.is_ok()) << gt.status().message();
  const auto files = dcm_files(dir.path() / "study" / "ct");
  auto series = imaging::load_series_volume(files);
  ASSERT_TRUE(series.is_ok()) << series.status().message();
  ASSERT_TRUE(check_lung_series(*series).is_ok());
  auto source = ann::source_series_from_files(files);
  ASSERT_TRUE(source.is_ok()) << source.status().message();

  std::vector<Candidate> candidates;
  for (const auto& n : (*gt)["nodules"])
    candidates.push_back({{n["center_mm"][0].get<double>(), n["center_mm"][1].get<double>(),
                           n["center_mm"][2].get<double>()},
                          0.9});
  const LungFindings findings = build_lung_findings(series->volume, candidates, {63, false});
  ASSERT_GE(findings.nodules.size(), 2u);
  // A size limit just below the largest nodule: that one is not reported but
  // counted in the exam block; the others stay.
  double largest = 0;
  for (const auto& n : findings.nodules) largest = std::max(largest, n.measurement.long_axis_mm);
  LungFindingOptions capped;
  capped.max_diameter_mm = largest - 0.01;
  const LungFindings fewer = build_lung_findings(series->volume, candidates, {63, false}, capped);
  EXPECT_GE(fewer.over_max_diameter, 1);
  EXPECT_EQ(fewer.nodules.size() + static_cast<std::size_t>(fewer.over_max_diameter), findings.nodules.size());
  for (const auto& n : fewer.nodules) EXPECT_LE(n.measurement.long_axis_mm, capped.max_diameter_mm);
  EXPECT_EQ(exam_json(fewer)["over_max_diameter"], fewer.over_max_diameter);
  EXPECT_EQ(exam_json(findings)["over_max_diameter"], 0);

  LungResultContext ctx;
  ctx.series = &*series;
  ctx.source = &*source;
  ctx.producer.manufacturer = "medai-reference";
  ctx.producer.app_name = "lung-nodule-screening";
  ctx.producer.app_version = "1.0.0";
  ctx.producer.package_digest = "sha256:00";
  ctx.producer.research_use_only = true;
  ann::UidDeriver uids{"2.25", "test-key"};
  ctx.output = [&](const char* kind, int number, const std::string& description) {
    ann::OutputSeries s = uids.output_series("job-1", "sha256:in", kind);
    s.series_number = number;
    s.series_description = description;
    s.content_date = "20261127";
    s.content_time = "120000";
    return s;
  };
  auto out = write_lung_results(findings, ctx);
  ASSERT_TRUE(out.is_ok()) << out.status().message();
  ASSERT_EQ(out->objects.size(), 2u);  // SEG + SR
  const auto json = ann::to_json(out->result);
  ASSERT_EQ(json["findings"].size(), findings.nodules.size());
  EXPECT_EQ(json["findings"][0]["id"], "nodule-1");
  EXPECT_TRUE(json["findings"][0]["attributes"].contains("lung_rads"));
  EXPECT_TRUE(json["findings"][0]["attributes"].contains("type"));
  EXPECT_NE(out->result.exam["notice"].get<std::string>().find("trained on synthetic data"), std::string::npos);
  EXPECT_NE(out->result.exam["notice"].get<std::string>().find("lung-nodule-screening 1.0.0"), std::string::npos);
  EXPECT_EQ(out->result.exam["lung_rads"]["category"], to_string(findings.exam_category));

  for (const auto& obj : out->objects) {
    const fs::path file = dir.path() / (obj.sop_instance_uid + ".dcm");
    ASSERT_TRUE(ann::save_object(obj, file).is_ok());
    std::string all;
    const auto errors = medai::testing::dciodvfy_errors(file, &all);
    EXPECT_TRUE(errors.empty()) << all;
  }
  // The SR's long axes are the JSON's.
  const auto& sr = out->objects.back();
  auto read = ann::read_sr_measurements(sr.bytes);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  for (const auto& n : findings.nodules) {
    bool found = false;
    for (const auto& m : *read)
      if (m.tracking_id == "nodule-" + std::to_string(n.number) && m.concept_value == "103339001") {
        EXPECT_NEAR(m.value, n.measurement.long_axis_mm, 1e-3);
        found = true;
      }
    EXPECT_TRUE(found) << "nodule " << n.number;
  }
}

TEST(LungResults, RefusesThickSlicesAndOtherModalities) {
  imaging::SeriesVolume s;
  s.modality = "CT";
  s.volume = imaging::Volume<float>(8, 8, 40);
  s.slice_spacing_mm = 2.5;
  s.slice_thickness_mm = 2.5;
  EXPECT_TRUE(check_lung_series(s).is_ok());
  s.slice_thickness_mm = 3.0;
  auto st = check_lung_series(s);
  ASSERT_FALSE(st.is_ok());
  EXPECT_EQ(st.code(), ErrorCode::invalid_series);
  EXPECT_EQ(st.detail()["reason"], "slice_too_thick");
  s.slice_thickness_mm.reset();
  s.slice_spacing_mm = 5.0;  // no Slice Thickness: the spacing decides
  EXPECT_EQ(check_lung_series(s).detail()["reason"], "slice_too_thick");
  s.modality = "MR";
  EXPECT_EQ(check_lung_series(s).detail()["reason"], "wrong_modality");
}

}  // namespace
}  // namespace medai::apps::lung
