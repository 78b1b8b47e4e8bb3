#include "manifest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "dwh/core/hash.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ingest/layout.hpp"

namespace dwh::load::detail {

Result<std::vector<std::string>> list_transform_runs(stores::ObjectStore& store) {
  auto listed = store.list(std::string(kTransformManifestPrefix));
  if (!listed) {
    Error e = std::move(listed).error();
    e.message = "cannot list " + store.url() + "/" + std::string(kTransformManifestPrefix) + ": " + e.message;
    return e;
  }
  std::vector<std::string> ids;
  for (const auto& o : *listed) {
    if (!o.key.ends_with(".json")) continue;
    std::string id = core::run_id_of_key(o.key);
    if (!id.empty()) ids.push_back(std::move(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<TransformManifest> read_transform_manifest(stores::ObjectStore& store, const std::string& run_id) {
  TransformManifest m;
  m.run_id = run_id;
  m.key = std::string(kTransformManifestPrefix) + run_id + ".json";
  auto text = store.get(m.key);
  if (!text) {
    Error e = std::move(text).error();
    e.message = "cannot read transform manifest " + m.key + ": " + e.message;
    return e;
  }
  m.sha256 = core::sha256_hex(*text);
  try {
    const auto j = nlohmann::json::parse(*text);
    if (j.at("run_id").get<std::string>() != run_id) throw std::runtime_error("run_id differs from its key");
    m.dataset = j.at("dataset").get<std::string>();
    if (!j.at("previous_run").is_null()) m.previous_run = j.at("previous_run").get<std::string>();
    for (const auto& [table, t] : j.at("tables").items()) {
      ManifestTable mt;
      if (!t.at("key").is_null()) {
        mt.key = t.at("key").get<std::string>();
        mt.sha256 = t.at("sha256").get<std::string>();
      }
      mt.rows = t.at("rows").get<std::uint64_t>();
      mt.bytes = t.at("bytes").get<std::uint64_t>();
      m.tables[table] = std::move(mt);
    }
  } catch (const std::exception& e) {
    return make_error("ManifestInvalid", m.key + " is not a valid transform manifest: " + e.what());
  }
  return m;
}

}  // namespace dwh::load::detail
