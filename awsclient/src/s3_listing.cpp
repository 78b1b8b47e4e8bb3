// S3 listings and bulk deletes: ListObjectsV2, ListObjectVersions, DeleteObjects in batches
// of 1,000, and empty_bucket, which teardown uses on versioned buckets.
#include <algorithm>

#include "dwh/aws/s3.hpp"
#include "dwh/aws/xml.hpp"
#include "s3_internal.hpp"

namespace dwh::aws::s3 {
namespace {

// Keys in listings are asked for URL-encoded (so control characters survive XML); a server
// that ignores the request does not echo EncodingType, and its keys are taken as they are.
struct KeyDecoder {
  bool url = false;
  std::string operator()(const std::string& text) const { return url ? detail::url_decode(text) : text; }
};

KeyDecoder decoder_for(const xml::Node& root) {
  return KeyDecoder{root.child_text("EncodingType") == "url"};
}

void add_if(QueryList& q, std::string_view name, std::string_view value) {
  if (!value.empty()) q.emplace_back(std::string(name), std::string(value));
}

std::vector<std::string> common_prefixes(const xml::Node& root, const KeyDecoder& decode) {
  std::vector<std::string> out;
  for (const auto& cp : root.children("CommonPrefixes")) out.push_back(decode(cp.child_text("Prefix")));
  return out;
}

bool is_unsupported(const Error& e) {
  return e.code == "NotImplemented" || e.code == "MethodNotAllowed";
}

}  // namespace

Result<ListObjectsPage> Client::list_objects_v2(std::string_view bucket, const ListObjectsRequest& req) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket);
  r.query.emplace_back("list-type", "2");
  add_if(r.query, "continuation-token", req.continuation_token);
  add_if(r.query, "delimiter", req.delimiter);
  r.query.emplace_back("encoding-type", "url");
  if (req.max_keys > 0) r.query.emplace_back("max-keys", std::to_string(req.max_keys));
  add_if(r.query, "prefix", req.prefix);
  add_if(r.query, "start-after", req.start_after);
  auto resp = call("ListObjectsV2", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  auto doc = detail::parse_answer(*resp, "ListObjectsV2", "ListBucketResult", bucket);
  if (!doc.ok()) return std::move(doc).error();
  const xml::Node root = doc->root();
  const KeyDecoder decode = decoder_for(root);
  ListObjectsPage page;
  for (const auto& c : root.children("Contents")) {
    ObjectSummary o;
    o.key = decode(c.child_text("Key"));
    o.size = detail::to_u64(c.child_text("Size"));
    o.etag = detail::unquote(c.child_text("ETag"));
    o.last_modified = c.child_text("LastModified");
    o.storage_class = c.child_text("StorageClass");
    page.objects.push_back(std::move(o));
  }
  page.common_prefixes = common_prefixes(root, decode);
  page.is_truncated = root.child_text("IsTruncated") == "true";
  page.next_continuation_token = root.child_text("NextContinuationToken");
  if (page.is_truncated && page.next_continuation_token.empty()) {
    return make_error("MalformedResponse",
                      "ListObjectsV2 answer is truncated but has no NextContinuationToken (" +
                          detail::resource(bucket) + ")");
  }
  return page;
}

Result<ListObjectsPage> Client::list_all_objects(std::string_view bucket, std::string_view prefix,
                                                 std::string_view delimiter) {
  ListObjectsPage all;
  ListObjectsRequest req;
  req.prefix = std::string(prefix);
  req.delimiter = std::string(delimiter);
  for (;;) {
    auto page = list_objects_v2(bucket, req);
    if (!page.ok()) return std::move(page).error();
    std::move(page->objects.begin(), page->objects.end(), std::back_inserter(all.objects));
    std::move(page->common_prefixes.begin(), page->common_prefixes.end(),
              std::back_inserter(all.common_prefixes));
    if (!page->is_truncated) break;
    req.continuation_token = page->next_continuation_token;
  }
  return all;
}

