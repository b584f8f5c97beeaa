// `kubectl get` tables: one row function per kind computes the cells as kubectl's
// printers.go does (v1.32), and PrintTable lays them out as cli-runtime's table printer.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "api/pod_util.h"
#include "cmd/printers.h"
#include "cmd/printers_internal.h"

namespace lpv::cmd {
namespace {

using google::protobuf::Message;
using Row = std::vector<std::string>;
using internal::Join;

struct Column {
  const char* name;   // as printers.go names it ("Access Modes"); the header is upper-cased
  bool wide = false;  // priority 1 in printers.go: shown only with -o wide
};

// A row holds a cell for every column, wide ones included; none for an object of another
// kind.
struct TableDefinition {
  std::vector<Column> columns;
  bool namespaced = false;
  std::optional<Row> (*row)(const Message&, const PrintOptions&) = nullptr;
};

template <typename T, Row (*RowOf)(const T&, const PrintOptions&)>
std::optional<Row> Typed(const Message& msg, const PrintOptions& options) {
  const T* obj = dynamic_cast<const T*>(&msg);
  if (obj == nullptr) return std::nullopt;
  return RowOf(*obj, options);
}

std::string Age(const lpv::api::ObjectMeta& meta, const PrintOptions& options) {
  return TranslateTimestampSince(meta.creation_timestamp(), options.now);
}

std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

Row PersistentVolumeRow(const lpv::api::PersistentVolume& pv, const PrintOptions& options) {
  std::string claim;
  if (pv.spec().has_claim_ref()) {
    claim = pv.spec().claim_ref().namespace_() + "/" + pv.spec().claim_ref().name();
  }
  std::string phase =
      pv.metadata().deletion_timestamp().empty() ? pv.status().phase() : "Terminating";
  std::string volume_mode = pv.spec().has_volume_mode() ? pv.spec().volume_mode() : "<unset>";
  return {pv.metadata().name(),
          internal::StorageQuantity(pv.spec().capacity()),
          FormatAccessModes(pv.spec().access_modes()),
          pv.spec().persistent_volume_reclaim_policy(),
          phase,
          claim,
          internal::PersistentVolumeClass(pv),
          pv.status().reason(),
          Age(pv.metadata(), options),
          volume_mode};
}

Row PersistentVolumeClaimRow(const lpv::api::PersistentVolumeClaim& pvc,
                             const PrintOptions& options) {
  std::string phase =
      pvc.metadata().deletion_timestamp().empty() ? pvc.status().phase() : "Terminating";
  // Capacity and access modes are the bound volume's, so only a claim naming a volume
  // has them.
  std::string capacity, access_modes;
  if (!pvc.spec().volume_name().empty()) {
    capacity = internal::StorageQuantity(pvc.status().capacity());
    access_modes = FormatAccessModes(pvc.status().access_modes());
  }
  std::string volume_mode = pvc.spec().has_volume_mode() ? pvc.spec().volume_mode() : "<unset>";
  return {pvc.metadata().name(),
          phase,
          pvc.spec().volume_name(),
          capacity,
          access_modes,
          internal::PersistentVolumeClaimClass(pvc),
          Age(pvc.metadata(), options),
          volume_mode};
}

Row PodRow(const lpv::api::Pod& pod, const PrintOptions& options) {
  const auto& status = pod.status();
  std::string reason = status.reason().empty() ? status.phase() : status.reason();
  for (const auto& c : status.conditions()) {
    if (c.type() == "PodScheduled" && c.reason() == "SchedulingGated") reason = "SchedulingGated";
  }
  int ready = 0;
  int restarts = 0;
  bool has_running = false;
  // kubectl walks the statuses from the last container, so the first container's waiting
  // reason is the one shown.
  for (int i = status.container_statuses_size() - 1; i >= 0; --i) {
    const auto& cs = status.container_statuses(i);
    restarts += cs.restart_count();
    if (cs.state().has_waiting() && !cs.state().waiting().reason().empty()) {
      reason = cs.state().waiting().reason();
    } else if (cs.ready() && cs.state().has_running()) {
      has_running = true;
      ++ready;
    }
  }
  if (reason == "Completed" && has_running) {
    reason = lpv::api::IsPodReady(pod) ? "Running" : "NotReady";
  }
  if (!pod.metadata().deletion_timestamp().empty()) {
    if (status.reason() == "NodeLost") {
      reason = "Unknown";
    } else if (status.phase() != "Succeeded" && status.phase() != "Failed") {
      reason = "Terminating";
    }
  }
  std::string ip = status.pod_ips_size() > 0 ? status.pod_ips(0).ip() : status.pod_ip();
  return {pod.metadata().name(),
          std::to_string(ready) + "/" + std::to_string(pod.spec().containers_size()),
          reason,
          std::to_string(restarts),
          Age(pod.metadata(), options),
          OrNone(ip),
          OrNone(pod.spec().node_name()),
          OrNone(status.nominated_node_name()),
          "<none>"};  // READINESS GATES: lpv pods declare none
}

std::string NodeAddress(const lpv::api::Node& node, const std::string& type) {
  for (const auto& a : node.status().addresses()) {
    if (a.type() == type) return a.address();
  }
  return "<none>";
}

Row NodeRow(const lpv::api::Node& node, const PrintOptions& options) {
  // Only the Ready condition counts; Ready=Unknown (a silent kubelet) reads NotReady, and
  // "Unknown" means the node has no Ready condition at all.
  std::vector<std::string> status;
  for (const auto& c : node.status().conditions()) {
    if (c.type() == "Ready") {
      status = {c.status() == "True" ? "Ready" : "NotReady"};
    }
  }
  if (status.empty()) status.push_back("Unknown");
  if (node.spec().unschedulable()) status.push_back("SchedulingDisabled");
  const auto& info = node.status().node_info();
  auto or_unknown = [](const std::string& s) { return s.empty() ? "<unknown>" : s; };
  return {node.metadata().name(),
          Join(status, ","),
          OrNone(Join(internal::NodeRoles(node), ",")),
          Age(node.metadata(), options),
          info.kubelet_version(),
          NodeAddress(node, "InternalIP"),
          NodeAddress(node, "ExternalIP"),
          or_unknown(info.os_image()),
          or_unknown(info.kernel_version()),
          or_unknown(info.container_runtime_version())};
}

Row StorageClassRow(const lpv::api::StorageClass& sc, const PrintOptions& options) {
  std::string name = sc.metadata().name();
  if (internal::IsDefaultStorageClass(sc.metadata())) name += " (default)";
  // The API server defaults these; kubectl shows the defaults for an object without them.
  return {name,
          sc.provisioner(),
          sc.has_reclaim_policy() ? sc.reclaim_policy() : "Delete",
          sc.has_volume_binding_mode() ? sc.volume_binding_mode() : "Immediate",
          sc.has_allow_volume_expansion() && sc.allow_volume_expansion() ? "true" : "false",
          Age(sc.metadata(), options)};
}

Row StatefulSetRow(const lpv::api::StatefulSet& sts, const PrintOptions& options) {
  int desired = sts.spec().has_replicas() ? sts.spec().replicas() : 1;  // the API default
  std::vector<std::string> names, images;
  for (const auto& c : sts.spec().template_().spec().containers()) {
    names.push_back(c.name());
    images.push_back(c.image());
  }
  return {sts.metadata().name(),
          std::to_string(sts.status().ready_replicas()) + "/" + std::to_string(desired),
          Age(sts.metadata(), options), Join(names, ","), Join(images, ",")};
}

// kubectl's lease columns: the holder is the node for kube-node-lease heartbeats.
Row LeaseRow(const lpv::api::Lease& lease, const PrintOptions& options) {
  return {lease.metadata().name(), lease.spec().holder_identity(), Age(lease.metadata(), options)};
}

Row EventRow(const lpv::api::Event& e, const PrintOptions& options) {
  std::string first_seen = TranslateTimestampSince(
      e.first_timestamp().empty() ? e.event_time() : e.first_timestamp(), options.now);
  std::string last_seen = e.last_timestamp().empty()
                              ? first_seen
                              : TranslateTimestampSince(e.last_timestamp(), options.now);
  int count = e.count() == 0 ? 1 : e.count();  // singleton events of the new API have none
  std::string kind = e.involved_object().kind();
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string object =
      e.involved_object().name().empty() ? kind : kind + "/" + e.involved_object().name();
  std::string component =
      e.source().component().empty() ? e.reporting_component() : e.source().component();
  std::string host = e.source().host().empty() ? e.reporting_instance() : e.source().host();
  std::string source = host.empty() ? component : component + ", " + host;
  std::string message = e.message();
  message.erase(0, message.find_first_not_of(" \t\n\r\f\v"));
  message.erase(message.find_last_not_of(" \t\n\r\f\v") + 1);
  return {last_seen,
          e.type(),
          e.reason(),
          object,
          e.involved_object().field_path(),
          source,
          message,
          first_seen,
          std::to_string(count),
          e.metadata().name()};
}

std::optional<Row> GenericRow(const Message& obj, const PrintOptions& options) {
  const lpv::api::ObjectMeta* meta = internal::MetaOf(obj);
  if (meta == nullptr) return Row{"", "<unknown>"};
  return Row{meta->name(), Age(*meta, options)};
}

const std::map<std::string, TableDefinition>& Tables() {
  using namespace lpv::api;
  static const auto* tables = new std::map<std::string, TableDefinition>{
      {"PersistentVolume",
       {{{"Name"},
         {"Capacity"},
         {"Access Modes"},
         {"Reclaim Policy"},
         {"Status"},
         {"Claim"},
         {"StorageClass"},
         {"Reason"},
         {"Age"},
         {"VolumeMode", true}},
        false,
        Typed<PersistentVolume, PersistentVolumeRow>}},
      {"PersistentVolumeClaim",
       {{{"Name"},
         {"Status"},
         {"Volume"},
         {"Capacity"},
         {"Access Modes"},
         {"StorageClass"},
         {"Age"},
         {"VolumeMode", true}},
        true,
        Typed<PersistentVolumeClaim, PersistentVolumeClaimRow>}},
      {"Pod",
       {{{"Name"},
         {"Ready"},
         {"Status"},
         {"Restarts"},
         {"Age"},
         {"IP", true},
         {"Node", true},
         {"Nominated Node", true},
         {"Readiness Gates", true}},
        true,
        Typed<Pod, PodRow>}},
      {"Node",
       {{{"Name"},
         {"Status"},
         {"Roles"},
         {"Age"},
         {"Version"},
         {"Internal-IP", true},
         {"External-IP", true},
         {"OS-Image", true},
         {"Kernel-Version", true},
         {"Container-Runtime", true}},
        false,
        Typed<Node, NodeRow>}},
      {"StorageClass",
       {{{"Name"},
         {"Provisioner"},
         {"ReclaimPolicy"},
         {"VolumeBindingMode"},
         {"AllowVolumeExpansion"},
         {"Age"}},
        false,
        Typed<StorageClass, StorageClassRow>}},
      {"StatefulSet",
       {{{"Name"}, {"Ready"}, {"Age"}, {"Containers", true}, {"Images", true}},
        true,
        Typed<StatefulSet, StatefulSetRow>}},
      {"Event",
       {{{"Last Seen"},
         {"Type"},
         {"Reason"},
         {"Object"},
         {"Subobject", true},
         {"Source", true},
         {"Message"},
         {"First Seen", true},
         {"Count", true},
         {"Name", true}},
        true,
        Typed<Event, EventRow>}},
      {"Lease", {{{"Name"}, {"Holder"}, {"Age"}}, true, Typed<Lease, LeaseRow>}},
  };
  return *tables;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// cli-runtime prints a string cell up to its first line break, marking the cut with "...".
std::string CellText(const std::string& cell) {
  size_t cut = cell.find_first_of("\f\n\r");
  return cut == std::string::npos ? cell : cell.substr(0, cut) + "...";
}

}  // namespace

TableData BuildTable(const std::string& kind,
                     const std::vector<const google::protobuf::Message*>& objects,
                     const PrintOptions& options) {
  static const auto* generic = new TableDefinition{{{"Name"}, {"Age"}}, true, GenericRow};
  auto it = Tables().find(kind);
  const TableDefinition& table = it == Tables().end() ? *generic : it->second;
  TableData data;
  for (const Column& c : table.columns) data.columns.push_back({c.name, c.wide});
  for (size_t i = 0; i < objects.size(); ++i) {
    if (objects[i] == nullptr) continue;
    std::optional<Row> row = table.row(*objects[i], options);
    if (!row) continue;
    data.rows.push_back(std::move(*row));
    data.objects.push_back(i);
  }
  return data;
}

std::string PrintTable(const std::string& kind,
                       const std::vector<const google::protobuf::Message*>& objects,
                       const PrintOptions& options) {
  if (objects.empty()) return "";
  static const auto* generic = new TableDefinition{{{"Name"}, {"Age"}}, true, GenericRow};
  auto it = Tables().find(kind);
  const TableDefinition& table = it == Tables().end() ? *generic : it->second;
  const bool with_namespace = options.with_namespace && table.namespaced;

  std::string text;
  auto append_row = [&](const std::string& ns, const Row& cells, bool header) {
    std::vector<std::string> shown;
    if (with_namespace) shown.push_back(ns);
    for (size_t i = 0; i < table.columns.size() && i < cells.size(); ++i) {
      if (table.columns[i].wide && !options.wide) continue;
      shown.push_back(header ? cells[i] : CellText(cells[i]));
    }
    text += Join(shown, "\t");
    text += '\n';
  };
  if (!options.no_headers) {
    Row header;
    for (const Column& c : table.columns) header.push_back(Upper(c.name));
    append_row("NAMESPACE", header, true);
  }
  for (const Message* obj : objects) {
    if (obj == nullptr) continue;
    std::optional<Row> row = table.row(*obj, options);
    if (!row) continue;
    const lpv::api::ObjectMeta* meta = internal::MetaOf(*obj);
    append_row(meta ? meta->namespace_() : "", *row, false);
  }
  return internal::TableTabWriter().Format(text);
}

}  // namespace lpv::cmd
