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

#include "support/dicom_tools.h"
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

using ToolOutput = medai::testing::ToolResult;
inline ToolOutput run_tool(const std::string& command) { return medai::testing::run_command(command, 300); }
using medai::testing::dciodvfy_errors;

inline nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream f(p);
  return nlohmann::json::parse(f);
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

}  // namespace medai::synth::testing
