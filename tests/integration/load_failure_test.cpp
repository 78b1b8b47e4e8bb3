// A failing check or a broken chain stops `dwh load` with a clear error and leaves the
// warehouse exactly as it was: a corrupted Parquet object (checksum), a fact whose foreign key
// has no dimension row, a dimension key staged twice (both written with our Parquet writer and
// re-registered in the manifest, so only the data-quality check can catch them), a transform
// manifest missing from the middle of the chain, and a warehouse never initialised.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dwh/aws/sigv4.hpp"
#include "dwh/parquet/reader.hpp"
#include "dwh/parquet/writer.hpp"
#include "load_test_support.hpp"

namespace dwh::test {
namespace {

using namespace load_support;
using json = nlohmann::json;

std::string processed_dir(const Pipeline& p) {
  return p.processed.substr(std::string("file://").size());
}

std::vector<std::string> manifest_paths(const Pipeline& p) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(processed_dir(p) + "/_manifests/transform"))
    out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Rewrites one table's object of the manifest at `manifest_path` with `edit` applied to its
// rows, and updates the manifest's rows, bytes and sha256 to match.
template <class Edit>
void rewrite_table(const std::string& manifest_path, const Pipeline& p, const std::string& table, Edit edit) {
  json m = json::parse(read_text(manifest_path));
  auto& t = m.at("tables").at(table);
  const std::string path = processed_dir(p) + "/" + t.at("key").get<std::string>();
  auto reader = parquet::Reader::open(read_text(path), path);
  ASSERT_TRUE(reader) << reader.error().message;
  auto batch = (*reader)->read_all();
  ASSERT_TRUE(batch) << batch.error().message;
  parquet::Schema schema = (*reader)->schema();
  edit(schema, *batch);
  std::string out;
  auto writer = parquet::Writer::open(schema, [&](std::string_view b) -> Status {
    out.append(b);
    return {};
  });
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write(*batch));
  ASSERT_TRUE((*writer)->close());
  write_file(path, out);
  t["rows"] = batch->rows;
  t["bytes"] = out.size();
  t["sha256"] = aws::sigv4::sha256_hex(out);
  write_file(manifest_path, m.dump(2));
}

// One full run loaded, then a second transform run ready to load.
struct Setup {
  Pipeline p;
  Snapshot before;
};

Setup loaded_then_pending(const std::string& prefix) {
  Setup s{Pipeline::make(prefix), {}};
  s.p.ingest();
  s.p.transform();
  s.p.init_warehouse();
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  s.before = warehouse_snapshot(s.p.warehouse.url);
  s.p.simulate(3);
  s.p.ingest();
  s.p.transform();
  return s;
}

void expect_untouched(const Setup& s) {
  EXPECT_EQ(diff(s.before, warehouse_snapshot(s.p.warehouse.url)), "");
  EXPECT_EQ(loaded_runs(s.p.warehouse.url).size(), 1u);
}

TEST(LoadFailure, CorruptedParquetObjectFailsTheChecksumAndLoadsNothing) {
  auto s = loaded_then_pending("load_fail_sum");
  const json m = json::parse(read_text(manifest_paths(s.p).back()));
  const std::string key = m.at("tables").at("fact_sales_order").at("key");
  const std::string path = processed_dir(s.p) + "/" + key;
  std::string bytes = read_text(path);
  bytes[bytes.size() / 2] ^= 0x40;  // same size, other content
  write_file(path, bytes);
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("checksum check failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(key), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
  expect_untouched(s);
}

// The object is read by ranges, so its size is checked against the manifest as it is read:
// shorter or longer is a checksum failure, and so is damage that first shows as undecodable
// Parquet (a page header), since the checksum names the real cause.
TEST(LoadFailure, TruncatedLongerOrUndecodableObjectsFailTheChecksum) {
  auto s = loaded_then_pending("load_fail_size");
  const json m = json::parse(read_text(manifest_paths(s.p).back()));
  const std::string key = m.at("tables").at("fact_sales_order").at("key");
  const std::string path = processed_dir(s.p) + "/" + key;
  const std::string original = read_text(path);
  struct Case {
    const char* name;
    std::string bytes;
    const char* says;
  };
  std::string damaged_header = original;
  for (std::size_t i = 4; i < 12; ++i) damaged_header[i] = '\xff';  // the first page header
  const std::vector<Case> cases = {
      {"truncated", original.substr(0, original.size() - 100), "has fewer than the"},
      {"longer", original + "trailing", "has more than the"},
      {"page header damaged", damaged_header, "has sha256"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    write_file(path, c.bytes);
    const auto r = s.p.load();
    EXPECT_EQ(r.exit_code, 1) << describe(r);
    EXPECT_NE(r.err.find("checksum check failed: " + s.p.processed + "/" + key + " " + c.says),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
    expect_untouched(s);
  }
  write_file(path, original);
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 0) << describe(r);
}

TEST(LoadFailure, FactWithoutItsDimensionRowFailsTheForeignKeyCheck) {
  auto s = loaded_then_pending("load_fail_fk");
  rewrite_table(manifest_paths(s.p).back(), s.p, "fact_sales_order",
                [](parquet::Schema& schema, parquet::ColumnBatch& b) {
                  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
                    if (schema.columns[c].name == "sales_staff_id") b.columns[c].ints[0] = 987654;
                  }
                });
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(
      r.err.find("foreign-key check failed: fact_sales_order.sales_staff_id references dim_staff.staff_id, "
                 "which has no row for: 987654"),
      std::string::npos)
      << r.err;
  expect_untouched(s);
}

TEST(LoadFailure, DimensionKeyStagedTwiceFailsTheUniqueCheck) {
  auto s = loaded_then_pending("load_fail_dup");
  rewrite_table(manifest_paths(s.p).back(), s.p, "dim_design", [](parquet::Schema&, parquet::ColumnBatch& b) {
    for (auto& col : b.columns) {  // append a copy of row 0
      if (!col.ints.empty()) col.ints.push_back(col.ints[0]);
      if (!col.doubles.empty()) col.doubles.push_back(col.doubles[0]);
      if (col.offsets.size() > 1) {
        const std::string v(col.string_at(0));
        col.bytes += v;
        col.offsets.push_back(static_cast<std::uint32_t>(col.bytes.size()));
      }
      if (!col.valid.empty()) col.valid.push_back(col.valid[0]);
    }
    ++b.rows;
  });
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("unique-key check failed: dim_design.design_id is not unique among the staged rows"),
            std::string::npos)
      << r.err;
  expect_untouched(s);
}

