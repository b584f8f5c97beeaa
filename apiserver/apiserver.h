// The API server: one registry per kind over the store, as Kubernetes' generic registry.
//
// Every verb takes the kind by its scheme entry and objects as protobuf messages. Create
// assigns name (generateName), uid, timestamps and generation, applies defaults and
// validation; Update is optimistic (a stale resourceVersion is a Conflict), keeps status
// (spec and status are separate subresources) and enforces immutable fields; Delete
// honours finalizers (deletionTimestamp set, the object goes when its last finalizer
// does) and the pods' graceful deletion. Watch turns store events into ADDED / MODIFIED /
// DELETED for the objects that match a selector.
//
// Thread-safety: safe for concurrent use; the store serializes writes.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/message.h>

#include "api/clock.h"
#include "api/scheme.h"
#include "api/status.h"
#include "store/store.h"

namespace lpv::apiserver {

using Message = google::protobuf::Message;
using ObjectPtr = std::unique_ptr<Message>;

struct ListOptions {
  std::string label_selector;  // kubectl -l syntax
  std::string field_selector;  // spec.nodeName=node-1, involvedObject.name=x
  // Watch: events after this revision; "" or "0" = the current state as ADDED events,
  // then changes. List: the present state meets any NotOlderThan, so it only matters with
  // a continue token, which allows none but "" and "0" (as Kubernetes).
  std::string resource_version;
  // List: at most this many items (0 = all) and, when more remain, a continue token; the
  // next pages, asked with that token, show the state of the first page's revision
  // (list_pages.h), as Kubernetes' etcd3 storage does.
  int64_t limit = 0;
  std::string continue_token{};  // metav1.ListOptions.Continue
  // For a caller that only sends the objects on (the gRPC service): without selectors, the
  // list (ObjectList::wire_items) and the watch (WatchEvent::wire) hand out WireObjects
  // instead of decoded objects. With selectors the objects are decoded, to be matched.
  bool wire = false;
};

// An object in its wire form: the stored bytes, then the fields the store does not keep
// (resourceVersion, apiVersion, kind) as a second message of the kind. A protobuf parser
// merges concatenated messages, so the reader gets what Decode gives, and the server
// neither decodes nor encodes the object: a gRPC watch of 20,000 pods from "" sends them
// as stored.
struct WireObject {
  std::string bytes;
  int64_t revision = 0;  // its resourceVersion
};

struct ObjectList {
  std::vector<ObjectPtr> items;
  std::vector<WireObject> wire_items;  // instead of items, with ListOptions::wire
  std::string resource_version;
  std::string continue_token{};      // "" on the last page
  int64_t remaining_item_count = 0;  // items after this page, with continue_token
};

// metav1.DeletionPropagation.
inline constexpr char kDeletePropagationOrphan[] = "Orphan";
inline constexpr char kDeletePropagationBackground[] = "Background";
inline constexpr char kDeletePropagationForeground[] = "Foreground";

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;  // pods: 0 deletes at once
  std::string resource_version;                 // precondition
  std::string uid;                              // precondition
  // "" = the kind's default (Background for every kind lpv serves, as apps/v1 and core/v1);
  // Orphan and Foreground leave the object terminating with the "orphan" or
  // "foregroundDeletion" finalizer until the garbage collector has done its part
  // (statefulset/gc.h). Anything else is Invalid.
  std::string propagation_policy{};
  // dryRun=All: every check runs and the answer is what the delete would return, but
  // nothing is written.
  bool dry_run = false;
};

// The garbage collector's finalizers (metav1.FinalizerOrphanDependents,
// metav1.FinalizerDeleteDependents).
inline constexpr char kFinalizerOrphanDependents[] = "orphan";
inline constexpr char kFinalizerDeleteDependents[] = "foregroundDeletion";

// An object shared, not copied, by everyone it is handed to; watchers of one event share
// one decoded object.
using ObjectRef = std::shared_ptr<const Message>;

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, ERROR
  ObjectRef object;  // null when `wire` holds the object
  Status status;  // ERROR events
  std::optional<WireObject> wire;  // a watch opened with ListOptions::wire, no selectors
};

// A running watch. Next() is called by one thread; Stop() from any.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // true with *ev filled; false on timeout (ok status, !done()) or end (done(); status()
  // says why: Gone when the watcher fell behind and must relist).
  virtual bool Next(WatchEvent* ev, std::chrono::milliseconds timeout) = 0;
  virtual bool done() const = 0;
  virtual Status status() const = 0;
  virtual void Stop() = 0;
};

struct Options {
  // Largest stored object accepted, as etcd's request limit (1.5 MiB); a larger one fails
  // as Kubernetes' does: "etcdserver: request is too large".
  size_t max_object_bytes = 3 * 512 * 1024;
};

class APIServer {
 public:
  APIServer(store::Store* store, Clock* clock, Options options = {});

  Result<ObjectPtr> Create(const Message& obj, bool dry_run = false);
  Result<ObjectPtr> Get(const api::KindInfo& kind, const std::string& ns,
                        const std::string& name);
  Result<ObjectList> List(const api::KindInfo& kind, const std::string& ns,
                          const ListOptions& options);
  // status = the status subresource: only status (and nothing of spec) changes.
  Result<ObjectPtr> Update(const Message& obj, bool status = false, bool dry_run = false);
  Result<ObjectPtr> Delete(const api::KindInfo& kind, const std::string& ns,
                           const std::string& name, const DeleteOptions& options = {});
  Result<std::unique_ptr<WatchStream>> Watch(const api::KindInfo& kind, const std::string& ns,
                                             const ListOptions& options);
  // The pods/binding subresource: assigns a pending pod to a node (spec.nodeName) and sets
  // its PodScheduled condition, as the scheduler's bind does. A pod already assigned is a
  // Conflict.
  Result<ObjectPtr> Bind(const api::Binding& binding);
  int64_t Revision() const { return store_->Revision(); }
  Clock* clock() const { return clock_; }

  // The store key of an object: /registry/<resource>/[<namespace>/]<name>.
  static std::string Key(const api::KindInfo& kind, const std::string& ns,
                         const std::string& name);
  // The wire form of stored bytes at `revision` (WireObject).
  static WireObject Wire(const api::KindInfo& kind, std::string stored, int64_t revision);

 private:
  Result<ObjectPtr> Decode(const api::KindInfo& kind, const store::KeyValue& kv) const;
  // The validating admission plugins (admission.cc): Forbidden when one turns the update
  // away.
  Status AdmitUpdate(const api::KindInfo& kind, const Message& updated, const Message& old);
  Result<ObjectPtr> WriteUpdate(const api::KindInfo& kind, ObjectPtr updated,
                                const store::KeyValue& current, bool dry_run);

  store::Store* store_;
  Clock* clock_;
  Options options_;
};

}  // namespace lpv::apiserver
