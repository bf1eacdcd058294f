#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "storage/blob_store.h"
#include "storage/temp_dir.h"

namespace medai::storage {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr const char* kHelloSha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
constexpr const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::size_t files_in(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) ++n;
  return n;
}

class BlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = BlobStore::open(root());
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    store_ = std::make_unique<BlobStore>(std::move(s).value());
  }
  fs::path root() const { return dir_ / "blobs"; }

  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
};

TEST_F(BlobStoreTest, OpenCreatesLayout) {
  EXPECT_TRUE(fs::is_directory(root() / "sha256"));
  EXPECT_TRUE(fs::is_directory(root() / "tmp"));
  EXPECT_EQ(store_->root(), root());
}

TEST_F(BlobStoreTest, PutThenRead) {
  auto ref = store_->put("hello");
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  EXPECT_EQ(ref->sha256, kHelloSha);
  EXPECT_EQ(ref->size, 5u);
  EXPECT_TRUE(store_->exists(kHelloSha));
  auto bytes = store_->read(kHelloSha);
  ASSERT_TRUE(bytes.is_ok());
  EXPECT_EQ(*bytes, "hello");
  auto path = store_->path_of(kHelloSha);
  ASSERT_TRUE(path.is_ok());
  EXPECT_EQ(*path, root() / "sha256" / "2c" / "f2" / kHelloSha);
  EXPECT_TRUE(fs::is_regular_file(*path));
  struct stat st {};
  ASSERT_EQ(::stat(path->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0007, 0u) << "blobs must not be world-readable";
  EXPECT_EQ(files_in(root() / "tmp"), 0u);
}

TEST_F(BlobStoreTest, EmptyAndBinaryBlobs) {
  auto empty = store_->put("");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_EQ(empty->sha256, kEmptySha);
  EXPECT_EQ(store_->read(kEmptySha).value(), "");

  std::string binary;
  for (int i = 0; i < 256 * 4; ++i) binary.push_back(static_cast<char>(i));
  auto ref = store_->put(binary);
  ASSERT_TRUE(ref.is_ok());
  EXPECT_EQ(store_->read(ref->sha256).value(), binary);
}

TEST_F(BlobStoreTest, PutIsIdempotent) {
  auto a = store_->put("hello");
  auto b = store_->put("hello");
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(files_in(root()), 1u);
  // Through the streaming path too (file already in place).
  auto w = store_->writer();
  ASSERT_TRUE(w.is_ok());
  ASSERT_TRUE(w->write("hel").is_ok());
  ASSERT_TRUE(w->write("lo").is_ok());
  auto c = w->commit();
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->sha256, kHelloSha);
  EXPECT_EQ(files_in(root()), 1u);
}

TEST_F(BlobStoreTest, DamagedBlobOfWrongSizeIsReplaced) {
  ASSERT_TRUE(store_->put("hello").is_ok());
  const fs::path path = store_->path_of(kHelloSha).value();
  std::ofstream(path, std::ios::trunc) << "hel";
  ASSERT_TRUE(store_->put("hello").is_ok());
  EXPECT_EQ(store_->read(kHelloSha).value(), "hello");
}

TEST_F(BlobStoreTest, StreamingWriterMatchesPut) {
  std::string whole;
  auto w = store_->writer();
  ASSERT_TRUE(w.is_ok());
  for (int i = 0; i < 100; ++i) {
    std::string chunk(1000 + i, static_cast<char>('a' + i % 26));
    whole += chunk;
    ASSERT_TRUE(w->write(chunk).is_ok());
  }
  auto ref = w->commit();
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  EXPECT_EQ(ref->size, whole.size());
  auto direct = store_->put(whole);
  ASSERT_TRUE(direct.is_ok());
  EXPECT_EQ(direct->sha256, ref->sha256);
  EXPECT_EQ(store_->read(ref->sha256).value(), whole);
}

