// S3 multipart upload: the individual requests, the RAII guard that aborts an unfinished
// upload, and the streaming uploader (a TBB pipeline with a bounded number of part buffers).
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_pipeline.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <mutex>

#include "dwh/aws/s3.hpp"
#include "dwh/aws/xml.hpp"
#include "dwh/core/first_error.hpp"
#include "dwh/core/log.hpp"
#include "s3_internal.hpp"

namespace dwh::aws::s3 {
namespace {

Error invalid(std::string message, std::string_view bucket, std::string_view key) {
  return make_error("InvalidArgument", std::move(message) + " (" + detail::resource(bucket, key) + ")");
}

void raise_to(std::atomic<std::uint64_t>& peak, std::uint64_t value) {
  std::uint64_t seen = peak.load();
  while (value > seen && !peak.compare_exchange_weak(seen, value)) {
  }
}

void raise_to(std::atomic<int>& peak, int value) {
  int seen = peak.load();
  while (value > seen && !peak.compare_exchange_weak(seen, value)) {
  }
}

// One part's bytes. Buffers are recycled through the pool, so memory stays at
// (parts in flight) × (part size) however long the stream is.
struct PartBuffer {
  std::unique_ptr<char[]> data;
  std::uint64_t capacity = 0;
  std::uint64_t size = 0;
  int number = 0;
  [[nodiscard]] std::string_view view() const { return {data.get(), static_cast<std::size_t>(size)}; }
};

class BufferPool {
 public:
  explicit BufferPool(UploadStats* stats) : stats_(stats) {}
  ~BufferPool() {
    for (auto& b : free_) release_bytes(b->capacity);
  }

  std::unique_ptr<PartBuffer> take(std::uint64_t capacity) {
    {
      std::lock_guard lock(mu_);
      while (!free_.empty()) {
        std::unique_ptr<PartBuffer> b = std::move(free_.back());
        free_.pop_back();
        if (b->capacity == capacity) {
          b->size = 0;
          return b;
        }
        release_bytes(b->capacity);  // the part size grew; this one is too small
      }
    }
    auto b = std::make_unique<PartBuffer>();
    // Not value-initialised: the bytes are overwritten by the read anyway.
    b->data.reset(new char[capacity]);
    b->capacity = capacity;
    if (stats_) {
      const std::uint64_t now = stats_->buffered_bytes.fetch_add(capacity) + capacity;
      raise_to(stats_->peak_buffered_bytes, now);
    }
    return b;
  }

  void give_back(std::unique_ptr<PartBuffer> b) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
  }

 private:
  void release_bytes(std::uint64_t n) {
    if (stats_) stats_->buffered_bytes.fetch_sub(n);
  }
  UploadStats* stats_;
  std::mutex mu_;
  std::vector<std::unique_ptr<PartBuffer>> free_;
};

// Fills the buffer from the source; short only at the end of the stream.
Status fill(BodySource& source, PartBuffer& part) {
  while (part.size < part.capacity) {
    const auto want = static_cast<std::size_t>(part.capacity - part.size);
    auto n = source.read(std::span<char>(part.data.get() + part.size, want));
    if (!n.ok()) return std::move(n).error();
    if (*n == 0) break;
    part.size += *n;
  }
  return {};
}

// Checks the options, and the stream's size when it is known, against S3's multipart limits.
Status check_upload_options(std::string_view bucket, std::string_view key, const UploadOptions& options,
                            std::optional<std::uint64_t> total) {
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    return invalid("part size " + std::to_string(options.part_size) + " is outside S3's 5 MiB..5 GiB", bucket,
                   key);
  }
  if (options.max_in_flight < 1) return invalid("max_in_flight must be at least 1", bucket, key);
  if (options.max_parts < 1 || options.max_parts > kMaxParts) {
    return invalid("max_parts must be within 1..10000", bucket, key);
  }
  if (total && *total > static_cast<std::uint64_t>(options.max_parts) * kMaxPartSize) {
    return invalid(
        std::to_string(*total) + " bytes do not fit in " + std::to_string(options.max_parts) + " parts",
        bucket, key);
  }
  return {};
}

