// `dwh local up|status|down` through the real binary, and the cluster library under it:
// URLs that connect, both databases, idempotence, restarts that keep data and port, existing
// servers taking over through the environment, and the errors users meet.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dwh/local/cluster.hpp"
#include "dwh/local/local_state.hpp"
#include "dwh/local/resolve_database.hpp"
#include "dwh/pg/database_url.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"

namespace dwh::test {
namespace {
namespace fs = std::filesystem;
using local::DatabaseRole;

// No database settings from the developer's shell may leak into the commands under test.
const std::map<std::string, std::string> kNoDatabaseEnv = {{"DWH_SOURCE_URL", kUnsetEnv},
                                                           {"DWH_WAREHOUSE_URL", kUnsetEnv}};

std::string temp_dir(const std::string& prefix) {
  const std::string dir = make_temp_dir(prefix);
  // The server (user postgres, as we are root) must be able to enter it.
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  return dir;
}

ProcessResult dwh(const std::vector<std::string>& args,
                  std::map<std::string, std::string> env = kNoDatabaseEnv) {
  std::vector<std::string> argv = {DWH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, env);
}

// The value after "<key> " on the line starting with key.
std::string line_value(const std::string& out, const std::string& key) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(key + " ")) continue;
    const auto start = line.find_first_not_of(' ', key.size());
    return line.substr(start);
  }
  return {};
}

std::string query(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx.exec1(sql)[0].c_str();
}

// Stops whatever `dwh local up` left running in `dir`, even when a test fails half-way.
struct LocalDirGuard {
  std::string dir;
  ~LocalDirGuard() { (void)local::stop_cluster(local::local_data_dir(dir), local::StopMode::Immediate); }
};

