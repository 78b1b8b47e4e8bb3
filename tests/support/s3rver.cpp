#include "s3rver.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "dwh/aws/credentials.hpp"

extern char** environ;

namespace dwh::test {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(15);
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr int kStartAttempts = 3;

std::string node_modules() {
  return std::string(DWH_SOURCE_DIR) + "/.node/node_modules";
}
std::string launcher() {
  return std::string(DWH_SOURCE_DIR) + "/tests/support/s3rver_launcher.js";
}

bool accepts_connections(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

S3rver& S3rver::instance() {
  // Function-local static: started by the first test that asks, stopped at process exit.
  static std::unique_ptr<S3rver> server;
  static std::mutex mu;
  std::lock_guard lock(mu);
  if (!server) {
    server.reset(new S3rver());
    server->start();
  }
  return *server;
}

S3rver::S3rver() {
  work_dir_ = make_temp_dir("s3rver");
  data_dir_ = work_dir_ + "/data";
  std::filesystem::create_directories(data_dir_);
  // The AWS CLI needs path style for this server; a private config file keeps the user's out.
  // Its multipart settings are spelled out so tests know when it uploads in parts.
  std::ofstream(work_dir_ + "/aws-config")
      << "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n"
         "  multipart_threshold = 8MB\n  multipart_chunksize = 5MB\n";
}

void S3rver::start() {
  if (!std::filesystem::exists(node_modules() + "/@20minutes/s3rver/lib/cli.js")) {
    throw std::runtime_error("s3rver is not installed under " + node_modules() +
                             "; run ci/install-deps.sh (npm install @20minutes/s3rver@5.0.0)");
  }
  const std::string log_path = work_dir_ + "/s3rver.log";
  const std::string node = find_in_path("node");
  if (node.empty()) throw std::runtime_error("node is not on PATH; run ci/install-deps.sh");
  // Everything the child needs is built before fork(): after it, only async-signal-safe
  // calls are allowed, since other threads (TBB workers, stubs) may hold the malloc lock.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with("NODE_OPTIONS=") && !entry.starts_with("NODE_PATH="))
      env_strings.emplace_back(entry);
  }
  env_strings.push_back("NODE_OPTIONS=--openssl-legacy-provider");
  env_strings.push_back("NODE_PATH=" + node_modules());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  for (int attempt = 1; attempt <= kStartAttempts; ++attempt) {
    port_ = free_port();
    std::vector<std::string> args = {
        node, launcher(), "-d", data_dir_, "-a", "127.0.0.1", "-p", std::to_string(port_), "--silent"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      // The server dies with the thread that started it (the test's main thread).
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (log >= 0) {
        dup2(log, 1);
        dup2(log, 2);
      }
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    if (log >= 0) close(log);
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (accepts_connections(port_)) return;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;  // exited: perhaps the port was taken meanwhile; try another
      }
      std::this_thread::sleep_for(kPollInterval);
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  throw std::runtime_error("s3rver did not start; its log (" + log_path + "):\n" + read_file(log_path));
}

S3rver::~S3rver() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(work_dir_, ec);
}

std::string S3rver::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

aws::ClientOptions S3rver::client_options() const {
  return client_options_with_secret(kSecretKey);
}

aws::ClientOptions S3rver::client_options_with_secret(std::string secret) const {
  aws::ClientOptions o;
  o.region = kRegion;
  o.endpoint_url = endpoint();
  aws::Credentials c;
  c.access_key_id = kAccessKey;
  c.secret_access_key = std::move(secret);
  o.credentials = aws::static_credentials(std::move(c));
  o.s3_force_path_style = true;
  return o;
}

std::map<std::string, std::string> S3rver::cli_environment() const {
  return {{"AWS_ACCESS_KEY_ID", kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", kSecretKey},
          {"AWS_REGION", kRegion},
          {"AWS_ENDPOINT_URL", endpoint()},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_PROFILE", kUnsetEnv},
          {"AWS_SESSION_TOKEN", kUnsetEnv},
          {"AWS_CONFIG_FILE", "/nonexistent"},
          {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"}};
}

ProcessResult S3rver::aws_cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"/usr/bin/aws", "--endpoint-url", endpoint()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, {
                               {"AWS_ACCESS_KEY_ID", kAccessKey},
                               {"AWS_SECRET_ACCESS_KEY", kSecretKey},
                               {"AWS_DEFAULT_REGION", kRegion},
                               {"AWS_REGION", kRegion},
                               {"AWS_CONFIG_FILE", work_dir_ + "/aws-config"},
                               {"AWS_SHARED_CREDENTIALS_FILE", work_dir_ + "/no-credentials"},
                               {"AWS_EC2_METADATA_DISABLED", "true"},
                               {"AWS_PAGER", ""},
                               {"AWS_PROFILE", kUnsetEnv},
                               {"AWS_ENDPOINT_URL", kUnsetEnv},
                               {"AWS_ENDPOINT_URL_S3", kUnsetEnv},
                               {"AWS_SESSION_TOKEN", kUnsetEnv},
                           });
}

std::string unique_bucket(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
}

namespace {
std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

void fill_random(std::uint64_t offset, std::span<char> out, std::uint64_t seed) {
  std::size_t i = 0;
  while (i < out.size()) {
    const std::uint64_t pos = offset + i;
    const std::uint64_t word = splitmix(seed * 0x100000001B3ull + pos / 8);
    for (std::uint64_t b = pos % 8; b < 8 && i < out.size(); ++b, ++i)
      out[i] = static_cast<char>(word >> (8 * b));
  }
}

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::string out(n, '\0');
  fill_random(0, std::span<char>(out.data(), out.size()), seed);
  return out;
}

std::optional<std::uint64_t> GeneratedSource::size() const {
  return known_size_ ? std::optional<std::uint64_t>(size_) : std::nullopt;
}

Result<std::size_t> GeneratedSource::read(std::span<char> out) {
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - pos_));
  fill_random(pos_, out.first(n), seed_);
  pos_ += n;
  return n;
}

bool GeneratedSource::rewind() {
  pos_ = 0;
  return true;
}

Md5Sink::Md5Sink() : ctx_(EVP_MD_CTX_new()) {
  rewind();
}
Md5Sink::~Md5Sink() {
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

Status Md5Sink::write(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
  bytes_ += bytes.size();
  return {};
}

bool Md5Sink::rewind() {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_md5(), nullptr);
  bytes_ = 0;
  return true;
}

std::string Md5Sink::hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out, &n);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string h;
  for (unsigned int i = 0; i < n; ++i) {
    h.push_back(kHex[out[i] >> 4]);
    h.push_back(kHex[out[i] & 0xF]);
  }
  return h;
}

std::string random_md5(std::uint64_t size, std::uint64_t seed) {
  Md5Sink sink;
  std::string buffer(1u << 20, '\0');
  for (std::uint64_t off = 0; off < size; off += buffer.size()) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - off));
    fill_random(off, std::span<char>(buffer.data(), n), seed);
    (void)sink.write(std::string_view(buffer.data(), n));
  }
  return sink.hex();
}

}  // namespace dwh::test
