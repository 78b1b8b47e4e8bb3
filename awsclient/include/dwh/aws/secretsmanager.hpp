#pragma once
// AWS Secrets Manager: GetSecretValue over the JSON 1.1 protocol (POST /, X-Amz-Target
// "secretsmanager.GetSecretValue", Content-Type application/x-amz-json-1.1), built on
// ServiceClient (endpoint, SigV4 as "secretsmanager", retries, JSON error documents).
// Only what dwh needs: reading a secret. Written by hand because Debian packages no AWS SDK
// for C++ (the project's rule: no code generation, one file pair per service).
//
// Also here: the seeds' database secret format,
//   {"PG_USER": "...", "PG_PASSWORD": "...", "PG_HOST": "...", "PG_DATABASE": "...", "PG_PORT": "5432"}
// turned into a libpq URI (PG_PORT may be a string or a number). It lives with the client
// because this format is the reason dwh reads secrets at all.
//
// Secret values never appear in logs or error messages: errors name the secret and the field,
// never a value, and an answer that cannot be parsed is not quoted (it may hold the secret).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/aws/config.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/service_client.hpp"
#include "dwh/core/result.hpp"

namespace dwh::aws::secretsmanager {

inline constexpr std::string_view kTargetPrefix = "secretsmanager";
inline constexpr std::string_view kContentType = "application/x-amz-json-1.1";
// Limits from the service model (SecretIdType, SecretVersionStageType).
inline constexpr std::size_t kMaxSecretIdLength = 2048;
inline constexpr std::size_t kMaxVersionStageLength = 256;

ServiceInfo service_info();  // {"Secrets Manager", "secretsmanager", "secretsmanager", Json}

struct GetSecretValueInput {
  std::string secret_id;      // name or ARN
  std::string version_stage;  // empty: AWSCURRENT (the service's default)
  std::string version_id;     // empty: not sent
};

// The request GetSecretValue sends (endpoint left empty: the client's). Error
// "InvalidParameterException" for an empty or too long id, stage or version id.
Result<HttpRequest> get_secret_value_request(const GetSecretValueInput& input);

struct SecretValue {
  std::string arn;
  std::string name;
  std::string version_id;
  std::vector<std::string> version_stages;
  std::string secret_string;  // the secret itself: never log it
};

// Parses a 2xx GetSecretValue answer. Errors: "BinarySecret" when the secret holds
// SecretBinary (dwh needs a string), "MalformedResponse" when the answer is not the expected
// JSON. `secret_id` only names the secret in messages.
Result<SecretValue> parse_get_secret_value(std::string_view body, std::string_view secret_id);

// "arn:aws:secretsmanager:eu-west-2:123456789012:secret:dwh/warehouse-AbCdEf" -> "eu-west-2".
// A secret lives in exactly one region, so an ARN's region wins over the configured one.
std::optional<std::string> region_of_arn(std::string_view secret_id);

// The seeds' database secret, decoded.
struct DatabaseSecret {
  std::string user;
  std::string password;  // may be empty: then libpq's other sources (PGPASSWORD, ~/.pgpass) apply
  std::string host;
  std::string database;
  int port = 0;
};

// Errors "InvalidDatabaseSecret": not a JSON object, a field missing, of the wrong type, empty
// (all but PG_PASSWORD), holding a NUL, or a port outside 1-65535. The message names the field
// and the secret, never a value.
Result<DatabaseSecret> parse_database_secret(std::string_view secret_string, std::string_view secret_name);

// postgresql://user:password@host:port/database with user, password and database
// percent-encoded (every byte but A-Z a-z 0-9 - . _ ~), and the host percent-encoded too,
// except an IPv6 address, which goes in brackets. libpq decodes every part, so any byte
// sequence but NUL survives the trip.
std::string to_postgres_url(const DatabaseSecret& secret);

// Percent-encodes every byte but the unreserved characters of RFC 3986.
std::string percent_encode(std::string_view text);

class Client {
 public:
  // Resolves region, endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, ...) and
  // credentials (see ServiceClient::create).
  static Result<std::unique_ptr<Client>> create(ClientOptions options);
  explicit Client(std::unique_ptr<ServiceClient> service);

  ServiceClient& service() { return *service_; }

  // The secret's string value. Errors keep the service's code (ResourceNotFoundException,
  // AccessDeniedException, DecryptionFailure, InvalidRequestException, ...) and add the
  // secret's name and the region to the message.
  Result<SecretValue> get_secret_value(const GetSecretValueInput& input);
  Result<SecretValue> get_secret_value(std::string_view secret_id, std::string_view version_stage = {});

 private:
  std::unique_ptr<ServiceClient> service_;
};

}  // namespace dwh::aws::secretsmanager