// Sets or unsets one variable for the scope of a test.
class ScopedVar {
 public:
  ScopedVar(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value)
      setenv(name_.c_str(), value->c_str(), 1);
    else
      unsetenv(name_.c_str());
  }
  ~ScopedVar() {
    if (old_)
      setenv(name_.c_str(), old_->c_str(), 1);
    else
      unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

TEST(LocalCluster, UpStatusDownThroughTheCli) {
  const std::string dir = temp_dir("local-up") + "/dwh";
  LocalDirGuard guard{dir};

  auto up = dwh({"local", "up", "--dir", dir});
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("PostgreSQL 15 started"), std::string::npos) << up.out;
  const std::string totesys = line_value(up.out, "totesys");
  const std::string warehouse = line_value(up.out, "warehouse");
  ASSERT_EQ(totesys.rfind("postgresql://postgres@127.0.0.1:", 0), 0u) << up.out;
  ASSERT_TRUE(pg::validate_database_url(totesys).ok());
  EXPECT_EQ(query(totesys, "SELECT current_database()"), "totesys");
  EXPECT_EQ(query(warehouse, "SELECT current_database()"), "warehouse");
  EXPECT_EQ(query(totesys, "SELECT 1"), "1");
  EXPECT_EQ(query(totesys, "SHOW server_version_num").substr(0, 2), "15");
  EXPECT_EQ(query(totesys, "SHOW synchronous_commit"), "off");
  // The unix socket works too, and lives in the data directory.
  const std::string socket = line_value(up.out, "socket");
  EXPECT_EQ(fs::path(socket), fs::path(dir) / "data");
  const std::string port =
      totesys.substr(totesys.rfind(':') + 1, totesys.rfind('/') - totesys.rfind(':') - 1);
  EXPECT_TRUE(fs::exists(fs::path(socket) / (".s.PGSQL." + port))) << socket;
  EXPECT_EQ(query("host=" + socket + " port=" + port + " user=postgres dbname=warehouse", "SELECT 2"), "2");
  EXPECT_EQ(query(totesys, "SELECT current_setting('data_directory')"), socket);

  // The record later commands read.
  auto state = local::read_state(dir);
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ(std::to_string((*state)->port), port);
  // As root, the server runs as postgres.
  if (geteuid() == 0) {
    struct stat st {};
    ASSERT_EQ(stat(("/proc/" + std::to_string((*state)->pid)).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, getpwnam("postgres")->pw_uid);
  }

  // Idempotent: the same server and URLs again.
  auto again = dwh({"local", "up", "--dir", dir});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already running"), std::string::npos) << again.out;
  EXPECT_EQ(line_value(again.out, "totesys"), totesys);

  auto status = dwh({"local", "status", "--dir", dir});
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("running (pid"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(totesys + "  (local cluster"), std::string::npos) << status.out;

  // Data survives a down/up, and the port is reused.
  PostgresFixture::run_sql(totesys, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)");
  auto down = dwh({"local", "down", "--dir", dir});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_NE(down.out.find("stopped"), std::string::npos);
  auto gone = pg::connect(totesys, std::chrono::seconds(2));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, "Unreachable") << gone.error().message;
  auto stopped = dwh({"local", "status", "--dir", dir});
  EXPECT_EQ(stopped.exit_code, 1);
  EXPECT_NE(stopped.out.find("not running"), std::string::npos) << stopped.out;

  auto restart = dwh({"local", "up", "--dir", dir});
  ASSERT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_EQ(line_value(restart.out, "totesys"), totesys);
  EXPECT_EQ(query(totesys, "SELECT x FROM kept"), "42");

  auto purge = dwh({"local", "down", "--dir", dir, "--purge"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_FALSE(fs::exists(fs::path(dir) / "data"));
  EXPECT_FALSE(fs::exists(local::state_file(dir)));
  auto twice = dwh({"local", "down", "--dir", dir});
  EXPECT_EQ(twice.exit_code, 0);
  EXPECT_NE(twice.out.find("not running"), std::string::npos);
  fs::remove_all(fs::path(dir).parent_path());
}

TEST(LocalCluster, ExistingServersFromTheEnvironmentMeanNothingStarts) {
  auto& pg = PostgresFixture::instance();
  const auto source = pg.create_database("env_source");
  const auto warehouse = pg.create_database("env_warehouse");
  const std::string dir = temp_dir("local-env") + "/dwh";
  LocalDirGuard guard{dir};
  const auto env = pg.cli_environment(source.name, warehouse.name);

  auto up = dwh({"local", "up", "--dir", dir}, env);
  ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  EXPECT_NE(up.out.find("nothing started"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find(source.url + "  (DWH_SOURCE_URL)"), std::string::npos) << up.out;
  EXPECT_FALSE(fs::exists(fs::path(dir) / "data"));
  EXPECT_FALSE(local::running_cluster(fs::path(dir) / "data").has_value());

  auto status = dwh({"local", "status", "--dir", dir}, env);
  EXPECT_EQ(status.exit_code, 0) << status.out << status.err;
  EXPECT_NE(status.out.find("local     not running"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(warehouse.url + "  (DWH_WAREHOUSE_URL)"), std::string::npos) << status.out;
  fs::remove_all(fs::path(dir).parent_path());
}

TEST(LocalCluster, ResolverPrefersUrlThenEnvironmentThenLocalCluster) {
  auto& pg = PostgresFixture::instance();
  const std::string dir = temp_dir("resolve");
  ScopedVar no_source("DWH_SOURCE_URL", std::nullopt);
  ScopedVar no_warehouse("DWH_WAREHOUSE_URL", std::nullopt);

  auto none = local::resolve_database_url(DatabaseRole::Source, std::nullopt, dir);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, "NoDatabaseConfigured");
  EXPECT_EQ(none.error().message,
            "no source database: set DWH_SOURCE_URL, pass --url, or run `dwh local up`");

  // A record of a running cluster (the fixture's, described as `dwh local up` would).
  local::ClusterInfo info = pg.info();
  ASSERT_TRUE(local::write_state(dir, info).ok());
  auto from_state = local::resolve_database(DatabaseRole::Warehouse, std::nullopt, dir);
  ASSERT_TRUE(from_state.ok()) << from_state.error().message;
  EXPECT_EQ(from_state->url, pg.url("warehouse"));
  EXPECT_EQ(from_state->origin, "local cluster (" + dir + ")");
  EXPECT_EQ(local::resolve_database_url(DatabaseRole::Source, std::nullopt, dir).value(), pg.url("totesys"));

  {
    ScopedVar env("DWH_SOURCE_URL", "postgresql://elsewhere:5433/totesys");
    EXPECT_EQ(local::resolve_database_url(DatabaseRole::Source, std::nullopt, dir).value(),
              "postgresql://elsewhere:5433/totesys");
    // The warehouse still comes from the state.
    EXPECT_EQ(local::resolve_database_url(DatabaseRole::Warehouse, std::nullopt, dir).value(),
              pg.url("warehouse"));
    EXPECT_EQ(local::resolve_database_url(DatabaseRole::Source, "postgres://explicit/db", dir).value(),
              "postgres://explicit/db");
    auto bad = local::resolve_database_url(DatabaseRole::Source, "postgresql://u:hunter2@h:0/db", dir);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, "InvalidDatabaseUrl");
    EXPECT_EQ(bad.error().message.rfind("--url: invalid database URL postgresql://u:***@h:0/db", 0), 0u)
        << bad.error().message;
  }
  {
    ScopedVar env("DWH_WAREHOUSE_URL", "warehouse.example.com/db");
    auto bad = local::resolve_database_url(DatabaseRole::Warehouse, std::nullopt, dir);
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message.rfind("DWH_WAREHOUSE_URL: invalid database URL", 0), 0u)
        << bad.error().message;
  }

  // A record whose server is gone: say so.
  info.pid = 0;
  info.data_dir = fs::path(dir) / "no-such-data";
  ASSERT_TRUE(local::write_state(dir, info).ok());
  auto stale = local::resolve_database_url(DatabaseRole::Source, std::nullopt, dir);
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().message.find("is not running"), std::string::npos) << stale.error().message;
  fs::remove_all(dir);
}

