#pragma once
// The registry of the error codes dwh raises: each code's kind and meaning, in one table
// (src/error_codes.cpp), documented in docs/errors.md. What follows from an error's kind is
// decided here once: the CLI's exit code now, the Lambda error type and the Step Functions retry
// rules next.
#include <span>
#include <string_view>

#include "dwh/core/result.hpp"

namespace dwh::core {

struct ErrorCodeInfo {
  std::string_view code;
  ErrorKind kind;
  std::string_view meaning;
};

inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

std::span<const ErrorCodeInfo> error_codes();  // sorted by code
const ErrorCodeInfo* find_error_code(std::string_view code);
std::string_view kind_name(ErrorKind kind);  // "bad-input", "transient", "permanent", "internal"
// 2 for bad input (fix it and run again), 1 for everything else.
int exit_code(const Error& error);

}  // namespace dwh::core
