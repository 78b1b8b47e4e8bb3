#pragma once
// libxml2 wrapper with namespace-tolerant lookups: elements are matched by local name,
// so real S3's namespace and other servers' (or none) all work.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/result.hpp"

namespace dwh::aws::xml {

class Node {
 public:
  explicit Node(const void* node) : node_(node) {}
  std::string name() const;  // local name
  std::string text() const;
  std::optional<Node> child(std::string_view local_name) const;
  std::vector<Node> children(std::string_view local_name) const;
  std::string child_text(std::string_view local_name, std::string_view fallback = {}) const;
  // Path of local names: "Error/Code".
  std::optional<Node> find(std::string_view path) const;
 private:
  const void* node_;
};

class Document {
 public:
  static Result<Document> parse(std::string_view text);
  Node root() const;
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
 private:
  Document() = default;
  void* doc_ = nullptr;
};

// Builds small request documents (CreateBucket, DeleteObjects, ...), escaping text.
class Writer {
 public:
  explicit Writer(std::string_view root, std::string_view xmlns = {});
  Writer& open(std::string_view name);
  Writer& close();
  Writer& element(std::string_view name, std::string_view text);
  std::string finish();
 private:
  std::string out_;
  std::vector<std::string> stack_;
};

std::string escape(std::string_view text);

}  // namespace dwh::aws::xml
