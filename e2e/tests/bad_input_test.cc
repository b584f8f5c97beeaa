// The bad input catalogue: what a user or a program may send wrong, through the real `lpv`
// binary and through the gRPC Client API, each row with the exact message Kubernetes
// (kubectl, the API server) gives, a failing exit code or error reason, and proof that the
// store did not change (the same revision and the same objects before and after).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "api/objects.pb.h"
#include "api/scheme.h"
#include "client/client.h"
#include "client/remote.h"
#include "e2e/lpv_process.h"
#include "e2e/scenario.h"

namespace lpv {
namespace {

using testing::CommandResult;
using testing::ServerProcess;

const char kRFC1123Subdomain[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

// The objects every row runs against, as applied.
const char kClass[] =
    "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: local-storage\n"
    "provisioner: kubernetes.io/no-provisioner\nvolumeBindingMode: WaitForFirstConsumer\n";
const char kPV[] =
    "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: example-pv\nspec:\n"
    "  capacity:\n    storage: 100Gi\n  accessModes: [ReadWriteOnce]\n"
    "  persistentVolumeReclaimPolicy: Delete\n  storageClassName: local-storage\n"
    "  local:\n    path: /mnt/disks/ssd1\n  nodeAffinity:\n    required:\n"
    "      nodeSelectorTerms:\n      - matchExpressions:\n"
    "        - {key: kubernetes.io/hostname, operator: In, values: [example-node]}\n";
// A claim the tests mark Bound to example-pv through the status subresource.
const char kBoundClaim[] =
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n"
    "  accessModes: [ReadWriteOnce]\n  storageClassName: local-storage\n"
    "  volumeName: example-pv\n  resources:\n    requests:\n      storage: 100Gi\n";
const char kPendingClaim[] =
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: pending\nspec:\n"
    "  accessModes: [ReadWriteOnce]\n  storageClassName: local-storage\n"
    "  resources:\n    requests:\n      storage: 10Gi\n";
const char kStatefulSet[] =
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n"
    "  serviceName: web\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n"
    "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
    "      containers:\n      - {name: c, image: busybox}\n"
    "  volumeClaimTemplates:\n  - metadata: {name: vol}\n    spec:\n"
    "      accessModes: [ReadWriteOnce]\n      storageClassName: local-storage\n"
    "      resources: {requests: {storage: 1Gi}}\n";
// A pod already on a node, for the binding rows.
const char kScheduledPod[] =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: placed\nspec:\n  nodeName: example-node\n"
    "  containers:\n  - {name: c, image: busybox}\n";

// Replaces the first `from` in `text`.
std::string Edit(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("no \"" + from + "\" in manifest");
  return text.replace(pos, from.size(), to);
}

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("lpv-bad-input-");
    server_ = std::make_unique<ServerProcess>(
        LPV_BINARY, dir_, std::vector<std::string>{"--unsafe-no-fsync", "--api-only"});
    server_->Start();
    client_ = client::NewGrpcClient(server_->address());
    auto r = server_->Lpv({"apply", "-f", "-"}, std::string(kClass) + "---\n" + kPV + "---\n" +
                                                     kBoundClaim + "---\n" + kPendingClaim +
                                                     "---\n" + kStatefulSet + "---\n" +
                                                     kScheduledPod);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // No controllers run (--api-only): play the PV controller's last step for `data`.
    auto claim = client_->Get(*api::KindOf("PersistentVolumeClaim"), "default", "data");
    ASSERT_TRUE(claim.ok());
    auto& pvc = static_cast<api::PersistentVolumeClaim&>(**claim);
    pvc.mutable_status()->set_phase("Bound");
    (*pvc.mutable_status()->mutable_capacity())["storage"] = "100Gi";
    pvc.mutable_status()->add_access_modes("ReadWriteOnce");
    ASSERT_TRUE(client_->UpdateStatus(pvc).ok());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The store revision (Info) and every object of every kind, serialized: equal snapshots
  // mean nothing was written.
  std::string Snapshot() {
    auto info = client::GetServerInfo(server_->address());
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    std::string out = "revision " + (info.ok() ? info->revision : "?") + "\n";
    for (const char* kind : {"StorageClass", "PersistentVolume", "PersistentVolumeClaim", "Pod",
                             "Node", "StatefulSet", "Event"}) {
      auto list = client_->List(*api::LookupKind(kind), "", {});
      EXPECT_TRUE(list.ok()) << kind << ": " << list.status().ToString();
      if (!list.ok()) continue;
      for (const auto& item : list->items) out += kind + std::string(" ") + item->DebugString();
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<client::Client> client_;
};

// One row of the CLI table: `lpv ARGS` with INPUT on stdin fails with exit code 1 and
// exactly ERR on stderr (or ERR followed by Kubernetes' field diff when `diff_follows`).
struct CliCase {
  std::string name;
  std::vector<std::string> args;
  std::string input;
  std::string err;
  bool diff_follows = false;
};

std::vector<CliCase> CliCases(const std::string& dir) {
  const std::vector<std::string> apply = {"apply", "-f", "-"};
  const std::string pv_prefix = "The PersistentVolume \"example-pv\" is invalid: ";
  std::string big_args(300 * 1024, 'x');
  return {
      // ---- Not a manifest ----
      {"malformed YAML names the file and the line", apply,
       "apiVersion: v1\nkind: Node\nmetadata:\n  name: [n2\n",
       // lpv's YAML parser words the cause its own way (go-yaml's text not matched yet).
       "error: error parsing STDIN: error converting YAML to JSON: yaml: line 5: end of sequence "
       "flow not found\n"},
      {"a tab in the indentation is a YAML error", apply,
       "apiVersion: v1\nkind: Node\nmetadata:\n\tname: n2\n",
       "error: error parsing STDIN: error converting YAML to JSON: yaml: line 4: illegal map "
       "value\n"},
      {"a number where a map belongs cannot be decoded", apply,
       "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: x}\nspec: {capacity: 5}\n",
       "error: error decoding \"STDIN\": PersistentVolume in version \"v1\" cannot be handled as "
       "a PersistentVolume: json: cannot unmarshal number into Go struct field "
       "PersistentVolumeSpec.spec.capacity of type map[string]string\n"},
      {"a string where an integer belongs cannot be decoded", apply,
       Edit(kStatefulSet, "replicas: 1", "replicas: three"),
       "error: error decoding \"STDIN\": StatefulSet in version \"v1\" cannot be handled as a "
       "StatefulSet: json: cannot unmarshal string into Go struct field "
       "StatefulSetSpec.spec.replicas of type int32\n"},
      {"a manifest without kind is refused", apply, "apiVersion: v1\nmetadata: {name: x}\n",
       "error: error validating \"STDIN\": error validating data: kind not set; if you choose to "
       "ignore these errors, turn validation off with --validate=false\n"},
      {"without validation the decoder refuses a manifest without kind",
       {"apply", "--validate=false", "-f", "-"}, "apiVersion: v1\nmetadata: {name: x}\n",
       "error: unable to decode \"STDIN\": Object 'Kind' is missing in "
       "'{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"x\"}}'\n"},
      {"a --validate value kubectl does not know", {"apply", "--validate=maybe", "-f", "-"},
       kPendingClaim,
       "error: invalid - validate option \"maybe\"; must be one of: strict (or true), warn, "
       "ignore (or false)\n"},
      {"a manifest without apiVersion is refused", apply,
       "kind: PersistentVolume\nmetadata: {name: x}\n",
       "error: error validating \"STDIN\": error validating data: apiVersion not set; if you "
       "choose to ignore these errors, turn validation off with --validate=false\n"},
      {"an unknown kind has no mapping", apply,
       "apiVersion: v1\nkind: Widget\nmetadata: {name: w}\n",
       "error: resource mapping not found for name: \"w\" namespace: \"\" from \"STDIN\": no "
       "matches for kind \"Widget\" in version \"v1\"\n"},
      {"a known kind in the wrong group has no mapping", apply,
       "apiVersion: apps/v1\nkind: PersistentVolume\nmetadata: {name: p}\n",
       "error: resource mapping not found for name: \"p\" namespace: \"\" from \"STDIN\": no "
       "matches for kind \"PersistentVolume\" in version \"apps/v1\"\n"},
      {"a manifest without a name is refused", apply,
       "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nprovisioner: x\n",
       "error: error when retrieving current configuration of resource from \"STDIN\": resource "
       "name may not be empty\n"},
      {"a file that does not exist", {"apply", "-f", dir + "/missing.yaml"}, "",
       "error: the path \"" + dir + "/missing.yaml\" does not exist\n"},
      {"a namespace flag that contradicts the manifest", {"apply", "-n", "other", "-f", "-"},
       Edit(kPendingClaim, "name: pending", "name: pending\n  namespace: default"),
       "error: the namespace from the provided object \"default\" does not match the namespace "
       "\"other\". You must pass '--namespace=default' to perform this operation.\n"},
      // ---- Names ----
      {"a name with capitals and an underscore", apply,
       Edit(kPV, "name: example-pv", "name: Bad_Name"),
       "The PersistentVolume \"Bad_Name\" is invalid: metadata.name: Invalid value: "
       "\"Bad_Name\": " + std::string(kRFC1123Subdomain) + "\n"},
      {"a name longer than 253 characters", apply,
       Edit(kClass, "name: local-storage", "name: " + std::string(254, 'a')),
       "The StorageClass \"" + std::string(254, 'a') + "\" is invalid: metadata.name: Invalid "
       "value: \"" + std::string(254, 'a') + "\": must be no more than 253 characters\n"},
      // ---- Missing and malformed fields ----
      {"a claim without access modes", apply,
       "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n"
       "  resources: {requests: {storage: 1Gi}}\n",
       "The PersistentVolumeClaim \"c\" is invalid: spec.accessModes: Required value: at least 1 "
       "access mode is required\n"},
      {"a claim without a storage request", apply,
       "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n"
       "  accessModes: [ReadWriteOnce]\n",
       "The PersistentVolumeClaim \"c\" is invalid: spec.resources[storage]: Required value\n"},
      {"a negative storage request", apply,
       Edit(Edit(kPendingClaim, "storage: 10Gi", "storage: -1Gi"), "name: pending", "name: neg"),
       "The PersistentVolumeClaim \"neg\" is invalid: spec.resources[storage]: Invalid "
       "value: \"-1Gi\": must be greater than zero\n"},
      {"a capacity that is not a quantity", apply,
       Edit(Edit(kPV, "storage: 100Gi", "storage: lots"), "name: example-pv", "name: p2"),
       // Kubernetes refuses it while decoding (BadRequest "... cannot be handled as a
       // PersistentVolume: quantities must match ..."); lpv's validation names the field.
       "The PersistentVolume \"p2\" is invalid: spec.capacity[storage]: Invalid value: \"lots\": "
       "quantities must match the regular expression "
       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n"},
      {"a local volume without node affinity", apply,
       "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: manual-pv\nspec:\n"
       "  capacity: {storage: 100Gi}\n  accessModes: [ReadWriteOnce]\n"
       "  storageClassName: local-storage\n  local: {path: /mnt/disks/ssd1}\n",
       "The PersistentVolume \"manual-pv\" is invalid: spec.nodeAffinity: Required value: Local "
       "volume requires node affinity\n"},
      {"a volume with two sources", apply,
       Edit(Edit(kPV, "  local:\n", "  hostPath: {path: /tmp/x}\n  local:\n"), "name: example-pv",
            "name: p2"),
       "The PersistentVolume \"p2\" is invalid: spec.local: Forbidden: may not specify more than "
       "1 volume type\n"},
      {"a volume without a source", apply,
       "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: p2}\nspec:\n"
       "  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n",
       "The PersistentVolume \"p2\" is invalid: spec: Required value: must specify a volume "
       "type\n"},
      {"an access mode that does not exist", apply,
       Edit(Edit(kPV, "[ReadWriteOnce]", "[ReadWriteSometimes]"), "name: example-pv", "name: p2"),
       "The PersistentVolume \"p2\" is invalid: spec.accessModes: Unsupported value: "
       "\"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", "
       "\"ReadWriteOnce\", \"ReadWriteOncePod\"\n"},
      {"a reclaim policy that does not exist", apply,
       Edit(Edit(kPV, "Reclaim" "Policy: Delete", "ReclaimPolicy: Keep"), "name: example-pv",
            "name: p2"),
       "The PersistentVolume \"p2\" is invalid: spec.persistentVolumeReclaimPolicy: Unsupported "
       "value: \"Keep\": supported values: \"Delete\", \"Recycle\", \"Retain\"\n"},
      {"a node affinity with a bad operator", apply,
       Edit(Edit(kPV, "operator: In", "operator: Maybe"), "name: example-pv", "name: p2"),
       "The PersistentVolume \"p2\" is invalid: "
       "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].operator: Invalid "
       "value: \"Maybe\": not a valid selector operator\n"},
      {"a claim selector with a bad operator", apply,
       Edit(Edit(kPendingClaim, "  resources:",
                 "  selector:\n    matchExpressions:\n    - {key: disk, operator: Sometimes, "
                 "values: [ssd]}\n  resources:"),
            "name: pending", "name: sel"),
       "The PersistentVolumeClaim \"sel\" is invalid: spec.selector.matchExpressions[0].operator: "
       "Invalid value: \"Sometimes\": not a valid selector operator\n"},
      {"a binding mode that does not exist", apply,
       Edit(Edit(kClass, "WaitForFirstConsumer", "Later"), "name: local-storage", "name: s2"),
       "The StorageClass \"s2\" is invalid: volumeBindingMode: Unsupported value: \"Later\": "
       "supported values: \"Immediate\", \"WaitForFirstConsumer\"\n"},
      {"a negative replica count", apply,
       Edit(Edit(kStatefulSet, "replicas: 1", "replicas: -1"), "name: web\nspec",
            "name: web2\nspec"),
       "The StatefulSet \"web2\" is invalid: spec.replicas: Invalid value: -1: must be greater "
       "than or equal to 0\n"},
      {"a selector that does not select the template", apply,
       Edit(Edit(kStatefulSet, "labels: {app: web}", "labels: {app: other}"), "name: web\nspec",
            "name: web2\nspec"),
       "The StatefulSet \"web2\" is invalid: spec.template.metadata.labels: Invalid value: "
       "map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`\n"},
      {"an object whose last-applied annotation is over 256 KiB", apply,
       Edit(Edit(kStatefulSet, "image: busybox}", "image: busybox, args: [" + big_args + "]}"),
            "name: web\nspec", "name: big\nspec"),
       "The StatefulSet \"big\" is invalid: metadata.annotations: Too long: may not be more "
       "than 262144 bytes\n"},
      // ---- Immutable fields ----
      {"a class's provisioner cannot change", apply,
       Edit(kClass, "kubernetes.io/no-provisioner", "example.com/other"),
       "The StorageClass \"local-storage\" is invalid: provisioner: Forbidden: updates to "
       "provisioner are forbidden.\n"},
      {"a class's parameters cannot change", apply, std::string(kClass) + "parameters: {a: b}\n",
       "The StorageClass \"local-storage\" is invalid: parameters: Forbidden: updates to "
       "parameters are forbidden.\n"},
      {"a volume's source cannot change", apply,
       Edit(kPV, "/mnt/disks/ssd1", "/mnt/disks/ssd2"),
       pv_prefix + "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is "
                   "immutable after creation\n",
       true},
      {"an unbound claim's access modes cannot change", apply,
       Edit(kPendingClaim, "[ReadWriteOnce]", "[ReadWriteMany]"),
       "The PersistentVolumeClaim \"pending\" is invalid: spec: Forbidden: spec is immutable "
       "after creation except resources.requests and volumeAttributesClassName for bound "
       "claims\n",
       true},
      {"an unbound claim cannot be resized", apply,
       Edit(kPendingClaim, "storage: 10Gi", "storage: 20Gi"),
       "The PersistentVolumeClaim \"pending\" is invalid: spec: Forbidden: spec is immutable "
       "after creation except resources.requests and volumeAttributesClassName for bound "
       "claims\n",
       true},
      {"a bound claim cannot grow past its volume when the class does not expand", apply,
       Edit(kBoundClaim, "storage: 100Gi", "storage: 200Gi"),
       "Error from server (Forbidden): error when applying patch to \"STDIN\": "
       "persistentvolumeclaims \"data\" is forbidden: only dynamically provisioned pvc can be "
       "resized and the storageclass that provisions the pvc must support resize\n"},
      {"a bound claim cannot shrink below its capacity", apply,
       Edit(kBoundClaim, "storage: 100Gi", "storage: 50Gi"),
       "The PersistentVolumeClaim \"data\" is invalid: spec.resources.requests.storage: "
       "Forbidden: field can not be less than status.capacity\n"},
      {"a StatefulSet's serviceName cannot change", apply,
       Edit(kStatefulSet, "serviceName: web", "serviceName: other"),
       "The StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for "
       "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
       "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden\n"},
      {"a StatefulSet's claim templates cannot change", apply,
       Edit(kStatefulSet, "storage: 1Gi", "storage: 2Gi"),
       "The StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for "
       "fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
       "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden\n"},
      // ---- What does not exist ----
      {"deleting a volume that does not exist", {"delete", "pv", "nope"}, "",
       "Error from server (NotFound): persistentvolumes \"nope\" not found\n"},
      {"deleting a claim in another namespace", {"delete", "pvc", "data", "-n", "other"}, "",
       "Error from server (NotFound): persistentvolumeclaims \"data\" not found\n"},
      {"deleting an unknown kind", {"delete", "widgets", "w"}, "",
       "error: the server doesn't have a resource type \"widgets\"\n"},
      {"getting a class that does not exist", {"get", "sc", "nope"}, "",
       "Error from server (NotFound): storageclasses.storage.k8s.io \"nope\" not found\n"},
      {"getting an unknown kind", {"get", "widgets"}, "",
       "error: the server doesn't have a resource type \"widgets\"\n"},
      {"a label selector that does not parse", {"get", "pv", "-l", "app in (a"}, "",
       "Error from server (BadRequest): unable to parse requirement: found '', expected: ',' or "
       "')'\n"},
      {"a field selector on a field that cannot be selected",
       {"get", "pods", "--field-selector", "spec.foo=bar"}, "",
       "Error from server (BadRequest): field label not supported: spec.foo\n"},
  };
}

TEST_F(BadInputTest, CliRowsFailWithKubernetesMessagesAndChangeNothing) {
  auto cases = CliCases(dir_);
  EXPECT_GE(cases.size(), 40u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string before = Snapshot();
    CommandResult r = server_->Lpv(c.args, c.input);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    if (c.diff_follows) {
      EXPECT_EQ(r.err.substr(0, c.err.size()), c.err) << r.err;
      EXPECT_NE(r.err.find("\n  core."), std::string::npos) << "a field diff follows: " << r.err;
    } else {
      EXPECT_EQ(r.err, c.err);
    }
    EXPECT_EQ(r.out, "");
    EXPECT_TRUE(Snapshot() == before) << "the store changed";
  }
}

// One row of the API table: a Client call that fails with REASON and exactly MESSAGE.
struct ApiCase {
  std::string name;
  std::function<Status(client::Client&)> call;
  Reason reason;
  std::string message;
};

template <class T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

api::Pod PodWithArgs(const std::string& name, size_t arg_bytes) {
  api::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("c");
  c->set_image("busybox");
  c->add_args(std::string(arg_bytes, 'x'));
  return pod;
}

std::vector<ApiCase> ApiCases() {
  const auto& pv_kind = *api::KindOf("PersistentVolume");
  const auto& pvc_kind = *api::KindOf("PersistentVolumeClaim");
  const auto& pod_kind = *api::KindOf("Pod");
  auto get_pv = [&pv_kind](client::Client& c) {
    auto r = c.Get(pv_kind, "", "example-pv");
    return api::PersistentVolume(static_cast<const api::PersistentVolume&>(**r));
  };
  return {
      {"creating what exists",
       [=](client::Client& c) {
         api::PersistentVolume pv = get_pv(c);
         pv.mutable_metadata()->clear_resource_version();
         pv.mutable_metadata()->clear_uid();
         return StatusOf(c.Create(pv));
       },
       Reason::AlreadyExists, "persistentvolumes \"example-pv\" already exists"},
      {"creating with a resourceVersion",
       [=](client::Client& c) {
         api::PersistentVolume pv = get_pv(c);
         pv.mutable_metadata()->set_name("p3");
         return StatusOf(c.Create(pv));
       },
       Reason::BadRequest, "resourceVersion should not be set on objects to be created"},
      {"updating from a stale resourceVersion",
       [=](client::Client& c) {
         api::PersistentVolume pv = get_pv(c);
         pv.mutable_metadata()->set_resource_version("1");
         (*pv.mutable_metadata()->mutable_labels())["x"] = "y";
         return StatusOf(c.Update(pv));
       },
       Reason::Conflict,
       "Operation cannot be fulfilled on persistentvolumes \"example-pv\": the object has been "
       "modified; please apply your changes to the latest version and try again"},
      {"updating what does not exist",
       [=](client::Client& c) {
         api::PersistentVolume pv = get_pv(c);
         pv.mutable_metadata()->set_name("nope");
         pv.mutable_metadata()->clear_resource_version();
         return StatusOf(c.Update(pv));
       },
       Reason::NotFound, "persistentvolumes \"nope\" not found"},
      {"changing a volume's node affinity",
       [=](client::Client& c) {
         api::PersistentVolume pv = get_pv(c);
         pv.mutable_spec()
             ->mutable_node_affinity()
             ->mutable_required()
             ->mutable_node_selector_terms(0)
             ->mutable_match_expressions(0)
             ->set_values(0, "other-node");
         return StatusOf(c.Update(pv));
       },
       Reason::Invalid,
       "PersistentVolume \"example-pv\" is invalid: nodeAffinity: Invalid value: "
       "core.VolumeNodeAffinity{Required:(*core.NodeSelector)(...)}: field is immutable, except "
       "for updating from beta label to GA"},
      {"deleting what does not exist",
       [=](client::Client& c) { return StatusOf(c.Delete(pvc_kind, "default", "nope", {})); },
       Reason::NotFound, "persistentvolumeclaims \"nope\" not found"},
      {"deleting with a uid precondition that does not hold",
       [=](client::Client& c) {
         client::DeleteOptions o;
         o.uid = "not-the-uid";
         auto r = c.Delete(pv_kind, "", "example-pv", o);
         return r.ok() ? Status::OK() : r.status();
       },
       Reason::Conflict, ""},
      {"binding a pod that is already on a node",
       [](client::Client& c) {
         api::Binding b;
         b.mutable_metadata()->set_name("placed");
         b.mutable_metadata()->set_namespace_("default");
         b.mutable_target()->set_kind("Node");
         b.mutable_target()->set_name("node-2");
         return StatusOf(c.Bind(b));
       },
       Reason::Conflict,
       "Operation cannot be fulfilled on pods/binding \"placed\": pod placed is already assigned "
       "to node \"example-node\""},
      {"binding a pod that does not exist",
       [](client::Client& c) {
         api::Binding b;
         b.mutable_metadata()->set_name("ghost");
         b.mutable_metadata()->set_namespace_("default");
         b.mutable_target()->set_name("node-2");
         return StatusOf(c.Bind(b));
       },
       Reason::NotFound, "pods \"ghost\" not found"},
      {"binding to no node",
       [](client::Client& c) {
         api::Binding b;
         b.mutable_metadata()->set_name("placed");
         b.mutable_metadata()->set_namespace_("default");
         return StatusOf(c.Bind(b));
       },
       Reason::Invalid, "Binding \"placed\" is invalid: target.name: Required value"},
      {"a pod without containers",
       [](client::Client& c) {
         api::Pod pod = PodWithArgs("empty", 1);
         pod.mutable_spec()->clear_containers();
         return StatusOf(c.Create(pod));
       },
       Reason::Invalid, "Pod \"empty\" is invalid: spec.containers: Required value"},
      {"an object over etcd's 1.5 MiB",
       [](client::Client& c) { return StatusOf(c.Create(PodWithArgs("huge", 2 << 20))); },
       Reason::Unknown, "etcdserver: request is too large"},
      {"a request over the API server's 3 MiB",
       [](client::Client& c) {
         return StatusOf(c.Create(PodWithArgs("huger", (3 << 20) + (512 << 10))));
       },
       Reason::RequestEntityTooLarge, "Request entity too large: limit is 3145728"},
      {"a request far over the limit",
       [](client::Client& c) { return StatusOf(c.Create(PodWithArgs("hugest", 8 << 20))); },
       Reason::RequestEntityTooLarge, "Request entity too large: limit is 3145728"},
      {"a namespace that is not a DNS label",
       [](client::Client& c) {
         api::Pod pod = PodWithArgs("p", 1);
         pod.mutable_metadata()->set_namespace_("Bad_NS");
         return StatusOf(c.Create(pod));
       },
       Reason::Invalid,
       "Pod \"p\" is invalid: metadata.namespace: Invalid value: \"Bad_NS\": a lowercase RFC "
       "1123 label must consist of lower case alphanumeric characters or '-', and must start "
       "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
       "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"},
      {"listing with a selector that does not parse",
       [=](client::Client& c) {
         client::ListOptions o;
         o.label_selector = "a notin";
         auto r = c.List(pod_kind, "", o);
         return r.ok() ? Status::OK() : r.status();
       },
       Reason::BadRequest, ""},
  };
}

TEST_F(BadInputTest, ApiRowsFailWithKubernetesStatusesAndChangeNothing) {
  auto cases = ApiCases();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string before = Snapshot();
    Status s = c.call(*client_);
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(ReasonName(s.reason()), std::string(ReasonName(c.reason))) << s.ToString();
    EXPECT_EQ(s.reason() == Reason::Unknown, c.reason == Reason::Unknown) << s.ToString();
    if (!c.message.empty()) {
      EXPECT_EQ(s.message(), c.message);
    }
    EXPECT_TRUE(Snapshot() == before) << "the store changed";
  }
}


// The catalogue's "claim naming a missing class" is not refused: Kubernetes takes the claim
// (the class may be created later, and the claim then binds), and the PV controller says why
// it waits, as a ProvisioningFailed event on the claim. So this row needs the controllers.
using MissingClassTest = e2e::Scenario;

TEST_F(MissingClassTest, AClaimNamingAMissingClassIsTakenAndWaitsWithProvisioningFailed) {
  StartServer({"--unsafe-no-fsync"});
  std::string claim = Edit(kPendingClaim, "storageClassName: local-storage",
                           "storageClassName: gold");
  EXPECT_EQ(Must({"apply", "-f", "-"}, claim), "persistentvolumeclaim/pending created\n");
  WaitForList("events", [](const std::vector<client::ObjectPtr>& items) {
    for (const auto& item : items) {
      const auto& e = static_cast<const api::Event&>(*item);
      if (e.involved_object().name() == "pending" && e.reason() == "ProvisioningFailed") {
        return true;
      }
    }
    return false;
  });
  std::vector<e2e::Json> events = EventsFor("pending");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["type"], "Warning");
  EXPECT_EQ(events[0]["reason"], "ProvisioningFailed");
  EXPECT_EQ(events[0]["message"], "storageclass.storage.k8s.io \"gold\" not found");
  EXPECT_EQ(Get("pvc", "pending")["status"]["phase"], "Pending");
}

}  // namespace
}  // namespace lpv
