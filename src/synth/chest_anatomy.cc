#include "synth/chest_anatomy.h"

#include <algorithm>
#include <cmath>

namespace medai::synth {
namespace {

constexpr double kPi = 3.141592653589793;

// Approximate signed distance to an axis-aligned ellipse (first-order:
// implicit value over gradient length), accurate near the outline, which is
// all partial-volume edges and placement depths need. Takes precomputed
// ia = 1/a^2, ib = 1/b^2 and m = min(a, b): the per-pixel code has no divisions
// but one.
inline double ellipse_sd_inv(double dx, double dy, double ia, double ib, double m) {
  const double gx = dx * ia, gy = dy * ib;
  const double f = dx * gx + dy * gy - 1.0;
  const double g2 = gx * gx + gy * gy;
  if (g2 < 1e-18) return -m;
  return std::max(f / (2.0 * std::sqrt(g2)), -m);
}

inline double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3 - 2 * t);
}

// Partial-volume coverage of a shape with signed distance sd at pixel size px.
inline double cover(double sd, double px) { return std::clamp(0.5 - sd / px, 0.0, 1.0); }
inline double mix(double a, double b, double t) { return a + (b - a) * t; }

}  // namespace

ChestShape ChestShape::random(Rng& rng, double z_bottom, double z_top, double fov_half_width) {
  ChestShape s;
  s.z_bottom = z_bottom;
  s.z_top = z_top;
  const double length = z_top - z_bottom;
  s.body_a = std::min(rng.uniform(150, 185), fov_half_width - 12);
  s.body_b_ant = s.body_a * rng.uniform(0.66, 0.76);
  s.body_b_post = s.body_b_ant * rng.uniform(0.85, 0.95);
  s.body_cy = rng.uniform(-12, -2);
  s.table_y = s.body_cy + s.body_b_post + 1.0;
  s.fat = rng.uniform(8, 28);
  s.wall = rng.uniform(10, 18);
  s.rib_w = rng.uniform(6, 9);
  s.rib_h = rng.uniform(8, 11);
  s.cav_a = s.body_a - s.fat - s.wall - s.rib_w;
  const double y_ant = s.body_cy - s.body_b_ant + s.fat * 0.8 + 10 + s.rib_w;
  const double y_post = s.body_cy + s.body_b_post - s.fat * 0.6 - 28;
  s.cav_cy = 0.5 * (y_ant + y_post);
  s.cav_b = 0.5 * (y_post - y_ant);
  s.vb_r = rng.uniform(15, 19);
  s.vb_y = y_post - s.vb_r * 0.5;
  s.vert_pitch = rng.uniform(24, 30);
  s.vert_phase = rng.uniform(0, s.vert_pitch);
  s.lung_apex_z = z_top - rng.uniform(0.03, 0.08) * length;
  s.dome_right_z = z_bottom + rng.uniform(0.17, 0.24) * length;
  s.dome_left_z = s.dome_right_z - rng.uniform(8, 20);
  s.dome_depth = rng.uniform(45, 60);
  s.heart_a = rng.uniform(55, 68);
  s.heart_b = rng.uniform(42, 52);
  s.heart_c_axis = rng.uniform(50, 65);
  s.heart_angle = rng.uniform(0.35, 0.7);
  s.heart_c = {rng.uniform(12, 30), s.cav_cy - s.cav_b * rng.uniform(0.2, 0.35),
               s.dome_left_z + s.heart_c_axis * 0.55};
  s.medi_half_width = rng.uniform(18, 26);
  s.rib_top_z = s.lung_apex_z - rng.uniform(0, 10);
  s.rib_pitch = rng.uniform(19, 24);
  s.rib_drop = rng.uniform(85, 120);
  s.sternum_top_z = s.lung_apex_z - rng.uniform(35, 50);
  s.sternum_bottom_z = s.heart_c.z - rng.uniform(20, 40);
  s.fat_hu = rng.uniform(-115, -90);
  s.muscle_hu = rng.uniform(38, 55);
  s.lung_hu = rng.uniform(-875, -820);
  s.dependent_hu = rng.uniform(25, 60);
  s.medi_fat_hu = rng.uniform(-100, -80);
  s.liver_hu = rng.uniform(50, 65);
  return s;
}

