// Object operations: create/get/update/delete, revisions, compare-and-swap, list, restart.
#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "store/codec.h"
#include "store/tests/test_util.h"

namespace lpv::store {
namespace {

using testing::FastOptions;
using testing::OpenStore;
using testing::TempDir;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = OpenStore(FastOptions(dir_.path()));
    ASSERT_NE(store_, nullptr);
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, EmptyStoreStartsAtRevisionZero) {
  EXPECT_EQ(store_->Revision(), 0);
  EXPECT_EQ(store_->CompactedRevision(), 0);
  auto list = store_->List("");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->items.empty());
  EXPECT_EQ(list->revision, 0);
}

TEST_F(StoreTest, CreateThenGetReturnsValueAndRevisions) {
  auto rev = store_->Create("/a/x", "one");
  ASSERT_TRUE(rev.ok()) << rev.status().ToString();
  EXPECT_EQ(*rev, 1);
  EXPECT_EQ(store_->Revision(), 1);

  auto kv = store_->Get("/a/x");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->key, "/a/x");
  EXPECT_EQ(kv->value, "one");
  EXPECT_EQ(kv->mod_revision, 1);
  EXPECT_EQ(kv->create_revision, 1);
}

TEST_F(StoreTest, EveryWriteAdvancesRevisionByOne) {
  EXPECT_EQ(*store_->Create("/a/1", "v"), 1);
  EXPECT_EQ(*store_->Create("/a/2", "v"), 2);
  EXPECT_EQ(*store_->Update("/a/1", "w", 0), 3);
  EXPECT_EQ(*store_->Delete("/a/2", 0), 4);
  EXPECT_EQ(store_->Revision(), 4);
}

TEST_F(StoreTest, UpdateKeepsCreateRevisionAndMovesModRevision) {
  ASSERT_EQ(*store_->Create("/a/x", "one"), 1);
  ASSERT_EQ(*store_->Create("/a/y", "other"), 2);
  ASSERT_EQ(*store_->Update("/a/x", "two", 1), 3);
  auto kv = store_->Get("/a/x");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value, "two");
  EXPECT_EQ(kv->mod_revision, 3);
  EXPECT_EQ(kv->create_revision, 1);
}

TEST_F(StoreTest, CreateOfExistingKeyIsAlreadyExistsAndChangesNothing) {
  ASSERT_TRUE(store_->Create("/a/x", "one").ok());
  auto again = store_->Create("/a/x", "two");
  EXPECT_TRUE(again.status().IsAlreadyExists()) << again.status().ToString();
  EXPECT_EQ(again.status().message(), "key already exists");
  EXPECT_EQ(store_->Revision(), 1);
  EXPECT_EQ(store_->Get("/a/x")->value, "one");
}

TEST_F(StoreTest, GetUpdateDeleteOfMissingKeyAreNotFound) {
  EXPECT_TRUE(store_->Get("/a/missing").status().IsNotFound());
  EXPECT_EQ(store_->Get("/a/missing").status().message(), "key not found");
  EXPECT_TRUE(store_->Update("/a/missing", "v", 0).status().IsNotFound());
  EXPECT_TRUE(store_->Delete("/a/missing", 0).status().IsNotFound());
  EXPECT_EQ(store_->Revision(), 0);
}

TEST_F(StoreTest, UpdateWithStaleRevisionIsConflictAndChangesNothing) {
  ASSERT_EQ(*store_->Create("/a/x", "one"), 1);
  ASSERT_EQ(*store_->Update("/a/x", "two", 1), 2);
  auto stale = store_->Update("/a/x", "three", 1);
  EXPECT_TRUE(stale.status().IsConflict()) << stale.status().ToString();
  EXPECT_EQ(store_->Revision(), 2);
  EXPECT_EQ(store_->Get("/a/x")->value, "two");
}

TEST_F(StoreTest, DeleteWithStaleRevisionIsConflictAndKeepsKey) {
  ASSERT_EQ(*store_->Create("/a/x", "one"), 1);
  ASSERT_EQ(*store_->Update("/a/x", "two", 0), 2);
  EXPECT_TRUE(store_->Delete("/a/x", 1).status().IsConflict());
  EXPECT_TRUE(store_->Get("/a/x").ok());
}

TEST_F(StoreTest, CompareAndSwapWithCurrentRevisionSucceeds) {
  ASSERT_EQ(*store_->Create("/a/x", "one"), 1);
  auto updated = store_->Update("/a/x", "two", 1);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  auto deleted = store_->Delete("/a/x", *updated);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 3);
  EXPECT_TRUE(store_->Get("/a/x").status().IsNotFound());
}

TEST_F(StoreTest, RecreatedKeyGetsNewCreateRevision) {
  ASSERT_EQ(*store_->Create("/a/x", "one"), 1);
  ASSERT_EQ(*store_->Delete("/a/x", 0), 2);
  ASSERT_EQ(*store_->Create("/a/x", "again"), 3);
  auto kv = store_->Get("/a/x");
  EXPECT_EQ(kv->create_revision, 3);
  EXPECT_EQ(kv->mod_revision, 3);
}

