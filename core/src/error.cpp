#include "dwh/core/result.hpp"

namespace dwh {

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
