#include "pg_copy_connection.hpp"

#include <algorithm>

namespace dwh::source {
namespace {

struct ClearResult {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<PgCopyConnection>> PgCopyConnection::open(const std::string& url,
                                                                 std::chrono::seconds timeout) {
  const std::string seconds = std::to_string(std::max<long long>(1, timeout.count()));
  const char* keys[] = {"dbname", "connect_timeout", nullptr};
  const char* values[] = {url.c_str(), seconds.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  std::unique_ptr<PgCopyConnection> conn(new PgCopyConnection(raw));
  if (!raw) return make_error("DatabaseError", "cannot open a loading connection: out of memory");
  if (PQstatus(raw) != CONNECTION_OK) return conn->error("cannot open a loading connection");
  return conn;
}

Error PgCopyConnection::error(std::string_view what) const {
  // libpq's messages name the server and the problem, never the password.
  return make_error("DatabaseError", std::string(what) + ": " + trimmed(PQerrorMessage(conn_.get())));
}

Status PgCopyConnection::exec(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
  const std::string message =
      r ? trimmed(PQresultErrorMessage(r.get())) : trimmed(PQerrorMessage(conn_.get()));
  return make_error("DatabaseError", message + " (in: " + sql.substr(0, 200) + ")");
}

Status PgCopyConnection::begin_copy(const std::string& copy_sql) {
  ResultPtr r(PQexec(conn_.get(), copy_sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_IN) return {};
  const std::string message =
      r ? trimmed(PQresultErrorMessage(r.get())) : trimmed(PQerrorMessage(conn_.get()));
  return make_error("DatabaseError", message + " (in: " + copy_sql + ")");
}

Status PgCopyConnection::put(std::string_view data) {
  // PQputCopyData takes an int length; stay well below it.
  constexpr std::size_t kMaxPiece = 1 << 30;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), kMaxPiece);
    if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(n)) != 1) return error("COPY failed");
    data.remove_prefix(n);
  }
  return {};
}

Status PgCopyConnection::end_copy() {
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) return error("COPY could not be finished");
  Status outcome;
  // The COPY's result, then the NULL that ends the command.
  while (PGresult* raw = PQgetResult(conn_.get())) {
    ResultPtr r(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && outcome.ok())
      outcome = make_error("DatabaseError", "COPY failed: " + trimmed(PQresultErrorMessage(raw)));
  }
  return outcome;
}

void PgCopyConnection::abort_copy() {
  if (PQputCopyEnd(conn_.get(), "load abandoned") != 1) return;
  while (PGresult* raw = PQgetResult(conn_.get())) PQclear(raw);
}

}  // namespace dwh::source
