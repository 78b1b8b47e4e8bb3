// AWS Secrets Manager and warehouse credentials, end to end:
//   - our GetSecretValue request, as the loopback stub receives it, has the JSON 1.1 shape
//     botocore gives the same call (Debian's python3-botocore sends it to the same stub), and
//     botocore's SigV4 signer, handed our exact request, computes our Authorization header;
//   - JSON error documents give the codes botocore's parser gives; 5xx answers are retried by
//     the retry policy, 4xx are not; the secret value is in no log line and no error;
//   - secrets with hostile user names, passwords and database names open real connections to the
//     test PostgreSQL, where those roles must authenticate with SCRAM (not the cluster's trust);
//   - `dwh warehouse init --warehouse-secret NAME` (and DWH_WAREHOUSE_SECRET) against the stub
//     creates the warehouse as that role, and the PG* environment path does too; neither
//     prints the password.
#include "dwh/aws/secretsmanager.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "dwh/core/log.hpp"
#include "dwh/pg/database_url.hpp"
#include "loopback_server.hpp"
#include "postgres_fixture.hpp"
#include "process.hpp"
#include "scoped_env.hpp"

namespace dwh::test {
namespace {

namespace fs = std::filesystem;
namespace sm = dwh::aws::secretsmanager;
using nlohmann::json;

constexpr const char* kAccessKey = "AKIDSECRETSTEST00001";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETSTEST";
constexpr const char* kRegion = "eu-west-2";
constexpr const char* kSecretName = "dwh/warehouse";
// Hostile parts: every URI delimiter, quotes, SQL, backslashes and unicode.
const std::string kHostilePassword =
    "p@ss:w/rd%#?&=+ 'qu\"ote' \\ -- ; DROP TABLE x; \xC3\xBC\xF0\x9F\x94\x91";
const std::string kHostileRoleBase =
    "wh l\xC3\xA4"
    "der@x:y/z?#%";
const std::string kHostileDatabaseBase = "wh db/?#@:\xC3\xA9 %";

std::string unique_suffix() {
  static std::atomic<int> n{0};
  return "_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
}

std::string hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
  }
  return out;
}

std::string sql_literal(const std::string& text) {
  pqxx::connection c(PostgresFixture::instance().url());
  return c.quote(text);
}

std::string sql_name(const std::string& text) {
  pqxx::connection c(PostgresFixture::instance().url());
  return c.quote_name(text);
}

// A login role that must give its password: SCRAM lines for it go first in pg_hba.conf (the
// cluster trusts everyone else). Waits until the server enforces them.
struct PasswordRole {
  std::string name;
  std::string password;
};

