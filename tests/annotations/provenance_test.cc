// UID derivation: deterministic per (key, job, input, kind), distinct
// otherwise, valid DICOM UIDs for the 2.25 root and for an organisation root.
#include "annotations/provenance.h"

#include <gtest/gtest.h>

#include <regex>

namespace medai::annotations {
namespace {

bool valid_uid(const std::string& uid) {
  static const std::regex re(R"((0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*)");
  return uid.size() <= 64 && std::regex_match(uid, re);
}

TEST(Uids, DeterministicAndDistinct) {
  UidDeriver d;
  d.uid_key = "installation-seed";
  const std::string a = d.derive("job-1", "sha256:00", "seg");
  EXPECT_EQ(a, d.derive("job-1", "sha256:00", "seg"));
  EXPECT_EQ(a.rfind("2.25.", 0), 0u);
  EXPECT_TRUE(valid_uid(a)) << a;
  EXPECT_NE(a, d.derive("job-2", "sha256:00", "seg"));
  EXPECT_NE(a, d.derive("job-1", "sha256:01", "seg"));
  EXPECT_NE(a, d.derive("job-1", "sha256:00", "sr"));
  // Field boundaries matter: ("ab","c") is not ("a","bc").
  EXPECT_NE(d.derive("ab", "c", "seg"), d.derive("a", "bc", "seg"));
  UidDeriver other = d;
  other.uid_key = "another-installation";
  EXPECT_NE(a, other.derive("job-1", "sha256:00", "seg"));
  const OutputSeries o = d.output_series("job-1", "sha256:00", "seg");
  EXPECT_EQ(o.sop_instance_uid, a);
  EXPECT_NE(o.series_instance_uid, a);
}

TEST(Uids, OrganisationRootFitsSixtyFourCharacters) {
  UidDeriver d;
  d.uid_root = "1.2.826.0.1.3680043.10.1234";
  d.uid_key = "k";
  for (int i = 0; i < 200; ++i) {
    const std::string u = d.derive("job-" + std::to_string(i), "in", "sr");
    EXPECT_TRUE(valid_uid(u)) << u;
    EXPECT_EQ(u.rfind(d.uid_root + ".", 0), 0u);
  }
}

TEST(Provenance, ResearchPrefix) {
  Producer p;
  EXPECT_EQ(research_prefixed(p, "Nodules"), "Nodules");
  p.research_use_only = true;
  EXPECT_EQ(research_prefixed(p, "Nodules"), "RESEARCH USE ONLY - Nodules");
  EXPECT_LE(research_prefixed(p, std::string(100, 'x')).size(), 64u);
}

TEST(Provenance, UsageNoticeNamesTheAppAndTheSyntheticTraining) {
  Producer p;
  p.app_name = "lung-nodule-screening";
  p.app_version = "1.0.0";
  p.package_digest = "sha256:ab";
  EXPECT_EQ(usage_notice(p), "");  // a cleared clinical product says nothing extra
  p.research_use_only = true;
  EXPECT_EQ(usage_notice(p), "Research use only - not for diagnostic use. lung-nodule-screening 1.0.0 (package sha256:ab)");
  p.synthetic_training_data = true;
  EXPECT_EQ(usage_notice(p),
            "Research use only - trained on synthetic data - not for diagnostic use. lung-nodule-screening 1.0.0 "
            "(package sha256:ab)");
}

}  // namespace
}  // namespace medai::annotations
