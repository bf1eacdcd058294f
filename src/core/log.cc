#include "core/log.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "core/clock.h"
#include "core/phi.h"

namespace medai::log {
namespace {

std::atomic<int> current_level{static_cast<int>(Level::info)};
std::mutex init_mutex;
std::shared_ptr<spdlog::logger> logger;

std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

std::shared_ptr<spdlog::logger> get_logger() {
  std::lock_guard lock(init_mutex);
  if (!logger) {
    logger = std::make_shared<spdlog::logger>("medai",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
  }
  return logger;
}

}  // namespace

void init(const Options& options) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.also_stderr || options.file.empty())
    sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!options.file.empty()) {
    std::filesystem::create_directories(options.file.parent_path());
    sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        options.file.string(), 64 * 1024 * 1024, 5));
  }
  auto l = std::make_shared<spdlog::logger>("medai", sinks.begin(), sinks.end());
  l->set_pattern("%v");
  l->set_level(spdlog::level::trace);
  l->flush_on(spdlog::level::trace);
  {
    std::lock_guard lock(init_mutex);
    logger = l;
  }
  set_level(options.level);
}

void set_level(Level level) { current_level.store(static_cast<int>(level)); }

bool enabled(Level level) { return static_cast<int>(level) >= current_level.load(); }

std::optional<Level> level_from_name(std::string_view name) {
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error") return Level::error;
  return std::nullopt;
}

std::string format_line(Level level, std::string_view event, nlohmann::json fields) {
  nlohmann::json line = nlohmann::json::object();
  line["ts"] = iso8601_utc(now_ms());
  line["level"] = level_name(level);
  line["event"] = std::string(event);
  if (fields.is_object()) {
    nlohmann::json masked = phi::mask_fields(fields);
    for (auto it = masked.begin(); it != masked.end(); ++it) {
      if (it.key() == "ts" || it.key() == "level" || it.key() == "event") continue;
      line[it.key()] = it.value();
    }
  } else if (!fields.is_null()) {
    line["value"] = phi::mask_fields(fields);
  }
  // Invalid UTF-8 in a field must not throw while logging an error.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write(Level level, std::string_view event, nlohmann::json fields) noexcept {
  if (!enabled(level)) return;
  try {
    get_logger()->info(format_line(level, event, std::move(fields)));
  } catch (...) {
    // Nowhere left to report it; dropping the line is the safe choice.
  }
}

}  // namespace medai::log