TEST_F(StoreTest, ListReturnsPrefixInKeyOrderWithRevision) {
  ASSERT_TRUE(store_->Create("/a/c", "3").ok());
  ASSERT_TRUE(store_->Create("/a/a", "1").ok());
  ASSERT_TRUE(store_->Create("/b/z", "other").ok());
  ASSERT_TRUE(store_->Create("/a/b", "2").ok());
  ASSERT_TRUE(store_->Update("/a/a", "1b", 0).ok());

  auto list = store_->List("/a/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->revision, 5);
  ASSERT_EQ(list->items.size(), 3u);
  EXPECT_EQ(list->items[0].key, "/a/a");
  EXPECT_EQ(list->items[0].value, "1b");
  EXPECT_EQ(list->items[0].mod_revision, 5);
  EXPECT_EQ(list->items[0].create_revision, 2);
  EXPECT_EQ(list->items[1].key, "/a/b");
  EXPECT_EQ(list->items[2].key, "/a/c");
  EXPECT_EQ(list->items[2].value, "3");

  auto all = store_->List("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->items.size(), 4u);
}

TEST_F(StoreTest, ListPrefixDoesNotLeakIntoSiblingPrefixes) {
  ASSERT_TRUE(store_->Create("/a/x", "in").ok());
  ASSERT_TRUE(store_->Create("/ab/y", "sibling").ok());
  ASSERT_TRUE(store_->Create("/a", "parent").ok());
  auto list = store_->List("/a/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].key, "/a/x");
}

TEST_F(StoreTest, ListOmitsDeletedKeysAndReportsTheDeleteRevision) {
  ASSERT_TRUE(store_->Create("/a/x", "1").ok());
  ASSERT_TRUE(store_->Create("/a/y", "2").ok());
  ASSERT_TRUE(store_->Delete("/a/x", 0).ok());
  auto list = store_->List("/a/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->revision, 3);
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].key, "/a/y");
}

TEST_F(StoreTest, ListIsConsistentWhileAWriterRuns) {
  // A writer keeps updating two keys with the same value in turn; every list must show a
  // state that existed at its revision: the newest mod_revision equals the list revision.
  ASSERT_TRUE(store_->Create("/a/x", "0").ok());
  ASSERT_TRUE(store_->Create("/a/y", "0").ok());
  std::thread writer([this] {
    for (int i = 1; i <= 500; ++i) {
      ASSERT_TRUE(store_->Update(i % 2 ? "/a/x" : "/a/y", std::to_string(i), 0).ok());
    }
  });
  for (int i = 0; i < 200; ++i) {
    auto list = store_->List("/a/");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->items.size(), 2u);
    int64_t newest = std::max(list->items[0].mod_revision, list->items[1].mod_revision);
    EXPECT_EQ(newest, list->revision);
  }
  writer.join();
}

// A paged list's later pages: the state at the first page's revision, from its snapshot.
TEST_F(StoreTest, ListAtAKeptRevisionShowsThatRevisionsState) {
  ASSERT_TRUE(store_->Create("/a/1", "one").ok());
  ASSERT_TRUE(store_->Create("/a/2", "two").ok());
  ListOptions keep;
  keep.keep_snapshot = true;
  auto first = store_->List("/a/", keep);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const int64_t rev = first->revision;

  ASSERT_TRUE(store_->Update("/a/1", "one, changed", 0).ok());
  ASSERT_TRUE(store_->Delete("/a/2", 0).ok());
  ASSERT_TRUE(store_->Create("/a/3", "three").ok());

  ListOptions at;
  at.revision = rev;
  auto then = store_->List("/a/", at);
  ASSERT_TRUE(then.ok()) << then.status().ToString();
  EXPECT_EQ(then->revision, rev);
  ASSERT_EQ(then->items.size(), 2u);
  EXPECT_EQ(then->items[0].key, "/a/1");
  EXPECT_EQ(then->items[0].value, "one");
  EXPECT_EQ(then->items[0].mod_revision, first->items[0].mod_revision);
  EXPECT_EQ(then->items[1].key, "/a/2");
  EXPECT_EQ(then->items[1].value, "two");

  auto now = store_->List("/a/");
  ASSERT_TRUE(now.ok());
  ASSERT_EQ(now->items.size(), 2u);
  EXPECT_EQ(now->items[1].key, "/a/3");
}

TEST_F(StoreTest, ListAtARevisionNotKeptIsGoneAndAFutureOneTooLarge) {
  ASSERT_TRUE(store_->Create("/a/1", "one").ok());
  ASSERT_TRUE(store_->Create("/a/2", "two").ok());
  ListOptions at;
  // The current revision needs no kept snapshot: it is the current state.
  at.revision = store_->Revision();
  EXPECT_TRUE(store_->List("/a/", at).ok());
  // An older one nobody kept cannot be read.
  at.revision = store_->Revision() - 1;
  auto old = store_->List("/a/", at);
  ASSERT_FALSE(old.ok());
  EXPECT_TRUE(old.status().IsGone()) << old.status().ToString();
  at.revision = store_->Revision() + 5;
  auto future = store_->List("/a/", at);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.status().reason(), Reason::Timeout);
  EXPECT_EQ(future.status().message(), "Too large resource version: 7, current: 2");
}

