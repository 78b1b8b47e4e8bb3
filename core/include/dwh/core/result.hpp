#pragma once
// Result<T>: the value-or-error type used at every I/O boundary.
// C++20 has no std::expected (C++23), so this is the small subset we use.
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dwh {

// What an error means for whoever ran the job; each code's kind is in core/error_codes.hpp and
// docs/errors.md.
enum class ErrorKind : std::uint8_t {
  BadInput,   // the input is wrong (an argument, a URL, a model, the data): fix it, run again; exit 2
  Transient,  // the network, a throttle, a server error: the same run may succeed if retried
  Permanent,  // inputs are valid, but the run cannot succeed until a person acts (corrupt object, access)
  Internal,   // a bug or an impossible state in dwh
};

// One error type for the whole toolkit. The AWS fields stay empty for local errors.
// It must never hold a secret, a signature or an authorization header.
struct Error {
  std::string code;     // machine-readable: an AWS error code, or ours ("InvalidBucketName", "Network", ...)
  std::string message;  // human-readable; names what and where
  std::string service;  // "s3", "iam", ... (AWS calls only)
  std::string operation;   // "PutObject", ... (AWS calls only)
  int http_status = 0;     // 0 when no HTTP response arrived
  std::string request_id;  // x-amz-request-id / x-amzn-RequestId
  bool transient = false;  // network-level failure (reset, timeout, refused)
  // Set where the code alone does not decide the kind (a SQLSTATE's class, say).
  std::optional<ErrorKind> kind_override;

  // The override, else transient or 5xx/429 answers, else the code's registered kind, else
  // Permanent for another 4xx answer and Internal for an unregistered code of ours.
  [[nodiscard]] ErrorKind kind() const;

  // "s3 PutObject: 403 SignatureDoesNotMatch: <message> (request id X)"
  [[nodiscard]] std::string to_string() const;
};

inline Error make_error(std::string code, std::string message) {
  Error e;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

// Prefixes the message with where it happened ("cannot read manifest X: "), keeping the rest.
inline Error with_context(Error e, std::string_view prefix) {
  e.message.insert(0, prefix);
  return e;
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error)
      : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  [[nodiscard]] const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  [[nodiscard]] const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace dwh
