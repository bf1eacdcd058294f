// synth_preview: renders synthetic studies with their ground truth drawn on
// them, as small PNGs (docs/images/synth). Usage:
//   synth_preview chest-ct|mammo|rt SEED OUT_DIR [--small]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "synth/chest_ct.h"
#include "imaging/contours.h"
#include "synth/mammography.h"
#include "synth/rt_phantom.h"
#include "synth/study_output.h"

namespace fs = std::filesystem;
using namespace medai::synth;
using medai::imaging::Point2;
using medai::imaging::Polygon;
using medai::imaging::trace_contours;

namespace {

// PNGs for the docs must stay small (< 200 KB): maximum compression, and
// chest slices cropped to the patient.
void save(const fs::path& path, const cv::Mat& img) {
  cv::imwrite(path.string(), img, {cv::IMWRITE_PNG_COMPRESSION, 9});
}

cv::Mat crop_to_body(const cv::Mat& img, const Volume<std::int16_t>& v, int k) {
  int i0 = v.nx, i1 = 0, j0 = v.ny, j1 = 0;
  for (int j = 0; j < v.ny; ++j)
    for (int i = 0; i < v.nx; ++i)
      if (v.at(i, j, k) > -500 && v.at(i, j, k) < 150) {
        i0 = std::min(i0, i); i1 = std::max(i1, i); j0 = std::min(j0, j); j1 = std::max(j1, j);
      }
  if (i1 <= i0 || j1 <= j0) return img;
  const int m = 8;
  i0 = std::max(0, i0 - m); j0 = std::max(0, j0 - m - 20); i1 = std::min(v.nx - 1, i1 + m); j1 = std::min(v.ny - 1, j1 + m);
  return img(cv::Rect(i0, j0, i1 - i0 + 1, j1 - j0 + 1)).clone();
}

cv::Mat window_slice(const Volume<std::int16_t>& v, int k, double center, double width) {
  cv::Mat img(v.ny, v.nx, CV_8UC3);
  const std::int16_t* s = v.slice(k);
  for (int j = 0; j < v.ny; ++j) {
    for (int i = 0; i < v.nx; ++i) {
      const double g = (s[j * v.nx + i] - (center - width / 2)) / width * 255.0;
      const auto c = static_cast<unsigned char>(std::clamp(g, 0.0, 255.0));
      img.at<cv::Vec3b>(j, i) = {c, c, c};
    }
  }
  return img;
}

int chest(std::uint64_t seed, const fs::path& out, bool small) {
  ChestCtOptions o;
  o.small = small;
  o.min_nodules = 1;
  const ChestCtStudy st = generate_chest_ct(seed, o);
  std::printf("%dx%dx%d spacing %.2f %.2f nodules %zu\n", st.hu.nx, st.hu.ny, st.hu.nz, st.hu.spacing[0],
              st.hu.spacing[2], st.nodules.size());
  fs::create_directories(out);
  for (const Nodule& n : st.nodules) {
    const int k = n.centroid_voxel[2];
    cv::Mat img = window_slice(st.hu, k, -600, 1500);
    const double r = std::max(4.0, n.max_axial_diameter_mm / st.hu.spacing[0] / 2 + 4);
    cv::circle(img, {n.centroid_voxel[0], n.centroid_voxel[1]}, static_cast<int>(r),
               n.malignant ? cv::Scalar(0, 0, 255) : cv::Scalar(0, 200, 0), 1, cv::LINE_AA);
    char label[160];
    std::snprintf(label, sizeof label, "#%d %s %s %.1fmm %s", n.id, to_string(n.type).c_str(),
                  to_string(n.location).c_str(), n.max_axial_diameter_mm, n.malignant ? "malignant" : "benign");
    img = crop_to_body(img, st.hu, k);
    cv::putText(img, label, {6, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {0, 255, 255}, 1, cv::LINE_AA);
    std::printf("%s slice %d\n", label, k);
    save(out / ("chest_ct_seed" + std::to_string(seed) + "_nodule" + std::to_string(n.id) + ".png"), img);
  }
  for (double f : {0.15, 0.35, 0.55, 0.8}) {
    const int k = static_cast<int>(f * st.hu.nz);
    save(out / ("chest_ct_seed" + std::to_string(seed) + "_z" + std::to_string(k) + ".png"),
         crop_to_body(window_slice(st.hu, k, -600, 1500), st.hu, k));
    save(out / ("chest_ct_seed" + std::to_string(seed) + "_z" + std::to_string(k) + "_soft.png"),
         crop_to_body(window_slice(st.hu, k, 40, 400), st.hu, k));
  }
  // Coronal reformat through the middle.
  cv::Mat cor(st.hu.nz, st.hu.nx, CV_8UC1);
  const int j = st.hu.ny / 2;
  for (int k = 0; k < st.hu.nz; ++k)
    for (int i = 0; i < st.hu.nx; ++i)
      cor.at<unsigned char>(st.hu.nz - 1 - k, i) =
          static_cast<unsigned char>(std::clamp((st.hu.at(i, j, k) + 1350) / 1500.0 * 255.0, 0.0, 255.0));
  cv::Mat cor_scaled;
  cv::resize(cor, cor_scaled, {st.hu.nx, static_cast<int>(st.hu.nz * st.hu.spacing[2] / st.hu.spacing[0])});
  save(out / ("chest_ct_seed" + std::to_string(seed) + "_coronal.png"), cor_scaled);
  return 0;
}

// Four views side by side (RCC LCC / RMLO LMLO as a radiologist hangs them),
// VOI-windowed, lesion boxes and mask outlines drawn.
int mammo(std::uint64_t seed, const fs::path& out, bool small) {
  MammoOptions o;
  o.small = small;
  o.lesion_fraction = 1.0;
  const MammoExam e = generate_mammo_exam(study_seed(seed, "mammo", 1), o);
  std::printf("density %c lesion %s %s\n", e.density, to_string(e.lesion.kind).c_str(), e.exam_label().c_str());
  std::vector<cv::Mat> tiles;
  for (const MammoImage& img : e.images) {
    cv::Mat m(img.rows, img.cols, CV_8UC3);
    const double lo = img.window_center - img.window_width / 2;
    for (int r = 0; r < img.rows; ++r)
      for (int c = 0; c < img.cols; ++c) {
        const auto g = static_cast<unsigned char>(std::clamp((img.pixels[r * img.cols + c] - lo) / img.window_width * 255.0, 0.0, 255.0));
        m.at<cv::Vec3b>(r, c) = {g, g, g};
      }
    if (img.has_lesion) {
      cv::Mat mask(img.rows, img.cols, CV_8UC1, const_cast<std::uint8_t*>(img.lesion_mask.data()));
      std::vector<std::vector<cv::Point>> cs;
      cv::findContours(mask.clone(), cs, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
      if (e.lesion.kind != LesionKind::calcifications) cv::drawContours(m, cs, -1, {0, 255, 255}, 1);
      const int pad = std::max(4, img.rows / 80);
      cv::rectangle(m, {img.lesion_box[0] - pad, img.lesion_box[1] - pad}, {img.lesion_box[2] + pad, img.lesion_box[3] + pad},
                    e.lesion.malignant ? cv::Scalar(0, 0, 255) : cv::Scalar(0, 200, 0), std::max(1, img.rows / 400));
    }
    const std::string name = std::string(img.side == Laterality::left ? "L" : "R") + (img.view == MammoView::cc ? "CC" : "MLO");
    if (img.has_lesion) {
      // Native-resolution close-up (30 mm) of the lesion in this view.
      const int half = std::min({150, img.rows / 2 - 1, img.cols / 2 - 1});
      const int cx = std::clamp((img.lesion_box[0] + img.lesion_box[2]) / 2, half, img.cols - half - 1);
      const int cy = std::clamp((img.lesion_box[1] + img.lesion_box[3]) / 2, half, img.rows - half - 1);
      fs::create_directories(out);
      save(out / ("mammo_seed" + std::to_string(seed) + "_" + name + "_lesion.png"), m(cv::Rect(cx - half, cy - half, 2 * half, 2 * half)));
    }
    cv::putText(m, name, {img.cols / 2 - 20, img.rows / 20}, cv::FONT_HERSHEY_SIMPLEX, img.rows / 600.0, {0, 255, 255}, 2);
    cv::Mat small_tile;
    cv::resize(m, small_tile, {240, 300}, 0, 0, cv::INTER_AREA);
    tiles.push_back(small_tile);
  }
  cv::Mat top, bottom, all;
  cv::hconcat(std::vector<cv::Mat>{tiles[0], tiles[1]}, top);
  cv::hconcat(std::vector<cv::Mat>{tiles[2], tiles[3]}, bottom);
  cv::vconcat(top, bottom, all);
  char label[160];
  std::snprintf(label, sizeof label, "density %c, %s, %s", e.density, to_string(e.lesion.kind).c_str(), e.exam_label().c_str());
  cv::putText(all, label, {6, all.rows - 8}, cv::FONT_HERSHEY_SIMPLEX, 0.45, {0, 255, 255}, 1, cv::LINE_AA);
  fs::create_directories(out);
  save(out / ("mammo_seed" + std::to_string(seed) + ".png"), all);
  return 0;
}

// Planning CT slice through the GTV with every structure's RTSTRUCT contour.
int rt(std::uint64_t seed, const fs::path& out, bool small) {
  RtOptions o;
  o.small = small;
  const RtPhantom ph = generate_rt_phantom(study_seed(seed, "rt", 1), o);
  fs::create_directories(out);
  for (int which = 0; which < 2; ++which) {
    const int k = which == 0 ? ph.gtv.centroid_voxel[2] : ph.hu.nz / 3;
    cv::Mat img = window_slice(ph.hu, k, 40, 400);
    std::vector<std::uint8_t> mask(static_cast<std::size_t>(ph.hu.nx) * ph.hu.ny);
    for (const RtStructure& roi : ph.rois) {
      const std::uint8_t* s = ph.structures.slice(k);
      for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = (s[i] & roi.bit) ? 1 : 0;
      for (const Polygon& poly : trace_contours(mask.data(), ph.hu.nx, ph.hu.ny)) {
        std::vector<cv::Point> pts;
        for (const Point2& p : poly) pts.push_back({static_cast<int>(std::lround(p.x)), static_cast<int>(std::lround(p.y))});
        cv::polylines(img, pts, true, {static_cast<double>(roi.rgb[2]), static_cast<double>(roi.rgb[1]), static_cast<double>(roi.rgb[0])}, 1, cv::LINE_AA);
      }
    }
    img = crop_to_body(img, ph.hu, k);
    save(out / ("rt_seed" + std::to_string(seed) + (which == 0 ? "_gtv" : "_heart") + ".png"), img);
  }
  std::printf("rt %dx%dx%d gtv %.1f cc\n", ph.hu.nx, ph.hu.ny, ph.hu.nz, ph.gtv.volume_mm3 / 1000);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: synth_preview chest-ct|mammo|rt SEED OUT_DIR [--small]\n");
    return 2;
  }
  const std::string kind = argv[1];
  const auto seed = std::strtoull(argv[2], nullptr, 10);
  const bool small = argc > 4 && std::string(argv[4]) == "--small";
  if (kind == "chest-ct") return chest(seed, argv[3], small);
  if (kind == "mammo") return mammo(seed, argv[3], small);
  if (kind == "rt") return rt(seed, argv[3], small);
  std::fprintf(stderr, "unknown kind %s\n", kind.c_str());
  return 2;
}
