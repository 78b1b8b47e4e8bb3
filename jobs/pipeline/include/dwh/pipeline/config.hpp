#pragma once
// The pipeline's configuration: one TOML file (dwh.toml, read with toml++), every value
// overridable by a DWH_* environment variable and then by a command-line flag.
//
//   [source]     url = "postgresql://ingest@db:5432/totesys"       DWH_SOURCE_URL
//   [landing]    url = "s3://acme-landing/totesys"                 DWH_LANDING_URL
//   [processed]  url = "s3://acme-processed/totesys"               DWH_PROCESSED_URL
//   [warehouse]  url = "postgresql://loader@wh:5432/warehouse"     DWH_WAREHOUSE_URL
//                secret = "totesys/warehouse"                      DWH_WAREHOUSE_SECRET
//                dialect = "postgres" | "redshift"                 DWH_WAREHOUSE_DIALECT
//   [model]      dir = "models/totesys"                            DWH_MODEL
//   [schedule]   every = "15m"                                     DWH_EVERY
//   [alerts]     sns_topic_arn = "arn:aws:sns:..."                 DWH_ALERT_SNS_TOPIC_ARN
//                max_freshness = "30m"                             DWH_ALERT_MAX_FRESHNESS
//
// Relative paths (model dir, file:// stores given as relative "file://./x") are resolved
// against the config file's folder, so a config works from any working directory. Unknown keys
// are errors naming the file, line and key (a typo must not silently fall back to a default).
// Without a value anywhere: source and warehouse come from the local cluster (`dwh local up`),
// landing/processed are file:// folders under .dwh/lake/, the model is models/totesys of the
// models folder found at run time (dwh/model/models_dir.hpp): the embedded default.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "dwh/core/result.hpp"

namespace dwh::pipeline {

struct PipelineConfig {
  std::string source_url;  // empty: the local cluster / DWH_SOURCE_URL via dwh::local
  std::string landing_url;
  std::string processed_url;
  std::string warehouse_url;     // empty: the local cluster / DWH_WAREHOUSE_URL
  std::string warehouse_secret;  // Secrets Manager secret name (seeds' PG_* JSON)
  std::string dialect;           // "", "postgres" or "redshift"
  std::filesystem::path model_dir;
  std::chrono::seconds every{0};  // 0: run once
  std::string alert_sns_topic_arn;
  std::chrono::seconds max_freshness{30 * 60};
  // Where each value came from ("dwh.toml:4", "DWH_LANDING_URL", "--landing", "default"),
  // keyed like the TOML ("landing.url"), for messages and `dwh run --show-config`.
  std::map<std::string, std::string> origin;
};

// Flag values given on the command line (unset: not given).
struct ConfigOverrides {
  std::map<std::string, std::string> values;  // "landing.url" -> value
};

// Reads `file` (optional: nullopt means no file), then the environment, then the overrides.
// `state_dir` (usually .dwh) places the default lake.
Result<PipelineConfig> load_pipeline_config(const std::optional<std::filesystem::path>& file,
                                            const ConfigOverrides& overrides,
                                            const std::filesystem::path& state_dir = ".dwh");

// "90s", "15m", "2h", "1h30m" -> seconds; "InvalidConfig" otherwise.
Result<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace dwh::pipeline
