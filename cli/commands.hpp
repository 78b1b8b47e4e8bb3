#pragma once
// Each command family registers its subcommands on the root app. Handlers set the exit
// code through the returned reference: 0 success, 1 failure (2 is CLI11's usage error).
#include <CLI/CLI.hpp>

namespace dwh::cli {

void register_aws_commands(CLI::App& app, int& exit_code);
void register_aws_sign_command(CLI::App& aws, int& exit_code);
// Adds `aws s3` (roundtrip, ls, rm) and returns it, so more s3 subcommands can join it.
CLI::App* register_aws_s3_command(CLI::App& aws, int& exit_code);
void register_aws_s3_cp_command(CLI::App& s3, int& exit_code);
// Adds `local` (up, down, status): the throwaway PostgreSQL cluster.
void register_local_commands(CLI::App& app, int& exit_code);
// Adds `source` (init, generate) and returns it, so `source simulate` can join it.
CLI::App* register_source_commands(CLI::App& app, int& exit_code);
// Adds `source simulate`: the live totesys workload.
void register_source_simulate_command(CLI::App& source, int& exit_code);
// Adds `ingest`: the incremental, snapshot-consistent extraction into the landing zone.
void register_ingest_command(CLI::App& app, int& exit_code);
// Adds `transform`: landed rows into the processed zone's star schemas (Parquet).
void register_transform_command(CLI::App& app, int& exit_code);

// Adds `warehouse` (init): the warehouse schema from the models.
void register_warehouse_commands(CLI::App& app, int& exit_code);
// Adds `load`: committed transform runs into the warehouse, exactly once, checked.
void register_load_command(CLI::App& app, int& exit_code);
// Adds `report`: the dashboard (one self-contained HTML file) from the warehouse views.
void register_report_command(CLI::App& app, int& exit_code);

// Adds `demo`: the embedded default end to end (local PostgreSQL, file:// lake, dashboard).
void register_demo_command(CLI::App& app, int& exit_code);

// Adds `run`: ingest -> transform -> load once or on a schedule (dwh.toml).
void register_run_command(CLI::App& app, int& exit_code);

}  // namespace dwh::cli
