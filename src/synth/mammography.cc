#include "synth/mammography.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "synth/noise.h"
#include "synth/noise2d.h"
#include "synth/rng.h"

namespace medai::synth {
namespace {

constexpr double kPi = 3.141592653589793;
constexpr double kHeightMm = 200.0, kWidthMm = 160.0;

inline double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

// Outline of the compressed breast in one view, in mm: u from the chest wall
// (image edge) towards the nipple, v from the top of the image.
struct BreastGeom {
  double depth = 90;             // chest wall to nipple
  double vc = 100;               // nipple height
  double h_up = 70, h_down = 70; // half heights at the chest wall
  double p = 2.3;
  bool mlo = false;
  double pec_w = 40, pec_h = 120;  // pectoral triangle (MLO)
  double axilla_w = 60, axilla_h = 90;

  // Approximate distance to the skin (mm, > 0 inside).
  double edge(double u, double v) const {
    const double dv = v - vc;
    const double hs = dv < 0 ? h_up : h_down;
    const double a = std::max(u, 0.0) / depth, b = std::fabs(dv) / hs;
    // Superellipse-like outline: an ellipse with its sides pushed out by p.
    const double q2 = a * a + b * b;
    const double q = std::sqrt(q2) * (1.0 - (p - 2.0) * 0.25 * (a * a * b * b) / (q2 * q2 + 1e-12));
    const double wa = a * a / (a * a + b * b + 1e-9);
    double e = (1.0 - q) * (hs + (depth - hs) * wa);
    return e;
  }
  double pectoral(double u, double v) const {  // > 0 inside the muscle, mm-ish
    if (!mlo) return -1e3;
    return (1.0 - (u / pec_w + v / pec_h)) * std::min(pec_w, pec_h) * 0.8;
  }
};

struct LesionGeometry {
  double cu = 0, cv = 0;          // centre in view mm
  double ra = 5, rb = 4, angle = 0;
  std::array<double, 4> harm_amp{}, harm_phase{};
  struct Spicule {
    double angle, length, width;
  };
  std::vector<Spicule> spicules;
  struct Speck {
    double u, v, ra, rb, angle;
  };
  std::vector<Speck> specks;
};

struct ViewPlan {
  Laterality side;
  MammoView view;
  BreastGeom geom;
  std::uint64_t texture_seed;
  double threshold = 0;
  bool has_lesion = false;
  LesionGeometry lesion;
};

double tissue_raw(const ViewPlan& plan, const ValueNoise2D& n1, const ValueNoise2D& n2, double u, double v) {
  const BreastGeom& g = plan.geom;
  const double dv = v - g.vc;
  const double hs = dv < 0 ? g.h_up : g.h_down;
  const double prior = std::exp(-std::pow((u - 0.55 * g.depth) / (0.5 * g.depth), 2) - std::pow(dv / (0.75 * hs), 2));
  const double iso = n1.fbm(u / 22.0, v / 22.0, 5, 0.6);
  // Streaks radiating from the nipple (ducts and their stroma).
  const double du = g.depth - u;
  const double rn = std::sqrt(du * du + dv * dv);
  const double slope = dv / (du + 25.0);
  const double radial = n2.fbm(rn / 28.0, slope * 5.0, 4, 0.55);
  return 0.9 * prior + 0.55 * iso + 0.35 * radial;
}

// Mass body: normalised radius (< 1 inside).
double mass_radius(const LesionGeometry& l, double u, double v) {
  const double du = u - l.cu, dv = v - l.cv;
  const double c = std::cos(l.angle), s = std::sin(l.angle);
  const double x = (c * du + s * dv) / l.ra, y = (-s * du + c * dv) / l.rb;
  const double r = std::sqrt(x * x + y * y);
  const double phi = std::atan2(y, x);
  double rr = 1.0;
  for (int k = 0; k < 4; ++k) rr += l.harm_amp[static_cast<std::size_t>(k)] * std::cos((k + 2) * phi + l.harm_phase[static_cast<std::size_t>(k)]);
  return r / rr;
}

void render_view(const ViewPlan& plan, const MammoExam& exam, int rows, int cols, std::uint64_t noise_seed,
                 MammoImage& img) {
  const double px = kHeightMm / rows;
  const ValueNoise2D n1(plan.texture_seed), n2(plan.texture_seed ^ 0xabcdefULL), n3(plan.texture_seed ^ 0x1234567ULL);
  const BreastGeom& g = plan.geom;
  const double width_mm = cols * px;
  img.rows = rows;
  img.cols = cols;
  img.pixel_mm = px;
  img.side = plan.side;
  img.view = plan.view;
  img.pixels.assign(static_cast<std::size_t>(rows) * cols, 0);
  img.has_lesion = plan.has_lesion;
  if (plan.has_lesion) img.lesion_mask.assign(static_cast<std::size_t>(rows) * cols, 0);
  const LesionGeometry& L = plan.lesion;
  const bool mass = plan.has_lesion && exam.lesion.kind != LesionKind::calcifications;
  const bool spiculated = exam.lesion.kind == LesionKind::spiculated_mass;
  const double mass_reach = mass ? std::max(L.ra, L.rb) * (spiculated ? 3.2 : 1.4) + 2 : 0;
  // The low-frequency tissue fields (glandular pattern, ligaments) are
  // evaluated on a 0.4 mm grid and interpolated; fine texture stays per pixel.
  const int step = std::max(1, static_cast<int>(std::lround(0.4 / px)));
  const int gr = rows / step + 2, gc = cols / step + 2;
  std::vector<float> raw_grid(static_cast<std::size_t>(gr) * gc), ridge_grid(raw_grid.size());
  for (int r = 0; r < gr; ++r) {
    const double v = (r * step + 0.5) * px;
    for (int c = 0; c < gc; ++c) {
      const double w = (c * step + 0.5) * px;
      const double u = plan.side == Laterality::left ? w : width_mm - w;
      raw_grid[static_cast<std::size_t>(r) * gc + c] = static_cast<float>(tissue_raw(plan, n1, n2, u, v));
      ridge_grid[static_cast<std::size_t>(r) * gc + c] = 1.0f - std::fabs(n3.fbm(u / 18.0, v / 18.0, 3, 0.5));
    }
  }
  auto grid_at = [&](const std::vector<float>& g, int r, int c) {
    const int r0 = r / step, c0 = c / step;
    const float fy = static_cast<float>(r % step) / step, fx = static_cast<float>(c % step) / step;
    const float* a = &g[static_cast<std::size_t>(r0) * gc + c0];
    const float* b = a + gc;
    return (a[0] * (1 - fx) + a[1] * fx) * (1 - fy) + (b[0] * (1 - fx) + b[1] * fx) * fy;
  };
  for (int r = 0; r < rows; ++r) {
    const double v = (r + 0.5) * px;
    for (int c = 0; c < cols; ++c) {
      const double w = (c + 0.5) * px;
      const double u = plan.side == Laterality::left ? w : width_mm - w;
      double e = g.edge(u, v);
      // Nipple: a small bump beyond the outline.
      const double nd = std::sqrt((u - g.depth) * (u - g.depth) + (v - g.vc) * (v - g.vc));
      const double nipple = 5.0 - nd;
      e = std::max(e, nipple);
      const std::size_t idx = static_cast<std::size_t>(r) * cols + c;
      const double noise = counter_normal(noise_seed, idx);
      if (e <= -px) {
        img.pixels[idx] = static_cast<std::uint16_t>(std::clamp(60.0 + 12.0 * noise, 0.0, 4095.0));
        continue;
      }
      const double cover = std::clamp(0.5 + e / px, 0.0, 1.0);
      const double tf = std::sqrt(std::clamp(e / 14.0, 0.02, 1.0));
      const double raw = grid_at(raw_grid, r, c);
      // Fine fibrous texture modulates the glandular density (no flat plateaus).
      const double fine = n3.fbm(u / 3.0 + 11.0, v / 3.0 - 7.0, 3, 0.6);
      double dense = smoothstep(plan.threshold - 0.22, plan.threshold + 0.22, raw + 0.12 * fine);
      dense *= 0.82 + 0.18 * fine;
      const double ridge = grid_at(ridge_grid, r, c);
      const double r1 = std::clamp(ridge, 0.0, 1.0), r2 = r1 * r1, r4 = r2 * r2, r8 = r4 * r4;
      const double lig = r8 * r4 * r2 * (1.0 - dense);
      double val = tf * (850.0 + 1650.0 * dense + 250.0 * lig);
      // Pectoral muscle (MLO): bright, smooth.
      const double pec = g.pectoral(u, v);
      if (pec > -px) {
        const double muscle = tf * (1900.0 + 300.0 * (u / g.pec_w)) + 60.0 * n3.fbm(u / 6.0, v / 30.0, 2, 0.5);
        val += (muscle - val) * std::clamp(0.5 + pec / (2 * px), 0.0, 1.0);
      }
      // Skin line and nipple.
      if (e < 1.6) val = std::max(val, 1250.0 * std::clamp(0.5 + e / px, 0.0, 1.0));
      if (nipple > -px && nipple > e - 0.5) val = std::max(val, 1500.0 * std::clamp(0.5 + nipple / px, 0.0, 1.0));
      // Lesion (projection adds to the tissue above and below it).
      if (mass && std::fabs(u - L.cu) < mass_reach && std::fabs(v - L.cv) < mass_reach) {
        const double mr = mass_radius(L, u, v);
        const double soft = spiculated ? 0.18 : 0.06;
        const double body = std::clamp((1.0 - mr) / soft + 0.5, 0.0, 1.0);
        const double profile = std::sqrt(std::max(0.0, 1.0 - std::min(mr, 1.0) * std::min(mr, 1.0)));
        double add = 1100.0 * body * (0.45 + 0.55 * profile);
        if (spiculated) {
          const double du = u - L.cu, dv = v - L.cv;
          const double rad = std::hypot(du, dv);
          const double ang = std::atan2(dv, du);
          for (const auto& s : L.spicules) {
            double da = std::remainder(ang - s.angle, 2 * kPi);
            const double perp = std::fabs(std::sin(da)) * rad;
            const double along = std::cos(da) * rad;
            if (along <= 0 || along > s.length) continue;
            const double wdt = s.width * (1.0 - along / s.length) + 0.1;
            add = std::max(add, 700.0 * std::clamp((wdt - perp) / px + 0.5, 0.0, 1.0) * (1.0 - 0.5 * along / s.length));
          }
        }
        val += add * tf;
        if (mr <= 1.0) img.lesion_mask[idx] = 1;
      }
      if (plan.has_lesion && !mass) {
        for (const auto& s : L.specks) {
          const double du = u - s.u, dv = v - s.v;
          if (std::fabs(du) > s.ra + px || std::fabs(dv) > s.ra + px) continue;
          const double cs = std::cos(s.angle), sn = std::sin(s.angle);
          const double x = (cs * du + sn * dv) / s.ra, y = (-sn * du + cs * dv) / s.rb;
          const double er = std::sqrt(x * x + y * y);
          const double cov = std::clamp((1.0 - er) * s.rb / px + 0.5, 0.0, 1.0);
          val += 1900.0 * cov;
          if (cov >= 0.5 || (std::fabs(du) <= px / 2 && std::fabs(dv) <= px / 2)) img.lesion_mask[idx] = 1;
        }
      }
      val = val * cover + 60.0 * (1.0 - cover) + 18.0 * noise;
      img.pixels[idx] = static_cast<std::uint16_t>(std::clamp(std::lround(val), 0L, 4095L));
    }
  }
  if (plan.has_lesion) {
    int x0 = cols, y0 = rows, x1 = -1, y1 = -1;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c)
        if (img.lesion_mask[static_cast<std::size_t>(r) * cols + c]) {
          x0 = std::min(x0, c); x1 = std::max(x1, c); y0 = std::min(y0, r); y1 = std::max(y1, r);
        }
    if (x1 < 0) {
      img.has_lesion = false;
      img.lesion_mask.clear();
    } else {
      img.lesion_box = {x0, y0, x1, y1};
    }
  }
  // VOI window from the breast's value range (coarse percentiles).
  std::vector<std::uint16_t> vals;
  for (std::size_t i = 0; i < img.pixels.size(); i += 7)
    if (img.pixels[i] > 200) vals.push_back(img.pixels[i]);
  if (vals.size() > 10) {
    std::sort(vals.begin(), vals.end());
    const double lo = vals[vals.size() / 100], hi = vals[vals.size() * 995 / 1000];
    img.window_center = std::round((lo + hi) / 2);
    img.window_width = std::round(std::max(64.0, (hi - lo) * 1.15));
  }
}

BreastGeom breast_geometry(Rng& rng, double base_depth, double base_h, bool mlo) {
  BreastGeom g;
  g.mlo = mlo;
  g.depth = base_depth * rng.uniform(0.97, 1.03) * (mlo ? rng.uniform(1.02, 1.12) : 1.0);
  g.depth = std::min(g.depth, kWidthMm - 18);
  const double h = base_h * rng.uniform(0.97, 1.03);
  if (mlo) {
    g.vc = rng.uniform(112, 130);
    g.h_up = g.vc + rng.uniform(5, 25);  // the upper outline runs into the axilla
    g.h_down = std::min(h * rng.uniform(1.0, 1.15), kHeightMm - g.vc - 8);
    g.pec_w = rng.uniform(30, 60);
    g.pec_h = g.vc * rng.uniform(0.55, 0.9);
    g.axilla_w = g.pec_w * rng.uniform(1.5, 1.9);
    g.axilla_h = g.vc * rng.uniform(1.0, 1.2);
  } else {
    g.vc = rng.uniform(92, 108);
    g.h_up = std::min(h * rng.uniform(0.95, 1.1), g.vc - 8);
    g.h_down = std::min(h * rng.uniform(0.9, 1.05), kHeightMm - g.vc - 8);
  }
  g.p = rng.uniform(2.0, 2.6);
  return g;
}

// Threshold so that the dense fraction of the breast matches the target.
double calibrate_threshold(const ViewPlan& plan, double fraction) {
  const ValueNoise2D n1(plan.texture_seed), n2(plan.texture_seed ^ 0xabcdefULL);
  std::vector<double> raw;
  for (double v = 1; v < kHeightMm; v += 2.5)
    for (double u = 1; u < kWidthMm; u += 2.5)
      if (plan.geom.edge(u, v) > 5 && plan.geom.pectoral(u, v) < 0) raw.push_back(tissue_raw(plan, n1, n2, u, v));
  if (raw.empty()) return 0.5;
  std::sort(raw.begin(), raw.end());
  const auto i = static_cast<std::size_t>(std::clamp(1.0 - fraction, 0.0, 0.999) * raw.size());
  return raw[i];
}

}  // namespace

