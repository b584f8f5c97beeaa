// The PV controller's cache of its own writes: which keys it still answers for.

#include "pvcontroller/object_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

bool Any(const google::protobuf::Message&) { return true; }

TEST(ObjectCacheTest, KeysAreThoseWhoseOwnCopyIsAccepted) {
  ObjectCache cache;
  Write(&cache, Written("pv-a", "5", "www-web-0"));
  Write(&cache, Written("pv-b", "6", "www-web-1"));
  Write(&cache, Written("pv-c", "7", ""));
  auto names_web_0 = [](const google::protobuf::Message& obj) {
    const auto& pv = static_cast<const api::PersistentVolume&>(obj);
    return pv.spec().claim_ref().name() == "www-web-0";
  };
  EXPECT_THAT(cache.Keys(names_web_0), ElementsAre("pv-a"));
  EXPECT_THAT(cache.Keys(Any), UnorderedElementsAre("pv-a", "pv-b", "pv-c"));
}

TEST(ObjectCacheTest, KeysLeaveOutWhatTheInformerHasCaughtUpWith) {
  ObjectCache cache;
  Write(&cache, Written("pv-a", "5", "www-web-0"));
  Write(&cache, Written("pv-b", "6", "www-web-1"));
  // The informer's older copy of pv-a changes nothing; its copy as new as ours drops ours.
  cache.Observed(Written("pv-a", "4", ""));
  EXPECT_THAT(cache.Keys(Any), UnorderedElementsAre("pv-a", "pv-b"));
  cache.Observed(Written("pv-a", "5", "www-web-0"));
  EXPECT_THAT(cache.Keys(Any), ElementsAre("pv-b"));
  cache.Deleted("pv-b");
  EXPECT_THAT(cache.Keys(Any), IsEmpty());
}

TEST(ObjectCacheTest, AnOlderWriteDoesNotReplaceANewerOne) {
  ObjectCache cache;
  Write(&cache, Written("pv-a", "9", "www-web-0"));
  // A slower writer's reply for an earlier version arrives last.
  Write(&cache, Written("pv-a", "8", ""));
  auto prebound = [](const google::protobuf::Message& obj) {
    return static_cast<const api::PersistentVolume&>(obj).spec().has_claim_ref();
  };
  EXPECT_THAT(cache.Keys(prebound), ElementsAre("pv-a"));
}

}  // namespace
}  // namespace lpv::pvcontroller
