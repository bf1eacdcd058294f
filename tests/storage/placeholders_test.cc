#include <gtest/gtest.h>

#include "storage/sqlite_catalog.h"

namespace medai::storage {
namespace {

TEST(SqlitePlaceholders, TranslatesDollarNumbers) {
  EXPECT_EQ(to_sqlite_placeholders("SELECT * FROM t WHERE a = $1 AND b = $2"),
            "SELECT * FROM t WHERE a = ?1 AND b = ?2");
  EXPECT_EQ(to_sqlite_placeholders("VALUES($1,$2,$10,$11)"), "VALUES(?1,?2,?10,?11)");
  EXPECT_EQ(to_sqlite_placeholders("$1"), "?1");
  EXPECT_EQ(to_sqlite_placeholders(""), "");
}

TEST(SqlitePlaceholders, LeavesLiteralsIdentifiersAndCommentsAlone) {
  EXPECT_EQ(to_sqlite_placeholders("SELECT '$1', $1"), "SELECT '$1', ?1");
  EXPECT_EQ(to_sqlite_placeholders("SELECT 'it''s $2', $2"), "SELECT 'it''s $2', ?2");
  EXPECT_EQ(to_sqlite_placeholders("SELECT \"col$1\" FROM t WHERE x = $1"),
            "SELECT \"col$1\" FROM t WHERE x = ?1");
  EXPECT_EQ(to_sqlite_placeholders("SELECT $1 -- not $2\n, $3"), "SELECT ?1 -- not $2\n, ?3");
  EXPECT_EQ(to_sqlite_placeholders("SELECT /* $1 */ $2"), "SELECT /* $1 */ ?2");
  // Unterminated literal or comment: copied to the end, SQLite reports it.
  EXPECT_EQ(to_sqlite_placeholders("SELECT 'abc $1"), "SELECT 'abc $1");
  EXPECT_EQ(to_sqlite_placeholders("SELECT -- $1"), "SELECT -- $1");
}

TEST(SqlitePlaceholders, DollarInsideWordsOrWithoutDigitsIsNotAPlaceholder) {
  EXPECT_EQ(to_sqlite_placeholders("SELECT a$1 FROM t"), "SELECT a$1 FROM t");
  EXPECT_EQ(to_sqlite_placeholders("SELECT $$body$$, $a"), "SELECT $$body$$, $a");
  EXPECT_EQ(to_sqlite_placeholders("x=$1+$2"), "x=?1+?2");
}

}  // namespace
}  // namespace medai::storage
