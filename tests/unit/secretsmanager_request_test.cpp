// GetSecretValue's request and answer, without a network: the JSON 1.1 shape (checked against
// botocore in tests/integration/secretsmanager_test.cpp), parameter limits from the service
// model, and answers that must fail without ever quoting the body (it holds the secret).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "dwh/aws/secretsmanager.hpp"

namespace {

using namespace dwh::aws;
using namespace dwh::aws::secretsmanager;

std::optional<std::string> header(const HttpRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

TEST(SecretsManagerRequest, GetSecretValueIsAJson11Post) {
  auto r = get_secret_value_request({"dwh/warehouse \xC3\xA9", "AWSPREVIOUS", ""});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->method, "POST");
  EXPECT_EQ(r->path, "/");
  EXPECT_TRUE(r->query.empty());
  EXPECT_EQ(header(*r, "x-amz-target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(header(*r, "content-type"), "application/x-amz-json-1.1");
  EXPECT_EQ(nlohmann::json::parse(r->body),
            (nlohmann::json{{"SecretId", "dwh/warehouse \xC3\xA9"}, {"VersionStage", "AWSPREVIOUS"}}));

  auto plain = get_secret_value_request({"arn:aws:secretsmanager:eu-west-2:1:secret:x", "", ""});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->body, R"({"SecretId":"arn:aws:secretsmanager:eu-west-2:1:secret:x"})");
  auto by_version = get_secret_value_request({"x", "", "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"});
  ASSERT_TRUE(by_version.ok());
  EXPECT_EQ(nlohmann::json::parse(by_version->body)["VersionId"], "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE");
}

TEST(SecretsManagerRequest, ParametersOutsideTheModelsLimitsAreRefusedLocally) {
  for (const GetSecretValueInput& bad :
       {GetSecretValueInput{"", "", ""},
        GetSecretValueInput{std::string(kMaxSecretIdLength + 1, 'a'), "", ""},
        GetSecretValueInput{"x", std::string(kMaxVersionStageLength + 1, 's'), ""},
        GetSecretValueInput{"bad \xFF utf8", "", ""}}) {
    auto r = get_secret_value_request(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "InvalidParameterException");
    EXPECT_EQ(r.error().operation, "GetSecretValue");
  }
  EXPECT_TRUE(get_secret_value_request({std::string(kMaxSecretIdLength, 'a'), "", ""}).ok());
}

TEST(SecretsManagerRequest, AnswerGivesTheSecretString) {
  const std::string body = R"({"ARN":"arn:aws:secretsmanager:eu-west-2:123456789012:secret:wh-AbCdEf",)"
                           R"("Name":"wh","VersionId":"v1","SecretString":"{\"PG_USER\":\"u\"}",)"
                           R"("VersionStages":["AWSCURRENT"],"CreatedDate":1.523477145713E9})";
  auto v = parse_get_secret_value(body, "wh");
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->secret_string, R"({"PG_USER":"u"})");
  EXPECT_EQ(v->name, "wh");
  EXPECT_EQ(v->version_id, "v1");
  EXPECT_EQ(v->arn, "arn:aws:secretsmanager:eu-west-2:123456789012:secret:wh-AbCdEf");
  EXPECT_EQ(v->version_stages, std::vector<std::string>{"AWSCURRENT"});
}

TEST(SecretsManagerRequest, BinaryAndMalformedAnswersFailWithoutQuotingTheBody) {
  auto binary = parse_get_secret_value(R"({"Name":"wh","SecretBinary":"U2VjcmV0LVZhbHVl"})", "wh");
  ASSERT_FALSE(binary.ok());
  EXPECT_EQ(binary.error().code, "BinarySecret");
  EXPECT_NE(binary.error().message.find("'wh'"), std::string::npos);
  EXPECT_NE(binary.error().message.find("SecretString"), std::string::npos);
  EXPECT_EQ(binary.error().message.find("U2Vj"), std::string::npos);

  for (const std::string& body :
       {std::string(R"({"SecretString": "Secret-Value-12345")"), std::string(R"(["Secret-Value-12345"])"),
        std::string(R"({"SecretString": ["Secret-Value-12345"]})"),
        std::string(R"({"Name":"Secret-Value-12345"})"), std::string("Secret-Value-12345"), std::string()}) {
    auto r = parse_get_secret_value(body, "wh");
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().code, "MalformedResponse") << body;
    EXPECT_EQ(r.error().message.find("Secret-Value"), std::string::npos) << r.error().message;
  }
}

TEST(SecretsManagerRequest, ServiceInfoMatchesTheModel) {
  const ServiceInfo info = service_info();
  EXPECT_EQ(info.service_id, "Secrets Manager");
  EXPECT_EQ(info.endpoint_prefix, "secretsmanager");
  EXPECT_EQ(info.signing_name, "secretsmanager");
  EXPECT_EQ(info.protocol, Protocol::Json);
  EXPECT_FALSE(info.s3_signing);
  EXPECT_FALSE(info.global);
}

}  // namespace
