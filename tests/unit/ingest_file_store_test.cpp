// The file:// object store on a real directory: writes are invisible until committed and
// replace atomically, list/remove/exists behave as the interface says, and bad keys and URLs
// are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dwh/stores/object_store.hpp"
#include "process.hpp"

namespace dwh::stores {
namespace {

namespace fs = std::filesystem;

class IngestFileStore : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dwh::test::make_temp_dir("ingest-file-store");
    auto s = open_file_store("file://" + root_);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // Every file under the root, hidden ones included, relative to it.
  std::vector<std::string> files_on_disk() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root_).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string get(const std::string& key) {
    auto r = store_->get(key);
    EXPECT_TRUE(r.ok()) << key;
    return r.ok() ? *r : std::string();
  }

  std::string root_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(IngestFileStore, PutThenGetCreatesDirectories) {
  ASSERT_TRUE(store_->check().ok());
  ASSERT_TRUE(store_->put("sales_order/2026/11/21/a.jsonl.gz", "hello").ok());
  EXPECT_EQ(get("sales_order/2026/11/21/a.jsonl.gz"), "hello");
  EXPECT_TRUE(fs::is_regular_file(fs::path(root_) / "sales_order/2026/11/21/a.jsonl.gz"));
  EXPECT_EQ(files_on_disk(), std::vector<std::string>{"sales_order/2026/11/21/a.jsonl.gz"});
}

TEST_F(IngestFileStore, WriterIsInvisibleUntilCommitThenReplacesAtomically) {
  ASSERT_TRUE(store_->put("t/x", "old").ok());
  auto w = store_->open_writer("t/x");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->write("new ").ok());
  ASSERT_TRUE((*w)->write("content").ok());
  // Mid-write, readers still see the old object and list shows only it.
  EXPECT_EQ(get("t/x"), "old");
  auto listed = store_->list("t/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "t/x");
  EXPECT_EQ((*listed)[0].size, 3u);
  EXPECT_EQ(files_on_disk().size(), 2u);  // the old object and the hidden temporary file
  ASSERT_TRUE((*w)->commit().ok());
  EXPECT_EQ(get("t/x"), "new content");
  EXPECT_EQ(files_on_disk(), std::vector<std::string>{"t/x"});
}

TEST_F(IngestFileStore, AbortOrDestroyingAnUncommittedWriterLeavesNothing) {
  {
    auto w = store_->open_writer("t/aborted");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write("partial").ok());
    (*w)->abort();
  }
  {
    auto w = store_->open_writer("t/dropped");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write("partial").ok());
  }
  EXPECT_TRUE(files_on_disk().empty());
  auto e = store_->exists("t/aborted");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(*e);
  auto g = store_->get("t/dropped");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "NoSuchKey");
}

TEST_F(IngestFileStore, ListIsSortedFilteredByPrefixAndSkipsTemporaries) {
  for (const char* key :
       {"b/2026/01/02/z", "a/1", "b/2026/01/01/y", "b/2026/01/01/x", "bb/1", "_manifests/ingest/r1.json"}) {
    ASSERT_TRUE(store_->put(key, key).ok()) << key;
  }
  // What a killed writer leaves: a hidden temporary file.
  std::ofstream(fs::path(root_) / "b/2026/01/01/.w.jsonl.gz.dwh-tmp-1234") << "junk";

  auto all_b = store_->list("b/");
  ASSERT_TRUE(all_b.ok());
  std::vector<std::string> keys;
  for (const auto& o : *all_b) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"b/2026/01/01/x", "b/2026/01/01/y", "b/2026/01/02/z"}));
  EXPECT_EQ((*all_b)[0].size, std::string("b/2026/01/01/x").size());

  auto b_prefix = store_->list("b");  // a bare prefix also matches "bb/"
  ASSERT_TRUE(b_prefix.ok());
  EXPECT_EQ(b_prefix->size(), 4u);

  auto none = store_->list("nothing/here/");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(IngestFileStore, RemoveAndExists) {
  ASSERT_TRUE(store_->put("t/x", "1").ok());
  auto e = store_->exists("t/x");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(*e);
  ASSERT_TRUE(store_->remove("t/x").ok());
  e = store_->exists("t/x");
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(*e);
  EXPECT_TRUE(store_->remove("t/x").ok());  // removing a missing key is not an error
  EXPECT_TRUE(store_->remove("never/was").ok());
}

TEST_F(IngestFileStore, RemoveIncompleteDeletesOnlyTemporaries) {
  ASSERT_TRUE(store_->put("t/2026/01/01/keep", "k").ok());
  std::ofstream(fs::path(root_) / "t/2026/01/01/.lost.dwh-tmp-abcd") << "junk";
  fs::create_directories(fs::path(root_) / "u");
  std::ofstream(fs::path(root_) / "u/.other.dwh-tmp-ef01") << "junk";
  ASSERT_TRUE(store_->remove_incomplete("t/").ok());
  EXPECT_EQ(files_on_disk(), (std::vector<std::string>{"t/2026/01/01/keep", "u/.other.dwh-tmp-ef01"}));
  ASSERT_TRUE(store_->remove_incomplete("").ok());
  EXPECT_EQ(files_on_disk(), std::vector<std::string>{"t/2026/01/01/keep"});
}

TEST_F(IngestFileStore, KeysOutsideTheRootAreRefused) {
  for (const char* key : {"", "/etc/passwd", "../escape", "a/../../b", "a\\b"}) {
    auto s = store_->put(key, "x");
    ASSERT_FALSE(s.ok()) << key;
    EXPECT_EQ(s.error().code, "InvalidKey") << key;
  }
  EXPECT_FALSE(fs::exists(fs::path(root_).parent_path() / "escape"));
}

TEST_F(IngestFileStore, MissingDirectoryIsStoreUnavailable) {
  auto s = open_file_store("file://" + root_ + "/missing");
  ASSERT_TRUE(s.ok());
  auto c = (*s)->check();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "StoreUnavailable");
}

TEST(IngestStoreUrl, SchemesAndPaths) {
  auto rel = open_file_store("file://relative/dir");
  ASSERT_FALSE(rel.ok());
  EXPECT_EQ(rel.error().code, "InvalidStoreUrl");
  auto unknown = open_store("ftp://host/dir");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "UnknownStoreScheme");
  EXPECT_NE(unknown.error().message.find("ftp"), std::string::npos);
  auto file = open_store("file:///tmp/");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->url(), "file:///tmp/");
}

}  // namespace
}  // namespace dwh::stores
