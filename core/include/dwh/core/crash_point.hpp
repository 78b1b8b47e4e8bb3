#pragma once
// Named crash points for the crash-consistency tests: when DWH_TEST_CRASH_POINT names `point`,
// the process SIGKILLs itself there, so nothing is cleaned up or rolled back by us and the next
// run must recover from exactly that state. Unset in production, it costs one getenv.
#include <string_view>

namespace dwh::core {

void crash_point(std::string_view point);

}  // namespace dwh::core
