// Error documents of every protocol, as AWS and local servers send them, become complete
// Errors; bodies that are not error documents become clear Errors too, never crashes, and
// nothing secret is ever quoted.
#include <gtest/gtest.h>

#include "dwh/aws/service_client.hpp"

namespace {

using dwh::aws::error_from_response;
using dwh::aws::HttpResponse;
using dwh::aws::parse_json_error;
using dwh::aws::parse_xml_error;
using dwh::aws::Protocol;
using dwh::aws::redact_secrets;

TEST(XmlError, S3ErrorAtTheRoot) {
  auto e = parse_xml_error(404, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k</Key>
<RequestId>4442587FB7D0A2F9</RequestId><HostId>host-id</HostId></Error>)");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
}

TEST(XmlError, S3rverNamespacedError) {
  auto e = parse_xml_error(403, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error xmlns="http://doc.s3.amazonaws.com/2006-03-01"><Code>SignatureDoesNotMatch</Code>
<Message>The request signature we calculated does not match the signature you provided.</Message>
<SignatureProvided>0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef</SignatureProvided>
<StringToSign>AWS4-HMAC-SHA256 ...</StringToSign></Error>)");
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_NE(e.message.find("does not match"), std::string::npos);
  EXPECT_EQ(e.to_string().find("0123456789abcdef"), std::string::npos);  // the signature is not carried
}

TEST(XmlError, QueryProtocolErrorResponse) {
  auto e = parse_xml_error(400, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>
  <RequestId>bd1bd8e5-0d5b-4e61-9f94-eb17d3ab0e3e</RequestId></ErrorResponse>)");
  EXPECT_EQ(e.code, "NoSuchEntity");
  EXPECT_EQ(e.message, "The role with name x cannot be found.");
  EXPECT_EQ(e.request_id, "bd1bd8e5-0d5b-4e61-9f94-eb17d3ab0e3e");
}

TEST(XmlError, Ec2Errors) {
  auto e = parse_xml_error(400, R"(<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>
<Message>The instance ID 'i-1' does not exist</Message></Error></Errors><RequestID>ea966190-f9aa</RequestID></Response>)");
  EXPECT_EQ(e.code, "InvalidInstanceID.NotFound");
  EXPECT_EQ(e.request_id, "ea966190-f9aa");
}

TEST(XmlError, EmptyBodiesAreCodedFromTheStatus) {
  EXPECT_EQ(parse_xml_error(404, "").code, "NotFound");
  EXPECT_EQ(parse_xml_error(403, "").code, "Forbidden");
  EXPECT_EQ(parse_xml_error(301, "").code, "PermanentRedirect");
  EXPECT_EQ(parse_xml_error(400, " \n").code, "BadRequest");
  EXPECT_EQ(parse_xml_error(503, "").code, "ServiceUnavailable");
  EXPECT_EQ(parse_xml_error(418, "").code, "Http418");
  auto e = parse_xml_error(404, "");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_NE(e.message.find("no error document"), std::string::npos);
}

TEST(XmlError, MalformedBodiesGiveAClearMessage) {
  auto e = parse_xml_error(500, "<Error><Code>InternalError</Code><Message>trunc");
  EXPECT_EQ(e.code, "InternalError");  // from the status
  EXPECT_NE(e.message.find("unparseable error body"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("<Error><Code>InternalError"), std::string::npos) << e.message;

  auto html = parse_xml_error(502, "<html><body>Bad Gateway</body></html>");
  EXPECT_EQ(html.code, "Http502");
  EXPECT_NE(html.message.find("no <Error> element"), std::string::npos) << html.message;

  auto binary = parse_xml_error(400, std::string("\x00\x01\xff garbage\n", 12));
  EXPECT_EQ(binary.code, "BadRequest");
  for (char c : binary.message) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "control byte in message";

  auto no_code = parse_xml_error(409, "<Error><Message>only a message</Message></Error>");
  EXPECT_EQ(no_code.code, "Conflict");
  EXPECT_EQ(no_code.message, "only a message");
}

TEST(XmlError, LongBodiesAreQuotedShort) {
  std::string body(100000, 'x');
  auto e = parse_xml_error(500, body);
  EXPECT_LT(e.message.size(), 400u);
  EXPECT_NE(e.message.find("100000 bytes"), std::string::npos) << e.message;
}

TEST(XmlError, SecretsInQuotedBodiesAreRedacted) {
  auto e = parse_xml_error(
      403,
      "<NotAnError>Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, "
      "Signature=deadbeefcafe\nurl?X-Amz-Security-Token=TOKENSECRET&X-Amz-Signature=abcdef12</NotAnError>");
  EXPECT_EQ(e.message.find("deadbeefcafe"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("TOKENSECRET"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("abcdef12"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("[redacted]"), std::string::npos) << e.message;
}

TEST(Redact, HidesValuesAfterMarkersOnly) {
  EXPECT_EQ(redact_secrets("a=1&X-Amz-Signature=abc&b=2"), "a=1&X-Amz-Signature=[redacted]&b=2");
  EXPECT_EQ(redact_secrets("x-amz-security-token: TOK\nnext"), "x-amz-security-token: [redacted]\nnext");
  EXPECT_EQ(redact_secrets("authorization: AWS4 Credential=a, Signature=b\nrest"),
            "authorization: [redacted]\nrest");
  EXPECT_EQ(redact_secrets("<SignatureProvided>f00</SignatureProvided>"),
            "<SignatureProvided>[redacted]</SignatureProvided>");
  EXPECT_EQ(redact_secrets("nothing secret here"), "nothing secret here");
  EXPECT_EQ(redact_secrets("Signature="), "Signature=[redacted]");
}

TEST(JsonError, TypeWithNamespaceAndMessageVariants) {
  auto e = parse_json_error(
      400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})",
      "");
  EXPECT_EQ(e.code, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Requested resource not found");
  auto upper = parse_json_error(400, R"({"__type":"ThrottlingException","Message":"Rate exceeded"})", "");
  EXPECT_EQ(upper.code, "ThrottlingException");
  EXPECT_EQ(upper.message, "Rate exceeded");
  auto code_key = parse_json_error(400, R"({"code":"InvalidParameter","errorMessage":"bad"})", "");
  EXPECT_EQ(code_key.code, "InvalidParameter");
  EXPECT_EQ(code_key.message, "bad");
}

TEST(JsonError, HeaderWinsOverBody) {
  auto e =
      parse_json_error(400, R"({"__type":"Other","message":"m"})",
                       "ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/");
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message, "m");
  auto empty = parse_json_error(400, "", "SerializationException");
  EXPECT_EQ(empty.code, "SerializationException");
}

TEST(JsonError, NotJsonIsAClearError) {
  auto e = parse_json_error(500, "<html>oops</html>", "");
  EXPECT_EQ(e.code, "InternalError");
  EXPECT_NE(e.message.find("not JSON"), std::string::npos) << e.message;
  auto arr = parse_json_error(400, "[1,2]", "");
  EXPECT_NE(arr.message.find("not a JSON object"), std::string::npos);
  auto weird = parse_json_error(400, R"({"__type":5,"message":{"nested":true}})", "");
  EXPECT_EQ(weird.code, "BadRequest");
  EXPECT_FALSE(weird.message.empty());
  auto empty = parse_json_error(404, "", "");
  EXPECT_EQ(empty.code, "NotFound");
}

TEST(ErrorFromResponse, RequestIdFromHeadersAndBucketRegionHint) {
  HttpResponse head;
  head.status = 404;
  head.headers = {{"x-amz-request-id", "REQ1"}};
  auto e = error_from_response(Protocol::RestXml, head);
  EXPECT_EQ(e.code, "NotFound");
  EXPECT_EQ(e.request_id, "REQ1");

  HttpResponse moved;
  moved.status = 301;
  moved.headers = {{"x-amz-bucket-region", "eu-west-1"}};
  auto m = error_from_response(Protocol::RestXml, moved);
  EXPECT_EQ(m.code, "PermanentRedirect");
  EXPECT_NE(m.message.find("eu-west-1"), std::string::npos) << m.message;

  HttpResponse json;
  json.status = 400;
  json.headers = {{"x-amzn-requestid", "J1"}, {"x-amzn-errortype", "AccessDeniedException:"}};
  json.body = R"({"message":"no"})";
  auto j = error_from_response(Protocol::Json, json);
  EXPECT_EQ(j.code, "AccessDeniedException");
  EXPECT_EQ(j.request_id, "J1");

  HttpResponse with_id;  // the body's request id wins over the header's
  with_id.status = 400;
  with_id.headers = {{"x-amz-request-id", "HDR"}};
  with_id.body = "<Error><Code>X</Code><RequestId>BODY</RequestId></Error>";
  EXPECT_EQ(error_from_response(Protocol::RestXml, with_id).request_id, "BODY");
}

}  // namespace