ChestAnatomy::ChestAnatomy(const ChestShape& s)
    : s_(s), cos_h_(std::cos(s.heart_angle)), sin_h_(std::sin(s.heart_angle)) {
  body_ia_ = 1.0 / (s.body_a * s.body_a);
  body_ib_ant_ = 1.0 / (s.body_b_ant * s.body_b_ant);
  body_ib_post_ = 1.0 / (s.body_b_post * s.body_b_post);
  body_m_ant_ = std::min(s.body_a, s.body_b_ant);
  body_m_post_ = std::min(s.body_a, s.body_b_post);
  const double ma = s.body_a - s.fat, mb_ant = s.body_b_ant - s.fat * 0.8, mb_post = s.body_b_post - s.fat * 0.6;
  muscle_ia_ = 1.0 / (ma * ma);
  muscle_ib_ant_ = 1.0 / (mb_ant * mb_ant);
  muscle_ib_post_ = 1.0 / (mb_post * mb_post);
  muscle_m_ant_ = std::min(ma, mb_ant);
  muscle_m_post_ = std::min(ma, mb_post);
}

ChestSlice ChestAnatomy::slice(double z) const {
  ChestSlice sl;
  sl.z = z;
  // The rib cage narrows towards the thoracic inlet.
  const double narrowing = 1.0 - 0.42 * smoothstep(s_.lung_apex_z - 120, s_.lung_apex_z + 15, z);
  sl.cav_a = s_.cav_a * narrowing;
  sl.cav_b = s_.cav_b * (1.0 - 0.3 * smoothstep(s_.lung_apex_z - 120, s_.lung_apex_z + 15, z));
  const double hz = (z - s_.heart_c.z) / s_.heart_c_axis;
  if (std::fabs(hz) < 1.0) {
    const double f = std::sqrt(1.0 - hz * hz);
    sl.heart = true;
    sl.heart_a = s_.heart_a * f;
    sl.heart_b = s_.heart_b * f;
  }
  // Great vessels widen the upper mediastinum around the aortic arch.
  sl.medi_half_width = s_.medi_half_width * (1.0 + 0.35 * std::exp(-std::pow((z - carina_z() - 25) / 25, 2)));
  sl.sternum = z > s_.sternum_bottom_z && z < s_.sternum_top_z;
  const double phase = std::fmod(z - s_.z_bottom + s_.vert_phase, s_.vert_pitch);
  sl.disc = phase < 5.0;
  auto inv = [](double a, double b, double& ia, double& ib, double& m) {
    ia = 1.0 / (a * a);
    ib = 1.0 / (b * b);
    m = std::min(a, b);
  };
  inv(sl.cav_a, sl.cav_b, sl.cav_ia, sl.cav_ib, sl.cav_m);
  if (sl.heart) {
    inv(sl.heart_a, sl.heart_b, sl.heart_ia, sl.heart_ib, sl.heart_m);
    inv(sl.heart_a + 2.5, sl.heart_b + 2.5, sl.peri_ia, sl.peri_ib, sl.peri_m);
  }
  inv(sl.medi_half_width, 0.82 * sl.cav_b, sl.medi_ia, sl.medi_ib, sl.medi_m);
  return sl;
}

double ChestAnatomy::carina_z() const {
  return s_.dome_right_z + 0.62 * (s_.lung_apex_z - s_.dome_right_z);
}

Vec3 ChestAnatomy::hilum(int side) const {
  return {side * (s_.medi_half_width + 12.0) + 5.0, s_.cav_cy + 5.0, carina_z() - 22.0};
}

double ChestAnatomy::dome_z(double x, double y) const {
  const double hx = 0.5 * s_.cav_a, ax = 0.6 * s_.cav_a;
  const double rr = std::min(1.6, std::pow((std::fabs(x) - hx) / ax, 2) + std::pow((y - s_.cav_cy) / s_.cav_b, 2));
  const double top = x < 0 ? s_.dome_right_z : s_.dome_left_z;
  return top - s_.dome_depth * rr;
}

double ChestAnatomy::body_sd(double x, double y) const {
  const double dy = y - s_.body_cy;
  return dy > 0 ? ellipse_sd_inv(x, dy, body_ia_, body_ib_post_, body_m_post_)
                : ellipse_sd_inv(x, dy, body_ia_, body_ib_ant_, body_m_ant_);
}

double ChestAnatomy::body_half_width(double y) const {
  const double dy = y - s_.body_cy;
  const double b = dy > 0 ? s_.body_b_post : s_.body_b_ant;
  const double t = 1.0 - (dy * dy) / (b * b);
  return t > 0 ? s_.body_a * std::sqrt(t) : -1.0;
}

