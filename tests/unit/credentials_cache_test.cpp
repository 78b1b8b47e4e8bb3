// The caching provider: when it refreshes, what it does when a refresh fails, and that many
// threads may share it. The clock is injected; the threads are real.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "dwh/aws/credentials.hpp"
#include "dwh/core/log.hpp"

namespace {

using namespace std::chrono;
using dwh::aws::Credentials;

class FakeClock {
 public:
  system_clock::time_point now() const { return base_ + seconds(offset_.load()); }
  void advance(seconds s) { offset_ += s.count(); }
  void set(seconds s) { offset_ = s.count(); }
  std::function<system_clock::time_point()> fn() {
    return [this] { return now(); };
  }

 private:
  const system_clock::time_point base_ = sys_days{year{2030} / 1 / 1};
  std::atomic<long long> offset_{0};
};

// Answers with "K<n>" credentials valid for `lifetime` from the clock's now, or as told.
class SourceProvider final : public dwh::aws::CredentialsProvider {
 public:
  SourceProvider(FakeClock& clock, seconds lifetime) : clock_(clock), lifetime_(lifetime) {}

  dwh::Result<Credentials> get() override {
    int n = ++calls;
    if (on_call) on_call(n);
    if (fail.load()) return dwh::make_error("Unavailable", "source down");
    Credentials c;
    c.access_key_id = "K" + std::to_string(n);
    c.secret_access_key = "secret-K" + std::to_string(n);
    c.session_token = "token-K" + std::to_string(n);
    if (lifetime_.count() != 0) c.expiration = clock_.now() + lifetime_;
    c.provider = "fake";
    return c;
  }

  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};
  std::function<void(int)> on_call;  // runs inside get(), before answering

 private:
  FakeClock& clock_;
  seconds lifetime_;
};

dwh::aws::CachingOptions options(FakeClock& clock) {
  dwh::aws::CachingOptions o;  // botocore's windows: advisory 15 min, mandatory 10 min
  o.clock = clock.fn();
  return o;
}

TEST(CredentialsCache, CredentialsWithoutExpiryAreFetchedOnce) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, seconds(0));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(cached->get()->access_key_id, "K1");
    clock.advance(hours(24 * 365));
  }
  EXPECT_EQ(source->calls.load(), 1);
}

TEST(CredentialsCache, RefreshesInsideTheAdvisoryWindow) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  EXPECT_EQ(cached->get()->access_key_id, "K1");
  clock.set(minutes(44) + seconds(59));  // 15 min 1 s left: still served from the cache
  EXPECT_EQ(cached->get()->access_key_id, "K1");
  EXPECT_EQ(source->calls.load(), 1);
  clock.set(minutes(46));  // 14 min left: refresh
  EXPECT_EQ(cached->get()->access_key_id, "K2");
  EXPECT_EQ(cached->get()->access_key_id, "K2");
  EXPECT_EQ(source->calls.load(), 2);
}

TEST(CredentialsCache, AdvisoryRefreshFailureKeepsTheCurrentCredentials) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  ASSERT_TRUE(cached->get().ok());
  source->fail = true;
  clock.set(minutes(46));
  auto creds = cached->get();
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->access_key_id, "K1");
  EXPECT_EQ(source->calls.load(), 2);
}

TEST(CredentialsCache, MandatoryRefreshFailureIsReturned) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  ASSERT_TRUE(cached->get().ok());
  source->fail = true;
  clock.set(minutes(51));  // 9 min left
  auto creds = cached->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "Unavailable");
  source->fail = false;
  EXPECT_EQ(cached->get()->access_key_id, "K3");
}

TEST(CredentialsCache, FreshCredentialsThatAreAlreadyExpiredAreAnError) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, seconds(-1));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  auto creds = cached->get();
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.error().code, "ExpiredCredentials");
}

TEST(CredentialsCache, AFailedFirstFetchIsRetriedOnTheNextCall) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  source->fail = true;
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  EXPECT_FALSE(cached->get().ok());
  source->fail = false;
  EXPECT_EQ(cached->get()->access_key_id, "K2");
}

