#pragma once
// Shared helpers for the synth tests: one set of small studies written once
// per test binary, a runner for the real dciodvfy, DCMTK readers.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"
#include "synth/study_output.h"

namespace medai::synth::testing {

// Studies written once (small geometry) and shared by the tests of one binary.
struct SmallStudies {
  medai::testing::TempDir dir;
  nlohmann::json chest, mammo, rt;
  std::filesystem::path chest_dir, mammo_dir, rt_dir;
};

inline SmallStudies& small_studies() {
  static SmallStudies* s = [] {
    auto* st = new SmallStudies;
    StudyOptions o;
    o.small = true;
    o.min_nodules = 2;
    o.force_lesion = true;
    st->chest_dir = st->dir / "chest";
    st->mammo_dir = st->dir / "mammo";
    st->rt_dir = st->dir / "rt";
    auto c = write_study("chest-ct", 7, 1, o, st->chest_dir);
    auto m = write_study("mammo", 7, 1, o, st->mammo_dir);
    auto r = write_study("rt", 7, 1, o, st->rt_dir);
    if (!c.is_ok() || !m.is_ok() || !r.is_ok()) {
      ADD_FAILURE() << "writing small studies failed: " << c.status().to_string() << m.status().to_string()
                    << r.status().to_string();
      return st;
    }
    st->chest = c.value();
    st->mammo = m.value();
    st->rt = r.value();
    return st;
  }();
  return *s;
}

struct ToolOutput {
  int exit_code = -1;
  std::string text;
};

inline ToolOutput run_tool(const std::string& command) {
  ToolOutput out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.text.append(buf, n);
  const int status = ::pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// Lines of dciodvfy output that report an error.
inline std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file, std::string* all = nullptr) {
  const ToolOutput o = run_tool("dciodvfy -new '" + file.string() + "'");
  if (all) *all = o.text;
  std::vector<std::string> errors;
  std::size_t start = 0;
  while (start < o.text.size()) {
    std::size_t end = o.text.find('\n', start);
    if (end == std::string::npos) end = o.text.size();
    const std::string line = o.text.substr(start, end - start);
    if (line.rfind("Error", 0) == 0) errors.push_back(line);
    start = end + 1;
  }
  return errors;
}

inline nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream f(p);
  return nlohmann::json::parse(f);
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace medai::synth::testing
