// `dwh aws sign` as a user runs it: every golden request file through the binary with --json,
// compared with botocore's values; the readable form from stdin; exit code 2 on bad usage
// and 1 on missing credentials, region or input, never printing the secret key.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process.hpp"

namespace {

namespace fs = std::filesystem;
using dwh::test::kUnsetEnv;
using dwh::test::run_process;

const fs::path kGoldenDir = fs::path(DWH_SOURCE_DIR) / "tests" / "golden" / "sigv4";
constexpr const char* kAccessKey = "AKIDEXAMPLE";
constexpr const char* kSecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// An environment where only what a test sets can supply credentials or a region: no shared
// files, no container endpoint, no instance metadata.
std::map<std::string, std::string> isolated_env() {
  static const std::string dir = dwh::test::make_temp_dir("sign-cmd");
  return {{"AWS_ACCESS_KEY_ID", kUnsetEnv},
          {"AWS_SECRET_ACCESS_KEY", kUnsetEnv},
          {"AWS_SESSION_TOKEN", kUnsetEnv},
          {"AWS_PROFILE", kUnsetEnv},
          {"AWS_REGION", kUnsetEnv},
          {"AWS_DEFAULT_REGION", kUnsetEnv},
          {"AWS_CONTAINER_CREDENTIALS_FULL_URI", kUnsetEnv},
          {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", kUnsetEnv},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_CONFIG_FILE", dir + "/no-config"},
          {"AWS_SHARED_CREDENTIALS_FILE", dir + "/no-credentials"},
          {"HOME", dir}};
}

std::map<std::string, std::string> example_env(const std::string& token = {}) {
  auto env = isolated_env();
  env["AWS_ACCESS_KEY_ID"] = kAccessKey;
  env["AWS_SECRET_ACCESS_KEY"] = kSecretKey;
  if (!token.empty()) env["AWS_SESSION_TOKEN"] = token;
  return env;
}

std::vector<std::string> sign_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {DWH_CLI_PATH, "aws", "sign"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The command-line form of a golden case's context.json.
std::vector<std::string> golden_args(const fs::path& dir, const nlohmann::json& ctx) {
  std::vector<std::string> args = {(dir / "request.txt").string(),
                                   "--json",
                                   "--service",
                                   ctx.at("service"),
                                   "--region",
                                   ctx.at("region"),
                                   "--time",
                                   ctx.at("time")};
  if (ctx.value("s3", false)) args.push_back("--s3");
  if (ctx.value("no_normalize_path", false)) args.push_back("--no-normalize-path");
  if (ctx.value("sign_payload_hash", false)) args.push_back("--sign-payload-hash");
  if (ctx.contains("presign")) {
    args.push_back("--presign");
    args.push_back(std::to_string(ctx.at("presign").get<int>()));
  }
  return args;
}

TEST(SignCommand, JsonMatchesBotocoreForEveryGoldenCase) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kGoldenDir)) {
    const fs::path dir = entry.path();
    if (!fs::exists(dir / "request.txt")) continue;
    ++cases;
    const std::string name = dir.filename().string();
    const auto ctx = nlohmann::json::parse(read_file(dir / "context.json"));
    const auto r = run_process(sign_argv(golden_args(dir, ctx)), example_env(ctx.value("session_token", "")));
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out.find(kSecretKey), std::string::npos) << name << ": the secret key was printed";
    EXPECT_EQ(r.err.find(kSecretKey), std::string::npos) << name << ": the secret key was logged";
    const auto out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out.at("canonical_request"), read_file(dir / "canonical_request.txt")) << name;
    EXPECT_EQ(out.at("string_to_sign"), read_file(dir / "string_to_sign.txt")) << name;
    EXPECT_TRUE(out.at("signature") == read_file(dir / "signature.txt")) << name << ": signature differs";
    if (ctx.contains("presign")) {
      EXPECT_TRUE(out.at("url") == read_file(dir / "url.txt")) << name << ": url differs";
      EXPECT_FALSE(out.contains("authorization")) << name;
    } else {
      EXPECT_TRUE(out.at("authorization") == read_file(dir / "authorization.txt"))
          << name << ": authorization differs";
      EXPECT_FALSE(out.contains("url")) << name;
    }
    std::vector<std::string> keys;
    for (const auto& item : out.items()) keys.push_back(item.key());
    EXPECT_EQ(keys.size(), 4u) << name;
  }
  EXPECT_GE(cases, 30);
}

