#include "dwh/core/error_codes.hpp"
#include "dwh/core/result.hpp"

namespace dwh {

ErrorKind Error::kind() const {
  constexpr int kTooManyRequests = 429;
  constexpr int kFirstServerError = 500;
  constexpr int kFirstClientError = 400;
  if (kind_override) return *kind_override;
  if (transient || http_status == kTooManyRequests || http_status >= kFirstServerError)
    return ErrorKind::Transient;
  if (const auto* info = core::find_error_code(code)) return info->kind;
  return http_status >= kFirstClientError ? ErrorKind::Permanent : ErrorKind::Internal;
}

std::string Error::to_string() const {
  std::string out;
  if (!service.empty()) out += service + " ";
  if (!operation.empty()) out += operation + ": ";
  if (http_status != 0) out += std::to_string(http_status) + " ";
  if (!code.empty()) out += code + ": ";
  out += message;
  if (!request_id.empty()) out += " (request id " + request_id + ")";
  return out;
}

}  // namespace dwh
