// `medai app check-run <dir>` (hidden): the child side of the sandboxed
// check run of a model package (runtime/model_check.h). Loads the model with
// the runtime the manifest names, runs one inference on the package's test
// input and prints one JSON line: the report, or {"ok": false, "error",
// "message"}. Exit code 0 only on success. Not for interactive use; the
// parent sets the resource limits.
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.h"
#include "runtime/model_check.h"
#include "runtime/torch_threads.h"

namespace medai::cli {

void add_runtime_commands(CLI::App& app) {
  // `app` may already exist (package commands); share it.
  CLI::App* app_cmd = nullptr;
  for (CLI::App* sub : app.get_subcommands([](CLI::App* s) { return s->get_name() == "app"; })) app_cmd = sub;
  if (!app_cmd) app_cmd = app.add_subcommand("app", "AI app packages");

  auto* check = app_cmd->add_subcommand("check-run", "internal: sandboxed model check run of an unpacked package");
  check->group("");  // hidden from --help
  auto dir = std::make_shared<std::string>();
  auto manifest_arg = std::make_shared<std::string>();
  check->add_option("dir", *dir, "unpacked package folder")->required();
  check->add_option("--manifest", *manifest_arg, "manifest file, '-' for stdin (default <dir>/manifest.json)");
  check->callback([dir, manifest_arg] {
    auto emit = [](const nlohmann::json& j, int code) {
      std::cout << j.dump() << std::endl;
      exit_with(code);
    };
    std::string text;
    if (*manifest_arg == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(manifest_arg->empty() ? std::filesystem::path(*dir) / "manifest.json"
                                             : std::filesystem::path(*manifest_arg));
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const nlohmann::json manifest = nlohmann::json::parse(text, nullptr, false);
    if (!manifest.is_object())
      emit({{"ok", false}, {"error", "invalid_argument"}, {"message", "manifest is not a JSON object"}}, 1);
    int threads = 1;
    if (manifest.contains("model") && manifest["model"].is_object())
      threads = manifest["model"].value("threads", 1);
    runtime::configure_torch_threads(threads, 1);
    auto result = runtime::run_model_check(*dir, manifest);
    if (!result.is_ok()) {
      const Status& s = result.status();
      emit({{"ok", false}, {"error", std::string(error_code_name(s.code()))}, {"message", s.message()}}, 1);
    }
    emit(*result, 0);
  });
}

}  // namespace medai::cli