TEST_F(BlobStoreTest, FinalFileNeverAppearsBeforeCommit) {
  auto w = store_->writer();
  ASSERT_TRUE(w.is_ok());
  ASSERT_TRUE(w->write("hel").is_ok());
  EXPECT_EQ(files_in(root() / "tmp"), 1u);  // bytes live under tmp/ only
  EXPECT_EQ(files_in(root() / "sha256"), 0u);
  ASSERT_TRUE(w->write("lo").is_ok());
  EXPECT_FALSE(store_->exists(kHelloSha));
  EXPECT_FALSE(fs::exists(root() / "sha256" / "2c" / "f2" / kHelloSha));
  EXPECT_EQ(store_->read(kHelloSha).status().code(), ErrorCode::not_found);
  auto ref = w->commit();
  ASSERT_TRUE(ref.is_ok());
  EXPECT_TRUE(store_->exists(kHelloSha));
  EXPECT_EQ(files_in(root() / "tmp"), 0u);
}

TEST_F(BlobStoreTest, UncommittedWriterLeavesNoTempFile) {
  {
    auto w = store_->writer();
    ASSERT_TRUE(w.is_ok());
    ASSERT_TRUE(w->write("partial upload").is_ok());
    EXPECT_EQ(files_in(root() / "tmp"), 1u);
  }
  EXPECT_EQ(files_in(root()), 0u);
}

TEST_F(BlobStoreTest, StagedBlobIsPublishedByCommitLikePut) {
  const std::string bytes(300000, 'x');
  auto staged = store_->stage(bytes);
  ASSERT_TRUE(staged.is_ok()) << staged.status().to_string();
  EXPECT_EQ(files_in(root() / "sha256"), 0u);  // not visible before commit
  EXPECT_EQ(files_in(root() / "tmp"), 1u);
  auto ref = store_->commit(**staged);
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  EXPECT_EQ(ref->sha256, store_->put(bytes).value().sha256);
  EXPECT_EQ(ref->size, bytes.size());
  EXPECT_EQ(store_->read(ref->sha256).value(), bytes);
  staged->reset();
  EXPECT_EQ(files_in(root() / "tmp"), 0u);
  EXPECT_EQ(files_in(root()), 1u);
}

TEST_F(BlobStoreTest, StagedBlobNotCommittedLeavesNothing) {
  {
    auto staged = store_->stage("refused instance");
    ASSERT_TRUE(staged.is_ok());
  }
  EXPECT_EQ(files_in(root()), 0u);
}

TEST_F(BlobStoreTest, StagingContentAlreadyStoredKeepsOneFile) {
  ASSERT_TRUE(store_->put("hello").is_ok());
  {
    auto staged = store_->stage("hello");
    ASSERT_TRUE(staged.is_ok());
    auto ref = store_->commit(**staged);
    ASSERT_TRUE(ref.is_ok());
    EXPECT_EQ(ref->sha256, kHelloSha);
  }
  EXPECT_EQ(files_in(root()), 1u);
  EXPECT_EQ(store_->read(kHelloSha).value(), "hello");
}

TEST_F(BlobStoreTest, WriterCanBeMoved) {
  auto w = store_->writer();
  ASSERT_TRUE(w.is_ok());
  ASSERT_TRUE(w->write("hel").is_ok());
  BlobWriter moved = std::move(w).value();
  ASSERT_TRUE(moved.write("lo").is_ok());
  auto other = store_->writer();
  ASSERT_TRUE(other.is_ok());
  ASSERT_TRUE(other->write("discarded").is_ok());
  EXPECT_EQ(files_in(root() / "tmp"), 2u);
  *other = std::move(moved);  // the overwritten writer discards its temp file
  EXPECT_EQ(files_in(root() / "tmp"), 1u);
  auto ref = other->commit();
  ASSERT_TRUE(ref.is_ok());
  EXPECT_EQ(ref->sha256, kHelloSha);
}

TEST_F(BlobStoreTest, WriterIsSingleUse) {
  auto w = store_->writer();
  ASSERT_TRUE(w.is_ok());
  ASSERT_TRUE(w->commit().is_ok());
  EXPECT_FALSE(w->commit().is_ok());
  EXPECT_FALSE(w->write("more").is_ok());
  EXPECT_TRUE(store_->exists(kEmptySha));
}

