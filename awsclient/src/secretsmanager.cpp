#include "dwh/aws/secretsmanager.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

namespace dwh::aws::secretsmanager {
namespace {

constexpr std::string_view kOperation = "GetSecretValue";
constexpr std::string_view kArnPrefix = "arn:";
constexpr int kMinPort = 1;
constexpr int kMaxPort = 65535;
constexpr std::size_t kMaxPortDigits = 5;

Error invalid_parameter(std::string message) {
  Error e = make_error("InvalidParameterException", std::move(message));
  e.service = "secretsmanager";
  e.operation = std::string(kOperation);
  return e;
}

Status check_parameter(std::string_view name, std::string_view value, std::size_t max_length, bool required) {
  if (value.empty()) {
    if (required) return invalid_parameter(std::string(name) + " is empty");
    return {};
  }
  if (value.size() > max_length)
    return invalid_parameter(std::string(name) + " is " + std::to_string(value.size()) +
                             " bytes; the limit is " + std::to_string(max_length));
  return {};
}

Error malformed(std::string_view secret_id, std::string_view problem) {
  // Never quote the answer: a GetSecretValue body carries the secret.
  Error e = make_error("MalformedResponse", "GetSecretValue answer for secret '" + std::string(secret_id) +
                                                "' " + std::string(problem));
  e.service = "secretsmanager";
  e.operation = std::string(kOperation);
  return e;
}

Error invalid_secret(std::string_view field, std::string_view secret_name, std::string_view problem) {
  std::string where = field.empty() ? "secret '" + std::string(secret_name) + "'"
                                    : std::string(field) + " in secret '" + std::string(secret_name) + "'";
  return make_error("InvalidDatabaseSecret", where + " " + std::string(problem));
}

bool is_unreserved(unsigned char c) {
  return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~';
}

// An IPv6 literal, possibly already in brackets: hex digits, ':' and '.' (an embedded IPv4).
bool is_ipv6_literal(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.find(':') == std::string_view::npos) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
  });
}

Result<std::string> text_field(const nlohmann::json& doc, std::string_view field,
                               std::string_view secret_name, bool may_be_empty) {
  auto it = doc.find(std::string(field));
  if (it == doc.end()) return invalid_secret(field, secret_name, "is missing");
  if (!it->is_string())
    return invalid_secret(field, secret_name, "must be a string, not " + std::string(it->type_name()));
  std::string value = it->get<std::string>();
  if (value.empty() && !may_be_empty) return invalid_secret(field, secret_name, "is empty");
  if (value.find('\0') != std::string::npos)
    return invalid_secret(field, secret_name, "holds a NUL character, which libpq cannot take");
  return value;
}

Result<int> port_field(const nlohmann::json& doc, std::string_view secret_name) {
  constexpr std::string_view kField = "PG_PORT";
  auto it = doc.find(std::string(kField));
  if (it == doc.end()) return invalid_secret(kField, secret_name, "is missing");
  const std::string range =
      "must be a port number from " + std::to_string(kMinPort) + " to " + std::to_string(kMaxPort);
  if (it->is_number_integer()) {
    const auto value = it->get<std::int64_t>();
    if (value < kMinPort || value > kMaxPort) return invalid_secret(kField, secret_name, range);
    return static_cast<int>(value);
  }
  if (!it->is_string())
    return invalid_secret(kField, secret_name,
                          range + " (a string or a whole number), not " + std::string(it->type_name()));
  const std::string text = it->get<std::string>();
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const bool digits_only = !text.empty() && text.size() <= kMaxPortDigits &&
                           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits_only || ec != std::errc() || end != text.data() + text.size() || value < kMinPort ||
      value > kMaxPort)
    return invalid_secret(kField, secret_name, range + " (digits only)");
  return value;
}

}  // namespace

ServiceInfo service_info() {
  return ServiceInfo{"Secrets Manager", "secretsmanager", "secretsmanager", Protocol::Json, false, false};
}

Result<HttpRequest> get_secret_value_request(const GetSecretValueInput& input) {
  if (auto s = check_parameter("SecretId", input.secret_id, kMaxSecretIdLength, true); !s)
    return std::move(s).error();
  if (auto s = check_parameter("VersionStage", input.version_stage, kMaxVersionStageLength, false); !s)
    return std::move(s).error();
  if (auto s = check_parameter("VersionId", input.version_id, kMaxSecretIdLength, false); !s)
    return std::move(s).error();
  nlohmann::ordered_json body{{"SecretId", input.secret_id}};
  if (!input.version_id.empty()) body["VersionId"] = input.version_id;
  if (!input.version_stage.empty()) body["VersionStage"] = input.version_stage;
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers.emplace_back("x-amz-target", std::string(kTargetPrefix) + "." + std::string(kOperation));
  request.headers.emplace_back("content-type", std::string(kContentType));
  try {
    request.body = body.dump();
  } catch (const nlohmann::json::type_error&) {
    return invalid_parameter("SecretId, VersionStage and VersionId must be valid UTF-8");
  }
  return request;
}