PasswordRole create_password_role(const std::string& base, const std::string& password) {
  auto& pg = PostgresFixture::instance();
  PasswordRole role{base + unique_suffix(), password};
  PostgresFixture::run_sql(pg.url(), "SET password_encryption = 'scram-sha-256'; CREATE ROLE " +
                                         sql_name(role.name) + " LOGIN PASSWORD " + sql_literal(password));
  const fs::path hba = pg.info().data_dir / "pg_hba.conf";
  std::string current;
  {
    std::ifstream in(hba);
    std::stringstream s;
    s << in.rdbuf();
    current = s.str();
  }
  const std::string quoted = "\"" + role.name + "\"";
  std::ofstream(hba, std::ios::trunc) << "local all " << quoted << " scram-sha-256\n"
                                      << "host all " << quoted << " 127.0.0.1/32 scram-sha-256\n"
                                      << "host all " << quoted << " ::1/128 scram-sha-256\n"
                                      << current;
  PostgresFixture::run_sql(pg.url(), "SELECT pg_reload_conf()");
  // The reload is asynchronous: wait until a wrong password is refused.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  const std::string wrong = "postgresql://" + sm::percent_encode(role.name) +
                            ":wrong@127.0.0.1:" + std::to_string(pg.port()) + "/postgres";
  for (;;) {
    auto c = pg::connect(wrong);
    if (!c && c.error().code == "AuthFailed") break;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "the server still lets role " << role.name << " in without its password";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return role;
}

// A database owned by `owner`, with a hostile name.
std::string create_owned_database(const PasswordRole& owner) {
  const std::string name = kHostileDatabaseBase + unique_suffix();
  PostgresFixture::run_sql(PostgresFixture::instance().url(),
                           "CREATE DATABASE " + sql_name(name) + " OWNER " + sql_name(owner.name));
  return name;
}

std::string superuser_url(const std::string& database) {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(PostgresFixture::instance().port()) + "/" +
         sm::percent_encode(database);
}

std::string seed_secret(const PasswordRole& role, const std::string& database, const json& port) {
  return json{{"PG_USER", role.name},
              {"PG_PASSWORD", role.password},
              {"PG_HOST", "127.0.0.1"},
              {"PG_DATABASE", database},
              {"PG_PORT", port}}
      .dump();
}

// The loopback stub as Secrets Manager: answers GetSecretValue for the secrets it holds (name ->
// SecretString, or a whole canned answer), 400 ResourceNotFoundException for others, and 400
// for anything that is not a well-formed JSON 1.1 GetSecretValue call.
class SecretsStub {
 public:
  SecretsStub() : server_([this](const LoopbackRequest& r) { return answer(r); }) {}

  void put_string(const std::string& name, const std::string& secret_string) {
    std::lock_guard lock(mu_);
    answers_[name] = LoopbackAction::respond(
        200,
        json{{"ARN", "arn:aws:secretsmanager:eu-west-2:123456789012:secret:" + name + "-AbCdEf"},
             {"Name", name},
             {"VersionId", "v1"},
             {"SecretString", secret_string},
             {"VersionStages", {"AWSCURRENT"}},
             {"CreatedDate", 1.7e9}}
            .dump(),
        {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "req-1"}});
  }
  void put_answer(const std::string& name, LoopbackAction action) {
    std::lock_guard lock(mu_);
    answers_[name] = std::move(action);
  }
  LoopbackServer& server() { return server_; }

 private:
  LoopbackAction answer(const LoopbackRequest& r) {
    auto bad = [](const std::string& why) {
      return LoopbackAction::respond(400,
                                     json{{"__type", "SerializationException"}, {"Message", why}}.dump());
    };
    if (r.method != "POST" || r.path != "/") return bad("not POST /");
    if (r.header("x-amz-target") != "secretsmanager.GetSecretValue") return bad("wrong X-Amz-Target");
    if (r.header("content-type") != "application/x-amz-json-1.1") return bad("wrong Content-Type");
    const auto auth = r.header("authorization").value_or("");
    if (auth.find("/" + std::string(kRegion) + "/secretsmanager/aws4_request") == std::string::npos)
      return bad("not signed for secretsmanager");
    const auto body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.contains("SecretId")) return bad("no SecretId");
    std::lock_guard lock(mu_);
    auto it = answers_.find(body["SecretId"].get<std::string>());
    if (it == answers_.end())
      return LoopbackAction::respond(
          400,
          R"({"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."})",
          {{"x-amzn-RequestId", "req-404"}});
    return it->second;
  }

  std::mutex mu_;
  std::map<std::string, LoopbackAction> answers_;
  LoopbackServer server_;  // last: stopped first, before the answers it reads go
};

aws::ClientOptions stub_options(const LoopbackServer& server) {
  aws::ClientOptions o;
  o.region = kRegion;
  o.endpoint_url = server.endpoint();
  o.credentials = aws::static_credentials(aws::Credentials{kAccessKey, kSecretKey, "", std::nullopt, "test"});
  o.sleep = [](std::chrono::milliseconds) {};
  o.retry = aws::RetryConfig{};
  return o;
}

// Captures log lines for the test's lifetime.
class LogCapture {
 public:
  LogCapture() {
    log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mu_);
      text_ += std::string(line) + "\n";
    });
  }
  ~LogCapture() { log::set_sink(nullptr); }
  std::string text() const {
    std::lock_guard lock(mu_);
    return text_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
};

// ---- The client against the stub and botocore ----

constexpr const char* kBotocoreScript = R"PY(
import datetime, json, sys, types
from unittest import mock
import botocore.auth, botocore.parsers, botocore.session
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

case = json.load(sys.stdin)
session = botocore.session.get_session()
out = {}

