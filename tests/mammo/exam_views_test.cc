// Which views an exam has: the four screening views, missing ones flagged,
// foreign images set aside with a reason, nothing scorable refused.
#include <gtest/gtest.h>

#include "apps/mammo/exam_views.h"

namespace medai::apps::mammo {
namespace {

imaging::ProjectionImage view(const std::string& lat, const std::string& pos, const std::string& modality = "MG") {
  imaging::ProjectionImage p;
  p.modality = modality;
  p.laterality = lat;
  p.view_position = pos;
  p.presentation_intent = "FOR PRESENTATION";
  return p;
}

TEST(MammoExamViews, FourViewsInReadingOrder) {
  auto v = collect_exam_views({view("L", "MLO"), view("R", "CC"), view("L", "CC"), view("R", "MLO")});
  ASSERT_TRUE(v.is_ok());
  ASSERT_EQ(v->views.size(), 4u);
  EXPECT_EQ(v->views[0].name, "RCC");
  EXPECT_EQ(v->views[0].source, 1u);
  EXPECT_EQ(v->views[3].name, "LMLO");
  EXPECT_EQ(v->views[3].source, 0u);
  EXPECT_TRUE(v->complete());
  EXPECT_TRUE(v->set_aside.empty());
}

TEST(MammoExamViews, MissingViewsAreFlaggedAndForeignImagesSetAside) {
  auto v = collect_exam_views({view("R", "CC"), view("R", "CC"), view("L", "CC", "DX"), view("", "MLO"),
                               view("L", "ML"), view("L", "XCCL")});
  ASSERT_TRUE(v.is_ok());
  ASSERT_EQ(v->views.size(), 2u);
  EXPECT_EQ(v->views[0].name, "RCC");
  EXPECT_EQ(v->views[1].name, "LCC");  // the exaggerated CC scores as the CC
  EXPECT_EQ(v->missing, (std::vector<std::string>{"RMLO", "LMLO"}));
  ASSERT_EQ(v->set_aside.size(), 4u);
  EXPECT_EQ(v->set_aside[0]["index"], 1);  // the second RCC
  EXPECT_NE(v->set_aside[1]["reason"].get<std::string>().find("DX"), std::string::npos);
}

TEST(MammoExamViews, NothingScorableIsRefused) {
  auto v = collect_exam_views({view("R", "CC", "CT"), view("B", "CC")});
  ASSERT_FALSE(v.is_ok());
  EXPECT_EQ(v.status().code(), ErrorCode::unprocessable);
  EXPECT_EQ(v.status().detail()["reason"], "no_mammography_views");
  EXPECT_FALSE(collect_exam_views({}).is_ok());
}

}  // namespace
}  // namespace medai::apps::mammo
