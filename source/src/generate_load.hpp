#pragma once
// Loading the generated rows into an initialised totesys database (see generate.hpp for the
// steps). Every table is emptied first.
#include "dwh/core/result.hpp"
#include "dwh/source/generate.hpp"
#include "dwh/source/generate_model.hpp"

namespace dwh::source {

Result<GeneratePhases> load_generated(const GenerateOptions& options, const gen::Model& model);

}  // namespace dwh::source
