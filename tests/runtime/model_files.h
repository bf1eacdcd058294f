#pragma once
// Small models the runtime tests generate on the fly (nothing committed).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "runtime/model_runtime.h"
#include "runtime/torchscript_builder.h"

namespace medai::testing {

// forward(x) = x * 2 + 1, with a 64 Ki-float parameter so memory tests see it.
inline std::filesystem::path write_affine_model(const std::filesystem::path& dir, int extra_floats = 1 << 16) {
  const auto path = dir / "affine.pt";
  Status s = runtime::save_torchscript_module(
      path, "def forward(self, x):\n    return x * self.scale + 1.0 + self.ballast.sum() * 0.0\n",
      {{"scale", {1}, 2.0f, false}, {"ballast", {extra_floats}, 0.5f, false}});
  EXPECT_TRUE(s.is_ok()) << s.to_string();
  return path;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void spit(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline runtime::ModelSpec spec_for(const std::string& key, const std::string& runtime_name,
                                   const std::filesystem::path& artifact, int threads = 1) {
  runtime::ModelSpec s;
  s.key = key;
  s.runtime = runtime_name;
  s.artifact = artifact;
  s.threads = threads;
  return s;
}

}  // namespace medai::testing
