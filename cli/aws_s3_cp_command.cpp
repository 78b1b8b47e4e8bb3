// `dwh aws s3 cp SRC DST`: copies between local paths (or '-' for stdin/stdout) and s3:// URLs,
// a directory tree with --recursive. Large files and stdin go up as streamed multipart uploads.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "commands.hpp"
#include "dwh/aws/s3_transfer.hpp"
#include "dwh/core/log.hpp"

namespace dwh::cli {
namespace {
namespace fs = std::filesystem;
namespace s3 = dwh::aws::s3;

struct S3Url {
  std::string bucket;
  std::string key;
};

std::optional<S3Url> parse_s3_url(const std::string& text) {
  constexpr std::string_view scheme = "s3://";
  if (text.rfind(scheme, 0) != 0) return std::nullopt;
  std::string rest = text.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash == std::string::npos) return S3Url{rest, ""};
  return S3Url{rest.substr(0, slash), rest.substr(slash + 1)};
}

// Standard input as an upload body of unknown length: it cannot rewind, so the uploader
// buffers each part (and retries a part from its buffer).
class StdinSource final : public dwh::aws::BodySource {
 public:
  [[nodiscard]] std::optional<std::uint64_t> size() const override { return std::nullopt; }
  dwh::Result<std::size_t> read(std::span<char> out) override {
    for (;;) {
      ssize_t n = ::read(0, out.data(), out.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        return dwh::make_error("LocalIOError",
                               std::string("cannot read standard input: ") + std::strerror(errno));
      return static_cast<std::size_t>(n);
    }
  }
  bool rewind() override { return false; }
};

class StdoutSink final : public dwh::aws::BodySink {
 public:
  dwh::Status write(std::string_view bytes) override {
    if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
      return dwh::make_error("LocalIOError", "cannot write standard output");
    written_ = true;
    return {};
  }
  bool rewind() override { return !written_; }  // bytes already on stdout cannot be taken back
 private:
  bool written_ = false;
};

struct CpOptions {
  std::string source;
  std::string destination;
  bool recursive = false;
  std::string endpoint_url;
  std::string region;
  s3::TransferOptions transfer;
  int part_size_mib = 8;
};

dwh::Result<s3::TransferStats> copy(s3::Client& client, const CpOptions& o) {
  auto src = parse_s3_url(o.source);
  auto dst = parse_s3_url(o.destination);
  if (src && dst)
    return dwh::make_error("Usage",
                           "copying between two s3:// URLs is not supported; one side must be local");
  if (!src && !dst) return dwh::make_error("Usage", "one of SRC and DST must be an s3:// URL");

  if (dst) {  // upload
    if (o.recursive) return s3::upload_directory(client, o.source, dst->bucket, dst->key, o.transfer);
    if (o.source == "-") {
      StdinSource in;
      auto put = client.upload(dst->bucket, dst->key, in, o.transfer.upload);
      if (!put) return std::move(put).error();
      return s3::TransferStats{1, 0};
    }
    std::string key = dst->key;
    if (key.empty() || key.back() == '/') key += fs::path(o.source).filename().string();
    auto put = s3::upload_file(client, o.source, dst->bucket, key, o.transfer);
    if (!put) return std::move(put).error();
    std::error_code ec;
    return s3::TransferStats{1, fs::file_size(o.source, ec)};
  }

  // download
  if (o.recursive) return s3::download_prefix(client, src->bucket, src->key, o.destination, o.transfer);
  if (o.destination == "-") {
    StdoutSink out;
    auto got = client.get_object(src->bucket, src->key, out);
    if (!got) return std::move(got).error();
    return s3::TransferStats{1, got->content_length};
  }
  fs::path target = o.destination;
  if (fs::is_directory(target) || o.destination.back() == '/') target /= fs::path(src->key).filename();
  auto got = s3::download_file(client, src->bucket, src->key, target);
  if (!got) return std::move(got).error();
  return s3::TransferStats{1, got->content_length};
}

}  // namespace

void register_aws_s3_cp_command(CLI::App& s3_app, int& exit_code) {
  auto opts = std::make_shared<CpOptions>();
  auto* cmd =
      s3_app.add_subcommand("cp", "Copy files to or from S3 ('-' is stdin/stdout; --recursive for trees)");
  cmd->add_option("SRC", opts->source, "Local path, '-', or s3://bucket/key")->required();
  cmd->add_option("DST", opts->destination, "Local path, '-', or s3://bucket/key")->required();
  cmd->add_flag("--recursive,-r", opts->recursive,
                "Copy every file under a directory, or every object under a prefix");
  cmd->add_option("--endpoint-url", opts->endpoint_url,
                  "S3 endpoint (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS)");
  cmd->add_option("--region", opts->region,
                  "Region (default: AWS_REGION, AWS_DEFAULT_REGION, or the profile)");
  cmd->add_option("--concurrency", opts->transfer.concurrency, "Objects in flight at once")
      ->default_val(10)
      ->check(CLI::Range(1, 256));
  cmd->add_option("--part-size-mib", opts->part_size_mib, "Multipart part size in MiB")
      ->default_val(8)
      ->check(CLI::Range(5, 5120));
  cmd->add_option("--parts-in-flight", opts->transfer.upload.max_in_flight,
                  "Parts buffered or uploading at once per file")
      ->default_val(4)
      ->check(CLI::Range(1, 64));
  cmd->callback([opts, &exit_code] {
    opts->transfer.upload.part_size = static_cast<std::uint64_t>(opts->part_size_mib) << 20;
    dwh::aws::ClientOptions client_options;
    client_options.region = opts->region;
    if (!opts->endpoint_url.empty()) client_options.endpoint_url = opts->endpoint_url;
    auto client = s3::Client::create(std::move(client_options));
    if (!client) {
      std::cerr << "dwh aws s3 cp: " << client.error().to_string() << "\n";
      exit_code = 1;
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    auto stats = copy(**client, *opts);
    if (!stats) {
      std::cerr << "dwh aws s3 cp: " << stats.error().to_string() << "\n";
      exit_code = 1;
      return;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    dwh::log::info("copied", {{"objects", stats->objects},
                              {"bytes", stats->bytes},
                              {"seconds", seconds},
                              {"source", opts->source},
                              {"destination", opts->destination}});
  });
}

}  // namespace dwh::cli