TEST_F(StoreTest, CompactionDropsTheSnapshotsItPasses) {
  ASSERT_TRUE(store_->Create("/a/1", "one").ok());
  ListOptions keep;
  keep.keep_snapshot = true;
  auto first = store_->List("/a/", keep);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(store_->Update("/a/1", "changed", 0).ok());
  ListOptions at;
  at.revision = first->revision;
  ASSERT_TRUE(store_->List("/a/", at).ok());
  ASSERT_TRUE(store_->Compact(store_->Revision()).ok());
  auto gone = store_->List("/a/", at);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().IsGone()) << gone.status().ToString();
}

TEST_F(StoreTest, BinaryKeysAndValuesRoundTrip) {
  std::string key("/bin/\0\xff", 7);
  std::string value("\0\x01\xff\x80", 4);
  ASSERT_TRUE(store_->Create(key, value).ok());
  auto kv = store_->Get(key);
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value, value);
  auto list = store_->List(std::string("/bin/\0", 6));
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0].key, key);
}

TEST_F(StoreTest, CompactIntoTheFutureIsRejected) {
  ASSERT_TRUE(store_->Create("/a/x", "1").ok());
  EXPECT_EQ(store_->Compact(5).reason(), Reason::BadRequest);
  EXPECT_TRUE(store_->Compact(1).ok());
  EXPECT_EQ(store_->CompactedRevision(), 1);
  EXPECT_TRUE(store_->Compact(1).ok()) << "compacting again is a no-op";
}

TEST(StoreRestartTest, ReopenResumesRevisionAndKeepsData) {
  TempDir dir;
  {
    auto store = OpenStore(FastOptions(dir.path()));
    ASSERT_TRUE(store->Create("/a/x", "one").ok());
    ASSERT_TRUE(store->Create("/a/y", "two").ok());
    ASSERT_TRUE(store->Update("/a/x", "three", 0).ok());
    ASSERT_TRUE(store->Delete("/a/y", 0).ok());
    ASSERT_TRUE(store->Compact(2).ok());
  }
  auto store = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Revision(), 4);
  EXPECT_EQ(store->CompactedRevision(), 2);
  auto kv = store->Get("/a/x");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->value, "three");
  EXPECT_EQ(kv->mod_revision, 3);
  EXPECT_EQ(kv->create_revision, 1);
  EXPECT_TRUE(store->Get("/a/y").status().IsNotFound());
  EXPECT_EQ(*store->Create("/a/z", "new"), 5);
}

TEST(StoreOpenTest, CreatesMissingDirectories) {
  TempDir dir;
  auto store = OpenStore(FastOptions(dir.Sub("deep/er/db")));
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Create("/k", "v").ok());
}

TEST(StoreOpenTest, SecondOpenOfAnOpenDirectoryFails) {
  TempDir dir;
  auto first = OpenStore(FastOptions(dir.path()));
  ASSERT_NE(first, nullptr);
  auto second = Store::Open(FastOptions(dir.path()));
  EXPECT_FALSE(second.ok());
}

TEST(StoreCodecTest, PrefixUpperBound) {
  EXPECT_EQ(internal::PrefixUpperBound("oa"), "ob");
  EXPECT_EQ(internal::PrefixUpperBound(std::string("o\xff", 2)), "p");
  EXPECT_EQ(internal::PrefixUpperBound(""), "");
}

TEST(StoreCodecTest, LogKeysSortByRevision) {
  EXPECT_LT(internal::LogKey(255), internal::LogKey(256));
  EXPECT_LT(internal::LogKey(1), internal::LogKey(1LL << 40));
  int64_t rev = 0;
  ASSERT_TRUE(internal::ParseLogKey(internal::LogKey(123456789), &rev));
  EXPECT_EQ(rev, 123456789);
}

TEST(StoreCodecTest, EventsRoundTrip) {
  Event put;
  put.key = "/k";
  put.value = std::string(300, 'v');  // a length needing a two-byte varint
  put.prev_value = "old";
  put.created = false;
  Event got;
  ASSERT_TRUE(internal::DecodeEvent(internal::EncodeEvent(put), &got));
  EXPECT_EQ(got.type, Event::Type::kPut);
  EXPECT_EQ(got.key, put.key);
  EXPECT_EQ(got.value, put.value);
  EXPECT_EQ(got.prev_value, "old");
  EXPECT_FALSE(got.created);

  Event del;
  del.type = Event::Type::kDelete;
  del.key = "/k";
  del.value = del.prev_value = "last";
  ASSERT_TRUE(internal::DecodeEvent(internal::EncodeEvent(del), &got));
  EXPECT_EQ(got.type, Event::Type::kDelete);
  EXPECT_EQ(got.value, "last");
  EXPECT_EQ(got.prev_value, "last");

  EXPECT_FALSE(internal::DecodeEvent(std::string("\x00", 1), &got));
  EXPECT_FALSE(internal::DecodeEvent(std::string{'\0', '\0', '\5', 'a', 'b'}, &got));
}

}  // namespace
}  // namespace lpv::store
