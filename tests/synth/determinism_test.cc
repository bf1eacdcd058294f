// Same seed -> identical bytes of every file; different seed -> different data.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "synth/chest_ct.h"
#include "synth/mammography.h"
#include "synth/uid.h"
#include "synth_fixture.h"

namespace medai::synth {
namespace {

namespace fs = std::filesystem;

std::map<std::string, std::string> folder_bytes(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), root).string()] = testing::read_bytes(e.path());
  }
  return files;
}

TEST(SynthDeterminism, SameSeedGivesIdenticalFiles) {
  medai::testing::TempDir a, b;
  StudyOptions o;
  o.small = true;
  for (const char* kind : {"chest-ct", "mammo", "rt"}) {
    ASSERT_TRUE(write_study(kind, 42, 3, o, a / kind).is_ok()) << kind;
    o.threads = 1;  // thread count must not change the result
    ASSERT_TRUE(write_study(kind, 42, 3, o, b / kind).is_ok()) << kind;
    o.threads = 2;
    const auto fa = folder_bytes(a / kind), fb = folder_bytes(b / kind);
    ASSERT_FALSE(fa.empty());
    ASSERT_EQ(fa.size(), fb.size()) << kind;
    for (const auto& [name, bytes] : fa) {
      ASSERT_TRUE(fb.count(name)) << name;
      EXPECT_TRUE(bytes == fb.at(name)) << kind << "/" << name << " differs between runs";
    }
  }
  ASSERT_TRUE(write_study("diabetes", 42, 50, o, a / "dm").is_ok());
  ASSERT_TRUE(write_study("diabetes", 42, 50, o, b / "dm").is_ok());
  EXPECT_TRUE(folder_bytes(a / "dm") == folder_bytes(b / "dm"));
}

TEST(SynthDeterminism, DifferentSeedsGiveDifferentStudies) {
  ChestCtOptions o;
  o.small = true;
  const ChestCtStudy s1 = generate_chest_ct(1, o), s2 = generate_chest_ct(2, o);
  EXPECT_NE(s1.hu.data, s2.hu.data);
  MammoOptions m;
  m.small = true;
  EXPECT_NE(generate_mammo_exam(1, m).images[0].pixels, generate_mammo_exam(2, m).images[0].pixels);
  EXPECT_NE(study_seed(1, "chest-ct", 1), study_seed(1, "chest-ct", 2));
}

TEST(SynthUid, DeterministicValidAndDistinct) {
  const std::string u = synth_uid(5, "x/series");
  EXPECT_EQ(u, synth_uid(5, "x/series"));
  EXPECT_NE(u, synth_uid(6, "x/series"));
  EXPECT_NE(u, synth_uid(5, "x/study"));
  EXPECT_EQ(u.rfind("2.25.", 0), 0u);
  EXPECT_LE(u.size(), 64u);
  EXPECT_NE(u[5], '0');  // no leading zero in a UID component
  EXPECT_TRUE(std::all_of(u.begin() + 5, u.end(), [](char c) { return c >= '0' && c <= '9'; }));
}

}  // namespace
}  // namespace medai::synth
