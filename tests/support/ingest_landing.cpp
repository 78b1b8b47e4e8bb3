#include "ingest_landing.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <sstream>

#include "dwh/core/run_id.hpp"
#include "dwh/ledger/layout.hpp"
#include "dwh/source/generate.hpp"
#include "dwh/source/schema_init.hpp"
#include "dwh/stores/compression.hpp"
#include "dwh/stores/object_store.hpp"

namespace dwh::test {
namespace {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) out += kHex[md[i] >> 4], out += kHex[md[i] & 0xf];
  return out;
}

std::string key_of(const nlohmann::json& row, const std::vector<std::string>& pk) {
  std::string k;
  for (const auto& c : pk) k += row.at(c).dump() + "|";
  return k;
}

// Primary keys from the manifests (the tests do not hard-code the dataset either).
std::map<std::string, std::vector<std::string>> g_keys;

}  // namespace

TestDatabase make_totesys_source(std::string_view prefix, double scale, std::uint64_t seed) {
  auto& pg = PostgresFixture::instance();
  TestDatabase db = pg.create_database(prefix);
  {
    pqxx::connection conn(db.url);
    auto init = source::init_schema(conn);
    if (!init) throw std::runtime_error("source init: " + init.error().message);
  }
  source::GenerateOptions options;
  options.url = db.url;
  options.scale = scale;
  options.seed = seed;
  auto generated = source::generate(options);
  if (!generated) throw std::runtime_error("source generate: " + generated.error().message);
  return db;
}

Landing read_landing(const std::string& store_url, const aws::ClientOptions& s3) {
  Landing out;
  auto store = stores::open_store(store_url, s3);
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return out;
  }
  auto all = (*store)->list("");
  if (!all) {
    ADD_FAILURE() << all.error().message;
    return out;
  }
  for (const auto& o : *all) {
    if (o.key.rfind(ledger::kIngestManifestPrefix, 0) == 0)
      out.manifests.push_back(core::run_id_of_key(o.key));
    else
      out.objects.insert(o.key);
  }
  std::sort(out.manifests.begin(), out.manifests.end());
  for (const auto& id : out.manifests) {
    auto text = (*store)->get(ledger::ingest_manifest_key(id));
    if (!text) {
      ADD_FAILURE() << text.error().message;
      continue;
    }
    const auto m = nlohmann::json::parse(*text);
    const auto compression = *stores::parse_compression(m.at("compression").get<std::string>());
    for (const auto& [table, entry] : m.at("tables").items()) {
      g_keys[table] = entry.at("primary_key").get<std::vector<std::string>>();
      if (entry.at("key").is_null()) {
        EXPECT_EQ(entry.at("rows").get<std::uint64_t>(), 0u) << id << " " << table;
        continue;
      }
      const std::string key = entry.at("key").get<std::string>();
      out.referenced.insert(key);
      auto body = (*store)->get(key);
      if (!body) {
        ADD_FAILURE() << "manifest " << id << " names " << key << " but: " << body.error().message;
        continue;
      }
      EXPECT_EQ(body->size(), entry.at("bytes").get<std::uint64_t>()) << key;
      EXPECT_EQ(sha256_hex(*body), entry.at("sha256").get<std::string>()) << key;
      auto plain = stores::decompress(compression, *body);
      if (!plain) {
        ADD_FAILURE() << key << ": " << plain.error().message;
        continue;
      }
      std::istringstream lines(*plain);
      std::uint64_t n = 0;
      for (std::string line; std::getline(lines, line);) {
        out.rows.push_back({id, table, nlohmann::json::parse(line)});
        ++n;
      }
      EXPECT_EQ(n, entry.at("rows").get<std::uint64_t>()) << key;
    }
  }
  return out;
}

std::vector<std::string> duplicate_versions(const Landing& landing) {
  std::set<std::string> seen;
  std::vector<std::string> dups;
  for (const auto& r : landing.rows) {
    const std::string id =
        r.table + " " + key_of(r.row, g_keys[r.table]) + " " + r.row.at("last_updated").dump();
    if (!seen.insert(id).second) dups.push_back(id);
  }
  return dups;
}

std::map<std::string, std::vector<std::string>> newest_rows(const Landing& landing) {
  std::map<std::string, std::map<std::string, std::string>> newest;  // rows are in run order
  for (const auto& r : landing.rows) newest[r.table][key_of(r.row, g_keys[r.table])] = r.row.dump();
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [table, rows] : newest) {
    auto& v = out[table];
    for (auto& [k, line] : rows) v.push_back(line);
    std::sort(v.begin(), v.end());
  }
  return out;
}

std::vector<std::string> compare_with_source(const std::string& source_url, const Landing& landing) {
  std::vector<std::string> problems;
  pqxx::connection conn(source_url);
  pqxx::work tx(conn);
  tx.exec("CREATE TEMP TABLE landed (tbl text, j jsonb) ON COMMIT DROP");
  const auto newest = newest_rows(landing);
  for (const auto& [table, rows] : newest) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& line : rows) array.push_back(nlohmann::json::parse(line));
    tx.exec_params("INSERT INTO landed SELECT $1, e FROM jsonb_array_elements($2::jsonb) e", table,
                   array.dump());
  }
  const auto tables = tx.exec(
      "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1");
  for (const auto& t : tables) {
    const std::string table = t[0].as<std::string>();
    const std::string q = tx.quote_name(table);
    const std::string landed_rows = "SELECT (jsonb_populate_record(NULL::public." + q +
                                    ", j)).* FROM landed WHERE tbl = " + tx.quote(table);
    const auto missing = tx.exec("SELECT count(*) FROM (SELECT * FROM public." + q + " EXCEPT ALL " +
                                 landed_rows + ") x")[0][0]
                             .as<long>();
    const auto extra = tx.exec("SELECT count(*) FROM (" + landed_rows + " EXCEPT ALL SELECT * FROM public." +
                               q + ") x")[0][0]
                           .as<long>();
    if (missing || extra) {
      problems.push_back(table + ": " + std::to_string(missing) + " source rows missing or different, " +
                         std::to_string(extra) + " landed rows not in the source");
    }
  }
  return problems;
}

}  // namespace dwh::test
