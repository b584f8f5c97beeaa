// The assume cache of the scheduler's volume binder, as Kubernetes'
// pkg/scheduler/framework/plugins/volumebinding/assume_cache.go (in 1.10-1.14:
// pkg/controller/volume/persistentvolume/scheduler_assume_cache.go).
//
// It sits on top of an informer and keeps two versions of every object:
//  - the API object, the newest version the informer delivered;
//  - the latest object, which is the API object or an in-memory version the scheduler
//    assumed (a PV whose claimRef names the claim AssumePodVolumes chose for it).
// Get, List and the indexes always answer with the latest object, so the next pod's
// FindPodVolumes sees a PV taken as soon as AssumePodVolumes took it, long before
// BindPodVolumes' write comes back through the watch.
//
// Versions decide who wins, as in Kubernetes: an informer event replaces the latest object
// only when its resourceVersion is newer than the latest one's (so a resync does not undo an
// assumption, and the PV that BindPodVolumes wrote supersedes the assumed one once it comes
// back); Assume refuses an object older than the latest ("is out of sync"); Restore goes
// back to the API object.
//
// Thread-safety: safe for concurrent use. Informer threads call Add/Delete, the scheduler
// and the bind workers everything else.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/objects.pb.h"
#include "api/status.h"
#include "client/informer.h"
#include "pvcontroller/index.h"
#include "scheduler/host_slots.h"

namespace lpv::scheduler {

using client::ObjectRef;

class AssumeCache {
 public:
  // `description` names the objects in errors ("v1.PersistentVolume").
  explicit AssumeCache(std::string description);
  virtual ~AssumeCache() = default;
  AssumeCache(const AssumeCache&) = delete;
  AssumeCache& operator=(const AssumeCache&) = delete;

  // An index over the latest objects; add before the first object. `list_values`: keep
  // the index's values in order too, for VisitIndexValues.
  void AddIndex(const std::string& name, client::IndexFunc fn, bool list_values = false);
  // Feeds the cache from `informer`'s events (call before the informer starts).
  void Attach(client::Informer* informer);

  // Informer side: add or update (kept only if newer than the latest object), delete.
  void Add(const ObjectRef& obj);
  void Delete(const ObjectRef& obj);

  // Replaces the latest object by `obj` in memory. NotFound when the cache does not know
  // the object; Conflict "<description> "<key>" is out of sync (stored: N, assume: M)"
  // when `obj` is older than the latest object.
  Status Assume(ObjectRef obj);
  // Goes back to the API object (no-op for an unknown key: the object may be gone).
  void Restore(const std::string& key);

  ObjectRef Get(const std::string& key) const;        // latest; nullptr when unknown
  ObjectRef GetAPIObj(const std::string& key) const;  // the informer's version
  bool IsAssumed(const std::string& key) const;       // latest != API object
  std::vector<ObjectRef> List() const;
  // The latest objects whose index `name` yields `value`, in key order.
  std::vector<ObjectRef> ByIndex(const std::string& name, const std::string& value) const;
  // The latest objects whose index `name` yields `a` or `b`, in key order, each once, handed
  // to `visit` under the cache's lock (which `visit` must not take): one lock and one pass
  // where two ByIndex calls would need a merge, and no list of its own.
  void VisitIndexEither(const std::string& name, const std::string& a, const std::string& b,
                        const std::function<void(const ObjectRef&)>& visit) const;
  size_t Size() const;
  // How many values of index `name` have objects.
  size_t IndexValueCount(const std::string& name) const;
  // Calls `fn` with each value of a `list_values` index that starts with `prefix` and has
  // an object, in order (under the cache's lock: `fn` must not call back into the cache).
  void VisitIndexValues(const std::string& name, const std::string& prefix,
                        const std::function<void(const std::string&)>& fn) const;

 protected:
  // Called under the cache's lock whenever an object's latest version changes: `before` and
  // `after` are the old and new latest objects (null when added or deleted). For caches that
  // keep more than the indexes hold.
  virtual void LatestChangedLocked(const std::string& /*key*/, const ObjectRef& /*before*/,
                                   const ObjectRef& /*after*/) {}
  mutable std::mutex mu_;

