// RTSTRUCT writer and reader: the RT phantom's structures go mask ->
// RTSTRUCT -> mask with Dice >= 0.98 (measured: printed), contours are
// simple closed polygons on their slices, the object passes dciodvfy and
// reads in pydicom, pydicom's own rtstruct.dcm is read, bad input is refused.
#include <gtest/gtest.h>

#include <cstdio>

#include "annotations/polygon_fill.h"
#include "annotations/rtstruct_reader.h"
#include "annotations/rtstruct_writer.h"
#include "fixture.h"

namespace medai::annotations {
namespace {
using testing::inputs;

std::vector<RoiSpec> phantom_rois() {
  std::vector<RoiSpec> out;
  for (const synth::RtStructure& r : inputs().rois) {
    RoiSpec s;
    s.bits = r.bit;
    s.name = r.name;
    s.interpreted_type = r.interpreted_type;
    s.rgb = r.rgb;
    out.push_back(s);
  }
  return out;
}

RtStructWritten write_phantom() {
  const auto& c = inputs().rt;
  auto rs = write_rtstruct(c.labels, phantom_rois(), c.source, testing::test_producer(),
                           testing::test_output("rtstruct", "Auto-contours (RTSTRUCT)"));
  EXPECT_TRUE(rs.is_ok()) << rs.status().to_string();
  return rs.is_ok() ? rs.value() : RtStructWritten{};
}

// Proper intersection of segments ab and cd (shared end points excluded).
bool segments_cross(imaging::Point2 a, imaging::Point2 b, imaging::Point2 c, imaging::Point2 d) {
  auto orient = [](imaging::Point2 p, imaging::Point2 q, imaging::Point2 r) {
    const double v = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
    return (v > 1e-9) - (v < -1e-9);
  };
  const int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

TEST(RtStruct, MaskToRtstructToMaskDiceOnThePhantom) {
  const auto& c = inputs().rt;
  const RtStructWritten rs = write_phantom();
  auto parsed = parse_rtstruct(rs.object.bytes);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  const auto rois = phantom_rois();
  ASSERT_EQ(parsed.value().rois.size(), rois.size());
  auto masks = rasterise_rtstruct(parsed.value(), c.source);
  ASSERT_TRUE(masks.is_ok()) << masks.status().to_string();
  for (std::size_t r = 0; r < rois.size(); ++r) {
    const RtRoi& roi = parsed.value().rois[r];
    EXPECT_EQ(roi.name, rois[r].name);
    EXPECT_EQ(roi.interpreted_type, rois[r].interpreted_type);
    EXPECT_EQ(roi.rgb, rois[r].rgb);
    EXPECT_EQ(static_cast<int>(roi.contours.size()), rs.contours_per_roi[r]);
    std::size_t a = 0, b = 0, both = 0;
    for (std::size_t i = 0; i < c.labels.data.size(); ++i) {
      const bool want = (c.labels.data[i] & rois[r].bits) != 0;
      const bool got = masks.value().masks[r].data[i] != 0;
      a += want;
      b += got;
      both += want && got;
    }
    ASSERT_GT(a, 0u) << roi.name;
    const double dice = 2.0 * static_cast<double>(both) / static_cast<double>(a + b);
    std::printf("[ measured ] RTSTRUCT round trip %-10s voxels %7zu contours %4d Dice %.6f\n",
                roi.name.c_str(), a, rs.contours_per_roi[r], dice);
    EXPECT_GE(dice, 0.98) << roi.name;
  }
}

TEST(RtStruct, ContoursAreSimpleClosedAndOnTheirSlice) {
  const auto& c = inputs().rt;
  auto parsed = parse_rtstruct(write_phantom().object.bytes);
  ASSERT_TRUE(parsed.is_ok());
  std::size_t checked = 0;
  for (const RtRoi& roi : parsed.value().rois) {
    for (const RtContour& contour : roi.contours) {
      ASSERT_EQ(contour.geometric_type, "CLOSED_PLANAR");
      ASSERT_GE(contour.points.size(), 3u);
      // References a slice of the series, at that slice's z.
      int k = -1;
      for (int s = 0; s < c.source.nz(); ++s)
        if (c.source.slices[static_cast<std::size_t>(s)].sop_instance_uid ==
            contour.referenced_sop_instance_uid)
          k = s;
      ASSERT_GE(k, 0) << roi.name;
      std::vector<imaging::Point2> p;
      for (const auto& q : contour.points) {
        ASSERT_NEAR(q.z, c.source.slices[static_cast<std::size_t>(k)].position.z, 1e-3);
        p.push_back({q.x, q.y});
      }
      // Closed implicitly: the last point is not a copy of the first.
      EXPECT_FALSE(p.front().x == p.back().x && p.front().y == p.back().y);
      const std::size_t n = p.size();
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 2; j < n; ++j) {
          if (i == 0 && j == n - 1) continue;  // adjacent through the closing edge
          ASSERT_FALSE(segments_cross(p[i], p[(i + 1) % n], p[j], p[(j + 1) % n]))
              << roi.name << " contour self-intersects";
        }
      ++checked;
    }
  }
  EXPECT_GT(checked, 100u);
}

TEST(RtStruct, PassesDciodvfyAndReadsInPydicom) {
  const RtStructWritten rs = write_phantom();
  medai::testing::TempDir dir;
  const auto path = dir / "rtstruct.dcm";
  ASSERT_TRUE(save_object(rs.object, path).is_ok());
  std::string all;
  const auto errors = testing::dciodvfy_errors(path, &all);
  EXPECT_TRUE(errors.empty()) << all;
  EXPECT_NE(all.find("RTStructureSet"), std::string::npos) << all;
  const auto& src = inputs().rt.source;
  const std::string script = R"(
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
assert ds.Modality == "RTSTRUCT"
names = [r.ROIName for r in ds.StructureSetROISequence]
assert names == ["External", "Lung_L", "Lung_R", "SpinalCord", "Heart", "GTV"], names
rf = ds.ReferencedFrameOfReferenceSequence[0]
assert rf.FrameOfReferenceUID == ")" +
                             src.frame_of_reference_uid + R"("
se = rf.RTReferencedStudySequence[0].RTReferencedSeriesSequence[0]
assert se.SeriesInstanceUID == ")" +
                             src.series_instance_uid + R"("
assert len(se.ContourImageSequence) == )" +
                             std::to_string(src.nz()) + R"(
assert ds.SeriesDescription.startswith("RESEARCH USE ONLY")
assert "sha256:" + "a" * 64 in ds.ContributingEquipmentSequence[0].ContributionDescription
n = sum(len(rc.ContourSequence) for rc in ds.ROIContourSequence)
print("OK", n)
)";
  const auto py = testing::run_pydicom(script, path);
  EXPECT_EQ(py.exit_code, 0) << py.output;
  int total = 0;
  for (int n : rs.contours_per_roi) total += n;
  EXPECT_NE(py.output.find("OK " + std::to_string(total)), std::string::npos) << py.output;
}

