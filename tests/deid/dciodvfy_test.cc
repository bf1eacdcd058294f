// dciodvfy (dicom3tools) judges a few de-identified files against their IODs:
// de-identification may not add errors the input did not already have.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>

#include "deid/deidentifier.h"
#include "support/temp_dir.h"

namespace medai::deid {
namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe)) out += buf.data();
  ::pclose(pipe);
  return out;
}

// "Error - ..." lines of dciodvfy with UIDs masked (they change by design),
// so the same problem in input and output compares equal.
std::set<std::string> errors(const fs::path& file) {
  std::set<std::string> out;
  const std::string text = run("dciodvfy '" + file.string() + "' 2>&1");
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("Error", 0) != 0) continue;
    line = std::regex_replace(line, std::regex("[0-9]+(\\.[0-9]+){2,}"), "<uid>");  // UIDs differ by design
    out.insert(line);
  }
  return out;
}

TEST(Dciodvfy, DeidentificationAddsNoIodErrors) {
  if (!fs::exists("/usr/bin/dciodvfy") || !fs::exists(kCorpus)) GTEST_SKIP() << "dciodvfy or pydicom missing";
  for (bool shift : {false, true}) {
    DeidOptions o;
    o.retain_modified_dates = shift;
    auto d = Deidentifier::create(std::string(64, 'e'), o);
    ASSERT_TRUE(d.is_ok());
    medai::testing::TempDir dir;
    for (const char* name : {"CT_small.dcm", "MR_small.dcm", "rtstruct.dcm", "rtplan.dcm", "rtdose.dcm",
                             "test-SR.dcm", "SC_rgb.dcm", "JPEG2000.dcm", "waveform_ecg.dcm"}) {
      if (!fs::exists(kCorpus / name)) continue;
      auto report = d->apply_file(kCorpus / name, dir.path());
      ASSERT_TRUE(report.is_ok()) << name << ": " << report.status().to_string();
      const auto before = errors(kCorpus / name);
      const auto after = errors(report->output_file);
      for (const auto& e : after)
        EXPECT_TRUE(before.count(e)) << name << (shift ? " (dates shifted)" : "")
                                     << ": new dciodvfy error: " << e;
      std::cout << "[ dciodvfy ] " << name << (shift ? " shifted" : "") << ": errors before " << before.size()
                << ", after " << after.size() << "\n";
    }
  }
}

}  // namespace
}  // namespace medai::deid
