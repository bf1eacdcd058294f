// SR TID 1500: a measurement report with one group per finding passes
// dciodvfy, reads in pydicom with the measured values, tracking ids, image
// library and the research-use note, and is byte-identical on a re-run.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <set>

#include "annotations/sr_tid1500_writer.h"
#include "fixture.h"

namespace medai::annotations {
namespace {
using testing::inputs;

const Code kNoduleType{"MEDAI0001", "99MEDAI", "Nodule type"};
const Code kLungRads{"MEDAI0002", "99MEDAI", "Lung-RADS v2022 category"};

std::vector<SrFinding> nodule_findings() {
  const auto& c = inputs().chest;
  std::vector<SrFinding> out;
  std::set<int> ids;
  for (std::uint8_t v : c.labels.data)
    if (v) ids.insert(v);
  for (int id : ids) {
    SrFinding f;
    f.tracking_id = "nodule-" + std::to_string(id);
    f.measurements = {{codes::kLongAxis, 10.0 + id + 0.25, codes::kMillimetre},
                      {codes::kShortAxis, 5.0 + id + 0.5, codes::kMillimetre},
                      {codes::kVolume, 100.0 * id + 0.125, codes::kCubicMillimetre}};
    f.evaluations = {{kNoduleType, {}, id % 2 ? "solid" : "part-solid"}};
    for (int k = 0; k < c.labels.nz; ++k) {
      const std::uint8_t* s = c.labels.slice(k);
      for (int i = 0; i < c.labels.nx * c.labels.ny; ++i)
        if (s[i] == id) {
          f.source_slices.push_back(k);
          break;
        }
    }
    out.push_back(f);
  }
  return out;
}

// Python's repr of a float (shortest round-trip form) for the values used here.
std::string detail_repr(double v) {
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find('.') == std::string::npos && s.find('e') == std::string::npos) s += ".0";
  return s;
}

DicomObject write_report() {
  SrOptions o;
  o.procedure_reported = {"169069000", "SCT", "CT of chest"};
  o.report_evaluations = {{kLungRads, {}, "4A"}};
  auto sr = write_sr_tid1500(nodule_findings(), inputs().chest.source, testing::test_producer(),
                             testing::test_output("sr", "Lung nodule report (SR)"), o);
  EXPECT_TRUE(sr.is_ok()) << sr.status().to_string();
  return sr.is_ok() ? sr.value() : DicomObject{};
}

TEST(SrTid1500, PassesDciodvfyAndPydicomFindsTheMeasurements) {
  const DicomObject sr = write_report();
  medai::testing::TempDir dir;
  const auto path = dir / "sr.dcm";
  ASSERT_TRUE(save_object(sr, path).is_ok());
  std::string all;
  const auto errors = testing::dciodvfy_errors(path, &all);
  EXPECT_TRUE(errors.empty()) << all;
  EXPECT_NE(all.find("SR"), std::string::npos) << all;
  const auto findings = nodule_findings();
  const std::string script = R"(
import sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
assert ds.Modality == "SR"
assert ds.ConceptNameCodeSequence[0].CodeValue == "126000"
assert ds.StudyInstanceUID == ")" +
                             inputs().chest.source.study_instance_uid + R"("
assert ds.SeriesDescription.startswith("RESEARCH USE ONLY")
nums, texts, groups, images = [], [], 0, set()
def walk(items, tracking):
    global groups
    for it in items:
        name = it.ConceptNameCodeSequence[0].CodeValue if "ConceptNameCodeSequence" in it else ""
        if it.ValueType == "TEXT" and name == "112039":
            tracking = it.TextValue
    for it in items:
        name = it.ConceptNameCodeSequence[0].CodeValue if "ConceptNameCodeSequence" in it else ""
        if it.ValueType == "NUM":
            mv = it.MeasuredValueSequence[0]
            nums.append((tracking, name, float(mv.NumericValue), mv.MeasurementUnitsCodeSequence[0].CodeValue))
        elif it.ValueType == "TEXT":
            texts.append(it.TextValue)
        elif it.ValueType == "IMAGE":
            images.add(it.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
        if it.ValueType == "CONTAINER" and name == "125007":
            groups += 1
        if "ContentSequence" in it:
            walk(it.ContentSequence, tracking)
walk(ds.ContentSequence, "")
for t, n, v, u in nums:
    print("NUM", t, n, repr(v), u)
print("GROUPS", groups)
print("IMAGES", len(images))
assert any(t.startswith("RESEARCH USE ONLY") for t in texts), texts
assert "4A" in texts and "solid" in texts
ev = {i.ReferencedSOPInstanceUID for s in ds.CurrentRequestedProcedureEvidenceSequence for r in s.ReferencedSeriesSequence for i in r.ReferencedSOPSequence}
assert images <= ev, "an image reference is missing from the evidence"
print("OK")
)";
  const auto py = testing::run_pydicom(script, path);
  ASSERT_EQ(py.exit_code, 0) << py.output;
  EXPECT_NE(py.output.find("GROUPS " + std::to_string(findings.size())), std::string::npos) << py.output;
  for (const SrFinding& f : findings) {
    EXPECT_NE(
        py.output.find("NUM " + f.tracking_id + " 103339001 " + detail_repr(f.measurements[0].value) + " mm"),
        std::string::npos)
        << py.output;
    EXPECT_NE(
        py.output.find("NUM " + f.tracking_id + " 118565006 " + detail_repr(f.measurements[2].value) + " mm3"),
        std::string::npos)
        << py.output;
  }
}

TEST(SrTid1500, OwnReaderFindsTheMeasurementsAndRerunIsIdentical) {
  const DicomObject sr = write_report();
  EXPECT_EQ(sr.bytes, write_report().bytes);
  auto read = read_sr_measurements(sr.bytes);
  ASSERT_TRUE(read.is_ok()) << read.status().to_string();
  const auto findings = nodule_findings();
  ASSERT_EQ(read.value().size(), 3 * findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) {
    for (std::size_t m = 0; m < 3; ++m) {
      const SrMeasurementRead& r = read.value()[3 * i + m];
      EXPECT_EQ(r.tracking_id, findings[i].tracking_id);
      EXPECT_EQ(r.concept_value, findings[i].measurements[m].name.value);
      EXPECT_EQ(r.unit, findings[i].measurements[m].unit.value);
      EXPECT_DOUBLE_EQ(r.value, findings[i].measurements[m].value);
    }
  }
}

TEST(SrTid1500, EmptyReportIsValidAndBadInputIsRefused) {
  auto empty = write_sr_tid1500({}, inputs().chest.source, testing::test_producer(false),
                                testing::test_output("sr", "No findings"));
  ASSERT_TRUE(empty.is_ok()) << empty.status().to_string();
  medai::testing::TempDir dir;
  ASSERT_TRUE(save_object(empty.value(), dir / "empty.dcm").is_ok());
  std::string all;
  EXPECT_TRUE(testing::dciodvfy_errors(dir / "empty.dcm", &all).empty()) << all;

  SrFinding bad;
  bad.tracking_id = "x";
  bad.source_slices = {inputs().chest.source.nz()};
  EXPECT_EQ(write_sr_tid1500({bad}, inputs().chest.source, testing::test_producer(),
                             testing::test_output("sr", "x"))
                .status()
                .code(),
            ErrorCode::invalid_argument);
  EXPECT_EQ(read_sr_measurements("junk").status().code(), ErrorCode::invalid_dicom);
}

}  // namespace
}  // namespace medai::annotations
