// The newest version of each object a controller knows: its informer's copy, or the copy the
// API server returned for the controller's own write when that one is newer.
//
// Kubernetes' PV controller keeps such caches (ctrl.volumes, ctrl.claims, storeObjectUpdate in
// pv_controller_base.go) for this reason: binding writes four times (volume spec, volume
// status, claim spec, claim status), and the informer delivers those writes later. A sync that
// read the informer alone would find its own volume still Available and try to bind it again,
// ending in conflicts. Here the informer stays the store; this only holds the controller's
// writes until the informer has caught up with them.
//
// Reads wait for a write of the same object that is under way, so a sync never decides on a
// version older than one the world can already see: once a volume's Available is stored,
// every claim sync sees it Available (no read-your-writes gap between two workers).
//
// Thread-safety: safe for concurrent use.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "client/informer.h"

namespace lpv::pvcontroller {

class ObjectCache {
 public:
  // Marks a write of `key` as under way until the returned guard is done with it (Wrote, or
  // destroyed after a failed write).
  class Write {
   public:
    Write(ObjectCache* cache, std::string key);
    ~Write();
    Write(const Write&) = delete;
    Write& operator=(const Write&) = delete;
    // The write succeeded and returned `written`.
    void Wrote(const google::protobuf::Message& written);

   private:
    ObjectCache* cache_;
    std::string key_;
  };

  // The informer saw `obj`: our copy goes once the informer's is as new.
  void Observed(const google::protobuf::Message& obj);
  // The informer saw `key` deleted.
  void Deleted(const std::string& key);

  // The newer of the informer's copy of `key` and ours, once no write of `key` is under way.
  // Objects the informer no longer has are gone whatever we wrote before: nullptr.
  // The informer is read under our lock, so our copy cannot be dropped (Observed) between
  // reading the informer and looking at our copy.
  client::ObjectRef Newest(const std::string& key, const client::Informer& informer);
  // Indexes our copies as Informer::AddIndexer indexes the informer's (the copies already
  // held too).
  void AddIndexer(const std::string& name, client::IndexFunc fn);
  // Keys we hold a newer copy of whose copy has `value` under index `name`: a lookup, not a
  // pass over our copies (while the informer catches up after a burst of writes, we hold
  // thousands). Where the informer's copy is newer, its own index answers for the key.
  std::vector<std::string> IndexKeys(const std::string& name, const std::string& value) const;

 private:
  using Written = std::unordered_map<std::string, client::ObjectRef>;
  void Remember(const std::string& key, const google::protobuf::Message& written);
  // Each change of written_ goes through these two, which keep the indexes in step.
  void StoreLocked(const std::string& key, client::ObjectRef copy);
  void EraseLocked(Written::iterator it);
  // Adds or removes `key` under the values `obj` has in every index, or in one.
  void IndexLocked(const std::string& key, const google::protobuf::Message& obj, bool add);
  void IndexLocked(const std::string& index, const std::string& key,
                   const google::protobuf::Message& obj, bool add);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Written written_;
  std::unordered_map<std::string, int> writing_;  // writes under way, by key
  std::map<std::string, client::IndexFunc> index_funcs_;
  // index name -> value -> keys
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>> indices_;
};

// resourceVersion as a number (the store revision), 0 when absent or not a number.
int64_t ResourceVersionOf(const google::protobuf::Message& obj);

}  // namespace lpv::pvcontroller
