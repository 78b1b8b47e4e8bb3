#pragma once
// Dates and the working-time axis the generator places rows on. Days are counted from
// 1970-01-01 (day 0, a Thursday); times of day in milliseconds since midnight.
//
// Orders arrive only on weekdays between 08:00:00.000 and 18:59:59.999, from the first real
// order (2022-11-03 14:20:52.186) to the snapshot (2024-11-14 16:00). "Working time" counts
// the milliseconds inside those hours only, so spreading rows evenly over working time and
// mapping back gives weekday, in-hours timestamps whatever the scale.
#include <array>
#include <cstdint>
#include <vector>

namespace dwh::source::gen {

inline constexpr std::int64_t kMsPerHour = 3'600'000;
inline constexpr std::int64_t kMsPerMinute = 60'000;
inline constexpr std::int64_t kWorkStartMs = 8 * kMsPerHour;
inline constexpr std::int64_t kWorkMsPerDay = 11 * kMsPerHour;  // 08:00 up to 18:59:59.999

// Howard Hinnant's civil-date algorithms (public domain): exact for the proleptic Gregorian calendar.
constexpr int days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  int year;
  int month;
  int day;
};

constexpr CivilDate civil_from_days(int z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  const int d = doy - (153 * mp + 2) / 5 + 1;
  const int m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2), m, d};
}

// ISO weekday: Monday 1 ... Sunday 7.
constexpr int iso_weekday(int day) {
  return (day % 7 + 7 + 3) % 7 + 1;
}

inline constexpr int kFirstOrderDay = days_from_civil(2022, 11, 3);
inline constexpr std::int64_t kFirstOrderMs = 14 * kMsPerHour + 20 * kMsPerMinute + 52'186;
inline constexpr int kSnapshotDay = days_from_civil(2024, 11, 14);
inline constexpr std::int64_t kSnapshotMs = 16 * kMsPerHour;
// The reference data's own creation times, used for the static tables.
inline constexpr std::int64_t kSeedTimeMs = 14 * kMsPerHour + 20 * kMsPerMinute + 49'962;  // 14:20:49.962
inline constexpr std::int64_t kSeedPeopleTimeMs =
    14 * kMsPerHour + 20 * kMsPerMinute + 51'563;  // 14:20:51.563

// "YYYY-MM-DD" for every day the generator can produce (2019-01-01 to 2030-12-31).
class DateTexts {
 public:
  static const DateTexts& instance();
  [[nodiscard]] const char* at(int day) const {
    return texts_[static_cast<std::size_t>(day - first_)].data();
  }
  [[nodiscard]] int first_day() const { return first_; }
  [[nodiscard]] int last_day() const { return first_ + static_cast<int>(texts_.size()) - 1; }

 private:
  DateTexts();
  int first_;
  std::vector<std::array<char, 10>> texts_;
};

struct Moment {
  int day;          // days since 1970-01-01
  std::int64_t ms;  // since midnight
};

class WorkingTime {
 public:
  static const WorkingTime& instance();
  // Working-time offsets of the first order and of the snapshot.
  [[nodiscard]] std::int64_t begin() const { return begin_; }
  [[nodiscard]] std::int64_t end() const { return end_; }
  [[nodiscard]] std::int64_t span() const { return end_ - begin_; }
  // The calendar moment of a working-time offset in [0, end()].
  [[nodiscard]] Moment at(std::int64_t offset) const {
    const auto index = static_cast<std::size_t>(offset / kWorkMsPerDay);
    return {days_[index], kWorkStartMs + offset % kWorkMsPerDay};
  }

 private:
  WorkingTime();
  std::vector<int> days_;  // the weekdays from kFirstOrderDay to kSnapshotDay
  std::int64_t begin_ = 0;
  std::int64_t end_ = 0;
};

}  // namespace dwh::source::gen
