#include "dwh/aws/credentials.hpp"

namespace dwh::aws {
namespace {

class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials creds) : creds_(std::move(creds)) {}
  Result<Credentials> get() override { return creds_; }

 private:
  Credentials creds_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> static_credentials(Credentials creds) {
  if (creds.provider.empty()) creds.provider = "static";
  return std::make_shared<StaticCredentialsProvider>(std::move(creds));
}

}  // namespace dwh::aws
