#include "rest/openapi_facts.h"

#include <map>
#include <set>

namespace lpv::rest::openapi {
namespace {

template <typename V>
const V& Find(const std::map<std::string, V>& table, const std::string& key) {
  static const V empty{};
  auto it = table.find(key);
  return it == table.end() ? empty : it->second;
}

}  // namespace

std::string DefinitionName(const std::string& message) {
  // Kubernetes names a definition by the Go package of its type.
  static const std::set<std::string> meta = {"ObjectMeta", "OwnerReference", "LabelSelector",
                                             "LabelSelectorRequirement"};
  if (meta.count(message)) return "io.k8s.apimachinery.pkg.apis.meta.v1." + message;
  if (message.starts_with("StatefulSet") || message == "RollingUpdateStatefulSetStrategy") {
    return "io.k8s.api.apps.v1." + message;
  }
  if (message == "StorageClass") return "io.k8s.api.storage.v1." + message;
  if (message.starts_with("Lease")) return "io.k8s.api.coordination.v1." + message;
  return "io.k8s.api.core.v1." + message;
}

const std::vector<std::string>& RequiredFields(const std::string& message) {
  static const auto* table = new std::map<std::string, std::vector<std::string>>{
      {"OwnerReference", {"apiVersion", "kind", "name", "uid"}},
      {"LabelSelectorRequirement", {"key", "operator"}},
      {"NodeSelectorRequirement", {"key", "operator"}},
      {"NodeSelector", {"nodeSelectorTerms"}},
      {"TopologySelectorLabelRequirement", {"key", "values"}},
      {"StorageClass", {"provisioner"}},
      {"LocalVolumeSource", {"path"}},
      {"HostPathVolumeSource", {"path"}},
      {"PersistentVolumeClaimCondition", {"type", "status"}},
      {"VolumeMount", {"name", "mountPath"}},
      {"ContainerPort", {"containerPort"}},
      {"EnvVar", {"name"}},
      {"Container", {"name"}},
      {"PersistentVolumeClaimVolumeSource", {"claimName"}},
      {"Volume", {"name"}},
      {"PodSpec", {"containers"}},
      {"PodCondition", {"type", "status"}},
      {"Taint", {"key", "effect"}},
      {"NodeCondition", {"type", "status"}},
      {"NodeAddress", {"type", "address"}},
      {"StatefulSetSpec", {"selector", "template"}},
      {"Event", {"metadata", "involvedObject"}},
  };
  return Find(*table, message);
}

const std::vector<UnmodelledField>& UnmodelledFields(const std::string& message) {
  // Kubernetes v1.34's fields of these types that api/objects.proto leaves out.
  static const auto* table = new std::map<std::string, std::vector<UnmodelledField>>{
      {"ObjectMeta", {{"managedFields", "[]object"}, {"selfLink", "string"}}},
      {"PersistentVolumeSpec",
       {{"awsElasticBlockStore", "object"},
        {"azureDisk", "object"},
        {"azureFile", "object"},
        {"cephfs", "object"},
        {"cinder", "object"},
        {"csi", "object"},
        {"fc", "object"},
        {"flexVolume", "object"},
        {"flocker", "object"},
        {"gcePersistentDisk", "object"},
        {"glusterfs", "object"},
        {"iscsi", "object"},
        {"nfs", "object"},
        {"photonPersistentDisk", "object"},
        {"portworxVolume", "object"},
        {"quobyte", "object"},
        {"rbd", "object"},
        {"scaleIO", "object"},
        {"storageos", "object"},
        {"volumeAttributesClassName", "string"},
        {"vsphereVolume", "object"}}},
      {"ResourceRequirements", {{"claims", "[]object"}}},
      {"PersistentVolumeClaimSpec",
       {{"dataSource", "object"},
        {"dataSourceRef", "object"},
        {"volumeAttributesClassName", "string"}}},
      {"PersistentVolumeClaimStatus",
       {{"allocatedResourceStatuses", "map"},
        {"allocatedResources", "map"},
        {"currentVolumeAttributesClassName", "string"},
        {"modifyVolumeStatus", "object"}}},
      {"VolumeMount",
       {{"mountPropagation", "string"},
        {"recursiveReadOnly", "string"},
        {"subPathExpr", "string"}}},
      {"ContainerPort", {{"hostIP", "string"}, {"hostPort", "integer"}}},
      {"EnvVar", {{"valueFrom", "object"}}},
      {"Container",
       {{"envFrom", "[]object"},
        {"lifecycle", "object"},
        {"livenessProbe", "object"},
        {"readinessProbe", "object"},
        {"resizePolicy", "[]object"},
        {"restartPolicy", "string"},
        {"restartPolicyRules", "[]object"},
        {"securityContext", "object"},
        {"startupProbe", "object"},
        {"stdin", "boolean"},
        {"stdinOnce", "boolean"},
        {"terminationMessagePath", "string"},
        {"terminationMessagePolicy", "string"},
        {"tty", "boolean"},
        {"volumeDevices", "[]object"}}},
      {"Volume",
       {{"awsElasticBlockStore", "object"},
        {"azureDisk", "object"},
        {"azureFile", "object"},
        {"cephfs", "object"},
        {"cinder", "object"},
        {"configMap", "object"},
        {"csi", "object"},
        {"downwardAPI", "object"},
        {"ephemeral", "object"},
        {"fc", "object"},
        {"flexVolume", "object"},
        {"flocker", "object"},
        {"gcePersistentDisk", "object"},
        {"gitRepo", "object"},
        {"glusterfs", "object"},
        {"image", "object"},
        {"iscsi", "object"},
        {"nfs", "object"},
        {"photonPersistentDisk", "object"},
        {"portworxVolume", "object"},
        {"projected", "object"},
        {"quobyte", "object"},
        {"rbd", "object"},
        {"scaleIO", "object"},
        {"secret", "object"},
        {"storageos", "object"},
        {"vsphereVolume", "object"}}},
      {"NodeAffinity", {{"preferredDuringSchedulingIgnoredDuringExecution", "[]object"}}},
      {"Affinity", {{"podAffinity", "object"}, {"podAntiAffinity", "object"}}},
      {"PodSpec",
       {{"activeDeadlineSeconds", "integer"},
        {"automountServiceAccountToken", "boolean"},
        {"dnsConfig", "object"},
        {"enableServiceLinks", "boolean"},
        {"ephemeralContainers", "[]object"},
        {"hostAliases", "[]object"},
        {"hostIPC", "boolean"},
        {"hostNetwork", "boolean"},
        {"hostPID", "boolean"},
        {"hostUsers", "boolean"},
        {"hostnameOverride", "string"},
        {"imagePullSecrets", "[]object"},
        {"os", "object"},
        {"overhead", "map"},
        {"preemptionPolicy", "string"},
        {"priorityClassName", "string"},
        {"readinessGates", "[]object"},
        {"resourceClaims", "[]object"},
        {"resources", "object"},
        {"runtimeClassName", "string"},
        {"schedulingGates", "[]object"},
        {"securityContext", "object"},
        {"serviceAccount", "string"},
        {"setHostnameAsFQDN", "boolean"},
        {"shareProcessNamespace", "boolean"},
        {"topologySpreadConstraints", "[]object"}}},
      {"PodCondition", {{"observedGeneration", "integer"}}},
      {"ContainerState", {{"terminated", "object"}}},
      {"ContainerStatus",
       {{"allocatedResources", "map"},
        {"allocatedResourcesStatus", "[]object"},
        {"containerID", "string"},
        {"imageID", "string"},
        {"lastState", "object"},
        {"resources", "object"},
        {"stopSignal", "string"},
        {"user", "object"},
        {"volumeMounts", "[]object"}}},
      {"PodStatus",
       {{"ephemeralContainerStatuses", "[]object"},
        {"extendedResourceClaimStatus", "object"},
        {"hostIPs", "[]object"},
        {"initContainerStatuses", "[]object"},
        {"observedGeneration", "integer"},
        {"resize", "string"},
        {"resourceClaimStatuses", "[]object"}}},
      {"NodeSpec",
       {{"configSource", "object"}, {"externalID", "string"}, {"podCIDRs", "[]string"}}},
      {"NodeSystemInfo", {{"bootID", "string"}, {"swap", "object"}, {"systemUUID", "string"}}},
      {"NodeStatus",
       {{"config", "object"},
        {"daemonEndpoints", "object"},
        {"features", "object"},
        {"images", "[]object"},
        {"phase", "string"},
        {"runtimeHandlers", "[]object"},
        {"volumesAttached", "[]object"},
        {"volumesInUse", "[]string"}}},
      {"RollingUpdateStatefulSetStrategy", {{"maxUnavailable", "IntOrString"}}},
      {"StatefulSetSpec", {{"ordinals", "object"}}},
      {"StatefulSetStatus", {{"conditions", "[]object"}}},
      {"Event", {{"action", "string"}, {"related", "object"}, {"series", "object"}}},
      {"LeaseSpec", {{"preferredHolder", "string"}, {"strategy", "string"}}},
  };
  return Find(*table, message);
}

std::string TypeDescription(const std::string& message) {
  static const auto* table = new std::map<std::string, std::string>{
      {"PersistentVolume",
       "A piece of storage in the cluster, made by an administrator or by a provisioner. A "
       "claim binds to it; it lives on independently of the pods that use it."},
      {"PersistentVolumeSpec",
       "What the volume is: its size, access modes, source and the "
       "nodes it can be used from."},
      {"PersistentVolumeStatus", "Where the volume is in its lifecycle."},
      {"PersistentVolumeClaim",
       "A request for storage by a user: a size, access modes and a class. The control plane "
       "binds it to one PersistentVolume that satisfies it."},
      {"PersistentVolumeClaimSpec", "The storage the claim asks for."},
      {"PersistentVolumeClaimStatus", "What the claim got."},
      {"StorageClass",
       "A class of storage: who provisions its volumes (the provisioner), with which "
       "parameters and reclaim policy, and when claims of the class are bound."},
      {"StatefulSet",
       "Runs pods with stable identities: pod <set>-<ordinal> keeps its name and, through "
       "volumeClaimTemplates, its own claims wherever and whenever it is recreated."},
      {"StatefulSetSpec", "The pods the set should run and the storage each of them gets."},
      {"StatefulSetStatus", "What the StatefulSet controller last saw of the set's pods."},
      {"Pod", "One or more containers scheduled together onto a node, sharing its volumes."},
      {"PodSpec", "The containers of a pod, its volumes, and where it may be scheduled."},
      {"PodStatus", "The observed state of a pod; written by the scheduler and the kubelet."},
      {"PodTemplateSpec", "The pods a controller creates: their metadata and spec."},
      {"Node", "A machine pods run on, as its kubelet registers and reports it."},
      {"Event",
       "A report that something happened to an object: a reason, a message and how often, "
       "from the component that saw it."},
      {"Lease",
       "A lease its holder renews to show it is alive: each kubelet renews one per node in "
       "the namespace kube-node-lease."},
      {"ObjectMeta",
       "Metadata every persisted object has: its name, namespace, labels and annotations, "
       "and what the server records (uid, resourceVersion, timestamps, finalizers, owners)."},
      {"VolumeNodeAffinity", "The nodes a volume can be reached from."},
      {"NodeSelector",
       "Selects nodes. It matches a node that matches any of its terms (the terms are ORed)."},
      {"NodeSelectorTerm", "Requirements a node must all meet (ANDed) to match the term."},
      {"NodeSelectorRequirement", "A requirement on a node label (or field) and some values."},
      {"LocalVolumeSource",
       "A disk, partition or directory mounted on one node. A local volume must have "
       "nodeAffinity that names the node."},
      {"LabelSelector",
       "A label query: matchLabels and matchExpressions are ANDed; an empty selector matches "
       "everything."},
      {"ResourceRequirements", "Compute or storage resources, as quantities."},
      {"Volume", "A named volume the pod's containers can mount."},
      {"Container", "A container of a pod: its image, command and mounts."},
      {"VolumeMount", "Where a volume appears in a container's filesystem."},
  };
  return Find(*table, message);
}

std::string FieldDescription(const std::string& message, const std::string& field) {
  static const auto* table = new std::map<std::string, std::string>{
      // Shared by every kind.
      {"*.apiVersion",
       "The schema version the object is written in, as group/version (v1, apps/v1)."},
      {"*.kind", "The kind of object, in CamelCase (PersistentVolume, StatefulSet)."},
      {"*.metadata", "Standard object metadata: name, namespace, labels, annotations."},
      {"*.spec", "The desired state, set by the user."},
      {"*.status", "The observed state, written by the system; users do not set it."},
      // ObjectMeta
      {"ObjectMeta.name",
       "Unique within a namespace (or the cluster, for cluster-scoped kinds). Cannot be "
       "changed."},
      {"ObjectMeta.generateName",
       "A prefix from which the server makes a unique name when name is empty."},
      {"ObjectMeta.namespace",
       "The namespace of a namespaced object (default when empty); none for cluster-scoped "
       "ones."},
      {"ObjectMeta.labels", "Key/value pairs that selectors match (map of strings)."},
      {"ObjectMeta.annotations",
       "Key/value pairs for tools and controllers; not used for selection."},
      {"ObjectMeta.uid", "Unique for the lifetime of the object; set by the server."},
      {"ObjectMeta.resourceVersion",
       "The version of the object the server last stored, for optimistic concurrency and "
       "watches. Opaque to clients."},
      {"ObjectMeta.generation", "Counts changes to the spec; set by the server."},
      {"ObjectMeta.creationTimestamp", "When the object was created; set by the server."},
      {"ObjectMeta.deletionTimestamp",
       "Set when deletion has been requested: the object goes once its finalizers are "
       "removed."},
      {"ObjectMeta.finalizers",
       "Names of the components that must finish work before the object is deleted (such as "
       "kubernetes.io/pv-protection)."},
      {"ObjectMeta.ownerReferences",
       "The objects this one belongs to; the garbage collector deletes it after them."},
      // PersistentVolume
      {"PersistentVolumeSpec.capacity",
       "The volume's resources as quantities; storage is its size (storage: 100Gi)."},
      {"PersistentVolumeSpec.local",
       "A local disk, partition or directory of one node; requires nodeAffinity."},
      {"PersistentVolumeSpec.hostPath",
       "A directory on the node the pod runs on: for single-node testing only."},
      {"PersistentVolumeSpec.accessModes",
       "How the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or "
       "ReadWriteOncePod."},
      {"PersistentVolumeSpec.claimRef",
       "The claim the volume is bound to, or reserved for before binding."},
      {"PersistentVolumeSpec.persistentVolumeReclaimPolicy",
       "What happens to the volume once its claim is deleted: Retain (kept, Released), "
       "Delete (removed by its provisioner) or Recycle."},
      {"PersistentVolumeSpec.storageClassName",
       "The StorageClass of the volume; only claims of that class bind to it. Empty: no "
       "class."},
      {"PersistentVolumeSpec.mountOptions", "Options for mounting the volume."},
      {"PersistentVolumeSpec.volumeMode", "Filesystem (the default) or Block."},
      {"PersistentVolumeSpec.nodeAffinity",
       "The nodes the volume can be used from. The scheduler only places pods that use it "
       "on those nodes."},
      {"VolumeNodeAffinity.required", "The node selector a node must match."},
      {"NodeSelector.nodeSelectorTerms", "The terms, ORed."},
      {"NodeSelectorTerm.matchExpressions", "Requirements on node labels, ANDed."},
      {"NodeSelectorTerm.matchFields", "Requirements on node fields (metadata.name), ANDed."},
      {"NodeSelectorRequirement.key", "The label (or field) the requirement is about."},
      {"NodeSelectorRequirement.operator",
       "How the key relates to the values: In, NotIn, Exists, DoesNotExist, Gt or Lt."},
      {"NodeSelectorRequirement.values",
       "The values: one or more for In and NotIn, none for Exists and DoesNotExist, a single "
       "integer for Gt and Lt."},
      {"LocalVolumeSource.path",
       "The full path of the volume on the node: a directory or a block device."},
      {"LocalVolumeSource.fsType",
       "The filesystem of a block device, when it must be formatted; detected if empty."},
      {"PersistentVolumeStatus.phase",
       "Pending, Available (not bound), Bound, Released (its claim is gone) or Failed."},
      {"PersistentVolumeStatus.message", "Why the volume is in this phase, for humans."},
      {"PersistentVolumeStatus.reason", "Why the volume is in this phase, in one word."},
      // PersistentVolumeClaim
      {"PersistentVolumeClaimSpec.accessModes", "The access modes the volume must offer."},
      {"PersistentVolumeClaimSpec.selector", "A label query over the volumes to bind to."},
      {"PersistentVolumeClaimSpec.resources",
       "The least the volume must offer: requests.storage is the size asked for."},
      {"PersistentVolumeClaimSpec.volumeName", "The volume the claim is bound to."},
      {"PersistentVolumeClaimSpec.storageClassName",
       "The StorageClass asked for. Absent: the default class; empty: no class."},
      {"PersistentVolumeClaimSpec.volumeMode", "Filesystem (the default) or Block."},
      {"PersistentVolumeClaimStatus.phase", "Pending, Bound or Lost."},
      {"PersistentVolumeClaimStatus.accessModes", "The access modes of the bound volume."},
      {"PersistentVolumeClaimStatus.capacity", "The resources of the bound volume."},
      {"PersistentVolumeClaimStatus.conditions", "The claim's current conditions."},
      // StorageClass
      {"StorageClass.provisioner",
       "Who makes the volumes of the class; kubernetes.io/no-provisioner when they are "
       "created by hand or by a static provisioner."},
      {"StorageClass.parameters", "Parameters for the provisioner."},
      {"StorageClass.reclaimPolicy",
       "The reclaim policy of the volumes the provisioner makes: Delete (the default) or "
       "Retain."},
      {"StorageClass.mountOptions", "Mount options of the volumes the provisioner makes."},
      {"StorageClass.allowVolumeExpansion", "Whether claims of the class may grow."},
      {"StorageClass.volumeBindingMode",
       "When claims are bound: Immediate (the default), or WaitForFirstConsumer, which waits "
       "until a pod using the claim is scheduled, so the volume is chosen for that pod's "
       "node."},
      {"StorageClass.allowedTopologies", "Where volumes of the class may be provisioned."},
      // StatefulSet
      {"StatefulSetSpec.replicas", "How many pods the set runs; 1 when not set."},
      {"StatefulSetSpec.selector",
       "A label query over the set's pods; it must match the template's labels."},
      {"StatefulSetSpec.template", "The pods of the set; pod i is named <set>-<i>."},
      {"StatefulSetSpec.volumeClaimTemplates",
       "Claims every pod gets, named <template>-<set>-<ordinal>. A pod keeps its claims "
       "when it is recreated; each template's name must match a volume mount in the pod "
       "template."},
      {"StatefulSetSpec.serviceName",
       "The headless Service that gives the pods their network identity."},
      {"StatefulSetSpec.podManagementPolicy",
       "OrderedReady (the default): pods are created one by one in order, each once the "
       "previous one is Running and Ready, and removed in reverse; Parallel: all at once."},
      {"StatefulSetSpec.updateStrategy", "How pods are replaced when the template changes."},
      {"StatefulSetSpec.revisionHistoryLimit", "How many old revisions are kept."},
      {"StatefulSetSpec.minReadySeconds",
       "How long a new pod must be ready before it counts as available."},
      {"StatefulSetSpec.persistentVolumeClaimRetentionPolicy",
       "Whether the claims made from volumeClaimTemplates are kept or deleted when the set "
       "is deleted or scaled down."},
      {"StatefulSetStatus.replicas", "How many pods the controller created."},
      {"StatefulSetStatus.readyReplicas", "How many of them are Ready."},
      // Pod
      {"PodSpec.volumes", "Volumes the pod's containers can mount."},
      {"PodSpec.containers", "The containers of the pod; at least one."},
      {"PodSpec.initContainers",
       "Containers that run one after another to completion before the others start."},
      {"PodSpec.restartPolicy", "Always (the default), OnFailure or Never."},
      {"PodSpec.nodeSelector", "Labels a node must have for the pod to run there."},
      {"PodSpec.nodeName",
       "The node the pod is bound to: set by the scheduler, or by the user to skip it."},
      {"PodSpec.affinity", "Scheduling constraints on nodes."},
      {"PodSpec.schedulerName", "The scheduler that places the pod."},
      {"PodSpec.tolerations", "Taints of nodes the pod tolerates."},
      {"PodSpec.terminationGracePeriodSeconds",
       "How long the pod's processes get to stop when it is deleted."},
      {"PodStatus.phase", "Pending, Running, Succeeded, Failed or Unknown."},
      {"PodStatus.conditions", "The pod's current conditions (PodScheduled, Ready, ...)."},
      {"Container.name", "The container's name, unique within the pod."},
      {"Container.image", "The container image to run."},
      {"Container.command", "The entrypoint; the image's when empty."},
      {"Container.args", "Arguments to the entrypoint."},
      {"Container.volumeMounts", "The pod volumes mounted into the container."},
      {"VolumeMount.name", "The name of a volume of the pod."},
      {"VolumeMount.mountPath", "Where the volume appears in the container."},
      {"Volume.name", "The volume's name, which volume mounts refer to."},
      {"Volume.persistentVolumeClaim", "A claim in the pod's namespace."},
      {"Volume.hostPath", "A directory of the node."},
      {"Volume.emptyDir", "A directory that lives as long as the pod."},
      {"ResourceRequirements.requests", "The least amount of each resource needed."},
      {"ResourceRequirements.limits", "The most of each resource allowed."},
  };
  auto it = table->find(message + "." + field);
  if (it != table->end()) return it->second;
  return Find(*table, "*." + field);
}

}  // namespace lpv::rest::openapi
