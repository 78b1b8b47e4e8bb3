// The caching, refreshing wrapper around a credentials provider, after botocore's
// RefreshableCredentials: an advisory window in which one caller refreshes while the others
// keep the still-valid credentials, and a mandatory window in which everyone waits.
#include <mutex>
#include <shared_mutex>

#include "dwh/aws/credentials.hpp"
#include "dwh/core/log.hpp"

namespace dwh::aws {
namespace {

using Clock = std::chrono::system_clock;

class CachingProvider final : public CredentialsProvider {
 public:
  CachingProvider(std::shared_ptr<CredentialsProvider> inner, CachingOptions options)
      : inner_(std::move(inner)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = [] { return Clock::now(); };
  }

  Result<Credentials> get() override {
    std::optional<Credentials> current = snapshot();
    if (current && !needs_refresh(*current, options_.advisory_window)) return std::move(*current);

    if (current && !needs_refresh(*current, options_.mandatory_window)) {
      // Advisory: whoever gets the lock refreshes; the rest go on with what they have.
      std::unique_lock refresh(refresh_mu_, std::try_to_lock);
      if (!refresh.owns_lock()) return std::move(*current);
      auto again = snapshot();
      if (again && !needs_refresh(*again, options_.advisory_window)) return std::move(*again);
      return refresh_locked(/*mandatory=*/false);
    }

    // Nothing yet, or too close to expiry: wait for the one refresh.
    std::unique_lock refresh(refresh_mu_);
    auto again = snapshot();
    if (again && !needs_refresh(*again, options_.mandatory_window)) return std::move(*again);
    return refresh_locked(/*mandatory=*/true);
  }

 private:
  std::optional<Credentials> snapshot() const {
    std::shared_lock lock(state_mu_);
    return current_;
  }

  bool needs_refresh(const Credentials& creds, std::chrono::seconds window) const {
    if (!creds.expiration) return false;
    return *creds.expiration - options_.clock() < window;
  }

  // What the log may say about credentials: where they came from and when they expire.
  nlohmann::json describe(const Credentials& creds) const {
    nlohmann::json figures = {{"provider", creds.provider}, {"temporary", !creds.session_token.empty()}};
    if (creds.expiration) {
      figures["expires_in_s"] =
          std::chrono::duration_cast<std::chrono::seconds>(*creds.expiration - options_.clock()).count();
    }
    return figures;
  }

  // Called with refresh_mu_ held.
  Result<Credentials> refresh_locked(bool mandatory) {
    auto fresh = inner_->get();
    std::optional<Credentials> current = snapshot();
    if (!fresh) {
      if (current) {
        dwh::log::warn("credentials refresh failed", {{"provider", current->provider},
                                                      {"window", mandatory ? "mandatory" : "advisory"},
                                                      {"error", fresh.error().code}});
      }
      if (mandatory || !current) return std::move(fresh).error();
      return std::move(*current);
    }
    if (fresh->expiration && *fresh->expiration <= options_.clock()) {
      return make_error("ExpiredCredentials", "credentials from " + fresh->provider +
                                                  " were refreshed, but the new ones are already expired");
    }
    {
      std::unique_lock lock(state_mu_);
      current_ = *fresh;
    }
    dwh::log::info(current ? "credentials refreshed" : "credentials resolved", describe(*fresh));
    return std::move(fresh).value();
  }

  std::shared_ptr<CredentialsProvider> inner_;
  CachingOptions options_;
  std::mutex refresh_mu_;               // held by the one caller that is refreshing
  mutable std::shared_mutex state_mu_;  // guards current_
  std::optional<Credentials> current_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> caching_credentials(std::shared_ptr<CredentialsProvider> inner,
                                                         CachingOptions options) {
  return std::make_shared<CachingProvider>(std::move(inner), std::move(options));
}

}  // namespace dwh::aws
