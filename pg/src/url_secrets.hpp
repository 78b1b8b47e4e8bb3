#pragma once
// Internal to dwh::pg: masking a URL's password wherever another library may have quoted it.
#include <string>
#include <string_view>

namespace dwh::pg::detail {

// `message` with every occurrence of a password found in `url` replaced by "***".
std::string mask_secrets_in(std::string message, std::string_view url);

}  // namespace dwh::pg::detail
