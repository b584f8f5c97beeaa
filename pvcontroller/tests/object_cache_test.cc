// The PV controller's cache of its own writes: which keys it still answers for.

#include "pvcontroller/object_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pvcontroller/pv_helpers.h"
#include "pvcontroller/tests/objects.h"

namespace lpv::pvcontroller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

api::PersistentVolume Written(const std::string& name, const std::string& rv,
                              const std::string& claim) {
  return testing::Volume(name, "1Gi", [&](api::PersistentVolume& pv) {
    pv.mutable_metadata()->set_resource_version(rv);
    if (!claim.empty()) {
      pv.mutable_spec()->mutable_claim_ref()->set_namespace_("default");
      pv.mutable_spec()->mutable_claim_ref()->set_name(claim);
    }
  });
}

void Write(ObjectCache* cache, const api::PersistentVolume& pv) {
  ObjectCache::Write write(cache, api::KeyOf(pv));
  write.Wrote(pv);
}

// Volumes by the "namespace/name" of their claimRef, as the controller indexes them.
std::vector<std::string> ByClaim(const google::protobuf::Message& obj) {
  const auto& pv = static_cast<const api::PersistentVolume&>(obj);
  if (!pv.spec().has_claim_ref()) return {};
  return {ClaimrefToClaimKey(pv.spec().claim_ref())};
}

// Every volume under one value.
std::vector<std::string> All(const google::protobuf::Message&) { return {"all"}; }

TEST(ObjectCacheTest, IndexKeysAreThoseWhoseOwnCopyHasTheValue) {
  ObjectCache cache;
  cache.AddIndexer("claim", ByClaim);
  Write(&cache, Written("pv-a", "5", "www-web-0"));
  Write(&cache, Written("pv-b", "6", "www-web-1"));
  Write(&cache, Written("pv-c", "7", ""));
  EXPECT_THAT(cache.IndexKeys("claim", "default/www-web-0"), ElementsAre("pv-a"));
  EXPECT_THAT(cache.IndexKeys("claim", "default/www-web-2"), IsEmpty());
  EXPECT_THAT(cache.IndexKeys("no-such-index", "default/www-web-0"), IsEmpty());
  // An indexer added later indexes the copies already held.
  cache.AddIndexer("all", All);
  EXPECT_THAT(cache.IndexKeys("all", "all"), UnorderedElementsAre("pv-a", "pv-b", "pv-c"));
}

TEST(ObjectCacheTest, IndexKeysLeaveOutWhatTheInformerHasCaughtUpWith) {
  ObjectCache cache;
  cache.AddIndexer("all", All);
  Write(&cache, Written("pv-a", "5", "www-web-0"));
  Write(&cache, Written("pv-b", "6", "www-web-1"));
  // The informer's older copy of pv-a changes nothing; its copy as new as ours drops ours.
  cache.Observed(Written("pv-a", "4", ""));
  EXPECT_THAT(cache.IndexKeys("all", "all"), UnorderedElementsAre("pv-a", "pv-b"));
  cache.Observed(Written("pv-a", "5", "www-web-0"));
  EXPECT_THAT(cache.IndexKeys("all", "all"), ElementsAre("pv-b"));
  cache.Deleted("pv-b");
  EXPECT_THAT(cache.IndexKeys("all", "all"), IsEmpty());
}

TEST(ObjectCacheTest, ANewerWriteMovesTheKeyToItsNewValues) {
  ObjectCache cache;
  cache.AddIndexer("claim", ByClaim);
  Write(&cache, Written("pv-a", "5", "www-web-0"));
  Write(&cache, Written("pv-a", "6", "www-web-1"));
  EXPECT_THAT(cache.IndexKeys("claim", "default/www-web-0"), IsEmpty());
  EXPECT_THAT(cache.IndexKeys("claim", "default/www-web-1"), ElementsAre("pv-a"));
  // Unbound: under no claim at all.
  Write(&cache, Written("pv-a", "7", ""));
  EXPECT_THAT(cache.IndexKeys("claim", "default/www-web-1"), IsEmpty());
}

TEST(ObjectCacheTest, AnOlderWriteDoesNotReplaceANewerOne) {
  ObjectCache cache;
  cache.AddIndexer("claim", ByClaim);
  Write(&cache, Written("pv-a", "9", "www-web-0"));
  // A slower writer's reply for an earlier version arrives last.
  Write(&cache, Written("pv-a", "8", ""));
  EXPECT_THAT(cache.IndexKeys("claim", "default/www-web-0"), ElementsAre("pv-a"));
}

}  // namespace
}  // namespace lpv::pvcontroller