TEST(RtStruct, ReadsPydicomsRtstructFile) {
  auto bytes = read_file_bytes("/usr/lib/python3/dist-packages/pydicom/data/test_files/rtstruct.dcm");
  ASSERT_TRUE(bytes.is_ok());
  auto parsed = parse_rtstruct(bytes.value());
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  const auto& rois = parsed.value().rois;
  ASSERT_EQ(rois.size(), 3u);
  EXPECT_EQ(rois[0].name, "patient");
  EXPECT_EQ(rois[1].name, "Isocenter 1");
  EXPECT_EQ(rois[2].name, "Isocenter 2");
  EXPECT_EQ(rois[0].interpreted_type, "EXTERNAL");
  EXPECT_EQ(rois[1].interpreted_type, "ISOCENTER");
  EXPECT_EQ(rois[0].rgb, (std::array<int, 3>{220, 160, 120}));
  EXPECT_EQ(rois[0].contours.size(), 3u);
  // Its CT is not shipped: rasterise onto a grid on the same frame of
  // reference that covers the contours (z = -200, -190, -180).
  SourceSeries grid;
  grid.frame_of_reference_uid = rois[0].frame_of_reference_uid;
  grid.nx = grid.ny = 251;
  grid.spacing = {2, 2, 10};
  grid.origin = {-250, -250, -200};
  for (int k = 0; k < 3; ++k)
    grid.slices.push_back({"1.2.3." + std::to_string(k + 1), {-250, -250, -200.0 + 10 * k}});
  auto masks = rasterise_rtstruct(parsed.value(), grid);
  ASSERT_TRUE(masks.is_ok()) << masks.status().to_string();
  EXPECT_EQ(masks.value().contours_filled, 3u);
  EXPECT_EQ(masks.value().contours_not_closed, 2u);  // the two isocentre POINTs
  std::size_t patient = 0;
  for (std::uint8_t v : masks.value().masks[0].data) patient += v;
  EXPECT_GT(patient, 1000u);
}

