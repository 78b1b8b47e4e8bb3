#include "postgres_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace dwh::test {
namespace fs = std::filesystem;

namespace {
constexpr std::size_t kMaxPrefix = 40;  // PostgreSQL names stop at 63 bytes
std::atomic<int> database_counter{0};

// Where the cluster and the template go: the build tree, unless the server's OS user (postgres,
// when we are root) cannot enter it, as when the checkout sits under /root.
fs::path base_dir() {
  const fs::path build_tmp = fs::path(DWH_BINARY_DIR) / "tmp";
  fs::create_directories(build_tmp);
  if (local::check_server_can_reach(build_tmp / "x")) return build_tmp;
  const fs::path fallback = fs::temp_directory_path() / ("dwhkit-test-" + std::to_string(geteuid()));
  fs::create_directories(fallback);
  fs::permissions(fallback, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  return fallback;
}

std::string make_work_dir(const fs::path& base) {
  std::string tmpl = (base / "pg-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed under " + base.string());
  // mkdtemp makes it 0700; the server must enter it.
  fs::permissions(tmpl, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  return tmpl;
}

}  // namespace

PostgresFixture& PostgresFixture::instance() {
  static PostgresFixture fixture;
  return fixture;
}

PostgresFixture::PostgresFixture() {
  const fs::path base = base_dir();
  work_dir_ = make_work_dir(base);
  local::ClusterOptions options;
  options.data_dir = fs::path(work_dir_) / "data";
  options.template_dir = local::template_dir_under(base);
  options.lifetime = local::Lifetime::Child;
  auto cluster = local::Cluster::start(std::move(options));
  if (!cluster) {
    std::error_code ec;
    fs::remove_all(work_dir_, ec);
    throw std::runtime_error("cannot start the test PostgreSQL: " + cluster.error().message);
  }
  cluster_ = std::move(cluster).value();
}

PostgresFixture::~PostgresFixture() {
  if (cluster_) (void)cluster_->stop(local::StopMode::Immediate);
  std::error_code ec;
  fs::remove_all(work_dir_, ec);
}

TestDatabase PostgresFixture::create_database(std::string_view prefix) {
  std::string name;
  for (char c : prefix.substr(0, kMaxPrefix)) {
    const auto u = static_cast<unsigned char>(c);
    name += std::isalnum(u) != 0 ? static_cast<char>(std::tolower(u)) : '_';
  }
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) != 0) name = "db_" + name;
  name += "_" + std::to_string(getpid()) + "_" + std::to_string(++database_counter);
  run_sql(url(), "CREATE DATABASE " + name);
  return {name, url(name)};
}

void PostgresFixture::drop_database(std::string_view name) {
  pqxx::connection conn(url());
  pqxx::nontransaction tx(conn);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(std::string(name)) + " WITH (FORCE)");
}

pqxx::result PostgresFixture::run_sql(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx.exec(sql);
}

std::string PostgresFixture::query_value(const std::string& url, const std::string& sql) {
  const auto r = run_sql(url, sql);
  if (r.empty()) throw std::runtime_error("no rows from: " + sql);
  return r[0][0].is_null() ? std::string() : r[0][0].c_str();
}

std::map<std::string, std::string> PostgresFixture::cli_environment(
    std::string_view source_database, std::string_view warehouse_database) const {
  return {{"DWH_SOURCE_URL", url(source_database)}, {"DWH_WAREHOUSE_URL", url(warehouse_database)}};
}

}  // namespace dwh::test
