// The exam app end to end on a generated 4-view mammogram (real DICOM
// loading, result JSON, SR through DCMTK checked by dciodvfy), with a model
// runtime that returns known scores and activation maps so the assertions
// are exact: which breast is recalled, where the hot spot lands, what a
// missing view does.
#include <gtest/gtest.h>

#include <algorithm>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include "annotations/result_json.h"
#include "apps/imaging_app_runner.h"
#include "support/dicom_tools.h"
#include "support/temp_dir.h"
#include "synth/study_output.h"

namespace medai::apps {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// View 0 of the batch scores 0.9 with its activation peak at cell (5, 10);
// every other view 0.1 with a flat map.
class KnownModel final : public runtime::ModelRuntime {
 public:
  Status load(const runtime::ModelSpec&) override { return Status::ok(); }
  bool ready() const override { return true; }
  void unload() override {}
  std::size_t resident_bytes() const override { return 0; }
  Result<std::vector<runtime::Tensor>> infer(const std::vector<runtime::Tensor>& in) override {
    const std::int64_t n = in.at(0).shape.at(0), h = in[0].shape[2] / 16, w = in[0].shape[3] / 16;
    std::vector<float> scores(static_cast<std::size_t>(n), 0.1f), cams(static_cast<std::size_t>(n * h * w), 0.05f);
    scores[0] = 0.9f;
    cams[static_cast<std::size_t>(10 * w + 5)] = 0.95f;
    batch_views = n;
    return std::vector<runtime::Tensor>{runtime::make_f32("output_0", {n, 1}, scores),
                                        runtime::make_f32("output_1", {n, 1, h, w}, cams)};
  }
  std::int64_t batch_views = 0;
};

ImagingApp exam_app() {
  ImagingApp app;
  app.app.app_name = "mammography-screening";
  app.app.vendor = "medai-reference";
  app.app.version = "1.0.0";
  app.app.digest = "sha256:" + std::string(64, 'a');
  app.app.manifest = {{"name", "mammography-screening"},
                      {"task", "classification"},
                      {"research_use_only", true},
                      {"synthetic_training_data", true},
                      {"display_name", "Mammography screening"},
                      {"input", {{"kind", "image"}, {"patch_size", {416, 512}}, {"channels", 1}}},
                      {"output", {{"labels", {{{"value", 1}, {"name", "malignant"}}}},
                                  {"thresholds", {{"recall", 0.5}, {"high_suspicion", 0.8}}}}},
                      {"writers", {"json", "sr-tid1500"}}};
  return app;
}

std::vector<fs::path> exam_files(const fs::path& dir) {
  synth::StudyOptions o;
  o.small = true;
  o.threads = 1;
  auto gt = synth::write_study("mammo", 11, 1, o, dir);
  EXPECT_TRUE(gt.is_ok());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".dcm") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

RunContext run_context() {
  RunContext run;
  run.job_id = "test-job";
  run.created_at_ms = 1764201600000;
  run.uid_key = "test-key";
  run.threads = 1;
  return run;
}

TEST(MammoExamApp, ScoresBreastsSuggestsBiradsAndWritesAValidSr) {
  testing::TempDir dir;
  const auto files = exam_files(dir.path() / "exam");
  ASSERT_EQ(files.size(), 4u);
  KnownModel model;
  auto out = run_imaging_app(exam_app(), files, model, run_context());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  EXPECT_EQ(model.batch_views, 4);  // one batched call
  const json result = annotations::to_json(out->result);
  ASSERT_EQ(result["findings"].size(), 4u);
  const json& exam = result["exam"];
  EXPECT_NEAR(exam["exam_score"].get<double>(), 0.9, 1e-6);
  EXPECT_EQ(exam["birads"]["category"], "0");
  EXPECT_EQ(exam["birads"]["suspicion"], "high");
  EXPECT_TRUE(exam["complete"].get<bool>());
  ASSERT_EQ(exam["breasts"].size(), 2u);
  EXPECT_EQ(exam["breasts"][0]["laterality"], "R");  // view 0 of the batch is RCC
  EXPECT_NEAR(exam["breasts"][0]["score"].get<double>(), 0.9, 1e-6);
  EXPECT_NEAR(exam["breasts"][1]["score"].get<double>(), 0.1, 1e-6);
  // Hot spot: the peak cell (5, 10) = model pixels x 80..95, y 160..175; the
  // small image fills the model grid 1:1.
  const json& rcc = result["findings"][0];
  EXPECT_EQ(rcc["id"], "view-RCC");
  const json box = rcc["attributes"]["hot_spot"]["box"];
  EXPECT_EQ(box["x0"], 80);
  EXPECT_EQ(box["x1"], 95);
  EXPECT_EQ(box["y0"], 160);
  EXPECT_EQ(box["y1"], 175);
  EXPECT_EQ(rcc["attributes"]["heatmap_png"].get<std::string>().rfind("data:image/png;base64,iVBORw0KGgo", 0), 0u);
  // Every output says what it is.
  EXPECT_NE(result.dump().find("synthetic"), std::string::npos);
  EXPECT_EQ(result["app"]["name"], "mammography-screening");
  // The SR: one object, valid per dciodvfy, carrying the notice.
  ASSERT_EQ(out->objects.size(), 1u);
  const fs::path sr = dir.path() / "sr.dcm";
  ASSERT_TRUE(annotations::save_object(out->objects[0], sr).is_ok());
  std::string all;
  const auto errors = testing::dciodvfy_errors(sr, &all);
  EXPECT_TRUE(errors.empty()) << all;
  EXPECT_NE(out->objects[0].bytes.find("RESEARCH USE ONLY"), std::string::npos);
  EXPECT_NE(out->objects[0].bytes.find("BI-RADS 0"), std::string::npos);
}

TEST(MammoExamApp, HeatMapsAreAProbabilitySegOnEachViewsGrid) {
  testing::TempDir dir;
  const auto files = exam_files(dir.path() / "exam");
  ASSERT_EQ(files.size(), 4u);
  KnownModel model;
  ImagingApp app = exam_app();
  app.app.manifest["writers"] = {"json", "sr-tid1500", "seg"};
  auto out = run_imaging_app(app, files, model, run_context());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  ASSERT_EQ(out->objects.size(), 2u);  // SEG (all four views are one size) + SR
  const auto& seg = out->objects[0];
  const fs::path file = dir.path() / "heatmaps.dcm";
  ASSERT_TRUE(annotations::save_object(seg, file).is_ok());
  std::string all;
  const auto errors = testing::dciodvfy_errors(file, &all);
  EXPECT_TRUE(errors.empty()) << all;

  DcmFileFormat ff;
  ASSERT_TRUE(ff.loadFile(file.c_str()).good());
  DcmDataset& d = *ff.getDataset();
  OFString v;
  ASSERT_TRUE(d.findAndGetOFString(DCM_SegmentationType, v).good());
  EXPECT_EQ(v, "FRACTIONAL");
  ASSERT_TRUE(d.findAndGetOFString(DCM_SegmentationFractionalType, v).good());
  EXPECT_EQ(v, "PROBABILITY");
  ASSERT_TRUE(d.findAndGetOFString(DCM_NumberOfFrames, v).good());
  EXPECT_EQ(v, "4");
  EXPECT_NE(seg.bytes.find("RESEARCH USE ONLY"), std::string::npos);
  // Frame 1 (segment 1) is the RCC view: it derives from that image, and its
  // values peak in the hot spot found by the app (x 80..95, y 160..175).
  const json result = annotations::to_json(out->result);
  const json& rcc = result["findings"][0];
  ASSERT_TRUE(rcc["references"].contains("seg")) << rcc.dump();
  EXPECT_EQ(rcc["references"]["seg"]["segment_number"], 1);
  EXPECT_EQ(rcc["references"]["seg"]["sop_instance_uid"], seg.sop_instance_uid);
  DcmItem* frame = nullptr;
  ASSERT_TRUE(d.findAndGetSequenceItem(DCM_PerFrameFunctionalGroupsSequence, frame, 0).good());
  DcmItem* derivation = nullptr;
  ASSERT_TRUE(frame->findAndGetSequenceItem(DCM_DerivationImageSequence, derivation, 0).good());
  DcmItem* src = nullptr;
  ASSERT_TRUE(derivation->findAndGetSequenceItem(DCM_SourceImageSequence, src, 0).good());
  ASSERT_TRUE(src->findAndGetOFString(DCM_ReferencedSOPInstanceUID, v).good());
  EXPECT_EQ(std::string(v.c_str()), rcc["attributes"]["sop_instance_uid"].get<std::string>());
  Uint16 rows = 0, cols = 0;
  ASSERT_TRUE(d.findAndGetUint16(DCM_Rows, rows).good());
  ASSERT_TRUE(d.findAndGetUint16(DCM_Columns, cols).good());
  const Uint8* pixels = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(d.findAndGetUint8Array(DCM_PixelData, pixels, &count).good());
  ASSERT_GE(count, static_cast<unsigned long>(rows) * cols * 4);
  int peak_x = 0, peak_y = 0, peak = -1;
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x)
      if (pixels[static_cast<std::size_t>(y) * cols + x] > peak) peak = pixels[static_cast<std::size_t>(y) * cols + x], peak_x = x, peak_y = y;
  EXPECT_GE(peak, 200);  // 0.95 activation of 255
  EXPECT_GE(peak_x, 80);
  EXPECT_LE(peak_x, 95);
  EXPECT_GE(peak_y, 160);
  EXPECT_LE(peak_y, 175);
}

