// `cmake --install <build> --prefix P` gives a `dwh` that finds its models at run time
// (dwh/model/models_dir.hpp): the test installs into a prefix outside the build tree, narrows the
// installed ingest.json to a few tables, and runs the installed binary from another working
// directory against a throwaway PostgreSQL. Which tables land shows which models it read:
// DWH_MODEL, else models/ next to the executable, else P/share/dwhkit/models; with none of them,
// it fails naming where it looked and never falls back to the source tree (only a binary inside
// its build tree does that).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ingest_landing.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;

constexpr int kBadInput = 2;

// A folder outside the build tree (make_temp_dir's are inside it), removed at the end.
class OutsideTempDir {
 public:
  OutsideTempDir() {
    std::string pattern = (fs::temp_directory_path() / "dwh-install-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~OutsideTempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Keeps only `tables` in an ingest.json.
void narrow_ingest_config(const fs::path& file, const std::set<std::string>& tables) {
  nlohmann::json config = nlohmann::json::parse(std::ifstream(file));
  nlohmann::json kept = nlohmann::json::array();
  for (const auto& t : config["tables"])
    if (tables.count(t["name"].get<std::string>())) kept.push_back(t);
  ASSERT_EQ(kept.size(), tables.size()) << file;
  config["tables"] = kept;
  std::ofstream(file) << config.dump(2);
}

std::set<std::string> landed_tables(const std::string& report) {
  std::set<std::string> names;
  const nlohmann::json document = nlohmann::json::parse(report);
  for (const auto& t : document.at("tables")) names.insert(t.at("table").get<std::string>());
  return names;
}

TEST(Install, InstalledDwhFindsItsModelsAtRunTime) {
  const OutsideTempDir tmp;
  const fs::path prefix = tmp.path() / "prefix";
  auto installed = run_process({DWH_CMAKE_COMMAND, "--install", DWH_BINARY_DIR, "--prefix", prefix.string()});
  ASSERT_EQ(installed.exit_code, 0) << installed.out << installed.err;
  const fs::path dwh = prefix / "bin" / "dwh";
  const fs::path shared = prefix / "share" / "dwhkit" / "models";
  ASSERT_TRUE(fs::is_regular_file(dwh)) << installed.out;
  for (const char* file : {"ingest.json", "sources.toml", "fact_sales_order.toml", "views"})
    ASSERT_TRUE(fs::exists(shared / "totesys" / file)) << file;
  const fs::path pristine = tmp.path() / "pristine";
  fs::copy(shared, pristine, fs::copy_options::recursive);
  narrow_ingest_config(shared / "totesys" / "ingest.json", {"currency", "design"});

  const TestDatabase source = make_totesys_source("install", 0.02);
  const fs::path elsewhere = tmp.path() / "cwd";
  fs::create_directories(elsewhere);
  int runs = 0;
  auto ingest = [&](const std::map<std::string, std::string>& env) {
    const fs::path landing = tmp.path() / ("landing" + std::to_string(++runs));
    fs::create_directories(landing);
    std::map<std::string, std::string> all = {{"DWH_MODEL", kUnsetEnv}, {"DWH_LOG_LEVEL", "warn"}};
    for (const auto& [k, v] : env) all[k] = v;
    return run_process({"/usr/bin/env", "-C", elsewhere.string(), dwh.string(), "ingest", "--source",
                        source.url, "--landing", "file://" + landing.string()},
                       all);
  };

  // The installed share/dwhkit/models.
  auto r = ingest({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(landed_tables(r.out), (std::set<std::string>{"currency", "design"})) << r.out;

  // models/ next to the executable comes first.
  fs::copy(pristine, prefix / "bin" / "models", fs::copy_options::recursive);
  narrow_ingest_config(prefix / "bin" / "models" / "totesys" / "ingest.json", {"staff"});
  r = ingest({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(landed_tables(r.out), (std::set<std::string>{"staff"})) << r.out;

  // DWH_MODEL (a dataset folder) comes before both.
  const fs::path own = tmp.path() / "own";
  fs::copy(pristine / "totesys", own, fs::copy_options::recursive);
  narrow_ingest_config(own / "ingest.json", {"payment_type"});
  r = ingest({{"DWH_MODEL", own.string()}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(landed_tables(r.out), (std::set<std::string>{"payment_type"})) << r.out;

  // `dwh run` ingests the tables of its [model] dir's ingest.json, not those of the default
  // models (it read the default's until the models were found at run time).
  const fs::path run_landing = tmp.path() / "run-landing";
  std::ofstream(tmp.path() / "dwh.toml")
      << "[source]\nurl = \"" << source.url << "\"\n[landing]\nurl = \"file://" << run_landing.string()
      << "\"\n[processed]\nurl = \"file://" << (tmp.path() / "run-processed").string()
      << "\"\n[warehouse]\nurl = \"" << source.url << "\"\n[model]\ndir = \"" << own.string() << "\"\n";
  r = run_process({"/usr/bin/env", "-C", elsewhere.string(), dwh.string(), "run", "--config",
                   (tmp.path() / "dwh.toml").string(), "--json"},
                  {{"DWH_MODEL", kUnsetEnv}, {"DWH_LOG_LEVEL", "warn"}});
  std::set<std::string> run_tables;
  for (const auto& entry : fs::directory_iterator(run_landing)) run_tables.insert(entry.path().filename());
  EXPECT_EQ(run_tables, (std::set<std::string>{"_manifests", "payment_type"})) << r.out << r.err;

  // Without models, the installed binary says where it looked; the source tree is not a fallback.
  fs::remove_all(prefix / "bin" / "models");
  fs::remove_all(prefix / "share");
  r = ingest({});
  EXPECT_EQ(r.exit_code, kBadInput) << r.out << r.err;
  EXPECT_NE(r.err.find("no models folder"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((prefix / "share" / "dwhkit" / "models").string()), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(DWH_SOURCE_DIR), std::string::npos) << r.err;

  // The same binary in the build tree still finds the source tree's models.
  fs::create_directories(tmp.path() / "landing-build-tree");
  r = run_process({DWH_CLI_PATH, "ingest", "--source", source.url, "--landing",
                   "file://" + (tmp.path() / "landing-build-tree").string()},
                  {{"DWH_MODEL", kUnsetEnv}, {"DWH_LOG_LEVEL", "warn"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(landed_tables(r.out).size(), 11u) << r.out;
}

}  // namespace
}  // namespace dwh::test
