// synth_preview: renders synthetic studies with their ground truth drawn on
// them, as small PNGs (docs/images/synth). Usage:
//   synth_preview chest-ct SEED OUT_DIR [--small]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "synth/chest_ct.h"

namespace fs = std::filesystem;
using namespace medai::synth;

namespace {

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
    cv::putText(img, label, {6, 18}, cv::FONT_HERSHEY_SIMPLEX, 0.5, {0, 255, 255}, 1, cv::LINE_AA);
    std::printf("%s slice %d\n", label, k);
    cv::imwrite((out / ("chest_ct_seed" + std::to_string(seed) + "_nodule" + std::to_string(n.id) + ".png")).string(), img);
  }
  for (double f : {0.15, 0.35, 0.55, 0.8}) {
    const int k = static_cast<int>(f * st.hu.nz);
    cv::imwrite((out / ("chest_ct_seed" + std::to_string(seed) + "_z" + std::to_string(k) + ".png")).string(),
                window_slice(st.hu, k, -600, 1500));
    cv::imwrite((out / ("chest_ct_seed" + std::to_string(seed) + "_z" + std::to_string(k) + "_soft.png")).string(),
                window_slice(st.hu, k, 40, 400));
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
  cv::imwrite((out / ("chest_ct_seed" + std::to_string(seed) + "_coronal.png")).string(), cor_scaled);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: synth_preview chest-ct SEED OUT_DIR [--small]\n");
    return 2;
  }
  const std::string kind = argv[1];
  const auto seed = std::strtoull(argv[2], nullptr, 10);
  const bool small = argc > 4 && std::string(argv[4]) == "--small";
  if (kind == "chest-ct") return chest(seed, argv[3], small);
  std::fprintf(stderr, "unknown kind %s\n", kind.c_str());
  return 2;
}