std::string to_string(LesionKind k) {
  switch (k) {
    case LesionKind::none: return "none";
    case LesionKind::circumscribed_mass: return "circumscribed_mass";
    case LesionKind::spiculated_mass: return "spiculated_mass";
    case LesionKind::calcifications: return "calcifications";
  }
  return "none";
}

std::string MammoExam::exam_label() const {
  if (lesion.kind == LesionKind::none) return "normal";
  return lesion.malignant ? "malignant" : "benign";
}

MammoExam generate_mammo_exam(std::uint64_t seed, const MammoOptions& options) {
  Rng rng(seed);
  MammoExam exam;
  Rng pat = rng.fork("patient");
  exam.age = pat.integer(40, 75);
  const double density_w[] = {0.1, 0.4, 0.4, 0.1};
  const int d = pat.categorical(density_w);
  exam.density = static_cast<char>('a' + d);
  const double lo[] = {0.08, 0.25, 0.5, 0.75}, hi[] = {0.22, 0.48, 0.72, 0.9};
  exam.dense_fraction = pat.uniform(lo[d], hi[d]);
  const double base_depth = pat.uniform(60, 125), base_h = pat.uniform(55, 85);

  Rng les = rng.fork("lesion");
  if (les.chance(options.lesion_fraction)) {
    const double kind_w[] = {0.4, 0.25, 0.35};
    exam.lesion.kind = static_cast<LesionKind>(1 + les.categorical(kind_w));
    exam.lesion.side = les.chance(0.5) ? Laterality::left : Laterality::right;
    // Circumscribed oval masses are almost always benign (BI-RADS 3 territory,
    // < 2 % malignant): a model cannot tell a malignant one from a benign one
    // by its look, so a high rate would only cap every model's AUC.
    const double p_malignant[] = {0, 0.02, 0.9, 0.5};
    exam.lesion.malignant = les.chance(p_malignant[static_cast<int>(exam.lesion.kind)]);
    exam.lesion.size_mm = exam.lesion.kind == LesionKind::calcifications ? les.uniform(4, 14) : les.uniform(6, 24);
    exam.lesion.nipple_distance_mm = les.uniform(0.25, 0.75) * base_depth;
    exam.lesion.ml = les.uniform(-0.6, 0.6);
    exam.lesion.si = les.uniform(-0.6, 0.6);
  }
  // 3-D speck positions of a calcification cluster (axis, ml, si in mm),
  // projected into each view below.
  struct Speck3 {
    double a, m, s, ra, rb, angle;
  };
  std::vector<Speck3> specks;
  if (exam.lesion.kind == LesionKind::calcifications) {
    // Malignant: many fine pleomorphic / linear specks in a tight cluster.
    // Benign: fewer coarse round specks, scattered more widely (the
    // distinction a radiologist makes at 0.4 mm too: size, shape, spread).
    const bool mal = exam.lesion.malignant;
    const int n = mal ? les.integer(8, 26) : les.integer(4, 12);
    const double rc = exam.lesion.size_mm / 2 * (mal ? 1.0 : 1.8);
    for (int i = 0; i < n; ++i) {
      Speck3 s{les.normal() * rc * 0.45, les.normal() * rc * 0.45, les.normal() * rc * 0.45, 0, 0, les.uniform(0, kPi)};
      if (mal) {
        s.ra = les.uniform(0.2, 0.6);
        s.rb = les.uniform(0.07, 0.18);
      } else {
        s.ra = les.uniform(0.35, 0.8);
        s.rb = s.ra * les.uniform(0.8, 1.0);
      }
      specks.push_back(s);
    }
  }

  const int rows = options.small ? 512 : 2000, cols = options.small ? 416 : 1600;
  std::vector<ViewPlan> plans;
  const std::pair<Laterality, MammoView> order[] = {{Laterality::right, MammoView::cc},
                                                    {Laterality::left, MammoView::cc},
                                                    {Laterality::right, MammoView::mlo},
                                                    {Laterality::left, MammoView::mlo}};
  int vi = 0;
  for (const auto& [side, view] : order) {
    Rng vr = rng.fork("view", static_cast<std::uint64_t>(vi++));
    ViewPlan p;
    p.side = side;
    p.view = view;
    p.geom = breast_geometry(vr, base_depth, base_h, view == MammoView::mlo);
    p.texture_seed = vr.next();
    p.threshold = calibrate_threshold(p, exam.dense_fraction);
    if (exam.lesion.kind != LesionKind::none && exam.lesion.side == side) {
      p.has_lesion = true;
      LesionGeometry& l = p.lesion;
      const BreastGeom& g = p.geom;
      l.cu = g.depth - exam.lesion.nipple_distance_mm;
      // CC: lateral is up; MLO: superior (and lateral) is up.
      const double off = view == MammoView::cc ? exam.lesion.ml : 0.7 * exam.lesion.si + 0.5 * exam.lesion.ml;
      const double hs = off > 0 ? g.h_up : g.h_down;
      double scale = 0.75;
      for (int k = 0; k < 20; ++k, scale *= 0.85) {
        l.cv = g.vc - off * scale * hs;
        if (g.edge(l.cu, l.cv) > exam.lesion.size_mm / 2 + 4 && g.pectoral(l.cu, l.cv) < -exam.lesion.size_mm) break;
      }
      const double r = exam.lesion.size_mm / 2;
      l.ra = r;
      l.rb = r * vr.uniform(0.7, 1.0);
      l.angle = vr.uniform(0, kPi);
      const bool spic = exam.lesion.kind == LesionKind::spiculated_mass;
      for (int k = 0; k < 4; ++k) {
        l.harm_amp[static_cast<std::size_t>(k)] = spic ? vr.uniform(0.04, 0.12) : vr.uniform(0.0, 0.03);
        l.harm_phase[static_cast<std::size_t>(k)] = vr.uniform(0, 2 * kPi);
      }
      if (spic) {
        const int ns = vr.integer(10, 24);
        for (int k = 0; k < ns; ++k) l.spicules.push_back({vr.uniform(-kPi, kPi), r * vr.uniform(1.4, 3.0), vr.uniform(0.25, 0.6)});
      }
      for (const Speck3& s : specks) {
        const double along = s.a, across = view == MammoView::cc ? s.m : 0.7 * s.s + 0.7 * s.m;
        const double su = l.cu + along * (p.side == Laterality::left ? 1 : 1);
        l.specks.push_back({su, l.cv - across, s.ra, s.rb, s.angle + (view == MammoView::cc ? 0.0 : 0.6)});
      }
    }
    plans.push_back(p);
  }
  exam.images.resize(plans.size());
  const int threads = std::max(1, options.threads);
  auto work = [&](int t) {
    for (std::size_t i = static_cast<std::size_t>(t); i < plans.size(); i += static_cast<std::size_t>(threads))
      render_view(plans[i], exam, rows, cols, mix64(seed ^ (0x6d616d6dULL + i)), exam.images[i]);
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (auto& th : pool) th.join();
  return exam;
}

}  // namespace medai::synth