TEST(RtStruct, RefusesBadInputAndOtherGeometry) {
  const std::string bytes = write_phantom().object.bytes;
  for (std::size_t cut = 300; cut < bytes.size(); cut += bytes.size() / 29) {
    auto r = parse_rtstruct(bytes.substr(0, cut));
    if (r.is_ok()) (void)rasterise_rtstruct(r.value(), inputs().rt.source);  // must not crash either way
  }
  EXPECT_EQ(parse_rtstruct("garbage").status().code(), ErrorCode::invalid_dicom);
  auto ct = read_file_bytes(inputs().rt.files.front());
  ASSERT_TRUE(ct.is_ok());
  EXPECT_EQ(parse_rtstruct(ct.value()).status().code(), ErrorCode::unsupported_sop_class);

  auto parsed = parse_rtstruct(bytes);
  ASSERT_TRUE(parsed.is_ok());
  SourceSeries shifted = inputs().rt.source;
  for (auto& s : shifted.slices) {
    s.sop_instance_uid += ".9";
    s.position.z += 500;
  }
  shifted.origin[2] += 500;
  EXPECT_EQ(rasterise_rtstruct(parsed.value(), shifted).status().code(), ErrorCode::geometry_mismatch);
  SourceSeries other_for = inputs().rt.source;
  other_for.frame_of_reference_uid = "1.2.3";
  EXPECT_EQ(rasterise_rtstruct(parsed.value(), other_for).status().code(), ErrorCode::geometry_mismatch);
}

TEST(PolygonFill, MatchesInsideEvenOddExactly) {
  const int nx = 23, ny = 19;
  std::vector<std::uint8_t> m(static_cast<std::size_t>(nx * ny), 0);
  for (int j = 2; j < 16; ++j)
    for (int i = 3; i < 20; ++i)
      m[static_cast<std::size_t>(j * nx + i)] = ((i - 11) * (i - 11) + (j - 9) * (j - 9) > 9);
  m[static_cast<std::size_t>(17 * nx + 1)] = 1;
  const auto loops = imaging::trace_contours(m.data(), nx, ny);
  std::vector<std::uint8_t> filled(m.size(), 0);
  fill_even_odd(loops, nx, ny, filled.data());
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i) {
      EXPECT_EQ(filled[static_cast<std::size_t>(j * nx + i)] != 0, imaging::inside_even_odd(loops, i, j));
      EXPECT_EQ(filled[static_cast<std::size_t>(j * nx + i)], m[static_cast<std::size_t>(j * nx + i)]);
    }
}

}  // namespace
}  // namespace medai::annotations
