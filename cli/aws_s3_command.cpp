// `dwh aws s3 ...`: the S3 client from the command line. `roundtrip` exercises every step a
// job relies on (bucket, small and multipart upload, listing, verified download, deletes) and
// prints each with its time, so a user can watch the client work against any endpoint.
// `ls` and `rm` are the everyday helpers; `cp` lives in aws_s3_cp_command.cpp.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "commands.hpp"
#include "dwh/aws/s3.hpp"

namespace dwh::cli {
namespace {

namespace s3 = dwh::aws::s3;

constexpr int kExitFailure = 1;
constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::string_view kRoundTripPrefix = "dwh-roundtrip/";

struct S3Url {
  std::string bucket;
  std::string key;  // may be empty: the whole bucket
};

std::optional<S3Url> parse_s3_url(std::string_view text) {
  constexpr std::string_view kScheme = "s3://";
  if (!text.starts_with(kScheme)) return std::nullopt;
  text.remove_prefix(kScheme.size());
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return S3Url{std::string(text), {}};
  return S3Url{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
}

Result<std::unique_ptr<s3::Client>> make_client(const std::string& endpoint_url) {
  aws::ClientOptions options;
  if (!endpoint_url.empty()) options.endpoint_url = endpoint_url;
  return s3::Client::create(std::move(options));
}

// Deterministic bytes that do not compress, generated at any offset, so the multipart
// object can be streamed up and checked on the way down without being held.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

void fill_pattern(std::uint64_t offset, std::span<char> out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::uint64_t pos = offset + i;
    out[i] = static_cast<char>(mix(pos / 8) >> (8 * (pos % 8)));
  }
}

// A stream of unknown length, like a pipe: what a job's export looks like to the uploader.
class PatternSource final : public aws::BodySource {
 public:
  explicit PatternSource(std::uint64_t size) : size_(size) {}
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return std::nullopt; }
  Result<std::size_t> read(std::span<char> out) override {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - pos_));
    fill_pattern(pos_, out.first(n));
    pos_ += n;
    return n;
  }
  bool rewind() override {
    pos_ = 0;
    return true;
  }

 private:
  std::uint64_t size_;
  std::uint64_t pos_ = 0;
};

// Compares a download with the pattern as it arrives.
class PatternCheckSink final : public aws::BodySink {
 public:
  Status write(std::string_view bytes) override {
    expected_.resize(bytes.size());
    fill_pattern(pos_, std::span<char>(expected_.data(), expected_.size()));
    if (first_difference_ < 0 && bytes != std::string_view(expected_)) {
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] != expected_[i]) {
          first_difference_ = static_cast<std::int64_t>(pos_ + i);
          break;
        }
      }
    }
    pos_ += bytes.size();
    return {};
  }
  bool rewind() override {
    pos_ = 0;
    first_difference_ = -1;
    return true;
  }
  [[nodiscard]] std::uint64_t bytes() const { return pos_; }
  [[nodiscard]] std::int64_t first_difference() const { return first_difference_; }

 private:
  std::string expected_;
  std::uint64_t pos_ = 0;
  std::int64_t first_difference_ = -1;
};

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Prints "  step ... ok (12.3 ms) detail", or the error, and says whether to go on.
bool report(std::string_view step, Clock::time_point start, const Status& status,
            std::string_view detail = {}) {
  char timing[32];
  std::snprintf(timing, sizeof timing, "%.1f ms", ms_since(start));
  if (status.ok()) {
    std::cout << "  " << step << ": ok (" << timing << ")" << (detail.empty() ? "" : "  ") << detail << "\n";
    return true;
  }
  std::cout << "  " << step << ": FAILED (" << timing << ")\n";
  std::cerr << "dwh: " << status.error().to_string() << "\n";
  return false;
}

template <class T>
Status status_of(const Result<T>& r) {
  if (r.ok()) return {};
  return r.error();
}

