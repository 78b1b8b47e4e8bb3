#pragma once
// The jobs' parallel per-table loop, with one way of reporting a failed table.
#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::core {

// What a table that ended early because another one failed returns; never reported.
Error stopped_error();
[[nodiscard]] bool is_stopped(const Error& e);

// Runs `work(i)` for every i of `order` (a permutation of 0..n-1), starting them in that order,
// at most `parallel` at once. Once a table fails, no further table starts and `stop` becomes
// true, so the running ones may end early with stopped_error(). Returns the error of the first
// table in `order` that failed with anything but stopped_error().
Status for_each_table(const std::vector<std::size_t>& order, std::size_t parallel, std::atomic<bool>& stop,
                      const std::function<Status(std::size_t)>& work);

}  // namespace dwh::core
