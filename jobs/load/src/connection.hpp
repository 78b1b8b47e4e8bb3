#pragma once
// The load job's warehouse connection: bare libpq, because libpqxx 6 exposes no COPY FROM STDIN
// we can feed from several threads' buffers without copying, and PQputCopyData is what psql's
// \copy uses (the baseline the benchmark compares against).
#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::load::detail {

using Row = std::vector<std::optional<std::string>>;

class Connection {
 public:
  // `url` must already have passed dwh::local::connect (which classifies connection errors).
  static Result<std::unique_ptr<Connection>> open(const std::string& url);

  // A statement; returns the rows it affected (PQcmdTuples), 0 when it says nothing.
  Result<std::uint64_t> exec(const std::string& sql);
  Result<std::vector<Row>> query(const std::string& sql);
  Status begin_copy(const std::string& sql);
  Status put_copy(std::string_view data);
  // Ends the COPY; returns the rows it copied.
  Result<std::uint64_t> end_copy();
  // Rolls back whatever transaction is open (after an error); never fails loudly.
  void rollback();
  // The SQLSTATE of the last failed statement ("" when none).
  [[nodiscard]] const std::string& last_sqlstate() const { return sqlstate_; }

 private:
  struct Finish {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  explicit Connection(PGconn* conn) : conn_(conn) {}
  Error error(std::string_view what, PGresult* result);
  std::unique_ptr<PGconn, Finish> conn_;
  std::string sqlstate_;
};

}  // namespace dwh::load::detail