// Fills a part after the first: true when it holds bytes to upload, false at the end of the stream,
// an error when reading failed or the stream needs more than max_parts parts.
Result<bool> fill_next_part(BodySource& source, PartBuffer& part, int max_parts, std::uint64_t largest_part,
                            std::string_view bucket, std::string_view key) {
  if (auto s = fill(source, part); !s.ok()) return std::move(s).error();
  if (part.size == 0) return false;
  if (part.number > max_parts) {
    return make_error("TooManyParts", "the stream needs more than " + std::to_string(max_parts) +
                                          " parts of at most " + std::to_string(largest_part) +
                                          " bytes; raise part_size (" + detail::resource(bucket, key) + ")");
  }
  return true;
}

// Runs read -> upload with up to max_in_flight parts uploading at once.
template <class Read, class Upload>
void run_part_pipeline(int max_in_flight, Read& read_stage, Upload& upload_stage) {
  // The upload stage blocks on the network, so its concurrency is the number of parts in
  // flight, not the number of cores: give the arena that many threads even on a small machine.
  // The limit is process-wide and the smallest active one wins, so only ever raise it.
  const auto threads = static_cast<std::size_t>(max_in_flight) + 1;
  tbb::global_control allow(
      tbb::global_control::max_allowed_parallelism,
      std::max(threads, tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism)));
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(max_in_flight),
        tbb::make_filter<void, PartBuffer*>(tbb::filter_mode::serial_in_order, read_stage) &
            tbb::make_filter<PartBuffer*, void>(tbb::filter_mode::parallel, upload_stage));
  });
}

}  // namespace

// ---- Requests ----

Result<std::string> Client::create_multipart_upload(std::string_view bucket, std::string_view key,
                                                    const PutOptions& options) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  HttpRequest r = request("POST", bucket, key);
  r.query.emplace_back("uploads", "");
  detail::add_put_headers(r.headers, options);
  auto resp = call("CreateMultipartUpload", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  auto doc =
      detail::parse_answer(*resp, "CreateMultipartUpload", "InitiateMultipartUploadResult", bucket, key);
  if (!doc.ok()) return std::move(doc).error();
  std::string id = doc->root().child_text("UploadId");
  if (id.empty()) {
    return make_error("MalformedResponse",
                      "CreateMultipartUpload answer has no UploadId (" + detail::resource(bucket, key) + ")");
  }
  return id;
}

Result<CompletedPart> Client::upload_part(std::string_view bucket, std::string_view key,
                                          std::string_view upload_id, int part_number,
                                          std::string_view data) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  if (part_number < 1 || part_number > kMaxParts) {
    return invalid("part number " + std::to_string(part_number) + " is outside 1..10000", bucket, key);
  }
  core::StreamDigest md5(core::StreamDigest::Kind::Md5);
  md5.update(data);
  const std::string md5_raw = md5.finish();
  MemorySource body(data);
  HttpRequest r = request("PUT", bucket, key);
  r.query.emplace_back("partNumber", std::to_string(part_number));
  r.query.emplace_back("uploadId", std::string(upload_id));
  r.headers.emplace_back("content-md5", detail::base64(md5_raw));
  r.body_source = &body;
  r.request_timeout = std::chrono::milliseconds(0);
  auto resp = call("UploadPart", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  CompletedPart part;
  part.part_number = part_number;
  part.size = data.size();
  part.etag = detail::unquote(resp->header("etag").value_or(""));
  if (part.etag.empty()) {
    return make_error("MalformedResponse", "UploadPart " + std::to_string(part_number) +
                                               " answer has no ETag (" + detail::resource(bucket, key) + ")");
  }
  // A part's ETag is its MD5 unless KMS encrypts it.
  const auto sse = resp->header("x-amz-server-side-encryption");
  const std::string expected = detail::hex(md5_raw);
  if ((!sse || *sse == "AES256") && part.etag.size() == expected.size() && part.etag != expected) {
    return detail::integrity_error("UploadPart", bucket, key, "part " + std::to_string(part_number) + " ETag",
                                   expected, part.etag);
  }
  return part;
}

