// Cross-client: what our client uploads, Debian's AWS CLI reads back byte for byte, and the
// other way round, single-part and multipart, through the signature-checking s3rver.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "dwh/aws/s3.hpp"
#include "s3rver.hpp"

namespace s3 = dwh::aws::s3;
using dwh::test::S3rver;

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class S3CrossClient : public ::testing::Test {
 protected:
  void SetUp() override {
    auto client = s3::Client::create(S3rver::instance().client_options());
    ASSERT_TRUE(client.ok()) << client.error().to_string();
    client_ = std::move(client).value();
    bucket_ = dwh::test::unique_bucket("cross");
    ASSERT_TRUE(client_->create_bucket(bucket_).ok());
    dir_ = dwh::test::make_temp_dir("s3-cross");
  }
  void TearDown() override {
    if (client_) {
      EXPECT_TRUE(client_->empty_bucket(bucket_).ok());
      EXPECT_TRUE(client_->delete_bucket(bucket_).ok());
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string url(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  std::unique_ptr<s3::Client> client_;
  std::string bucket_;
  std::string dir_;
};

TEST_F(S3CrossClient, AwsCliReadsWhatWeUpload) {
  const std::string small = dwh::test::random_bytes(100 * 1024 + 3, 31);
  ASSERT_TRUE(client_->put_object(bucket_, "ours/small file.bin", small).ok());

  const std::uint64_t big_size = 11 * kMiB + 5;
  dwh::test::GeneratedSource source(big_size, 32);
  s3::UploadStats stats;
  s3::UploadOptions opts;
  opts.part_size = 5 * kMiB;
  opts.stats = &stats;
  auto up = client_->upload(bucket_, "ours/big+multipart.bin", source, opts);
  ASSERT_TRUE(up.ok()) << up.error().to_string();
  ASSERT_EQ(stats.parts_uploaded.load(), 3) << "the big object really went up in parts";

  auto cp = S3rver::instance().aws_cli({"s3", "cp", url("ours/small file.bin"), dir_ + "/small"});
  ASSERT_EQ(cp.exit_code, 0) << cp.out << cp.err;
  EXPECT_EQ(read_file(dir_ + "/small"), small);

  auto get = S3rver::instance().aws_cli(
      {"s3api", "get-object", "--bucket", bucket_, "--key", "ours/big+multipart.bin", dir_ + "/big"});
  ASSERT_EQ(get.exit_code, 0) << get.out << get.err;
  const std::string big = read_file(dir_ + "/big");
  ASSERT_EQ(big.size(), big_size);
  EXPECT_TRUE(big == dwh::test::random_bytes(big_size, 32)) << "multipart object differs";

  // The CLI lists our keys exactly as we wrote them.
  auto ls = S3rver::instance().aws_cli(
      {"s3api", "list-objects-v2", "--bucket", bucket_, "--query", "Contents[].Key", "--output", "text"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("ours/small file.bin"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("ours/big+multipart.bin"), std::string::npos) << ls.out;
}

TEST_F(S3CrossClient, WeReadWhatAwsCliUploads) {
  const std::string small = dwh::test::random_bytes(70 * 1024 + 1, 41);
  // Above the CLI's 8 MiB multipart threshold (set in the harness's config), so it uploads
  // two 5 MiB parts.
  const std::string big = dwh::test::random_bytes(9 * kMiB + 77, 42);
  write_file(dir_ + "/small", small);
  write_file(dir_ + "/big", big);

  auto put_small = S3rver::instance().aws_cli({"s3", "cp", dir_ + "/small", url("cli/small.bin")});
  ASSERT_EQ(put_small.exit_code, 0) << put_small.out << put_small.err;
  auto put_big = S3rver::instance().aws_cli({"s3", "cp", dir_ + "/big", url("cli/big.bin")});
  ASSERT_EQ(put_big.exit_code, 0) << put_big.out << put_big.err;

  auto got_small = client_->get_object_string(bucket_, "cli/small.bin");
  ASSERT_TRUE(got_small.ok()) << got_small.error().to_string();
  EXPECT_TRUE(*got_small == small);

  dwh::aws::StringSink sink;
  auto got_big = client_->get_object(bucket_, "cli/big.bin", sink);
  ASSERT_TRUE(got_big.ok()) << got_big.error().to_string();
  ASSERT_EQ(sink.data.size(), big.size());
  EXPECT_TRUE(sink.data == big) << "multipart object differs";

  auto head = client_->head_object(bucket_, "cli/big.bin");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->content_length, big.size());
}

}  // namespace