 private:
  struct ObjInfo {
    ObjectRef latest;
    ObjectRef api;
  };
  // resourceVersion as a number; -1 when it does not parse.
  static int64_t Version(const google::protobuf::Message& obj);
  void IndexLocked(const std::string& key, const ObjectRef& obj, bool add);
  void SetLatestLocked(const std::string& key, ObjInfo& info, ObjectRef latest);

  const std::string description_;
  std::map<std::string, client::IndexFunc> index_funcs_;

  std::unordered_map<std::string, ObjInfo> items_;
  // index name -> value -> key -> the latest object (kept here so a lookup is one find)
  std::map<std::string, std::unordered_map<std::string, std::map<std::string, ObjectRef>>>
      indexes_;
  // list_values index name -> its values that have objects
  std::map<std::string, std::set<std::string>> listed_values_;
};

// The PV assume cache. Its indexes let FindPodVolumes look only at the PVs that can serve a
// claim on a node: by class and node (a local PV's kubernetes.io/hostname values), the PVs
// of a class usable anywhere (no such simple node affinity), and the PVs whose claimRef
// names a claim.
class PVAssumeCache : public AssumeCache {
 public:
  // Hostnames are numbered in `host_slots` (shared with the node cache); without one, the
  // cache numbers them itself.
  explicit PVAssumeCache(HostSlots* host_slots = nullptr);
  HostSlots& host_slots() const { return *host_slots_; }

  std::shared_ptr<const api::PersistentVolume> GetPV(const std::string& name) const;
  std::shared_ptr<const api::PersistentVolume> GetAPIPV(const std::string& name) const;
  // Every PV of the class (ListPVs).
  std::vector<std::shared_ptr<const api::PersistentVolume>> ListPVs(
      const std::string& storage_class) const;
  // The PVs of the class that may be usable on a node whose kubernetes.io/hostname label is
  // `hostname` ("" = the node has none): those pinned to that hostname and those whose node
  // affinity the index cannot reduce to hostnames; `free_only`: of those, the ones without
  // a claimRef. By name. Candidates, not matches: the caller still checks the node
  // affinity.
  std::vector<std::shared_ptr<const api::PersistentVolume>> ListCandidatePVs(
      const std::string& storage_class, const std::string& hostname,
      bool free_only = false) const;
  // FindMatchingVolume(claim, ListCandidatePVs(claim's class, hostname, true), &node,
  // excluded, true) from the free PVs' summaries (pvcontroller::FindMatchingFreeVolume): the
  // same answer without reading most PVs. `hostname` is the node's kubernetes.io/hostname
  // label ("" = none).
  Result<std::shared_ptr<const api::PersistentVolume>> FindMatchingFreePV(
      const api::PersistentVolumeClaim& claim, const std::string& hostname,
      const api::Node& node, const std::set<std::string>& excluded) const;
  // The same, with the hostname by its number (HostSlots::kNone: the node has none).
  // `borrow` (only while a FreePVPin is held): the PV comes without a reference, a pointer
  // that owns nothing (use_count() == 0), valid until the last pin goes (see FreePVPin).
  Result<std::shared_ptr<const api::PersistentVolume>> FindMatchingFreePV(
      const api::PersistentVolumeClaim& claim, HostSlots::Slot host, const api::Node& node,
      const std::set<std::string>& excluded, bool borrow = false) const;

  // While one is held, a PV FindMatchingFreePV lent stays in memory: the free lists' PVs
  // that change or go are kept aside, and let go with the last pin. A scheduling cycle
  // holds one over its filter: each node's pick is then a pointer, not a reference. At
  // 5,000 nodes a cycle picks a PV on ~500 nodes and keeps one; taking and dropping a
  // reference to each was the first and only touch of each PV's memory (a cache miss,
  // written to by an atomic add).
  class FreePVPin {
   public:
    explicit FreePVPin(const PVAssumeCache& cache);
    ~FreePVPin();
    FreePVPin(const FreePVPin&) = delete;
    FreePVPin& operator=(const FreePVPin&) = delete;

