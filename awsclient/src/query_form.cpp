#include "dwh/aws/query_form.hpp"

#include "dwh/aws/sigv4.hpp"

namespace dwh::aws {
namespace {

// "Tags" + "member" -> "Tags.member."; EC2's flattened lists have no member name: "Ids.".
std::string list_base(std::string_view prefix, std::string_view member) {
  std::string base(prefix);
  base += '.';
  if (!member.empty()) base.append(member).append(".");
  return base;
}

}  // namespace

QueryForm::QueryForm(std::string_view action, std::string_view version) {
  add("Action", action);
  add("Version", version);
}

QueryForm& QueryForm::add(std::string_view key, std::string_view value) {
  params_.emplace_back(key, value);
  return *this;
}

QueryForm& QueryForm::add_list(std::string_view prefix, const std::vector<std::string>& values,
                               std::string_view member) {
  if (values.empty()) return add(prefix, "");
  const std::string base = list_base(prefix, member);
  for (std::size_t i = 0; i < values.size(); ++i) add(base + std::to_string(i + 1), values[i]);
  return *this;
}

QueryForm& QueryForm::add_entries(std::string_view prefix,
                                  const std::vector<std::pair<std::string, std::string>>& entries,
                                  std::string_view key_name, std::string_view value_name,
                                  std::string_view member) {
  if (entries.empty()) return add(prefix, "");
  const std::string base = list_base(prefix, member);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string item = base + std::to_string(i + 1) + ".";
    add(item + std::string(key_name), entries[i].first);
    add(item + std::string(value_name), entries[i].second);
  }
  return *this;
}

std::string QueryForm::encode() const {
  std::string out;
  for (const auto& [key, value] : params_) {
    if (!out.empty()) out += '&';
    out += sigv4::uri_encode(key, true);
    out += '=';
    out += sigv4::uri_encode(value, true);
  }
  return out;
}

}  // namespace dwh::aws
