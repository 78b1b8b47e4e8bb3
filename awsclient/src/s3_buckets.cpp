// S3 bucket operations: create/head/delete, versioning, default encryption, public-access
// block and tagging. Configuration bodies carry Content-MD5, which S3 requires on them.
#include "dwh/aws/s3.hpp"
#include "dwh/aws/xml.hpp"
#include "s3_internal.hpp"

namespace dwh::aws::s3 {
namespace {

constexpr std::string_view kUsEast1 = "us-east-1";

// HEAD answers have no body, so the error code must come from the status.
Error head_error(Error e, std::string_view not_found_code) {
  if (e.http_status == 404 && (e.code.empty() || e.code == "NotFound" || e.code == "404")) {
    e.code = std::string(not_found_code);
  } else if (e.http_status == 403 && (e.code.empty() || e.code == "Forbidden" || e.code == "403")) {
    e.code = "AccessDenied";
  }
  return e;
}

std::string bool_text(bool b) {
  return b ? "true" : "false";
}

}  // namespace

Result<std::vector<BucketSummary>> Client::list_buckets() {
  auto resp = call("ListBuckets", {}, {}, request("GET", {}));
  if (!resp.ok()) return std::move(resp).error();
  auto doc = detail::parse_answer(*resp, "ListBuckets", "ListAllMyBucketsResult", {});
  if (!doc.ok()) return std::move(doc).error();
  std::vector<BucketSummary> out;
  if (auto buckets = doc->root().child("Buckets")) {
    for (const auto& b : buckets->children("Bucket"))
      out.push_back({b.child_text("Name"), b.child_text("CreationDate")});
  }
  return out;
}

Status Client::create_bucket(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  HttpRequest r = request("PUT", bucket);
  // us-east-1 is the one region where a LocationConstraint is rejected.
  if (service_->region() != kUsEast1) {
    detail::set_xml_body(r, xml::Writer("CreateBucketConfiguration", kXmlns)
                                .element("LocationConstraint", service_->region())
                                .finish());
  }
  auto resp = call("CreateBucket", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Status Client::head_bucket(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  auto resp = call("HeadBucket", bucket, {}, request("HEAD", bucket));
  if (!resp.ok()) return head_error(std::move(resp).error(), "NoSuchBucket");
  return {};
}

Status Client::delete_bucket(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  auto resp = call("DeleteBucket", bucket, {}, request("DELETE", bucket));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Result<Versioning> Client::get_bucket_versioning(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket);
  r.query.emplace_back("versioning", "");
  auto resp = call("GetBucketVersioning", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  auto doc = detail::parse_answer(*resp, "GetBucketVersioning", "VersioningConfiguration", bucket);
  if (!doc.ok()) return std::move(doc).error();
  const std::string status = doc->root().child_text("Status");
  if (status == "Enabled") return Versioning::Enabled;
  if (status == "Suspended") return Versioning::Suspended;
  return Versioning::Unversioned;
}

Status Client::put_bucket_versioning(std::string_view bucket, Versioning state) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  if (state == Versioning::Unversioned) {
    return make_error("InvalidArgument",
                      "a bucket's versioning can only be Enabled or Suspended, never "
                      "returned to Unversioned (" +
                          detail::resource(bucket) + ")");
  }
  HttpRequest r = request("PUT", bucket);
  r.query.emplace_back("versioning", "");
  detail::set_xml_body(r, xml::Writer("VersioningConfiguration", kXmlns)
                              .element("Status", state == Versioning::Enabled ? "Enabled" : "Suspended")
                              .finish());
  auto resp = call("PutBucketVersioning", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Result<std::optional<BucketEncryption>> Client::get_bucket_encryption(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket);
  r.query.emplace_back("encryption", "");
  auto resp = call("GetBucketEncryption", bucket, {}, std::move(r));
  if (!resp.ok()) {
    if (resp.error().code == "ServerSideEncryptionConfigurationNotFoundError") {
      return std::optional<BucketEncryption>{};
    }
    return std::move(resp).error();
  }
  auto doc = detail::parse_answer(*resp, "GetBucketEncryption", "ServerSideEncryptionConfiguration", bucket);
  if (!doc.ok()) return std::move(doc).error();
  auto rule = doc->root().child("Rule");
  if (!rule) return std::optional<BucketEncryption>{};
  BucketEncryption enc;
  auto by_default = rule->child("ApplyServerSideEncryptionByDefault");
  const std::string algorithm = by_default ? by_default->child_text("SSEAlgorithm") : "";
  if (algorithm.starts_with("aws:kms")) {
    enc.algorithm = SseAlgorithm::Kms;
    enc.kms_key_id = by_default->child_text("KMSMasterKeyID");
  } else if (algorithm == "AES256") {
    enc.algorithm = SseAlgorithm::Aes256;
  } else {
    enc.algorithm = SseAlgorithm::None;
  }
  enc.bucket_key_enabled = rule->child_text("BucketKeyEnabled") == "true";
  return std::optional<BucketEncryption>(std::move(enc));
}

Status Client::put_bucket_encryption(std::string_view bucket, const BucketEncryption& config) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  if (config.algorithm == SseAlgorithm::None) {
    return make_error("InvalidArgument",
                      "default encryption needs AES256 or aws:kms; use "
                      "delete_bucket_encryption to remove it (" +
                          detail::resource(bucket) + ")");
  }
  xml::Writer w("ServerSideEncryptionConfiguration", kXmlns);
  w.open("Rule").open("ApplyServerSideEncryptionByDefault");
  if (config.algorithm == SseAlgorithm::Kms) {
    w.element("SSEAlgorithm", "aws:kms");
    if (!config.kms_key_id.empty()) w.element("KMSMasterKeyID", config.kms_key_id);
  } else {
    w.element("SSEAlgorithm", "AES256");
  }
  w.close();
  w.element("BucketKeyEnabled", bool_text(config.bucket_key_enabled));
  w.close();
  HttpRequest r = request("PUT", bucket);
  r.query.emplace_back("encryption", "");
  detail::set_xml_body(r, w.finish());
  auto resp = call("PutBucketEncryption", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Status Client::delete_bucket_encryption(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  HttpRequest r = request("DELETE", bucket);
  r.query.emplace_back("encryption", "");
  auto resp = call("DeleteBucketEncryption", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Result<std::optional<PublicAccessBlock>> Client::get_public_access_block(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket);
  r.query.emplace_back("publicAccessBlock", "");
  auto resp = call("GetPublicAccessBlock", bucket, {}, std::move(r));
  if (!resp.ok()) {
    if (resp.error().code == "NoSuchPublicAccessBlockConfiguration")
      return std::optional<PublicAccessBlock>{};
    return std::move(resp).error();
  }
  auto doc = detail::parse_answer(*resp, "GetPublicAccessBlock", "PublicAccessBlockConfiguration", bucket);
  if (!doc.ok()) return std::move(doc).error();
  const xml::Node root = doc->root();
  PublicAccessBlock pab;
  pab.block_public_acls = root.child_text("BlockPublicAcls") == "true";
  pab.ignore_public_acls = root.child_text("IgnorePublicAcls") == "true";
  pab.block_public_policy = root.child_text("BlockPublicPolicy") == "true";
  pab.restrict_public_buckets = root.child_text("RestrictPublicBuckets") == "true";
  return std::optional<PublicAccessBlock>(pab);
}

Status Client::put_public_access_block(std::string_view bucket, const PublicAccessBlock& config) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  HttpRequest r = request("PUT", bucket);
  r.query.emplace_back("publicAccessBlock", "");
  detail::set_xml_body(r, xml::Writer("PublicAccessBlockConfiguration", kXmlns)
                              .element("BlockPublicAcls", bool_text(config.block_public_acls))
                              .element("IgnorePublicAcls", bool_text(config.ignore_public_acls))
                              .element("BlockPublicPolicy", bool_text(config.block_public_policy))
                              .element("RestrictPublicBuckets", bool_text(config.restrict_public_buckets))
                              .finish());
  auto resp = call("PutPublicAccessBlock", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Status Client::delete_public_access_block(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  HttpRequest r = request("DELETE", bucket);
  r.query.emplace_back("publicAccessBlock", "");
  auto resp = call("DeletePublicAccessBlock", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Result<std::vector<Tag>> Client::get_bucket_tagging(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return std::move(s).error();
  HttpRequest r = request("GET", bucket);
  r.query.emplace_back("tagging", "");
  auto resp = call("GetBucketTagging", bucket, {}, std::move(r));
  if (!resp.ok()) {
    if (resp.error().code == "NoSuchTagSet") return std::vector<Tag>{};
    return std::move(resp).error();
  }
  auto doc = detail::parse_answer(*resp, "GetBucketTagging", "Tagging", bucket);
  if (!doc.ok()) return std::move(doc).error();
  std::vector<Tag> tags;
  if (auto set = doc->root().child("TagSet")) {
    for (const auto& t : set->children("Tag")) tags.push_back({t.child_text("Key"), t.child_text("Value")});
  }
  return tags;
}

Status Client::put_bucket_tagging(std::string_view bucket, const std::vector<Tag>& tags) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  xml::Writer w("Tagging", kXmlns);
  w.open("TagSet");
  for (const auto& t : tags) w.open("Tag").element("Key", t.key).element("Value", t.value).close();
  w.close();
  HttpRequest r = request("PUT", bucket);
  r.query.emplace_back("tagging", "");
  detail::set_xml_body(r, w.finish());
  auto resp = call("PutBucketTagging", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

Status Client::delete_bucket_tagging(std::string_view bucket) {
  if (auto s = check_bucket(bucket); !s.ok()) return s;
  HttpRequest r = request("DELETE", bucket);
  r.query.emplace_back("tagging", "");
  auto resp = call("DeleteBucketTagging", bucket, {}, std::move(r));
  if (!resp.ok()) return std::move(resp).error();
  return {};
}

}  // namespace dwh::aws::s3
