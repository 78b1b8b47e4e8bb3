#include "dwh/core/run_id.hpp"

#include <cstdio>
#include <ctime>
#include <random>

namespace dwh::core {

std::string make_run_id(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  const auto secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  thread_local std::mt19937 rng{std::random_device{}()};
  char out[96];
  std::snprintf(out, sizeof out, "%04d%02d%02dT%02d%02d%02d%03dZ-%08x", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000),
                static_cast<unsigned>(rng()));
  return out;
}

std::optional<std::string> run_id_date_path(std::string_view id) {
  if (id.size() < 9 || id[8] != 'T') return std::nullopt;
  for (int i = 0; i < 8; ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
  }
  std::string out;
  out.append(id.substr(0, 4)).append("/").append(id.substr(4, 2)).append("/").append(id.substr(6, 2));
  return out;
}

std::string run_id_of_key(std::string_view key) {
  const auto slash = key.rfind('/');
  std::string_view name = slash == std::string_view::npos ? key : key.substr(slash + 1);
  const auto dot = name.find('.');
  name = name.substr(0, dot);
  if (!run_id_date_path(name)) return {};
  return std::string(name);
}

std::string utc_now_iso() {
  namespace chr = std::chrono;
  const auto ms = chr::duration_cast<chr::milliseconds>(chr::system_clock::now().time_since_epoch()).count();
  const auto secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace dwh::core
