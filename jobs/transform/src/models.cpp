// The models that are not streamed: dimensions whose source's current version is kept in the
// state (re-emitted when a lookup row they use changed), and generated calendars.
#include <chrono>
#include <unordered_set>

#include "dwh/model/calendar.hpp"
#include "internal.hpp"

namespace dwh::transform::detail {
namespace {

constexpr std::size_t kBatchRows = 65536;

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void finish_outcome(TableOutcome& oc, OutputFile& file) {
  if (auto s = file.finish(); !s) {
    oc.error = std::move(s).error();
    oc.error->message = oc.result.table + ": cannot store " + file.key() + ": " + oc.error->message;
    return;
  }
  oc.result.rows = file.rows();
  if (oc.result.rows > 0) {
    oc.result.key = file.key();
    oc.result.bytes = file.bytes();
    oc.result.sha256 = file.sha256();
  }
}

}  // namespace

TableOutcome run_current_model(RunContext& ctx, const Model& model, const Evaluator& ev,
                               const CurrentTable& source) {
  const auto t0 = std::chrono::steady_clock::now();
  TableOutcome oc;
  oc.result.table = model.table;
  const auto& schema = ev.schema();

  auto opened = OutputFile::open(*ctx.processed, output_key(model.table, ctx.run_id), schema, ctx.writer);
  if (!opened) {
    oc.error = std::move(opened).error();
    return oc;
  }
  auto file = std::move(opened).value();
  auto batch = empty_batch(schema);
  std::vector<OutValue> out;
  std::string scratch;
  std::unordered_set<std::uint64_t> seen;
  std::vector<const CurrentRow*> rows;
  for (const auto& [key, row] : source.rows) {
    // The re-emit rule: a row whose lookup row changed is emitted again, with the new values.
    bool emit = row.changed;
    if (!emit && !ev.lookups().empty()) {
      Problem ignored;  // a miss is reported below, when the row is evaluated (if it is emitted)
      (void)ev.resolve(row.values, rows, scratch, ignored);
      for (const CurrentRow* r : rows) emit |= r && r->changed;
    }
    if (!emit) continue;
    ++oc.result.rows_in;
    Problem pr;
    if (!ev.evaluate(row.values, out, scratch, pr)) {
      pr.line = row.origin_line;
      pr.record = row.line;
      if (!ctx.options->quarantine) {
        oc.error = bad_record_error(model.table, row.origin, pr);
        return oc;
      }
      oc.rejects.push_back(reject_line(row.origin, pr));
      ++oc.result.rejected;
      continue;
    }
    if (!ev.unique_columns().empty() && !seen.insert(row_key_hash(out, ev.unique_columns())).second) {
      oc.error = make_error("ExpectationFailed", model.table + ": unique key violated by " +
                                                     row_key_text(schema, out, ev.unique_columns()) + " (" +
                                                     row.origin + " line " + std::to_string(row.origin_line) +
                                                     "). Nothing was committed.");
      return oc;
    }
    for (const auto& [idx, table] : ev.calendar_columns()) {
      if (!out[idx].null) oc.dates[table].add(out[idx].i);
    }
    append_row(schema, out, batch);
    if (batch.rows == kBatchRows) {
      if (auto s = file->write(batch); !s) {
        oc.error = std::move(s).error();
        return oc;
      }
      batch = empty_batch(schema);
    }
  }
  if (batch.rows > 0) {
    if (auto s = file->write(batch); !s) {
      oc.error = std::move(s).error();
      return oc;
    }
  }
  finish_outcome(oc, *file);
  oc.result.seconds = since(t0);
  return oc;
}

TableOutcome run_calendar_model(RunContext& ctx, const Model& model, const DateRange& before,
                                const DateRange& now) {
  const auto t0 = std::chrono::steady_clock::now();
  TableOutcome oc;
  oc.result.table = model.table;
  const auto schema = parquet_schema(model);
  auto opened = OutputFile::open(*ctx.processed, output_key(model.table, ctx.run_id), schema, ctx.writer);
  if (!opened) {
    oc.error = std::move(opened).error();
    return oc;
  }
  auto file = std::move(opened).value();
  auto batch = empty_batch(schema);
  std::vector<OutValue> out(schema.columns.size());
  std::vector<const ModelColumn*> columns;
  for (const auto& c : model.columns) {
    if (c.name != model.surrogate_key || model.surrogate_key.empty()) columns.push_back(&c);
  }
  for (std::int64_t d = now.min; !now.empty() && d <= now.max; ++d) {
    if (!before.empty() && d >= before.min && d <= before.max) continue;  // emitted by an earlier run
    const CalendarFields f = calendar_fields(d);
    for (std::size_t i = 0; i < columns.size() && i < out.size(); ++i) {
      const auto& e = columns[i]->expr;
      OutValue& o = out[i];
      o = OutValue{};
      if (e.kind == ColumnExpr::Kind::Constant) {
        std::string reason;
        if (!convert_text(e.constant, schema.columns[i], o, reason)) {
          oc.error =
              make_error("ModelError", model.file.string() + ": column." + columns[i]->name + ": " + reason);
          return oc;
        }
        continue;
      }
      switch (e.calendar) {
        case CalendarPart::Date:
          o.i = f.days;
          break;
        case CalendarPart::Year:
          o.i = f.year;
          break;
        case CalendarPart::Month:
          o.i = f.month;
          break;
        case CalendarPart::Day:
          o.i = f.day;
          break;
        case CalendarPart::IsoDayOfWeek:
          o.i = f.iso_day_of_week;
          break;
        case CalendarPart::Quarter:
          o.i = f.quarter;
          break;
        case CalendarPart::DayName:
          o.s = f.day_name;
          break;
        case CalendarPart::MonthName:
          o.s = f.month_name;
          break;
      }
    }
    ++oc.result.rows_in;
    append_row(schema, out, batch);
    if (batch.rows == kBatchRows) {
      if (auto s = file->write(batch); !s) {
        oc.error = std::move(s).error();
        return oc;
      }
      batch = empty_batch(schema);
    }
  }
  if (batch.rows > 0) {
    if (auto s = file->write(batch); !s) {
      oc.error = std::move(s).error();
      return oc;
    }
  }
  finish_outcome(oc, *file);
  oc.result.seconds = since(t0);
  return oc;
}

}  // namespace dwh::transform::detail
