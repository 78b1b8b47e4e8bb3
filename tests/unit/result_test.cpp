#include "dwh/core/result.hpp"

#include <gtest/gtest.h>

namespace {

dwh::Result<int> parse_positive(int v) {
  if (v <= 0) return dwh::make_error("NotPositive", "value " + std::to_string(v) + " is not positive");
  return v;
}

TEST(Result, CarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "NotPositive");
  EXPECT_EQ(bad.error().to_string(), "NotPositive: value -1 is not positive");
}

TEST(Error, ToStringNamesServiceOperationStatusAndRequestId) {
  dwh::Error e;
  e.service = "s3";
  e.operation = "PutObject";
  e.http_status = 403;
  e.code = "SignatureDoesNotMatch";
  e.message = "The request signature we calculated does not match";
  e.request_id = "ABC123";
  EXPECT_EQ(e.to_string(),
            "s3 PutObject: 403 SignatureDoesNotMatch: The request signature we calculated does not match "
            "(request id ABC123)");
}

}  // namespace
