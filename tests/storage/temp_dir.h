#pragma once
// Storage tests use the shared hermetic temp folder (tests/support).
#include "support/temp_dir.h"

namespace medai::storage::testing {
using medai::testing::TempDir;
}  // namespace medai::storage::testing