Result<SecretValue> parse_get_secret_value(std::string_view body, std::string_view secret_id) {
  const auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return malformed(secret_id, "is not a JSON object");
  SecretValue out;
  auto optional_string = [&](const char* key, std::string& into) -> bool {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    into = it->get<std::string>();
    return true;
  };
  if (!optional_string("ARN", out.arn) || !optional_string("Name", out.name) ||
      !optional_string("VersionId", out.version_id))
    return malformed(secret_id, "has a non-string ARN, Name or VersionId");
  if (auto it = doc.find("VersionStages"); it != doc.end() && it->is_array()) {
    for (const auto& stage : *it)
      if (stage.is_string()) out.version_stages.push_back(stage.get<std::string>());
  }
  auto secret = doc.find("SecretString");
  if (secret == doc.end() || secret->is_null()) {
    if (doc.contains("SecretBinary")) {
      Error e =
          make_error("BinarySecret", "secret '" + std::string(secret_id) +
                                         "' holds a binary value (SecretBinary); dwh reads only secrets "
                                         "stored as a string (SecretString)");
      e.service = "secretsmanager";
      e.operation = std::string(kOperation);
      return e;
    }
    return malformed(secret_id, "has neither SecretString nor SecretBinary");
  }
  if (!secret->is_string()) return malformed(secret_id, "has a SecretString that is not a string");
  out.secret_string = secret->get<std::string>();
  return out;
}

std::optional<std::string> region_of_arn(std::string_view secret_id) {
  // arn:partition:service:region:account:resource
  if (!secret_id.starts_with(kArnPrefix)) return std::nullopt;
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    const auto colon = secret_id.find(':', pos);
    if (colon == std::string_view::npos) return std::nullopt;
    parts.push_back(secret_id.substr(pos, colon - pos));
    pos = colon + 1;
  }
  if (parts[2] != "secretsmanager" || parts[3].empty()) return std::nullopt;
  return std::string(parts[3]);
}

Result<DatabaseSecret> parse_database_secret(std::string_view secret_string, std::string_view secret_name) {
  const auto doc =
      nlohmann::json::parse(secret_string.begin(), secret_string.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return invalid_secret({}, secret_name,
                          "is not a JSON object with PG_USER, PG_PASSWORD, PG_HOST, PG_DATABASE and PG_PORT");
  DatabaseSecret out;
  auto user = text_field(doc, "PG_USER", secret_name, false);
  if (!user) return std::move(user).error();
  auto password = text_field(doc, "PG_PASSWORD", secret_name, true);
  if (!password) return std::move(password).error();
  auto host = text_field(doc, "PG_HOST", secret_name, false);
  if (!host) return std::move(host).error();
  if (host->find(':') != std::string::npos && !is_ipv6_literal(*host))
    return invalid_secret("PG_HOST", secret_name,
                          "holds a ':' but is not an IPv6 address (the port goes in PG_PORT)");
  auto database = text_field(doc, "PG_DATABASE", secret_name, false);
  if (!database) return std::move(database).error();
  auto port = port_field(doc, secret_name);
  if (!port) return std::move(port).error();
  out.user = std::move(user).value();
  out.password = std::move(password).value();
  out.host = std::move(host).value();
  out.database = std::move(database).value();
  out.port = *port;
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string to_postgres_url(const DatabaseSecret& secret) {
  std::string url = "postgresql://" + percent_encode(secret.user);
  if (!secret.password.empty()) url += ":" + percent_encode(secret.password);
  url += "@";
  if (is_ipv6_literal(secret.host)) {
    url += secret.host.front() == '[' ? secret.host : "[" + secret.host + "]";
  } else {
    url += percent_encode(secret.host);
  }
  url += ":" + std::to_string(secret.port) + "/" + percent_encode(secret.database);
  return url;
}

Result<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  auto service = ServiceClient::create(service_info(), std::move(options));
  if (!service) return std::move(service).error();
  return std::make_unique<Client>(std::move(service).value());
}

Client::Client(std::unique_ptr<ServiceClient> service) : service_(std::move(service)) {}

Result<SecretValue> Client::get_secret_value(const GetSecretValueInput& input) {
  auto request = get_secret_value_request(input);
  if (!request) return std::move(request).error();
  auto response = service_->call("GetSecretValue", std::move(request).value());
  if (!response) {
    Error e = std::move(response).error();
    e.message += " (secret '" + input.secret_id + "' in region " + service_->region() + ")";
    return e;
  }
  return parse_get_secret_value(response->body, input.secret_id);
}

Result<SecretValue> Client::get_secret_value(std::string_view secret_id, std::string_view version_stage) {
  return get_secret_value(GetSecretValueInput{std::string(secret_id), std::string(version_stage), {}});
}

}  // namespace dwh::aws::secretsmanager
