#include "simulate_values.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <span>
#include <string_view>
#include <vector>

#include "dwh/core/strings.hpp"
#include "generate_words.hpp"

namespace dwh::source::sim {
namespace {

using Words = std::vector<std::string_view>;

// Renames and moves for departments; the generator's real departments come first.
const Words kDepartmentRenames = {"Logistics",  "Procurement", "Marketing",        "Accounts",
                                  "Operations", "People",      "Customer Service", "Quality"};
const Words kDepartmentLocations = {"Manchester", "Leeds", "Liverpool", "Sheffield", "Bradford", "York"};

constexpr std::string_view kAlnumLower = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kAlnumUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr int kFileDateSpreadDays = 120;

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.below(10)));
  return s;
}

// One word from a generator word list (the same words as the generated base rows).
std::string word(Rng& rng, std::span<const std::string_view> words) {
  return std::string(words[rng.below(words.size())]);
}

}  // namespace

PersonName person_name(Rng& rng) {
  return {word(rng, gen::first_names()), word(rng, gen::last_names())};
}

std::string staff_email(const PersonName& name) {
  return core::lower(name.first) + "." + core::lower(name.last) + "@terrifictotes.com";
}

// name_prefixes() end and name_suffixes() start with their own space.
std::string contact_name(Rng& rng) {
  std::string out;
  if (rng.chance(0.1)) out = word(rng, gen::name_prefixes());
  out += word(rng, gen::first_names()) + " " + word(rng, gen::last_names());
  if (rng.chance(0.1)) out += word(rng, gen::name_suffixes());
  return out;
}

// As the generator builds them: "Fahey and Sons", "Armstrong Inc", "Yost, Watsica and Mann", "Kohler -
// Lakin".
std::string counterparty_legal_name(Rng& rng) {
  std::string name = word(rng, gen::last_names());
  const std::string suffix = word(rng, gen::company_suffixes());
  name += suffix;
  if (suffix == " - ") {
    name += word(rng, gen::last_names());
  } else if (suffix == ", ") {
    name += word(rng, gen::last_names()) + " and " + word(rng, gen::last_names());
  }
  return name;
}

std::string street_line(Rng& rng) {
  return digits(rng, static_cast<int>(rng.between(3, 5))) + " " + word(rng, gen::last_names()) + " " +
         word(rng, gen::street_suffixes());
}

std::string postal_code(Rng& rng) {
  std::string code = digits(rng, 5);
  if (rng.chance(0.5)) code += "-" + digits(rng, 4);
  return code;
}

std::string phone_number(Rng& rng) {
  return digits(rng, 4) + " " + digits(rng, 6);
}

AddressValues address_values(Rng& rng) {
  AddressValues a;
  a.address_line_1 = street_line(rng);
  // Real rows: address_line_2 NULL in 20 of 30, district NULL in 14 of 30.
  if (rng.chance(1.0 / 3.0))
    a.address_line_2 = word(rng, gen::first_names()) + " " + word(rng, gen::street_suffixes());
  if (rng.chance(16.0 / 30.0)) a.district = word(rng, gen::districts());
  if (rng.chance(0.4)) a.city = word(rng, gen::city_prefixes()) + " ";
  a.city += rng.chance(0.5) ? word(rng, gen::first_names()) : word(rng, gen::last_names());
  if (rng.chance(0.6)) a.city += word(rng, gen::city_suffixes());
  a.postal_code = postal_code(rng);
  a.country = word(rng, gen::countries());
  a.phone = phone_number(rng);
  return a;
}

DesignValues design_values(Rng& rng, std::int64_t days_since_epoch) {
  DesignValues d;
  d.design_name = word(rng, gen::design_names());
  d.file_location = word(rng, gen::file_locations());
  std::string date = iso_date(days_since_epoch - rng.between(0, kFileDateSpreadDays));
  date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
  std::string tag;
  for (int i = 0; i < 4; ++i) tag.push_back(kAlnumLower[rng.below(kAlnumLower.size())]);
  d.file_name = core::lower(d.design_name) + "-" + date + "-" + tag + ".json";
  return d;
}

std::string department_name(Rng& rng) {
  const auto real = gen::departments();
  const std::uint64_t n = real.size() + kDepartmentRenames.size();
  const std::uint64_t i = rng.below(n);
  return std::string(i < real.size() ? real[i].name : kDepartmentRenames[i - real.size()]);
}

std::string department_location(Rng& rng) {
  return std::string(rng.pick_word(kDepartmentLocations));
}

std::string item_code(Rng& rng) {
  std::string code;
  for (int i = 0; i < 7; ++i) code.push_back(kAlnumUpper[rng.below(kAlnumUpper.size())]);
  return code;
}

std::int64_t account_number(Rng& rng) {
  return rng.between(10'000'000, 99'999'999);
}

std::string money(std::int64_t cents) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

std::string iso_date(std::int64_t days_since_epoch) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days_since_epoch}}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string timestamp_ms(std::int64_t ms_since_epoch) {
  const std::int64_t day =
      ms_since_epoch >= 0 ? ms_since_epoch / 86'400'000 : (ms_since_epoch - 86'399'999) / 86'400'000;
  const std::int64_t in_day = ms_since_epoch - day * 86'400'000;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s %02lld:%02lld:%02lld.%03lld", iso_date(day).c_str(),
                static_cast<long long>(in_day / 3'600'000), static_cast<long long>(in_day / 60'000 % 60),
                static_cast<long long>(in_day / 1000 % 60), static_cast<long long>(in_day % 1000));
  return buf;
}

}  // namespace dwh::source::sim
