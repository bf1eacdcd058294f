#pragma once
// Shared inputs of the annotations tests: a small synthetic chest CT (with
// nodules) and a small RT planning CT (with structures), each written once as
// a real CT series and read back as a SourceSeries; runners for dciodvfy and
// pydicom.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "annotations/provenance.h"
#include "annotations/source_series.h"
#include "support/dicom_tools.h"
#include "support/temp_dir.h"
#include "synth/chest_ct.h"
#include "synth/ct_writer.h"
#include "synth/rt_phantom.h"
#include "synth/study_output.h"

namespace medai::annotations::testing {

struct CtCase {
  imaging::Volume<std::uint8_t> labels;  // nodule ids, or RT structure bits
  SourceSeries source;
  std::vector<std::filesystem::path> files;
};

struct Inputs {
  medai::testing::TempDir dir;
  CtCase chest, rt;
  std::vector<synth::RtStructure> rois;
};

inline CtCase write_case(const imaging::Volume<std::int16_t>& hu, const imaging::Volume<std::uint8_t>& labels,
                         const std::string& kind, const std::filesystem::path& dir) {
  CtCase c;
  c.labels = labels;
  const synth::StudyIdentity id = synth::make_identity(7, kind, 1, 60, false, "annotations test");
  synth::CtSeriesOptions o;
  o.series = {"2.25.1" + std::to_string(kind.size()) + "77", "CT", "test CT", 1};
  o.uid_label = kind + "/ct";
  auto written = synth::write_ct_series(hu, id, o, dir);
  if (!written.is_ok()) {
    ADD_FAILURE() << written.status().to_string();
    return c;
  }
  c.files = written.value().files;
  auto source = source_series_from_files(c.files);
  if (!source.is_ok()) {
    ADD_FAILURE() << source.status().to_string();
    return c;
  }
  c.source = source.value();
  return c;
}

inline Inputs& inputs() {
  static Inputs* in = [] {
    auto* s = new Inputs;
    synth::ChestCtOptions co;
    co.small = true;
    co.min_nodules = 2;
    const synth::ChestCtStudy chest = synth::generate_chest_ct(synth::study_seed(7, "chest-ct", 1), co);
    s->chest = write_case(chest.hu, chest.nodule_label, "chest-ct", s->dir / "chest");
    synth::RtOptions ro;
    ro.small = true;
    const synth::RtPhantom rt = synth::generate_rt_phantom(synth::study_seed(7, "rt", 1), ro);
    s->rt = write_case(rt.hu, rt.structures, "rt", s->dir / "rt");
    s->rois = rt.rois;
    return s;
  }();
  return *in;
}

inline Producer test_producer(bool research = true) {
  Producer p;
  p.manufacturer = "medai-reference";
  p.app_name = "lung-nodule-screening";
  p.app_version = "1.2.0";
  p.package_digest = "sha256:" + std::string(64, 'a');
  p.input_digest = "sha256:" + std::string(64, 'b');
  p.job_id = "job-42";
  p.research_use_only = research;
  return p;
}

inline OutputSeries test_output(const std::string& kind, const std::string& description) {
  UidDeriver d;
  d.uid_key = "test-seed";
  OutputSeries o = d.output_series("job-42", "sha256:" + std::string(64, 'b'), kind);
  o.series_description = description;
  o.series_number = 901;
  o.content_date = "20261127";
  o.content_time = "153000";
  return o;
}

using ToolOutput = medai::testing::ToolResult;
inline ToolOutput run_tool(const std::string& command) { return medai::testing::run_command(command, 300); }

// When MEDAI_KEEP_OUTPUTS names a folder, a copy of `file` is left there for
// inspection (e.g. `dciodvfy -new`, `dsrdump`, a viewer).
inline void keep_copy(const std::filesystem::path& file) {
  if (const char* dir = std::getenv("MEDAI_KEEP_OUTPUTS")) {
    std::error_code ec;
    std::filesystem::copy_file(file, std::filesystem::path(dir) / file.filename(),
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
}

// "Error ..." lines of dciodvfy (a copy of the file is kept on request).
inline std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file, std::string* all = nullptr) {
  keep_copy(file);
  return medai::testing::dciodvfy_errors(file, all);
}

// Runs a Python snippet under /usr/bin/python3 (pydicom) with `file` as sys.argv[1].
inline ToolOutput run_pydicom(const std::string& script, const std::filesystem::path& file) {
  const std::filesystem::path py =
      std::filesystem::temp_directory_path() / ("medai-annotations-" + std::to_string(::getpid()) + ".py");
  FILE* f = std::fopen(py.c_str(), "w");
  if (!f) return {};
  std::fwrite(script.data(), 1, script.size(), f);
  std::fclose(f);
  ToolOutput o = run_tool("/usr/bin/python3 '" + py.string() + "' '" + file.string() + "'");
  std::filesystem::remove(py);
  return o;
}

}  // namespace medai::annotations::testing
