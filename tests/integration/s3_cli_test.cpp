// `dwh aws s3 roundtrip|ls|rm` against s3rver, as a user runs them: credentials and endpoint
// from the environment, exit codes 0/1/2.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dwh/aws/s3.hpp"
#include "s3rver.hpp"

using dwh::test::S3rver;

namespace {

std::map<std::string, std::string> s3rver_env() {
  return S3rver::instance().cli_environment();
}

// Our library client, for setting up and checking what the CLI did.
std::unique_ptr<dwh::aws::s3::Client> library_client() {
  auto c = dwh::aws::s3::Client::create(S3rver::instance().client_options());
  if (!c.ok()) throw std::runtime_error(c.error().to_string());
  return std::move(c).value();
}

dwh::test::ProcessResult dwh_cli(const std::vector<std::string>& args,
                                 std::map<std::string, std::string> env = s3rver_env()) {
  std::vector<std::string> argv = {DWH_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return dwh::test::run_process(argv, env);
}

TEST(S3Cli, RoundTripPrintsEveryStepAndCleansUp) {
  const std::string bucket = dwh::test::unique_bucket("cli-rt");
  auto r = dwh_cli({"aws", "s3", "roundtrip", "--bucket", bucket, "--size-mib", "11"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* step : {"create bucket: ok", "put small object: ok", "multipart upload: ok", "in 3 parts",
                           "list objects: ok", "get small object: ok", "get multipart object: ok",
                           "delete objects: ok", "delete bucket: ok", "round trip ok in"}) {
    EXPECT_NE(r.out.find(step), std::string::npos) << step << "\n" << r.out;
  }
  // The bucket is gone again.
  auto ls = dwh_cli({"aws", "s3", "ls"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out.find(bucket), std::string::npos) << ls.out;
}

TEST(S3Cli, RoundTripRefusesAnExistingBucket) {
  const std::string bucket = dwh::test::unique_bucket("cli-exists");
  auto lib = library_client();
  ASSERT_TRUE(lib->create_bucket(bucket).ok());
  ASSERT_TRUE(lib->put_object(bucket, "keep-me", "x").ok());
  auto r = dwh_cli({"aws", "s3", "roundtrip", "--bucket", bucket});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_TRUE(lib->head_object(bucket, "keep-me").ok()) << "the existing bucket was left alone";
  EXPECT_TRUE(lib->empty_bucket(bucket).ok());
  EXPECT_TRUE(lib->delete_bucket(bucket).ok());
}

TEST(S3Cli, RoundTripWithWrongSecretFailsWithSignatureDoesNotMatch) {
  auto env = s3rver_env();
  env["AWS_SECRET_ACCESS_KEY"] = "wrong-secret-value";
  auto r = dwh_cli({"aws", "s3", "roundtrip", "--bucket", dwh::test::unique_bucket("cli-sig")}, env);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong-secret-value"), std::string::npos);
  EXPECT_EQ(r.out.find("wrong-secret-value"), std::string::npos);
}

TEST(S3Cli, LsAndRm) {
  const std::string bucket = dwh::test::unique_bucket("cli-ls");
  auto lib = library_client();
  ASSERT_TRUE(lib->create_bucket(bucket).ok());
  for (const char* key : {"a/1.txt", "a/2.txt", "b/3.txt", "top.txt"})
    ASSERT_TRUE(lib->put_object(bucket, key, "12345").ok());
  auto ls = dwh_cli({"aws", "s3", "ls", "s3://" + bucket});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("PRE a/"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("PRE b/"), std::string::npos) << ls.out;
  EXPECT_NE(ls.out.find("         5 top.txt"), std::string::npos) << ls.out;
  auto deep = dwh_cli({"aws", "s3", "ls", "--recursive", "s3://" + bucket + "/a/"});
  ASSERT_EQ(deep.exit_code, 0);
  EXPECT_NE(deep.out.find("a/1.txt"), std::string::npos);
  EXPECT_EQ(deep.out.find("b/3.txt"), std::string::npos);

  auto rm_one = dwh_cli({"aws", "s3", "rm", "s3://" + bucket + "/top.txt"});
  ASSERT_EQ(rm_one.exit_code, 0) << rm_one.err;
  auto rm_all = dwh_cli({"aws", "s3", "rm", "--recursive", "s3://" + bucket + "/"});
  ASSERT_EQ(rm_all.exit_code, 0) << rm_all.err;
  EXPECT_NE(rm_all.out.find("delete: s3://" + bucket + "/b/3.txt"), std::string::npos) << rm_all.out;
  auto left = lib->list_all_objects(bucket);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->objects.empty()) << "nothing left";
  EXPECT_TRUE(lib->delete_bucket(bucket).ok());
}

TEST(S3Cli, UsageErrorsAndBadInput) {
  EXPECT_EQ(dwh_cli({"aws", "s3", "roundtrip"}).exit_code, 2) << "--bucket is required";
  EXPECT_EQ(dwh_cli({"aws", "s3", "roundtrip", "--bucket", "b1b", "--part-mib", "1"}).exit_code, 2);
  auto bad = dwh_cli({"aws", "s3", "roundtrip", "--bucket", "Not_A_Bucket"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("InvalidBucketName"), std::string::npos) << bad.err;
  auto rm = dwh_cli({"aws", "s3", "rm", "not-a-url"});
  EXPECT_EQ(rm.exit_code, 1);
  EXPECT_NE(rm.err.find("expected s3://bucket/key"), std::string::npos);
}

}  // namespace
