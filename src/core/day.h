// UTC calendar days. A Day is a count of days since 1970-01-01 (UTC); every daily
// aggregate covers exactly [day 00:00:00, next day 00:00:00) UTC.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace im {

class Day {
 public:
  constexpr Day() = default;
  constexpr explicit Day(int32_t days_since_epoch) : n_(days_since_epoch) {}

  // Strict YYYY-MM-DD with a real calendar date; nullopt otherwise.
  static std::optional<Day> parse(std::string_view text);
  static Day from_unix_seconds(int64_t seconds);

  int32_t days_since_epoch() const { return n_; }
  int64_t start_unix() const { return int64_t{n_} * kSecondsPerDay; }
  int64_t end_unix() const { return start_unix() + kSecondsPerDay; }  // exclusive
  int weekday() const;                                                // 0 = Monday .. 6 = Sunday
  std::string str() const;

  Day operator+(int32_t d) const { return Day(n_ + d); }
  Day operator-(int32_t d) const { return Day(n_ - d); }
  int32_t operator-(Day o) const { return n_ - o.n_; }
  Day& operator++() {
    ++n_;
    return *this;
  }
  auto operator<=>(const Day&) const = default;

  static constexpr int64_t kSecondsPerDay = 86400;

 private:
  int32_t n_ = 0;
};

// "YYYY-MM-DD HH:MM:SS" for a Unix time (UTC), the timestamp format of every table.
std::string format_utc_timestamp(int64_t unix_seconds);
// The inverse; nullopt for anything else.
std::optional<int64_t> parse_utc_timestamp(std::string_view text);

}  // namespace im
