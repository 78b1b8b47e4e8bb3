#pragma once
// Query-protocol (IAM, Redshift, EC2, SNS) form encoding: Action, Version and flattened
// parameters, application/x-www-form-urlencoded with RFC 3986 encoding.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dwh::aws {

class QueryForm {
 public:
  QueryForm(std::string_view action, std::string_view version);
  QueryForm& add(std::string_view key, std::string_view value);
  // Member lists: prefix.member.1, prefix.member.2, ...
  QueryForm& add_list(std::string_view prefix, const std::vector<std::string>& values,
                      std::string_view member = "member");
  std::string encode() const;
 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace dwh::aws
