// The libxml2 wrapper: lookups by local name whatever the namespace, safe parsing of
// untrusted input, and a writer whose output parses back to the same text.
#include "dwh/aws/xml.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using dwh::aws::xml::Document;
using dwh::aws::xml::Writer;

constexpr const char* kListing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="%NS%">
  <Name>bucket</Name>
  <Contents><Key>a &amp; b.txt</Key><Size>10</Size></Contents>
  <Contents><Key>   </Key><Size>20</Size></Contents>
  <Contents><Key>caf&#xE9;/&lt;x&gt;</Key><Size>30</Size></Contents>
  <IsTruncated>false</IsTruncated>
</ListBucketResult>)";

std::string listing(const std::string& ns) {
  std::string s = kListing;
  s.replace(s.find("%NS%"), 4, ns);
  return s;
}

TEST(Xml, LooksUpByLocalNameUnderAnyNamespace) {
  // Real S3's namespace, s3rver's, and an arbitrary one: the same lookups work.
  for (const std::string ns : {"http://s3.amazonaws.com/doc/2006-03-01/",
                               "http://doc.s3.amazonaws.com/2006-03-01", "urn:anything"}) {
    auto doc = Document::parse(listing(ns));
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    auto root = doc->root();
    EXPECT_EQ(root.name(), "ListBucketResult");
    EXPECT_EQ(root.child_text("Name"), "bucket");
    auto contents = root.children("Contents");
    ASSERT_EQ(contents.size(), 3u);
    EXPECT_EQ(contents[0].child_text("Key"), "a & b.txt");
    EXPECT_EQ(contents[1].child_text("Key"), "   ");  // whitespace-only keys survive
    EXPECT_EQ(contents[2].child_text("Key"), "caf\xC3\xA9/<x>");
    EXPECT_EQ(contents[2].child_text("Size"), "30");
    EXPECT_EQ(root.find("Contents/Size")->text(), "10");
  }
}

TEST(Xml, PrefixedNamespacesAndNoNamespace) {
  auto doc = Document::parse(
      R"(<s3:Error xmlns:s3="urn:x"><s3:Code>NoSuchKey</s3:Code><Message>m</Message></s3:Error>)");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root().name(), "Error");
  EXPECT_EQ(doc->root().child_text("Code"), "NoSuchKey");
  EXPECT_EQ(doc->root().child_text("Message"), "m");
}

TEST(Xml, MissingElementsAndFallbacks) {
  auto doc = Document::parse("<A><B>1</B></A>");
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(doc->root().child("C").has_value());
  EXPECT_EQ(doc->root().child_text("C", "dflt"), "dflt");
  EXPECT_FALSE(doc->root().find("B/C").has_value());
  EXPECT_TRUE(doc->root().children("C").empty());
  EXPECT_EQ(doc->root().children("").size(), 1u);
}

TEST(Xml, DescendantSearchesDepthFirstWithinTheNode) {
  auto doc = Document::parse(
      "<Response><Errors><Error><Code>Inner</Code></Error></Errors><RequestID>r1</"
      "RequestID><Tail><Code>Later</Code></Tail></Response>");
  ASSERT_TRUE(doc.ok());
  auto root = doc->root();
  EXPECT_EQ(root.descendant("Code")->text(), "Inner");
  EXPECT_EQ(root.descendant("RequestID")->text(), "r1");
  auto errors = root.child("Errors");
  ASSERT_TRUE(errors);
  EXPECT_FALSE(errors->descendant("RequestID").has_value());   // siblings of the start are not searched
  EXPECT_EQ(root.descendant("Response")->name(), "Response");  // the node itself counts
}

TEST(Xml, DeepNestingDoesNotRecurse) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "<a>";
  deep += "<Code>x</Code>";
  for (int i = 0; i < 200; ++i) deep += "</a>";
  auto doc = Document::parse(deep);
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->root().descendant("Code")->text(), "x");
}

TEST(Xml, Attributes) {
  auto doc = Document::parse(
      R"(<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser" id="7"/>)");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->root().attribute("type"), "CanonicalUser");
  EXPECT_EQ(doc->root().attribute("id"), "7");
  EXPECT_FALSE(doc->root().attribute("none").has_value());
}

TEST(Xml, MalformedInputIsAClearError) {
  for (const char* bad : {"", "not xml at all", "<Error><Code>x</Error>", "<a>", "<?xml version=\"1.0\"?>"}) {
    auto doc = Document::parse(bad);
    ASSERT_FALSE(doc.ok()) << bad;
    EXPECT_EQ(doc.error().code, "MalformedXML");
    EXPECT_FALSE(doc.error().message.empty());
  }
  auto doc = Document::parse("<Error>\n<Code>x</Error>");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("line 2"), std::string::npos) << doc.error().message;
}

TEST(Xml, DoctypeAndEntitiesAreRefused) {
  const char* bomb =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<lolz>&lol2;</lolz>";
  auto doc = Document::parse(bomb);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("DOCTYPE"), std::string::npos);
  const char* external =
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>";
  EXPECT_FALSE(Document::parse(external).ok());
  // An undeclared entity is not silently dropped.
  EXPECT_FALSE(Document::parse("<x>&e;</x>").ok());
}

TEST(Xml, OversizedInputIsRefusedBeforeParsing) {
  std::string huge(dwh::aws::xml::kMaxDocumentBytes + 1, ' ');
  auto doc = Document::parse(huge);
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message.find("exceeds the limit"), std::string::npos);
}

TEST(Xml, DocumentMovesKeepTheTree) {
  auto parsed = Document::parse("<A><B>v</B></A>");
  ASSERT_TRUE(parsed.ok());
  Document moved = std::move(parsed).value();
  Document other = std::move(moved);
  EXPECT_EQ(other.root().child_text("B"), "v");
}

TEST(XmlWriter, EscapesAndRoundTrips) {
  const std::string nasty = "a&b<c>d\"e'f\tg\r\nh caf\xC3\xA9 ]]> \x01";
  std::string text = Writer("Delete", "http://s3.amazonaws.com/doc/2006-03-01/")
                         .element("Quiet", "true")
                         .open("Object")
                         .element("Key", "k1")
                         .close()
                         .open("Object")
                         .element("Key", nasty)
                         .finish();
  EXPECT_EQ(text.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete "
                       "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
                       0),
            0u);
  EXPECT_TRUE(text.ends_with("</Object></Delete>")) << text;
  EXPECT_NE(text.find("&#13;&#10;"), std::string::npos);  // CR LF survive line-end normalisation
  // \x01 is not an XML 1.0 character even as a reference, so libxml2 refuses it; without it
  // the document round-trips exactly.
  EXPECT_FALSE(Document::parse(text).ok());
  const std::string printable = nasty.substr(0, nasty.size() - 2);
  auto doc = Document::parse(Writer("Delete").open("Object").element("Key", printable).finish());
  ASSERT_TRUE(doc.ok()) << doc.error().message;
  EXPECT_EQ(doc->root().find("Object/Key")->text(), printable);
}

TEST(XmlWriter, FinishClosesEverything) {
  EXPECT_EQ(Writer("A").open("B").open("C").finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A><B><C></C></B></A>");
  EXPECT_EQ(dwh::aws::xml::escape("<&>\"'"), "&lt;&amp;&gt;&quot;&apos;");
}

}  // namespace
