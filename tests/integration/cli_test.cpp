// The dwh executable's contract: useful help and the 0/1/2 exit codes.
#include <gtest/gtest.h>

#include "process.hpp"

namespace {

TEST(Cli, HelpListsCommandsAndExitsZero) {
  auto r = dwh::test::run_process({DWH_CLI_PATH, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("aws"), std::string::npos) << r.out;
}

TEST(Cli, UnknownCommandIsUsageErrorTwo) {
  auto r = dwh::test::run_process({DWH_CLI_PATH, "no-such-command"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST(Cli, MissingSubcommandIsUsageErrorTwo) {
  auto r = dwh::test::run_process({DWH_CLI_PATH});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

}  // namespace
