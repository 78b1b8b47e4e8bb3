// `dwh aws s3 cp` against s3rver: single files (small and multipart), directory trees both
// ways, stdin/stdout streams, and refusals that name what was wrong.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dwh/aws/s3.hpp"
#include "s3rver.hpp"

using dwh::test::S3rver;
namespace fs = std::filesystem;

namespace {

std::map<std::string, std::string> s3rver_env() {
  return S3rver::instance().cli_environment();
}

dwh::test::ProcessResult dwh_cli(const std::vector<std::string>& args, const std::string& stdin_text = {}) {
  std::vector<std::string> argv = {DWH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return dwh::test::run_process(argv, s3rver_env(), stdin_text);
}

std::unique_ptr<dwh::aws::s3::Client> library_client() {
  auto c = dwh::aws::s3::Client::create(S3rver::instance().client_options());
  if (!c.ok()) throw std::runtime_error(c.error().to_string());
  return std::move(c).value();
}

void write_file(const fs::path& p, const std::string& bytes) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class S3CpCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    bucket_ = dwh::test::unique_bucket("cp");
    client_ = library_client();
    ASSERT_TRUE(client_->create_bucket(bucket_).ok());
    dir_ = dwh::test::make_temp_dir("s3cp");
  }
  void TearDown() override {
    (void)client_->empty_bucket(bucket_);
    (void)client_->delete_bucket(bucket_);
    fs::remove_all(dir_);
  }
  std::string url(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }
  std::string bucket_;
  std::unique_ptr<dwh::aws::s3::Client> client_;
  fs::path dir_;
};

TEST_F(S3CpCommand, SmallAndMultipartFilesRoundTripByteIdentical) {
  const std::string small = dwh::test::random_bytes(1000, 1);
  const std::string large = dwh::test::random_bytes((12u << 20) + 17, 2);  // 3 parts at 5 MiB
  write_file(dir_ / "small.bin", small);
  write_file(dir_ / "large.bin", large);

  auto up1 = dwh_cli({"aws", "s3", "cp", (dir_ / "small.bin").string(), url("in/")});
  ASSERT_EQ(up1.exit_code, 0) << up1.err;
  auto up2 = dwh_cli(
      {"aws", "s3", "cp", "--part-size-mib", "5", (dir_ / "large.bin").string(), url("in/large.bin")});
  ASSERT_EQ(up2.exit_code, 0) << up2.err;

  // Our library reads back what the command wrote, under the key the command chose.
  EXPECT_EQ(client_->get_object_string(bucket_, "in/small.bin").value(), small);
  auto head = client_->head_object(bucket_, "in/large.bin");
  ASSERT_TRUE(head.ok()) << head.error().to_string();
  EXPECT_EQ(head->content_length, large.size());

  auto down = dwh_cli({"aws", "s3", "cp", url("in/large.bin"), (dir_ / "out" / "large.bin").string()});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_TRUE(read_file(dir_ / "out" / "large.bin") == large);
  EXPECT_FALSE(fs::exists(dir_ / "out" / "large.bin.dwh-part"));
}

TEST_F(S3CpCommand, RecursiveTreesBothWays) {
  std::map<std::string, std::string> files;
  for (int i = 0; i < 40; ++i) {
    std::string rel = "d" + std::to_string(i % 4) + "/f" + std::to_string(i) + ".bin";
    files[rel] =
        dwh::test::random_bytes(100 + static_cast<std::size_t>(i) * 37, 100 + static_cast<std::uint64_t>(i));
    write_file(dir_ / "tree" / rel, files[rel]);
  }
  auto up =
      dwh_cli({"aws", "s3", "cp", "--recursive", "--concurrency", "8", (dir_ / "tree").string(), url("t")});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto listing = client_->list_all_objects(bucket_, "t/");
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->objects.size(), files.size());

  auto down = dwh_cli({"aws", "s3", "cp", "-r", url("t/"), (dir_ / "back").string()});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  for (const auto& [rel, bytes] : files) EXPECT_TRUE(read_file(dir_ / "back" / rel) == bytes) << rel;
}

TEST_F(S3CpCommand, StdinStreamsUpAsMultipartAndStdoutStreamsDown) {
  const std::string body = dwh::test::random_bytes((11u << 20) + 5, 7);
  auto up = dwh_cli({"aws", "s3", "cp", "--part-size-mib", "5", "-", url("stream.bin")}, body);
  ASSERT_EQ(up.exit_code, 0) << up.err;
  auto down = dwh_cli({"aws", "s3", "cp", url("stream.bin"), "-"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(down.out.size(), body.size());
  EXPECT_TRUE(down.out == body);
}

TEST_F(S3CpCommand, FailuresNameWhatWasWrong) {
  auto missing_file = dwh_cli({"aws", "s3", "cp", (dir_ / "nope.bin").string(), url("x")});
  EXPECT_EQ(missing_file.exit_code, 1);
  EXPECT_NE(missing_file.err.find("nope.bin"), std::string::npos) << missing_file.err;

  auto missing_key = dwh_cli({"aws", "s3", "cp", url("no/such/key"), (dir_ / "k").string()});
  EXPECT_EQ(missing_key.exit_code, 1);
  EXPECT_NE(missing_key.err.find("no/such/key"), std::string::npos) << missing_key.err;
  EXPECT_FALSE(fs::exists(dir_ / "k")) << "a failed download must not leave a file";
  EXPECT_FALSE(fs::exists(dir_ / "k.dwh-part"));

  auto bad_bucket = dwh_cli({"aws", "s3", "cp", (dir_ / "nope.bin").string(), "s3://Bad_Bucket/x"});
  EXPECT_EQ(bad_bucket.exit_code, 1);

  auto both_local = dwh_cli({"aws", "s3", "cp", "a", "b"});
  EXPECT_EQ(both_local.exit_code, 1);
  EXPECT_NE(both_local.err.find("s3://"), std::string::npos) << both_local.err;

  auto usage = dwh_cli({"aws", "s3", "cp", "only-one-arg"});
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
