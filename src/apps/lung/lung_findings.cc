#include "apps/lung/lung_findings.h"

#include <algorithm>
#include <cmath>

#include "apps/lung/malignancy.h"

namespace medai::apps::lung {
namespace {

double r2(double v) { return std::round(v * 100.0) / 100.0; }
nlohmann::json vec(const imaging::Vec3& v) { return {r2(v.x), r2(v.y), r2(v.z)}; }

}  // namespace

LungFindings build_lung_findings(const imaging::Volume<float>& hu, const std::vector<Candidate>& candidates,
                                 const PatientInfo& patient, const LungFindingOptions& options) {
  return build_lung_findings(hu, compute_lung_mask(hu), candidates, patient, options);
}

LungFindings build_lung_findings(const imaging::Volume<float>& hu, const LungMask& lungs,
                                 const std::vector<Candidate>& candidates, const PatientInfo& patient,
                                 const LungFindingOptions& options) {
  LungFindings out;
  out.lung_volume_ml = lungs.voxels * hu.spacing[0] * hu.spacing[1] * hu.spacing[2] / 1000.0;
  std::vector<Candidate> sorted = candidates;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.score > b.score; });
  for (const Candidate& c : sorted) {
    if (c.score < options.min_score || static_cast<int>(out.nodules.size()) >= options.max_nodules) break;
    ++out.candidates_considered;
    NoduleMeasurement m = measure_nodule(hu, c.centre, &lungs);
    if (!m.found) continue;
    if (options.max_diameter_mm > 0 && m.long_axis_mm > options.max_diameter_mm) {
      ++out.over_max_diameter;
      continue;
    }
    bool duplicate = false;
    for (const auto& n : out.nodules) {
      const double r = std::max(2.0, n.measurement.long_axis_mm / 2);
      if ((n.measurement.centre - m.centre).norm2() < r * r || (n.measurement.centre - c.centre).norm2() < r * r)
        duplicate = true;
    }
    if (duplicate) continue;
    LungNodule n;
    n.score = c.score;
    n.measurement = std::move(m);
    out.nodules.push_back(std::move(n));
  }
  const int count = static_cast<int>(out.nodules.size());
  std::vector<LungRadsNodule> rads;
  for (int i = 0; i < count; ++i) {
    LungNodule& n = out.nodules[static_cast<std::size_t>(i)];
    n.number = i + 1;
    const auto& m = n.measurement;
    n.mean_diameter_mm = lung_rads_mean_diameter(m.long_axis_mm, m.short_axis_mm);
    n.solid_mean_diameter_mm = lung_rads_mean_diameter(m.solid_long_axis_mm, m.solid_short_axis_mm);
    n.lung_rads = lung_rads_category({m.type, n.mean_diameter_mm, n.solid_mean_diameter_mm});
    rads.push_back({m.type, n.mean_diameter_mm, n.solid_mean_diameter_mm});
    n.upper_zone = lungs.upper_zone(m.centre.z);
    BrockInputs b;
    b.age_years = patient.age_years;
    b.female = patient.female;
    b.diameter_mm = m.long_axis_mm;
    b.type = m.type;
    b.upper_lobe = n.upper_zone;
    b.nodule_count = count;
    n.malignancy = brock_probability(b);
  }
  out.exam_category = lung_rads_exam_category(rads);
  return out;
}

std::vector<Candidate> candidates_near_lungs(const imaging::Volume<float>& hu, const LungMask& lungs,
                                             const std::vector<Candidate>& candidates, double margin_mm) {
  std::vector<Candidate> out;
  if (lungs.empty() || !lungs.mask.same_grid(hu)) return out;
  const int rx = static_cast<int>(std::ceil(margin_mm / hu.spacing[0]));
  const int ry = static_cast<int>(std::ceil(margin_mm / hu.spacing[1]));
  for (const Candidate& c : candidates) {
    const imaging::Vec3 v = hu.voxel(c.centre);
    const int ci = static_cast<int>(std::lround(v.x)), cj = static_cast<int>(std::lround(v.y)),
              ck = static_cast<int>(std::lround(v.z));
    if (ci < 0 || cj < 0 || ck < 0 || ci >= hu.nx || cj >= hu.ny || ck >= hu.nz) continue;
    bool near = false;
    for (int k = std::max(0, ck - 1); k <= std::min(hu.nz - 1, ck + 1) && !near; ++k)
      for (int j = std::max(0, cj - ry); j <= std::min(hu.ny - 1, cj + ry) && !near; ++j)
        for (int i = std::max(0, ci - rx); i <= std::min(hu.nx - 1, ci + rx); ++i) {
          const double dx = (i - ci) * hu.spacing[0], dy = (j - cj) * hu.spacing[1];
          if (dx * dx + dy * dy <= margin_mm * margin_mm && lungs.mask.at(i, j, k)) {
            near = true;
            break;
          }
        }
    if (near) out.push_back(c);
  }
  return out;
}

nlohmann::json to_json(const LungNodule& n) {
  const auto& m = n.measurement;
  return {{"number", n.number},
          {"score", std::round(n.score * 10000) / 10000},
          {"centre_mm", vec(m.centre)},
          {"centre_voxel", m.centre_voxel},
          {"slice_index", m.centre_voxel[2]},
          {"long_axis_mm", r2(m.long_axis_mm)},
          {"short_axis_mm", r2(m.short_axis_mm)},
          {"axes_slice_index", m.axis_slice},
          {"mean_diameter_mm", n.mean_diameter_mm},
          {"volume_mm3", std::round(m.volume_mm3 * 10) / 10},
          {"mean_hu", std::round(m.mean_hu)},
          {"type", to_string(m.type)},
          {"solid_fraction", r2(m.solid_fraction)},
          {"solid_component_mean_diameter_mm", n.solid_mean_diameter_mm},
          {"lung_rads", to_string(n.lung_rads)},
          {"upper_zone", n.upper_zone},
          {"malignancy", {{"score", std::round(n.malignancy * 10000) / 10000},
                          {"model", "Brock (PanCan) full model, McWilliams et al. NEJM 2013; "
                                    "spiculation, family history and emphysema taken as absent"}}}};
}

nlohmann::json exam_json(const LungFindings& f) {
  return {{"lung_rads", {{"category", to_string(f.exam_category)},
                         {"version", "v2022"},
                         {"management", management_of(f.exam_category)},
                         {"basis", "baseline screening rules on size and type only; 4X, S and C modifiers, "
                                   "calcification and follow-up rules need a radiologist"}}},
          {"nodule_count", f.nodules.size()},
          {"over_max_diameter", f.over_max_diameter},
          {"lung_volume_ml", std::round(f.lung_volume_ml)}};
}

}  // namespace medai::apps::lung
