// QueryForm against botocore's QuerySerializer / EC2Serializer: for the same operation and
// parameters, the flattened names, values and their order must be identical, and our encoded
// body must decode (with Python's form decoder) back to exactly those pairs.
// botocore puts '+' for spaces on the wire (urlencode); we send RFC 3986 (%20), which form
// decoders read the same, so the comparison is on decoded pairs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dwh/aws/query_form.hpp"
#include "process.hpp"

namespace {

using dwh::aws::QueryForm;
using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kScript = R"PY(
import json, sys
from urllib.parse import parse_qsl
import botocore.session, botocore.serialize
from botocore.awsrequest import AWSRequest
session = botocore.session.get_session()
out = []
for case in json.load(sys.stdin):
    model = session.get_service_model(case["service"])
    protocol = model.metadata["protocol"]
    serializer = botocore.serialize.create_serializer(protocol)
    request = serializer.serialize_to_request(case["params"], model.operation_model(case["operation"]))
    # The body exactly as botocore puts it on the wire.
    wire = AWSRequest(method="POST", url="https://example.com/", data=request["body"]).prepare().body
    out.append({
        "botocore": parse_qsl(wire, keep_blank_values=True, strict_parsing=True),
        "ours": parse_qsl(case["ours"], keep_blank_values=True, strict_parsing=True),
    })
json.dump(out, sys.stdout)
)PY";

struct Case {
  std::string service, operation;
  nlohmann::ordered_json params;
  QueryForm form;
};

TEST(QueryFormBotocore, FlatteningAndEncodingMatchBotocore) {
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"redshift.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  const std::string odd = "Rolle f\xC3\xBCr Redshift ~ & = + * / % \xE2\x9C\x93";
  std::vector<Case> cases;
  cases.push_back({"iam",
                   "CreateRole",
                   {{"RoleName", "dwh-role"},
                    {"Path", "/service role/"},
                    {"AssumeRolePolicyDocument", policy},
                    {"Description", odd},
                    {"Tags", {{{"Key", "env"}, {"Value", "dev"}}, {{"Key", "team"}, {"Value", "data eng"}}}}},
                   QueryForm("CreateRole", "2010-05-08")
                       .add("RoleName", "dwh-role")
                       .add("Path", "/service role/")
                       .add("AssumeRolePolicyDocument", policy)
                       .add("Description", odd)
                       .add_entries("Tags", {{"env", "dev"}, {"team", "data eng"}})});
  cases.push_back({"iam",
                   "ListRoles",
                   {{"PathPrefix", "/"}, {"MaxItems", 100}},
                   QueryForm("ListRoles", "2010-05-08").add("PathPrefix", "/").add("MaxItems", "100")});
  cases.push_back({"iam",
                   "CreateOpenIDConnectProvider",
                   {{"Url", "https://oidc.example.com"},
                    {"ClientIDList", nlohmann::ordered_json::array()},
                    {"ThumbprintList", {std::string(40, 'a')}}},
                   QueryForm("CreateOpenIDConnectProvider", "2010-05-08")
                       .add("Url", "https://oidc.example.com")
                       .add_list("ClientIDList", {})
                       .add_list("ThumbprintList", {std::string(40, 'a')})});
  cases.push_back(
      {"sns",
       "CreateTopic",
       {{"Name", "alerts"},
        {"Attributes", {{"DisplayName", "x y"}, {"Policy", "{}"}}},
        {"Tags", {{{"Key", "k"}, {"Value", "v"}}}}},
       QueryForm("CreateTopic", "2010-03-31")
           .add("Name", "alerts")
           .add_entries("Attributes", {{"DisplayName", "x y"}, {"Policy", "{}"}}, "key", "value", "entry")
           .add_entries("Tags", {{"k", "v"}})});
  cases.push_back({"ec2",
                   "DescribeInstances",
                   {{"InstanceIds", {"i-1", "i-2"}}},
                   QueryForm("DescribeInstances", "2016-11-15").add_list("InstanceId", {"i-1", "i-2"}, "")});
  cases.push_back({"redshift",
                   "ModifyClusterIamRoles",
                   {{"ClusterIdentifier", "dwh"}, {"AddIamRoles", {"arn:aws:iam::123456789012:role/a"}}},
                   QueryForm("ModifyClusterIamRoles", "2012-12-01")
                       .add("ClusterIdentifier", "dwh")
                       .add_list("AddIamRoles", {"arn:aws:iam::123456789012:role/a"}, "IamRoleArn")});

  nlohmann::ordered_json input = nlohmann::ordered_json::array();
  for (const auto& c : cases)
    input.push_back({{"service", c.service},
                     {"operation", c.operation},
                     {"params", c.params},
                     {"ours", c.form.encode()}});
  auto r = dwh::test::run_process({"/usr/bin/python3", "-c", kScript}, {}, input.dump());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Pairs botocore = out[i]["botocore"].get<Pairs>();
    const Pairs decoded = out[i]["ours"].get<Pairs>();
    EXPECT_EQ(cases[i].form.params(), botocore) << cases[i].operation;
    EXPECT_EQ(decoded, botocore) << cases[i].operation << ": " << cases[i].form.encode();
  }
}

}  // namespace
