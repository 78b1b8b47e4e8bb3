#pragma once
// Where a pipeline run reads and writes, resolved from its configuration once, before the first
// run (`dwh run`, and the Lambda handlers):
//   - the source: source.url, else DWH_SOURCE_URL, else the local cluster (dwh::local);
//   - the warehouse: warehouse.url, else warehouse.secret (Secrets Manager), else the PG*
//     environment, DWH_WAREHOUSE_URL, the local cluster (dwh::load::resolve_warehouse), with
//     warehouse.dialect overriding the URL's.
#include "dwh/core/result.hpp"
#include "dwh/pipeline/config.hpp"
#include "dwh/pipeline/run.hpp"

namespace dwh::pipeline {

// Errors keep their codes; the message starts with "no source database: " or
// "no warehouse database: ". No message holds a password.
Result<PipelineTargets> resolve_targets(const PipelineConfig& config);

// Creates the folders of file:// landing and processed stores, so that the embedded default
// lake (.dwh/lake) works on a first run. A folder that cannot be created is not an error here:
// it shows up as the store's own error in the step that uses it.
void create_file_stores(const PipelineConfig& config);

}  // namespace dwh::pipeline
