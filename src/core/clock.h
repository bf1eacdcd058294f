#pragma once
#include <cstdint>
#include <string>

namespace medai {
std::int64_t now_ms();  // wall clock, ms since the Unix epoch
std::string iso8601_utc(std::int64_t ms);  // 2026-11-27T10:49:29.123Z
}  // namespace medai
