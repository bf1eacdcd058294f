#pragma once
// A unique, empty folder under the system temp directory, removed (with its
// content) when the test ends, so storage tests are hermetic.
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

namespace medai::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (;;) {
      path_ = base / ("medai-storage-test-" + std::to_string(::getpid()) + "-" +
                      std::to_string(rd()) + std::to_string(rd()));
      if (std::filesystem::create_directory(path_)) break;
    }
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace medai::storage::testing
