#pragma once
// One PostgreSQL connection over bare libpq: statements, queries, and COPY in both directions.
// libpq rather than libpqxx 6 because its COPY handles are per row (tablewriter/stream_to send
// one PQputCopyData per row and cannot carry the binary format; there is no bulk COPY TO
// STDOUT); PQputCopyData/PQgetCopyData on chunks of MBs is what psql's \copy does. Measured on
// 1 M text rows: per-row tablewriter 1.75 s and 0.10 s client CPU, 4 MB chunks 1.63 s and 0.03 s.
//
// Errors (dwh::Error::code):
//   the server's SQLSTATE ("42P01" undefined table, "42501" insufficient privilege, ...) when
//     the server reported the failure, so callers decide by kind, never by message text;
//   kConnectionError when libpq failed without one (connection lost, protocol, out of memory);
//   from open: the codes of dwh/pg/database_url.hpp ("InvalidDatabaseUrl", "Unreachable", ...).
// Messages read "<what> (<start of the statement>): <libpq's message>". No message holds a
// password: libpq's never quote it, and open's name the redacted URL.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"
#include "dwh/pg/database_url.hpp"

namespace dwh::pg {

inline constexpr std::string_view kConnectionError = "ConnectionError";

// True for a code this class gives its errors: a SQLSTATE (five digits or upper-case letters)
// or kConnectionError. Jobs use it to turn them into their own codes at their boundary.
bool is_connection_error_code(std::string_view code);
// What a SQLSTATE means for a retry (PostgreSQL's Appendix A): a lost connection (class 08), a
// serialization failure or deadlock (40001, 40P01), a lock wait timeout (55P03), too few resources
// (class 53) or a server shutting down or cancelling (57P01-57P03, 57014) is transient; bad
// credentials (class 28) or a missing database (3D000) is bad input; the rest is permanent (the
// data, the schema or a privilege needs a person). Connection errors carry it in kind_override, so
// it survives the jobs renaming the code.
ErrorKind sqlstate_kind(std::string_view sqlstate);

using Row = std::vector<std::optional<std::string>>;  // nullopt for SQL NULL
using Rows = std::vector<Row>;

struct ConnectOptions {
  std::chrono::seconds connect_timeout = kDefaultConnectTimeout;  // at least 1 s is used
  std::string application_name;                                   // pg_stat_activity; empty: libpq's
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& url, const ConnectOptions& options = {});

  // A statement, or several separated by ';'; returns the rows it affected (PQcmdTuples), 0 when
  // it says nothing.
  Result<std::uint64_t> exec(const std::string& sql);
  // A query returning rows, in text format.
  Result<Rows> query(const std::string& sql);

  // COPY ... FROM STDIN: begin, then put whole rows (or any bytes of the binary format; a call
  // may exceed libpq's int length), then end, which returns the rows copied.
  Status begin_copy_in(const std::string& sql);
  Status put_copy_data(std::string_view data);
  Result<std::uint64_t> end_copy_in();
  // Ends a COPY FROM STDIN with an error, so the server rolls the statement back.
  void abort_copy_in(const std::string& reason);

  // COPY ... TO STDOUT: begin, then read until the COPY ends.
  Status begin_copy_out(const std::string& sql);
  // Appends whole rows to `out` until it holds at least `min_bytes` or the COPY ends. Returns
  // false once the COPY has ended (and succeeded).
  Result<bool> read_copy_out(std::string& out, std::size_t min_bytes);

  // Rolls back whatever transaction is open, ending a COPY in progress first; after an error,
  // so it never fails loudly.
  void rollback();

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Error error(std::string_view what, const PGresult* result) const;

  std::unique_ptr<PGconn, Finish> conn_;
};

}  // namespace dwh::pg
