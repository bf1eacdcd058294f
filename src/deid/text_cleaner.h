#pragma once
// "Clean" (C) for free text such as Study Description under the Clean
// Descriptors option. We cannot understand free text, so cleaning is two
// mechanical rules that keep clinically useful words ("CT CHEST W/O",
// "AX T2 FLAIR 3mm") and drop what identifies:
//  1. every identifying value of the same dataset (names and their
//     components, IDs, accession numbers, institution and station names,
//     ...; tokens of 3 or more characters) is replaced by "X", ignoring case;
//  2. every run of digits (joined by - / . : or space-free) holding 5 or more
//     digits — dates, phone numbers, record numbers — is replaced by "#".
// What this cannot catch: a name that appears only in free text and nowhere
// else in the dataset. Institutions that need certainty leave the option off
// (descriptions are then removed or emptied as the Basic Profile says).
#include <string>
#include <string_view>
#include <vector>

namespace medai::deid {

class TextCleaner {
 public:
  // Adds an identifying value; person names are split into components.
  void add_identifier(std::string_view value);
  std::string clean(std::string_view text) const;
  std::size_t identifier_count() const { return tokens_.size(); }

 private:
  std::vector<std::string> tokens_;  // lower case, longest first when cleaning
};

}  // namespace medai::deid
