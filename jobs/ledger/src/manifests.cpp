#include "dwh/ledger/manifests.hpp"

#include <nlohmann/json.hpp>

#include "dwh/core/hash.hpp"
#include "dwh/ledger/layout.hpp"

namespace dwh::ledger {
namespace {

using json = nlohmann::json;

json nullable(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

std::optional<std::string> nullable_string(const json& j, const char* key) {
  const json& v = j.at(key);
  if (v.is_null()) return std::nullopt;
  return v.get<std::string>();
}

template <class T>
void read(const json& j, const char* key, T& out) {
  j.at(key).get_to(out);
}

// Reads, parses and checks one manifest; `job` names it in messages.
template <class Manifest>
// NOLINTNEXTLINE(performance-unnecessary-value-param): moved into out.key (missed inside a template)
Result<Stored<Manifest>> read_manifest(stores::ObjectStore& store, std::string key, std::string_view run_id,
                                       std::string_view job) {
  Stored<Manifest> out;
  out.key = std::move(key);
  auto text = store.get(out.key);
  if (!text) {
    return with_context(std::move(text).error(),
                        "cannot read " + std::string(job) + " manifest " + out.key + ": ");
  }
  out.sha256 = core::sha256_hex(*text);
  try {
    json::parse(*text).get_to(out.manifest);
    if (out.manifest.run_id != run_id) throw std::runtime_error("run_id differs from its key");
  } catch (const std::exception& e) {
    return make_error("ManifestInvalid",
                      out.key + " is not a valid " + std::string(job) + " manifest: " + e.what());
  }
  return out;
}

}  // namespace

void to_json(json& j, const IngestSnapshot& v) {
  j = {{"pg_snapshot", v.pg_snapshot},
       {"xmin", v.xmin},
       {"xmax", v.xmax},
       {"xip", v.xip},
       {"taken_at", v.taken_at},
       {"oldest_open_xact_start", v.oldest_open_xact_start},
       {"invisible_sessions", v.invisible_sessions}};
}

void from_json(const json& j, IngestSnapshot& v) {
  read(j, "pg_snapshot", v.pg_snapshot);
  read(j, "xmin", v.xmin);
  read(j, "xmax", v.xmax);
  read(j, "xip", v.xip);
  read(j, "taken_at", v.taken_at);
  read(j, "oldest_open_xact_start", v.oldest_open_xact_start);
  read(j, "invisible_sessions", v.invisible_sessions);
}

void to_json(json& j, const LandedColumn& v) {
  j = {{"name", v.name}, {"type", v.type}};
}

void from_json(const json& j, LandedColumn& v) {
  read(j, "name", v.name);
  read(j, "type", v.type);
}

void to_json(json& j, const IngestTableEntry& v) {
  j = {{"mode", v.mode},
       {"key", nullable(v.key)},
       {"rows", v.rows},
       {"bytes", v.bytes},
       {"sha256", nullable(v.sha256)},
       {"primary_key", v.primary_key},
       {"cursor_column", v.cursor_column},
       {"cursor_min", nullable(v.cursor_min)},
       {"cursor_max", nullable(v.cursor_max)},
       {"cursor_floor", nullable(v.cursor_floor)},
       {"next_cursor_floor", nullable(v.next_cursor_floor)},
       {"previous_run", nullable(v.previous_run)},
       {"columns", v.columns}};
}

void from_json(const json& j, IngestTableEntry& v) {
  read(j, "mode", v.mode);
  v.key = nullable_string(j, "key");
  read(j, "rows", v.rows);
  read(j, "bytes", v.bytes);
  v.sha256 = nullable_string(j, "sha256");
  read(j, "primary_key", v.primary_key);
  read(j, "cursor_column", v.cursor_column);
  v.cursor_min = nullable_string(j, "cursor_min");
  v.cursor_max = nullable_string(j, "cursor_max");
  v.cursor_floor = nullable_string(j, "cursor_floor");
  v.next_cursor_floor = nullable_string(j, "next_cursor_floor");
  v.previous_run = nullable_string(j, "previous_run");
  read(j, "columns", v.columns);
}

void to_json(json& j, const IngestManifest& v) {
  j = {{"format", v.format},
       {"job", v.job},
       {"run_id", v.run_id},
       {"started_at", v.started_at},
       {"finished_at", v.finished_at},
       {"compression", v.compression},
       {"source", v.source},
       {"snapshot", v.snapshot},
       {"tables", v.tables}};
}

void from_json(const json& j, IngestManifest& v) {
  read(j, "format", v.format);
  read(j, "job", v.job);
  read(j, "run_id", v.run_id);
  read(j, "started_at", v.started_at);
  read(j, "finished_at", v.finished_at);
  read(j, "compression", v.compression);
  read(j, "source", v.source);
  read(j, "snapshot", v.snapshot);
  read(j, "tables", v.tables);
}

void to_json(json& j, const ConsumedRun& v) {
  j = {{"run_id", v.run_id}, {"manifest", v.manifest}, {"sha256", v.sha256}};
}

void from_json(const json& j, ConsumedRun& v) {
  read(j, "run_id", v.run_id);
  read(j, "manifest", v.manifest);
  read(j, "sha256", v.sha256);
}

void to_json(json& j, const TransformTableEntry& v) {
  j = {{"key", nullable(v.key)},       {"rows", v.rows},       {"bytes", v.bytes},
       {"sha256", nullable(v.sha256)}, {"rows_in", v.rows_in}, {"rejected", v.rejected}};
}

void from_json(const json& j, TransformTableEntry& v) {
  v.key = nullable_string(j, "key");
  read(j, "rows", v.rows);
  read(j, "bytes", v.bytes);
  v.sha256 = nullable_string(j, "sha256");
  read(j, "rows_in", v.rows_in);
  read(j, "rejected", v.rejected);
}

void to_json(json& j, const StateEntry& v) {
  j = {{"key", v.key}, {"rows", v.rows}, {"changed", v.changed}};
}

void from_json(const json& j, StateEntry& v) {
  read(j, "key", v.key);
  read(j, "rows", v.rows);
  read(j, "changed", v.changed);
}

void to_json(json& j, const CalendarRange& v) {
  j = {{"min", v.min}, {"max", v.max}};
}

void from_json(const json& j, CalendarRange& v) {
  read(j, "min", v.min);
  read(j, "max", v.max);
}

void to_json(json& j, const RejectedEntry& v) {
  j = {{"key", v.key}, {"records", v.records}};
}

void from_json(const json& j, RejectedEntry& v) {
  read(j, "key", v.key);
  read(j, "records", v.records);
}

void to_json(json& j, const TransformManifest& v) {
  j = {{"format", v.format},
       {"job", v.job},
       {"run_id", v.run_id},
       {"started_at", v.started_at},
       {"finished_at", v.finished_at},
       {"dataset", v.dataset},
       {"quarantine", v.quarantine},
       {"consumed", v.consumed},
       {"previous_run", nullable(v.previous_run)},
       {"last_ingest_run", v.last_ingest_run},
       {"tables", v.tables},
       {"state", {{"current", v.state_current}, {"calendars", v.state_calendars}}},
       {"rejected", v.rejected}};
}

void from_json(const json& j, TransformManifest& v) {
  read(j, "format", v.format);
  read(j, "job", v.job);
  read(j, "run_id", v.run_id);
  read(j, "started_at", v.started_at);
  read(j, "finished_at", v.finished_at);
  read(j, "dataset", v.dataset);
  read(j, "quarantine", v.quarantine);
  read(j, "consumed", v.consumed);
  v.previous_run = nullable_string(j, "previous_run");
  read(j, "last_ingest_run", v.last_ingest_run);
  read(j, "tables", v.tables);
  read(j.at("state"), "current", v.state_current);
  read(j.at("state"), "calendars", v.state_calendars);
  read(j, "rejected", v.rejected);
}

std::string manifest_text(const IngestManifest& m) {
  return json(m).dump(2) + "\n";
}

std::string manifest_text(const TransformManifest& m) {
  return json(m).dump(2) + "\n";
}

Result<Stored<IngestManifest>> read_ingest_manifest(stores::ObjectStore& store, std::string_view run_id) {
  return read_manifest<IngestManifest>(store, ingest_manifest_key(run_id), run_id, "ingest");
}

Result<Stored<TransformManifest>> read_transform_manifest(stores::ObjectStore& store,
                                                          std::string_view run_id) {
  return read_manifest<TransformManifest>(store, transform_manifest_key(run_id), run_id, "transform");
}

}  // namespace dwh::ledger
