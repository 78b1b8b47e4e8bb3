#include "generate_words.hpp"

#include <array>

namespace dwh::source::gen {
namespace {

using sv = std::string_view;

constexpr std::array<StaffMember, 20> kStaff = {{
    {"Jeremie", "Franey", 2}, {"Deron", "Beier", 6},         {"Jeanette", "Erdman", 6},
    {"Ana", "Glover", 3},     {"Magdalena", "Zieme", 8},     {"Korey", "Kreiger", 3},
    {"Raphael", "Rippin", 2}, {"Oswaldo", "Bergstrom", 7},   {"Brody", "Ratke", 2},
    {"Jazmyn", "Kuhn", 2},    {"Meda", "Cremin", 5},         {"Imani", "Walker", 5},
    {"Stan", "Lehner", 4},    {"Rigoberto", "VonRueden", 7}, {"Tom", "Gutkowski", 3},
    {"Jett", "Parisian", 6},  {"Irving", "O'Keefe", 3},      {"Tomasa", "Moore", 8},
    {"Pierre", "Sauer", 2},   {"Flavio", "Kulas", 3},
}};

constexpr std::array<Department, 8> kDepartments = {{
    {"Sales", "Manchester", "Richard Roma"},
    {"Purchasing", "Manchester", "Naomi Lapaglia"},
    {"Production", "Leeds", "Chester Ming"},
    {"Dispatch", "Leds", "Mark Hanna"},
    {"Finance", "Manchester", "Jordan Belfort"},
    {"Facilities", "Manchester", "Shelley Levene"},
    {"Communications", "Leeds", "Ann Blake"},
    {"HR", "Leeds", "James Link"},
}};

constexpr std::array<sv, 3> kCurrencies = {"GBP", "USD", "EUR"};
constexpr std::array<sv, 4> kPaymentTypes = {"SALES_RECEIPT", "SALES_REFUND", "PURCHASE_PAYMENT",
                                             "PURCHASE_REFUND"};

constexpr std::array<sv, 12> kDesignNames = {"Steel",   "Soft",   "Granite", "Concrete", "Frozen", "Bronze",
                                             "Plastic", "Cotton", "Metal",   "Fresh",    "Wooden", "Rubber"};

constexpr std::array<sv, 24> kFileLocations = {
    "/usr",           "/private",   "/lost+found",   "/System", "/usr/local/src", "/usr/share",
    "/Users",         "/Library",   "/opt",          "/etc",    "/var",           "/root",
    "/home/user/dir", "/bin",       "/usr/src",      "/srv",    "/mnt",           "/boot",
    "/Network",       "/usr/ports", "/Applications", "/tmp",    "/usr/libexec",   "/var/log"};

constexpr std::array<sv, 64> kFirstNames = {
    "Micheal", "Lucy",     "Taylor",  "Alfredo",  "Emily",   "Veronica", "Alberta",  "Tracy",
    "Melba",   "Jean",     "Jane",    "Myra",     "Sophie",  "Janie",    "Patience", "Alexie",
    "Bryce",   "Axel",     "Cielo",   "Izabella", "Noemy",   "Kaylah",   "Tremaine", "Ruthe",
    "Bobbie",  "Wyatt",    "Brielle", "Myrl",     "Beaulah", "Grady",    "Orin",     "Haskell",
    "Marlene", "Erwin",    "Lorena",  "Dwight",   "Kristin", "Elmer",    "Gladys",   "Hector",
    "Ivy",     "Jasper",   "Kendra",  "Leon",     "Mabel",   "Nestor",   "Opal",     "Percy",
    "Quinn",   "Rosalind", "Silas",   "Thea",     "Ulises",  "Vada",     "Wilbur",   "Xena",
    "Yesenia", "Zack",     "Arlo",    "Bettye",   "Cruz",    "Delphia",  "Ernest",   "Filomena"};

constexpr std::array<sv, 64> kLastNames = {
    "Herzog",  "Rogahn",     "Durgan",    "Heathcote", "Cole",      "Toy",     "Runolfsdottir", "Haag",
    "Cassin",  "Orn",        "Fay",       "Franecki",  "Quigley",   "Sanford", "Hane",          "Wiza",
    "Kovacek", "Konopelski", "Doyle",     "Fahey",     "Kohler",    "Lakin",   "Hartmann",      "Ratke",
    "Leannon", "Predovic",   "Morar",     "Armstrong", "Yost",      "Watsica", "Mann",          "Olson",
    "Grant",   "Bartell",    "Schmitt",   "Gleason",   "Hilpert",   "Kunze",   "Mraz",          "Nienow",
    "Pouros",  "Quitzon",    "Reichert",  "Schuster",  "Torphy",    "Ullrich", "Veum",          "Wehner",
    "Zboncak", "Abshire",    "Bechtelar", "Cummerata", "Dicki",     "Ebert",   "Feil",          "Gerhold",
    "Huel",    "Jast",       "Keebler",   "Lueilwitz", "Marquardt", "Nolan",   "O'Conner",      "Parker"};

constexpr std::array<sv, 40> kStreetSuffixes = {
    "Via",    "Cliffs",  "Skyway", "Common",  "Turnpike", "Freeway",  "Extension", "Radial",
    "Corner", "Ways",    "Lock",   "Pines",   "Flat",     "Circles",  "Heights",   "Trafficway",
    "Street", "Avenue",  "Road",   "Lane",    "Court",    "Park",     "Square",    "Plains",
    "Ridge",  "Fields",  "Harbor", "Mission", "Glens",    "Crossing", "Grove",     "Manor",
    "Mount",  "Parkway", "Path",   "Point",   "Stream",   "Summit",   "Trail",     "Valley"};

constexpr std::array<sv, 8> kCityPrefixes = {"New", "East", "West", "South", "North", "Lake", "Port", "Fort"};
constexpr std::array<sv, 14> kCitySuffixes = {"burgh", "side", "cester", "furt", "view", "ville", "town",
                                              "haven", "fort", "mouth",  "land", "stad", "bury",  "port"};

constexpr std::array<sv, 20> kDistricts = {
    "Avon",       "Bedfordshire", "Buckinghamshire", "Cambridgeshire", "Cheshire",  "Cornwall",  "Cumbria",
    "Derbyshire", "Devon",        "Dorset",          "Essex",          "Hampshire", "Kent",      "Lancashire",
    "Norfolk",    "Surrey",       "Somerset",        "Wiltshire",      "Berkshire", "Merseyside"};

constexpr std::array<sv, 40> kCountries = {"Turkey",
                                           "San Marino",
                                           "Republic of Korea",
                                           "United Kingdom",
                                           "Iraq",
                                           "Heard Island and McDonald Islands",
                                           "Iceland",
                                           "Sierra Leone",
                                           "Congo",
                                           "Democratic People's Republic of Korea",
                                           "Falkland Islands (Malvinas)",
                                           "Austria",
                                           "Brazil",
                                           "Chile",
                                           "Denmark",
                                           "Estonia",
                                           "France",
                                           "Germany",
                                           "Greece",
                                           "Hungary",
                                           "India",
                                           "Japan",
                                           "Kenya",
                                           "Lithuania",
                                           "Mexico",
                                           "Netherlands",
                                           "Norway",
                                           "Peru",
                                           "Portugal",
                                           "Romania",
                                           "Spain",
                                           "Sweden",
                                           "Switzerland",
                                           "Tanzania",
                                           "Uganda",
                                           "United States of America",
                                           "Uruguay",
                                           "Viet Nam",
                                           "Zambia",
                                           "Saint Helena"};

constexpr std::array<sv, 6> kCompanySuffixes = {" and Sons", " Inc", " LLC", " Group", " - ", ", "};
constexpr std::array<sv, 5> kNamePrefixes = {"Mr. ", "Mrs. ", "Ms. ", "Dr. ", "Miss "};
constexpr std::array<sv, 6> kNameSuffixes = {" II", " III", " IV", " Jr.", " Sr.", " DDS"};

}  // namespace

std::span<const StaffMember> staff_members() {
  return kStaff;
}
std::span<const Department> departments() {
  return kDepartments;
}
std::span<const sv> currency_codes() {
  return kCurrencies;
}
std::span<const sv> payment_type_names() {
  return kPaymentTypes;
}
std::span<const sv> design_names() {
  return kDesignNames;
}
std::span<const sv> file_locations() {
  return kFileLocations;
}
std::span<const sv> first_names() {
  return kFirstNames;
}
std::span<const sv> last_names() {
  return kLastNames;
}
std::span<const sv> street_suffixes() {
  return kStreetSuffixes;
}
std::span<const sv> city_prefixes() {
  return kCityPrefixes;
}
std::span<const sv> city_suffixes() {
  return kCitySuffixes;
}
std::span<const sv> districts() {
  return kDistricts;
}
std::span<const sv> countries() {
  return kCountries;
}
std::span<const sv> company_suffixes() {
  return kCompanySuffixes;
}
std::span<const sv> name_prefixes() {
  return kNamePrefixes;
}
std::span<const sv> name_suffixes() {
  return kNameSuffixes;
}

}  // namespace dwh::source::gen
