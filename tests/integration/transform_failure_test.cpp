// dwh transform on bad input: a landing made by the real ingest, then one more ingest run whose
// object holds a bad record (written the way ingest writes: gzip, manifest with size, SHA-256 and
// columns). Without --quarantine the run fails (exit 2) naming object, line, column and value,
// and commits nothing; with it the run completes and the rejects are where the docs say.
// A model error is reported (exit 2, file and key named) before any data is read.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "../../jobs/transform/src/internal.hpp"
#include "dwh/aws/sigv4.hpp"
#include "dwh/core/run_id.hpp"
#include "dwh/ledger/layout.hpp"
#include "transform_test_support.hpp"

namespace dwh::test {
namespace {

using namespace transform_support;
using nlohmann::json;
namespace fs = std::filesystem;

struct Fixture {
  TestDatabase db;
  std::string landing;
  json first_manifest;                              // of the full ingest run
  std::map<std::string, std::vector<json>> sample;  // a few landed rows per table
};

Fixture& fixture() {
  static Fixture f = [] {
    Fixture x;
    x.db = make_totesys_source("tr_fail", 0.02);
    x.landing = "file://" + make_temp_dir("tr-fail-landing");
    const auto r = ingest(x.db.url, x.landing);
    auto store = stores::open_store(x.landing);
    x.first_manifest = json::parse(store.value()->get(ledger::ingest_manifest_key(r.run_id)).value());
    for (const auto& [table, entry] : x.first_manifest.at("tables").items()) {
      if (entry.at("key").is_null()) continue;
      const auto text = stores::decompress(stores::Compression::Gzip,
                                           store.value()->get(entry.at("key").get<std::string>()).value());
      std::size_t pos = 0;
      for (int i = 0; i < 3 && pos < text->size(); ++i) {
        const auto end = text->find('\n', pos);
        x.sample[table].push_back(json::parse(text->substr(pos, end - pos)));
        pos = end + 1;
      }
    }
    return x;
  }();
  return f;
}

// A copy of the fixture's landing plus one more ingest run landing `lines` for `table`.
// Returns the landing URL; `key` gets the new object's key.
std::string landing_with(const std::string& table, const std::vector<std::string>& lines, std::string& key,
                         const std::string& name) {
  auto& f = fixture();
  const std::string dir = make_temp_dir("tr-fail-" + name);
  fs::copy(dir_of(f.landing), dir, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const std::string run_id = core::make_run_id(std::chrono::system_clock::now());
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  std::string gz;
  EXPECT_TRUE(stores::compress_chunk(stores::Compression::Gzip, text, gz));
  key = ingest::object_key(table, run_id, ".gz");
  auto store = stores::open_store("file://" + dir).value();
  EXPECT_TRUE(store->put(key, gz));
  json m = f.first_manifest;
  m["run_id"] = run_id;
  json tables = json::object();
  json entry = f.first_manifest.at("tables").at(table);
  entry["key"] = key;
  entry["rows"] = lines.size();
  entry["bytes"] = gz.size();
  entry["sha256"] = aws::sigv4::sha256_hex(gz);
  tables[table] = entry;
  m["tables"] = tables;
  EXPECT_TRUE(store->put(ledger::ingest_manifest_key(run_id), m.dump(2)));
  return "file://" + dir;
}

std::string with(json row, const std::string& column, const json& value) {
  row[column] = value;
  return row.dump();
}

std::string without(json row, const std::string& column) {
  row.erase(column);
  return row.dump();
}

struct BadCase {
  std::string name;
  std::string table;
  std::string warehouse_table;  // where quarantined records of it go
  std::function<std::string()> bad_line;
  std::vector<std::string> named;  // what the error must name (besides object and line)
};

std::vector<BadCase> bad_cases() {
  return {
      {"malformed",
       "sales_order",
       "fact_sales_order",
       [] { return std::string(R"({"sales_order_id": 1, "created_at": "2022-11-03T14:20:52.186",)"); },
       {"malformed JSON"}},
      {"missing_column",
       "sales_order",
       "fact_sales_order",
       [] { return without(fixture().sample["sales_order"][0], "units_sold"); },
       {"column units_sold", "missing column"}},
      {"wrong_type",
       "sales_order",
       "fact_sales_order",
       [] { return with(fixture().sample["sales_order"][0], "units_sold", "many"); },
       {"column units_sold", "value \"many\"", "wrong type"}},
      {"bad_date",
       "sales_order",
       "fact_sales_order",
       [] { return with(fixture().sample["sales_order"][0], "agreed_delivery_date", "2024-02-30"); },
       {"column agreed_delivery_date", "value 2024-02-30"}},
      {"lookup_miss",
       "staff",
       "dim_staff",
       [] { return with(fixture().sample["staff"][0], "department_id", 987654); },
       {"column department_id", "value 987654", "lookup miss"}},
      {"unknown_label",
       "currency",
       "dim_currency",
       [] { return with(fixture().sample["currency"][0], "currency_code", "XYZ"); },
       {"column currency_code", "value XYZ", "unknown label"}},
  };
}

TEST(TransformFailure, BadRecordFailsTheRunNamingObjectLineColumnValue) {
  for (const auto& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    std::string key;
    const json good = fixture().sample[c.table][1];
    const std::string landing = landing_with(c.table, {good.dump(), c.bad_line()}, key, c.name);
    const std::string processed = "file://" + make_temp_dir("tr-fail-p-" + c.name);
    const auto r = run_process(
        {DWH_CLI_PATH, "transform", "--landing", landing, "--processed", processed, "--model", model_dir()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(key + " line 2"), std::string::npos) << r.err;
    for (const auto& n : c.named) EXPECT_NE(r.err.find(n), std::string::npos) << n << " not in: " << r.err;
    EXPECT_TRUE(r.out.empty());
    // Nothing that counts: no manifest, no objects left behind.
    auto store = stores::open_store(processed).value();
    EXPECT_TRUE(manifests(*store).empty());
    EXPECT_TRUE(data_objects(*store).empty()) << ::testing::PrintToString(data_objects(*store));
  }
}

TEST(TransformFailure, QuarantineSetsBadRecordsAsideAndCompletes) {
  for (const auto& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    std::string key;
    // A new version of a landed row (a copy of a fact version would be a duplicate key).
    const std::string good = with(fixture().sample[c.table][1], "last_updated", "2022-12-01T00:00:00.000");
    const std::string bad = c.bad_line();
    const std::string landing = landing_with(c.table, {good, bad}, key, "q-" + c.name);
    const std::string processed = "file://" + make_temp_dir("tr-fail-q-" + c.name);
    const auto r = run_process({DWH_CLI_PATH, "transform", "--landing", landing, "--processed", processed,
                                "--model", model_dir(), "--quarantine"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json report = json::parse(r.out);
    EXPECT_EQ(report.at("rejected"), 1);
    const std::string run_id = report.at("run_id");
    const std::string reject_key = "_rejected/" + run_id + "/" + c.warehouse_table + ".jsonl";
    EXPECT_EQ(report.at("rejected_keys"), json::array({reject_key}));
    auto store = stores::open_store(processed).value();
    auto text = store->get(reject_key);
    ASSERT_TRUE(text) << text.error().message;
    const json rejected = json::parse(text->substr(0, text->find('\n')));
    EXPECT_EQ(rejected.at("object"), key);
    EXPECT_EQ(rejected.at("line"), 2);
    EXPECT_EQ(rejected.at("record"), bad);
    EXPECT_FALSE(rejected.at("reason").get<std::string>().empty());
    // The good record of the same object made it.
    const auto ms = manifests(*store);
    ASSERT_EQ(ms.size(), 1u);
    EXPECT_EQ(ms[0].at("rejected").at(c.warehouse_table).at("records"), 1);
    EXPECT_EQ(data_objects(*store), referenced_objects(*store));
  }
}

// A landed fact version that is already there (same natural key and version): the unique-key
// expectation fails the run, even with --quarantine, naming the rows.
TEST(TransformFailure, DuplicateFactVersionFailsTheUniqueKey) {
  auto& f = fixture();
  std::string key;
  const json dup = f.sample["sales_order"][0];
  const std::string landing = landing_with("sales_order", {dup.dump()}, key, "dup");
  const std::string processed = "file://" + make_temp_dir("tr-fail-dup-p");
  const auto r = run_process({DWH_CLI_PATH, "transform", "--landing", landing, "--processed", processed,
                              "--model", model_dir(), "--quarantine"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unique key (sales_order_id, last_updated_date, last_updated_time)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(key + " line 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(f.first_manifest.at("tables").at("sales_order").at("key").get<std::string>()),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("sales_order_id=" + dup.at("sales_order_id").dump()), std::string::npos) << r.err;
  auto store = stores::open_store(processed).value();
  EXPECT_TRUE(manifests(*store).empty());
  EXPECT_TRUE(data_objects(*store).empty());
}

TEST(TransformFailure, ModelErrorBeforeAnyDataIsRead) {
  const std::string models = make_temp_dir("tr-fail-model");
  fs::copy(model_dir(), models, fs::copy_options::recursive);
  {
    std::ifstream in(models + "/dim_staff.toml");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const auto at = text.find("from = \"department.location\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, std::string("from = \"department.location\"").size(), "from = \"department.locaton\"");
    std::ofstream(models + "/dim_staff.toml") << text;
  }
  // The landing does not even exist: the model is checked first.
  const auto r = run_process({DWH_CLI_PATH, "transform", "--landing", "file:///nonexistent/landing",
                              "--processed", "file:///nonexistent/processed", "--model", models});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("dim_staff.toml"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("locaton"), std::string::npos) << r.err;
}

TEST(TransformFailure, CorruptLandedObjectAndSchemaDrift) {
  auto& f = fixture();
  // A landed object whose bytes no longer match the ingest manifest.
  {
    const std::string dir = make_temp_dir("tr-fail-corrupt");
    fs::copy(dir_of(f.landing), dir, fs::copy_options::recursive);
    const std::string key = f.first_manifest.at("tables").at("design").at("key");
    std::fstream io(dir + "/" + key, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(-9, std::ios::end);
    io.put('\x55');
    io.close();
    const std::string processed = "file://" + make_temp_dir("tr-fail-corrupt-p");
    const auto r = run_process({DWH_CLI_PATH, "transform", "--landing", "file://" + dir, "--processed",
                                processed, "--model", model_dir()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
    EXPECT_TRUE(manifests(*stores::open_store(processed).value()).empty());
  }
  // An ingest run whose column list lacks a column sources.toml declares.
  {
    std::string key;
    const std::string landing = landing_with("design", {f.sample["design"][0].dump()}, key, "drift");
    auto store = stores::open_store(landing).value();
    auto ids = store->list("_manifests/ingest/").value();
    const std::string mkey = ids.back().key;
    json m = json::parse(store->get(mkey).value());
    auto& cols = m["tables"]["design"]["columns"];
    for (auto it = cols.begin(); it != cols.end(); ++it) {
      if ((*it)["name"] == "file_name") {
        cols.erase(it);
        break;
      }
    }
    ASSERT_TRUE(store->put(mkey, m.dump()));
    const std::string processed = "file://" + make_temp_dir("tr-fail-drift-p");
    const auto r = run_process(
        {DWH_CLI_PATH, "transform", "--landing", landing, "--processed", processed, "--model", model_dir()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("design"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("file_name"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace dwh::test