struct RoundTripArgs {
  std::string bucket;
  std::string endpoint_url;
  std::uint64_t size_mib = 12;
  std::uint64_t part_mib = 5;
  int parts_in_flight = 4;
};

// The two objects a round trip writes and reads back: a small one and one uploaded in parts.
struct RoundTripObjects {
  std::string small_key = std::string(kRoundTripPrefix) + "hello.txt";
  std::string small_body = "hello from dwh: a small object, sent with Content-MD5 and a SHA-256 checksum\n";
  std::string big_key = std::string(kRoundTripPrefix) + "multipart.bin";
  std::uint64_t big_size = 0;
};

// Puts the small object and uploads the big one in parts; false (reported) on a failure.
bool put_objects(s3::Client& client, const std::string& bucket, const RoundTripArgs& args,
                 const RoundTripObjects& o) {
  auto t = Clock::now();
  auto put = client.put_object(bucket, o.small_key, o.small_body);
  if (!report("put small object", t, status_of(put),
              put.ok()
                  ? o.small_key + ", " + std::to_string(o.small_body.size()) + " bytes, etag " + put->etag
                  : "")) {
    return false;
  }

  PatternSource source(o.big_size);
  s3::UploadStats stats;
  s3::UploadOptions upload;
  upload.part_size = args.part_mib * kMiB;
  upload.max_in_flight = args.parts_in_flight;
  upload.stats = &stats;
  t = Clock::now();
  auto up = client.upload(bucket, o.big_key, source, upload);
  if (!up.ok()) return report("multipart upload", t, up.error());
  const double ms = ms_since(t);
  char detail[200];
  std::snprintf(detail, sizeof detail, "%s, %.1f MiB in %d parts, peak buffers %.1f MiB, %.1f MB/s",
                o.big_key.c_str(), static_cast<double>(o.big_size) / kMiB, stats.parts_uploaded.load(),
                static_cast<double>(stats.peak_buffered_bytes.load()) / kMiB,
                ms > 0 ? static_cast<double>(o.big_size) / 1e3 / ms : 0.0);
  return report("multipart upload", t, {}, detail);
}

// Lists the two objects and reads both back, comparing every byte; false (reported) on a failure.
bool read_back(s3::Client& client, const std::string& bucket, const RoundTripObjects& o) {
  auto t = Clock::now();
  auto listed = client.list_all_objects(bucket, kRoundTripPrefix);
  if (!report("list objects", t, status_of(listed),
              listed.ok()
                  ? std::to_string(listed->objects.size()) + " objects under " + std::string(kRoundTripPrefix)
                  : "")) {
    return false;
  }
  for (const auto& object : listed->objects)
    std::cout << "      " << object.size << "  " << object.key << "\n";
  if (listed->objects.size() != 2) {
    std::cerr << "dwh: expected 2 objects in the listing, got " << listed->objects.size() << "\n";
    return false;
  }

  t = Clock::now();
  auto small = client.get_object_string(bucket, o.small_key);
  if (small.ok() && *small != o.small_body) {
    return report("get small object", t, make_error("IntegrityError", "small object came back different"));
  }
  if (!report("get small object", t, status_of(small), "bytes match")) return false;

  PatternCheckSink check;
  t = Clock::now();
  auto big = client.get_object(bucket, o.big_key, check);
  if (big.ok() && (check.first_difference() >= 0 || check.bytes() != o.big_size)) {
    return report("get multipart object", t,
                  make_error("IntegrityError", "multipart object differs at byte " +
                                                   std::to_string(check.first_difference()) + " (" +
                                                   std::to_string(check.bytes()) + " bytes received)"));
  }
  return report("get multipart object", t, status_of(big),
                "bytes match, streamed without holding the object");
}

// Deletes the two objects; false (reported) when the call or either deletion failed.
bool delete_objects(s3::Client& client, const std::string& bucket, const RoundTripObjects& o) {
  const auto t = Clock::now();
  const std::vector<s3::ObjectId> ids = {{o.small_key, {}}, {o.big_key, {}}};
  auto deleted = client.delete_objects(bucket, ids);
  Status delete_status = status_of(deleted);
  if (deleted.ok() && !deleted->failures.empty()) {
    delete_status = make_error(deleted->failures[0].code, "could not delete " + deleted->failures[0].key);
  }
  return report("delete objects", t, delete_status);
}