TEST_F(BlobStoreTest, PutFileStreams) {
  const fs::path source = dir_ / "source.bin";
  std::string content;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) content.push_back(static_cast<char>(i * 31));
  std::ofstream(source, std::ios::binary) << content;
  auto ref = store_->put_file(source);
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  EXPECT_EQ(ref->size, content.size());
  EXPECT_EQ(ref->sha256, store_->put(content)->sha256);
  EXPECT_EQ(store_->read(ref->sha256).value(), content);

  auto missing = store_->put_file(dir_ / "no-such-file");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::not_found);
  EXPECT_EQ(files_in(root() / "tmp"), 0u);
}

TEST_F(BlobStoreTest, InvalidNamesRejected) {
  for (std::string bad : {std::string("../../etc/passwd"), std::string(kHelloSha).substr(0, 63),
                          std::string(kHelloSha) + "0", std::string(64, 'A'),
                          std::string("2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824"),
                          std::string("../") + std::string(61, 'a'), std::string()}) {
    EXPECT_FALSE(store_->exists(bad)) << bad;
    EXPECT_EQ(store_->read(bad).status().code(), ErrorCode::invalid_argument) << bad;
    EXPECT_EQ(store_->path_of(bad).status().code(), ErrorCode::invalid_argument) << bad;
    EXPECT_EQ(store_->remove(bad).code(), ErrorCode::invalid_argument) << bad;
  }
}

TEST_F(BlobStoreTest, AbsentBlobIsNotFound) {
  EXPECT_FALSE(store_->exists(kHelloSha));
  EXPECT_EQ(store_->read(kHelloSha).status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->path_of(kHelloSha).status().code(), ErrorCode::not_found);
  EXPECT_EQ(store_->remove(kHelloSha).code(), ErrorCode::not_found);
}

TEST_F(BlobStoreTest, Remove) {
  ASSERT_TRUE(store_->put("hello").is_ok());
  EXPECT_TRUE(store_->remove(kHelloSha).is_ok());
  EXPECT_FALSE(store_->exists(kHelloSha));
  EXPECT_EQ(store_->remove(kHelloSha).code(), ErrorCode::not_found);
}

TEST_F(BlobStoreTest, OpenRemovesStaleTempFilesButNotLiveOnes) {
  // A crashed writer leaves an unlocked temp file behind.
  std::ofstream(root() / "tmp" / "blob-12345-dead-0") << "partial";
  auto live = store_->writer();
  ASSERT_TRUE(live.is_ok());
  ASSERT_TRUE(live->write("hello").is_ok());
  EXPECT_EQ(files_in(root() / "tmp"), 2u);

  auto reopened = BlobStore::open(root());
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(files_in(root() / "tmp"), 1u);  // only the live writer's file
  auto ref = live->commit();
  ASSERT_TRUE(ref.is_ok()) << ref.status().to_string();
  EXPECT_TRUE(reopened->exists(kHelloSha));
  EXPECT_EQ(files_in(root() / "tmp"), 0u);
}

TEST(BlobStoreOpen, EmptyRootRejected) {
  EXPECT_EQ(BlobStore::open("").status().code(), ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace medai::storage

namespace medai::storage {
namespace {
TEST(BlobStoreBatchTest, PutBatchStoresEveryBlobOnceAndSkipsExisting) {
  medai::testing::TempDir dir;
  auto store = BlobStore::open(dir / "blobs");
  ASSERT_TRUE(store);
  auto first = store->put("already here");
  ASSERT_TRUE(first);
  std::vector<std::string_view> items = {"a", "already here", "b", "a"};
  auto refs = store->put_batch(items);
  ASSERT_TRUE(refs) << refs.status().to_string();
  ASSERT_EQ(refs->size(), 4u);
  EXPECT_EQ((*refs)[1].sha256, first->sha256);
  EXPECT_EQ((*refs)[0].sha256, (*refs)[3].sha256);
  for (std::size_t i = 0; i < items.size(); ++i) EXPECT_EQ(store->read((*refs)[i].sha256).value(), items[i]);
  // No temp files left behind.
  EXPECT_TRUE(std::filesystem::is_empty(dir / "blobs" / "tmp"));
}
}  // namespace
}  // namespace medai::storage
