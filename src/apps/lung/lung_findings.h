#pragma once
// The lung-nodule screening app's post-processing, shared by the app run
// (detection_results.cc) and the evaluator: from detector candidates (centre
// + score, e.g. heat-map peaks) on a chest CT to reported nodules with
// measurements, type, malignancy score and the exam's Lung-RADS category.
//   1. lung mask (compute_lung_mask), once;
//   2. candidates by descending score, at or above `min_score`: segmented and
//      measured on the CT (measure_nodule); a candidate whose measured centre
//      lies within an accepted nodule's long-axis radius is the same nodule;
//      one with no region, or longer than max_diameter_mm, is dropped;
//   3. per nodule: Lung-RADS v2022 category from the mean diameter and type,
//      Brock probability (malignancy.h) with age/sex from the header;
//   4. exam: the highest Lung-RADS category, 1 when nothing is reported.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/lung/lung_mask.h"
#include "apps/lung/lung_rads.h"
#include "apps/lung/nodule_measure.h"
#include "imaging/volume.h"

namespace medai::apps::lung {

struct Candidate {
  imaging::Vec3 centre;  // patient mm
  double score = 0;
};

struct PatientInfo {
  std::optional<int> age_years;
  std::optional<bool> female;
};

struct LungNodule {
  int number = 0;  // 1..n in report order (SEG segment number)
  double score = 0;
  NoduleMeasurement measurement;
  double mean_diameter_mm = 0;        // Lung-RADS mean diameter (0.1 mm)
  double solid_mean_diameter_mm = 0;  // of the solid component
  LungRads lung_rads = LungRads::c2;
  bool upper_zone = false;
  double malignancy = 0;  // Brock probability
};

struct LungFindings {
  std::vector<LungNodule> nodules;
  LungRads exam_category = LungRads::c1;
  double lung_volume_ml = 0;
  int candidates_considered = 0;
  int over_max_diameter = 0;  // measured regions longer than max_diameter_mm, not reported
};

struct LungFindingOptions {
  double min_score = 0.3;  // operating point on the detector's score
  int max_nodules = 20;
  // A measured region whose longest axial diameter exceeds this is not
  // reported as a nodule (0: no limit): > 30 mm is a mass, outside the
  // nodule range the app was trained and evaluated on (LUNA16 uses 3-30 mm),
  // and on the model's false positives it is mostly a vessel or chest-wall
  // region. Counted in the exam block (`over_max_diameter`).
  double max_diameter_mm = 0;
};

LungFindings build_lung_findings(const imaging::Volume<float>& hu, const std::vector<Candidate>& candidates,
                                 const PatientInfo& patient, const LungFindingOptions& options = {});
// The same with a lung mask computed already (evaluation shares it with the baseline).
LungFindings build_lung_findings(const imaging::Volume<float>& hu, const LungMask& lungs,
                                 const std::vector<Candidate>& candidates, const PatientInfo& patient,
                                 const LungFindingOptions& options = {});

// Candidates inside the lung mask or within `margin_mm` of it in-plane (one
// slice up or down too): nodule screening looks in the lungs; a juxta-pleural
// nodule lies just outside the filled mask. Order kept.
std::vector<Candidate> candidates_near_lungs(const imaging::Volume<float>& hu, const LungMask& lungs,
                                             const std::vector<Candidate>& candidates, double margin_mm = 8.0);

// JSON of one nodule / the exam block (what the app's JSON result carries).
nlohmann::json to_json(const LungNodule& n);
nlohmann::json exam_json(const LungFindings& f);

}  // namespace medai::apps::lung
