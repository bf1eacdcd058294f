#pragma once
// The check run of a model package: load the model with the runtime the
// manifest names and run one inference on the package's built-in test
// input. run_model_check does it in-process (it is what the hidden
// `medai app check-run` subcommand calls); check_model_in_sandbox runs that
// subcommand in a child process with resource limits, so a hostile or
// broken artifact can crash, hang or bloat only the child.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/status.h"
#include "runtime/tensor.h"

namespace medai::runtime {

// The check's inputs: `<dir>/test/input.json` ({"inputs": [KServe v2
// tensors]} or the bare array) when the package has one, otherwise zeros of
// the declared input: volume [1, channels, patch_size...], image
// [1, channels, patch_size...], tabular [1, len(features)].
Result<std::vector<Tensor>> check_inputs(const std::filesystem::path& unpacked_package_dir,
                                         const nlohmann::json& manifest);

// Loads and runs once in this process. The report: {"ok": true, "runtime",
// "load_ms", "infer_ms", "outputs": [{"name","datatype","shape","finite"}]}.
// Errors keep the runtime's code (model_load_failed, invalid_input,
// inference_failed) or invalid_argument for a manifest without a usable
// model section or an artifact path leaving the package.
Result<nlohmann::json> run_model_check(const std::filesystem::path& unpacked_package_dir,
                                       const nlohmann::json& manifest);

struct SandboxLimits {
  std::uint64_t address_space_bytes = 16ULL << 30;  // RLIMIT_AS (LibTorch reserves much virtual memory)
  std::uint64_t cpu_seconds = 120;                  // RLIMIT_CPU
  std::chrono::milliseconds timeout{120000};        // wall clock, then SIGKILL
  std::size_t max_output_bytes = 1 << 20;
};

// Spawns `medai_binary app check-run <dir> --manifest -` (manifest on
// stdin) with no core files, closed descriptors, an empty environment except
// PATH/HOME/LANG/MEDAI_* and the limits above. OK when the child reports
// success; otherwise model_check_failed with a reason in the message and
// {"reason": crashed|timeout|failed|no_report, "signal"?, "exit_code"?,
// "error"?: child's code} in the detail. `report` receives the child's JSON.
Status check_model_in_sandbox(const std::filesystem::path& unpacked_package_dir, const nlohmann::json& manifest,
                              const std::filesystem::path& medai_binary, const SandboxLimits& limits = {},
                              nlohmann::json* report = nullptr);

}  // namespace medai::runtime
