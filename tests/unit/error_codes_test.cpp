// The error-code registry against docs/errors.md and against the codes the sources raise.
#include "dwh/core/error_codes.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dwh::core {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// code -> kind as docs/errors.md's table gives it.
std::map<std::string, std::string> documented_codes() {
  const std::string doc = read_file(fs::path(DWH_SOURCE_DIR) / "docs" / "errors.md");
  const std::regex row(R"(\n\| `([A-Za-z0-9]+)` \| ([a-z ]+) \| )");
  std::map<std::string, std::string> out;
  for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) out[(*it)[1]] = (*it)[2];
  return out;
}

std::string doc_kind(ErrorKind kind) {
  std::string name(kind_name(kind));
  for (char& c : name) c = c == '-' ? ' ' : c;
  return name;
}

// The literal codes one statement raises: make_error("X", ...), make_error(c ? "X" : "Y", ...),
// e.code = "X" and e.code = c ? "X" : "Y" (a choice in a later argument is message text).
std::vector<std::string> codes_in_statement(const std::string& statement) {
  static const std::regex literal(R"re(make_error\(\s*"([A-Za-z0-9]+)")re");
  static const std::regex choice(
      R"re((?:make_error\(|\.code = )[^,"]*\?\s*"([A-Za-z0-9]+)"\s*:\s*"([A-Za-z0-9]+)")re");
  static const std::regex assigned(R"re(\.code = "([A-Za-z0-9]+)"\s*$)re");
  std::vector<std::string> out;
  for (const auto* re : {&literal, &choice, &assigned}) {
    std::smatch m;
    if (!std::regex_search(statement, m, *re)) continue;
    for (std::size_t g = 1; g < m.size(); ++g) {
      if (m[g].matched) out.push_back(m[g]);
    }
  }
  return out;
}

// Every literal code the production sources raise, with the first file raising it. Files are cut
// into statements at ';' so each regex runs over a few lines (libstdc++'s regex recurses per
// character).
std::map<std::string, std::string> raised_codes() {
  std::map<std::string, std::string> out;
  for (const char* folder : {"core", "awsclient", "pg", "local", "source", "jobs", "cli", "iac", "lambda"}) {
    const fs::path root = fs::path(DWH_SOURCE_DIR) / folder;
    if (!fs::exists(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const auto ext = entry.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      std::stringstream text(read_file(entry.path()));
      for (std::string statement; std::getline(text, statement, ';');) {
        for (auto& code : codes_in_statement(statement)) {
          out.emplace(std::move(code), entry.path().lexically_relative(DWH_SOURCE_DIR).string());
        }
      }
    }
  }
  return out;
}

TEST(ErrorCodes, EveryRaisedCodeIsRegistered) {
  const auto raised = raised_codes();
  // The scan must see the sources at all: dwh raises over a hundred codes.
  ASSERT_GT(raised.size(), 80u);
  for (const auto& [code, file] : raised) {
    EXPECT_NE(find_error_code(code), nullptr)
        << code << " (raised in " << file << ") is not in core/src/error_codes.cpp";
  }
}

TEST(ErrorCodes, DocsListEveryRegisteredCodeWithItsKind) {
  const auto documented = documented_codes();
  ASSERT_GT(documented.size(), 80u);
  for (const auto& info : error_codes()) {
    const auto it = documented.find(std::string(info.code));
    ASSERT_NE(it, documented.end()) << info.code << " is missing from docs/errors.md";
    EXPECT_EQ(it->second, doc_kind(info.kind)) << info.code;
  }
  for (const auto& [code, kind] : documented) {
    EXPECT_NE(find_error_code(code), nullptr) << code << " is documented but no longer registered";
  }
}

TEST(ErrorCodes, KindDecidesTheExitCode) {
  EXPECT_EQ(make_error("InvalidArgument", "x").kind(), ErrorKind::BadInput);
  EXPECT_EQ(exit_code(make_error("InvalidArgument", "x")), 2);
  EXPECT_EQ(make_error("ChecksumMismatch", "x").kind(), ErrorKind::Permanent);
  EXPECT_EQ(exit_code(make_error("ChecksumMismatch", "x")), 1);
  EXPECT_EQ(make_error("SomethingUnregistered", "x").kind(), ErrorKind::Internal);
}

TEST(ErrorCodes, ServiceAnswersAreClassifiedByStatusFirst) {
  Error throttled = make_error("SlowDown", "reduce your request rate");
  throttled.http_status = 503;
  EXPECT_EQ(throttled.kind(), ErrorKind::Transient);
  Error s3_internal = make_error("InternalError", "We encountered an internal error");
  s3_internal.http_status = 500;  // S3's InternalError is the server's, not ours
  EXPECT_EQ(s3_internal.kind(), ErrorKind::Transient);
  Error denied = make_error("AccessDenied", "denied");
  denied.http_status = 403;
  EXPECT_EQ(denied.kind(), ErrorKind::Permanent);
  Error unknown = make_error("SomeNewServiceCode", "?");
  unknown.http_status = 400;
  EXPECT_EQ(unknown.kind(), ErrorKind::Permanent);
  Error reset = make_error("ConnectionReset", "reset");
  reset.transient = true;
  EXPECT_EQ(reset.kind(), ErrorKind::Transient);
}

TEST(ErrorCodes, AnOverrideWins) {
  Error e = make_error("DatabaseError", "could not serialize access");
  e.kind_override = ErrorKind::Transient;
  EXPECT_EQ(e.kind(), ErrorKind::Transient);
}

}  // namespace
}  // namespace dwh::core
