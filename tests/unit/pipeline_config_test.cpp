// dwh.toml: file, then DWH_* environment, then flags; strict keys; durations; relative paths
// against the config file's folder; the embedded defaults when nothing is given.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "dwh/pipeline/config.hpp"
#include "process.hpp"

namespace dwh::pipeline {
namespace {

namespace fs = std::filesystem;

// Saves and clears every DWH_* variable the config reads; restores them afterwards.
class CleanDwhEnv {
 public:
  CleanDwhEnv() {
    for (const char* name : kNames) {
      if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
      ::unsetenv(name);
    }
  }
  ~CleanDwhEnv() {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [n, v] : saved_) ::setenv(n.c_str(), v.c_str(), 1);
  }
  static constexpr const char* kNames[] = {
      "DWH_SOURCE_URL",          "DWH_LANDING_URL",        "DWH_PROCESSED_URL", "DWH_WAREHOUSE_URL",
      "DWH_WAREHOUSE_SECRET",    "DWH_WAREHOUSE_DIALECT",  "DWH_MODEL",         "DWH_EVERY",
      "DWH_ALERT_SNS_TOPIC_ARN", "DWH_ALERT_MAX_FRESHNESS"};

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

fs::path write_config(const std::string& body) {
  const fs::path dir = test::make_temp_dir("pipeline-config");
  const fs::path file = dir / "dwh.toml";
  std::ofstream(file) << body;
  return file;
}

TEST(PipelineConfig, FileThenEnvironmentThenFlags) {
  CleanDwhEnv env;
  const auto file = write_config(
      "[source]\nurl = \"postgresql://ingest@db/totesys\"\n"
      "[landing]\nurl = \"s3://acme-landing/totesys\"\n"
      "[processed]\nurl = \"s3://acme-processed/totesys\"\n"
      "[warehouse]\nurl = \"postgresql://loader@wh/warehouse\"\ndialect = \"postgres\"\n"
      "[schedule]\nevery = \"15m\"\n"
      "[alerts]\nsns_topic_arn = \"arn:aws:sns:eu-west-2:123456789012:dwh\"\nmax_freshness = \"1h\"\n");
  auto c = load_pipeline_config(file, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->source_url, "postgresql://ingest@db/totesys");
  EXPECT_EQ(c->landing_url, "s3://acme-landing/totesys");
  EXPECT_EQ(c->every, std::chrono::minutes(15));
  EXPECT_EQ(c->max_freshness, std::chrono::hours(1));
  EXPECT_EQ(c->origin.at("landing.url"), file.string() + ":4");

  ::setenv("DWH_LANDING_URL", "s3://from-env/x", 1);
  ::setenv("DWH_EVERY", "90s", 1);
  c = load_pipeline_config(file, {});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->landing_url, "s3://from-env/x");
  EXPECT_EQ(c->origin.at("landing.url"), "DWH_LANDING_URL");
  EXPECT_EQ(c->every, std::chrono::seconds(90));

  ConfigOverrides flags;
  flags.values["landing.url"] = "s3://from-flag/y";
  c = load_pipeline_config(file, flags);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->landing_url, "s3://from-flag/y");
  EXPECT_EQ(c->origin.at("landing.url"), "command line");
  EXPECT_EQ(c->processed_url, "s3://acme-processed/totesys");
}

TEST(PipelineConfig, UnknownKeysAndSectionsAreErrorsWithFileAndLine) {
  CleanDwhEnv env;
  auto c =
      load_pipeline_config(write_config("[landing]\nurl = \"s3://a/b\"\n[schedule]\nevry = \"15m\"\n"), {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, "InvalidConfig");
  EXPECT_NE(c.error().message.find("schedule.evry"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("line 4"), std::string::npos) << c.error().message;

  c = load_pipeline_config(write_config("[lnding]\nurl = \"s3://a/b\"\n"), {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("lnding"), std::string::npos) << c.error().message;

  c = load_pipeline_config(write_config("[landing]\nurl = 5\n"), {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("landing.url"), std::string::npos) << c.error().message;

  c = load_pipeline_config(write_config("[warehouse]\ndialect = \"oracle\"\n"), {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("oracle"), std::string::npos) << c.error().message;

  c = load_pipeline_config(fs::path("/nonexistent/dwh.toml"), {});
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("/nonexistent/dwh.toml"), std::string::npos);
}

TEST(PipelineConfig, RelativePathsFollowTheConfigFileAndDefaultsAreTheEmbeddedLake) {
  CleanDwhEnv env;
  const auto file =
      write_config("[landing]\nurl = \"file://lake/landing\"\n[model]\ndir = \"my-models/shop\"\n");
  auto c = load_pipeline_config(file, {}, "/tmp/state");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->landing_url, "file://" + (file.parent_path() / "lake/landing").string());
  EXPECT_EQ(c->model_dir, file.parent_path() / "my-models/shop");
  EXPECT_EQ(c->processed_url, "file:///tmp/state/lake/processed");
  EXPECT_EQ(c->origin.at("processed.url"), "default");
  EXPECT_TRUE(c->source_url.empty());
  EXPECT_EQ(c->every, std::chrono::seconds(0));

  auto none = load_pipeline_config(std::nullopt, {}, "/tmp/state");
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(none->landing_url, "file:///tmp/state/lake/landing");
  EXPECT_EQ(none->model_dir.filename(), "totesys");
  EXPECT_TRUE(fs::exists(none->model_dir / "sources.toml")) << none->model_dir;
}

TEST(PipelineConfig, Durations) {
  EXPECT_EQ(*parse_duration("90s"), std::chrono::seconds(90));
  EXPECT_EQ(*parse_duration("15m"), std::chrono::seconds(900));
  EXPECT_EQ(*parse_duration("1h30m"), std::chrono::seconds(5400));
  EXPECT_EQ(*parse_duration("1d"), std::chrono::seconds(86400));
  for (const char* bad : {"", "15", "m", "15x", "-5m", "0s", "15m junk", " 15m"}) {
    auto d = parse_duration(bad);
    EXPECT_FALSE(d) << bad;
    if (!d) {
      EXPECT_NE(d.error().message.find("90s, 15m"), std::string::npos) << d.error().message;
    }
  }
}

}  // namespace
}  // namespace dwh::pipeline
