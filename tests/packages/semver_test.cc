#include "packages/semver.h"

#include <gtest/gtest.h>

namespace medai::packages {
namespace {

TEST(SemVer, ParsesValidVersions) {
  for (const char* v : {"0.0.0", "1.2.3", "10.20.30", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-0.3.7",
                        "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85"})
    EXPECT_TRUE(parse_semver(v)) << v;
}

TEST(SemVer, RefusesInvalidVersions) {
  for (const char* v : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.3-", "1.2.3-01",
                        "1.2.3-a..b", "1.2.3+", "v1.2.3", "1.2.3 ", "-1.2.3", "1.2.3-a_b"})
    EXPECT_FALSE(parse_semver(v)) << v;
}

TEST(SemVer, PrecedenceFollowsTheSpecification) {
  // semver.org §11 example chain.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                         "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"};
  for (std::size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(compare_semver(*parse_semver(chain[i]), *parse_semver(chain[i + 1])), 0) << chain[i];
    EXPECT_GT(compare_semver(*parse_semver(chain[i + 1]), *parse_semver(chain[i])), 0) << chain[i];
  }
  EXPECT_EQ(compare_semver(*parse_semver("1.0.0+a"), *parse_semver("1.0.0+b")), 0);
}

}  // namespace
}  // namespace medai::packages
