// A chain of credentials providers, asked in order.
#include <atomic>

#include "credentials_internal.hpp"

namespace dwh::aws {
namespace {

class ChainProvider final : public CredentialsProvider {
 public:
  explicit ChainProvider(std::vector<NamedProvider> providers) : providers_(std::move(providers)) {}

  Result<Credentials> get() override {
    if (int w = winner_.load(std::memory_order_acquire); w >= 0)
      return ask(providers_[static_cast<std::size_t>(w)]);

    std::string reasons;
    for (std::size_t i = 0; i < providers_.size(); ++i) {
      auto creds = providers_[i].provider->get();
      if (creds) {
        winner_.store(static_cast<int>(i), std::memory_order_release);
        return creds;
      }
      if (creds.error().code != kNoCredentials) return prefixed(providers_[i], std::move(creds).error());
      if (!reasons.empty()) reasons += "; ";
      reasons += providers_[i].name + ": " + creds.error().message;
    }
    return make_error(std::string(kNoCredentials), "no AWS credentials found (" + reasons + ")");
  }

 private:
  static Result<Credentials> ask(const NamedProvider& p) {
    auto creds = p.provider->get();
    if (creds) return creds;
    return prefixed(p, std::move(creds).error());
  }

  static Error prefixed(const NamedProvider& p, Error e) {
    e.message = p.name + ": " + e.message;
    return e;
  }

  std::vector<NamedProvider> providers_;
  std::atomic<int> winner_{-1};  // once one provider has answered, later calls (refreshes) ask it alone
};

}  // namespace

std::shared_ptr<CredentialsProvider> credentials_chain(std::vector<NamedProvider> providers) {
  return std::make_shared<ChainProvider>(std::move(providers));
}

}  // namespace dwh::aws
