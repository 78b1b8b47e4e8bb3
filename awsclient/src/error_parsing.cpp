// Turns AWS error answers into dwh::Error, for every protocol. Input is untrusted (it is
// fuzzed): nothing here may throw, crash, or copy a secret into the message.
#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

#include "dwh/aws/service_client.hpp"
#include "dwh/aws/xml.hpp"

namespace dwh::aws {
namespace {

constexpr std::size_t kQuotedPrefix = 200;  // bytes of an unparseable body shown in the message
constexpr std::string_view kRedacted = "[redacted]";

struct StatusName {
  int status;
  std::string_view code;
  std::string_view reason;
};
// Codes for answers without an error document (HEAD, some proxies): what botocore's
// parsers and the S3 docs call these.
constexpr std::array<StatusName, 16> kStatusNames = {{
    {301, "PermanentRedirect", "moved permanently"},
    {304, "NotModified", "not modified"},
    {307, "TemporaryRedirect", "temporary redirect"},
    {400, "BadRequest", "bad request"},
    {401, "Unauthorized", "unauthorized"},
    {403, "Forbidden", "forbidden"},
    {404, "NotFound", "not found"},
    {405, "MethodNotAllowed", "method not allowed"},
    {409, "Conflict", "conflict"},
    {411, "MissingContentLength", "length required"},
    {412, "PreconditionFailed", "precondition failed"},
    {416, "InvalidRange", "range not satisfiable"},
    {429, "TooManyRequestsException", "too many requests"},
    {500, "InternalError", "internal server error"},
    {503, "ServiceUnavailable", "service unavailable"},
    {504, "GatewayTimeout", "gateway timeout"},
}};

const StatusName* status_name(int status) {
  for (const auto& s : kStatusNames)
    if (s.status == status) return &s;
  return nullptr;
}

std::string code_for_status(int status) {
  if (const auto* s = status_name(status)) return std::string(s->code);
  return "Http" + std::to_string(status);
}

std::string reason_for_status(int status) {
  if (const auto* s = status_name(status)) return std::string(s->reason);
  return "HTTP " + std::to_string(status);
}

bool iequals_at(std::string_view text, std::size_t pos, std::string_view needle) {
  if (pos + needle.size() > text.size()) return false;
  for (std::size_t i = 0; i < needle.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) !=
        std::tolower(static_cast<unsigned char>(needle[i])))
      return false;
  return true;
}

// Text quoted from a body: printable ASCII only, so a message never carries control bytes.
std::string printable_prefix(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kQuotedPrefix)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : (c == '\n' || c == '\r' || c == '\t' ? ' ' : '?'));
  }
  if (body.size() > kQuotedPrefix) out += "...";
  return out;
}

Error unparseable(int http_status, std::string_view body, std::string_view why) {
  Error e;
  e.http_status = http_status;
  e.code = code_for_status(http_status);
  // Redact before cutting, so a cut cannot leave half a secret behind its marker.
  e.message = reason_for_status(http_status) + "; unparseable error body (" + std::to_string(body.size()) +
              " bytes, " + printable_prefix(why) + "): " + printable_prefix(redact_secrets(body));
  return e;
}

