#pragma once
// Runs a helper program (e.g. Rscript) without a shell and captures its
// standard output. Arguments are passed as-is, so nothing is interpreted.
#include <cstddef>
#include <string>
#include <vector>

#include "core/status.h"

namespace medai {

struct ProcessOutput {
  int exit_code = -1;
  std::string out;
};

// not_found when the program cannot be started (not installed); io_error
// when the output exceeds max_output. stderr is discarded unless the caller
// redirects it; the exit code is returned, not judged.
Result<ProcessOutput> run_capture(const std::vector<std::string>& argv, std::size_t max_output = 256 << 20);

}  // namespace medai
