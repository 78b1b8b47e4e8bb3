#include "progress_display.hpp"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "dwh/core/log.hpp"

namespace dwh::cli {
namespace {

std::string with_commas(unsigned long long n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void write_err(const std::string& s) {
  (void)!::write(STDERR_FILENO, s.data(), s.size());
}

}  // namespace

ProgressDisplay::ProgressDisplay(bool terminal) : terminal_(terminal) {
  if (!terminal_) return;
  log::set_sink([this](std::string_view line) { consume(line); });
}

ProgressDisplay::~ProgressDisplay() {
  if (!terminal_) return;
  finish();
  log::set_sink(nullptr);
}

void ProgressDisplay::expect_tables(const std::string& stage, std::size_t tables) {
  std::lock_guard lock(mutex_);
  expected_[stage] = tables;
}

void ProgressDisplay::begin_run() {
  std::lock_guard lock(mutex_);
  stages_.clear();
  current_.clear();
}

void ProgressDisplay::finish() {
  std::lock_guard lock(mutex_);
  if (terminal_ && line_open_) write_err("\n");
  line_open_ = false;
}

std::string ProgressDisplay::render(const std::string& name, const Stage& s) const {
  const double seconds =
      std::max(1e-3, std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count());
  std::string bar;
  if (auto it = expected_.find(name); it != expected_.end() && it->second > 0) {
    constexpr int kWidth = 20;
    const int filled =
        static_cast<int>(std::min<std::size_t>(s.tables.size(), it->second) * kWidth / it->second);
    bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
          std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] " +
          std::to_string(s.tables.size()) + "/" + std::to_string(it->second) + " tables  ";
  } else {
    bar = std::to_string(s.tables.size()) + " tables  ";
  }
  char tail[96];
  std::snprintf(tail, sizeof tail, "  %.1f MB  %s rows/s", static_cast<double>(s.bytes) / 1e6,
                with_commas(static_cast<unsigned long long>(static_cast<double>(s.rows) / seconds)).c_str());
  char head[32];
  std::snprintf(head, sizeof head, "  %-10s ", name.c_str());
  return head + bar + with_commas(s.rows) + " rows" + tail;
}

void ProgressDisplay::consume(std::string_view json_line) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_line);
  } catch (const std::exception&) {
    if (terminal_) write_err(std::string(json_line) + "\n");
    return;
  }
  std::lock_guard lock(mutex_);
  const std::string level = j.value("level", "");
  const std::string job = j.value("job", "");
  const auto figures = j.value("figures", nlohmann::json::object());
  if (level == "warn" || level == "error") {
    // Shown as text above the progress line, so a problem is not lost in a redraw.
    std::string text = (level == "warn" ? "warning: " : "error: ") + j.value("message", std::string());
    for (const char* key : {"table", "error"}) {
      if (figures.contains(key) && figures[key].is_string())
        text += " (" + figures[key].get<std::string>() + ")";
    }
    if (terminal_) write_err(std::string(line_open_ ? "\r\033[K" : "") + text + "\n");
    line_open_ = false;
  }
  if (job != "ingest" && job != "transform" && job != "load") return;
  if (!figures.contains("table") || !figures.contains("rows") || !figures["rows"].is_number_unsigned())
    return;
  auto [it, fresh] = stages_.try_emplace(job);
  if (fresh) it->second.started = std::chrono::steady_clock::now();
  if (job != current_ && terminal_ && line_open_) write_err("\n");
  current_ = job;
  it->second.tables.insert(figures["table"].get<std::string>());
  it->second.rows += figures["rows"].get<unsigned long long>();
  if (figures.contains("bytes") && figures["bytes"].is_number_unsigned())
    it->second.bytes += figures["bytes"].get<unsigned long long>();
  const std::string drawn = render(job, it->second);
  if (terminal_) write_err("\r\033[K" + drawn);
  line_open_ = true;
}

}  // namespace dwh::cli
