// SEG writer and reader: mask -> SEG -> mask is exact, the SEG passes
// dciodvfy and reads in pydicom with the provenance, and broken or
// mismatched SEGs are refused with stable codes.
#include <gtest/gtest.h>

#include <set>

#include "annotations/seg_reader.h"
#include "annotations/seg_writer.h"
#include "fixture.h"

namespace medai::annotations {
namespace {
using testing::inputs;

std::vector<SegmentSpec> nodule_segments(const imaging::Volume<std::uint8_t>& labels) {
  std::set<int> ids;
  for (std::uint8_t v : labels.data)
    if (v) ids.insert(v);
  std::vector<SegmentSpec> out;
  for (int id : ids) {
    SegmentSpec s;
    s.label = static_cast<std::uint8_t>(id);
    s.name = "Nodule " + std::to_string(id);
    s.tracking_id = "finding-" + std::to_string(id);
    s.rgb = {230, 40, 40};
    out.push_back(s);
  }
  return out;
}

DicomObject write_chest_seg() {
  const auto& c = inputs().chest;
  auto seg = write_seg(c.labels, nodule_segments(c.labels), c.source, testing::test_producer(),
                       testing::test_output("seg", "Lung nodules (SEG)"));
  EXPECT_TRUE(seg.is_ok()) << seg.status().to_string();
  return seg.is_ok() ? seg.value() : DicomObject{};
}

TEST(Seg, MaskToSegToMaskIsIdentical) {
  const auto& c = inputs().chest;
  const auto segments = nodule_segments(c.labels);
  ASSERT_GE(segments.size(), 2u);
  const DicomObject seg = write_chest_seg();
  auto read = read_seg(seg.bytes, c.source);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  const SegLabels& labels = read.value();
  ASSERT_EQ(labels.segments.size(), segments.size());
  EXPECT_EQ(labels.sop_instance_uid, seg.sop_instance_uid);
  EXPECT_GT(labels.frames_by_uid, 0u);
  EXPECT_EQ(labels.frames_by_position, 0u);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    EXPECT_EQ(labels.segments[s].number, static_cast<int>(s + 1));
    EXPECT_EQ(labels.segments[s].label, segments[s].name);
    EXPECT_EQ(labels.segments[s].type, codes::kNodule);
    EXPECT_EQ(labels.segments[s].category, codes::kMorphAbnormal);
    EXPECT_EQ(labels.segments[s].algorithm_type, "AUTOMATIC");
    EXPECT_EQ(labels.segments[s].algorithm_name, "lung-nodule-screening");
    EXPECT_EQ(labels.segments[s].tracking_id, segments[s].tracking_id);
    EXPECT_FALSE(labels.segments[s].tracking_uid.empty());
    EXPECT_NEAR(labels.segments[s].rgb[0], 230, 3);
    std::size_t differ = 0, voxels = 0;
    for (std::size_t i = 0; i < c.labels.data.size(); ++i) {
      const bool want = c.labels.data[i] == segments[s].label;
      voxels += want;
      differ += want != (labels.masks[s].data[i] != 0);
    }
    EXPECT_GT(voxels, 0u);
    EXPECT_EQ(differ, 0u) << "segment " << s + 1;
  }
}

TEST(Seg, PassesDciodvfyAndCarriesProvenance) {
  const DicomObject seg = write_chest_seg();
  medai::testing::TempDir dir;
  const auto path = dir / "seg.dcm";
  ASSERT_TRUE(save_object(seg, path).is_ok());
  std::string all;
  const auto errors = testing::dciodvfy_errors(path, &all);
  EXPECT_TRUE(errors.empty()) << all;
  EXPECT_NE(all.find("Segmentation"), std::string::npos) << all;
  const auto& src = inputs().chest.source;
  const std::string script = R"(
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
assert ds.Modality == "SEG" and ds.SegmentationType == "BINARY"
assert ds.StudyInstanceUID == ")" +
                             src.study_instance_uid + R"("
assert ds.FrameOfReferenceUID == ")" +
                             src.frame_of_reference_uid + R"("
assert ds.SeriesDescription.startswith("RESEARCH USE ONLY"), ds.SeriesDescription
assert ds.ManufacturerModelName == "lung-nodule-screening"
assert "1.2.0" in list(ds.SoftwareVersions)
ce = ds.ContributingEquipmentSequence[0]
assert "sha256:" + "a" * 64 in ce.ContributionDescription
assert "sha256:" + "b" * 64 in ce.ContributionDescription
refs = {i.ReferencedSOPInstanceUID for s in ds.ReferencedSeriesSequence for i in s.ReferencedInstanceSequence}
assert ds.ReferencedSeriesSequence[0].SeriesInstanceUID == ")" +
                             src.series_instance_uid + R"("
frames = ds.pixel_array.reshape(int(ds.NumberOfFrames), ds.Rows, ds.Columns)
for f, pf in zip(frames, ds.PerFrameFunctionalGroupsSequence):
    assert f.any(), "empty frame written"
    assert pf.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID in refs
print("OK", int(frames.sum()))
)";
  const auto py = testing::run_pydicom(script, path);
  EXPECT_EQ(py.exit_code, 0) << py.output;
  std::size_t voxels = 0;
  for (std::uint8_t v : inputs().chest.labels.data) voxels += v != 0;
  EXPECT_NE(py.output.find("OK " + std::to_string(voxels)), std::string::npos) << py.output;
}

