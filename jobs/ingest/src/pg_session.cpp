#include "pg_session.hpp"

#include <algorithm>

namespace dwh::ingest {
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

Result<std::unique_ptr<PgSession>> PgSession::open(const std::string& url, std::chrono::seconds timeout) {
  const std::string seconds = std::to_string(std::max<long long>(1, timeout.count()));
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {url.c_str(), seconds.c_str(), "dwh ingest", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!raw) return make_error("SourceError", "cannot open a source connection: out of memory");
  std::unique_ptr<PgSession> session(new PgSession(raw));
  if (PQstatus(raw) != CONNECTION_OK) return session->error("cannot open a source connection");
  return session;
}

Error PgSession::error(std::string_view what, PGresult* result) const {
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_.get()));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const bool denied = state && std::string_view(state) == "42501";
  return make_error(denied ? "PermissionDenied" : "SourceError", std::string(what) + ": " + message);
}

Status PgSession::exec(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
  return error("source statement failed", r.get());
}

Result<std::vector<PgRow>> PgSession::query(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK) return error("source query failed", r.get());
  std::vector<PgRow> rows(static_cast<std::size_t>(PQntuples(r.get())));
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

Status PgSession::begin_copy_out(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_OUT) return {};
  return error("source COPY failed", r.get());
}

Result<bool> PgSession::read_copy(std::string& out, std::size_t min_bytes) {
  while (out.size() < min_bytes) {
    char* buffer = nullptr;
    const int n = PQgetCopyData(conn_.get(), &buffer, /*async=*/0);
    if (n > 0) {
      out.append(buffer, static_cast<std::size_t>(n));
      PQfreemem(buffer);
      continue;
    }
    if (n == -1) {  // done: the COPY command's own result tells success or failure
      ResultPtr r(PQgetResult(conn_.get()));
      const bool ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
      Error e = ok ? Error{} : error("source COPY failed", r.get());
      while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
      if (!ok) return e;
      return false;
    }
    return error("source COPY failed");
  }
  return true;
}

std::string sql_literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string sql_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace dwh::ingest
