// Option parsing and checks for `dwh source simulate`, and the report's count fields.
#include <charconv>
#include <cmath>
#include <string>

#include "dwh/pg/database_url.hpp"
#include "dwh/source/simulate.hpp"

namespace dwh::source {
namespace {

constexpr int kMaxConcurrency = 64;
// Far beyond any useful demo; keeps the plan (one entry per operation) in memory bounds.
constexpr double kMaxOperations = 50'000'000;

Error invalid(std::string message) {
  return make_error("InvalidArgument", std::move(message));
}

}  // namespace

SimulationCounts& SimulationCounts::operator+=(const SimulationCounts& other) {
  for (const auto& field : simulation_count_fields()) this->*field.member += other.*field.member;
  return *this;
}

const std::vector<CountField>& simulation_count_fields() {
  using C = SimulationCounts;
  static const std::vector<CountField> fields = {
      {"sales_orders", "new sales orders", &C::sales_orders},
      {"purchase_orders", "new purchase orders", &C::purchase_orders},
      {"transactions", "new transactions", &C::transactions},
      {"payments", "new payments", &C::payments},
      {"staff", "new staff", &C::staff},
      {"designs", "new designs", &C::designs},
      {"counterparties", "new counterparties", &C::counterparties},
      {"addresses", "new addresses", &C::addresses},
      {"settlement_batches", "settlement batches", &C::settlement_batches},
      {"payments_settled", "payments settled", &C::payments_settled},
      {"amendments", "order amendments", &C::amendments},
      {"amended_payments", "payment amounts amended", &C::amended_payments},
      {"department_changes", "department changes", &C::department_changes},
      {"address_changes", "address changes", &C::address_changes},
      {"counterparty_changes", "counterparty contact changes", &C::counterparty_changes},
      {"long_transactions", "long transactions", &C::long_transactions},
      {"late_commits", "late commits (overtaken)", &C::late_commits},
  };
  return fields;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::string shown(text);
  double value = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, value, std::chars_format::fixed);
  if (ec != std::errc{} || rest == begin) {
    return invalid("'" + shown + "' is not a duration: give a number with a unit, e.g. 30s, 2m, 1500ms");
  }
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  double ms_per_unit = 0;
  if (unit.empty() || unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "m" || unit == "min") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else {
    return invalid("'" + shown + "': unknown unit '" + std::string(unit) + "' (use ms, s, m or h)");
  }
  const double ms = value * ms_per_unit;
  if (!std::isfinite(ms) || ms > 1e12) return invalid("'" + shown + "' is too long");
  const auto whole = static_cast<std::int64_t>(std::llround(ms));
  if (whole <= 0) return invalid("'" + shown + "': the duration must be positive");
  return std::chrono::milliseconds(whole);
}

Status validate(const SimulateOptions& options) {
  if (!std::isfinite(options.rate) || options.rate <= 0) {
    return invalid("--rate must be a positive number of operations per second");
  }
  if (options.duration.count() <= 0) return invalid("--duration must be positive");
  if (options.rate * static_cast<double>(options.duration.count()) / 1000.0 > kMaxOperations) {
    return invalid("--rate × --duration is more than 50,000,000 operations; split the run");
  }
  if (options.concurrency < 1 || options.concurrency > kMaxConcurrency) {
    return invalid("--concurrency must be between 1 and " + std::to_string(kMaxConcurrency));
  }
  if (options.day_length.count() < 0) return invalid("--day-length must be positive");
  if (options.late_hold.count() <= 0) return invalid("--late-hold must be positive");
  if (options.connect_timeout.count() <= 0) return invalid("the connect timeout must be positive");
  auto url = pg::validate_database_url(options.url);
  if (!url) return url.error();
  return {};
}

}  // namespace dwh::source
