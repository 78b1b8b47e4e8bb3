#pragma once
// Every statement the load job sends, as pure functions of the model (and the dialect), so the
// Redshift statements, which cannot run here, are pinned by golden files
// (tests/golden/load/redshift/) and the PostgreSQL ones are the same code the tests run.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/load/warehouse_schema.hpp"
#include "dwh/model/model.hpp"

namespace dwh::load::sql {

// "name" with embedded quotes doubled.
std::string ident(std::string_view name);
// 'text' with embedded quotes doubled (standard_conforming_strings: backslashes are plain).
std::string literal(std::string_view text);

// The staging table of a model: "_dwh_stage_<table>".
std::string stage_table(const model::Model& model);

// The advisory lock that serialises loaders of one warehouse (PostgreSQL: a transaction-scoped
// advisory lock on a fixed key; Redshift: LOCK on the control table).
std::string lock(Dialect dialect);
std::string last_loaded_run();
std::string is_loaded(std::string_view run_id);

// A staging table with the model's columns (no surrogate key, no constraints), dropped at commit
// or rollback (PostgreSQL ON COMMIT DROP; Redshift drops it explicitly, see drop_stage).
std::string create_stage(const model::Model& model, Dialect dialect);
std::string drop_stage(const model::Model& model);
// PostgreSQL: COPY of the staging table from the client (text format).
std::string copy_from_stdin(const model::Model& model);
// Redshift: COPY of the staging table from the Parquet object named by a manifest file.
std::string copy_from_s3(const model::Model& model, std::string_view manifest_url, std::string_view iam_role);
// The COPY manifest file for one Parquet object (Redshift needs content_length for Parquet).
std::string copy_manifest(std::string_view object_url, std::uint64_t bytes);
// Redshift: why the last COPY of this session failed.
std::string load_errors();

// Data-quality checks on a staged table. Each returns rows only when the check fails.
// One row: the number of NULLs per NOT NULL column, in the order of not_null_columns().
std::vector<std::string> not_null_columns(const model::Model& model);
std::string count_nulls(const model::Model& model);
// Up to 5 natural keys (as text) of staged rows whose `column` is NULL.
std::string null_examples(const model::Model& model, std::string_view column);
// Up to 5 unique keys staged more than once, with their counts.
std::string duplicate_keys(const model::Model& model);
// Up to 5 distinct staged values of `column` with no row in the table it references.
std::string unresolved_references(const model::Model& model, const model::ModelColumn& column);

// Dimensions: the staged rows replace the stored ones with the same natural key.
std::string upsert_dimension(const model::Model& model, Dialect dialect);
// Facts: the staged versions not already stored.
std::string append_facts(const model::Model& model, Dialect dialect);

// A fact's source change time, as SQL over its own columns: its version columns are read from the
// source's cursor (the model loader checks that), so they put back together the cursor's value:
// the timestamp itself, or its date part plus its time part. "" when a model has none.
std::string source_change_expression(const model::Model& model);
// One row, one value: the newest source change among the rows of `facts` (those with no version
// columns are left out), as text in one fixed shape whatever the session's DateStyle, or NULL.
// Staged: their staging tables, which the load records in its control row, so the freshness
// view reads one row per load instead of every fact version. Stored: the warehouse tables, read
// once by `warehouse init` for a control table from an earlier release. "" when no fact counts.
enum class Rows { Staged, Stored };
std::string newest_source_change(const std::vector<const model::Model*>& facts, Rows rows);

// PostgreSQL: the planner's row estimate of a table ("-1" when never analysed), its pages, and
// whether this role owns it (may drop and add its constraints); reads no rows.
std::string estimated_rows(const model::Model& model);
// PostgreSQL: the foreign keys a table holds: name, definition (pg_get_constraintdef), so the
// same constraints can be added back exactly as they were, and whether this role may add them
// (REFERENCES on the referenced table).
std::string foreign_keys_of(const model::Model& model);
struct ForeignKey {
  std::string name;
  std::string definition;  // "FOREIGN KEY (created_date) REFERENCES dim_date(date_id)"
};
// One ALTER TABLE each, every key in it.
std::string drop_foreign_keys(const model::Model& model, const std::vector<ForeignKey>& keys);
std::string add_foreign_keys(const model::Model& model, const std::vector<ForeignKey>& keys);

// `newest_source_change` is a timestamp literal's text ("2026-11-21 10:22:33.123") or empty (NULL).
std::string record_manifest(std::string_view run_id, std::string_view manifest_key,
                            std::string_view manifest_sha256, std::string_view model,
                            std::string_view row_counts_json, double seconds,
                            std::string_view newest_source_change = {});

}  // namespace dwh::load::sql
