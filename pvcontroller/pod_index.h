// Pods by the claims they use, as pkg/controller/volume/common's PodPVCIndex, and the pod
// states the volume controllers care about. The PV controller (WaitForPodScheduled events)
// and the pvc-protection controller (is the claim in use?) both index their pod informer so.
//
// Pure functions; safe for concurrent use.
#pragma once

#include <string>
#include <vector>

#include "api/objects.pb.h"

namespace lpv::pvcontroller {

// The index name, and its values: "namespace/claim" for each claim the pod's volumes name.
inline constexpr char kPodPVCIndex[] = "pod-pvc-index";
std::vector<std::string> PodPVCIndexFunc(const google::protobuf::Message& pod);

// The pod has a volume from the named claim (in its own namespace).
bool PodReferencesClaim(const api::Pod& pod, const std::string& claim_name);

// The pod has finished: phase Succeeded or Failed, or it is being deleted and none of its
// containers runs (volumeutil.IsPodTerminated).
bool IsPodTerminated(const api::Pod& pod);

}  // namespace lpv::pvcontroller
