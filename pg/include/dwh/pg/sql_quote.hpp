#pragma once
// Text spliced into SQL, quoted so it stays one literal or one name.
#include <string>
#include <string_view>

namespace dwh::pg {

// 'text' as an SQL string literal (standard_conforming_strings is on in PostgreSQL >= 9.1).
std::string sql_literal(std::string_view text);
// "name" as a quoted identifier.
std::string sql_identifier(std::string_view name);

}  // namespace dwh::pg
