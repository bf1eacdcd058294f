#pragma once
// Structured logging: one JSON object per line on stderr (and optionally a
// file): {"ts": ISO-8601 UTC, "level", "event", ...fields}. Field values whose
// key names patient data (see phi.h) are masked before they are written, so a
// careless call cannot leak a name or ID into the log.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace medai::log {

enum class Level { debug, info, warn, error };

struct Options {
  Level level = Level::info;
  std::filesystem::path file;  // empty: stderr only
  bool also_stderr = true;
};

void init(const Options& options);
void set_level(Level level);
bool enabled(Level level);
std::optional<Level> level_from_name(std::string_view name);

// Writes {"ts","level","event", fields...}. `fields` must be an object (or null).
// Never throws: it is called from error paths, where a failing sink must not
// turn one error into a crash.
void write(Level level, std::string_view event, nlohmann::json fields = nlohmann::json::object()) noexcept;

inline void debug(std::string_view event, nlohmann::json f = nlohmann::json::object()) {
  write(Level::debug, event, std::move(f));
}
inline void info(std::string_view event, nlohmann::json f = nlohmann::json::object()) {
  write(Level::info, event, std::move(f));
}
inline void warn(std::string_view event, nlohmann::json f = nlohmann::json::object()) {
  write(Level::warn, event, std::move(f));
}
inline void error(std::string_view event, nlohmann::json f = nlohmann::json::object()) {
  write(Level::error, event, std::move(f));
}

// Formats the line exactly as write() would (for tests and sinks).
std::string format_line(Level level, std::string_view event, nlohmann::json fields);

}  // namespace medai::log