Error from_status(int http_status) {
  Error e;
  e.http_status = http_status;
  e.code = code_for_status(http_status);
  e.message = reason_for_status(http_status) + " (the answer carried no error document)";
  return e;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

std::string trim_copy(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string json_string(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    auto it = object.find(key);
    if (it != object.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

}  // namespace

std::string redact_secrets(std::string_view text) {
  // Markers after which a secret value follows, up to a delimiter.
  static constexpr std::array<std::string_view, 7> kMarkers = {
      "X-Amz-Signature=", "Signature=",          "X-Amz-Security-Token=", "x-amz-security-token:",
      "Authorization:",   "<SignatureProvided>", "<SecretAccessKey>",
  };
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::string_view* hit = nullptr;
    for (const auto& m : kMarkers)
      if (iequals_at(text, i, m)) {
        hit = &m;
        break;
      }
    if (hit == nullptr) {
      out.push_back(text[i++]);
      continue;
    }
    out.append(text.substr(i, hit->size()));
    i += hit->size();
    // Authorization values contain spaces ("AWS4-HMAC-SHA256 Credential=..."): hide the line.
    const bool to_line_end = iequals_at(*hit, 0, "Authorization:");
    while (i < text.size() && text[i] == ' ') out.push_back(text[i++]);
    while (i < text.size()) {
      const char c = text[i];
      if (c == '\n' || c == '\r' || c == '<' || c == '"') break;
      if (!to_line_end && (c == '&' || c == ' ' || c == ',' || c == '\t')) break;
      ++i;
    }
    out.append(kRedacted);
  }
  return out;
}

Error parse_xml_error(int http_status, std::string_view body) {
  if (is_blank(body)) return from_status(http_status);
  auto doc = xml::Document::parse(body);
  if (!doc) return unparseable(http_status, body, doc.error().message);
  const xml::Node root = doc->root();
  // S3: <Error> at the root. Query: <ErrorResponse><Error>. EC2: <Response><Errors><Error>.
  auto error = root.descendant("Error");
  if (!error) return unparseable(http_status, body, "no <Error> element");
  Error e;
  e.http_status = http_status;
  e.code = trim_copy(error->child_text("Code"));
  e.message = redact_secrets(error->child_text("Message"));
  auto request_id = error->child("RequestId");
  if (!request_id) request_id = root.descendant("RequestId");
  if (!request_id) request_id = root.descendant("RequestID");
  if (request_id) e.request_id = trim_copy(request_id->text());
  if (e.code.empty()) {
    e.code = code_for_status(http_status);
    if (e.message.empty()) e.message = reason_for_status(http_status) + " (the error document has no <Code>)";
  }
  if (e.message.empty()) e.message = reason_for_status(http_status);
  return e;
}

Error parse_json_error(int http_status, std::string_view body, std::string_view amzn_error_type_header) {
  std::string code;
  if (!amzn_error_type_header.empty())  // "ValidationException:http://internal.amazon.com/..."
    code = trim_copy(amzn_error_type_header.substr(0, amzn_error_type_header.find(':')));

  if (is_blank(body)) {
    Error e = from_status(http_status);
    if (!code.empty()) e.code = code;
    return e;
  }
  const auto json = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    Error e = unparseable(http_status, body, json.is_discarded() ? "not JSON" : "not a JSON object");
    if (!code.empty()) e.code = code;
    return e;
  }
  if (code.empty()) {
    std::string type = json_string(json, {"__type", "code", "Code"});
    if (auto hash = type.rfind('#'); hash != std::string::npos) type.erase(0, hash + 1);  // "ns#Code"
    code = trim_copy(type.substr(0, type.find(':')));
  }
  Error e;
  e.http_status = http_status;
  e.code = code.empty() ? code_for_status(http_status) : code;
  e.message = redact_secrets(json_string(json, {"message", "Message", "errorMessage"}));
  if (e.message.empty()) e.message = reason_for_status(http_status);
  return e;
}

Error error_from_response(Protocol protocol, const HttpResponse& response) {
  Error e;
  if (protocol == Protocol::Json) {
    e = parse_json_error(response.status, response.body, response.header("x-amzn-errortype").value_or(""));
  } else {
    e = parse_xml_error(response.status, response.body);
  }
  if (e.request_id.empty()) {
    for (const char* h : {"x-amz-request-id", "x-amzn-requestid", "x-amzn-request-id"}) {
      if (auto v = response.header(h)) {
        e.request_id = std::string(*v);
        break;
      }
    }
  }
  if (response.status == 301 || e.code == "PermanentRedirect" || e.code == "AuthorizationHeaderMalformed") {
    if (auto region = response.header("x-amz-bucket-region"))
      e.message += " (the bucket is in region " + std::string(*region) + ")";
  }
  return e;
}

}  // namespace dwh::aws