# 1. botocore's own client sends the same call to the stub (which records it).
client = session.create_client(
    'secretsmanager', region_name=case['region'], endpoint_url=case['endpoint'],
    aws_access_key_id=case['access_key'], aws_secret_access_key=case['secret_key'])
answer = client.get_secret_value(SecretId=case['secret_id'], VersionStage=case['version_stage'])
out['secret_string'] = answer['SecretString']

# 2. botocore's SigV4 signer over our exact request (method, URL, body, the headers we signed),
#    at our X-Amz-Date.
ours = case['ours']
frozen = datetime.datetime.strptime(ours['amz_date'], '%Y%m%dT%H%M%SZ')
class Frozen(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return frozen
request = AWSRequest(method=ours['method'], url=case['endpoint'] + ours['path'],
                     data=bytes.fromhex(ours['body_hex']))
for name, value in ours['headers']:
    request.headers[name] = value
with mock.patch.object(botocore.auth, 'datetime', types.SimpleNamespace(datetime=Frozen)):
    botocore.auth.SigV4Auth(Credentials(case['access_key'], case['secret_key']),
                            'secretsmanager', case['region']).add_auth(request)
out['authorization'] = request.headers['Authorization']

# 3. botocore's JSON parser on the canned error answers.
model = session.get_service_model('secretsmanager')
shape = model.operation_model('GetSecretValue').output_shape
parser = botocore.parsers.create_parser(model.metadata['protocol'])
out['errors'] = []
for e in case['errors']:
    parsed = parser.parse({'status_code': e['status'], 'headers': dict(e['headers']),
                           'body': e['body'].encode()}, shape)
    out['errors'].append({'code': parsed['Error']['Code'], 'message': parsed['Error']['Message']})
json.dump(out, sys.stdout)
)PY";

