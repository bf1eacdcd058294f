// Evaluation of a folder of generated studies by hand (data difficulty,
// model quality before packaging): skipped unless LUNG_HELDOUT_DIR is set.
//   medai synth chest-ct --seed 9001 --count 60 --matrix 256 --out /tmp/heldout
//   LUNG_HELDOUT_DIR=/tmp/heldout [LUNG_MODEL=model.pt LUNG_MANIFEST=manifest.json] [LUNG_REPORT=out.json]
//   build/release/tests/lung_tests --gtest_filter='HeldOut*' --gtest_also_run_disabled_tests   (with those variables set)
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "apps/lung/lung_evaluation.h"
#include "apps/lung/lung_model_detector.h"

namespace medai::apps::lung {
namespace {

TEST(HeldOut, DISABLED_Scores) {  // a tool, not a check: run with --gtest_also_run_disabled_tests
  const char* dir = std::getenv("LUNG_HELDOUT_DIR");
  if (!dir) GTEST_SKIP() << "LUNG_HELDOUT_DIR not set";
  LungEvaluationOptions o;
  std::optional<LungDetector> model;
  if (const char* pt = std::getenv("LUNG_MODEL")) {
    std::ifstream mf(std::getenv("LUNG_MANIFEST"));
    const auto manifest = nlohmann::json::parse(mf);
    const bool from_background =
        manifest.value("output", nlohmann::json::object()).value("thresholds", nlohmann::json::object()).value(
            "heat_from_background", 0.0) != 0.0;
    auto d = make_lung_model_detector(pt, manifest.at("pipeline"), 2, from_background);
    ASSERT_TRUE(d.is_ok()) << d.status().message();
    model = std::move(*d);
  }
  o.progress = [](std::size_t done, std::size_t total) {
    std::fprintf(stderr, "\r%zu/%zu", done, total);
    return true;
  };
  auto r = evaluate_lung_studies(list_study_folders(dir), model ? &*model : nullptr, o);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  if (const char* out = std::getenv("LUNG_REPORT")) std::ofstream(out) << r->dump(2);
  for (const char* who : {"model", "baseline"}) {
    if (!r->contains(who)) continue;
    auto b = (*r)[who];
    b.erase("froc");
    std::printf("%s: %s\n", who, b.dump().c_str());
    std::printf("%s CPM %.3f on %d scans, %d nodules\n", who, (*r)[who]["cpm"].get<double>(),
                (*r)["studies"].get<int>(), (*r)["nodules"].get<int>());
  }
}

}  // namespace
}  // namespace medai::apps::lung
