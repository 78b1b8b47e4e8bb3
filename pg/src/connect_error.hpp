#pragma once
// Internal to dwh::pg: one classification of failed connections, for pqxx (connect) and libpq
// (Connection::open) alike.
#include <string>
#include <string_view>

#include "dwh/core/result.hpp"
#include "dwh/pg/database_url.hpp"

namespace dwh::pg::detail {

// "NoSuchDatabase", "AuthFailed", "Unreachable" or "ConnectFailed", naming host:port/database
// and the redacted URL; any password libpq quoted is masked.
Error connect_error(const DatabaseUrl& url, std::string_view libpq_message);

}  // namespace dwh::pg::detail