TEST(CredentialsCache, LogsTheProviderButNoSecret) {
  std::vector<std::string> lines;
  std::mutex mu;
  dwh::log::set_sink([&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  });
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  ASSERT_TRUE(cached->get().ok());
  clock.set(minutes(46));
  ASSERT_TRUE(cached->get().ok());
  source->fail = true;
  clock.set(minutes(95));
  ASSERT_TRUE(cached->get().ok());  // advisory failure: warned, old credentials kept
  dwh::log::set_sink(nullptr);

  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"credentials resolved\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"provider\":\"fake\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"credentials refreshed\""), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("\"credentials refresh failed\""), std::string::npos) << lines[2];
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("secret-K"), std::string::npos) << line;
    EXPECT_EQ(line.find("token-K"), std::string::npos) << line;
    EXPECT_EQ(line.find("K1"), std::string::npos) << line;  // not even the key id
  }
}

TEST(CredentialsCache, FirstFetchIsSharedByConcurrentCallers) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  source->on_call = [](int) { std::this_thread::sleep_for(milliseconds(50)); };
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto c = cached->get();
      if (c.ok() && c->access_key_id == "K1") ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 16);
  EXPECT_EQ(source->calls.load(), 1);
}

TEST(CredentialsCache, DuringAnAdvisoryRefreshOthersKeepUsingValidCredentials) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  ASSERT_EQ(cached->get()->access_key_id, "K1");

  std::mutex mu;
  std::condition_variable cv;
  bool refresh_started = false;
  bool release = false;
  source->on_call = [&](int) {
    std::unique_lock lock(mu);
    refresh_started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  };
  clock.set(minutes(46));
  std::thread refresher([&] { EXPECT_EQ(cached->get()->access_key_id, "K2"); });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return refresh_started; });
  }
  // The refresh is blocked inside the source; these callers must not wait for it.
  std::atomic<int> served_old{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&] {
      auto c = cached->get();
      if (c.ok() && c->access_key_id == "K1") ++served_old;
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(served_old.load(), 8);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  refresher.join();
  EXPECT_EQ(source->calls.load(), 2);
  EXPECT_EQ(cached->get()->access_key_id, "K2");
}

TEST(CredentialsCache, InsideTheMandatoryWindowCallersWaitForOneRefresh) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(60));
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  ASSERT_EQ(cached->get()->access_key_id, "K1");
  source->on_call = [](int) { std::this_thread::sleep_for(milliseconds(50)); };
  clock.set(minutes(55));  // 5 min left
  std::atomic<int> fresh{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      auto c = cached->get();
      if (c.ok() && c->access_key_id == "K2") ++fresh;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 16);
  EXPECT_EQ(source->calls.load(), 2);
}

// Many threads read while the clock runs through several refreshes: every answer must be one
// whole set of credentials (never a key from one refresh with a secret from another) and
// never expired at the time it was handed out.
TEST(CredentialsCache, ConcurrentReadersDuringRepeatedRefreshes) {
  FakeClock clock;
  auto source = std::make_shared<SourceProvider>(clock, minutes(20));
  source->on_call = [](int) { std::this_thread::sleep_for(microseconds(200)); };
  auto cached = dwh::aws::caching_credentials(source, options(clock));
  std::atomic<bool> stop{false};
  std::atomic<long> answers{0};
  std::atomic<long> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto before = clock.now();
        auto c = cached->get();
        ++answers;
        if (!c.ok() || c->secret_access_key != "secret-" + c->access_key_id ||
            c->session_token != "token-" + c->access_key_id || !c->expiration || *c->expiration <= before) {
          ++bad;
        }
      }
    });
  }
  for (int step = 0; step < 200; ++step) {
    clock.advance(seconds(30));
    std::this_thread::sleep_for(microseconds(500));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(answers.load(), 200);
  // 100 minutes of clock with 20-minute credentials refreshed 15 minutes early: at most one
  // refresh per 5 minutes, so no more than 21 fetches however the threads were scheduled.
  EXPECT_GE(source->calls.load(), 5);
  EXPECT_LE(source->calls.load(), 21);
}

}  // namespace
