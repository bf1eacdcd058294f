#pragma once
// multipart/related (RFC 2387) and media-type parameters for DICOMweb:
// parsing bodies into parts without copying (views into the body, which may
// be a memory-mapped spool file) and writing part headers for streamed
// responses. Also Accept header parsing.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace medai::http {

struct MediaType {
  std::string type;                           // lower-case "multipart/related"
  std::map<std::string, std::string> params;  // lower-case names, unquoted values
  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

MediaType parse_media_type(std::string_view value);
// Accept: "a/b;q=0.5, c/d" → media ranges in header order (q ignored, quoted
// commas respected).
std::vector<MediaType> parse_accept(std::string_view value);

struct Part {
  Headers headers;
  std::string_view body;
};

// Splits a multipart body. invalid_argument when the boundary is missing or
// the body is not terminated by the closing delimiter.
Result<std::vector<Part>> parse_multipart(std::string_view body, std::string_view boundary);

// A random boundary that cannot occur in DICOM part headers we write.
std::string new_boundary();

// A read-only memory mapping of a file (spooled request bodies): parts are
// views into it, so a 1 GiB STOW request is never copied.
class MappedFile {
 public:
  static Result<MappedFile> open(const std::filesystem::path& path);
  MappedFile(MappedFile&& o) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace medai::http
