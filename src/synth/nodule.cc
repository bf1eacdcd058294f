#include "synth/nodule.h"

#include <algorithm>
#include <cmath>

namespace medai::synth {
namespace {

Vec3 random_unit(Rng& rng) {
  const double z = rng.uniform(-1, 1), a = rng.uniform(0, 6.283185307179586);
  const double r = std::sqrt(1 - z * z);
  return {r * std::cos(a), r * std::sin(a), z};
}

double surface_radius(const Nodule& n, const Vec3& d, double radius, double dist) {
  // d is the offset from the centre (not normalised), dist its length.
  if (dist < 1e-9) return radius;
  const Vec3 u = d * (1.0 / dist);
  double r = radius;
  for (const Lobule& l : n.lobules) {
    const double c = u.dot(l.dir);
    r += radius * l.amplitude * std::exp(-(1.0 - c) / l.width);
  }
  return r;
}

}  // namespace

std::string to_string(NoduleType t) {
  switch (t) {
    case NoduleType::solid: return "solid";
    case NoduleType::part_solid: return "part_solid";
    case NoduleType::ground_glass: return "ground_glass";
  }
  return "solid";
}
std::string to_string(NoduleMargin m) {
  switch (m) {
    case NoduleMargin::smooth: return "smooth";
    case NoduleMargin::lobulated: return "lobulated";
    case NoduleMargin::spiculated: return "spiculated";
  }
  return "smooth";
}
std::string to_string(NoduleLocation l) {
  switch (l) {
    case NoduleLocation::isolated: return "isolated";
    case NoduleLocation::juxta_pleural: return "juxta_pleural";
    case NoduleLocation::juxta_vascular: return "juxta_vascular";
  }
  return "isolated";
}

double Nodule::depth(const Vec3& p) const {
  const Vec3 d0 = p - centre;
  const Vec3 d{d0.x / stretch[0], d0.y / stretch[1], d0.z / stretch[2]};
  const double dist = std::sqrt(d.norm2());
  return surface_radius(*this, d, radius, dist) - dist;
}

double Nodule::core_depth(const Vec3& p) const {
  if (core_fraction <= 0) return -1e3;
  const Vec3 d0 = p - (centre + core_offset);
  const double dist = std::sqrt(d0.norm2());
  return surface_radius(*this, d0, radius * core_fraction, dist) - dist;
}

double Nodule::reach() const {
  double r = radius * std::max({stretch[0], stretch[1], stretch[2]});
  double amp = 0;
  for (const Lobule& l : lobules) amp += l.amplitude;
  r *= 1.0 + amp;
  for (const Tube& t : spicules) {
    r = std::max(r, std::sqrt((t.b - centre).norm2()) + t.rb);
  }
  return r + 1.0;
}

double brock_probability(const PatientFactors& p, double diameter_mm, NoduleType type, bool upper_lobe,
                         bool spiculated, int nodule_count) {
  double logit = -6.7892 + 0.0287 * (p.age - 62) + (p.female ? 0.6011 : 0.0);
  logit += -5.3854 * (std::pow(diameter_mm / 10.0, -0.5) - 1.58113883);
  if (type == NoduleType::ground_glass) logit += -0.1276;
  if (type == NoduleType::part_solid) logit += 0.377;
  if (upper_lobe) logit += 0.6581;
  logit += -0.0824 * (nodule_count - 4);
  if (spiculated) logit += 0.7729;
  return 1.0 / (1.0 + std::exp(-logit));
}

std::vector<Nodule> place_nodules(const ChestAnatomy& anatomy, const std::vector<Tube>& vessels,
                                  const PatientFactors& patient, double min_diameter, Rng& rng) {
  const ChestShape& s = anatomy.shape();
  const double count_weights[] = {0.14, 0.24, 0.2, 0.15, 0.11, 0.08, 0.08};
  const int count = rng.categorical(count_weights);
  std::vector<Nodule> out;
  // Candidate vessels for juxta-vascular nodules: medium calibre, inside the lung.
  std::vector<int> medium;
  for (std::size_t i = 0; i < vessels.size(); ++i) {
    if (vessels[i].ra >= 1.0 && vessels[i].ra <= 3.5) medium.push_back(static_cast<int>(i));
  }
  for (int n = 0; n < count; ++n) {
    Rng r = rng.fork("nodule", static_cast<std::uint64_t>(n));
    Nodule nod;
    nod.id = static_cast<int>(out.size()) + 1;
    const double type_w[] = {0.62, 0.15, 0.23};
    nod.type = static_cast<NoduleType>(r.categorical(type_w));
    const double lo = std::max(min_diameter, nod.type == NoduleType::solid ? 3.0 : 5.0);
    if (lo >= 30.0) continue;
    const double diameter = r.log_uniform(lo, 30.0);
    nod.radius = diameter / 2;
    // Larger nodules are more often irregular.
    const double p_spic = nod.type == NoduleType::ground_glass ? 0.05 : std::clamp(0.05 + diameter / 40.0, 0.0, 0.6);
    const double p_lob = 0.35;
    const double u = r.uniform();
    nod.margin = u < p_spic ? NoduleMargin::spiculated : (u < p_spic + p_lob ? NoduleMargin::lobulated : NoduleMargin::smooth);
    for (double& st : nod.stretch) st = r.uniform(0.85, 1.15);
    const int n_lobules = nod.margin == NoduleMargin::smooth ? 2 : r.integer(3, 6);
    for (int l = 0; l < n_lobules; ++l) {
      const double amp = nod.margin == NoduleMargin::smooth ? r.uniform(0.03, 0.08) : r.uniform(0.12, 0.3);
      nod.lobules.push_back({random_unit(r), amp, r.uniform(0.12, 0.35)});
    }
    switch (nod.type) {
      case NoduleType::solid: nod.hu = r.uniform(20, 60); break;
      case NoduleType::ground_glass: nod.hu = r.uniform(-600, -300); break;
      case NoduleType::part_solid:
        nod.hu = r.uniform(-600, -350);
        nod.core_hu = r.uniform(10, 50);
        nod.core_fraction = r.uniform(0.3, 0.6);
        break;
    }
    const double loc_w[] = {0.55, 0.25, 0.2};
    nod.location = static_cast<NoduleLocation>(r.categorical(loc_w));
    if (nod.location == NoduleLocation::juxta_vascular && medium.empty()) nod.location = NoduleLocation::isolated;

    // Rejection sampling of the centre inside the lungs.
    const double x_lo = -s.cav_a, x_hi = s.cav_a, y_lo = s.cav_cy - s.cav_b, y_hi = s.cav_cy + s.cav_b;
    const double z_lo = std::min(s.dome_left_z, s.dome_right_z) - s.dome_depth, z_hi = s.lung_apex_z;
    bool ok = false;
    for (int attempt = 0; attempt < 20000 && !ok; ++attempt) {
      Vec3 c;
      if (nod.location == NoduleLocation::juxta_vascular) {
        const Tube& t = vessels[static_cast<std::size_t>(medium[static_cast<std::size_t>(r.integer(0, static_cast<int>(medium.size()) - 1))])];
        const double a = r.uniform(0.2, 0.8);
        const Vec3 axis = t.a + (t.b - t.a) * a;
        const Vec3 dir = t.b - t.a;
        Vec3 off = random_unit(r);
        off = off - dir * (off.dot(dir) / std::max(dir.norm2(), 1e-9));
        const double on = std::sqrt(off.norm2());
        if (on < 1e-6) continue;
        c = axis + off * ((nod.radius * 0.85 + t.ra * 0.5) / on);
      } else {
        c = {r.uniform(x_lo, x_hi), r.uniform(y_lo, y_hi), r.uniform(z_lo, z_hi)};
      }
      const double sd = anatomy.lung_sd(c);
      switch (nod.location) {
        case NoduleLocation::isolated: ok = sd < -(nod.radius + 4.0); break;
        case NoduleLocation::juxta_pleural: ok = sd < -0.45 * nod.radius && sd > -0.7 * nod.radius; break;
        case NoduleLocation::juxta_vascular: ok = sd < -(nod.radius * 0.9 + 1.0); break;
      }
      for (const Nodule& o : out) {
        if (std::sqrt((o.centre - c).norm2()) < o.reach() + nod.radius * 1.5 + 3.0) ok = false;
      }
      if (ok) nod.centre = c;
    }
    if (!ok) continue;
    if (nod.core_fraction > 0) {
      const double k = nod.radius * (1.0 - nod.core_fraction) * 0.5;
      nod.core_offset = {r.uniform(-k, k), r.uniform(-k, k), r.uniform(-k, k)};
    }
    if (nod.margin == NoduleMargin::spiculated) {
      const int n_spic = r.integer(6, 14);
      for (int k = 0; k < n_spic; ++k) {
        const Vec3 d = random_unit(r);
        const Vec3 a = nod.centre + d * (nod.radius * 0.7);
        const Vec3 b = nod.centre + d * (nod.radius * r.uniform(1.5, 2.4));
        nod.spicules.push_back({a, b, static_cast<float>(r.uniform(0.5, 1.0)), 0.15f});
      }
    }
    // Upper lobes lie above the hilum, roughly (the oblique fissure is not modelled).
    nod.upper_lobe = nod.centre.z > anatomy.hilum(1).z;
    out.push_back(nod);
  }
  for (Nodule& nod : out) {
    Rng r = rng.fork("malignancy", static_cast<std::uint64_t>(nod.id));
    nod.malignancy_probability = brock_probability(patient, nod.radius * 2, nod.type, nod.upper_lobe,
                                                   nod.margin == NoduleMargin::spiculated, static_cast<int>(out.size()));
    nod.malignant = r.chance(nod.malignancy_probability);
  }
  return out;
}

}  // namespace medai::synth
