#include "dwh/core/crash_point.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace dwh::core {

void crash_point(std::string_view point) {
  const char* wanted = std::getenv("DWH_TEST_CRASH_POINT");
  if (wanted != nullptr && point == wanted) ::kill(::getpid(), SIGKILL);
}

}  // namespace dwh::core
