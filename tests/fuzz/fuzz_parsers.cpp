// libFuzzer entry point for the parsers of server answers. The first byte picks the parser,
// the second the HTTP status (an index into kStatuses, or 100 + 2 * byte); the rest is the body. Beyond "no
// crash, no leak, no UB" it checks the promises callers rely on: every Error has a code and a message, and no
// value after a secret marker survives redaction.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/aws/service_client.hpp"
#include "dwh/aws/xml.hpp"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_error(const dwh::Error& e, int status) {
  check(!e.code.empty());
  check(!e.message.empty());
  check(e.http_status == status);
}

bool iequals_at(std::string_view text, std::size_t pos, std::string_view needle) {
  if (pos + needle.size() > text.size()) return false;
  for (std::size_t i = 0; i < needle.size(); ++i) {
    char a = text[pos + i], b = needle[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z') b = static_cast<char>(b - 'A' + 'a');
    if (a != b) return false;
  }
  return true;
}

// After every marker, only spaces may come before "[redacted]".
void check_redacted(std::string_view out) {
  static constexpr std::string_view kMarkers[] = {
      "Signature=",     "X-Amz-Security-Token=", "x-amz-security-token:",
      "Authorization:", "<SignatureProvided>",   "<SecretAccessKey>"};
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (auto m : kMarkers) {
      if (!iequals_at(out, i, m)) continue;
      std::size_t j = i + m.size();
      while (j < out.size() && out[j] == ' ') ++j;
      check(out.substr(j, 10) == "[redacted]");
    }
  }
}

// Touches every accessor on every element, iteratively.
void walk(const dwh::aws::xml::Node& root) {
  std::vector<dwh::aws::xml::Node> todo{root};
  std::size_t visited = 0;
  while (!todo.empty() && visited < 100000) {
    auto n = todo.back();
    todo.pop_back();
    ++visited;
    (void)n.name();
    (void)n.text();
    (void)n.child_text("Code");
    (void)n.attribute("type");
    (void)n.find("Error/Code");
    for (auto& c : n.children("")) todo.push_back(c);
  }
  (void)root.descendant("RequestId");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const int mode = data[0] % 5;
  // The statuses that matter by index, and any other 1xx-6xx beyond them.
  static constexpr int kStatuses[] = {200, 301, 304, 400, 403, 404, 409, 412, 429, 500, 501, 502, 503, 504};
  constexpr std::size_t kCount = sizeof kStatuses / sizeof kStatuses[0];
  const int status = data[1] < kCount ? kStatuses[data[1]] : 100 + data[1] * 2;
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  switch (mode) {
    case 0:
      check_error(dwh::aws::parse_xml_error(status, body), status);
      break;
    case 1: {
      // Header and body split at the first newline, so both inputs are fuzzed.
      const auto nl = body.find('\n');
      const std::string_view header = nl == std::string_view::npos ? std::string_view{} : body.substr(0, nl);
      const std::string_view json = nl == std::string_view::npos ? body : body.substr(nl + 1);
      check_error(dwh::aws::parse_json_error(status, json, header), status);
      break;
    }
    case 2: {
      auto doc = dwh::aws::xml::Document::parse(body);
      if (doc.ok())
        walk(doc->root());
      else
        check(doc.error().code == "MalformedXML");
      break;
    }
    case 3: {
      dwh::aws::HttpResponse r;
      r.status = status;
      r.body = std::string(body);
      r.headers = {{"x-amz-bucket-region", "eu-west-1"},
                   {"x-amzn-errortype", std::string(body.substr(0, 40))}};
      check_error(dwh::aws::error_from_response(dwh::aws::Protocol::RestXml, r), status);
      check_error(dwh::aws::error_from_response(dwh::aws::Protocol::Json, r), status);
      break;
    }
    default:
      check_redacted(dwh::aws::redact_secrets(body));
      break;
  }
  return 0;
}
