// dwh: one executable, subcommands per area. Exit codes: 0 success, 1 failure, 2 usage.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.hpp"

namespace {

int run_dwh(int argc, char** argv) {
  CLI::App app{"dwh: build and run a cloud data warehouse pipeline on AWS"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dwh 0.1.0");
  int exit_code = 0;
  dwh::cli::register_aws_commands(app, exit_code);
  dwh::cli::register_local_commands(app, exit_code);
  auto* source = dwh::cli::register_source_commands(app, exit_code);
  dwh::cli::register_source_simulate_command(*source, exit_code);
  dwh::cli::register_ingest_command(app, exit_code);
  dwh::cli::register_transform_command(app, exit_code);
  dwh::cli::register_warehouse_commands(app, exit_code);
  dwh::cli::register_load_command(app, exit_code);
  dwh::cli::register_report_command(app, exit_code);
  dwh::cli::register_run_command(app, exit_code);
  dwh::cli::register_demo_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return exit_code;
}

}  // namespace

// Exceptions end here: a command's own errors are Results; what reaches this is a bug or an
// allocation failure.
int main(int argc, char** argv) {
  try {
    return run_dwh(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "dwh: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "dwh: unknown exception\n";
  }
  return 1;
}
