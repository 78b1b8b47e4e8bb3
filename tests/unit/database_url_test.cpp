// Database URL validation and redaction: what passes means to libpq what it means to us, and
// what fails says why and where, without ever showing a password.
#include "dwh/pg/database_url.hpp"

#include <gtest/gtest.h>

#include <string>

#include "dwh/local/resolve_database.hpp"

namespace dwh::pg {
namespace {

std::string error_of(const std::string& url) {
  auto r = validate_database_url(url);
  EXPECT_FALSE(r.ok()) << url << " was accepted";
  if (r.ok()) return {};
  EXPECT_EQ(r.error().code, "InvalidDatabaseUrl");
  return r.error().message;
}

TEST(DatabaseUrl, AcceptsTheFormsLibpqAccepts) {
  auto r = validate_database_url("postgresql://postgres@127.0.0.1:5432/totesys");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->user, "postgres");
  EXPECT_FALSE(r->has_password);
  ASSERT_EQ(r->hosts.size(), 1u);
  EXPECT_EQ(r->hosts[0].host, "127.0.0.1");
  EXPECT_EQ(r->hosts[0].port, 5432);
  EXPECT_EQ(r->database, "totesys");
  EXPECT_EQ(r->where(), "127.0.0.1:5432/totesys");

  for (const char* ok :
       {"postgres://h/db", "postgresql://", "postgresql:///totesys", "postgresql://h",
        "postgresql://u:p@h:1/db?sslmode=disable&connect_timeout=3", "postgresql://[::1]:5433/db",
        "postgresql://h1:1,h2:2/db?target_session_attrs=any", "postgresql://%2Fvar%2Frun%2Fpostgresql/db",
        "postgresql:///db?host=/tmp&port=5999", "postgresql://h/db?application_name=me@laptop",
        "postgresql://h/db?ssl=true", "postgresql://u:pa%2Fss%40x@h/db"}) {
    auto v = validate_database_url(ok);
    EXPECT_TRUE(v.ok()) << ok << ": " << (v.ok() ? "" : v.error().message);
  }
}

TEST(DatabaseUrl, DecodesPercentEscapes) {
  auto r = validate_database_url("postgresql://%2Fvar%2Frun%2Fpostgresql/my%20db?application_name=a%26b");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->hosts[0].host, "/var/run/postgresql");
  EXPECT_EQ(r->database, "my db");
  ASSERT_EQ(r->params.size(), 1u);
  EXPECT_EQ(r->params[0].second, "a&b");
  EXPECT_TRUE(r->has_query);
}

TEST(DatabaseUrl, MultipleHostsAndIpv6) {
  auto r = validate_database_url("postgresql://h1:1,[::1]:2,h3/db");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->hosts.size(), 3u);
  EXPECT_EQ(r->hosts[1].host, "::1");
  EXPECT_EQ(r->hosts[1].port, 2);
  EXPECT_FALSE(r->hosts[2].port.has_value());
  EXPECT_EQ(r->where(), "h1:1,[::1]:2,h3/db");
}

TEST(DatabaseUrl, PortOutOfRangeNamesPortAndPosition) {
  const auto m = error_of("postgresql://h:99999/db");
  EXPECT_NE(m.find("character 16: port 99999 is out of range (1-65535)"), std::string::npos) << m;
  EXPECT_NE(error_of("postgresql://h:0/db").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("postgresql://h:12345678901234567890/db").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("postgresql://h:54x/db").find("character 16: the port is not a number"),
            std::string::npos);
  EXPECT_NE(error_of("postgresql://h:/db").find("character 15: ':' without a port number"),
            std::string::npos);
}

