#include "connection.hpp"

#include <charconv>

namespace dwh::load::detail {
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

std::uint64_t affected(PGresult* r) {
  const char* n = PQcmdTuples(r);
  std::uint64_t v = 0;
  if (n && *n) std::from_chars(n, n + std::char_traits<char>::length(n), v);
  return v;
}

// Statements can be long (a 14-column upsert); messages keep their start.
std::string head(const std::string& sql) {
  return sql.size() > 160 ? sql.substr(0, 160) + "..." : sql;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url) {
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), "10", "dwh load", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!raw) return make_error("WarehouseError", "cannot open a warehouse connection: out of memory");
  std::unique_ptr<Connection> c(new Connection(raw));
  // libpq's connection messages name host and port, never the password.
  if (PQstatus(raw) != CONNECTION_OK) return c->error("cannot open a warehouse connection", nullptr);
  return c;
}

Error Connection::error(std::string_view what, PGresult* result) {
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_.get()));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = state ? state : "";
  return make_error("WarehouseError", std::string(what) + ": " + message);
}

Result<std::uint64_t> Connection::exec(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return affected(r.get());
  return error("statement failed (" + head(sql) + ")", r.get());
}

Result<std::vector<Row>> Connection::query(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK)
    return error("query failed (" + head(sql) + ")", r.get());
  std::vector<Row> rows(static_cast<std::size_t>(PQntuples(r.get())));
  const int cols = PQnfields(r.get());
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    auto& row = rows[static_cast<std::size_t>(i)];
    row.resize(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      if (!PQgetisnull(r.get(), i, c))
        row[static_cast<std::size_t>(c)] = std::string(PQgetvalue(r.get(), i, c));
    }
  }
  return rows;
}

Status Connection::begin_copy(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_IN) return {};
  return error("COPY failed (" + head(sql) + ")", r.get());
}

Status Connection::put_copy(std::string_view data) {
  if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) == 1) return {};
  return error("COPY failed", nullptr);
}

Result<std::uint64_t> Connection::end_copy() {
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) return error("COPY failed", nullptr);
  ResultPtr r(PQgetResult(conn_.get()));
  const bool ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  std::optional<Error> e;
  if (!ok) e = error("COPY failed", r.get());
  const std::uint64_t n = ok ? affected(r.get()) : 0;
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
  if (e) return std::move(*e);
  return n;
}

void Connection::rollback() {
  // A COPY still in progress must end before anything else can be sent.
  if (PQtransactionStatus(conn_.get()) == PQTRANS_ACTIVE) {
    PQputCopyEnd(conn_.get(), "load aborted");
    while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
  }
  ResultPtr r(PQexec(conn_.get(), "ROLLBACK"));
}

}  // namespace dwh::load::detail
