// Nodule measurement, type and the baseline on generated chest CT (in memory,
// reduced-size acquisitions like the evaluation sets): measured at the
// ground-truth centres, the longest axial diameter and the type must agree
// with the generator's exact ground truth.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "apps/lung/lung_baseline.h"
#include "apps/lung/lung_mask.h"
#include "apps/lung/nodule_measure.h"
#include "synth/chest_ct.h"

namespace medai::apps::lung {
namespace {

imaging::Volume<float> to_float(const imaging::Volume<std::int16_t>& v) {
  imaging::Volume<float> out = v.like<float>();
  for (std::size_t i = 0; i < v.data.size(); ++i) out.data[i] = v.data[i];
  return out;
}

NoduleType type_of(synth::NoduleType t) {
  return t == synth::NoduleType::solid ? NoduleType::solid
         : t == synth::NoduleType::part_solid ? NoduleType::part_solid
                                               : NoduleType::ground_glass;
}

struct Scan {
  synth::ChestCtStudy study;
  imaging::Volume<float> hu;
};

const std::vector<Scan>& scans() {
  static const std::vector<Scan> all = [] {
    std::vector<Scan> out;
    for (std::uint64_t seed : {101, 102, 103, 104, 105, 106}) {
      synth::ChestCtOptions o;
      o.matrix = 256;
      o.min_nodules = 3;
      Scan s;
      s.study = synth::generate_chest_ct(seed, o);
      s.hu = to_float(s.study.hu);
      out.push_back(std::move(s));
    }
    return out;
  }();
  return all;
}

TEST(NoduleMeasure, DiameterAndTypeAgreeWithGroundTruth) {
  std::vector<double> errors;
  int correct = 0, total = 0;
  for (const Scan& s : scans()) {
    const LungMask lungs = compute_lung_mask(s.hu);
    for (const auto& n : s.study.nodules) {
      const NoduleMeasurement m = measure_nodule(s.hu, n.centroid, &lungs);
      ++total;
      if (!m.found) {
        errors.push_back(n.max_axial_diameter_mm);
        continue;
      }
      errors.push_back(std::fabs(m.long_axis_mm - n.max_axial_diameter_mm));
      correct += m.type == type_of(n.type);
      std::printf("  %-12s %-10s %-13s gt %5.1f mm  measured %5.1f x %4.1f mm  solid %.2f core %.1f  %s\n",
                  synth::to_string(n.type).c_str(), synth::to_string(n.margin).c_str(),
                  synth::to_string(n.location).c_str(), n.max_axial_diameter_mm, m.long_axis_mm, m.short_axis_mm,
                  m.solid_fraction, m.solid_long_axis_mm, to_string(m.type).c_str());
    }
  }
  ASSERT_GE(total, 18);
  std::sort(errors.begin(), errors.end());
  const double median = errors[errors.size() / 2];
  std::printf("median |diameter error| %.2f mm, type accuracy %d/%d\n", median, correct, total);
  EXPECT_LE(median, 1.5);
  EXPECT_GE(static_cast<double>(correct) / total, 0.8);
}

TEST(LungMask, CoversTheLungsAndIsolatedNodules) {
  for (const Scan& s : scans()) {
    const LungMask lungs = compute_lung_mask(s.hu);
    const double litres = lungs.voxels * s.hu.spacing[0] * s.hu.spacing[1] * s.hu.spacing[2] * 1e-6;
    EXPECT_GT(litres, 2.0);
    EXPECT_LT(litres, 12.0);
    for (const auto& n : s.study.nodules) {
      if (n.location != synth::NoduleLocation::isolated) continue;
      const auto& c = n.centroid_voxel;
      EXPECT_TRUE(lungs.mask.at(c[0], c[1], c[2])) << "isolated nodule " << n.id << " outside the lung mask";
    }
  }
}

TEST(Baseline, FindsIsolatedSolidNodulesAmongVesselCandidates) {
  int found = 0, eligible = 0;
  for (const Scan& s : scans()) {
    const LungMask lungs = compute_lung_mask(s.hu);
    const auto candidates = baseline_candidates(s.hu, lungs);
    EXPECT_LE(candidates.size(), 50u);
    for (const auto& n : s.study.nodules) {
      if (n.location != synth::NoduleLocation::isolated || n.type != synth::NoduleType::solid ||
          n.max_axial_diameter_mm < 6)
        continue;
      ++eligible;
      const double r = n.max_axial_diameter_mm / 2;
      for (const auto& c : candidates) {
        if ((c.centre - n.centroid).norm2() < r * r) {
          ++found;
          break;
        }
      }
    }
  }
  std::printf("baseline: %d of %d isolated solid nodules >= 6 mm among its candidates\n", found, eligible);
  ASSERT_GT(eligible, 0);
  EXPECT_GE(static_cast<double>(found) / eligible, 0.7);
}

}  // namespace
}  // namespace medai::apps::lung
