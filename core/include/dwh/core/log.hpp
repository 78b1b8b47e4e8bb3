#pragma once
// JSON-lines logging: {"ts","level","job","run_id","message", ...figures} on stderr.
// Callers pass figures as JSON; they must never pass secrets.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace dwh::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// The job name and run id stamped on every line (defaults: "dwh", "").
void set_context(std::string job, std::string run_id);
// Lines below this level are dropped. Default Info, or DWH_LOG_LEVEL=debug|info|warn|error.
void set_min_level(Level level);
// Redirects lines (tests). Pass nullptr to restore stderr.
void set_sink(std::function<void(std::string_view line)> sink);

void write(Level level, std::string_view message, const nlohmann::json& figures = nlohmann::json::object());
inline void debug(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Debug, m, f);
}
inline void info(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Info, m, f);
}
inline void warn(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Warn, m, f);
}
inline void error(std::string_view m, const nlohmann::json& f = nlohmann::json::object()) {
  write(Level::Error, m, f);
}

}  // namespace dwh::log
