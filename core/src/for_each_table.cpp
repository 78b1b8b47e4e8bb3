#include "dwh/core/for_each_table.hpp"

#include <tbb/parallel_pipeline.h>

#include <algorithm>
#include <optional>

namespace dwh::core {

namespace {
constexpr const char* kStopped = "Stopped";
}

Error stopped_error() {
  return make_error(kStopped, "stopped because another table failed");
}

bool is_stopped(const Error& e) {
  return e.code == kStopped;
}

Status for_each_table(const std::vector<std::size_t>& order, std::size_t parallel, std::atomic<bool>& stop,
                      const std::function<Status(std::size_t)>& work) {
  if (order.empty()) return {};
  std::vector<std::optional<Error>> errors(order.size());
  std::size_t next = 0;
  tbb::parallel_pipeline(
      std::max<std::size_t>(1, parallel),
      tbb::make_filter<void, std::size_t>(tbb::filter_mode::serial_in_order,
                                          [&](tbb::flow_control& fc) -> std::size_t {
                                            if (next == order.size() || stop.load()) {
                                              fc.stop();
                                              return 0;
                                            }
                                            return order[next++];
                                          }) &
          tbb::make_filter<std::size_t, void>(tbb::filter_mode::parallel, [&](std::size_t i) {
            if (auto s = work(i); !s) {
              errors[i] = std::move(s).error();
              stop = true;
            }
          }));
  for (std::size_t i : order) {
    if (errors[i] && !is_stopped(*errors[i])) return std::move(*errors[i]);
  }
  return {};
}

}  // namespace dwh::core
