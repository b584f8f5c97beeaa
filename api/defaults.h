// Defaulting: what kube-apiserver fills in before validating a new object.
//
// SetDefaults reproduces Kubernetes' v1 defaulting functions (pkg/apis/core/v1/defaults.go,
// pkg/apis/apps/v1, pkg/apis/storage/v1) and, for pods, what create adds around them: the
// Pending phase and QoS class (pod strategy PrepareForCreate), the not-ready/unreachable
// NoExecute tolerations (DefaultTolerationSeconds admission) and priority 0 (Priority
// admission without a priority class). Only fields that are unset are touched, so calling
// it again, or on an update, is harmless.
//
// Pure functions on the object passed; no shared state.
#pragma once

#include <string>

#include "api/objects.pb.h"

namespace lpv::api {

// reclaimPolicy Delete, volumeBindingMode Immediate.
void SetDefaults(StorageClass* sc);
// persistentVolumeReclaimPolicy Retain, volumeMode Filesystem, hostPath.type "",
// status.phase Pending.
void SetDefaults(PersistentVolume* pv);
// spec.volumeMode Filesystem, status.phase Pending.
void SetDefaults(PersistentVolumeClaim* pvc);
// Pod spec defaults (restartPolicy Always, dnsPolicy ClusterFirst, schedulerName
// default-scheduler, terminationGracePeriodSeconds 30, containers' imagePullPolicy and port
// protocol TCP, requests from limits), the two 300 s NoExecute tolerations, priority 0,
// status.phase Pending and status.qosClass.
void SetDefaults(Pod* pod);
// podManagementPolicy OrderedReady, updateStrategy RollingUpdate with partition 0, replicas
// 1, revisionHistoryLimit 10, persistentVolumeClaimRetentionPolicy Retain/Retain, the pod
// template's spec defaults (not the pod-only ones), and each volumeClaimTemplate's claim
// defaults (volumeMode Filesystem, status.phase Pending — as kubectl shows them).
void SetDefaults(StatefulSet* set);
// status.allocatable defaults to status.capacity.
void SetDefaults(Node* node);

// The pod-spec defaults shared by pods and pod templates (SetDefaults_PodSpec and the
// per-container defaults).
void SetPodSpecDefaults(PodSpec* spec);

// IfNotPresent, or Always when the image's tag is "latest" or absent (and no digest).
std::string DefaultImagePullPolicy(const std::string& image);

// The pod's QoS class from its containers' cpu/memory requests and limits:
// "Guaranteed", "Burstable" or "BestEffort" (qos.ComputePodQOS).
std::string ComputePodQOS(const Pod& pod);

}  // namespace lpv::api
