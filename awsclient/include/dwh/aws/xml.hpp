#pragma once
// libxml2 wrapper with namespace-tolerant lookups: elements are matched by local name,
// so real S3's namespace and other servers' (or none) all work.
// Parsing is locked down for untrusted input: no network (XML_PARSE_NONET), no entity
// substitution (no XML_PARSE_NOENT), documents with a DOCTYPE are refused outright (AWS never
// sends one; it is where entity bombs live), and input is capped at kMaxDocumentBytes.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dwh/core/result.hpp"

namespace dwh::aws::xml {

inline constexpr std::size_t kMaxDocumentBytes = 64u << 20;

// A view of one element; valid while its Document lives.
class Node {
 public:
  explicit Node(const void* node) : node_(node) {}
  [[nodiscard]] std::string name() const;  // local name
  [[nodiscard]] std::string text() const;  // all text below, entities and character references decoded
  // First child element with this local name (any namespace).
  [[nodiscard]] std::optional<Node> child(std::string_view local_name) const;
  // All child elements with this local name, in document order; an empty name means all.
  [[nodiscard]] std::vector<Node> children(std::string_view local_name) const;
  [[nodiscard]] std::string child_text(std::string_view local_name, std::string_view fallback = {}) const;
  // Path of local names below this node: "Error/Code".
  [[nodiscard]] std::optional<Node> find(std::string_view path) const;
  // This node or the first element below it (depth first) with this local name.
  [[nodiscard]] std::optional<Node> descendant(std::string_view local_name) const;
  [[nodiscard]] std::optional<std::string> attribute(std::string_view local_name) const;

 private:
  const void* node_;
};

class Document {
 public:
  // Error code "MalformedXML", with libxml2's reason and line.
  static Result<Document> parse(std::string_view text);
  [[nodiscard]] Node root() const;
  ~Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;

 private:
  Document() = default;
  void* doc_ = nullptr;
};

// Builds small request documents (CreateBucket, DeleteObjects, ...), escaping text.
// Writer("Delete", xmlns).element("Quiet", "true").open("Object").element("Key", k).close().finish()
// finish() closes whatever is still open, root included.
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

// Escapes &, <, >, " and '; control characters (tab, CR and LF included, so that they survive
// attribute and line-end normalisation) become numeric character references.
std::string escape(std::string_view text);

}  // namespace dwh::aws::xml