TEST(DatabaseUrl, SchemeProblems) {
  EXPECT_NE(error_of("127.0.0.1:5432/totesys").find("missing scheme"), std::string::npos);
  EXPECT_NE(error_of("mysql://h/db").find("unsupported scheme 'mysql://'"), std::string::npos);
  EXPECT_NE(error_of("host=h dbname=x").find("keyword=value"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("postgresql:/h/db").find("missing scheme"), std::string::npos);
}

TEST(DatabaseUrl, OtherMalformations) {
  EXPECT_NE(error_of("postgresql://h/db name").find("character 18: a space or control character"),
            std::string::npos);
  EXPECT_NE(error_of("postgresql://[::1/db").find("without its ']'"), std::string::npos);
  EXPECT_NE(error_of("postgresql://[::1]x/db").find("after an IPv6 address"), std::string::npos);
  EXPECT_NE(
      error_of("postgresql://h/d%zzb").find("character 17: invalid percent-escape in the database name"),
      std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db%4").find("incomplete percent-escape"), std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db%00").find("%00"), std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db?sslmode").find("without '='"), std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db?=x").find("empty name"), std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db?colour=blue").find("unknown query parameter 'colour'"),
            std::string::npos);
  EXPECT_NE(error_of("postgresql://h/db?a=b=c").find("second '='"), std::string::npos);
  EXPECT_NE(error_of("postgresql://ho$t/db").find("character 16: invalid character in the host name"),
            std::string::npos);
}

TEST(DatabaseUrl, LibpqHasTheLastWord) {
  // Structurally fine, but libpq maps only ssl=true (to sslmode=require) and refuses other values.
  const auto m = error_of("postgresql://u:sekrit@h/db?ssl=false");
  EXPECT_NE(m.find("libpq rejects it"), std::string::npos) << m;
  EXPECT_EQ(m.find("sekrit"), std::string::npos) << m;
}

TEST(DatabaseUrl, PasswordsNeverAppearInErrors) {
  const std::string secret = "Pa55word";
  for (const std::string& url :
       {"postgresql://u:" + secret + "@h:99999/db", "postgresql://u:" + secret + "@h/db?colour=x",
        "postgresql://u:" + secret + "@h/d b", "postgresql://u:" + secret + "/x@h/db",
        "postgresql://u:" + secret + "@x@h/db", "postgresql://u:" + secret + "?@ho$t/db",
        "postgresql://h/db?password=" + secret + "&colour=x", "mysql://u:" + secret + "@h/db",
        "u:" + secret + "@h/db"}) {
    const auto m = error_of(url);
    EXPECT_EQ(m.find(secret), std::string::npos) << m;
    EXPECT_NE(m.find("***"), std::string::npos) << m;
  }
}

TEST(DatabaseUrl, UnencodedSlashInPasswordIsCaughtAndExplained) {
  // libpq would read "u" as the host and "pa" as the port.
  const auto m = error_of("postgresql://u:pa/ss@h/db");
  EXPECT_NE(m.find("'@' after the host"), std::string::npos) << m;
  EXPECT_NE(m.find("%2F"), std::string::npos) << m;
  EXPECT_NE(m.find("postgresql://u:***@h/db"), std::string::npos) << m;
}

TEST(DatabaseUrl, PositionsCountInTheRedactedText) {
  // The password (11 characters) shows as *** (3): the port's position shifts by 8.
  const auto m = error_of("postgresql://u:longpasswrd@h:99999/db");
  EXPECT_NE(m.find("postgresql://u:***@h:99999/db"), std::string::npos) << m;
  EXPECT_NE(m.find("character 22: port 99999"), std::string::npos) << m;
}

TEST(DatabaseUrl, Redaction) {
  EXPECT_EQ(redact_database_url("postgresql://u:secret@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(redact_database_url("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(redact_database_url("postgresql://h/db?user=u&password=secret&sslmode=disable"),
            "postgresql://h/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(redact_database_url("postgresql://u:a@b/c@h/db"), "postgresql://u:***@h/db");
  auto r = validate_database_url("postgresql://u:secret@h:5/db?application_name=x@y");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->redacted, "postgresql://u:***@h:5/db?application_name=x@y");
  EXPECT_TRUE(r->has_password);
}

TEST(DatabaseUrl, RolesAndInputErrors) {
  using local::DatabaseRole;
  EXPECT_EQ(local::role_env_var(DatabaseRole::Source), "DWH_SOURCE_URL");
  EXPECT_EQ(local::role_env_var(DatabaseRole::Warehouse), "DWH_WAREHOUSE_URL");
  EXPECT_EQ(local::role_local_database(DatabaseRole::Source), "totesys");
  EXPECT_EQ(make_error("Unreachable", "").kind(), ErrorKind::BadInput);
  EXPECT_EQ(make_error("InvalidDatabaseUrl", "").kind(), ErrorKind::BadInput);
  EXPECT_NE(make_error("ConnectFailed", "").kind(), ErrorKind::BadInput);
}

}  // namespace
}  // namespace dwh::pg
