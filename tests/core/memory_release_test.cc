// The allocator the executables run on (docs/adr/0020) and handing its free
// pages back to the kernel after a large job.
#include "core/memory_release.h"

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace medai {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// Resident set size of this process, bytes.
long resident_bytes() {
  long pages_total = 0, pages_resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  const int n = std::fscanf(f, "%ld %ld", &pages_total, &pages_resident);
  std::fclose(f);
  return n == 2 ? pages_resident * ::sysconf(_SC_PAGESIZE) : -1;
}

TEST(Allocator, TheTestProgramsRunOnTcmallocAsTheServerDoes) {
  if (kSanitized) GTEST_SKIP() << "the sanitizer build keeps ASan's allocator";
  EXPECT_NE(::dlsym(RTLD_DEFAULT, "MallocExtension_ReleaseFreeMemory"), nullptr)
      << "tcmalloc is not linked: see medai_allocator in CMakeLists.txt";
}

TEST(Allocator, ReleaseFreeMemoryGivesFreedPagesBackToTheKernel) {
  if (kSanitized) GTEST_SKIP() << "ASan quarantines freed memory";
  constexpr std::size_t kBlock = 1 << 20, kBlocks = 256;  // 256 MiB in 1 MiB tensors' worth
  const long before = resident_bytes();
  ASSERT_GT(before, 0);
  {
    std::vector<std::unique_ptr<char[]>> blocks;
    for (std::size_t i = 0; i < kBlocks; ++i) {
      blocks.emplace_back(new char[kBlock]);
      std::memset(blocks.back().get(), static_cast<int>(i), kBlock);  // make it resident
    }
    EXPECT_GE(resident_bytes() - before, static_cast<long>(kBlocks * kBlock / 2));
  }
  release_free_memory();
  // Whatever the allocator kept after the frees, none of the 256 MiB stays
  // resident beyond a small slack once released.
  EXPECT_LT(resident_bytes() - before, static_cast<long>(32 << 20));
}

}  // namespace
}  // namespace medai
