#pragma once
// `medai evaluate --package P --studies DIR`: offline evaluation of an
// imaging app package on labelled study folders (no server needed).
#include <string>

namespace medai::cli {

struct PackageEvaluationFlags {
  std::string package, studies, public_key, vendor, out, html_out;
  int threads = 2;
  int resamples = 2000;
  bool no_baseline = false;
};

// Exits through fail() with the error's code on any problem.
void evaluate_package_offline(const PackageEvaluationFlags& flags);

}  // namespace medai::cli
