// Imaging pipeline stage times on one CT series (issue #7's lung budget):
// series load (DICOM → HU volume), resample to 1 mm, window, sliding-window
// inference with a trivial model (returns its input: measures the tiling,
// Gaussian blending and copying, not a network), and the post-processing
// (threshold, 26-connected components, measure). Prints one JSON object.
//
//   pipeline_bench <folder with the series' .dcm files> [patch=64] [overlap=0.5] [threads=2]
//   pipeline_bench --make-ct <folder> [slices=300]   writes the synthetic 512x512 chest CT series that
//                                                    `medai synth chest-ct --seed 1 --slices N` writes
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "imaging/ops/connected_components.h"
#include "imaging/ops/label_ops.h"
#include "imaging/ops/measure.h"
#include "imaging/ops/resample.h"
#include "imaging/ops/sliding_window.h"
#include "imaging/ops/window.h"
#include "imaging/series_volume.h"
#include "synth/chest_ct.h"
#include "synth/ct_writer.h"

using namespace medai::imaging;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// Process CPU seconds (all threads): on a shared machine wall time includes
// waiting for a core; CPU time does not.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}
long peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}
}  // namespace

int make_ct(const std::filesystem::path& dir, int slices) {
  medai::synth::ChestCtOptions o;
  o.slices = slices;
  o.threads = 2;
  const auto study = medai::synth::generate_chest_ct(1, o);
  const auto id = medai::synth::make_identity(1, "chest-ct", 0, 60, false, "pipeline bench");
  medai::synth::CtSeriesOptions so;
  so.series = {"1.2.826.0.1.3680043.10.99.1", "CT", "bench", 1};
  so.uid_label = "bench";
  auto written = medai::synth::write_ct_series(study.hu, id, so, dir);
  if (!written.is_ok()) {
    std::cerr << written.status().to_string() << "\n";
    return 1;
  }
  std::cout << study.hu.nx << "x" << study.hu.ny << "x" << study.hu.nz << " written to " << dir.string() << "\n";
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "--make-ct") return make_ct(argv[2], argc > 3 ? std::stoi(argv[3]) : 300);
  if (argc < 2) {
    std::cerr << "usage: pipeline_bench <series folder> [patch=64] [overlap=0.5] [threads=2]\n";
    return 2;
  }
  const int patch = argc > 2 ? std::stoi(argv[2]) : 64;
  const double overlap = argc > 3 ? std::stod(argv[3]) : 0.5;
  const int threads = argc > 4 ? std::stoi(argv[4]) : 2;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(argv[1]))
    if (e.path().extension() == ".dcm") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  nlohmann::json out = {{"files", files.size()}, {"patch", patch}, {"overlap", overlap}, {"threads", threads}};

  auto t = Clock::now();
  double c = cpu_now();
  auto loaded = load_series_volume(files);
  if (!loaded.is_ok()) {
    std::cerr << loaded.status().to_string() << "\n";
    return 1;
  }
  out["load_s"] = since(t);
  out["load_cpu_s"] = cpu_now() - c;
  const Volume<float>& hu = loaded->volume;
  out["input"] = {hu.nx, hu.ny, hu.nz};
  out["input_spacing_mm"] = hu.spacing;

  t = Clock::now();
  c = cpu_now();
  Volume<float> image = resample_to_spacing(hu, {1, 1, 1}, Interpolation::linear, -1024, threads);
  out["resample_s"] = since(t);
  out["resample_cpu_s"] = cpu_now() - c;
  out["resampled"] = {image.nx, image.ny, image.nz};

  t = Clock::now();
  c = cpu_now();
  apply_window(image, -600, 1500);
  out["window_s"] = since(t);
  out["window_cpu_s"] = cpu_now() - c;

  std::size_t patches = 0;
  const PatchInferFn trivial = [&](const std::vector<float>& batch, int b, const std::array<int, 3>&)
      -> medai::Result<std::vector<float>> {
    patches += static_cast<std::size_t>(b);
    return batch;
  };
  SlidingWindowOptions o;
  o.patch_size = {patch, patch, patch};
  o.overlap = overlap;
  o.batch_size = 2;
  t = Clock::now();
  c = cpu_now();
  auto probs = sliding_window(image, trivial, o);
  if (!probs.is_ok()) {
    std::cerr << probs.status().to_string() << "\n";
    return 1;
  }
  out["sliding_window_s"] = since(t);
  out["sliding_window_cpu_s"] = cpu_now() - c;
  out["patches"] = patches;

  t = Clock::now();
  c = cpu_now();
  // The windowed lung image thresholded at 0.75 (≈ +525 HU: bone and contrast) gives many components.
  const Volume<std::uint8_t> mask = threshold(probs->front(), 0.75);
  ComponentOptions co;
  co.min_voxels = 10;
  const Components comps = connected_components(mask, co);
  const auto measured = measure(comps, &hu);
  out["post_s"] = since(t);
  out["post_cpu_s"] = cpu_now() - c;
  out["components"] = comps.stats.size();
  out["measured"] = measured.size();
  out["peak_rss_mib"] = peak_rss_mib();
  std::cout << out.dump() << std::endl;
  return 0;
}
