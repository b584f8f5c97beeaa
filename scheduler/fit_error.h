// Telling the user why no node fits: the FailedScheduling message, composed as
// kube-scheduler v1.26 composes it (framework.FitError.Error() in
// pkg/scheduler/framework/types.go, and DefaultPreemption's PostFilter message):
//
//   0/3 nodes are available: 1 node(s) didn't find available persistent volumes to bind,
//   2 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available:
//   3 Preemption is not helpful for scheduling..
//
// - "0/N nodes are available:" then, when a PreFilter rejected the pod (the volume binder's
//   "pod has unbound immediate PersistentVolumeClaims"), " <that message>."; otherwise the
//   histogram of the nodes' reasons: "<count> <reason>" strings sorted as strings (so by
//   count first, then reason) joined with ", ", then ".";
// - then " <PostFilter message>." where the PostFilter message is DefaultPreemption's
//   "preemption: " + the same composition over its own per-node verdicts ("Preemption is
//   not helpful for scheduling" for nodes no eviction can fix, "No preemption victims found
//   for incoming pod" for the others). That inner message already ends with a period, so
//   v1.25-v1.29 print two (kubernetes#116133 shows it on v1.26.1; 1.30 dropped the second).
//
// Pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "scheduler/node_cache.h"
#include "scheduler/predicates.h"

namespace lpv::scheduler {

inline constexpr char kPreemptionNotHelpful[] = "Preemption is not helpful for scheduling";
inline constexpr char kNoPreemptionVictims[] = "No preemption victims found for incoming pod";
// ErrNoNodesAvailable: the message when the cluster has no node at all.
inline constexpr char kErrNoNodesAvailable[] = "no nodes available to schedule pods";

// Why a scheduling cycle found no node (framework.Diagnosis).
struct Diagnosis {
  // The failing verdict of every node that was tried, by node name.
  std::map<std::string, PredicateStatus> node_to_status;
  // A PreFilter's rejection, which then applies to every node.
  std::string prefilter_msg;
  // DefaultPreemption's message ("preemption: 0/3 nodes are available: ...").
  std::string postfilter_msg;
};

struct FitError {
  int num_all_nodes = 0;
  Diagnosis diagnosis;
  // The message of the PodScheduled condition and of the FailedScheduling event.
  std::string Error() const;
};

// The PostFilter message of DefaultPreemption for a pod no node fits. lpv never preempts:
// this is what DefaultPreemption says when it finds nothing to evict. For a node where only
// resources failed (preemption might help) Kubernetes looks for lower-priority victims; lpv
// treats every pod as not evictable, which is exact whenever no pod has a lower priority
// (lpv has no PriorityClasses: every pod's priority is 0 unless set by hand).
std::string PreemptionMessage(const Diagnosis& diagnosis, const std::vector<NodeInfoRef>& nodes);

}  // namespace lpv::scheduler
