#include "dwh/source/generate_rows.hpp"

#include <cctype>
#include <stdexcept>

#include "copy_binary.hpp"
#include "copy_text.hpp"
#include "dwh/core/strings.hpp"
#include "generate_rng.hpp"
#include "generate_words.hpp"

namespace dwh::source::gen {
namespace {

// Builds the small tables' text; speed does not matter there, clarity does.
class Rows {
 public:
  Rows& text(std::string_view s) {
    sep();
    char buf[512];
    out_.append(buf, static_cast<std::size_t>(put_escaped(buf, s.substr(0, 250)) - buf));
    return *this;
  }
  Rows& null() {
    sep();
    out_ += "\\N";
    return *this;
  }
  Rows& integer(std::int64_t v) {
    sep();
    char buf[24];
    out_.append(buf, static_cast<std::size_t>(put_int(buf, v) - buf));
    return *this;
  }
  Rows& timestamp(Moment m) {
    sep();
    char buf[32];
    out_.append(buf, static_cast<std::size_t>(put_timestamp(buf, m) - buf));
    return *this;
  }
  void end_row() {
    out_ += '\n';
    first_ = true;
  }
  std::string take() { return std::move(out_); }

 private:
  void sep() {
    if (!first_) out_ += '\t';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
};

template <class Span>
auto pick(Rng& rng, const Span& words) {
  return words[rng.below(static_cast<std::uint32_t>(words.size()))];
}

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += static_cast<char>('0' + rng.below(10));
  return s;
}

std::string person_name(Rng& rng, bool decorated) {
  std::string name;
  if (decorated && rng.chance(100'000)) name += pick(rng, name_prefixes());
  name += pick(rng, first_names());
  name += ' ';
  name += pick(rng, last_names());
  if (decorated && rng.chance(100'000)) name += pick(rng, name_suffixes());
  return name;
}

constexpr Moment kSeedTime{kFirstOrderDay, kSeedTimeMs};
constexpr Moment kSeedPeopleTime{kFirstOrderDay, kSeedPeopleTimeMs};

std::string addresses(const Model& model) {
  Rows rows;
  for (std::int64_t id = 1; id <= model.counts().address; ++id) {
    Rng rng(model.seed(), Stream::Address, static_cast<std::uint64_t>(id));
    rows.integer(id);
    // One draw per statement: the order of evaluation inside one expression is unspecified,
    // and the rows must not depend on the compiler.
    std::string line = digits(rng, static_cast<int>(rng.between(3, 5)));
    line += ' ';
    line += pick(rng, last_names());
    line += ' ';
    line += pick(rng, street_suffixes());
    rows.text(line);
    // Real shares: 20 of 30 address_line_2 and 14 of 30 districts are NULL.
    if (rng.chance(333'333)) {
      line = pick(rng, first_names());
      line += ' ';
      line += pick(rng, street_suffixes());
      rows.text(line);
    } else {
      rows.null();
    }
    if (rng.chance(533'333))
      rows.text(pick(rng, districts()));
    else
      rows.null();
    std::string city;
    if (rng.chance(400'000)) {
      city = pick(rng, city_prefixes());
      city += ' ';
    }
    city += rng.chance(500'000) ? pick(rng, first_names()) : pick(rng, last_names());
    if (rng.chance(600'000)) city += pick(rng, city_suffixes());
    rows.text(city);
    std::string postal_code = digits(rng, 5);
    if (rng.chance(500'000)) {
      postal_code += '-';
      postal_code += digits(rng, 4);
    }
    rows.text(postal_code);
    rows.text(pick(rng, countries()));
    std::string phone = digits(rng, 4);
    phone += ' ';
    phone += digits(rng, 6);
    rows.text(phone);
    rows.timestamp(kSeedTime).timestamp(kSeedTime).end_row();
  }
  return rows.take();
}

std::string counterparties(const Model& model) {
  Rows rows;
  for (std::int64_t id = 1; id <= model.counts().counterparty; ++id) {
    Rng rng(model.seed(), Stream::Counterparty, static_cast<std::uint64_t>(id));
    std::string name(pick(rng, last_names()));
    const std::string_view suffix = pick(rng, company_suffixes());
    if (suffix == " - ") {
      name += suffix;
      name += pick(rng, last_names());
    } else if (suffix == ", ") {
      name += suffix;
      name += pick(rng, last_names());
      name += " and ";
      name += pick(rng, last_names());
    } else {
      name += suffix;
    }
    rows.integer(id).text(name).integer(rng.between(1, model.counts().address));
    rows.text(person_name(rng, true)).text(person_name(rng, true));
    rows.timestamp(kSeedPeopleTime).timestamp(kSeedPeopleTime).end_row();
  }
  return rows.take();
}

std::string designs(const Model& model) {
  Rows rows;
  for (std::int64_t j = 0; j < model.counts().design; ++j) {
    Rng rng(model.seed(), Stream::Design, static_cast<std::uint64_t>(j));
    rng.next();  // the first draw places the design in time (Model::design_created)
    const Moment created = model.design_created(j);
    const std::string_view name = pick(rng, design_names());
    // file_name is <name>-<yyyymmdd>-<4 chars>.json, dated up to a year before the design's creation.
    const std::string_view date(DateTexts::instance().at(created.day - static_cast<int>(rng.between(0, 365))),
                                10);
    std::string file_name = core::lower(name);
    file_name += '-';
    file_name.append(date.substr(0, 4)).append(date.substr(5, 2)).append(date.substr(8, 2));
    file_name += '-';
    constexpr std::string_view kChars = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 4; ++i) file_name += kChars[rng.below(static_cast<std::uint32_t>(kChars.size()))];
    file_name += ".json";
    rows.integer(j + 1).timestamp(created).text(name).text(pick(rng, file_locations())).text(file_name);
    rows.timestamp(created).end_row();
  }
  return rows.take();
}

std::string staff() {
  Rows rows;
  std::int64_t id = 0;
  for (const auto& s : staff_members()) {
    const std::string email =
        core::lower(s.first_name) + "." + core::lower(s.last_name) + "@terrifictotes.com";
    rows.integer(++id).text(s.first_name).text(s.last_name).integer(s.department_id).text(email);
    rows.timestamp(kSeedPeopleTime).timestamp(kSeedPeopleTime).end_row();
  }
  return rows.take();
}

std::string departments_rows() {
  Rows rows;
  std::int64_t id = 0;
  for (const auto& d : departments()) {
    rows.integer(++id).text(d.name).text(d.location).text(d.manager);
    rows.timestamp(kSeedTime).timestamp(kSeedTime).end_row();
  }
  return rows.take();
}

std::string named_rows(std::span<const std::string_view> names) {
  Rows rows;
  std::int64_t id = 0;
  for (const auto& n : names) rows.integer(++id).text(n).timestamp(kSeedTime).timestamp(kSeedTime).end_row();
  return rows.take();
}

char* sales_row(char* p, const Order& o) {
  p = tuple_start(p, 12);
  p = field_int4(p, o.id);
  p = field_timestamp(p, o.created);
  p = field_timestamp(p, o.created);
  p = field_int4(p, o.design_id);
  p = field_int4(p, o.staff_id);
  p = field_int4(p, o.counterparty_id);
  p = field_int4(p, o.quantity);
  p = field_cents(p, o.price_cents);
  p = field_int4(p, o.currency_id);
  p = field_date_text(p, o.delivery_day);
  p = field_date_text(p, o.payment_day);
  return field_int4(p, o.location_id);
}

char* purchase_row(char* p, const Order& o) {
  p = tuple_start(p, 12);
  p = field_int4(p, o.id);
  p = field_timestamp(p, o.created);
  p = field_timestamp(p, o.created);
  p = field_int4(p, o.staff_id);
  p = field_int4(p, o.counterparty_id);
  p = field_text(p, std::string_view(o.item_code.data(), o.item_code.size()));
  p = field_int4(p, o.quantity);
  p = field_cents(p, o.price_cents);
  p = field_int4(p, o.currency_id);
  p = field_date_text(p, o.delivery_day);
  p = field_date_text(p, o.payment_day);
  return field_int4(p, o.location_id);
}

char* transaction_row(char* p, const Model& model, std::int64_t k) {
  const bool purchase = model.is_purchase(k);
  const std::int64_t id = model.order_id(k);
  const Moment created = model.created(k);
  p = tuple_start(p, 6);
  p = field_int4(p, k + 1);
  if (purchase) {
    p = field_text(p, "PURCHASE");
    p = field_null(p);
    p = field_int4(p, id);
  } else {
    p = field_text(p, "SALE");
    p = field_int4(p, id);
    p = field_null(p);
  }
  p = field_timestamp(p, created);
  return field_timestamp(p, created);
}

char* payment_row(char* p, const Order& o) {
  p = tuple_start(p, 12);
  p = field_int4(p, o.transaction_id);
  p = field_timestamp(p, o.created);
  p = field_timestamp(p, o.paid ? o.settled : o.created);
  p = field_int4(p, o.transaction_id);
  p = field_int4(p, o.counterparty_id);
  p = field_cents(p, o.amount_cents());
  p = field_int4(p, o.currency_id);
  p = field_int4(p, o.payment_type_id());
  p = field_bool(p, o.paid);
  p = field_date_text(p, o.payment_day);
  p = field_int4(p, o.company_ac_number);
  return field_int4(p, o.counterparty_ac_number);
}

}  // namespace

std::string_view table_name(BigTable table) {
  switch (table) {
    case BigTable::SalesOrder:
      return "sales_order";
    case BigTable::PurchaseOrder:
      return "purchase_order";
    case BigTable::Transaction:
      return "transaction";
    case BigTable::Payment:
      return "payment";
  }
  return {};
}

std::string small_table_rows(std::string_view table, const Model& model) {
  if (table == "address") return addresses(model);
  if (table == "counterparty") return counterparties(model);
  if (table == "currency") return named_rows(currency_codes());
  if (table == "department") return departments_rows();
  if (table == "design") return designs(model);
  if (table == "staff") return staff();
  if (table == "payment_type") return named_rows(payment_type_names());
  throw std::out_of_range("not a small totesys table: " + std::string(table));
}

std::size_t format_chunk(BigTable table, const Model& model, std::int64_t k_begin, std::int64_t k_end,
                         char* out) {
  char* p = out;
  switch (table) {
    case BigTable::SalesOrder:
      for (std::int64_t k = k_begin; k < k_end; ++k)
        if (!model.is_purchase(k)) p = sales_row(p, model.order(k));
      break;
    case BigTable::PurchaseOrder:
      for (std::int64_t k = k_begin; k < k_end; ++k)
        if (model.is_purchase(k)) p = purchase_row(p, model.order(k));
      break;
    case BigTable::Transaction:
      for (std::int64_t k = k_begin; k < k_end; ++k) p = transaction_row(p, model, k);
      break;
    case BigTable::Payment:
      for (std::int64_t k = k_begin; k < k_end; ++k) p = payment_row(p, model.order(k));
      break;
  }
  return static_cast<std::size_t>(p - out);
}

}  // namespace dwh::source::gen
