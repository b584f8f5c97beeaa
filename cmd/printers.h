// kubectl's human-readable output for lpv's objects: the `get` tables and the `describe`
// pages, column for column and space for space, so a user of kubectl recognises them.
//
// Tables follow kubectl v1.32's server-side printers (pkg/printers/internalversion/
// printers.go), except that the PersistentVolume and claim tables leave out
// VOLUMEATTRIBUTESCLASS, as the kubectl of the Local Persistent Volume article did.
// Describe pages follow kubectl v1.32's describers (k8s.io/kubectl/pkg/describe). Both
// are laid out by an emulation of Go's text/tabwriter with kubectl's settings.
//
// Every function is pure (the current time is a parameter) and safe for concurrent use.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/repeated_ptr_field.h>

#include <chrono>
#include <string>
#include <vector>

#include "api/objects.pb.h"

namespace lpv::cmd {

struct PrintOptions {
  bool wide = false;                          // -o wide: the extra columns
  bool with_namespace = false;                // -A: a NAMESPACE column first, for namespaced kinds
  bool no_headers = false;                    // --no-headers
  std::chrono::system_clock::time_point now;  // AGE and LAST SEEN count from here
};

// `kubectl get` for `objects`, all of Kind `kind` ("PersistentVolume", "Event", ...), in
// the given order. Returns "" when `objects` is empty: kubectl then prints only
// "No resources found" on stderr, which is the caller's business. An unknown kind gets
// kubectl's fallback table, NAME and AGE.
std::string PrintTable(const std::string& kind,
                       const std::vector<const google::protobuf::Message*>& objects,
                       const PrintOptions& options);

// The table behind PrintTable, as the API server's Table response carries it: the
// columns as printers.go names them ("Access Modes"; wide = priority 1) and each object's
// cells (wide ones included), for objects of `kind`. Objects of another kind get no row.
struct TableColumn {
  std::string name;
  bool wide = false;
};
struct TableData {
  std::vector<TableColumn> columns;
  std::vector<std::vector<std::string>> rows;  // rows[i] is objects[i]'s, when it has one
  std::vector<size_t> objects;                 // the index in `objects` of each row
};
TableData BuildTable(const std::string& kind,
                     const std::vector<const google::protobuf::Message*>& objects,
                     const PrintOptions& options);

// What a describe page shows beyond the object and its events. kubectl's describers
// list these from the API server; lpv's caller passes them in.
struct DescribeContext {
  // For a PersistentVolumeClaim, "Used By": pods of the claim's namespace; those whose
  // volumes name the claim are listed (so passing every pod of the namespace is fine).
  // For a StatefulSet, "Pods Status": pods controlled by the set are counted by phase.
  // Ignored for other kinds.
  std::vector<lpv::api::Pod> pods;
};

// `kubectl describe` for one object. `events` are the events whose involvedObject is
// `obj`, in any order; they are sorted by last timestamp as kubectl does.
// Kinds: PersistentVolume, PersistentVolumeClaim, Pod, Node, StorageClass, StatefulSet;
// any other kind gets Name, Namespace, Labels, Annotations and Events.
std::string Describe(const google::protobuf::Message& obj,
                     const std::vector<lpv::api::Event>& events,
                     std::chrono::system_clock::time_point now,
                     const DescribeContext& context = {});

// kubectl's AGE format (apimachinery duration.HumanDuration): 59s, 119s, 2m5s, 9m59s,
// 10m, 179m, 3h4m, 7h59m, 8h, 47h, 2d3h, 7d23h, 8d, 729d, 2y5d, 7y364d, 8y; "0s" for
// -1s (clock skew), "<invalid>" below that.
std::string HumanDuration(std::chrono::seconds d);

// HumanDuration(now - t) for an RFC 3339 timestamp; "<unknown>" when `rfc3339` is empty
// or unparsable (kubectl's translateTimestampSince).
std::string TranslateTimestampSince(const std::string& rfc3339,
                                    std::chrono::system_clock::time_point now);

// Access modes as kubectl abbreviates them, in kubectl's fixed order and without
// duplicates: "RWO,ROX,RWX,RWOP". Unknown modes are left out, as kubectl does.
std::string FormatAccessModes(const google::protobuf::RepeatedPtrField<std::string>& modes);

}  // namespace lpv::cmd
