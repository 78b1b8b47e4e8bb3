#pragma once
// Progress for long pipeline steps on a terminal: one line per step, redrawn in place, with
// tables done, rows, bytes and a rate, built from the jobs' own JSON log lines (each job logs
// one line per table with its rows and bytes). Warnings and errors are printed readably above
// it. When stderr is not a terminal (CI, Lambda) nothing changes: the JSON lines go out as is.
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace dwh::cli {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(bool terminal);
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // How many tables each step handles ("ingest" -> 11), for the bar.
  void expect_tables(const std::string& stage, std::size_t tables);
  void begin_run();
  // Ends the current line (before the summary is printed).
  void finish();

 private:
  // One JSON log line from the sink: redraws the progress line or prints a warning.
  void consume(std::string_view json_line);
  struct Stage {
    std::set<std::string> tables;
    unsigned long long rows = 0;
    unsigned long long bytes = 0;
    std::chrono::steady_clock::time_point started;
  };
  [[nodiscard]] std::string render(const std::string& name, const Stage& s) const;

  bool terminal_;
  std::mutex mutex_;  // log lines come from the jobs' worker threads
  std::map<std::string, Stage> stages_;
  std::map<std::string, std::size_t> expected_;
  std::string current_;
  bool line_open_ = false;
};

}  // namespace dwh::cli
