#include "dwh/ledger/run_ledger.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "dwh/core/run_id.hpp"
#include "dwh/ledger/layout.hpp"

namespace dwh::ledger {
namespace {

namespace chr = std::chrono;

std::string_view manifest_prefix(Job job) {
  return job == Job::Ingest ? kIngestManifestPrefix : kTransformManifestPrefix;
}

// The run id's day, when it is one of ours.
std::optional<chr::sys_days> day_of(std::string_view run_id) {
  if (!core::run_id_date_path(run_id)) return std::nullopt;
  auto number = [&](std::size_t pos, std::size_t len) {
    int n = 0;
    for (char c : run_id.substr(pos, len)) n = n * 10 + (c - '0');
    return n;
  };
  const chr::year_month_day ymd{chr::year{number(0, 4)}, chr::month{static_cast<unsigned>(number(4, 2))},
                                chr::day{static_cast<unsigned>(number(6, 2))}};
  if (!ymd.ok()) return std::nullopt;
  return chr::sys_days(ymd);
}

}  // namespace

Result<std::vector<std::string>> committed_runs(stores::ObjectStore& store, Job job) {
  const std::string prefix(manifest_prefix(job));
  auto listed = store.list(prefix);
  if (!listed)
    return with_context(std::move(listed).error(), "cannot list " + store.url() + "/" + prefix + ": ");
  std::vector<std::string> ids;
  for (const auto& o : *listed) {
    if (!o.key.ends_with(".json")) continue;
    std::string id = core::run_id_of_key(o.key);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> day_folders_between(std::string_view from, std::string_view to) {
  std::vector<std::string> out;
  const auto first = day_of(from);
  const auto last = day_of(to);
  if (!first || !last) return out;
  for (chr::sys_days d = *first; d <= *last; d += chr::days{1}) {
    const chr::year_month_day ymd{d};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d/%02u/%02u/", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    out.emplace_back(buf);
  }
  return out;
}

Result<RunLedger> RunLedger::begin(stores::ObjectStore& store, Job job, chr::system_clock::time_point now) {
  RunLedger ledger(store, job);
  auto ids = committed_runs(store, job);
  if (!ids) return std::move(ids).error();
  ledger.committed_ = std::move(ids).value();
  if (!ledger.committed_.empty()) ledger.newest_ = ledger.committed_.back();
  ledger.run_id_ = core::make_run_id(now);
  if (ledger.run_id_ <= ledger.newest_) {
    return make_error("ClockBehind", std::string("this machine's clock is behind the newest ") +
                                         (job == Job::Ingest ? "committed" : "transform") + " run " +
                                         ledger.newest_);
  }
  return ledger;
}

RunLedger::RunLedger(RunLedger&& other) noexcept
    : store_(std::exchange(other.store_, nullptr)),
      job_(other.job_),
      run_id_(std::move(other.run_id_)),
      committed_(std::move(other.committed_)),
      newest_(std::move(other.newest_)),
      written_(std::move(other.written_)),
      committed_run_(other.committed_run_) {}

RunLedger::~RunLedger() {
  if (store_ != nullptr && !committed_run_) undo();
}

std::string RunLedger::manifest_key() const {
  return job_ == Job::Ingest ? ingest_manifest_key(run_id_) : transform_manifest_key(run_id_);
}

std::vector<std::string> RunLedger::orphan_prefixes(const std::string& folder) const {
  if (newest_.empty()) return {folder};
  std::vector<std::string> out;
  for (const auto& day : day_folders_between(newest_, run_id_)) out.push_back(folder + day);
  return out;
}

bool RunLedger::is_orphan(const std::string& run_id) const {
  return !run_id.empty() && run_id > newest_ && run_id != run_id_;
}

Result<std::vector<std::string>> RunLedger::remove_newer(const std::string& prefix, bool run_folder) {
  if (auto s = store_->remove_incomplete(prefix); !s) return std::move(s).error();
  auto listed = store_->list(prefix);
  if (!listed) return with_context(std::move(listed).error(), "cannot list " + prefix + ": ");
  std::vector<std::string> removed;
  for (const auto& o : *listed) {
    std::string id;
    if (!run_folder) {
      id = core::run_id_of_key(o.key);
    } else if (const auto rest = std::string_view(o.key).substr(prefix.size());
               core::run_id_date_path(rest)) {
      id = std::string(rest.substr(0, rest.find('/')));
    }
    if (!is_orphan(id)) continue;
    if (auto s = store_->remove(o.key); !s)
      return with_context(std::move(s).error(), "cannot remove orphan " + o.key + ": ");
    removed.push_back(o.key);
  }
  return removed;
}

Result<std::vector<std::string>> RunLedger::remove_orphans(const std::vector<std::string>& prefixes,
                                                           const std::vector<std::string>& run_folders) {
  // A writer killed mid-manifest leaves a temporary file beside the manifests, too.
  if (auto s = store_->remove_incomplete(std::string(manifest_prefix(job_))); !s) return std::move(s).error();
  std::vector<std::string> removed;
  for (const auto* list : {&prefixes, &run_folders}) {
    for (const auto& prefix : *list) {
      auto r = remove_newer(prefix, list == &run_folders);
      if (!r) return std::move(r).error();
      removed.insert(removed.end(), r->begin(), r->end());
    }
  }
  return removed;
}

void RunLedger::wrote(std::string key) {
  written_.push_back(std::move(key));
}

void RunLedger::undo() {
  for (const auto& k : written_) (void)store_->remove(k);
  written_.clear();
}

Status RunLedger::commit(std::string_view text) {
  const std::string key = manifest_key();
  if (auto s = store_->put(key, text); !s) {
    undo();
    return with_context(std::move(s).error(), "cannot write manifest " + key + ": ");
  }
  committed_run_ = true;
  return {};
}

}  // namespace dwh::ledger
