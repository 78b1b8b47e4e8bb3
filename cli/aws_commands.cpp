// `dwh aws ...`: low-level AWS client commands (sign, s3 round trip).
#include "commands.hpp"

namespace dwh::cli {

void register_aws_commands(CLI::App& app, int& exit_code) {
  auto* aws = app.add_subcommand("aws", "Low-level AWS client tools: request signing and S3 access");
  aws->require_subcommand(1);
  register_aws_sign_command(*aws, exit_code);
  CLI::App* s3 = register_aws_s3_command(*aws, exit_code);
  register_aws_s3_cp_command(*s3, exit_code);
}

}  // namespace dwh::cli
