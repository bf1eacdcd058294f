#include "http/multipart.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "core/crypto.h"

namespace medai::http {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Splits on `sep` outside double quotes.
std::vector<std::string_view> split_unquoted(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    else if (s[i] == '\\' && quoted) ++i;
    else if (s[i] == sep && !quoted) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

}  // namespace

MediaType parse_media_type(std::string_view value) {
  MediaType mt;
  auto pieces = split_unquoted(value, ';');
  mt.type = lower(trim(pieces.front()));
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    auto p = trim(pieces[i]);
    auto eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string name = lower(trim(p.substr(0, eq)));
    std::string_view v = trim(p.substr(eq + 1));
    std::string val;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
      v = v.substr(1, v.size() - 2);
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] == '\\' && k + 1 < v.size()) ++k;
        val.push_back(v[k]);
      }
    } else {
      val = std::string(v);
    }
    mt.params[name] = val;
  }
  return mt;
}

std::vector<MediaType> parse_accept(std::string_view value) {
  std::vector<MediaType> out;
  for (auto piece : split_unquoted(value, ',')) {
    if (trim(piece).empty()) continue;
    out.push_back(parse_media_type(piece));
  }
  return out;
}

Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 200)
    return make_error(ErrorCode::invalid_argument, "the multipart Content-Type has no valid boundary parameter");
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<Part> parts;
  // The first delimiter may be at the very start or after a preamble + CRLF.
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos || (pos != 0 && (pos < 2 || body.substr(pos - 2, 2) != "\r\n")))
    return make_error(ErrorCode::invalid_argument, "the multipart body does not start with its boundary");
  const std::string next_delimiter = "\r\n" + delimiter;
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    // Transport padding, then CRLF.
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n")
      return make_error(ErrorCode::invalid_argument, "malformed multipart boundary line");
    pos += 2;
    const std::size_t header_end = body.find("\r\n\r\n", pos);
    std::size_t content_start;
    Part part;
    if (body.substr(pos, 2) == "\r\n") {  // no headers
      content_start = pos + 2;
    } else {
      if (header_end == std::string_view::npos || header_end - pos > 16 * 1024)
        return make_error(ErrorCode::invalid_argument, "malformed multipart part headers");
      std::string_view headers = body.substr(pos, header_end - pos);
      std::size_t line_start = 0;
      while (line_start <= headers.size()) {
        auto line_end = headers.find("\r\n", line_start);
        auto line = headers.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                                  : line_end - line_start);
        auto colon = line.find(':');
        if (colon != std::string_view::npos)
          part.headers.emplace(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
        if (line_end == std::string_view::npos) break;
        line_start = line_end + 2;
      }
      content_start = header_end + 4;
    }
    const std::size_t end = body.find(next_delimiter, content_start);
    if (end == std::string_view::npos)
      return make_error(ErrorCode::invalid_argument, "the multipart body is truncated (no closing boundary)");
    part.body = body.substr(content_start, end - content_start);
    parts.push_back(std::move(part));
    pos = end + 2;
  }
}

std::string new_boundary() { return "medai-" + crypto::to_hex(crypto::random_bytes(16)); }

Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::io_error, "cannot open the request body");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return make_error(ErrorCode::io_error, "cannot stat the request body");
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    return MappedFile(nullptr, 0);
  }
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) return make_error(ErrorCode::io_error, "cannot map the request body");
  ::madvise(data, size, MADV_SEQUENTIAL);
  return MappedFile(data, size);
}

MappedFile::MappedFile(MappedFile&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace medai::http