Result<ListVersionsPage> Client::list_object_versions(std::string_view bucket,
                                                      const ListVersionsRequest& req) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket);
  r.query.emplace_back("versions", "");
  add_if(r.query, "delimiter", req.delimiter);
  r.query.emplace_back("encoding-type", "url");
  add_if(r.query, "key-marker", req.key_marker);
  if (req.max_keys > 0) r.query.emplace_back("max-keys", std::to_string(req.max_keys));
  add_if(r.query, "prefix", req.prefix);
  add_if(r.query, "version-id-marker", req.version_id_marker);
  auto resp = call("ListObjectVersions", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  auto doc = detail::parse_answer(*resp, "ListObjectVersions", "ListVersionsResult", bucket);
  if (!doc.ok()) return std::move(doc).error();
  const xml::Node root = doc->root();
  const KeyDecoder decode = decoder_for(root);
  ListVersionsPage page;
  for (const auto& v : root.children("")) {
    const std::string name = v.name();
    if (name != "Version" && name != "DeleteMarker") continue;
    ObjectVersion o;
    o.key = decode(v.child_text("Key"));
    o.version_id = v.child_text("VersionId");
    o.is_latest = v.child_text("IsLatest") == "true";
    o.is_delete_marker = name == "DeleteMarker";
    o.size = detail::to_u64(v.child_text("Size"));
    o.etag = detail::unquote(v.child_text("ETag"));
    o.last_modified = v.child_text("LastModified");
    page.versions.push_back(std::move(o));
  }
  page.common_prefixes = common_prefixes(root, decode);
  page.is_truncated = root.child_text("IsTruncated") == "true";
  page.next_key_marker = decode(root.child_text("NextKeyMarker"));
  page.next_version_id_marker = root.child_text("NextVersionIdMarker");
  return page;
}

Result<DeleteObjectsResult> Client::delete_batch(std::string_view bucket, std::span<const ObjectId> objects) {
  xml::Writer w("Delete", kXmlns);
  w.element("Quiet", "false");
  for (const auto& o : objects) {
    w.open("Object").element("Key", o.key);
    if (!o.version_id.empty()) w.element("VersionId", o.version_id);
    w.close();
  }
  HttpRequest r = request("POST", bucket);
  r.query.emplace_back("delete", "");
  detail::set_xml_body(r, w.finish());
  auto resp = call("DeleteObjects", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  auto doc = detail::parse_answer(*resp, "DeleteObjects", "DeleteResult", bucket);
  if (!doc.ok()) return std::move(doc).error();
  DeleteObjectsResult out;
  for (const auto& d : doc->root().children("Deleted")) {
    out.deleted.push_back({d.child_text("Key"), d.child_text("VersionId")});
  }
  for (const auto& e : doc->root().children("Error")) {
    out.failures.push_back(
        {e.child_text("Key"), e.child_text("VersionId"), e.child_text("Code"), e.child_text("Message")});
  }
  return out;
}

Result<DeleteObjectsResult> Client::delete_objects(std::string_view bucket,
                                                   std::span<const ObjectId> objects) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  for (const auto& o : objects) {
    if (auto s = validate_key(o.key); !s.ok()) return std::move(s).error();
  }
  DeleteObjectsResult all;
  for (std::size_t start = 0; start < objects.size(); start += kMaxDeleteBatch) {
    const std::size_t n = std::min(kMaxDeleteBatch, objects.size() - start);
    auto batch = delete_batch(bucket, objects.subspan(start, n));
    if (!batch.ok()) return std::move(batch).error();
    std::move(batch->deleted.begin(), batch->deleted.end(), std::back_inserter(all.deleted));
    std::move(batch->failures.begin(), batch->failures.end(), std::back_inserter(all.failures));
  }
  return all;
}

Result<std::uint64_t> Client::empty_bucket(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  std::uint64_t deleted = 0;
  bool versioned_listing = true;
  ObjectId previous_first;
  // Always list from the start: what was listed has just been deleted.
  for (;;) {
    std::vector<ObjectId> ids;
    if (versioned_listing) {
      auto page = list_object_versions(bucket, {});
      if (!page.ok()) {
        // Servers without versioning (local stand-ins) only have current objects.
        if (!is_unsupported(page.error())) return std::move(page).error();
        versioned_listing = false;
        continue;
      }
      for (auto& v : page->versions) ids.push_back({std::move(v.key), std::move(v.version_id)});
    } else {
      auto page = list_objects_v2(bucket, {});
      if (!page.ok()) return std::move(page).error();
      for (auto& o : page->objects) ids.push_back({std::move(o.key), {}});
    }
    if (ids.empty()) break;
    if (ids.front().key == previous_first.key && ids.front().version_id == previous_first.version_id) {
      return make_error("DeleteFailed", "object " + ids.front().key +
                                            " is still listed after being deleted from " +
                                            detail::resource(bucket));
    }
    previous_first = ids.front();
    auto result = delete_objects(bucket, ids);
    if (!result.ok()) return std::move(result).error();
    if (!result->failures.empty()) {
      const auto& f = result->failures.front();
      return make_error("DeleteFailed", std::to_string(result->failures.size()) +
                                            " object(s) could not be deleted from " +
                                            detail::resource(bucket) + "; first: " + f.key +
                                            (f.version_id.empty() ? "" : " version " + f.version_id) + ": " +
                                            f.code + " " + f.message);
    }
    deleted += ids.size();
  }
  return deleted;
}

}  // namespace dwh::aws::s3
