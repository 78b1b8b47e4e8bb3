#include "dwh/pipeline/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "dwh/model/models_dir.hpp"
#include "dwh/model/toml_file.hpp"

namespace dwh::pipeline {
namespace {

namespace fs = std::filesystem;
using model::detail::ModelFileError;
using model::detail::TomlFile;

struct Setting {
  const char* key;  // "landing.url"
  const char* env;  // "DWH_LANDING_URL"
};

constexpr Setting kSettings[] = {
    {"source.url", "DWH_SOURCE_URL"},
    {"landing.url", "DWH_LANDING_URL"},
    {"processed.url", "DWH_PROCESSED_URL"},
    {"warehouse.url", "DWH_WAREHOUSE_URL"},
    {"warehouse.secret", "DWH_WAREHOUSE_SECRET"},
    {"warehouse.dialect", "DWH_WAREHOUSE_DIALECT"},
    {"model.dir", "DWH_MODEL"},
    {"schedule.every", "DWH_EVERY"},
    {"alerts.sns_topic_arn", "DWH_ALERT_SNS_TOPIC_ARN"},
    {"alerts.max_freshness", "DWH_ALERT_MAX_FRESHNESS"},
};

// file://relative/path (or file://./x) against `base`; absolute file:// and s3:// unchanged.
std::string resolve_store(const std::string& url, const fs::path& base) {
  constexpr std::string_view kFile = "file://";
  if (url.rfind(kFile, 0) != 0) return url;
  const fs::path p = url.substr(kFile.size());
  if (p.is_absolute()) return url;
  return std::string(kFile) + (base / p).lexically_normal().string();
}

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  static const std::regex kPart(R"((\d+)([smhd]))");
  const std::string s(text);
  if (s.empty()) return make_error("InvalidConfig", "empty duration (use e.g. 90s, 15m, 2h, 1h30m)");
  long long total = 0;
  std::size_t at = 0;
  for (std::sregex_iterator it(s.begin(), s.end(), kPart), end; it != end; ++it) {
    if (static_cast<std::size_t>(it->position()) != at) break;
    const long long n = std::stoll((*it)[1].str());
    const char unit = (*it)[2].str()[0];
    total += n * (unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400);
    at += static_cast<std::size_t>(it->length());
  }
  if (at != s.size() || total <= 0) {
    return make_error("InvalidConfig", "invalid duration '" + s + "' (use e.g. 90s, 15m, 2h, 1h30m)");
  }
  return std::chrono::seconds(total);
}

namespace {

// check_keys() takes an initializer_list; GCC cannot make one constexpr at namespace scope.
const std::initializer_list<std::string_view> kSections = {"source", "landing",  "processed", "warehouse",
                                                           "model",  "schedule", "alerts"};

// Each setting's value and where it came from (a file:line, an environment variable, "command
// line" or "default"): `dwh pipeline config` shows both, and errors name the origin.
struct SettingValues {
  std::map<std::string, std::string> value;
  std::map<std::string, std::string> origin;
};

// The setting names kSettings knows in `section` ("url", "secret", ...).
std::vector<std::string_view> known_names(std::string_view section) {
  std::vector<std::string_view> names;
  for (const auto& s : kSettings) {
    std::string_view k = s.key;
    if (k.substr(0, k.find('.')) == section) names.push_back(k.substr(k.find('.') + 1));
  }
  return names;
}

// Reads the settings `toml` holds into `values`. Throws ModelFileError (naming file and line)
// for an unknown section or key: a misspelt setting must not be silently ignored.
void read_toml_settings(const TomlFile& toml, const fs::path& file, SettingValues& values) {
  toml.check_keys(toml.root(), "", kSections);
  for (const auto& s : kSettings) {
    const std::string key = s.key;
    const std::string section = key.substr(0, key.find('.'));
    const std::string name = key.substr(key.find('.') + 1);
    const toml::table* t = toml.table(toml.root(), "", section, false);
    if (t == nullptr) continue;
    if (auto v = toml.string(*t, section, name, false)) {
      values.value[key] = *v;
      const auto* node = t->get(name);
      values.origin[key] = file.string() + (node ? ":" + std::to_string(node->source().begin.line) : "");
    }
  }
  for (std::string_view section : kSections) {
    const toml::table* t = toml.table(toml.root(), "", section, false);
    if (t == nullptr) continue;
    for (const auto& [k, node] : *t) {
      const auto names = known_names(section);
      if (std::find(names.begin(), names.end(), k.str()) == names.end()) {
        toml.fail(std::string(section) + "." + std::string(k.str()), "unknown key", &node);
      }
    }
  }
}

// The lowest layer: the config file, when one is given.
Status read_config_file(const fs::path& file, SettingValues& values) {
  std::error_code ec;
  if (!fs::exists(file, ec))
    return make_error("InvalidConfig", "config file " + file.string() + " does not exist");
  try {
    const TomlFile toml(file, file.string());
    read_toml_settings(toml, file, values);
  } catch (const ModelFileError& e) {
    return make_error("InvalidConfig", e.what());
  }
  return {};
}

// The layers above the file: environment variables, then the command line's overrides.
void apply_environment_and_overrides(const ConfigOverrides& overrides, SettingValues& values) {
  for (const auto& s : kSettings) {
    const char* env = std::getenv(s.env);
    if (env != nullptr && *env != '\0') {
      values.value[s.key] = env;
      values.origin[s.key] = s.env;
    }
  }
  for (const auto& [k, v] : overrides.values) {
    values.value[k] = v;
    values.origin[k] = "command line";
  }
}

// A duration setting ("schedule.every", "alerts.max_freshness"), its error naming the origin.
Result<std::chrono::seconds> setting_duration(const char* key, const std::string& text,
                                              SettingValues& values) {
  auto d = parse_duration(text);
  if (!d) {
    return make_error("InvalidConfig",
                      std::string(key) + " (" + values.origin[key] + "): " + d.error().message);
  }
  return *d;
}

// The layered values as a PipelineConfig: defaults filled in (and recorded as the origin),
// relative paths resolved against `base`, the dialect and durations checked.
Result<PipelineConfig> resolve_config(SettingValues& values, const fs::path& base,
                                      const fs::path& state_dir) {
  auto& [value, origin] = values;
  PipelineConfig c;
  const fs::path lake = fs::absolute(state_dir) / "lake";
  auto get = [&](const char* key, std::string fallback) {
    if (auto it = value.find(key); it != value.end()) return it->second;
    origin[key] = "default";
    return fallback;
  };
  c.source_url = get("source.url", "");
  c.landing_url = resolve_store(get("landing.url", "file://" + (lake / "landing").string()), base);
  c.processed_url = resolve_store(get("processed.url", "file://" + (lake / "processed").string()), base);
  c.warehouse_url = get("warehouse.url", "");
  c.warehouse_secret = get("warehouse.secret", "");
  c.dialect = get("warehouse.dialect", "");
  if (!c.dialect.empty() && c.dialect != "postgres" && c.dialect != "redshift") {
    return make_error("InvalidConfig", "warehouse.dialect (" + origin["warehouse.dialect"] + "): '" +
                                           c.dialect + "' is not postgres or redshift");
  }
  if (!value.count("model.dir")) {  // looked up only when needed: it may fail
    auto dir = model::default_dataset_dir();
    if (!dir) return make_error("InvalidConfig", "model.dir: " + dir.error().message);
    value["model.dir"] = dir->string();
    origin["model.dir"] = "default";
  }
  const std::string model = value["model.dir"];
  c.model_dir = fs::path(model).is_absolute() ? fs::path(model) : (base / model).lexically_normal();
  if (const std::string every = get("schedule.every", ""); !every.empty()) {
    auto d = setting_duration("schedule.every", every, values);
    if (!d) return std::move(d).error();
    c.every = *d;
  }
  c.alert_sns_topic_arn = get("alerts.sns_topic_arn", "");
  if (const std::string f = get("alerts.max_freshness", "30m"); !f.empty()) {
    auto d = setting_duration("alerts.max_freshness", f, values);
    if (!d) return std::move(d).error();
    c.max_freshness = *d;
  }
  c.origin = std::move(origin);
  return c;
}

}  // namespace

Result<PipelineConfig> load_pipeline_config(const std::optional<fs::path>& file,
                                            const ConfigOverrides& overrides, const fs::path& state_dir) {
  SettingValues values;
  fs::path base = fs::current_path();  // what relative paths are against: the file's folder, or here
  if (file) {
    if (auto s = read_config_file(*file, values); !s) return std::move(s).error();
    base = fs::absolute(*file).parent_path();
  }
  apply_environment_and_overrides(overrides, values);
  return resolve_config(values, base, state_dir);
}

}  // namespace dwh::pipeline
