// Stage times of the lung-nodule screening app on one stored CT series (issue
// #7: 512x512x300 from stored DICOM to stored results <= 20 s on 2 cores):
//   load        DICOM files -> HU volume (series loader) + input check
//   pre+infer   the package's pre-processing (resample 2 mm, window) and the
//               detector over sliding windows (TorchScript runtime)
//   post        heat-map peaks, lung mask, nodule segmentation/measurement,
//               type, Lung-RADS, Brock
//   write       SEG + SR TID 1500 + JSON, written to files
// Usage: lung_app_bench <ct folder> <model.pt> <manifest.json> <out folder> [threads]
// Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <ATen/Parallel.h>

#include "annotations/source_series.h"
#include "apps/lung/heatmap_peaks.h"
#include "apps/lung/lung_model_detector.h"
#include "apps/lung/lung_results.h"
#include "runtime/model_runtime.h"

namespace fs = std::filesystem;
using namespace medai;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s <ct folder> <model.pt> <manifest.json> <out folder> [threads]\n", argv[0]);
    return 2;
  }
  const int threads = argc > 5 ? std::atoi(argv[5]) : 2;
  at::set_num_threads(threads);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(argv[1]))
    if (e.path().extension() == ".dcm") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::ifstream mf(argv[3]);
  const auto manifest = nlohmann::json::parse(mf);
  auto fail = [](const Status& s) {
    std::fprintf(stderr, "error: %s\n", s.message().c_str());
    return 1;
  };

  auto rt = runtime::make_runtime("torchscript");
  if (!rt) return fail(rt.status());
  runtime::ModelSpec spec{"lung", "torchscript", argv[2], threads, {}};
  if (auto st = (*rt)->load(spec); !st.is_ok()) return fail(st);
  std::shared_ptr<runtime::ModelRuntime> model(std::move(*rt));

  auto t = Clock::now();
  const auto t_all = t;
  auto series = imaging::load_series_volume(files);
  if (!series) return fail(series.status());
  if (auto st = apps::lung::check_lung_series(*series); !st.is_ok()) return fail(st);
  auto source = annotations::source_series_from_files(files);
  if (!source) return fail(source.status());
  const double load_s = since(t);
  std::fprintf(stderr, "load %.1f s\n", load_s);

  t = Clock::now();
  const bool from_background =
      manifest.value("output", nlohmann::json::object()).value("thresholds", nlohmann::json::object()).value(
          "heat_from_background", 0.0) != 0.0;
  auto candidates =
      apps::lung::detect_with_model(model, manifest.at("pipeline"), series->volume, threads, 0.05, from_background);
  if (!candidates) return fail(candidates.status());
  const double infer_s = since(t);
  std::fprintf(stderr, "pre+infer %.1f s, %zu candidates\n", infer_s, candidates->size());
  if (std::getenv("LUNG_BENCH_CANDIDATES"))
    for (const auto& c : *candidates) std::fprintf(stderr, "  %.1f %.1f %.1f  %.3f\n", c.centre.x, c.centre.y, c.centre.z, c.score);

  t = Clock::now();
  const auto lungs = apps::lung::compute_lung_mask(series->volume);
  const double lung_mask_s = since(t);
  const auto near = apps::lung::candidates_near_lungs(series->volume, lungs, *candidates);
  const auto findings = apps::lung::build_lung_findings(series->volume, lungs, near, {});
  const double post_s = since(t);
  std::fprintf(stderr, "lung mask %.1f s, %zu candidates near the lungs\n", lung_mask_s, near.size());
  std::fprintf(stderr, "post %.1f s\n", post_s);

  t = Clock::now();
  apps::lung::LungResultContext ctx;
  ctx.series = &*series;
  ctx.source = &*source;
  ctx.producer.app_name = "lung-nodule-screening";
  ctx.producer.app_version = manifest.value("version", "0");
  ctx.producer.research_use_only = true;
  annotations::UidDeriver uids{"2.25", "bench"};
  ctx.output = [&](const char* kind, int number, const std::string& description) {
    auto o = uids.output_series("bench", "bench", kind);
    o.series_number = number;
    o.series_description = description;
    o.content_date = "20261127";
    o.content_time = "000000";
    return o;
  };
  auto out = apps::lung::write_lung_results(findings, ctx);
  if (!out) return fail(out.status());
  fs::create_directories(argv[4]);
  for (const auto& o : out->objects)
    if (auto st = annotations::save_object(o, fs::path(argv[4]) / (o.sop_instance_uid + ".dcm")); !st.is_ok())
      return fail(st);
  std::ofstream(fs::path(argv[4]) / "result.json") << annotations::to_json(out->result).dump(2);
  const double write_s = since(t);

  const auto& v = series->volume;
  std::printf("{\"size\": [%d, %d, %d], \"threads\": %d, \"load_s\": %.2f, \"pre_infer_s\": %.2f, \"post_s\": %.2f, "
              "\"write_s\": %.2f, \"total_s\": %.2f, \"candidates\": %zu, \"nodules\": %zu, \"lung_rads\": \"%s\"}\n",
              v.nx, v.ny, v.nz, threads, load_s, infer_s, post_s, write_s, since(t_all), candidates->size(),
              findings.nodules.size(), apps::lung::to_string(findings.exam_category).c_str());
  return 0;
}
