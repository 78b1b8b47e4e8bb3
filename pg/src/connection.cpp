#include "dwh/pg/connection.hpp"

#include <algorithm>
#include <charconv>

#include "connect_error.hpp"

namespace dwh::pg {
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

// Statements can be long (a 14-column upsert, a COPY's select list); messages keep their start.
std::string head(const std::string& sql) {
  return sql.size() > 160 ? sql.substr(0, 160) + "..." : sql;
}

bool is_sqlstate(std::string_view code) {
  return code.size() == 5 && std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace

ErrorKind sqlstate_kind(std::string_view state) {
  static constexpr std::string_view kTransient[] = {"40001", "40P01", "55P03", "57P01",
                                                    "57P02", "57P03", "57014"};
  const std::string_view cls = state.substr(0, 2);
  if (cls == "08" || cls == "53") return ErrorKind::Transient;
  if (std::find(std::begin(kTransient), std::end(kTransient), state) != std::end(kTransient))
    return ErrorKind::Transient;
  if (cls == "28" || state == "3D000") return ErrorKind::BadInput;
  return ErrorKind::Permanent;
}

bool is_connection_error_code(std::string_view code) {
  return code == kConnectionError || is_sqlstate(code);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& url, const ConnectOptions& options) {
  auto parsed = validate_database_url(url);
  if (!parsed) return std::move(parsed).error();
  const std::string seconds = std::to_string(std::max<long long>(1, options.connect_timeout.count()));
  // Keywords after dbname override what the URL says (expand_dbname).
  std::vector<const char*> keys = {"dbname", "connect_timeout"};
  std::vector<const char*> values = {url.c_str(), seconds.c_str()};
  if (!options.application_name.empty()) {
    keys.push_back("application_name");
    values.push_back(options.application_name.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (!raw) return make_error(std::string(kConnectionError), "cannot open a connection: out of memory");
  std::unique_ptr<Connection> c(new Connection(raw));
  if (PQstatus(raw) != CONNECTION_OK) return detail::connect_error(*parsed, PQerrorMessage(raw));
  return c;
}

Error Connection::error(std::string_view what, const PGresult* result) const {
  std::string message = result ? trimmed(PQresultErrorMessage(result)) : "";
  if (message.empty()) message = trimmed(PQerrorMessage(conn_.get()));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const bool server = state != nullptr && is_sqlstate(state);
  Error e = make_error(server ? std::string(state) : std::string(kConnectionError),
                       std::string(what) + ": " + message);
  // Without a SQLSTATE the connection itself failed: kConnectionError's registered kind (transient).
  if (server) e.kind_override = sqlstate_kind(state);
  return e;
}

Result<std::uint64_t> Connection::exec(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return affected(r.get());
  return error("statement failed (" + head(sql) + ")", r.get());
}

Result<Rows> Connection::query(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_TUPLES_OK)
    return error("query failed (" + head(sql) + ")", r.get());
  Rows rows(static_cast<std::size_t>(PQntuples(r.get())));
  const int cols = PQnfields(r.get());
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    auto& row = rows[static_cast<std::size_t>(i)];
    row.resize(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      if (!PQgetisnull(r.get(), i, c))
        row[static_cast<std::size_t>(c)] =
            std::string(PQgetvalue(r.get(), i, c), static_cast<std::size_t>(PQgetlength(r.get(), i, c)));
    }
  }
  return rows;
}

Status Connection::begin_copy_in(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_IN) return {};
  return error("COPY failed (" + head(sql) + ")", r.get());
}

Status Connection::put_copy_data(std::string_view data) {
  // PQputCopyData takes an int length; stay well below it.
  constexpr std::size_t kMaxPiece = std::size_t{1} << 30;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), kMaxPiece);
    if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(n)) != 1)
      return error("COPY failed", nullptr);
    data.remove_prefix(n);
  }
  return {};
}

Result<std::uint64_t> Connection::end_copy_in() {
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) return error("COPY failed", nullptr);
  // The COPY's result, then the NULL that ends the command.
  ResultPtr r(PQgetResult(conn_.get()));
  const bool ok = r && PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  std::optional<Error> e;
  if (!ok) e = error("COPY failed", r.get());
  const std::uint64_t n = ok ? affected(r.get()) : 0;
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
  if (e) return std::move(*e);
  return n;
}

void Connection::abort_copy_in(const std::string& reason) {
  if (PQputCopyEnd(conn_.get(), reason.c_str()) != 1) return;
  while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
}

Status Connection::begin_copy_out(const std::string& sql) {
  ResultPtr r(PQexec(conn_.get(), sql.c_str()));
  if (r && PQresultStatus(r.get()) == PGRES_COPY_OUT) return {};
  return error("COPY failed (" + head(sql) + ")", r.get());
}

Result<bool> Connection::read_copy_out(std::string& out, std::size_t min_bytes) {
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
      std::optional<Error> e;
      if (!ok) e = error("COPY failed", r.get());
      while (PGresult* extra = PQgetResult(conn_.get())) PQclear(extra);
      if (e) return std::move(*e);
      return false;
    }
    return error("COPY failed", nullptr);
  }
  return true;
}

void Connection::rollback() {
  // A COPY still in progress must end before anything else can be sent.
  if (PQtransactionStatus(conn_.get()) == PQTRANS_ACTIVE) abort_copy_in("aborted");
  ResultPtr r(PQexec(conn_.get(), "ROLLBACK"));
}

}  // namespace dwh::pg
