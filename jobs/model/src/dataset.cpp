// load_dataset(): a dataset folder to a checked Dataset, and the Dataset/Model helpers.
#include <algorithm>
#include <set>

#include "dwh/model/model.hpp"
#include "read.hpp"

namespace dwh::model {
namespace {

constexpr std::string_view kSourcesFile = "sources.toml";
constexpr std::string_view kModelExtension = ".toml";

std::string dataset_name(const std::filesystem::path& dir) {
  std::filesystem::path p = dir.lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

Dataset load_or_throw(const std::filesystem::path& dir) {
  using namespace detail;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw ModelFileError(dir.string() + ": not a directory");
  Dataset ds;
  ds.dir = dir;
  ds.name = dataset_name(dir);
  const TomlFile sources(dir / kSourcesFile, (dir / kSourcesFile).string());
  ds.sources = read_sources(sources);

  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::filesystem::path& p = entry.path();
    if (!entry.is_regular_file() || p.extension() != kModelExtension || p.filename() == kSourcesFile)
      continue;
    files.push_back(p);
  }
  if (ec) throw ModelFileError(dir.string() + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw ModelFileError(dir.string() + ": no model files (<warehouse_table>.toml)");

  std::vector<LoadedModel> loaded;
  for (const std::filesystem::path& p : files) {
    const std::string display = (dir / p.filename()).string();
    const std::string table = p.stem().string();
    if (!is_identifier(table))
      throw ModelFileError(display + ": the file name must be <warehouse_table>.toml");
    LoadedModel m;
    m.file = std::make_unique<TomlFile>(p, display);
    m.model = read_model(*m.file, table, ds.sources);
    loaded.push_back(std::move(m));
  }
  ds.models = link_models(std::move(loaded));
  return ds;
}

}  // namespace

Result<Dataset> load_dataset(const std::filesystem::path& dir) {
  try {
    return load_or_throw(dir);
  } catch (const detail::ModelFileError& e) {
    return make_error("ModelError", e.what());
  }
}

parquet::Schema parquet_schema(const Model& model) {
  parquet::Schema schema;
  schema.columns.reserve(model.columns.size());
  for (const ModelColumn& c : model.columns) {
    parquet::ColumnSchema s = c.parquet;
    s.name = c.name;
    schema.columns.push_back(std::move(s));
  }
  return schema;
}

const SourceColumn* SourceTable::column(std::string_view name) const {
  for (const SourceColumn& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

int SourceTable::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

const ModelColumn* Model::column(std::string_view name) const {
  for (const ModelColumn& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

int Model::column_index(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

const Lookup* Model::lookup(std::string_view name) const {
  for (const Lookup& l : lookups)
    if (l.name == name) return &l;
  return nullptr;
}

const SourceTable* Dataset::source(std::string_view name) const {
  for (const SourceTable& s : sources)
    if (s.name == name) return &s;
  return nullptr;
}

const Model* Dataset::model(std::string_view table) const {
  for (const Model& m : models)
    if (m.table == table) return &m;
  return nullptr;
}

std::vector<std::string> Dataset::tables_needing_current_version() const {
  std::set<std::string> tables;
  for (const Model& m : models) {
    if (m.lookups.empty()) continue;
    // A dimension re-emits its rows when a lookup row changes, so it needs its own source's
    // current rows too (department change -> every staff row of the department).
    if (m.kind == ModelKind::Dimension) tables.insert(m.source);
    for (const Lookup& l : m.lookups) tables.insert(l.table);
  }
  return {tables.begin(), tables.end()};
}

std::vector<const Model*> Dataset::models_looking_up(std::string_view source_table) const {
  std::vector<const Model*> out;
  for (const Model& m : models) {
    if (m.kind != ModelKind::Dimension || m.source == source_table) continue;
    const bool uses = std::any_of(m.lookups.begin(), m.lookups.end(),
                                  [&](const Lookup& l) { return l.table == source_table; });
    if (uses) out.push_back(&m);
  }
  return out;
}

std::vector<std::pair<const Model*, std::size_t>> Dataset::columns_referencing(std::string_view table) const {
  std::vector<std::pair<const Model*, std::size_t>> out;
  for (const Model& m : models) {
    for (std::size_t i = 0; i < m.columns.size(); ++i)
      if (m.columns[i].references_table == table) out.emplace_back(&m, i);
  }
  return out;
}

}  // namespace dwh::model
