// The run ledger: manifests survive to_json/from_json byte for byte, and a run cannot start
// with a clock behind the newest committed run.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dwh/core/run_id.hpp"
#include "dwh/ledger/layout.hpp"
#include "dwh/ledger/manifests.hpp"
#include "dwh/ledger/run_ledger.hpp"
#include "dwh/stores/object_store.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
namespace chr = std::chrono;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LedgerManifest, GoldenIngestManifestRoundTripsByteForByte) {
  const fs::path dir = fs::path(DWH_SOURCE_DIR) / "tests/golden/transform/landing/_manifests/ingest";
  int seen = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string text = read_file(e.path());
    const auto m = json::parse(text).get<ledger::IngestManifest>();
    EXPECT_EQ(m.run_id, e.path().stem().string());
    EXPECT_FALSE(m.tables.empty());
    EXPECT_EQ(ledger::manifest_text(m), text) << e.path();
    ++seen;
  }
  EXPECT_EQ(seen, 2);
}

TEST(LedgerManifest, GoldenIngestManifestFields) {
  const auto m =
      json::parse(read_file(fs::path(DWH_SOURCE_DIR) / "tests/golden/transform/landing/_manifests/ingest/"
                                                       "20261121T121323546Z-a8a648dd.json"))
          .get<ledger::IngestManifest>();
  EXPECT_EQ(m.compression, "gzip");
  EXPECT_EQ(m.snapshot.pg_snapshot, "790:790:");
  const auto& address = m.tables.at("address");
  EXPECT_EQ(address.rows, 10u);
  EXPECT_EQ(address.key, "address/2026/11/21/20261121T121323546Z-a8a648dd.jsonl.gz");
  EXPECT_FALSE(address.cursor_floor);
  EXPECT_EQ(address.columns.front().name, "address_id");
}

TEST(LedgerManifest, TransformManifestRoundTrips) {
  const std::string text = R"({
  "consumed": [
    {
      "manifest": "_manifests/ingest/20261121T121323546Z-a8a648dd.json",
      "run_id": "20261121T121323546Z-a8a648dd",
      "sha256": "aa"
    }
  ],
  "dataset": "totesys",
  "finished_at": "2026-11-21T12:14:00.000Z",
  "format": 1,
  "job": "transform",
  "last_ingest_run": "20261121T121323546Z-a8a648dd",
  "previous_run": null,
  "quarantine": false,
  "rejected": {
    "fact_sales_order": {
      "key": "_rejected/20261121T121400000Z-00000001/fact_sales_order.jsonl",
      "records": 2
    }
  },
  "run_id": "20261121T121400000Z-00000001",
  "started_at": "2026-11-21T12:13:59.000Z",
  "state": {
    "calendars": {
      "dim_date": {
        "max": "2022-11-07",
        "min": "2022-11-03"
      }
    },
    "current": {
      "currency": {
        "changed": true,
        "key": "_state/transform/currency/20261121T121400000Z-00000001.jsonl.gz",
        "rows": 3
      }
    }
  },
  "tables": {
    "dim_currency": {
      "bytes": 0,
      "key": null,
      "rejected": 0,
      "rows": 0,
      "rows_in": 0,
      "sha256": null
    },
    "fact_sales_order": {
      "bytes": 1234,
      "key": "fact_sales_order/2026/11/21/20261121T121400000Z-00000001.parquet",
      "rejected": 2,
      "rows": 10,
      "rows_in": 12,
      "sha256": "bb"
    }
  }
}
)";
  const auto m = json::parse(text).get<ledger::TransformManifest>();
  EXPECT_FALSE(m.previous_run);
  EXPECT_FALSE(m.tables.at("dim_currency").key);
  EXPECT_EQ(m.state_calendars.at("dim_date").min, "2022-11-03");
  EXPECT_EQ(ledger::manifest_text(m), text);
}

