#pragma once
// The first error of any stage of a TBB pipeline; later stages skip their work once it is set.
// failed() is a lock-free read, since every stage asks it for every item.
#include <atomic>
#include <mutex>
#include <optional>

#include "dwh/core/result.hpp"

namespace dwh::core {

class FirstError {
 public:
  void set(Error e) {
    std::lock_guard lock(mutex_);
    if (!error_) error_ = std::move(e);
    failed_.store(true, std::memory_order_release);
  }
  [[nodiscard]] bool failed() const { return failed_.load(std::memory_order_acquire); }
  std::optional<Error> take() {
    std::lock_guard lock(mutex_);
    return std::move(error_);
  }

 private:
  std::atomic<bool> failed_{false};
  mutable std::mutex mutex_;
  std::optional<Error> error_;
};

}  // namespace dwh::core
