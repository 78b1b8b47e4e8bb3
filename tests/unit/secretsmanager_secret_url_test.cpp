// The seeds' database secret -> libpq URI. Every URI is read back by libpq's own parser
// (PQconninfoParse) and by dwh::pg::validate_database_url: user, password, host, port and
// database must come out byte for byte as they went in, whatever they hold. Errors name the
// field and the secret, never a value.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "dwh/aws/secretsmanager.hpp"
#include "dwh/pg/database_url.hpp"

namespace {

using namespace dwh::aws::secretsmanager;

constexpr const char* kName = "dwh/warehouse";

// libpq's reading of a URI: keyword -> value for every option it set.
std::map<std::string, std::string> libpq_options(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(url.c_str(), &error),
                                                                       &PQconninfoFree);
  std::unique_ptr<char, decltype(&PQfreemem)> error_guard(error, &PQfreemem);
  std::map<std::string, std::string> out;
  if (!options) {
    ADD_FAILURE() << "libpq refused the URI: " << (error != nullptr ? error : "?");
    return out;
  }
  for (PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o)
    if (o->val != nullptr) out[o->keyword] = o->val;
  return out;
}

std::string secret_json(const std::string& user, const std::string& password, const std::string& host,
                        const std::string& database, const nlohmann::json& port) {
  return nlohmann::json{{"PG_USER", user},
                        {"PG_PASSWORD", password},
                        {"PG_HOST", host},
                        {"PG_DATABASE", database},
                        {"PG_PORT", port}}
      .dump();
}

// Converts, then checks both parsers read back exactly the same parts.
void expect_round_trip(const std::string& user, const std::string& password, const std::string& host,
                       const std::string& database, int port) {
  auto secret =
      parse_database_secret(secret_json(user, password, host, database, std::to_string(port)), kName);
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  const std::string url = to_postgres_url(*secret);
  SCOPED_TRACE("user " + nlohmann::json(user).dump() + " host " + nlohmann::json(host).dump() + " database " +
               nlohmann::json(database).dump());

  auto options = libpq_options(url);
  EXPECT_EQ(options["user"], user);
  EXPECT_EQ(options["password"], password);
  const std::string bare_host =
      host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  EXPECT_EQ(options["host"], bare_host);
  EXPECT_EQ(options["port"], std::to_string(port));
  EXPECT_EQ(options["dbname"], database);

  auto ours = dwh::pg::validate_database_url(url);
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  EXPECT_EQ(ours->user, user);
  EXPECT_EQ(ours->has_password, !password.empty());
  ASSERT_EQ(ours->hosts.size(), 1u);
  EXPECT_EQ(ours->hosts[0].host, bare_host);
  EXPECT_EQ(ours->hosts[0].port, port);
  EXPECT_EQ(ours->database, database);
  if (!password.empty()) {
    // The encoded user holds no ':' or '@', so the password is exactly between the first ones.
    const std::string expected = "postgresql://" + percent_encode(user) + ":***" + url.substr(url.find('@'));
    EXPECT_EQ(ours->redacted, expected);
  }
}

TEST(SecretsManagerSecretUrl, SeedFormatBecomesAPlainUri) {
  auto secret = parse_database_secret(
      R"({"PG_USER":"loader","PG_PASSWORD":"pw","PG_HOST":"db.example.com","PG_DATABASE":"warehouse","PG_PORT":"5432"})",
      kName);
  ASSERT_TRUE(secret.ok()) << secret.error().message;
  EXPECT_EQ(to_postgres_url(*secret), "postgresql://loader:pw@db.example.com:5432/warehouse");
  // Extra keys (engine, dbClusterIdentifier, ...) are ignored; PG_PORT may be a number.
  auto numeric = parse_database_secret(
      R"({"PG_USER":"u","PG_PASSWORD":"","PG_HOST":"10.0.0.7","PG_DATABASE":"d","PG_PORT":5439,"engine":"redshift"})",
      kName);
  ASSERT_TRUE(numeric.ok()) << numeric.error().message;
  EXPECT_EQ(numeric->port, 5439);
  EXPECT_EQ(to_postgres_url(*numeric), "postgresql://u@10.0.0.7:5439/d");  // empty password: none in the URI
}

TEST(SecretsManagerSecretUrl, HostilePartsRoundTripThroughLibpqAndOurValidator) {
  const std::string hostile[] = {
      "p@ss:w/rd%#?",
      "%",
      "%25",
      "%zz",
      "a b\tc",
      "'; DROP TABLE fact_sales_order; --",
      "back\\slash\"quote'",
      "&password=other&host=evil",
      "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91 \xE5\xAF\x86\xE7\xA0\x81",
      "[::1]",
      "@@@///???###:::",
      "+plus=equals",
      std::string(1000, '%'),
  };
  for (const auto& text : hostile) {
    expect_round_trip("loader", text, "db.example.com", "warehouse", 5432);
    expect_round_trip(text, "pw", "db.example.com", "warehouse", 5432);
    expect_round_trip("loader", "pw", "db.example.com", text, 1);
  }
  expect_round_trip("u", "p", "::1", "d", 65535);
  expect_round_trip("u", "p", "[2001:db8::7]", "d", 5432);
  expect_round_trip("u", "p", "/var/run/postgresql", "d", 5432);  // a socket directory
  expect_round_trip("u", "p", "h\xC3\xB6st_under-score.example", "d", 5432);
}

