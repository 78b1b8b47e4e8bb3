// Credentials from the environment, as botocore's EnvProvider reads them.
#include "credentials_internal.hpp"

namespace dwh::aws {
namespace {

constexpr const char* kProviderName = "environment";

class EnvironmentProvider final : public CredentialsProvider {
 public:
  Result<Credentials> get() override {
    Credentials creds;
    creds.access_key_id = detail::env_value("AWS_ACCESS_KEY_ID");
    if (creds.access_key_id.empty()) return detail::declined("AWS_ACCESS_KEY_ID not set");
    creds.secret_access_key = detail::env_value("AWS_SECRET_ACCESS_KEY");
    if (creds.secret_access_key.empty()) {
      return make_error("PartialCredentials", "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    // botocore looks at the legacy name first; the SDKs have settled on AWS_SESSION_TOKEN.
    creds.session_token = detail::env_value("AWS_SECURITY_TOKEN");
    if (creds.session_token.empty()) creds.session_token = detail::env_value("AWS_SESSION_TOKEN");
    if (auto expiry = detail::env_value("AWS_CREDENTIAL_EXPIRATION"); !expiry.empty()) {
      creds.expiration = parse_iso8601(expiry);
      if (!creds.expiration) {
        return make_error("InvalidCredentialExpiration",
                          "AWS_CREDENTIAL_EXPIRATION '" + expiry + "' is not an ISO 8601 time");
      }
    }
    creds.provider = kProviderName;
    return creds;
  }
};

}  // namespace

std::shared_ptr<CredentialsProvider> environment_credentials() {
  return std::make_shared<EnvironmentProvider>();
}

}  // namespace dwh::aws
