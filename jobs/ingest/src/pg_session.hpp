#pragma once
// A bare libpq connection for the extractor. libpqxx 6 has no public handle for COPY TO STDOUT
// in bulk; libpq's PQgetCopyData is what psql's \copy uses, so we match its speed.
#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::ingest {

using PgRow = std::vector<std::optional<std::string>>;

class PgSession {
 public:
  // `url` must already have passed dwh::local::connect, which classifies connection errors for
  // the user; a failure here is "SourceError". libpq's messages never contain the password.
  static Result<std::unique_ptr<PgSession>> open(const std::string& url, std::chrono::seconds timeout);

  // Statements whose results we do not need (several separated by ';' are fine).
  Status exec(const std::string& sql);
  Result<std::vector<PgRow>> query(const std::string& sql);
  // Starts COPY ... TO STDOUT.
  Status begin_copy_out(const std::string& sql);
  // Appends whole rows to `out` until it holds at least `min_bytes` or the COPY ends.
  // Returns false once the COPY has ended (and succeeded).
  Result<bool> read_copy(std::string& out, std::size_t min_bytes);

  // Errors from the server: SQLSTATE 42501 becomes "PermissionDenied", others "SourceError".
  Error error(std::string_view what, PGresult* result = nullptr) const;

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit PgSession(PGconn* conn) : conn_(conn) {}
  std::unique_ptr<PGconn, Finish> conn_;
};

// 'text' as an SQL string literal (standard_conforming_strings is on in PostgreSQL >= 9.1).
std::string sql_literal(std::string_view text);
// "name" as a quoted identifier.
std::string sql_identifier(std::string_view name);

}  // namespace dwh::ingest