TEST(SecretsManagerSecretUrl, RandomValuesRoundTrip) {
  // Printable ASCII, the URI delimiters again (more often), and multi-byte UTF-8.
  const std::vector<std::string> pieces = [] {
    std::vector<std::string> p;
    for (char c = 0x20; c < 0x7f; ++c) p.emplace_back(1, c);
    for (const char* s : {"@", ":", "/", "%", "#", "?", "&", "=", "[", "]", "\xC3\xBC", "\xE2\x9C\x93",
                          "\xF0\x9F\x98\x80", "\t", "\n", "\x7f"})
      p.emplace_back(s);
    return p;
  }();
  std::mt19937 rng(20261121);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> length(1, 40);
  auto random_text = [&] {
    std::string s;
    for (int n = length(rng); n > 0; --n) s += pieces[pick(rng)];
    return s;
  };
  for (int i = 0; i < 300; ++i)
    expect_round_trip(random_text(), random_text(), "db.example.com", random_text(), 5432);
}

struct BadSecret {
  std::string json;
  std::string field;  // named in the message
};

TEST(SecretsManagerSecretUrl, BadFieldsAreNamedWithoutTheirValues) {
  const std::string value = "S3cr3t-Value-Never-Shown";
  auto with = [&](const char* field, const nlohmann::json& v) {
    nlohmann::json j{{"PG_USER", value},
                     {"PG_PASSWORD", value},
                     {"PG_HOST", value},
                     {"PG_DATABASE", value},
                     {"PG_PORT", "5432"}};
    if (v.is_null())
      j.erase(field);
    else
      j[field] = v;
    return j.dump();
  };
  const std::vector<BadSecret> cases = {
      {with("PG_USER", nullptr), "PG_USER"},
      {with("PG_PASSWORD", nullptr), "PG_PASSWORD"},
      {with("PG_HOST", nullptr), "PG_HOST"},
      {with("PG_DATABASE", nullptr), "PG_DATABASE"},
      {with("PG_PORT", nullptr), "PG_PORT"},
      {with("PG_USER", ""), "PG_USER"},
      {with("PG_HOST", ""), "PG_HOST"},
      {with("PG_DATABASE", ""), "PG_DATABASE"},
      {with("PG_USER", 42), "PG_USER"},
      {with("PG_PASSWORD", nlohmann::json::array({value})), "PG_PASSWORD"},
      {with("PG_PASSWORD", value + std::string(1, '\0') + value), "PG_PASSWORD"},
      {with("PG_HOST", value + ":5432"), "PG_HOST"},
      {with("PG_PORT", 0), "PG_PORT"},
      {with("PG_PORT", 65536), "PG_PORT"},
      {with("PG_PORT", -1), "PG_PORT"},
      {with("PG_PORT", 5432.5), "PG_PORT"},
      {with("PG_PORT", "54x2"), "PG_PORT"},
      {with("PG_PORT", " 5432"), "PG_PORT"},
      {with("PG_PORT", "99999"), "PG_PORT"},
      {with("PG_PORT", value), "PG_PORT"},
      {with("PG_PORT", true), "PG_PORT"},
  };
  for (const auto& c : cases) {
    auto r = parse_database_secret(c.json, kName);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code, "InvalidDatabaseSecret");
    EXPECT_NE(r.error().message.find(c.field), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(kName), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("S3cr3t"), std::string::npos) << r.error().message;
  }
  for (const char* not_an_object :
       {"", "S3cr3t-Value-Never-Shown", "{\"PG_USER\": \"S3cr3t", "[1,2]", "\"S3cr3t\""}) {
    auto r = parse_database_secret(not_an_object, kName);
    ASSERT_FALSE(r.ok()) << not_an_object;
    EXPECT_EQ(r.error().code, "InvalidDatabaseSecret");
    EXPECT_NE(r.error().message.find(kName), std::string::npos);
    EXPECT_EQ(r.error().message.find("S3cr3t"), std::string::npos) << r.error().message;
  }
}

TEST(SecretsManagerSecretUrl, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b+c@d:e/f%g#h?i"), "a%20b%2Bc%40d%3Ae%2Ff%25g%23h%3Fi");
  EXPECT_EQ(percent_encode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(percent_encode(""), "");
}

TEST(SecretsManagerSecretUrl, RegionOfArn) {
  EXPECT_EQ(region_of_arn("arn:aws:secretsmanager:eu-west-2:123456789012:secret:dwh/wh-AbCdEf"), "eu-west-2");
  EXPECT_EQ(region_of_arn("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x"), "cn-north-1");
  EXPECT_EQ(region_of_arn("dwh/warehouse"), std::nullopt);
  EXPECT_EQ(region_of_arn("arn:aws:s3:::bucket"), std::nullopt);
  EXPECT_EQ(region_of_arn("arn:aws:secretsmanager::123:secret:x"), std::nullopt);
  EXPECT_EQ(region_of_arn("arn:aws:secretsmanager"), std::nullopt);
}

}  // namespace
