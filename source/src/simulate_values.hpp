#pragma once
// Values of the rows the simulator writes, in the shapes of the real totesys data
// (../shared/reference/totesys_transform.md §4-§6).
#include <cstdint>
#include <optional>
#include <string>

#include "simulate_random.hpp"

namespace dwh::source::sim {

struct PersonName {
  std::string first;
  std::string last;
};
PersonName person_name(Rng& rng);
// "first.last@terrifictotes.com", lower case, apostrophes kept.
std::string staff_email(const PersonName& name);
// A contact as the real counterparty rows have them: "Micheal Toy", "Mrs. Lucy Runolfsdottir", "Jean Hane
// III".
std::string contact_name(Rng& rng);
std::string counterparty_legal_name(Rng& rng);

struct AddressValues {
  std::string address_line_1;
  std::optional<std::string> address_line_2;
  std::optional<std::string> district;
  std::string city;
  std::string postal_code;
  std::string country;
  std::string phone;
};
AddressValues address_values(Rng& rng);
std::string street_line(Rng& rng);   // "6826 Herzog Via"
std::string postal_code(Rng& rng);   // "28441" or "99305-7380"
std::string phone_number(Rng& rng);  // "1803 637401"

struct DesignValues {
  std::string design_name;
  std::string file_location;
  std::string file_name;  // "<name>-<yyyymmdd>-<4 chars>.json"
};
// `days_since_epoch`: the creation date; the file date lies up to 120 days before it.
DesignValues design_values(Rng& rng, std::int64_t days_since_epoch);

std::string department_name(Rng& rng);
std::string department_location(Rng& rng);

std::string item_code(Rng& rng);        // 7 upper-case letters and digits, e.g. "ZDOI5EA"
std::int64_t account_number(Rng& rng);  // 8 digits

// Cents as "1234.56".
std::string money(std::int64_t cents);

// "YYYY-MM-DD" for a day count since 1970-01-01.
std::string iso_date(std::int64_t days_since_epoch);
// "YYYY-MM-DD HH:MM:SS.mmm" for milliseconds since 1970-01-01 (UTC).
std::string timestamp_ms(std::int64_t ms_since_epoch);

}  // namespace dwh::source::sim
