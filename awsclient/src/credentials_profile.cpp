// Credentials from the shared files' active profile: the credentials file first, then the
// config file, each on its own (botocore's SharedCredentialProvider, then ConfigProvider).
#include <array>

#include "credentials_internal.hpp"
#include "dwh/aws/config.hpp"

namespace dwh::aws {
namespace {

constexpr const char* kProviderName = "shared-files";
// Profile keys for credential sources this toolkit does not implement; named in the decline
// so a user sees why a profile that works with the AWS CLI yields nothing here.
constexpr std::array<std::string_view, 6> kUnsupportedSources = {
    "role_arn",      "credential_process",      "sso_session",
    "sso_start_url", "web_identity_token_file", "credential_source"};

Result<std::optional<Credentials>> from_profile(const Profile& profile, const std::string& name,
                                                const std::string& path) {
  auto key = profile.find("aws_access_key_id");
  if (key == profile.end()) return std::optional<Credentials>{};
  const std::string where = "profile '" + name + "' in " + path;
  if (key->second.empty()) return make_error("PartialCredentials", where + " has an empty aws_access_key_id");
  auto secret = profile.find("aws_secret_access_key");
  if (secret == profile.end() || secret->second.empty()) {
    return make_error("PartialCredentials", where + " has aws_access_key_id but no aws_secret_access_key");
  }
  Credentials creds;
  creds.access_key_id = key->second;
  creds.secret_access_key = secret->second;
  for (const char* token_key : {"aws_security_token", "aws_session_token"}) {  // botocore's order
    if (auto token = profile.find(token_key); token != profile.end() && !token->second.empty()) {
      creds.session_token = token->second;
      break;
    }
  }
  creds.provider = kProviderName;
  return std::optional<Credentials>{std::move(creds)};
}

class ProfileProvider final : public CredentialsProvider {
 public:
  Result<Credentials> get() override {
    auto shared = load_shared_config();
    if (!shared) return std::move(shared).error();
    const std::string name = active_profile_name();

    auto in_credentials = shared->credentials_profiles.find(name);
    auto in_config = shared->config_profiles.find(name);
    bool found_credentials = in_credentials != shared->credentials_profiles.end();
    bool found_config = in_config != shared->config_profiles.end();
    if (found_credentials) {
      auto creds = from_profile(in_credentials->second, name, shared->credentials_path);
      if (!creds) return std::move(creds).error();
      if (*creds) return std::move(**creds);
    }
    if (found_config) {
      auto creds = from_profile(in_config->second, name, shared->config_path);
      if (!creds) return std::move(creds).error();
      if (*creds) return std::move(**creds);
    }

    const std::string both = shared->credentials_path + " or " + shared->config_path;
    if (!found_credentials && !found_config) {
      if (!shared->credentials_exists && !shared->config_exists) {
        return detail::declined("neither " + shared->credentials_path + " nor " + shared->config_path +
                                " exists");
      }
      // Like botocore, a profile asked for by name must exist; only "default" may be absent.
      if (name != "default") {
        return make_error("ProfileNotFound",
                          "profile '" + name + "' (from AWS_PROFILE) not found in " + both);
      }
      return detail::declined("profile 'default' not found in " + both);
    }
    std::string unsupported;
    for (auto source : kUnsupportedSources) {
      bool present = (found_credentials && in_credentials->second.contains(std::string(source))) ||
                     (found_config && in_config->second.contains(std::string(source)));
      if (present) unsupported += (unsupported.empty() ? "" : ", ") + std::string(source);
    }
    std::string reason = "profile '" + name + "' has no aws_access_key_id in " + both;
    if (!unsupported.empty()) reason += " (it uses " + unsupported + ", which dwhkit does not support)";
    return detail::declined(std::move(reason));
  }
};

}  // namespace

std::shared_ptr<CredentialsProvider> profile_credentials() {
  return std::make_shared<ProfileProvider>();
}

}  // namespace dwh::aws
