// The default chain in the AWS SDKs' order: environment, shared files, container, EC2
// instance metadata; cached and refreshed. Its own file so that linking the chain's parts
// does not pull in the curl transport.
#include "dwh/aws/credentials.hpp"
#include "dwh/aws/http.hpp"

namespace dwh::aws {

std::shared_ptr<CredentialsProvider> default_credentials_chain(std::shared_ptr<HttpClient> http) {
  if (!http) http = make_curl_http_client();
  std::vector<NamedProvider> providers;
  providers.push_back({"environment", environment_credentials()});
  providers.push_back({"shared files", profile_credentials()});
  providers.push_back({"container", container_credentials(http)});
  providers.push_back({"imds", imds_credentials(http)});
  return caching_credentials(credentials_chain(std::move(providers)));
}

}  // namespace dwh::aws
