#include "cli/evaluate_package.h"

#include <iostream>

#include "apps/eval/package_evaluation.h"
#include "apps/package_cache.h"
#include "cli/commands.h"
#include "core/clock.h"
#include "core/files.h"
#include "core/ids.h"
#include "evaluation/report_html.h"
#include "packages/package_verifier.h"
#include "packages/signing.h"

namespace medai::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

template <typename T>
T must(Result<T> r) {
  if (!r) fail(r.status());
  return std::move(*r);
}

void write_text(const std::string& path, const std::string& text) {
  if (Status s = write_file(path, text); !s) fail(make_error(ErrorCode::io_error, "cannot write " + path));
}

}  // namespace

void evaluate_package_offline(const PackageEvaluationFlags& f) {
  const std::string archive = must(read_file(f.package));
  packages::VerifiedPackage package;
  if (!f.public_key.empty()) {
    const auto key = must(packages::parse_key_json(must(read_file(f.public_key))));
    package = must(packages::verify_package(archive, {{f.vendor, key.key_id, key.public_key}}, {}, f.vendor));
  } else {
    package = must(packages::read_unsigned_package(archive, {}));
    std::cerr << "note: the signature is not checked (no --public-key); the manifest and file hashes are\n";
  }
  ScopedFolder unpacked{fs::temp_directory_path() / ("medai-evaluate-" + new_id("tmp"))};
  if (Status s = packages::unpack_package(package, unpacked.path); !s) fail(s);

  apps::eval::EvaluationTarget target;
  target.app.app = {package.manifest.name, package.manifest.vendor, package.manifest.version, package.digest,
                    package.manifest.document, ""};
  target.app.package_dir = unpacked.path;
  const runtime::ModelSpec spec = apps::model_spec_of(target.app.app, unpacked.path, f.threads);
  auto model = must(runtime::make_runtime(spec.runtime));
  if (Status s = model->load(spec); !s) fail(s);
  target.model = model.get();
  target.run.job_id = "evaluation";
  target.run.created_at_ms = now_ms();
  target.run.uid_key = "evaluation";
  target.run.threads = f.threads;

  const auto studies = must(apps::eval::list_studies(f.studies));
  apps::eval::PackageEvaluationOptions options;
  options.baseline = !f.no_baseline;
  options.threads = f.threads;
  options.bootstrap_resamples = f.resamples;
  json report = must(apps::eval::evaluate_package(target, studies, options));
  report["package"] = {{"file", fs::path(f.package).filename().string()},
                       {"digest", package.digest},
                       {"signature_checked", !f.public_key.empty()},
                       {"key_id", package.key_id}};
  if (!f.out.empty()) write_text(f.out, report.dump(2) + "\n");
  if (!f.html_out.empty()) write_text(f.html_out, evaluation::render_report_html(report));
  std::cout << package.manifest.name << " " << package.manifest.version << " (" << package.digest << ") on "
            << studies.size() << " studies\n";
  for (const auto& line : report.value("headline", json::array())) std::cout << "  " << line.get<std::string>() << "\n";
}

}  // namespace medai::cli
