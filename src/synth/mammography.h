#pragma once
// Synthetic screening mammography exam: four For-Presentation views (RCC,
// LCC, RMLO, LMLO) of a compressed breast with fibroglandular texture of a
// BI-RADS density class, skin line, nipple, pectoral muscle on MLO, and in a
// fraction of exams one lesion (circumscribed mass, spiculated mass or a
// cluster of microcalcifications) seen in both views of its side at the same
// distance from the nipple. Pixel values: 12-bit, bright = attenuating.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medai::synth {

enum class Laterality { right, left };
enum class MammoView { cc, mlo };
enum class LesionKind { none, circumscribed_mass, spiculated_mass, calcifications };

std::string to_string(LesionKind k);

struct MammoLesion {
  LesionKind kind = LesionKind::none;
  Laterality side = Laterality::right;
  double nipple_distance_mm = 50;  // along the nipple-chest wall axis
  double ml = 0;                   // medial(-1)..lateral(+1) position, fraction of half height
  double si = 0;                   // inferior(-1)..superior(+1)
  double size_mm = 10;             // mass diameter or cluster diameter
  bool malignant = false;
};

struct MammoImage {
  Laterality side = Laterality::right;
  MammoView view = MammoView::cc;
  int rows = 0, cols = 0;
  double pixel_mm = 0.1;
  std::vector<std::uint16_t> pixels;  // rows*cols, 12-bit
  std::vector<std::uint8_t> lesion_mask;  // rows*cols (0/1), empty when no lesion in this view
  std::array<int, 4> lesion_box{0, 0, 0, 0};  // x0, y0, x1, y1 (inclusive pixel indices)
  bool has_lesion = false;
  double window_center = 2048, window_width = 4096;
  bool chest_wall_on_left() const { return side == Laterality::left; }
};

struct MammoExam {
  char density = 'b';  // BI-RADS a..d
  double dense_fraction = 0.3;
  int age = 55;
  MammoLesion lesion;  // kind none = normal exam
  std::vector<MammoImage> images;  // RCC, LCC, RMLO, LMLO
  std::string exam_label() const;  // normal | benign | malignant
};

struct MammoOptions {
  bool small = false;  // 512x416 instead of 2000x1600
  int threads = 2;
  double lesion_fraction = 0.5;  // enriched, see docs/synthetic-data.md
};

MammoExam generate_mammo_exam(std::uint64_t seed, const MammoOptions& options);

}  // namespace medai::synth