int run_roundtrip(const RoundTripArgs& args) {
  auto created_client = make_client(args.endpoint_url);
  if (!created_client.ok()) {
    std::cerr << "dwh: " << created_client.error().to_string() << "\n";
    return kExitFailure;
  }
  s3::Client& client = **created_client;
  const std::string& bucket = args.bucket;
  std::cout << "S3 round trip on s3://" << bucket << " via " << client.service().endpoint().url << " ("
            << client.service().region() << ")\n";
  const auto total_start = Clock::now();

  auto t = Clock::now();
  if (client.head_bucket(bucket).ok()) {
    // Never delete a bucket we did not create.
    std::cerr << "dwh: bucket " << bucket << " already exists; pick a new name with --bucket\n";
    return kExitFailure;
  }
  if (!report("create bucket", t, client.create_bucket(bucket))) return kExitFailure;

  RoundTripObjects objects;
  objects.big_size = args.size_mib * kMiB + 123;  // a short last part
  auto delete_bucket = [&] {
    const auto start = Clock::now();
    return report("delete bucket", start, client.delete_bucket(bucket));
  };
  t = Clock::now();
  if (!report("head bucket", t, client.head_bucket(bucket)) || !put_objects(client, bucket, args, objects) ||
      !read_back(client, bucket, objects) || !delete_objects(client, bucket, objects) || !delete_bucket()) {
    // Cleans up whatever the round trip created, even after a failure.
    (void)client.empty_bucket(bucket);
    (void)client.delete_bucket(bucket);
    return kExitFailure;
  }

  char total[64];
  std::snprintf(total, sizeof total, "%.1f ms", ms_since(total_start));
  std::cout << "round trip ok in " << total << "\n";
  return 0;
}

int run_ls(const std::string& url_text, const std::string& endpoint_url, bool recursive) {
  auto client = make_client(endpoint_url);
  if (!client.ok()) {
    std::cerr << "dwh: " << client.error().to_string() << "\n";
    return kExitFailure;
  }
  if (url_text.empty() || url_text == "s3://") {
    auto buckets = (*client)->list_buckets();
    if (!buckets.ok()) {
      std::cerr << "dwh: " << buckets.error().to_string() << "\n";
      return kExitFailure;
    }
    for (const auto& b : *buckets) std::cout << b.creation_date << "  " << b.name << "\n";
    return 0;
  }
  auto url = parse_s3_url(url_text);
  if (!url) {
    std::cerr << "dwh: expected s3://bucket[/prefix], got " << url_text << "\n";
    return kExitFailure;
  }
  auto page = (*client)->list_all_objects(url->bucket, url->key, recursive ? "" : "/");
  if (!page.ok()) {
    std::cerr << "dwh: " << page.error().to_string() << "\n";
    return kExitFailure;
  }
  for (const auto& p : page->common_prefixes) std::cout << "                           PRE " << p << "\n";
  for (const auto& o : page->objects) {
    char size[32];
    std::snprintf(size, sizeof size, "%10llu", static_cast<unsigned long long>(o.size));
    std::cout << o.last_modified << " " << size << " " << o.key << "\n";
  }
  return 0;
}