   private:
    const PVAssumeCache& cache_;
  };
  // `pv` itself when it owns a reference; for a PV FindMatchingFreePV lent (under a pin
  // still held), a reference to the same object: the latest object when it still is, else
  // the one kept aside. Null when neither holds it (a pointer lent without a pin).
  std::shared_ptr<const api::PersistentVolume> Own(
      const std::shared_ptr<const api::PersistentVolume>& pv) const;
  // Whether a free PV of the class (no claimRef, in the latest objects: a PV
  // AssumePodVolumes took is no longer free) is pinned to `hostname`; kAnyHost asks for a
  // free PV not pinned to hostnames (it may be usable on any node).
  bool HasFreePV(const std::string& storage_class, const std::string& hostname) const;
  // Whether a free PV of the class is pinned to the hostname numbered `host`: a lookup by
  // class and an array read, no copy. The scheduler asks it for every node it filters.
  bool HasFreePV(const std::string& storage_class, HostSlots::Slot host) const;
  // How many (class, hostname) pairs have a free PV: an upper bound on any one class's
  // hosts with one, known without a walk.
  size_t NumFreeClassHosts() const { return IndexValueCount(kFreeClassHostIndex); }
  // The hostnames a free PV of the class is pinned to, in order.
  std::vector<std::string> HostsWithFreePVs(const std::string& storage_class) const;
  // The PVs whose claimRef names namespace/name (bound or pre-bound to that claim).
  std::vector<std::shared_ptr<const api::PersistentVolume>> ListPVsForClaim(
      const std::string& claim_key) const;

  // The hostnames a PV is pinned to: the kubernetes.io/hostname "In" values when every
  // node selector term has such an expression (a term is a conjunction, so a node must
  // carry one of them); empty when the PV is not pinned that simply.
  static std::vector<std::string> PinnedHostnames(const api::PersistentVolume& pv);

  static constexpr char kClassHostIndex[] = "class-host";
  static constexpr char kClassIndex[] = "class";
  static constexpr char kClaimIndex[] = "claim";
  // kClassHostIndex of the PVs without a claimRef, with its values listed.
  static constexpr char kFreeClassHostIndex[] = "free-class-host";
  // The host part of kClassHostIndex for PVs usable on any node.
  static constexpr char kAnyHost[] = "*";
  static std::string ClassHostKey(const std::string& storage_class, const std::string& host);
  // The hosts a free PV is filed under: its PinnedHostnames, or kAnyHost when it has none;
  // none when it has a claimRef.
  static std::vector<std::string> FreeHosts(const api::PersistentVolume& pv);
  // The kFreeClassHostIndex values of a PV: ClassHostKey(its class, each of FreeHosts).
  static std::vector<std::string> FreeClassHostKeys(const api::PersistentVolume& pv);

 protected:
  void LatestChangedLocked(const std::string& key, const ObjectRef& before,
                           const ObjectRef& after) override;

 private:
  // A class's free PVs as summaries, each list in name order.
  struct FreeVolumes {
    std::vector<std::vector<pvcontroller::FreeVolume>> pinned;  // by host slot
    std::vector<pvcontroller::FreeVolume> anywhere;             // filed under kAnyHost
    size_t pinned_lists = 0;                                    // non-empty lists in `pinned`
    const std::vector<pvcontroller::FreeVolume>* Pinned(HostSlots::Slot host) const {
      return host < pinned.size() && !pinned[host].empty() ? &pinned[host] : nullptr;
    }
  };
  std::unique_ptr<HostSlots> own_host_slots_;
  HostSlots* host_slots_;
  // kFreeClassHostIndex's PVs, by class (under mu_).
  std::unordered_map<std::string, FreeVolumes> free_volumes_;
  // FreePVPins held, and the PVs the free lists let go while one was (under mu_).
  mutable int pins_ = 0;
  mutable std::vector<std::shared_ptr<const api::PersistentVolume>> kept_aside_;
};

// The PVC assume cache (claims by "namespace/name").
class PVCAssumeCache : public AssumeCache {
 public:
  PVCAssumeCache();
  std::shared_ptr<const api::PersistentVolumeClaim> GetPVC(const std::string& key) const;
  std::shared_ptr<const api::PersistentVolumeClaim> GetAPIPVC(const std::string& key) const;
};

}  // namespace lpv::scheduler
