// `dwh aws sign REQUEST_FILE`: signs a raw HTTP request and prints every SigV4 step, to set
// beside the CanonicalRequest and StringToSign a server returns with SignatureDoesNotMatch.
// The secret key is never printed; the signature, Authorization and URL are the point.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "dwh/aws/config.hpp"
#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"
#include "dwh/aws/sigv4.hpp"
#include "dwh/aws/sigv4_request_text.hpp"

namespace dwh::cli {
namespace {

constexpr int kExitFailure = 1;

struct SignArgs {
  std::string request_file;
  std::string service;
  std::string region;
  std::string time;  // empty: now
  long presign_seconds = 0;
  bool s3 = false;
  bool no_normalize_path = false;
  bool sign_payload_hash = false;
  bool json = false;
};

Result<std::string> read_input(const std::string& file) {
  std::ostringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error("FileNotFound", "cannot read request file " + file);
  text << in.rdbuf();
  return text.str();
}

void print(const aws::SigningResult& r, const std::string& url, bool as_json) {
  const bool presigned = !url.empty();
  if (as_json) {
    nlohmann::ordered_json out;
    out["canonical_request"] = r.canonical_request;
    out["string_to_sign"] = r.string_to_sign;
    out["signature"] = r.signature;
    out[presigned ? "url" : "authorization"] = presigned ? url : r.authorization;
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "Canonical request:\n"
            << r.canonical_request << "\n\n"
            << "String to sign:\n"
            << r.string_to_sign << "\n\n"
            << "Signature:\n"
            << r.signature << "\n\n"
            << (presigned ? "Presigned URL:\n" : "Authorization:\n") << (presigned ? url : r.authorization)
            << "\n";
}

int fail(const std::string& message) {
  std::cerr << "dwh aws sign: " << message << "\n";
  return kExitFailure;
}

int run_sign(const SignArgs& args) {
  auto text = read_input(args.request_file);
  if (!text) return fail(text.error().message);
  auto request = aws::parse_request_text(*text);
  if (!request) return fail(args.request_file + ": " + request.error().message);
  if (!request->header("host")) {
    return fail(args.request_file + ": the request has no Host header, and SigV4 always signs it");
  }

  aws::SignOptions options;
  options.service = args.service.empty() ? "s3" : args.service;  // only --s3 may leave it out
  options.region = args.region;
  if (options.region.empty()) {
    auto region = aws::resolve_region();
    if (!region) return fail(region.error().message + " (or pass --region)");
    options.region = *region;
  }
  options.time =
      args.time.empty() ? std::chrono::system_clock::now() : aws::sigv4::parse_amz_date(args.time).value();
  options.s3 = args.s3;
  options.no_normalize_path = args.no_normalize_path;
  options.sign_payload_hash = args.sign_payload_hash;
  options.presign = std::chrono::seconds(args.presign_seconds);

  auto creds = aws::default_credentials_chain(aws::make_curl_http_client())->get();
  if (!creds) return fail(creds.error().message);

  const aws::SigningResult signed_request =
      aws::sign(aws::to_signable(*request, options), *creds, aws::signing_config(options));
  std::string url;
  if (options.presign.count() > 0) {
    auto built = aws::presigned_url(*request, signed_request);
    if (!built) return fail(args.request_file + ": " + built.error().message);
    url = std::move(built).value();
  }
  print(signed_request, url, args.json);
  return 0;
}

}  // namespace

void register_aws_sign_command(CLI::App& aws, int& exit_code) {
  auto args = std::make_shared<SignArgs>();
  auto* cmd = aws.add_subcommand(
      "sign",
      "Sign a raw HTTP/1.1 request (AWS SigV4 test-suite form) with the normal credentials chain "
      "and print the canonical request, string to sign, signature and Authorization header "
      "(or presigned URL): compare them with a SignatureDoesNotMatch answer");
  cmd->add_option("REQUEST_FILE", args->request_file,
                  "request line, headers, blank line, body; '-' reads standard input")
      ->required();
  cmd->add_option("--service", args->service, "signing name, e.g. iam, execute-api (default s3 with --s3)");
  cmd->add_option("--region", args->region,
                  "signing region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)");
  const CLI::Validator amz_date(
      [](const std::string& v) {
        return aws::sigv4::parse_amz_date(v) ? std::string{} : "expected a UTC time like 20150830T123600Z";
      },
      "YYYYMMDDTHHMMSSZ");
  cmd->add_option("--time", args->time, "signing time, e.g. 20150830T123600Z (default now)")->check(amz_date);
  cmd->add_option("--presign", args->presign_seconds,
                  "sign in the query string (presigned URL) valid for SECONDS, at most 604800")
      ->check(CLI::Range(1L, static_cast<long>(aws::kMaxPresignExpiry.count())));
  cmd->add_flag("--s3", args->s3,
                "S3 rules: the path is signed as is, and x-amz-content-sha256 is added and signed");
  cmd->add_flag("--no-normalize-path", args->no_normalize_path,
                "sign the path as is: no dot-segment removal and no second URI encoding");
  cmd->add_flag("--sign-payload-hash", args->sign_payload_hash, "add and sign x-amz-content-sha256");
  cmd->add_flag("--json", args->json,
                "print {canonical_request, string_to_sign, signature, authorization or url}");
  cmd->callback([args, &exit_code] {
    if (args->service.empty() && !args->s3) throw CLI::RequiredError("--service (or --s3)");
    exit_code = run_sign(*args);
  });
}

}  // namespace dwh::cli