TEST(LedgerManifest, MissingFieldIsAnError) {
  json j =
      json::parse(read_file(fs::path(DWH_SOURCE_DIR) / "tests/golden/transform/landing/_manifests/ingest/"
                                                       "20261121T121323546Z-a8a648dd.json"));
  j.erase("snapshot");
  EXPECT_THROW((void)j.get<ledger::IngestManifest>(), json::exception);
}

struct Store {
  std::unique_ptr<stores::ObjectStore> store;
  explicit Store(const std::string& name)
      : store(stores::open_store("file://" + make_temp_dir(name)).value()) {}
};

TEST(RunLedger, ClockBehindTheNewestCommittedRunIsRefused) {
  Store s("ledger-clock");
  const auto now = chr::system_clock::now();
  const std::string future = core::make_run_id(now + chr::hours(1));
  ASSERT_TRUE(s.store->put(ledger::ingest_manifest_key(future), "{}"));
  auto refused = ledger::RunLedger::begin(*s.store, ledger::Job::Ingest, now);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "ClockBehind");
  EXPECT_EQ(refused.error().message, "this machine's clock is behind the newest committed run " + future);

  // Transform's manifests are elsewhere, and its message names them.
  ASSERT_TRUE(ledger::RunLedger::begin(*s.store, ledger::Job::Transform, now));
  ASSERT_TRUE(s.store->put(ledger::transform_manifest_key(future), "{}"));
  auto transform = ledger::RunLedger::begin(*s.store, ledger::Job::Transform, now);
  ASSERT_FALSE(transform);
  EXPECT_EQ(transform.error().message, "this machine's clock is behind the newest transform run " + future);

  auto later = ledger::RunLedger::begin(*s.store, ledger::Job::Ingest, now + chr::hours(2));
  ASSERT_TRUE(later) << later.error().message;
  EXPECT_GT(later->run_id(), future);
  EXPECT_EQ(later->newest_committed(), future);
}

TEST(RunLedger, UncommittedRunIsUndoneAndOrphansOfDeadRunsRemoved) {
  Store s("ledger-undo");
  const auto now = chr::system_clock::now();
  const std::string committed = core::make_run_id(now - chr::hours(1));
  ASSERT_TRUE(s.store->put(ledger::ingest_manifest_key(committed), "{}"));
  const std::string dead = core::make_run_id(now - chr::minutes(30));
  const std::string kept = "t/" + core::run_id_date_path(committed).value() + "/" + committed + ".jsonl.gz";
  const std::string orphan = "t/" + core::run_id_date_path(dead).value() + "/" + dead + ".jsonl.gz";
  ASSERT_TRUE(s.store->put(kept, "x"));
  ASSERT_TRUE(s.store->put(orphan, "x"));
  {
    auto run = ledger::RunLedger::begin(*s.store, ledger::Job::Ingest, now);
    ASSERT_TRUE(run) << run.error().message;
    auto removed = run->remove_orphans(run->orphan_prefixes("t/"));
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_EQ(*removed, std::vector<std::string>{orphan});
    ASSERT_TRUE(s.store->put("t/mine", "x"));
    run->wrote("t/mine");
  }  // not committed: undone
  EXPECT_FALSE(s.store->exists("t/mine").value());
  EXPECT_TRUE(s.store->exists(kept).value());

  std::string manifest;
  {
    auto run = ledger::RunLedger::begin(*s.store, ledger::Job::Ingest, now + chr::seconds(1));
    ASSERT_TRUE(run);
    ASSERT_TRUE(s.store->put("t/mine", "x"));
    run->wrote("t/mine");
    ASSERT_TRUE(run->commit("{}\n"));
    manifest = run->manifest_key();
  }  // committed: kept
  EXPECT_EQ(s.store->get(manifest).value(), "{}\n");
  EXPECT_TRUE(s.store->exists("t/mine").value());
}

}  // namespace
}  // namespace dwh::test
