// Query-protocol form bodies: exact bytes, RFC 3986 encoding and list flattening.
#include "dwh/aws/query_form.hpp"

#include <gtest/gtest.h>

namespace {

using dwh::aws::QueryForm;

TEST(QueryForm, ActionVersionAndRfc3986Encoding) {
  QueryForm f("CreateRole", "2010-05-08");
  f.add("RoleName", "my role+x/y~z_-.*").add("Path", "/").add("Description", "caf\xC3\xA9 & co=1");
  EXPECT_EQ(f.encode(),
            "Action=CreateRole&Version=2010-05-08&RoleName=my%20role%2Bx%2Fy~z_-.%2A&Path=%2F"
            "&Description=caf%C3%A9%20%26%20co%3D1");
}

TEST(QueryForm, MemberListsAreOneBased) {
  QueryForm f("DescribeClusters", "2012-12-01");
  f.add_list("TagKeys", {"a", "b c"});
  EXPECT_EQ(f.encode(),
            "Action=DescribeClusters&Version=2012-12-01&TagKeys.member.1=a&TagKeys.member.2=b%20c");
}

TEST(QueryForm, CustomAndFlattenedMembers) {
  QueryForm f("DescribeInstances", "2016-11-15");
  f.add_list("InstanceId", {"i-1", "i-2"}, "");
  f.add_list("Subnets", {"s-1"}, "SubnetIdentifier");
  EXPECT_EQ(f.encode(),
            "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2"
            "&Subnets.SubnetIdentifier.1=s-1");
}

TEST(QueryForm, EmptyListIsSentAsEmptyValue) {
  QueryForm f("SetX", "1");
  f.add_list("Items", {});
  EXPECT_EQ(f.encode(), "Action=SetX&Version=1&Items=");
}

TEST(QueryForm, KeyValueEntries) {
  QueryForm f("TagRole", "2010-05-08");
  f.add("RoleName", "r").add_entries("Tags", {{"env", "prod"}, {"team", "data eng"}});
  EXPECT_EQ(f.encode(),
            "Action=TagRole&Version=2010-05-08&RoleName=r&Tags.member.1.Key=env&Tags.member.1.Value=prod"
            "&Tags.member.2.Key=team&Tags.member.2.Value=data%20eng");
  QueryForm sns("SetTopicAttributes", "2010-03-31");
  sns.add_entries("Attributes", {{"k", "v"}}, "key", "value", "entry");
  EXPECT_EQ(
      sns.encode(),
      "Action=SetTopicAttributes&Version=2010-03-31&Attributes.entry.1.key=k&Attributes.entry.1.value=v");
  EXPECT_EQ(sns.params().size(), 4u);
}

}  // namespace
