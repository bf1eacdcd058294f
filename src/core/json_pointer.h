#pragma once
// JSON Pointer (RFC 6901) text for the locations schema validators report,
// so every "field" in an error names the place the same way.
#include <string>
#include <vector>

namespace medai {

// "~" → "~0", "/" → "~1".
inline std::string escape_json_pointer_token(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// valijson's context ["<root>", "[model]", "[artifact]"] → "/model/artifact".
inline std::string json_pointer_of_context(const std::vector<std::string>& context) {
  std::string path;
  for (const std::string& part : context) {
    if (part == "<root>") continue;
    std::string token = part;
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') token = token.substr(1, token.size() - 2);
    path += "/" + escape_json_pointer_token(token);
  }
  return path;
}

}  // namespace medai
