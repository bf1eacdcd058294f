#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "storage/catalog.h"

namespace medai::storage {
namespace {

Row make_row() {
  auto columns = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"n", "d", "t", "b", "z", "big"});
  return Row(columns, {std::int64_t{42}, 2.75, std::string("hello"), Bytes{1, 2},
                       nullptr, 1e300});
}

TEST(Row, AccessByIndexAndName) {
  Row r = make_row();
  EXPECT_EQ(r.size(), 6u);
  EXPECT_EQ(std::get<std::int64_t>(r.at(0)), 42);
  EXPECT_EQ(std::get<std::string>(r.at("t")), "hello");
  EXPECT_EQ(r.columns()[3], "b");
  EXPECT_THROW(r.at("missing"), std::out_of_range);
  EXPECT_THROW(r.at(99), std::out_of_range);
}

TEST(Row, NullYieldsFallback) {
  Row r = make_row();
  EXPECT_TRUE(r.is_null("z"));
  EXPECT_FALSE(r.is_null("n"));
  EXPECT_EQ(r.get_int("z", 7), 7);
  EXPECT_EQ(r.get_double("z", 1.5), 1.5);
  EXPECT_EQ(r.get_text("z", "dflt"), "dflt");
  EXPECT_FALSE(r.get_optional_int("z").has_value());
  EXPECT_FALSE(r.get_optional_text("z").has_value());
}

TEST(Row, IntegersAndDoublesConvert) {
  Row r = make_row();
  EXPECT_EQ(r.get_int("n"), 42);
  EXPECT_EQ(r.get_int("d"), 2);  // truncates toward zero
  EXPECT_DOUBLE_EQ(r.get_double("n"), 42.0);
  EXPECT_DOUBLE_EQ(r.get_double("d"), 2.75);
  EXPECT_EQ(r.get_optional_int("d"), 2);
  // Out of int64 range: no integer value rather than undefined behaviour.
  EXPECT_EQ(r.get_int("big", -1), -1);
  EXPECT_FALSE(r.get_optional_int("big").has_value());
}

TEST(Row, TextOnlyFromTextCells) {
  Row r = make_row();
  EXPECT_EQ(r.get_text("t"), "hello");
  EXPECT_EQ(r.get_optional_text("t"), "hello");
  EXPECT_EQ(r.get_text("n", "x"), "x");
  EXPECT_FALSE(r.get_optional_text("b").has_value());
  EXPECT_EQ(r.get_int("t", -3), -3);
}

}  // namespace
}  // namespace medai::storage