float ChestAnatomy::outside_hu(double x, double y) const {
  const double ty = s_.table_y + 4.0 - 0.0004 * x * x;  // slightly concave cradle
  const double depth = y - ty;
  if (std::fabs(x) < s_.body_a * 0.75 + 30 && depth > 0 && depth < 45) {
    return (depth < 3.0 || depth > 42.0) ? 180.0f : -960.0f;
  }
  return -1000.0f;
}

double ChestAnatomy::lung_sd(const Vec3& p) const { return lung_sd(p.x, p.y, slice(p.z)); }

double ChestAnatomy::lung_sd(double x, double y, const ChestSlice& sl) const {
  const double cav = ellipse_sd_inv(x, y - s_.cav_cy, sl.cav_ia, sl.cav_ib, sl.cav_m) + 1.5;
  // Rounded apex: lower towards the hemithorax edges.
  const double hx = 0.5 * sl.cav_a;
  const double rr = std::pow((std::fabs(x) - hx) / (0.6 * sl.cav_a), 2) + std::pow((y - s_.cav_cy) / sl.cav_b, 2);
  const double apex = sl.z - (s_.lung_apex_z - 35.0 * rr);
  const double dome = dome_z(x, y) - sl.z;
  // Mediastinum: an upright ellipse from behind the sternum to the spine; the
  // lungs meet in front of it (anterior junction) and wrap the spine behind.
  const double medi_cy = s_.cav_cy + 0.12 * sl.cav_b;
  const double medi_limited = -ellipse_sd_inv(x - 4.0, y - medi_cy, sl.medi_ia, sl.medi_ib, sl.medi_m);
  const double spine = (s_.vb_r + 7.0) - std::sqrt(x * x + (y - s_.vb_y) * (y - s_.vb_y));
  double heart = -1e3;
  if (sl.heart) {
    const double c = cos_h_, s = sin_h_;
    const double dx = x - s_.heart_c.x, dy = y - s_.heart_c.y;
    heart = -ellipse_sd_inv(c * dx + s * dy, -s * dx + c * dy, sl.peri_ia, sl.peri_ib, sl.peri_m);
  }
  return std::max({cav, apex, dome, medi_limited, spine, heart});
}


