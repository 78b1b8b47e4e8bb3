#pragma once
// The loader's steps (private): sources.toml, one model file, then the checks across models.
#include <memory>
#include <string>
#include <vector>

#include "dwh/model/model.hpp"
#include "dwh/model/toml_file.hpp"

namespace dwh::model::detail {

std::vector<SourceTable> read_sources(const TomlFile& file);

// Everything one file can be checked for on its own (keys, types, expressions, lookups and
// their cycles, keys naming columns) against the source tables.
Model read_model(const TomlFile& file, const std::string& table, const std::vector<SourceTable>& sources);

struct LoadedModel {
  std::unique_ptr<TomlFile> file;
  Model model;
};

// References between models (unknown table or column, type mismatch, not the target's key,
// cycles); returns the models ordered so each comes after the models it references.
std::vector<Model> link_models(std::vector<LoadedModel> models);

}  // namespace dwh::model::detail
