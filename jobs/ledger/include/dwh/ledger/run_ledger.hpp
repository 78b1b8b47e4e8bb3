#pragma once
// The run protocol ingest and transform share. A run writes its objects under keys holding its
// run id, and commits by writing its manifest last: a run exists only once its manifest does.
// So a run that died left objects newer than the newest manifest (orphans, removed by the next
// run), and a run that fails removes what it wrote before returning.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::ledger {

enum class Job { Ingest, Transform };

// Run ids of every committed manifest of `job` in `store`, oldest first.
Result<std::vector<std::string>> committed_runs(stores::ObjectStore& store, Job job);

// "<YYYY>/<MM>/<DD>/" for every day from the date of run `from` to that of run `to`; none when
// either is not a run id.
std::vector<std::string> day_folders_between(std::string_view from, std::string_view to);

class RunLedger {
 public:
  // Lists the committed runs of `job` and starts a run whose id is made from `now`:
  // "ClockBehind" when that id does not sort after the newest committed one.
  static Result<RunLedger> begin(stores::ObjectStore& store, Job job,
                                 std::chrono::system_clock::time_point now);

  RunLedger(RunLedger&& other) noexcept;
  RunLedger& operator=(RunLedger&&) = delete;
  RunLedger(const RunLedger&) = delete;
  RunLedger& operator=(const RunLedger&) = delete;
  // A run that did not commit is undone.
  ~RunLedger();

  [[nodiscard]] const std::string& run_id() const { return run_id_; }
  // Oldest first.
  [[nodiscard]] const std::vector<std::string>& committed() const { return committed_; }
  // "" when no run was ever committed.
  [[nodiscard]] const std::string& newest_committed() const { return newest_; }
  [[nodiscard]] std::string manifest_key() const;

  // Where objects of a run that died may be under `folder` ("<table>/"): its day folders from
  // the newest committed run to this one, or the whole folder when nothing was committed.
  [[nodiscard]] std::vector<std::string> orphan_prefixes(const std::string& folder) const;
  // Removes the objects of runs newer than the newest committed one, and what killed writers
  // left (beside the manifests, too). Under `prefixes` the run id is the key's file name
  // ("…/<run_id>.jsonl.gz"); under `run_folders` it is the folder after the prefix
  // ("<prefix><run_id>/…"). Returns the keys removed.
  Result<std::vector<std::string>> remove_orphans(const std::vector<std::string>& prefixes,
                                                  const std::vector<std::string>& run_folders = {});

  // An object this run wrote: removed again unless the run commits. Not thread-safe.
  void wrote(std::string key);
  // Removes every object this run wrote. If that fails, the next run removes them as orphans.
  void undo();
  // Writes the manifest (`text`), last; the run is committed once it is there. Undoes the run
  // when it cannot be written.
  Status commit(std::string_view text);

 private:
  RunLedger(stores::ObjectStore& store, Job job) : store_(&store), job_(job) {}
  Result<std::vector<std::string>> remove_newer(const std::string& prefix, bool run_folder);
  [[nodiscard]] bool is_orphan(const std::string& run_id) const;

  stores::ObjectStore* store_;  // null once moved from
  Job job_;
  std::string run_id_;
  std::vector<std::string> committed_;
  std::string newest_;
  std::vector<std::string> written_;
  bool committed_run_ = false;
};

}  // namespace dwh::ledger