std::map<std::string, std::string> auth_fields(const std::string& authorization) {
  // "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=x;y, Signature=z"
  std::map<std::string, std::string> out;
  std::stringstream s(authorization.substr(authorization.find(' ') + 1));
  std::string item;
  while (std::getline(s, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    const auto eq = item.find('=');
    if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

struct CannedError {
  int status;
  LoopbackHeaders headers;
  std::string body;
};

TEST(SecretsManager, RequestMatchesBotocoreAndErrorsParseAlike) {
  ScopedAwsEnv env;
  const std::string secret_id = "dwh/warehouse \xC3\xA9 +=&";
  const std::string secret_string = R"({"PG_USER":"u","PG_PASSWORD":"Secret-Value-8812"})";
  SecretsStub stub;
  stub.put_string(secret_id, secret_string);

  auto client = aws::secretsmanager::Client::create(stub_options(stub.server()));
  ASSERT_TRUE(client.ok()) << client.error().message;
  auto value = (*client)->get_secret_value(secret_id, "AWSCURRENT");
  ASSERT_TRUE(value.ok()) << value.error().to_string();
  EXPECT_EQ(value->secret_string, secret_string);
  EXPECT_EQ(value->name, secret_id);
  ASSERT_EQ(stub.server().request_count(), 1u);
  const LoopbackRequest ours = stub.server().requests()[0];

  const std::vector<CannedError> errors = {
      {400,
       {},
       R"({"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."})"},
      {400,
       {},
       R"({"__type":"com.amazonaws.secretsmanager#DecryptionFailure","message":"KMS key is disabled"})"},
      {400,
       {},
       R"({"__type":"AccessDeniedException","Message":"User: arn:aws:iam::1:user/x is not authorized"})"},
      {400,
       {},
       R"({"__type":"InvalidRequestException","Message":"You can't perform this operation on the secret because it was marked for deletion."})"},
      {400,
       {},
       R"({"__type":"InvalidParameterException","message":"Invalid name. Must be a valid name containing alphanumeric characters"})"},
      {500, {}, R"({"__type":"InternalServiceError","Message":"An error occurred on the server side."})"},
  };

  // Our signed headers, with the values we sent, for botocore's signer.
  const auto fields = auth_fields(ours.header("authorization").value_or(""));
  json signed_headers = json::array();
  {
    std::stringstream names(fields.at("SignedHeaders"));
    std::string name;
    while (std::getline(names, name, ';'))
      if (name != "x-amz-date") signed_headers.push_back({name, ours.header(name).value_or("")});
  }
  json errors_json = json::array();
  for (const auto& e : errors) {
    json headers = json::array();
    for (const auto& [k, v] : e.headers) headers.push_back({k, v});
    errors_json.push_back({{"status", e.status}, {"headers", headers}, {"body", e.body}});
  }
  const json input{{"endpoint", stub.server().endpoint()},
                   {"region", kRegion},
                   {"access_key", kAccessKey},
                   {"secret_key", kSecretKey},
                   {"secret_id", secret_id},
                   {"version_stage", "AWSCURRENT"},
                   {"ours",
                    {{"method", ours.method},
                     {"path", ours.path},
                     {"body_hex", hex(ours.body)},
                     {"amz_date", ours.header("x-amz-date").value_or("")},
                     {"headers", signed_headers}}},
                   {"errors", errors_json}};
  stub.server().clear_requests();
  auto r = run_process({"/usr/bin/python3", "-c", kBotocoreScript}, {}, input.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);

  // botocore's client read the same secret from the same stub...
  EXPECT_EQ(out["secret_string"], secret_string);
  ASSERT_EQ(stub.server().request_count(), 1u);
  const LoopbackRequest theirs = stub.server().requests()[0];
  // ...and sent the same call: method, path, target, content type, body (as JSON), host and the
  // same set of signed headers, signed for the same scope.
  EXPECT_EQ(ours.method, theirs.method);
  EXPECT_EQ(ours.target, theirs.target);
  for (const char* h : {"x-amz-target", "content-type", "host"})
    EXPECT_EQ(ours.header(h), theirs.header(h)) << h;
  EXPECT_EQ(json::parse(ours.body), json::parse(theirs.body));
  const auto their_fields = auth_fields(theirs.header("authorization").value_or(""));
  EXPECT_EQ(fields.at("SignedHeaders"), their_fields.at("SignedHeaders"));
  const auto scope = [](const std::string& credential) { return credential.substr(credential.find('/')); };
  const std::string date = ours.header("x-amz-date").value_or("").substr(0, 8);
  EXPECT_EQ(scope(fields.at("Credential")), "/" + date + "/eu-west-2/secretsmanager/aws4_request");
  EXPECT_EQ(their_fields.at("Credential").substr(0, std::string(kAccessKey).size()), kAccessKey);
  // botocore signs our exact bytes to our exact Authorization header.
  EXPECT_EQ(out["authorization"], ours.header("authorization").value_or(""));

  // Error documents: the same code and message as botocore's parser gives.
  ASSERT_EQ(out["errors"].size(), errors.size());
  for (std::size_t i = 0; i < errors.size(); ++i) {
    aws::HttpResponse response;
    response.status = errors[i].status;
    response.body = errors[i].body;
    const Error e = aws::error_from_response(aws::Protocol::Json, response);
    EXPECT_EQ(e.code, out["errors"][i]["code"].get<std::string>()) << errors[i].body;
    EXPECT_EQ(e.message, out["errors"][i]["message"].get<std::string>()) << errors[i].body;
  }
}

TEST(SecretsManager, ErrorsKeepTheServiceCodeNameTheSecretAndAreRetriedOnlyWhenTransient) {
  ScopedAwsEnv env;
  LogCapture logs;
  const std::string value = "Secret-Value-4471";
  SecretsStub stub;
  auto client = aws::secretsmanager::Client::create(stub_options(stub.server()));
  ASSERT_TRUE(client.ok()) << client.error().message;

  struct Case {
    std::string name;
    LoopbackAction action;
    std::string code;
    std::size_t requests;  // 1: not retried; 3: the standard policy's max attempts
  };
  std::vector<Case> cases;
  cases.push_back({"missing", {}, "ResourceNotFoundException", 1});
  cases.push_back(
      {"denied",
       LoopbackAction::respond(400, R"({"__type":"AccessDeniedException","Message":"not authorized"})"),
       "AccessDeniedException", 1});
  cases.push_back(
      {"kms",
       LoopbackAction::respond(400, "{\"Message\":\"KMS says no\"}",
                               {{"x-amzn-ErrorType", "DecryptionFailure:http://internal.amazon.com/"}}),
       "DecryptionFailure", 1});
  cases.push_back({"deleted",
                   LoopbackAction::respond(
                       400, R"({"__type":"InvalidRequestException","Message":"marked for deletion"})"),
                   "InvalidRequestException", 1});
  cases.push_back(
      {"broken", LoopbackAction::respond(500, R"({"__type":"InternalServiceError","Message":"server side"})"),
       "InternalServiceError", 3});
  cases.push_back(
      {"throttled",
       LoopbackAction::respond(400, R"({"__type":"ThrottlingException","Message":"Rate exceeded"})"),
       "ThrottlingException", 3});
  cases.push_back({"binary",
                   LoopbackAction::respond(
                       200, json{{"Name", "binary"}, {"SecretBinary", "U2VjcmV0LVZhbHVlLTQ0NzE="}}.dump()),
                   "BinarySecret", 1});
  cases.push_back(
      {"garbled", LoopbackAction::respond(200, "{\"SecretString\": \"" + value), "MalformedResponse", 1});
  for (auto& c : cases)
    if (c.name != "missing") stub.put_answer(c.name, c.action);

  for (const auto& c : cases) {
    stub.server().clear_requests();
    auto r = (*client)->get_secret_value(c.name);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, c.code) << c.name << ": " << r.error().to_string();
    EXPECT_EQ(r.error().service, "secretsmanager");
    EXPECT_EQ(r.error().operation, "GetSecretValue");
    EXPECT_NE(r.error().to_string().find("'" + c.name + "'"), std::string::npos) << r.error().to_string();
    EXPECT_EQ(r.error().to_string().find(value), std::string::npos) << c.name;
    EXPECT_EQ(stub.server().request_count(), c.requests) << c.name;
  }
  // A transient failure followed by an answer: retried, and the value arrives.
  std::atomic<int> calls{0};
  stub.server().set_handler(
      [&, good = LoopbackAction::respond(200, json{{"Name", "flaky"}, {"SecretString", value}}.dump())](
          const LoopbackRequest&) {
        if (calls.fetch_add(1) == 0)
          return LoopbackAction::respond(503, R"({"__type":"ServiceUnavailable","Message":"try later"})");
        return good;
      });
  auto flaky = (*client)->get_secret_value("flaky");
  ASSERT_TRUE(flaky.ok()) << flaky.error().to_string();
  EXPECT_EQ(flaky->secret_string, value);
  EXPECT_EQ(calls.load(), 2);

  const std::string lines = logs.text();
  EXPECT_NE(lines.find("retrying AWS request"), std::string::npos);
  EXPECT_EQ(lines.find(value), std::string::npos);
  EXPECT_EQ(lines.find(kSecretKey), std::string::npos);
}

// ---- Secrets to real connections ----

TEST(SecretsManager, HostileSecretsOpenRealConnectionsAndWrongPasswordsDoNot) {
  auto& pg = PostgresFixture::instance();
  const std::vector<std::string> passwords = {
      kHostilePassword,     "%", "%25%", "@", ":", "/", "#", "?", "\xE5\xAF\x86\xE7\xA0\x81",
      std::string(200, '@')};
  for (std::size_t i = 0; i < passwords.size(); ++i) {
    const auto role = create_password_role(i % 2 == 0 ? kHostileRoleBase : "plain_loader", passwords[i]);
    const std::string database = create_owned_database(role);
    // PG_PORT as a string and as a number, as the seeds' secrets have either.
    const json port = i % 2 == 0 ? json(std::to_string(pg.port())) : json(pg.port());
    auto secret = sm::parse_database_secret(seed_secret(role, database, port), kSecretName);
    ASSERT_TRUE(secret.ok()) << secret.error().message;
    const std::string url = sm::to_postgres_url(*secret);
    auto checked = pg::validate_database_url(url);
    ASSERT_TRUE(checked.ok()) << checked.error().message;
    // The encoded user holds no ':' or '@': the password is exactly between the first ones.
    EXPECT_EQ(checked->redacted,
              "postgresql://" + sm::percent_encode(role.name) + ":***" + url.substr(url.find('@')));

    auto conn = pg::connect(url);
    ASSERT_TRUE(conn.ok()) << "password #" << i << ": " << conn.error().message;
    pqxx::work tx(**conn);
    const auto row = tx.exec1("SELECT current_user, current_database()");
    EXPECT_EQ(row[0].as<std::string>(), role.name);
    EXPECT_EQ(row[1].as<std::string>(), database);

    secret->password += "x";
    auto refused = pg::connect(sm::to_postgres_url(*secret));
    ASSERT_FALSE(refused.ok()) << "password #" << i << " + x was accepted";
    EXPECT_EQ(refused.error().code, "AuthFailed");
    EXPECT_EQ(refused.error().message.find(":" + sm::percent_encode(secret->password) + "@"),
              std::string::npos);
    EXPECT_NE(refused.error().message.find(":***@"), std::string::npos) << refused.error().message;
  }
}

// ---- The dwh CLI ----

const std::string kModel = std::string(DWH_SOURCE_DIR) + "/models/totesys";

// The child's environment: the stub as every AWS endpoint, fixed keys, no profile files, no
// PG* variables, and DWH_WAREHOUSE_URL pointing at a database that does not exist, so that
// falling through to it fails.
std::map<std::string, std::string> cli_env(const LoopbackServer& server, const std::string& home) {
  std::map<std::string, std::string> e = {
      {"AWS_ENDPOINT_URL", server.endpoint()},
      {"AWS_ACCESS_KEY_ID", kAccessKey},
      {"AWS_SECRET_ACCESS_KEY", kSecretKey},
      {"AWS_REGION", kRegion},
      {"AWS_EC2_METADATA_DISABLED", "true"},
      {"AWS_MAX_ATTEMPTS", "1"},
      {"HOME", home},
      {"DWH_WAREHOUSE_URL", PostgresFixture::instance().url("no_such_warehouse_db")},
      {"DWH_WAREHOUSE_SECRET", kUnsetEnv},
  };
  for (const char* name :
       {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "PGHOST",
        "PGHOSTADDR", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE"})
    e.emplace(name, kUnsetEnv);
  return e;
}

std::string table_owner(const std::string& database, const std::string& table) {
  return PostgresFixture::query_value(superuser_url(database),
                                      "SELECT tableowner FROM pg_tables WHERE tablename = '" + table + "'");
}

// No trace of the password in any form it could take (raw, percent-encoded, JSON-escaped).
void expect_no_password(const ProcessResult& r, const std::string& password) {
  for (const std::string& form : {password, sm::percent_encode(password), json(password).dump()}) {
    EXPECT_EQ(r.out.find(form), std::string::npos) << "the password is on stdout";
    EXPECT_EQ(r.err.find(form), std::string::npos) << "the password is on stderr";
  }
}

TEST(WarehouseSecretCli, InitWithASecretCreatesTheWarehouseAsTheSecretsRole) {
  auto& pg = PostgresFixture::instance();
  const auto role = create_password_role(kHostileRoleBase, kHostilePassword);
  const std::string database = create_owned_database(role);
  SecretsStub stub;
  stub.put_string(kSecretName, seed_secret(role, database, std::to_string(pg.port())));
  const std::string home = make_temp_dir("secrets-home");

  auto r =
      run_process({DWH_CLI_PATH, "warehouse", "init", "--warehouse-secret", kSecretName, "--model", kModel},
                  cli_env(stub.server(), home));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fact_sales_order"), std::string::npos) << r.out;
  EXPECT_EQ(table_owner(database, "fact_sales_order"), role.name);
  EXPECT_EQ(
      PostgresFixture::query_value(superuser_url(database), "SELECT count(*) FROM dwh_loaded_manifests"),
      "0");
  expect_no_password(r, kHostilePassword);
  EXPECT_NE(r.err.find(R"("from":"--warehouse-secret 'dwh/warehouse'")"), std::string::npos) << r.err;
  ASSERT_EQ(stub.server().request_count(), 1u);

  // DWH_WAREHOUSE_SECRET does the same; a second init changes nothing.
  auto env = cli_env(stub.server(), home);
  env["DWH_WAREHOUSE_SECRET"] = kSecretName;
  auto again = run_process({DWH_CLI_PATH, "warehouse", "init", "--model", kModel}, env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["created_tables"].size(), 0u) << again.out;
  EXPECT_NE(again.err.find(R"("from":"DWH_WAREHOUSE_SECRET 'dwh/warehouse'")"), std::string::npos)
      << again.err;
  expect_no_password(again, kHostilePassword);

  // --warehouse comes first, and cannot be combined with --warehouse-secret.
  auto both = run_process({DWH_CLI_PATH, "warehouse", "init", "--warehouse", superuser_url(database),
                           "--warehouse-secret", kSecretName, "--model", kModel},
                          cli_env(stub.server(), home));
  EXPECT_EQ(both.exit_code, 2) << both.err;
  auto url_wins = run_process(
      {DWH_CLI_PATH, "warehouse", "init", "--warehouse", superuser_url(database), "--model", kModel}, env);
  EXPECT_EQ(url_wins.exit_code, 0) << url_wins.err;
  EXPECT_NE(url_wins.err.find(R"("from":"--warehouse")"), std::string::npos) << url_wins.err;
}

TEST(WarehouseSecretCli, BadSecretsFailNamingTheSecretAndFieldButNoValue) {
  auto& pg = PostgresFixture::instance();
  SecretsStub stub;
  const std::string password = "Secret-Value-5150:@/";
  json bad_port = json::parse(seed_secret(PasswordRole{"u", password}, "d", "54x2"));
  json no_user = bad_port;
  no_user.erase("PG_USER");
  no_user["PG_PORT"] = pg.port();
  stub.put_string("bad-port", bad_port.dump());
  stub.put_string("no-user", no_user.dump());
  stub.put_string("not-json", password);
  stub.put_answer("binary", LoopbackAction::respond(200, R"({"Name":"binary","SecretBinary":"U2VjcmV0"})"));
  stub.put_answer("denied", LoopbackAction::respond(
                                400, R"({"__type":"AccessDeniedException","Message":"not authorized"})"));
  const std::string home = make_temp_dir("secrets-home");

  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"nowhere", {"ResourceNotFoundException", "'nowhere'", "eu-west-2"}},
      {"denied", {"AccessDeniedException", "'denied'"}},
      {"binary", {"BinarySecret", "'binary'", "SecretString"}},
      {"bad-port", {"PG_PORT", "'bad-port'"}},
      {"no-user", {"PG_USER", "'no-user'", "missing"}},
      {"not-json", {"'not-json'", "not a JSON object"}},
  };
  for (const auto& [name, expected] : cases) {
    auto r = run_process({DWH_CLI_PATH, "warehouse", "init", "--warehouse-secret", name, "--model", kModel},
                         cli_env(stub.server(), home));
    EXPECT_NE(r.exit_code, 0) << name;
    for (const auto& text : expected) EXPECT_NE(r.err.find(text), std::string::npos) << name << ": " << r.err;
    expect_no_password(r, password);
  }
}

TEST(WarehouseSecretCli, PgEnvironmentIsUsedBeforeDwhWarehouseUrl) {
  auto& pg = PostgresFixture::instance();
  const auto role = create_password_role(kHostileRoleBase, kHostilePassword);
  const std::string database = create_owned_database(role);
  LoopbackServer unused;
  const std::string home = make_temp_dir("secrets-home");
  auto env = cli_env(unused, home);
  env["PGHOST"] = "127.0.0.1";
  env["PGPORT"] = std::to_string(pg.port());
  env["PGUSER"] = role.name;
  env["PGPASSWORD"] = kHostilePassword;
  env["PGDATABASE"] = database;

  auto r = run_process({DWH_CLI_PATH, "warehouse", "init", "--model", kModel}, env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(table_owner(database, "dim_date"), role.name);
  EXPECT_NE(r.err.find(R"("from":"PG* environment")"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(R"("PGPASSWORD":"set")"), std::string::npos) << r.err;
  expect_no_password(r, kHostilePassword);
  EXPECT_EQ(unused.request_count(), 0u);

  // The password is really checked: a wrong one fails, and says so without showing either.
  env["PGPASSWORD"] = kHostilePassword + "x";
  auto wrong = run_process({DWH_CLI_PATH, "warehouse", "init", "--model", kModel}, env);
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("password"), std::string::npos) << wrong.err;
  expect_no_password(wrong, kHostilePassword);
}

}  // namespace
}  // namespace dwh::test
