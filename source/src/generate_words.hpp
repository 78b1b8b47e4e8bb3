#pragma once
// The words generated rows are made of. Staff and departments are the real ones (the
// reference sample rows); names, streets, cities and companies are in the style of the real
// data, which the Northcoders team made with a Faker-like tool.
#include <span>
#include <string_view>

namespace dwh::source::gen {

struct StaffMember {
  std::string_view first_name;
  std::string_view last_name;
  int department_id;
};

struct Department {
  std::string_view name;
  std::string_view location;  // 'Leds' is the real data's typo, kept on purpose
  std::string_view manager;
};

std::span<const StaffMember> staff_members();            // 20, staff_id = index + 1
std::span<const Department> departments();               // 8, department_id = index + 1
std::span<const std::string_view> currency_codes();      // GBP, USD, EUR
std::span<const std::string_view> payment_type_names();  // the enum labels, in id order
std::span<const std::string_view> design_names();        // the 12 real design names
std::span<const std::string_view> file_locations();
std::span<const std::string_view> first_names();
std::span<const std::string_view> last_names();
std::span<const std::string_view> street_suffixes();
std::span<const std::string_view> city_prefixes();
std::span<const std::string_view> city_suffixes();
std::span<const std::string_view> districts();
std::span<const std::string_view> countries();
std::span<const std::string_view> company_suffixes();
std::span<const std::string_view> name_prefixes();
std::span<const std::string_view> name_suffixes();

}  // namespace dwh::source::gen
