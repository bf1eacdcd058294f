#include "deid/text_cleaner.h"

#include <algorithm>
#include <cctype>

namespace medai::deid {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_joiner(char c) { return c == '-' || c == '/' || c == '.' || c == ':'; }

}  // namespace

void TextCleaner::add_identifier(std::string_view value) {
  auto add = [&](std::string_view token) {
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) token.remove_prefix(1);
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.remove_suffix(1);
    if (token.size() < 3) return;
    std::string t = lower(token);
    if (std::find(tokens_.begin(), tokens_.end(), t) == tokens_.end()) tokens_.push_back(std::move(t));
  };
  add(value);
  // Components of names and multi-values: "Doe^John^^Dr", "A\B", "John Doe".
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || value[i] == '^' || value[i] == '=' || value[i] == '\\' || value[i] == ' ' ||
        value[i] == ',') {
      if (i > start) add(value.substr(start, i - start));
      start = i + 1;
    }
  }
  std::sort(tokens_.begin(), tokens_.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
}

std::string TextCleaner::clean(std::string_view text) const {
  std::string out(text);
  // Rule 1: identifying tokens, longest first so "John Doe" goes before "Doe".
  for (const std::string& token : tokens_) {
    std::string low = lower(out);
    std::size_t pos = 0;
    while ((pos = low.find(token, pos)) != std::string::npos) {
      out.replace(pos, token.size(), "X");
      low.replace(pos, token.size(), "x");
      pos += 1;
    }
  }
  // Rule 2: long digit runs.
  std::string result;
  for (std::size_t i = 0; i < out.size();) {
    if (!is_digit(out[i])) {
      result += out[i++];
      continue;
    }
    std::size_t j = i, digits = 0;
    while (j < out.size() &&
           (is_digit(out[j]) || (is_joiner(out[j]) && j + 1 < out.size() && is_digit(out[j + 1])))) {
      digits += is_digit(out[j]);
      ++j;
    }
    if (digits >= 5)
      result += '#';
    else
      result.append(out, i, j - i);
    i = j;
  }
  return result;
}

}  // namespace medai::deid
