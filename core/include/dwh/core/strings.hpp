#pragma once
// Small string helpers every module needs. ASCII only, on purpose: they fold identifiers, header
// names and keywords, never user text, so the C locale's rules are the right ones.
#include <string>
#include <string_view>

namespace dwh::core {

std::string lower(std::string_view s);

}  // namespace dwh::core