TEST(LoadFailure, NullInANotNullColumnFailsTheNotNullCheck) {
  auto s = loaded_then_pending("load_fail_null");
  rewrite_table(manifest_paths(s.p).back(), s.p, "fact_sales_order",
                [](parquet::Schema& schema, parquet::ColumnBatch& b) {
                  // Our writer refuses a null in a required column: declare it optional, as
                  // another writer might, so only the load's check stands in the way.
                  for (std::size_t c = 0; c < schema.columns.size(); ++c) {
                    if (schema.columns[c].name != "units_sold") continue;
                    schema.columns[c].nullable = true;
                    b.columns[c].valid.assign(b.rows, 1);
                    b.columns[c].valid[0] = 0;
                  }
                });
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(
      r.err.find(
          "not-null check failed: fact_sales_order.units_sold is NULL in 1 staged row(s); sales_order_id = "),
      std::string::npos)
      << r.err;
  expect_untouched(s);
}

TEST(LoadFailure, AMissingManifestInTheMiddleIsAGapAndNothingAfterItLoads) {
  auto s = loaded_then_pending("load_fail_gap");
  s.p.simulate(4);
  s.p.ingest();
  s.p.transform();
  const auto paths = manifest_paths(s.p);
  ASSERT_EQ(paths.size(), 3u);
  const std::string missing = fs::path(paths[1]).stem();
  fs::remove(paths[1]);
  const auto r = s.p.load();
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("gap in the transform runs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(missing + ".json is missing"), std::string::npos) << r.err;
  expect_untouched(s);
}

TEST(LoadFailure, AnUninitialisedWarehouseSaysToRunWarehouseInit) {
  auto p = Pipeline::make("load_fail_init");
  p.ingest();
  p.transform();
  const auto r = p.load();
  EXPECT_EQ(r.exit_code, 2) << describe(r);
  EXPECT_NE(r.err.find("dwh warehouse init"), std::string::npos) << r.err;
}

// A password in the warehouse URL appears in no log line or error, whether the load works or not.
TEST(LoadFailure, PasswordsNeverAppearInLogsOrErrors) {
  auto p = Pipeline::make("load_fail_pw");
  p.ingest();
  p.transform();
  p.init_warehouse();
  const std::string secret = "Pw-9d1e-never-shown";
  const auto port = std::to_string(PostgresFixture::instance().port());
  const std::string url = "postgresql://postgres:" + secret + "@127.0.0.1:" + port + "/" + p.warehouse.name;
  auto ok = p.dwh({"load", "--processed", p.processed, "--warehouse", url});
  EXPECT_EQ(ok.exit_code, 0) << describe(ok);
  auto bad = p.dwh({"load", "--processed", p.processed, "--warehouse",
                    "postgresql://postgres:" + secret + "@127.0.0.1:" + port + "/no_such_db_here"});
  EXPECT_EQ(bad.exit_code, 2) << describe(bad);
  EXPECT_NE(bad.err.find("no_such_db_here"), std::string::npos) << bad.err;
  for (const auto& r : {ok, bad}) {
    EXPECT_EQ(r.err.find(secret), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace dwh::test
