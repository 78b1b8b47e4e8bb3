#pragma once
// The manifests the jobs commit, as types. to_json writes exactly what is stored (format 1);
// from_json reads it back and throws nlohmann::json::exception when a field is missing or of the
// wrong type. Optional fields are stored as null.
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::ledger {

inline constexpr int kManifestFormat = 1;

// ---------------------------------------------------------------------------------------------
// Ingest: _manifests/ingest/<run_id>.json in the landing store.

// The PostgreSQL snapshot the run read every table in.
struct IngestSnapshot {
  std::string pg_snapshot;  // "xmin:xmax:xip,..."
  std::uint64_t xmin = 0;
  std::uint64_t xmax = 0;
  std::vector<std::uint64_t> xip;
  std::string taken_at;
  std::string oldest_open_xact_start;
  long invisible_sessions = 0;
};

// A source column as the run found it: name and format_type().
struct LandedColumn {
  std::string name;
  std::string type;
};

struct IngestTableEntry {
  std::string mode;                // "full" or "incremental"
  std::optional<std::string> key;  // none when the run found no rows
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  std::optional<std::string> sha256;
  std::vector<std::string> primary_key;
  std::string cursor_column;
  std::optional<std::string> cursor_min;
  std::optional<std::string> cursor_max;
  std::optional<std::string> cursor_floor;       // what the run's WHERE used
  std::optional<std::string> next_cursor_floor;  // for the next run
  std::optional<std::string> previous_run;       // the run the table's state came from
  std::vector<LandedColumn> columns;
};

struct IngestManifest {
  int format = kManifestFormat;
  std::string job = "ingest";
  std::string run_id;
  std::string started_at;
  std::string finished_at;
  std::string compression;  // stores::compression_name()
  std::string source;       // host:port/database, never credentials
  IngestSnapshot snapshot;
  std::map<std::string, IngestTableEntry> tables;
};

// ---------------------------------------------------------------------------------------------
// Transform: _manifests/transform/<run_id>.json in the processed store.

struct ConsumedRun {
  std::string run_id;
  std::string manifest;  // its key in the landing store
  std::string sha256;    // of its bytes
};

struct TransformTableEntry {
  std::optional<std::string> key;  // none when the run wrote no rows for the table
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
  std::optional<std::string> sha256;
  std::uint64_t rows_in = 0;
  std::uint64_t rejected = 0;
};

// A source table's current version, kept for lookups.
struct StateEntry {
  std::string key;
  std::uint64_t rows = 0;
  bool changed = false;
};

// The dates a calendar table covers, "YYYY-MM-DD".
struct CalendarRange {
  std::string min;
  std::string max;
};

struct RejectedEntry {
  std::string key;
  std::uint64_t records = 0;
};

struct TransformManifest {
  int format = kManifestFormat;
  std::string job = "transform";
  std::string run_id;
  std::string started_at;
  std::string finished_at;
  std::string dataset;
  bool quarantine = false;
  std::vector<ConsumedRun> consumed;
  // The load job checks this chain: a manifest missing from the middle is a gap.
  std::optional<std::string> previous_run;
  std::string last_ingest_run;
  std::map<std::string, TransformTableEntry> tables;
  std::map<std::string, StateEntry> state_current;
  std::map<std::string, CalendarRange> state_calendars;
  std::map<std::string, RejectedEntry> rejected;
};

void to_json(nlohmann::json& j, const IngestSnapshot& v);
void from_json(const nlohmann::json& j, IngestSnapshot& v);
void to_json(nlohmann::json& j, const LandedColumn& v);
void from_json(const nlohmann::json& j, LandedColumn& v);
void to_json(nlohmann::json& j, const IngestTableEntry& v);
void from_json(const nlohmann::json& j, IngestTableEntry& v);
void to_json(nlohmann::json& j, const IngestManifest& v);
void from_json(const nlohmann::json& j, IngestManifest& v);
void to_json(nlohmann::json& j, const ConsumedRun& v);
void from_json(const nlohmann::json& j, ConsumedRun& v);
void to_json(nlohmann::json& j, const TransformTableEntry& v);
void from_json(const nlohmann::json& j, TransformTableEntry& v);
void to_json(nlohmann::json& j, const StateEntry& v);
void from_json(const nlohmann::json& j, StateEntry& v);
void to_json(nlohmann::json& j, const CalendarRange& v);
void from_json(const nlohmann::json& j, CalendarRange& v);
void to_json(nlohmann::json& j, const RejectedEntry& v);
void from_json(const nlohmann::json& j, RejectedEntry& v);
void to_json(nlohmann::json& j, const TransformManifest& v);
void from_json(const nlohmann::json& j, TransformManifest& v);

// The bytes a manifest is stored as.
std::string manifest_text(const IngestManifest& m);
std::string manifest_text(const TransformManifest& m);

// A committed manifest as read from its store.
template <class Manifest>
struct Stored {
  std::string key;
  std::string sha256;  // of the stored bytes
  Manifest manifest;
};

// Reads the manifest of one committed run: "cannot read <job> manifest <key>: ..." when the store
// fails, "ManifestInvalid" ("<key> is not a valid <job> manifest: ...") when it does not parse or
// names another run.
Result<Stored<IngestManifest>> read_ingest_manifest(stores::ObjectStore& store, std::string_view run_id);
Result<Stored<TransformManifest>> read_transform_manifest(stores::ObjectStore& store,
                                                          std::string_view run_id);

}  // namespace dwh::ledger
