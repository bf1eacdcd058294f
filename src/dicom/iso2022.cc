#include "dicom/iso2022.h"

#include <iconv.h>

#include <cerrno>
#include <vector>

namespace medai::dicom {
namespace {

// The byte encoding a run is gathered in before conversion.
enum class Run { ascii, euc_jp, euc_kr, euc_cn, iso8859 };

struct State {
  enum class G0 { ascii, jis_x0208, jis_x0212 } g0 = G0::ascii;
  Run g1 = Run::ascii;         // ascii here: no G1 set designated
  std::string g1_charset;      // iconv name for iso8859 / kana marker
  bool g1_kana = false;        // JIS X 0201 katakana (EUC-JP SS2)
};

bool convert(const char* from, const std::string& bytes, std::string& out) {
  if (bytes.empty()) return true;
  iconv_t cd = ::iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  std::vector<char> buffer(bytes.size() * 4 + 16);
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* o = buffer.data();
  std::size_t o_left = buffer.size();
  const std::size_t rc = ::iconv(cd, &in, &in_left, &o, &o_left);
  ::iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) return false;
  out.append(buffer.data(), buffer.size() - o_left);
  return true;
}

// Initial G1 set from a Specific Character Set value.
void designate_from_term(std::string_view term, State& s) {
  auto is = [&](std::string_view t) { return term == t; };
  if (is("ISO 2022 IR 13") || is("ISO_IR 13")) {
    s.g1 = Run::euc_jp;
    s.g1_kana = true;
  } else if (is("ISO 2022 IR 100") || is("ISO_IR 100")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-1";
  } else if (is("ISO 2022 IR 101")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-2";
  } else if (is("ISO 2022 IR 109")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-3";
  } else if (is("ISO 2022 IR 110")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-4";
  } else if (is("ISO 2022 IR 144")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-5";
  } else if (is("ISO 2022 IR 127")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-6";
  } else if (is("ISO 2022 IR 126")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-7";
  } else if (is("ISO 2022 IR 138")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-8";
  } else if (is("ISO 2022 IR 148")) {
    s.g1 = Run::iso8859, s.g1_charset = "ISO-8859-9";
  } else if (is("ISO 2022 IR 166")) {
    s.g1 = Run::iso8859, s.g1_charset = "TIS-620";
  }
}

}  // namespace

bool iso2022_to_utf8(std::string_view declared, std::string_view raw, bool person_name, std::string& out) {
  State initial;
  {
    const auto end = declared.find('\\');
    std::string_view first = declared.substr(0, end);
    while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
    designate_from_term(first, initial);
  }
  State s = initial;
  std::string result;
  Run run = Run::ascii;
  std::string run_charset;
  std::string pending;
  auto flush = [&]() -> bool {
    if (pending.empty()) return true;
    bool ok = true;
    switch (run) {
      case Run::ascii: result += pending; break;
      case Run::euc_jp: ok = convert("EUC-JP", pending, result); break;
      case Run::euc_kr: ok = convert("EUC-KR", pending, result); break;
      case Run::euc_cn: ok = convert("GB2312", pending, result); break;
      case Run::iso8859: ok = convert(run_charset.c_str(), pending, result); break;
    }
    pending.clear();
    return ok;
  };
  auto switch_to = [&](Run r, const std::string& charset) -> bool {
    if (r == run && charset == run_charset) return true;
    if (!flush()) return false;
    run = r;
    run_charset = charset;
    return true;
  };

  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c == 0x1B) {
      std::string_view esc = raw.substr(i + 1, 3);
      auto starts = [&](std::string_view p) { return esc.substr(0, p.size()) == p; };
      std::size_t len = 0;
      if (starts("(B") || starts("(J")) s.g0 = State::G0::ascii, len = 2;
      else if (starts("$B") || starts("$@")) s.g0 = State::G0::jis_x0208, len = 2;
      else if (starts("$(D")) s.g0 = State::G0::jis_x0212, len = 3;
      else if (starts(")I")) s.g1 = Run::euc_jp, s.g1_kana = true, len = 2;
      else if (starts("$)C")) s.g1 = Run::euc_kr, s.g1_kana = false, len = 3;
      else if (starts("$)A")) s.g1 = Run::euc_cn, s.g1_kana = false, len = 3;
      else if (esc.size() >= 2 && esc[0] == '-') {
        static const std::pair<char, const char*> k96[] = {{'A', "ISO-8859-1"}, {'B', "ISO-8859-2"},
                                                            {'C', "ISO-8859-3"}, {'D', "ISO-8859-4"},
                                                            {'L', "ISO-8859-5"}, {'G', "ISO-8859-6"},
                                                            {'F', "ISO-8859-7"}, {'H', "ISO-8859-8"},
                                                            {'M', "ISO-8859-9"}, {'T', "TIS-620"}};
        for (const auto& [final_byte, name] : k96)
          if (esc[1] == final_byte) s.g1 = Run::iso8859, s.g1_charset = name, s.g1_kana = false, len = 2;
      }
      if (len == 0) return false;  // an escape we do not know
      i += len;
      continue;
    }
    // Inside a two-byte G0 set (JIS X 0208/0212) bytes like '^' (0x5E) are
    // halves of characters, not delimiters.
    const bool delimiter = s.g0 == State::G0::ascii && (c == '\\' || c == '\r' || c == '\n' || c == '\t' || c == '\f' ||
                           (person_name && (c == '^' || c == '=')));
    if (delimiter) {
      s = initial;
      if (!switch_to(Run::ascii, "")) return false;
      pending.push_back(static_cast<char>(c));
      continue;
    }
    if (c < 0x80) {
      if (s.g0 == State::G0::ascii) {
        if (!switch_to(Run::ascii, "")) return false;
        pending.push_back(static_cast<char>(c));
      } else {
        if (!switch_to(Run::euc_jp, "")) return false;
        if (s.g0 == State::G0::jis_x0212 && pending.size() % 3 == 0) pending.push_back(static_cast<char>(0x8F));
        pending.push_back(static_cast<char>(c | 0x80));
      }
      continue;
    }
    // 8-bit byte: the G1 set.
    switch (s.g1) {
      case Run::euc_jp:
        if (!switch_to(Run::euc_jp, "")) return false;
        pending.push_back(static_cast<char>(0x8E));  // SS2: half-width katakana
        pending.push_back(static_cast<char>(c));
        break;
      case Run::euc_kr:
      case Run::euc_cn:
        if (!switch_to(s.g1, "")) return false;
        pending.push_back(static_cast<char>(c));
        break;
      case Run::iso8859:
        if (!switch_to(Run::iso8859, s.g1_charset)) return false;
        pending.push_back(static_cast<char>(c));
        break;
      case Run::ascii:
        return false;  // 8-bit byte without a G1 set
    }
  }
  if (!flush()) return false;
  out = std::move(result);
  return true;
}

}  // namespace medai::dicom