TEST(MammoExamApp, MissingViewIsScoredFromWhatExistsAndFlagged) {
  testing::TempDir dir;
  auto files = exam_files(dir.path() / "exam");
  files.erase(std::remove_if(files.begin(), files.end(), [](const fs::path& p) { return p.filename() == "LMLO.dcm"; }),
              files.end());
  ASSERT_EQ(files.size(), 3u);
  KnownModel model;
  auto out = run_imaging_app(exam_app(), files, model, run_context());
  ASSERT_TRUE(out.is_ok()) << out.status().to_string();
  const json& exam = out->result.exam;
  EXPECT_FALSE(exam["complete"].get<bool>());
  EXPECT_EQ(exam["missing_views"], json({"LMLO"}));
  EXPECT_EQ(exam["breasts"][1]["missing_views"], json({"LMLO"}));
  EXPECT_EQ(out->result.findings.size(), 3u);
}

TEST(MammoExamApp, RefusesASeriesWithoutMammographyViews) {
  testing::TempDir dir;
  synth::StudyOptions o;
  o.small = true;
  o.threads = 1;
  auto gt = synth::write_study("chest-ct", 3, 1, o, dir.path() / "ct");
  ASSERT_TRUE(gt.is_ok());
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir.path() / "ct" / "ct")) files.push_back(e.path());
  files.resize(std::min<std::size_t>(files.size(), 3));
  KnownModel model;
  auto out = run_imaging_app(exam_app(), files, model, run_context());
  ASSERT_FALSE(out.is_ok());
  EXPECT_EQ(out.status().code(), ErrorCode::unprocessable);
  EXPECT_EQ(out.status().detail()["reason"], "no_mammography_views");
}

}  // namespace
}  // namespace medai::apps