TEST(LocalCluster, ConnectErrorsNameTheProblemWithoutThePassword) {
  auto& pg = PostgresFixture::instance();
  const std::string port = std::to_string(pg.port());

  auto ok = pg::connect(pg.url("totesys"));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(pqxx::nontransaction(**ok).exec1("SELECT 1")[0].as<int>(), 1);

  auto no_db = pg::connect("postgresql://postgres:s3cret@127.0.0.1:" + port + "/no_such_db");
  ASSERT_FALSE(no_db.ok());
  EXPECT_EQ(no_db.error().code, "NoSuchDatabase") << no_db.error().message;
  EXPECT_NE(no_db.error().message.find("127.0.0.1:" + port + "/no_such_db"), std::string::npos);
  EXPECT_EQ(no_db.error().message.find("s3cret"), std::string::npos) << no_db.error().message;

  auto no_role = pg::connect("postgresql://nobody:s3cret@127.0.0.1:" + port + "/totesys");
  ASSERT_FALSE(no_role.ok());
  EXPECT_EQ(no_role.error().code, "AuthFailed") << no_role.error().message;
  EXPECT_EQ(no_role.error().message.find("s3cret"), std::string::npos) << no_role.error().message;

  const std::string closed = std::to_string(free_port());
  auto refused = pg::connect("postgresql://postgres:s3cret@127.0.0.1:" + closed + "/totesys");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "Unreachable");
  EXPECT_NE(refused.error().message.find("127.0.0.1:" + closed + "/totesys"), std::string::npos);
  EXPECT_NE(refused.error().message.find("postgresql://postgres:***@127.0.0.1:" + closed), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("s3cret"), std::string::npos);

  auto unknown_host = pg::connect("postgresql://no-such-host.invalid/totesys", std::chrono::seconds(2));
  ASSERT_FALSE(unknown_host.ok());
  EXPECT_EQ(unknown_host.error().code, "Unreachable") << unknown_host.error().message;

  auto malformed = pg::connect("postgresql://127.0.0.1:" + port + "/totesys?colour=blue");
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, "InvalidDatabaseUrl");
}

TEST(LocalCluster, CliErrorsForBadEnvironmentUrlsAreClearAndExitTwo) {
  const std::string dir = temp_dir("local-bad");
  const std::string closed = std::to_string(free_port());
  auto malformed = dwh({"local", "up", "--dir", dir + "/dwh"},
                       {{"DWH_SOURCE_URL", "postgresql://u:hunter2@127.0.0.1:99999/totesys"},
                        {"DWH_WAREHOUSE_URL", kUnsetEnv}});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_NE(
      malformed.err.find("DWH_SOURCE_URL: invalid database URL postgresql://u:***@127.0.0.1:99999/totesys: "
                         "character 30: port 99999 is out of range (1-65535)"),
      std::string::npos)
      << malformed.err;
  EXPECT_EQ(malformed.err.find("hunter2"), std::string::npos);

  auto unreachable =
      dwh({"local", "up", "--dir", dir + "/dwh"},
          {{"DWH_SOURCE_URL", "postgresql://u:hunter2@127.0.0.1:" + closed + "/totesys"},
           {"DWH_WAREHOUSE_URL", "postgresql://u:hunter2@127.0.0.1:" + closed + "/warehouse"}});
  EXPECT_EQ(unreachable.exit_code, 2);
  EXPECT_NE(unreachable.err.find("DWH_SOURCE_URL: database 127.0.0.1:" + closed +
                                 "/totesys (postgresql://u:***@127.0.0.1:" + closed +
                                 "/totesys): the server cannot be reached"),
            std::string::npos)
      << unreachable.err;
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir + "/dwh/data"));
  fs::remove_all(dir);
}

TEST(LocalCluster, TakenPortMeansAnotherPort) {
  // Hold a port the way another server would.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int taken = ntohs(addr.sin_port);

  const std::string dir = temp_dir("taken");
  local::ClusterOptions o;
  o.data_dir = dir + "/data";
  o.template_dir = local::template_dir_under(fs::path(DWH_BINARY_DIR) / "tmp");
  o.lifetime = local::Lifetime::Child;
  o.port = taken;
  auto cluster = local::Cluster::start(o);
  close(fd);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  EXPECT_NE((*cluster)->info().port, taken);
  EXPECT_EQ(query((*cluster)->url("totesys"), "SELECT 1"), "1");
  EXPECT_TRUE((*cluster)->stop(local::StopMode::Fast).ok());
  fs::remove_all(dir);
}

