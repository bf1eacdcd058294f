#include "diabetes/medication_codes.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

namespace medai::diabetes {

std::vector<std::string> atc_drug_classes(const std::string& code) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> exact = {
      {"A10BA02", {"metformin"}},
      {"A10BD02", {"metformin", "sulfonylurea"}},  {"A10BD07", {"metformin", "dpp4i"}},
      {"A10BD08", {"metformin", "dpp4i"}},         {"A10BD10", {"metformin", "dpp4i"}},
      {"A10BD11", {"metformin", "dpp4i"}},         {"A10BD13", {"metformin", "dpp4i"}},
      {"A10BD15", {"metformin", "sglt2i"}},        {"A10BD16", {"metformin", "sglt2i"}},
      {"A10BD20", {"metformin", "sglt2i"}},        {"A10BD05", {"metformin", "tzd"}},
      {"A10AE54", {"basal_insulin", "glp1ra"}},    {"A10AE56", {"basal_insulin", "glp1ra"}},
  };
  if (const auto it = exact.find(code); it != exact.end()) return it->second;
  static const std::vector<std::pair<const char*, const char*>> prefixes = {
      {"A10BK", "sglt2i"}, {"A10BJ", "glp1ra"}, {"A10BH", "dpp4i"}, {"A10BB", "sulfonylurea"},
      {"A10BG", "tzd"},    {"A10AE", "basal_insulin"}, {"A10AC", "basal_insulin"}, {"A10AB", "prandial_insulin"},
  };
  for (const auto& [p, cls] : prefixes)
    if (code.rfind(p, 0) == 0) return {cls};
  if (code.rfind("A10AD", 0) == 0) return {"basal_insulin", "prandial_insulin"};  // premixed
  return {};
}

std::vector<std::string> rxnorm_drug_classes(const std::string& code) {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"6809", "metformin"},      {"1545653", "sglt2i"},   {"1488564", "sglt2i"},   {"1373458", "sglt2i"},
      {"1992672", "sglt2i"},      {"475968", "glp1ra"},    {"1991302", "glp1ra"},   {"1551291", "glp1ra"},
      {"60548", "glp1ra"},        {"593411", "dpp4i"},     {"1100699", "dpp4i"},    {"857974", "dpp4i"},
      {"1368001", "dpp4i"},       {"4821", "sulfonylurea"}, {"4815", "sulfonylurea"}, {"25789", "sulfonylurea"},
      {"33738", "tzd"},           {"84108", "tzd"},        {"274783", "basal_insulin"}, {"139825", "basal_insulin"},
      {"1670007", "basal_insulin"}, {"86009", "prandial_insulin"}, {"51428", "prandial_insulin"},
  };
  if (const auto it = m.find(code); it != m.end()) return {it->second};
  return {};
}

namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// `word` occurs in `text` (both lower case) not inside a longer word.
bool contains_word(const std::string& text, std::string_view word) {
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !is_word_char(text[at - 1]);
    const std::size_t end = at + word.size();
    const bool ends = end == text.size() || !is_word_char(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> drug_classes_from_name(std::string_view text) {
  // Generic names (INN; US/UK spellings) and widely used brand names.
  // Insulins are named by their analogue: "insulin" alone says neither
  // basal nor prandial, so it is not matched.
  static const std::vector<std::pair<std::string_view, std::vector<std::string>>> names = {
      {"metformin", {"metformin"}}, {"glucophage", {"metformin"}},
      {"empagliflozin", {"sglt2i"}}, {"dapagliflozin", {"sglt2i"}}, {"canagliflozin", {"sglt2i"}},
      {"ertugliflozin", {"sglt2i"}}, {"henagliflozin", {"sglt2i"}}, {"jardiance", {"sglt2i"}},
      {"farxiga", {"sglt2i"}}, {"forxiga", {"sglt2i"}}, {"invokana", {"sglt2i"}},
      {"liraglutide", {"glp1ra"}}, {"semaglutide", {"glp1ra"}}, {"dulaglutide", {"glp1ra"}},
      {"exenatide", {"glp1ra"}}, {"lixisenatide", {"glp1ra"}}, {"loxenatide", {"glp1ra"}},
      {"beinaglutide", {"glp1ra"}}, {"tirzepatide", {"glp1ra"}}, {"victoza", {"glp1ra"}},
      {"ozempic", {"glp1ra"}}, {"rybelsus", {"glp1ra"}}, {"trulicity", {"glp1ra"}}, {"byetta", {"glp1ra"}},
      {"mounjaro", {"glp1ra"}},
      {"sitagliptin", {"dpp4i"}}, {"saxagliptin", {"dpp4i"}}, {"linagliptin", {"dpp4i"}},
      {"alogliptin", {"dpp4i"}}, {"vildagliptin", {"dpp4i"}}, {"januvia", {"dpp4i"}},
      {"tradjenta", {"dpp4i"}}, {"trajenta", {"dpp4i"}}, {"onglyza", {"dpp4i"}}, {"galvus", {"dpp4i"}},
      {"janumet", {"metformin", "dpp4i"}}, {"jentadueto", {"metformin", "dpp4i"}},
      {"synjardy", {"metformin", "sglt2i"}}, {"xigduo", {"metformin", "sglt2i"}},
      {"glimepiride", {"sulfonylurea"}}, {"glipizide", {"sulfonylurea"}}, {"glyburide", {"sulfonylurea"}},
      {"glibenclamide", {"sulfonylurea"}}, {"gliclazide", {"sulfonylurea"}}, {"gliquidone", {"sulfonylurea"}},
      {"amaryl", {"sulfonylurea"}}, {"glucotrol", {"sulfonylurea"}}, {"diamicron", {"sulfonylurea"}},
      {"pioglitazone", {"tzd"}}, {"rosiglitazone", {"tzd"}}, {"actos", {"tzd"}},
      {"glargine", {"basal_insulin"}}, {"detemir", {"basal_insulin"}}, {"degludec", {"basal_insulin"}},
      {"isophane", {"basal_insulin"}}, {"nph", {"basal_insulin"}}, {"lantus", {"basal_insulin"}},
      {"toujeo", {"basal_insulin"}}, {"basaglar", {"basal_insulin"}}, {"levemir", {"basal_insulin"}},
      {"tresiba", {"basal_insulin"}},
      {"lispro", {"prandial_insulin"}}, {"aspart", {"prandial_insulin"}}, {"glulisine", {"prandial_insulin"}},
      {"humalog", {"prandial_insulin"}}, {"novolog", {"prandial_insulin"}}, {"novorapid", {"prandial_insulin"}},
      {"apidra", {"prandial_insulin"}},
  };
  std::string lower(text.substr(0, 512));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<std::string> out;
  for (const auto& [name, classes] : names)
    if (contains_word(lower, name))
      for (const auto& c : classes)
        if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  return out;
}

}  // namespace medai::diabetes