Result<PutResult> Client::complete_multipart_upload(std::string_view bucket, std::string_view key,
                                                    std::string_view upload_id,
                                                    std::vector<CompletedPart> parts) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  if (parts.empty()) return invalid("a multipart upload needs at least one part", bucket, key);
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a.part_number < b.part_number; });
  xml::Writer w("CompleteMultipartUpload", kXmlns);
  for (const auto& p : parts) {
    w.open("Part")
        .element("ETag", "\"" + p.etag + "\"")
        .element("PartNumber", std::to_string(p.part_number))
        .close();
  }
  HttpRequest r = request("POST", bucket, key);
  r.query.emplace_back("uploadId", std::string(upload_id));
  detail::set_xml_body(r, w.finish());
  auto resp = call("CompleteMultipartUpload", bucket, key, std::move(r), nullptr, true);
  if (!resp.ok()) return std::move(resp).error();
  // S3 may answer 200 and then report a failure in the body.
  auto doc =
      detail::parse_answer(*resp, "CompleteMultipartUpload", "CompleteMultipartUploadResult", bucket, key);
  if (!doc.ok()) return std::move(doc).error();
  PutResult out;
  out.etag = detail::unquote(doc->root().child_text("ETag"));
  if (auto v = resp->header("x-amz-version-id")) out.version_id = std::string(*v);
  return out;
}

