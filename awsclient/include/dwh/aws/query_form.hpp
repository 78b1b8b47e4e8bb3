#pragma once
// Query-protocol (IAM, Redshift, EC2, SNS) form encoding: Action, Version and flattened
// parameters, application/x-www-form-urlencoded with RFC 3986 encoding (the signer's
// sigv4::uri_encode, so what is sent is exactly what botocore's QuerySerializer sends).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dwh::aws {

inline constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";

class QueryForm {
 public:
  QueryForm(std::string_view action, std::string_view version);
  QueryForm& add(std::string_view key, std::string_view value);
  // Member lists: prefix.member.1, prefix.member.2, ... An empty list is sent as "prefix="
  // (botocore does the same, and it is how an API is told "set this to empty").
  // EC2 flattens lists: pass member "" for prefix.1, prefix.2, ...
  QueryForm& add_list(std::string_view prefix, const std::vector<std::string>& values,
                      std::string_view member = "member");
  // Lists of key/value structures, such as tags:
  //   Tags.member.1.Key=k & Tags.member.1.Value=v   (add_entries("Tags", {{k, v}}))
  QueryForm& add_entries(std::string_view prefix,
                         const std::vector<std::pair<std::string, std::string>>& entries,
                         std::string_view key_name = "Key", std::string_view value_name = "Value",
                         std::string_view member = "member");
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
  [[nodiscard]] std::string encode() const;  // in the order added
 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace dwh::aws
