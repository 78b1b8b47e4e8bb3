#include "dwh/core/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace dwh::log {
namespace {

struct State {
  std::mutex mu;  // logging is off the hot path: one line per request or phase, never per row
  std::string job = "dwh";
  std::string run_id;
  Level min_level = Level::Info;
  std::function<void(std::string_view)> sink;
};

Level level_from_env() {
  const char* v = std::getenv("DWH_LOG_LEVEL");
  if (v == nullptr) return Level::Info;
  std::string s(v);
  if (s == "debug") return Level::Debug;
  if (s == "warn") return Level::Warn;
  if (s == "error") return Level::Error;
  return Level::Info;
}

State& state() {
  static State* s = [] {
    auto* init = new State();  // never destroyed: logging stays valid during static teardown
    init->min_level = level_from_env();
    return init;
  }();
  return *s;
}

const char* level_name(Level l) {
  switch (l) {
    case Level::Debug:
      return "debug";
    case Level::Info:
      return "info";
    case Level::Warn:
      return "warn";
    case Level::Error:
      return "error";
  }
  return "info";
}

std::string iso_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t t = system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

void set_context(std::string job, std::string run_id) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.job = std::move(job);
  s.run_id = std::move(run_id);
}

void set_min_level(Level level) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.min_level = level;
}

void set_sink(std::function<void(std::string_view)> sink) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  s.sink = std::move(sink);
}

void write(Level level, std::string_view message, const nlohmann::json& figures) {
  auto& s = state();
  std::lock_guard lock(s.mu);
  if (level < s.min_level) return;
  nlohmann::json line = {{"ts", iso_now()},
                         {"level", level_name(level)},
                         {"job", s.job},
                         {"run_id", s.run_id},
                         {"message", message}};
  if (figures.is_object() && !figures.empty()) line["figures"] = figures;
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.sink) {
    s.sink(text);
    return;
  }
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace dwh::log