TEST(LocalCluster, StartFailureShowsTheServerLog) {
  const std::string dir = temp_dir("badconf");
  local::ClusterOptions o;
  o.data_dir = dir + "/data";
  o.template_dir = local::template_dir_under(fs::path(DWH_BINARY_DIR) / "tmp");
  o.lifetime = local::Lifetime::Child;
  // Initialise and stop, then break the configuration.
  {
    auto first = local::Cluster::start(o);
    ASSERT_TRUE(first.ok()) << first.error().message;
  }
  std::ofstream(o.data_dir / "postgresql.conf", std::ios::app) << "shared_buffers = 'lots'\n";
  auto broken = local::Cluster::start(o);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, "ClusterStartFailed");
  EXPECT_NE(broken.error().message.find("shared_buffers"), std::string::npos) << broken.error().message;
  EXPECT_NE(broken.error().message.find("server.log"), std::string::npos) << broken.error().message;
  fs::remove_all(dir);
}

TEST(LocalCluster, MissingPostgresNamesThePackage) {
  const std::string dir = temp_dir("nopg");
  local::ClusterOptions o;
  o.data_dir = dir + "/data";
  o.bin_dir = "/nonexistent/postgresql/bin";
  auto r = local::Cluster::start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PostgresNotInstalled");
  EXPECT_NE(r.error().message.find("/nonexistent/postgresql/bin/initdb"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("`postgresql`"), std::string::npos) << r.error().message;
  fs::remove_all(dir);
}

TEST(LocalCluster, UnreachableDirectoryIsExplained) {
  if (geteuid() != 0) GTEST_SKIP() << "only root hands the data directory to another user";
  const std::string dir = make_temp_dir("closed");  // 0700, owned by root: postgres cannot enter
  local::ClusterOptions o;
  o.data_dir = dir + "/data";
  o.lifetime = local::Lifetime::Child;
  auto r = local::Cluster::start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PermissionDenied");
  EXPECT_NE(r.error().message.find("cannot enter " + dir), std::string::npos) << r.error().message;
  fs::remove_all(dir);
}

TEST(LocalCluster, TooLongSocketPathIsExplained) {
  const std::string dir = temp_dir("long");
  local::ClusterOptions o;
  o.data_dir = fs::path(dir) / std::string(120, 'd');
  auto r = local::Cluster::start(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PathTooLong");
  EXPECT_NE(r.error().message.find("choose a shorter data directory"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(fs::exists(o.data_dir));
  fs::remove_all(dir);
}

// Parallel test processes share one template; whoever comes first builds it, nobody breaks.
TEST(LocalCluster, ConcurrentTemplateCreationYieldsOneTemplate) {
  const std::string dir = temp_dir("template-race");
  const fs::path tpl = local::template_dir_under(dir);
  std::vector<Status> results(2);
  std::vector<std::thread> threads;
  for (auto& r : results)
    threads.emplace_back(
        [&r, &tpl] { r = local::ensure_template(tpl, local::default_bin_dir(), {"totesys"}); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(fs::exists(tpl / "PG_VERSION"));
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1) << "leftover build directories in " << dir;
  // And it is usable.
  local::ClusterOptions o;
  o.data_dir = fs::path(dir) / "data";
  o.template_dir = tpl;
  o.databases = {"totesys", "extra"};
  o.lifetime = local::Lifetime::Child;
  auto cluster = local::Cluster::start(o);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  EXPECT_EQ(query((*cluster)->url("extra"), "SELECT current_database()"), "extra");
  cluster->reset();
  fs::remove_all(dir);
}

// A Child cluster must not outlive a test process that is killed.
TEST(LocalCluster, ChildClusterDiesWithItsProcess) {
  const std::string dir = temp_dir("orphan");
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    local::ClusterOptions o;
    o.data_dir = dir + "/data";
    o.template_dir = local::template_dir_under(fs::path(DWH_BINARY_DIR) / "tmp");
    o.lifetime = local::Lifetime::Child;
    auto cluster = local::Cluster::start(o);
    const int pid = cluster.ok() ? (*cluster)->info().pid : -1;
    (void)!write(pipe_fds[1], &pid, sizeof pid);
    pause();
    _exit(0);
  }
  close(pipe_fds[1]);
  int postmaster = 0;
  ASSERT_EQ(read(pipe_fds[0], &postmaster, sizeof postmaster), static_cast<ssize_t>(sizeof postmaster));
  close(pipe_fds[0]);
  ASSERT_GT(postmaster, 0);
  EXPECT_EQ(kill(postmaster, 0), 0);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  // The postmaster was reparented; it must go by itself.
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = kill(postmaster, 0) != 0 || !local::running_cluster(dir + "/data").has_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "postmaster " << postmaster << " survived its parent";
  if (!gone) kill(postmaster, SIGKILL);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dwh::test