TEST(Seg, SameJobSameBytesOtherJobOtherUids) {
  const DicomObject a = write_chest_seg();
  const DicomObject b = write_chest_seg();
  EXPECT_EQ(a.bytes, b.bytes);
  const auto& c = inputs().chest;
  OutputSeries other = testing::test_output("seg", "x");
  UidDeriver d;
  d.uid_key = "test-seed";
  const OutputSeries rerun = d.output_series("job-43", testing::test_producer().input_digest, "seg");
  EXPECT_NE(rerun.sop_instance_uid, other.sop_instance_uid);
  EXPECT_NE(rerun.series_instance_uid, other.series_instance_uid);
  (void)c;
}

TEST(Seg, ReaderMatchesFramesByPositionWhenUidsAreUnknown) {
  // The same geometry under other instance UIDs (e.g. a re-exported series).
  SourceSeries renamed = inputs().chest.source;
  for (auto& s : renamed.slices) s.sop_instance_uid += ".9";
  auto read = read_seg(write_chest_seg().bytes, renamed);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  EXPECT_EQ(read.value().frames_by_uid, 0u);
  EXPECT_GT(read.value().frames_by_position, 0u);
  std::size_t voxels = 0;
  for (const auto& m : read.value().masks)
    for (std::uint8_t v : m.data) voxels += v;
  std::size_t want = 0;
  for (std::uint8_t v : inputs().chest.labels.data) want += v != 0;
  EXPECT_EQ(voxels, want);
}

TEST(Seg, RefusesAMismatchedGeometry) {
  const std::string bytes = write_chest_seg().bytes;
  SourceSeries shifted = inputs().chest.source;
  for (auto& s : shifted.slices) {
    s.sop_instance_uid += ".9";
    s.position.z += 100;  // same size, other place: no frame matches
  }
  shifted.origin[2] += 100;
  auto r = read_seg(bytes, shifted);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::geometry_mismatch);

  SourceSeries smaller = inputs().chest.source;
  smaller.nx -= 1;
  r = read_seg(bytes, smaller);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::geometry_mismatch);

  SourceSeries other_for = inputs().chest.source;
  other_for.frame_of_reference_uid = "1.2.3";
  r = read_seg(bytes, other_for);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), ErrorCode::geometry_mismatch);
}

TEST(Seg, RefusesBrokenInputWithoutCrashing) {
  const auto& src = inputs().chest.source;
  const std::string bytes = write_chest_seg().bytes;
  EXPECT_EQ(read_seg("", src).status().code(), ErrorCode::invalid_dicom);
  EXPECT_EQ(read_seg("not dicom at all", src).status().code(), ErrorCode::invalid_dicom);
  // Truncations at many points: never a crash, always an error code.
  for (std::size_t cut = 200; cut < bytes.size(); cut += bytes.size() / 37) {
    auto r = read_seg(bytes.substr(0, cut), src);
    EXPECT_FALSE(r.is_ok()) << "cut at " << cut;
  }
  // A CT slice is not a SEG.
  auto ct = read_file_bytes(inputs().chest.files.front());
  ASSERT_TRUE(ct.is_ok());
  EXPECT_EQ(read_seg(ct.value(), src).status().code(), ErrorCode::unsupported_sop_class);
}

TEST(Seg, WriterRefusesWrongGridAndEmptyMasks) {
  const auto& c = inputs().chest;
  imaging::Volume<std::uint8_t> wrong(c.labels.nx, c.labels.ny, c.labels.nz - 1, 0);
  wrong.spacing = c.labels.spacing;
  wrong.origin = c.labels.origin;
  auto r = write_seg(wrong, nodule_segments(c.labels), c.source, testing::test_producer(),
                     testing::test_output("seg", "x"));
  EXPECT_EQ(r.status().code(), ErrorCode::geometry_mismatch);
  const auto empty = c.source.empty_mask();
  r = write_seg(empty, {SegmentSpec{}}, c.source, testing::test_producer(), testing::test_output("seg", "x"));
  EXPECT_EQ(r.status().code(), ErrorCode::unprocessable);
}

}  // namespace
}  // namespace medai::annotations
