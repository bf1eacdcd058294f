#include <gtest/gtest.h>

#include <map>
#include <set>

#include "datasets/csv_table.h"
#include "datasets/split.h"

namespace medai::datasets {
namespace {

TEST(CsvTest, ParsesQuotesCommasNewlinesAndCrlf) {
  auto t = parse_csv("a,\"b,c\",d\r\n1,\"x \"\"q\"\"\",\"multi\nline\"\r\n2,,NA\n");
  ASSERT_TRUE(t.is_ok()) << t.status().to_string();
  EXPECT_EQ(t->header, (std::vector<std::string>{"a", "b,c", "d"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0][1], "x \"q\"");
  EXPECT_EQ(t->rows[0][2], "multi\nline");
  EXPECT_TRUE(is_missing(t->rows[1][1]));
  EXPECT_TRUE(is_missing(t->rows[1][2]));
  // Round trip through the writer.
  auto again = parse_csv(to_csv(*t));
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->rows, t->rows);
}

TEST(CsvTest, RejectsBadInputWithTheLine) {
  auto ragged = parse_csv("a,b\n1,2\n3\n");
  ASSERT_FALSE(ragged.is_ok());
  EXPECT_EQ(ragged.status().code(), ErrorCode::invalid_argument);
  EXPECT_EQ(ragged.status().detail()["line"], 3);
  EXPECT_FALSE(parse_csv("a,\"b\n1,2\n").is_ok()) << "unterminated quote";
  EXPECT_FALSE(parse_csv("a,a\n1,2\n").is_ok()) << "duplicate column";
  EXPECT_FALSE(parse_csv("").is_ok()) << "no header";
  EXPECT_FALSE(parse_csv("a,b\n1,2\n", {.max_rows = 0}).is_ok());
  EXPECT_FALSE(parse_csv("a,b\n1,x\"y\n").is_ok()) << "quote inside a bare field";
}

TEST(SplitTest, StratifiedFractionsAndDeterministic) {
  std::vector<std::string> labels, groups;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 4 == 0 ? "pos" : "neg");
  groups.resize(labels.size());
  SplitSpec spec{.train = 0.7, .validation = 0.15, .test = 0.15, .seed = 42};
  auto a = assign_splits(labels, groups, spec);
  EXPECT_EQ(a, assign_splits(labels, groups, spec)) << "same seed, same split";
  spec.seed = 43;
  EXPECT_NE(a, assign_splits(labels, groups, spec)) << "another seed, another split";
  std::map<std::pair<std::string, Split>, int> counts;
  for (std::size_t i = 0; i < a.size(); ++i) ++counts[{labels[i], a[i]}];
  EXPECT_EQ((counts[{"pos", Split::train}]), 175);  // 250 positives: 70 / 15 / 15 %
  EXPECT_EQ((counts[{"pos", Split::validation}]), 38);
  EXPECT_EQ((counts[{"pos", Split::test}]), 37);
  EXPECT_EQ((counts[{"neg", Split::train}]), 525);
  EXPECT_EQ((counts[{"neg", Split::validation}]), 113);
  EXPECT_EQ((counts[{"neg", Split::test}]), 112);
}

TEST(SplitTest, NoPatientInTwoSplits) {
  std::vector<std::string> labels, groups;
  for (int p = 0; p < 200; ++p)
    for (int k = 0; k < 1 + p % 5; ++k) {
      labels.push_back(p % 3 == 0 ? "malignant" : "benign");
      groups.push_back("patient-" + std::to_string(p));
    }
  auto s = assign_splits(labels, groups, {.seed = 7});
  std::map<std::string, std::set<Split>> per_patient;
  for (std::size_t i = 0; i < s.size(); ++i) per_patient[groups[i]].insert(s[i]);
  for (const auto& [p, splits] : per_patient) EXPECT_EQ(splits.size(), 1u) << p;
  std::set<Split> used(s.begin(), s.end());
  EXPECT_EQ(used.size(), 3u);
}

TEST(SplitTest, KeptPatientsStayInTheirSplitAndOnlyNewOnesAreAssigned) {
  std::vector<std::string> labels, groups;
  for (int p = 0; p < 100; ++p) {
    labels.push_back(p % 4 == 0 ? "pos" : "neg");
    groups.push_back("patient-" + std::to_string(p));
  }
  const SplitSpec spec{.train = 0.6, .validation = 0.2, .test = 0.2, .seed = 5};
  const auto v1 = assign_splits(labels, groups, spec);
  std::map<std::string, Split> kept;
  for (std::size_t i = 0; i < v1.size(); ++i) kept[groups[i]] = v1[i];
  // Version 2: 60 new patients, and a second series of an old test patient.
  auto labels2 = labels, groups2 = groups;
  for (int p = 100; p < 160; ++p) {
    labels2.push_back(p % 4 == 0 ? "pos" : "neg");
    groups2.push_back("patient-" + std::to_string(p));
  }
  std::size_t old_test = 0;
  while (v1[old_test] != Split::test) ++old_test;
  labels2.push_back("neg");
  groups2.push_back(groups[old_test]);
  const auto v2 = assign_splits_keeping(labels2, groups2, spec, kept);
  for (std::size_t i = 0; i < v1.size(); ++i) EXPECT_EQ(v2[i], v1[i]) << groups[i] << " moved";
  EXPECT_EQ(v2.back(), Split::test) << "a test patient's new series is test too";
  // The new patients alone are split stratified like a fresh split of them.
  std::vector<std::string> new_labels(labels2.begin() + 100, labels2.begin() + 160),
      new_groups(groups2.begin() + 100, groups2.begin() + 160);
  const auto fresh = assign_splits(new_labels, new_groups, spec);
  EXPECT_EQ(std::vector<Split>(v2.begin() + 100, v2.begin() + 160), fresh);
  std::map<Split, int> counts;
  for (Split s : fresh) ++counts[s];
  EXPECT_EQ(counts[Split::train], 36);
  EXPECT_EQ(counts[Split::validation], 12);
  EXPECT_EQ(counts[Split::test], 12);
}

TEST(SplitTest, ValidatesFractions) {
  EXPECT_FALSE(validate(SplitSpec{.train = 0.8, .validation = 0.3, .test = 0}).is_ok());
  EXPECT_FALSE(validate(SplitSpec{.train = -0.1, .validation = 0.6, .test = 0.5}).is_ok());
  EXPECT_TRUE(validate(SplitSpec{.train = 1, .validation = 0, .test = 0}).is_ok());
}

}  // namespace
}  // namespace medai::datasets