Status Client::abort_multipart_upload(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id) {
  if (auto s = check_object(bucket, key); !s.ok()) return s;
  HttpRequest r = request("DELETE", bucket, key);
  r.query.emplace_back("uploadId", std::string(upload_id));
  auto resp = call("AbortMultipartUpload", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Result<ListPartsPage> Client::list_parts(std::string_view bucket, std::string_view key,
                                         std::string_view upload_id, int part_number_marker) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket, key);
  if (part_number_marker > 0) r.query.emplace_back("part-number-marker", std::to_string(part_number_marker));
  r.query.emplace_back("uploadId", std::string(upload_id));
  auto resp = call("ListParts", bucket, key, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  auto doc = detail::parse_answer(*resp, "ListParts", "ListPartsResult", bucket, key);
  if (!doc.ok()) return std::move(doc).error();
  ListPartsPage page;
  for (const auto& p : doc->root().children("Part")) {
    CompletedPart part;
    part.part_number = static_cast<int>(detail::to_u64(p.child_text("PartNumber")));
    part.etag = detail::unquote(p.child_text("ETag"));
    part.size = detail::to_u64(p.child_text("Size"));
    page.parts.push_back(std::move(part));
  }
  page.is_truncated = doc->root().child_text("IsTruncated") == "true";
  page.next_part_number_marker =
      static_cast<int>(detail::to_u64(doc->root().child_text("NextPartNumberMarker")));
  return page;
}

// ---- RAII guard ----

MultipartUpload::MultipartUpload(Client& client, std::string bucket, std::string key, std::string upload_id)
    : client_(&client), bucket_(std::move(bucket)), key_(std::move(key)), upload_id_(std::move(upload_id)) {}

MultipartUpload::MultipartUpload(MultipartUpload&& other) noexcept
    : client_(other.client_),
      bucket_(std::move(other.bucket_)),
      key_(std::move(other.key_)),
      upload_id_(std::move(other.upload_id_)),
      done_(other.done_) {
  other.done_ = true;
}

MultipartUpload::~MultipartUpload() {
  if (done_) return;
  // Parts of an unfinished upload are stored (and billed) until aborted.
  if (auto s = abort(); !s.ok()) {
    log::warn(
        "could not abort multipart upload",
        {{"bucket", bucket_}, {"key", key_}, {"upload_id", upload_id_}, {"error", s.error().to_string()}});
  }
}

Result<MultipartUpload> MultipartUpload::start(Client& client, std::string bucket, std::string key,
                                               const PutOptions& options) {
  auto id = client.create_multipart_upload(bucket, key, options);
  if (!id.ok()) return std::move(id).error();
  return MultipartUpload(client, std::move(bucket), std::move(key), std::move(id).value());
}

Result<CompletedPart> MultipartUpload::upload_part(int part_number, std::string_view data) {
  return client_->upload_part(bucket_, key_, upload_id_, part_number, data);
}

Result<PutResult> MultipartUpload::complete(std::vector<CompletedPart> parts) {
  auto r = client_->complete_multipart_upload(bucket_, key_, upload_id_, std::move(parts));
  if (r.ok()) done_ = true;
  return r;
}

Status MultipartUpload::abort() {
  done_ = true;  // one attempt only; the caller sees a failure
  return client_->abort_multipart_upload(bucket_, key_, upload_id_);
}

// ---- Streaming upload ----

namespace {

// The upload's first error, after aborting it (S3 would keep the parts of an unfinished upload).
Error aborted(MultipartUpload& upload, Error e) {
  if (auto s = upload.abort(); !s.ok()) {
    e.message +=
        "; the multipart upload " + upload.upload_id() + " could not be aborted: " + s.error().to_string();
  }
  return e;
}

}  // namespace

Result<PutResult> Client::upload(std::string_view bucket, std::string_view key, BodySource& source,
                                 const UploadOptions& options) {
  if (auto s = check_object(bucket, key); !s.ok()) return std::move(s).error();
  const std::optional<std::uint64_t> total = source.size();
  if (auto s = check_upload_options(bucket, key, options, total); !s.ok()) return std::move(s).error();
  auto size_of = [&](int n) { return part_size_for(n, options.part_size, total, options.grow_part_size); };

  BufferPool pool(options.stats);
  std::unique_ptr<PartBuffer> first = pool.take(size_of(1));
  first->number = 1;
  if (auto s = fill(source, *first); !s.ok()) return std::move(s).error();
  if (first->size < first->capacity) {
    // The whole stream fits in one part: one PutObject is cheaper than three requests.
    MemorySource body(first->view());
    return put_object(bucket, key, body, options.put);
  }

  auto upload = MultipartUpload::start(*this, std::string(bucket), std::string(key), options.put);
  if (!upload.ok()) return std::move(upload).error();

  core::FirstError failure;
  std::mutex parts_mu;
  std::vector<CompletedPart> parts;
  std::atomic<int> in_flight{0};
  int next_number = 1;
  bool source_done = false;

  auto read_stage = [&](tbb::flow_control& fc) -> PartBuffer* {
    if (failure.failed() || source_done) {
      fc.stop();
      return nullptr;
    }
    std::unique_ptr<PartBuffer> part;
    if (first) {
      part = std::move(first);
      next_number = 2;
    } else {
      part = pool.take(size_of(next_number));
      part->number = next_number++;
      auto more = fill_next_part(source, *part, options.max_parts, size_of(options.max_parts), bucket, key);
      if (!more.ok() || !*more) {
        if (!more.ok()) failure.set(std::move(more).error());
        pool.give_back(std::move(part));
        fc.stop();
        return nullptr;
      }
    }
    if (part->size < part->capacity) source_done = true;
    return part.release();
  };

  auto upload_stage = [&](PartBuffer* raw) {
    std::unique_ptr<PartBuffer> part(raw);
    if (!part) return;
    if (!failure.failed()) {
      const int now = in_flight.fetch_add(1) + 1;
      if (options.stats) raise_to(options.stats->max_parts_in_flight, now);
      auto done = upload->upload_part(part->number, part->view());
      in_flight.fetch_sub(1);
      if (done.ok()) {
        if (options.stats) options.stats->parts_uploaded.fetch_add(1);
        std::lock_guard lock(parts_mu);
        parts.push_back(std::move(done).value());
      } else {
        failure.set(std::move(done).error());
      }
    }
    pool.give_back(std::move(part));
  };

  run_part_pipeline(options.max_in_flight, read_stage, upload_stage);

  if (failure.failed()) return aborted(*upload, *failure.take());
  return upload->complete(std::move(parts));
}

}  // namespace dwh::aws::s3