TEST(SignCommand, ReadsStdinAndPrintsReadableHeadings) {
  const fs::path dir = kGoldenDir / "get-vanilla";
  auto env = example_env();
  env["AWS_REGION"] = "us-east-1";  // the normal region resolution, no --region
  const auto r = run_process(sign_argv({"-", "--service", "service", "--time", "20150830T123600Z"}), env,
                             read_file(dir / "request.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string want = "Canonical request:\n" + read_file(dir / "canonical_request.txt") +
                           "\n\nString to sign:\n" + read_file(dir / "string_to_sign.txt") +
                           "\n\nSignature:\n" + read_file(dir / "signature.txt") + "\n\nAuthorization:\n" +
                           read_file(dir / "authorization.txt") + "\n";
  EXPECT_TRUE(r.out == want) << "readable output differs from the golden steps";
  EXPECT_EQ(r.out.find(kSecretKey), std::string::npos);
}

TEST(SignCommand, DefaultTimeIsNow) {
  const auto r = run_process(sign_argv({(kGoldenDir / "get-vanilla" / "request.txt").string(), "--json",
                                        "--service", "iam", "--region", "us-east-1"}),
                             example_env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string sts = nlohmann::json::parse(r.out).at("string_to_sign");
  EXPECT_EQ(sts.find("\n20150830T123600Z\n"), std::string::npos) << "signed with the file's X-Amz-Date";
  EXPECT_NE(sts.find("/us-east-1/iam/aws4_request\n"), std::string::npos) << sts;
}

TEST(SignCommand, BadUsageExitsTwo) {
  const std::string file = (kGoldenDir / "get-vanilla" / "request.txt").string();
  const std::vector<std::vector<std::string>> cases = {
      {},                                                            // no REQUEST_FILE
      {file, "--region", "us-east-1"},                               // neither --service nor --s3
      {file, "--service", "iam", "--time", "2015-08-30T12:36:00Z"},  // not the basic ISO form
      {file, "--service", "iam", "--time", "20150230T000000Z"},      // no such day
      {file, "--service", "iam", "--presign", "0"},
      {file, "--service", "iam", "--presign", "604801"},  // over AWS's seven days
      {file, "--service", "iam", "--no-such-option"},
  };
  for (const auto& args : cases) {
    const auto r = run_process(sign_argv(args), example_env());
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined << "\n" << r.out << r.err;
    EXPECT_FALSE(r.err.empty()) << joined;
  }
}

TEST(SignCommand, MissingCredentialsExitOneNamingWhereItLooked) {
  const auto r = run_process(sign_argv({(kGoldenDir / "get-vanilla" / "request.txt").string(), "--service",
                                        "iam", "--region", "us-east-1"}),
                             isolated_env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no AWS credentials"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("AWS_ACCESS_KEY_ID"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no-credentials"), std::string::npos) << "names the credentials file: " << r.err;
}

TEST(SignCommand, PartialCredentialsExitOneWithoutPrintingTheSecret) {
  auto env = isolated_env();
  env["AWS_SECRET_ACCESS_KEY"] = kSecretKey;  // no access key id beside it
  env["AWS_ACCESS_KEY_ID"] = kUnsetEnv;
  const auto r = run_process(sign_argv({(kGoldenDir / "get-vanilla" / "request.txt").string(), "--service",
                                        "iam", "--region", "us-east-1"}),
                             env);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find(kSecretKey), std::string::npos);
  EXPECT_EQ(r.err.find(kSecretKey), std::string::npos);
}

TEST(SignCommand, MissingRegionExitsOneNamingTheSettings) {
  const auto r = run_process(
      sign_argv({(kGoldenDir / "get-vanilla" / "request.txt").string(), "--service", "iam"}), example_env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("AWS_REGION"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--region"), std::string::npos) << r.err;
}

TEST(SignCommand, UnreadableOrMalformedRequestExitsOne) {
  const auto missing = run_process(
      sign_argv({"/nonexistent/request.txt", "--service", "iam", "--region", "r"}), example_env());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/request.txt"), std::string::npos) << missing.err;

  const auto malformed = run_process(sign_argv({"-", "--service", "iam", "--region", "r"}), example_env(),
                                     "GET / HTTP/1.1\nHost example.com\n");
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_NE(malformed.err.find("line 2"), std::string::npos) << malformed.err;

  const auto no_host = run_process(sign_argv({"-", "--service", "iam", "--region", "r", "--presign", "60"}),
                                   example_env(), "GET / HTTP/1.1\n");
  EXPECT_EQ(no_host.exit_code, 1);
  EXPECT_NE(no_host.err.find("Host"), std::string::npos) << no_host.err;
}

}  // namespace
