#include "core/day.h"

#include <chrono>
#include <cstdio>

namespace im {

namespace {
bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}
int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}
}  // namespace

std::optional<Day> Day::parse(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto ys = t.substr(0, 4), ms = t.substr(5, 2), ds = t.substr(8, 2);
  if (!all_digits(ys) || !all_digits(ms) || !all_digits(ds)) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{to_int(ys)}, month{static_cast<unsigned>(to_int(ms))},
                     day{static_cast<unsigned>(to_int(ds))}};
  if (!ymd.ok()) return std::nullopt;
  return Day(sys_days(ymd).time_since_epoch().count());
}

Day Day::from_unix_seconds(int64_t s) {
  // floor division so that negative times land on the right day
  int64_t d = s / kSecondsPerDay;
  if (s % kSecondsPerDay < 0) --d;
  return Day(static_cast<int32_t>(d));
}

int Day::weekday() const {
  // 1970-01-01 was a Thursday (index 3 with Monday = 0)
  int w = static_cast<int>((int64_t{n_} + 3) % 7);
  return w < 0 ? w + 7 : w;
}

std::string Day::str() const {
  using namespace std::chrono;
  year_month_day ymd{sys_days{days{n_}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_utc_timestamp(int64_t s) {
  Day d = Day::from_unix_seconds(s);
  int64_t rem = s - d.start_unix();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", d.str().c_str(), static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return buf;
}

std::optional<int64_t> parse_utc_timestamp(std::string_view t) {
  if (t.size() != 19 || t[10] != ' ' || t[13] != ':' || t[16] != ':') return std::nullopt;
  auto day = Day::parse(t.substr(0, 10));
  auto hh = t.substr(11, 2), mm = t.substr(14, 2), ss = t.substr(17, 2);
  if (!day || !all_digits(hh) || !all_digits(mm) || !all_digits(ss)) return std::nullopt;
  int h = to_int(hh), m = to_int(mm), s = to_int(ss);
  if (h > 23 || m > 59 || s > 59) return std::nullopt;
  return day->start_unix() + h * 3600 + m * 60 + s;
}

}  // namespace im