int run_rm(const std::string& url_text, const std::string& endpoint_url, bool recursive) {
  auto url = parse_s3_url(url_text);
  if (!url || (url->key.empty() && !recursive)) {
    std::cerr << "dwh: expected s3://bucket/key (or s3://bucket/prefix with --recursive), got " << url_text
              << "\n";
    return kExitFailure;
  }
  auto client = make_client(endpoint_url);
  if (!client.ok()) {
    std::cerr << "dwh: " << client.error().to_string() << "\n";
    return kExitFailure;
  }
  if (!recursive) {
    if (auto s = (*client)->delete_object(url->bucket, url->key); !s.ok()) {
      std::cerr << "dwh: " << s.error().to_string() << "\n";
      return kExitFailure;
    }
    std::cout << "delete: " << url_text << "\n";
    return 0;
  }
  auto listed = (*client)->list_all_objects(url->bucket, url->key);
  if (!listed.ok()) {
    std::cerr << "dwh: " << listed.error().to_string() << "\n";
    return kExitFailure;
  }
  std::vector<s3::ObjectId> ids;
  for (const auto& o : listed->objects) ids.push_back({o.key, {}});
  auto result = (*client)->delete_objects(url->bucket, ids);
  if (!result.ok()) {
    std::cerr << "dwh: " << result.error().to_string() << "\n";
    return kExitFailure;
  }
  for (const auto& d : result->deleted) std::cout << "delete: s3://" << url->bucket << "/" << d.key << "\n";
  for (const auto& f : result->failures) {
    std::cerr << "dwh: could not delete s3://" << url->bucket << "/" << f.key << ": " << f.code << " "
              << f.message << "\n";
  }
  return result->failures.empty() ? 0 : kExitFailure;
}

}  // namespace

CLI::App* register_aws_s3_command(CLI::App& aws, int& exit_code) {
  auto* s3_app = aws.add_subcommand("s3", "S3 objects and buckets through dwh's own client");
  s3_app->require_subcommand(1);

  auto args = std::make_shared<RoundTripArgs>();
  auto* roundtrip = s3_app->add_subcommand(
      "roundtrip",
      "Create a bucket, upload a small and a multipart object, list, download and verify, "
      "then delete everything; prints each step with its time");
  roundtrip->add_option("--bucket", args->bucket, "Bucket to create (must not exist yet)")->required();
  roundtrip->add_option("--endpoint-url", args->endpoint_url,
                        "S3 endpoint (default: AWS_ENDPOINT_URL* or AWS)");
  roundtrip->add_option("--size-mib", args->size_mib, "Size of the multipart object in MiB")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  roundtrip->add_option("--part-mib", args->part_mib, "Part size in MiB (at least 5)")
      ->capture_default_str()
      ->check(CLI::Range(5, 512));
  roundtrip->add_option("--parts-in-flight", args->parts_in_flight, "Parts uploaded at once")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  roundtrip->callback([args, &exit_code] { exit_code = run_roundtrip(*args); });

  struct ListArgs {
    std::string url;
    std::string endpoint_url;
    bool recursive = false;
  };
  auto ls_args = std::make_shared<ListArgs>();
  auto* ls =
      s3_app->add_subcommand("ls", "List buckets, or the objects and prefixes under s3://bucket/prefix");
  ls->add_option("url", ls_args->url, "s3://bucket[/prefix] (omit to list buckets)");
  ls->add_option("--endpoint-url", ls_args->endpoint_url, "S3 endpoint (default: AWS_ENDPOINT_URL* or AWS)");
  ls->add_flag("--recursive", ls_args->recursive, "List every object under the prefix, not one level");
  ls->callback(
      [ls_args, &exit_code] { exit_code = run_ls(ls_args->url, ls_args->endpoint_url, ls_args->recursive); });

  auto rm_args = std::make_shared<ListArgs>();
  auto* rm =
      s3_app->add_subcommand("rm", "Delete s3://bucket/key, or everything under a prefix with --recursive");
  rm->add_option("url", rm_args->url, "s3://bucket/key")->required();
  rm->add_option("--endpoint-url", rm_args->endpoint_url, "S3 endpoint (default: AWS_ENDPOINT_URL* or AWS)");
  rm->add_flag("--recursive", rm_args->recursive, "Delete every object under the prefix (1,000 per request)");
  rm->callback(
      [rm_args, &exit_code] { exit_code = run_rm(rm_args->url, rm_args->endpoint_url, rm_args->recursive); });
  return s3_app;
}

}  // namespace dwh::cli
