// Golden tests of `dwh transform`: the checked-in landing (tests/golden/transform/landing: two
// real `dwh ingest` runs over the reference seed rows plus edge cases) through models/totesys
// must give exactly the rows PostgreSQL computed from the same landed rows
// (tests/golden/transform/expected.sql -> expected/*), for all 11 warehouse tables, read back
// through DuckDB with the right Parquet types. How the data and the expected rows were made:
// tests/golden/transform/README.md.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "process.hpp"
#include "transform_oracle.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;
using namespace transform_oracle;

std::map<std::string, TableRows> expected_set(const std::string& name) {
  std::map<std::string, TableRows> out;
  for (const auto& t : kTables) out[t] = read_expected(golden_dir() + "/expected/" + name + "/" + t + ".csv");
  return out;
}

// Ingest run ids of the checked-in landing, oldest first.
std::vector<std::string> ingest_runs(const fs::path& landing) {
  std::vector<std::string> runs;
  for (const auto& e : fs::directory_iterator(landing / "_manifests" / "ingest"))
    runs.push_back(e.path().stem().string());
  std::sort(runs.begin(), runs.end());
  return runs;
}

// Copies the landing's objects and manifest of one ingest run (objects are named <run_id>.jsonl.gz).
void copy_ingest_run(const fs::path& from, const fs::path& to, const std::string& run_id) {
  for (const auto& e : fs::recursive_directory_iterator(from)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name != run_id + ".jsonl.gz" && name != run_id + ".json") continue;
    const fs::path target = to / fs::relative(e.path(), from);
    fs::create_directories(target.parent_path());
    fs::copy_file(e.path(), target);
  }
}

ProcessResult run_transform(const std::string& landing, const std::string& processed,
                            const std::string& model = std::string(DWH_SOURCE_DIR) + "/models/totesys") {
  return run_process({DWH_CLI_PATH, "transform", "--landing", "file://" + landing, "--processed",
                      "file://" + processed, "--model", model});
}

std::string describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

class TransformGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = make_temp_dir("transform-golden");
    landing_ = work_ + "/landing";
    processed_ = work_ + "/processed";
    fs::create_directories(landing_);
    fs::create_directories(processed_);
    schema_ = read_schema(golden_dir() + "/expected/schema.csv");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(work_);  // kept for a look when something differs
  }

  // Runs transform, expects one new committed run, and returns that run's tables.
  RunOutput transform_once(const std::string& model = std::string(DWH_SOURCE_DIR) + "/models/totesys") {
    const auto before = transform_runs(processed_);
    const auto r = run_transform(landing_, processed_, model);
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    const auto after = transform_runs(processed_);
    EXPECT_EQ(after.size(), before.size() + 1)
        << "a committed run adds one manifest under _manifests/transform/\n"
        << describe(r);
    if (after.size() != before.size() + 1) return {};
    return read_run(processed_, after.back(), schema_);
  }

  std::string work_, landing_, processed_;
  Schema schema_;
};

TEST_F(TransformGolden, OneRunOverBothIngestRunsGivesTheExpectedRows) {
  fs::copy(golden_dir() + "/landing", landing_, fs::copy_options::recursive);
  const auto out = transform_once();
  if (out.tables.empty()) return;  // transform_once reported why
  const auto diff = compare_run(out, expected_set("full"));
  EXPECT_TRUE(diff.empty()) << "processed store: " << processed_ << "\n" << diff;
}

TEST_F(TransformGolden, SecondRunEmitsNewVersionsAndReEmittedDimensionRows) {
  const fs::path golden_landing = golden_dir() + "/landing";
  const auto runs = ingest_runs(golden_landing);
  ASSERT_EQ(runs.size(), 2u);

  copy_ingest_run(golden_landing, landing_, runs[0]);
  const auto first = transform_once();
  if (first.tables.empty()) return;
  const auto diff1 = compare_run(first, expected_set("step1"));
  EXPECT_TRUE(diff1.empty()) << "first run (ingest run 1 only), processed store: " << processed_ << "\n"
                             << diff1;

  copy_ingest_run(golden_landing, landing_, runs[1]);
  const auto second = transform_once();
  if (second.tables.empty()) return;
  const auto diff2 = compare_run(second, expected_set("step2"));
  EXPECT_TRUE(diff2.empty()) << "second run (after ingest run 2), processed store: " << processed_ << "\n"
                             << diff2;

  // Nothing new landed: the run writes no rows (whether it commits an empty run or none at all).
  const auto parquet_files = [&] {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(processed_))
      n += e.path().extension() == ".parquet";
    return n;
  };
  const auto files_before = parquet_files();
  const auto runs_before = transform_runs(processed_);
  const auto r = run_transform(landing_, processed_);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  EXPECT_EQ(parquet_files(), files_before) << "a run with nothing new wrote Parquet\n" << describe(r);
  EXPECT_LE(transform_runs(processed_).size(), runs_before.size() + 1);
}

// The oracle itself must be able to fail: the same landing through a copy of the model whose
// currency names are wrong gives a difference in dim_currency and nowhere else.
TEST_F(TransformGolden, ComparisonCatchesAWrongModel) {
  fs::copy(golden_dir() + "/landing", landing_, fs::copy_options::recursive);
  const fs::path model = work_ + "/model";
  fs::copy(std::string(DWH_SOURCE_DIR) + "/models/totesys", model, fs::copy_options::recursive);
  bool changed = false;
  for (const auto& e : fs::recursive_directory_iterator(model)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto at = text.find("Pound Sterling");
    if (at == std::string::npos) continue;
    text.replace(at, std::string("Pound Sterling").size(), "British Pound");
    std::ofstream(e.path(), std::ios::trunc) << text;
    changed = true;
  }
  ASSERT_TRUE(changed)
      << "no model file under models/totesys names 'Pound Sterling' (dim_currency's static map)";
  const auto out = transform_once(model.string());
  if (out.tables.empty()) return;
  const auto expected = expected_set("full");
  for (const auto& t : kTables) {
    const auto diff = diff_table(t, expected.at(t), out.tables.at(t));
    if (t == "dim_currency") {
      EXPECT_NE(diff.find("+ 1,GBP,British Pound"), std::string::npos) << diff;
    } else {
      EXPECT_TRUE(diff.empty()) << diff;
    }
  }
}

}  // namespace
}  // namespace dwh::test
