#include "dwh/source/generate_calendar.hpp"

namespace dwh::source::gen {

DateTexts::DateTexts() : first_(days_from_civil(2019, 1, 1)) {
  const int last = days_from_civil(2030, 12, 31);
  texts_.resize(static_cast<std::size_t>(last - first_ + 1));
  for (int day = first_; day <= last; ++day) {
    const CivilDate c = civil_from_days(day);
    auto& t = texts_[static_cast<std::size_t>(day - first_)];
    const int digits[8] = {c.year / 1000, c.year / 100 % 10, c.year / 10 % 10, c.year % 10,
                           c.month / 10,  c.month % 10,      c.day / 10,       c.day % 10};
    const int positions[8] = {0, 1, 2, 3, 5, 6, 8, 9};
    t[4] = t[7] = '-';
    for (int i = 0; i < 8; ++i)
      t[static_cast<std::size_t>(positions[i])] = static_cast<char>('0' + digits[i]);
  }
}

const DateTexts& DateTexts::instance() {
  static const DateTexts texts;
  return texts;
}

WorkingTime::WorkingTime() {
  for (int day = kFirstOrderDay; day <= kSnapshotDay; ++day)
    if (iso_weekday(day) <= 5) days_.push_back(day);
  begin_ = kFirstOrderMs - kWorkStartMs;
  end_ = static_cast<std::int64_t>(days_.size() - 1) * kWorkMsPerDay + (kSnapshotMs - kWorkStartMs);
}

const WorkingTime& WorkingTime::instance() {
  static const WorkingTime time;
  return time;
}

}  // namespace dwh::source::gen
