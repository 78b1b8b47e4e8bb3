#include "dwh/aws/xml.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdio>
#include <mutex>

namespace dwh::aws::xml {
namespace {

const xmlNode* as_node(const void* p) {
  return static_cast<const xmlNode*>(p);
}

bool name_is(const xmlNode* n, std::string_view local_name) {
  return n->type == XML_ELEMENT_NODE && n->name != nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->name)) == local_name;
}

// libxml2 must be initialised once before threads use it concurrently.
void init_libxml() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

constexpr std::string_view kDoctype = "<!DOCTYPE";

}  // namespace

std::string Node::name() const {
  const xmlNode* n = as_node(node_);
  return n->name ? reinterpret_cast<const char*>(n->name) : "";
}

std::string Node::text() const {
  xmlChar* content = xmlNodeGetContent(as_node(node_));
  if (content == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return out;
}

std::optional<Node> Node::child(std::string_view local_name) const {
  for (const xmlNode* c = as_node(node_)->children; c != nullptr; c = c->next)
    if (name_is(c, local_name)) return Node(c);
  return std::nullopt;
}

std::vector<Node> Node::children(std::string_view local_name) const {
  std::vector<Node> out;
  for (const xmlNode* c = as_node(node_)->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (local_name.empty() || name_is(c, local_name)) out.emplace_back(c);
  }
  return out;
}

std::string Node::child_text(std::string_view local_name, std::string_view fallback) const {
  auto c = child(local_name);
  return c ? c->text() : std::string(fallback);
}

std::optional<Node> Node::find(std::string_view path) const {
  std::optional<Node> current = *this;
  while (!path.empty() && current) {
    auto slash = path.find('/');
    current = current->child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return current;
}

std::optional<Node> Node::descendant(std::string_view local_name) const {
  // Iterative pre-order walk: a hostile document may nest deeply, so no recursion.
  const xmlNode* start = as_node(node_);
  const xmlNode* n = start;
  while (n != nullptr) {
    if (name_is(n, local_name)) return Node(n);
    if (n->children != nullptr && n->type == XML_ELEMENT_NODE) {
      n = n->children;
      continue;
    }
    while (n != start && n->next == nullptr) n = n->parent;
    if (n == start) break;
    n = n->next;
  }
  return std::nullopt;
}

std::optional<std::string> Node::attribute(std::string_view local_name) const {
  for (const xmlAttr* a = as_node(node_)->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr || std::string_view(reinterpret_cast<const char*>(a->name)) != local_name)
      continue;
    xmlChar* value = xmlNodeListGetString(a->doc, a->children, 1);
    std::string out = value ? reinterpret_cast<const char*>(value) : "";
    xmlFree(value);
    return out;
  }
  return std::nullopt;
}

Result<Document> Document::parse(std::string_view text) {
  if (text.empty()) return make_error("MalformedXML", "empty XML document");
  if (text.size() > kMaxDocumentBytes)
    return make_error("MalformedXML", "XML document of " + std::to_string(text.size()) +
                                          " bytes exceeds the limit of " + std::to_string(kMaxDocumentBytes));
  if (text.find(kDoctype) != std::string_view::npos)
    return make_error("MalformedXML", "XML document with a DOCTYPE refused (AWS never sends one)");
  init_libxml();
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return make_error("MalformedXML", "cannot allocate an XML parser");
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr || xmlDocGetRootElement(doc) == nullptr || doc->intSubset != nullptr) {
    std::string reason = "not well-formed";
    if (doc != nullptr && doc->intSubset != nullptr) reason = "DOCTYPE refused";
    if (ctxt->lastError.message != nullptr) {
      reason = ctxt->lastError.message;
      while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
      reason += " at line " + std::to_string(ctxt->lastError.line);
    }
    if (doc != nullptr) xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return make_error("MalformedXML", "invalid XML: " + reason);
  }
  xmlFreeParserCtxt(ctxt);
  Document d;
  d.doc_ = doc;
  return d;
}

Node Document::root() const {
  return Node(xmlDocGetRootElement(static_cast<xmlDocPtr>(doc_)));
}

Document::~Document() {
  if (doc_ != nullptr) xmlFreeDoc(static_cast<xmlDocPtr>(doc_));
}

Document::Document(Document&& other) noexcept : doc_(other.doc_) {
  other.doc_ = nullptr;
}

Document& Document::operator=(Document&& other) noexcept {
  if (this != &other) {
    if (doc_ != nullptr) xmlFreeDoc(static_cast<xmlDocPtr>(doc_));
    doc_ = other.doc_;
    other.doc_ = nullptr;
  }
  return *this;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char ref[8];
          std::snprintf(ref, sizeof ref, "&#%d;", static_cast<int>(c));
          out += ref;
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

Writer::Writer(std::string_view root, std::string_view xmlns) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out_.append(root);
  if (!xmlns.empty()) out_.append(" xmlns=\"").append(escape(xmlns)).append("\"");
  out_ += ">";
  stack_.emplace_back(root);
}

Writer& Writer::open(std::string_view name) {
  out_.append("<").append(name).append(">");
  stack_.emplace_back(name);
  return *this;
}

Writer& Writer::close() {
  if (stack_.empty()) return *this;
  out_.append("</").append(stack_.back()).append(">");
  stack_.pop_back();
  return *this;
}

Writer& Writer::element(std::string_view name, std::string_view text) {
  out_.append("<").append(name).append(">").append(escape(text)).append("</").append(name).append(">");
  return *this;
}

std::string Writer::finish() {
  while (!stack_.empty()) close();
  return std::move(out_);
}

}  // namespace dwh::aws::xml