ChestSample ChestAnatomy::sample(double x, double y, const ChestSlice& sl, double px) const {
  ChestSample out;
  const double bsd = body_sd(x, y);
  const double z = sl.z;
  if (bsd > px) {
    out.hu = outside_hu(x, y);
    return out;
  }
  out.body = true;
  // Layers from the skin inwards.
  const double dy_body = y - s_.body_cy;
  const double muscle_sd = dy_body > 0 ? ellipse_sd_inv(x, dy_body, muscle_ia_, muscle_ib_post_, muscle_m_post_)
                                       : ellipse_sd_inv(x, dy_body, muscle_ia_, muscle_ib_ant_, muscle_m_ant_);
  double v = s_.fat_hu;
  v = mix(v, s_.muscle_hu, cover(muscle_sd, px));
  if (bsd > -1.5) v = mix(v, 25.0, 0.6);  // skin

  const double cav_sd = ellipse_sd_inv(x, y - s_.cav_cy, sl.cav_ia, sl.cav_ib, sl.cav_m);
  if (cav_sd < px) {
    // Inside the rib cage: mediastinum, heart, lungs above the diaphragm;
    // liver (right) and spleen/stomach (left) below it.
    const double dome = dome_z(x, y);
    double content;
    const double below = z - dome;  // < 0 below the diaphragm
    double upper = s_.medi_fat_hu;
    if (sl.heart) {
      const double c = cos_h_, s = sin_h_;
      const double dx = x - s_.heart_c.x, dy = y - s_.heart_c.y;
      const double hsd = ellipse_sd_inv(c * dx + s * dy, -s * dx + c * dy, sl.heart_ia, sl.heart_ib, sl.heart_m);
      const double hc = cover(hsd, px) * std::clamp(0.5 + (z - dome) / px, 0.0, 1.0);
      out.heart = static_cast<float>(hc);
      upper = mix(upper, s_.blood_hu, cover(hsd, px));
    }
    const double lsd = lung_sd(x, y, sl);
    out.lung_sd = static_cast<float>(lsd);
    const double lung_cov = cover(lsd, px);
    out.lung = static_cast<float>(lung_cov);
    const double post = std::clamp((y - (s_.cav_cy - s_.cav_b)) / (2 * s_.cav_b), 0.0, 1.0);
    const double lung_v = s_.lung_hu + s_.dependent_hu * post * post;
    upper = mix(upper, lung_v, lung_cov);
    double lower = x < 0 ? s_.liver_hu : 42.0;
    if (x > 0) {
      // Gas in the gastric fundus under the left dome.
      const double gx = (x - 0.45 * sl.cav_a) / 32.0, gy = (y - (s_.cav_cy - 0.3 * s_.cav_b)) / 26.0,
                   gz = (z - (s_.dome_left_z - 28.0)) / 18.0;
      const double g = gx * gx + gy * gy + gz * gz;
      if (g < 1.0 && z < dome - 2.0) lower = -980.0;
    }
    content = mix(lower, upper, std::clamp(0.5 + below / px, 0.0, 1.0));
    out.cavity = static_cast<float>(std::clamp(0.5 + below / px, 0.0, 1.0) * cover(cav_sd, px));
    v = mix(v, content, cover(cav_sd, px));
  }

  // Spine: vertebral body (or disc), canal with cord, posterior arch.
  const double vdx = x, vdy = y - s_.vb_y;
  const double vr = std::sqrt(vdx * vdx + vdy * vdy);
  if (vr < s_.vb_r + px) {
    const double body_cov = cover(vr - s_.vb_r, px);
    const double bone = sl.disc ? 85.0 : (vr > s_.vb_r - 1.8 ? 820.0 : 230.0);
    v = mix(v, bone, body_cov);
  }
  const double canal_y = s_.vb_y + s_.vb_r + 9.0;
  const double cr = std::sqrt(x * x + (y - canal_y) * (y - canal_y));
  if (cr < 14.0) {
    if (cr < 8.0) {
      v = mix(v, 32.0, cover(cr - 8.0 + 0.5 * px, px));
      out.spinal_canal = cr < 5.0;
    } else if (y > canal_y - 3.0) {
      v = mix(v, 650.0, cover(std::max(8.0 - cr, cr - 13.0), px));
    }
  }
  const double spin_end = std::min(canal_y + 40.0, s_.body_cy + s_.body_b_post - 12.0);
  if (std::fabs(x) < 4.0 + px && y > canal_y + 11.0 && y < spin_end) {
    v = mix(v, 600.0, cover(std::fabs(x) - 3.5, px));
  }
  if (!sl.disc && std::fabs(y - canal_y + 2.0 + 0.2 * std::fabs(x)) < 4.0 + px && std::fabs(x) > 10.0 &&
      std::fabs(x) < 27.0) {
    v = mix(v, 600.0, cover(std::fabs(y - canal_y + 2.0 + 0.2 * std::fabs(x)) - 3.5, px));
  }

  // Ribs and costal cartilage in a band just outside the cavity.
  if (cav_sd > -px && cav_sd < s_.rib_w + px) {
    const double theta = std::atan2(std::fabs(x), y - s_.cav_cy);  // 0 posterior, pi anterior
    const double n_real = (s_.rib_top_z - s_.rib_drop * std::pow(theta / kPi, 1.3) - z) / s_.rib_pitch;
    const double n = std::round(n_real);
    if (n >= 0 && n <= 11 && theta > 0.16 * kPi) {
      const double theta_end = n <= 6 ? 0.93 * kPi : (n <= 9 ? 0.8 * kPi : 0.55 * kPi);
      if (theta < theta_end) {
        const double dz = (n_real - n) * s_.rib_pitch;
        const double half_w = 0.5 * s_.rib_w;
        const double h = s_.rib_h * (n == 0 ? 1.3 : 1.0);
        const double e = std::sqrt(std::pow((cav_sd - half_w) / half_w, 2) + std::pow(dz / (0.5 * h), 2));
        if (e < 1.0 + px / half_w) {
          const bool cartilage = theta > 0.74 * kPi;
          const double bone = cartilage ? 120.0 : (e > 0.62 ? 780.0 : 210.0);
          v = mix(v, bone, std::clamp((1.0 - e) * half_w / px + 0.5, 0.0, 1.0));
        }
      }
    }
  }
  // Sternum in front of the anterior cavity wall.
  if (sl.sternum) {
    const double y_front = s_.cav_cy - sl.cav_b;
    const double half = (z > s_.sternum_top_z - 40) ? 24.0 : 15.0;
    const double bx = std::fabs(x) - half, by = std::fabs(y - (y_front - 6.0)) - 5.0;
    const double bsd_st = std::max(bx, by);
    if (bsd_st < px) v = mix(v, bsd_st > -1.8 ? 700.0 : 260.0, cover(bsd_st, px));
  }
  // Air outside the skin edge.
  v = mix(-1000.0, v, cover(bsd, px));
  out.hu = static_cast<float>(v);
  return out;
}

}  // namespace medai::synth
