// `kubectl describe` pages, after k8s.io/kubectl/pkg/describe (v1.32). Each describer
// writes kubectl's lines (tab-separated "Key:\tvalue", two spaces per nesting level) into
// a PrefixWriter, and the Go tabwriter emulation aligns them at the end, so alignment
// follows kubectl's column blocks exactly (a line without a tab ends a block).
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "api/clock.h"
#include "api/quantity.h"
#include "cmd/printers.h"
#include "cmd/printers_internal.h"

namespace lpv::cmd {
namespace {

using google::protobuf::Map;
using google::protobuf::RepeatedPtrField;
using internal::Join;

// kubectl's PrefixWriter: text at an indentation level of two spaces per level.
class PrefixWriter {
 public:
  void Write(int level, std::string_view text) {
    out_.append(2 * static_cast<size_t>(level), ' ');
    out_.append(text);
  }
  std::string Text() const { return internal::DescribeTabWriter().Format(out_); }

 private:
  std::string out_;
};

using TimePoint = std::chrono::system_clock::time_point;

std::vector<std::string> SortedKeys(const Map<std::string, std::string>& map) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : map) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Go's %v of a []string: "[a b]".
std::string GoList(const RepeatedPtrField<std::string>& items) {
  return "[" + Join({items.begin(), items.end()}, " ") + "]";
}

// strings.Split(s, "\n"): kubectl prints multi-line values line by line.
std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    size_t end = s.find('\n', start);
    lines.push_back(s.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) return lines;
    start = end + 1;
  }
}

std::string TrimSpace(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\n\r\f\v"));
  s.erase(s.find_last_not_of(" \t\n\r\f\v") + 1);
  return s;
}

std::string OrNone(const std::string& s) { return s.empty() ? "<none>" : s; }

// labels.FormatLabels: "k=v,k2=v2" sorted, or "<none>".
std::string FormatLabels(const Map<std::string, std::string>& labels) {
  std::vector<std::string> parts;
  for (const std::string& key : SortedKeys(labels)) parts.push_back(key + "=" + labels.at(key));
  return OrNone(Join(parts, ","));
}

// A label selector as labels.Selector.String() prints it: requirements sorted by key,
// "k=v", "k in (a,b)", "k notin (a,b)", "k", "!k".
std::string FormatSelector(const lpv::api::LabelSelector& selector) {
  std::vector<std::pair<std::string, std::string>> requirements;
  for (const auto& [key, value] : selector.match_labels()) {
    requirements.emplace_back(key, key + "=" + value);
  }
  for (const auto& e : selector.match_expressions()) {
    std::vector<std::string> values(e.values().begin(), e.values().end());
    std::sort(values.begin(), values.end());
    std::string text;
    if (e.operator_() == "In") {
      text = e.key() + " in (" + Join(values, ",") + ")";
    } else if (e.operator_() == "NotIn") {
      text = e.key() + " notin (" + Join(values, ",") + ")";
    } else if (e.operator_() == "Exists") {
      text = e.key();
    } else if (e.operator_() == "DoesNotExist") {
      text = "!" + e.key();
    } else {
      text = e.key() + " " + e.operator_() + " (" + Join(values, ",") + ")";
    }
    requirements.emplace_back(e.key(), text);
  }
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : requirements) parts.push_back(r.second);
  return Join(parts, ",");
}

// Go's %q for the plain strings lpv has.
std::string GoQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// ---- shared sections ----

void PrintLabelsMultiline(PrefixWriter& w, const std::string& title,
                          const Map<std::string, std::string>& labels,
                          const std::string& initial_indent = "") {
  w.Write(0, initial_indent + title + ":\t");
  if (labels.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  std::vector<std::string> keys = SortedKeys(labels);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i != 0) w.Write(0, initial_indent + "\t");
    w.Write(0, keys[i] + "=" + labels.at(keys[i]) + "\n");
  }
}

// Annotations print as "key: value", as current kubectl does (the article's kubectl 1.10
// printed key=value). kubectl hides the last-applied configuration and folds long values.
void PrintAnnotationsMultiline(PrefixWriter& w, const std::string& title,
                               const Map<std::string, std::string>& annotations) {
  constexpr size_t kMaxAnnotationLen = 140;
  w.Write(0, title + ":\t");
  std::vector<std::string> keys;
  for (const std::string& key : SortedKeys(annotations)) {
    if (key != "kubectl.kubernetes.io/last-applied-configuration") keys.push_back(key);
  }
  if (keys.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i != 0) w.Write(0, "\t");
    std::string value = annotations.at(keys[i]);
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (value.size() + keys[i].size() + 2 > kMaxAnnotationLen ||
        value.find('\n') != std::string::npos) {
      w.Write(0, keys[i] + ":\n");
      for (std::string line : SplitLines(value)) {
        if (line.size() > kMaxAnnotationLen - 2) {
          line = line.substr(0, kMaxAnnotationLen - 2) + "...";
        }
        w.Write(0, "\t  " + line + "\n");
      }
    } else {
      w.Write(0, keys[i] + ": " + value + "\n");
    }
  }
}

std::optional<TimePoint> EventSortTime(const lpv::api::Event& e) {
  return ParseRFC3339(e.last_timestamp().empty() ? e.event_time() : e.last_timestamp());
}

void DescribeEvents(PrefixWriter& w, const std::vector<lpv::api::Event>& events, TimePoint now) {
  if (events.empty()) {
    w.Write(0, "Events:\t<none>\n");
    return;
  }
  std::vector<const lpv::api::Event*> sorted;
  for (const auto& e : events) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    // An unparsable time is Go's zero time, the earliest.
    return EventSortTime(*a).value_or(TimePoint::min()) <
           EventSortTime(*b).value_or(TimePoint::min());
  });
  w.Write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.Write(1, "----\t------\t----\t----\t-------\n");
  for (const auto* e : sorted) {
    std::string first = TranslateTimestampSince(
        e->event_time().empty() ? e->first_timestamp() : e->event_time(), now);
    std::string interval = first;
    if (e->count() > 1) {
      interval = TranslateTimestampSince(e->last_timestamp(), now) + " (x" +
                 std::to_string(e->count()) + " over " + first + ")";
    }
    std::string source =
        e->source().component().empty() ? e->reporting_component() : e->source().component();
    w.Write(1, e->type() + "\t" + e->reason() + "\t" + interval + "\t" + source + "\t" +
                   TrimSpace(e->message()) + "\n");
  }
}

std::string StatusLine(const lpv::api::ObjectMeta& meta, const std::string& phase, TimePoint now) {
  if (!meta.deletion_timestamp().empty()) {
    return "Status:\tTerminating (lasts " +
           TranslateTimestampSince(meta.deletion_timestamp(), now) + ")\n";
  }
  return "Status:\t" + phase + "\n";
}

// ---- volume sources ----

void PrintHostPathVolumeSource(PrefixWriter& w, const lpv::api::HostPathVolumeSource& hp) {
  w.Write(2, "Type:\tHostPath (bare host directory volume)\n    Path:\t" + hp.path() +
                 "\n    HostPathType:\t" + (hp.has_type() ? hp.type() : "<none>") + "\n");
}

void PrintLocalVolumeSource(PrefixWriter& w, const lpv::api::LocalVolumeSource& local) {
  w.Write(2,
          "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n"
          "    Path:\t" +
              local.path() + "\n");
}

void PrintNodeSelectorTerm(PrefixWriter& w, int level, const std::string& title,
                           const RepeatedPtrField<lpv::api::NodeSelectorRequirement>& reqs) {
  w.Write(level, title + ":\t");
  if (reqs.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  for (int i = 0; i < reqs.size(); ++i) {
    if (i != 0) w.Write(level, "\t");
    std::string op = reqs[i].operator_();
    std::transform(op.begin(), op.end(), op.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    std::string expr = reqs[i].key() + " " + op;
    if (!reqs[i].values().empty()) {
      expr += " [" + Join({reqs[i].values().begin(), reqs[i].values().end()}, ", ") + "]";
    }
    w.Write(0, expr + "\n");
  }
}

void PrintVolumeNodeAffinity(PrefixWriter& w, const lpv::api::PersistentVolumeSpec& spec) {
  w.Write(0, "Node Affinity:\t");
  if (!spec.has_node_affinity() || !spec.node_affinity().has_required()) {
    w.Write(0, "<none>\n");
    return;
  }
  w.Write(0, "\n");
  const auto& terms = spec.node_affinity().required().node_selector_terms();
  w.Write(1, "Required Terms:\t");
  if (terms.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  w.Write(0, "\n");
  for (int i = 0; i < terms.size(); ++i) {
    PrintNodeSelectorTerm(w, 2, "Term " + std::to_string(i), terms[i].match_expressions());
  }
}

// ---- PersistentVolume ----

std::string DescribePersistentVolume(const lpv::api::PersistentVolume& pv,
                                     const std::vector<lpv::api::Event>& events, TimePoint now) {
  PrefixWriter w;
  const auto& spec = pv.spec();
  w.Write(0, "Name:\t" + pv.metadata().name() + "\n");
  PrintLabelsMultiline(w, "Labels", pv.metadata().labels());
  PrintAnnotationsMultiline(w, "Annotations", pv.metadata().annotations());
  w.Write(0, "Finalizers:\t" + GoList(pv.metadata().finalizers()) + "\n");
  w.Write(0, "StorageClass:\t" + internal::PersistentVolumeClass(pv) + "\n");
  w.Write(0, StatusLine(pv.metadata(), pv.status().phase(), now));
  std::string claim;
  if (spec.has_claim_ref()) claim = spec.claim_ref().namespace_() + "/" + spec.claim_ref().name();
  w.Write(0, "Claim:\t" + claim + "\n");
  w.Write(0, "Reclaim Policy:\t" + spec.persistent_volume_reclaim_policy() + "\n");
  w.Write(0, "Access Modes:\t" + FormatAccessModes(spec.access_modes()) + "\n");
  if (spec.has_volume_mode()) w.Write(0, "VolumeMode:\t" + spec.volume_mode() + "\n");
  w.Write(0, "Capacity:\t" + internal::StorageQuantity(spec.capacity()) + "\n");
  PrintVolumeNodeAffinity(w, spec);
  w.Write(0, "Message:\t" + pv.status().message() + "\n");
  w.Write(0, "Source:\n");
  if (spec.has_host_path()) {
    PrintHostPathVolumeSource(w, spec.host_path());
  } else if (spec.has_local()) {
    PrintLocalVolumeSource(w, spec.local());
  } else {
    w.Write(1, "<unknown>\n");
  }
  DescribeEvents(w, events, now);
  return w.Text();
}

// ---- PersistentVolumeClaim ----

bool PodUsesClaim(const lpv::api::Pod& pod, const lpv::api::PersistentVolumeClaim& pvc) {
  if (pod.metadata().namespace_() != pvc.metadata().namespace_()) return false;
  for (const auto& v : pod.spec().volumes()) {
    if (v.has_persistent_volume_claim() &&
        v.persistent_volume_claim().claim_name() == pvc.metadata().name()) {
      return true;
    }
  }
  return false;
}

std::string DescribePersistentVolumeClaim(const lpv::api::PersistentVolumeClaim& pvc,
                                          const std::vector<lpv::api::Event>& events, TimePoint now,
                                          const DescribeContext& context) {
  PrefixWriter w;
  const auto& meta = pvc.metadata();
  w.Write(0, "Name:\t" + meta.name() + "\n");
  w.Write(0, "Namespace:\t" + meta.namespace_() + "\n");
  w.Write(0, "StorageClass:\t" + internal::PersistentVolumeClaimClass(pvc) + "\n");
  w.Write(0, StatusLine(meta, pvc.status().phase(), now));
  w.Write(0, "Volume:\t" + pvc.spec().volume_name() + "\n");
  PrintLabelsMultiline(w, "Labels", meta.labels());
  PrintAnnotationsMultiline(w, "Annotations", meta.annotations());
  w.Write(0, "Finalizers:\t" + GoList(meta.finalizers()) + "\n");
  std::string capacity, access_modes;
  if (!pvc.spec().volume_name().empty()) {
    capacity = internal::StorageQuantity(pvc.status().capacity());
    access_modes = FormatAccessModes(pvc.status().access_modes());
  }
  w.Write(0, "Capacity:\t" + capacity + "\n");
  w.Write(0, "Access Modes:\t" + access_modes + "\n");
  if (pvc.spec().has_volume_mode()) w.Write(0, "VolumeMode:\t" + pvc.spec().volume_mode() + "\n");

  std::vector<std::string> users;
  for (const auto& pod : context.pods) {
    if (PodUsesClaim(pod, pvc)) users.push_back(pod.metadata().name());
  }
  std::sort(users.begin(), users.end());
  w.Write(0, "Used By:\t");
  if (users.empty()) w.Write(0, "<none>\n");
  for (size_t i = 0; i < users.size(); ++i) {
    if (i != 0) w.Write(0, "\t");
    w.Write(0, users[i] + "\n");
  }

  if (!pvc.status().conditions().empty()) {
    w.Write(0, "Conditions:\n");
    w.Write(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
    w.Write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const auto& c : pvc.status().conditions()) {
      w.Write(1, c.type() + " \t" + c.status() + " \t" +
                     internal::FormatRFC1123Z(c.last_probe_time()) + " \t" +
                     internal::FormatRFC1123Z(c.last_transition_time()) + " \t" + c.reason() +
                     " \t" + c.message() + "\n");
    }
  }
  DescribeEvents(w, events, now);
  return w.Text();
}

// ---- containers, volumes, tolerations (pods and pod templates) ----

std::string Protocol(const lpv::api::ContainerPort& port) {
  return port.protocol().empty() ? "TCP" : port.protocol();  // the API default
}

void DescribeResources(PrefixWriter& w, const lpv::api::ResourceRequirements& resources,
                       int level) {
  if (!resources.limits().empty()) w.Write(level, "Limits:\n");
  for (const std::string& name : SortedKeys(resources.limits())) {
    w.Write(level + 1, name + ":\t" + resources.limits().at(name) + "\n");
  }
  if (!resources.requests().empty()) w.Write(level, "Requests:\n");
  for (const std::string& name : SortedKeys(resources.requests())) {
    w.Write(level + 1, name + ":\t" + resources.requests().at(name) + "\n");
  }
}

// `space` is "" for a pod and "  " for a pod template, whose lines sit one level deeper.
void DescribeContainers(PrefixWriter& w, const std::string& label,
                        const RepeatedPtrField<lpv::api::Container>& containers,
                        const RepeatedPtrField<lpv::api::ContainerStatus>* statuses,
                        const std::string& space) {
  w.Write(0, space + label + ":" + (containers.empty() ? " <none>" : "") + "\n");
  for (const auto& c : containers) {
    const lpv::api::ContainerStatus* status = nullptr;
    if (statuses != nullptr) {
      for (const auto& s : *statuses) {
        if (s.name() == c.name()) status = &s;
      }
    }
    w.Write(1, (space.empty() ? "" : " ") + c.name() + ":\n");
    if (status != nullptr) w.Write(2, "Container ID:\t\n");  // lpv runs no containers
    w.Write(2, "Image:\t" + c.image() + "\n");
    if (status != nullptr) w.Write(2, "Image ID:\t\n");
    std::vector<std::string> ports, host_ports;
    for (const auto& p : c.ports()) {
      ports.push_back(std::to_string(p.container_port()) + "/" + Protocol(p));
      host_ports.push_back("0/" + Protocol(p));
    }
    w.Write(2, (ports.size() > 1 ? "Ports:\t" : "Port:\t") + OrNone(Join(ports, ", ")) + "\n");
    w.Write(2, (host_ports.size() > 1 ? "Host Ports:\t" : "Host Port:\t") +
                   OrNone(Join(host_ports, ", ")) + "\n");
    if (!c.command().empty()) {
      w.Write(2, "Command:\n");
      for (const auto& s : c.command()) {
        for (const auto& line : SplitLines(s)) w.Write(3, line + "\n");
      }
    }
    if (!c.args().empty()) {
      w.Write(2, "Args:\n");
      for (const auto& s : c.args()) {
        for (const auto& line : SplitLines(s)) w.Write(3, line + "\n");
      }
    }
    if (status != nullptr) {
      const auto& state = status->state();
      if (state.has_running()) {
        w.Write(2, "State:\tRunning\n");
        w.Write(3, "Started:\t" + internal::FormatRFC1123Z(state.running().started_at()) + "\n");
      } else {
        w.Write(2, "State:\tWaiting\n");
        if (state.has_waiting() && !state.waiting().reason().empty()) {
          w.Write(3, "Reason:\t" + state.waiting().reason() + "\n");
        }
      }
      w.Write(2, std::string("Ready:\t") + (status->ready() ? "True" : "False") + "\n");
      w.Write(2, "Restart Count:\t" + std::to_string(status->restart_count()) + "\n");
    }
    DescribeResources(w, c.resources(), 2);
    w.Write(2, std::string("Environment:") + (c.env().empty() ? "\t<none>" : "") + "\n");
    for (const auto& e : c.env()) {
      std::vector<std::string> lines = SplitLines(e.value());
      for (size_t i = 0; i < lines.size(); ++i) {
        w.Write(3, (i == 0 ? e.name() + ":\t" : "\t") + lines[i] + "\n");
      }
    }
    w.Write(2, std::string("Mounts:") + (c.volume_mounts().empty() ? "\t<none>" : "") + "\n");
    std::vector<const lpv::api::VolumeMount*> mounts;
    for (const auto& m : c.volume_mounts()) mounts.push_back(&m);
    std::stable_sort(mounts.begin(), mounts.end(), [](const auto* a, const auto* b) {
      return a->mount_path() < b->mount_path();
    });
    for (const auto* m : mounts) {
      std::string flags = m->read_only() ? "ro" : "rw";
      if (!m->sub_path().empty()) flags += ",path=" + GoQuote(m->sub_path());
      w.Write(3, m->mount_path() + " from " + m->name() + " (" + flags + ")\n");
    }
  }
}

void DescribeVolumes(PrefixWriter& w, const RepeatedPtrField<lpv::api::Volume>& volumes,
                     const std::string& space) {
  if (volumes.empty()) {
    w.Write(0, space + "Volumes:\t<none>\n");
    return;
  }
  w.Write(0, space + "Volumes:\n");
  for (const auto& v : volumes) {
    w.Write(1, (space.empty() ? "" : " ") + v.name() + ":\n");
    if (v.has_host_path()) {
      PrintHostPathVolumeSource(w, v.host_path());
    } else if (v.has_empty_dir()) {
      w.Write(2,
              "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
              "    Medium:\t" +
                  v.empty_dir().medium() + "\n    SizeLimit:\t" +
                  (v.empty_dir().has_size_limit() && v.empty_dir().size_limit() != "0"
                       ? v.empty_dir().size_limit()
                       : "<unset>") +
                  "\n");
    } else if (v.has_persistent_volume_claim()) {
      w.Write(2,
              "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
              "same namespace)\n    ClaimName:\t" +
                  v.persistent_volume_claim().claim_name() + "\n    ReadOnly:\t" +
                  (v.persistent_volume_claim().read_only() ? "true" : "false") + "\n");
    } else {
      w.Write(1, "<unknown>\n");
    }
  }
}

void PrintTolerationsMultiline(PrefixWriter& w, const std::string& title,
                               const RepeatedPtrField<lpv::api::Toleration>& tolerations) {
  w.Write(0, title + ":\t");
  if (tolerations.empty()) {
    w.Write(0, "<none>\n");
    return;
  }
  std::vector<const lpv::api::Toleration*> sorted;
  for (const auto& t : tolerations) sorted.push_back(&t);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto* a, const auto* b) { return a->key() < b->key(); });
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto& t = *sorted[i];
    std::string line = t.key();
    if (!t.value().empty()) line += "=" + t.value();
    if (!t.effect().empty()) line += ":" + t.effect();
    // operator Exists with no value tolerates every value (or, without a key, everything).
    if (t.operator_() == "Exists" && t.value().empty()) {
      line += (!t.key().empty() || !t.effect().empty()) ? " op=Exists" : "op=Exists";
    }
    if (t.has_toleration_seconds()) line += " for " + std::to_string(t.toleration_seconds()) + "s";
    if (i != 0) w.Write(0, "\t");
    w.Write(0, line + "\n");
  }
}

// ---- Pod ----

// The pod's QoS class: the status's when set, otherwise computed as Kubernetes'
// ComputePodQOS does from the cpu and memory requests and limits of all containers.
std::string PodQOSClass(const lpv::api::Pod& pod) {
  if (!pod.status().qos_class().empty()) return pod.status().qos_class();
  std::map<std::string, lpv::api::Quantity> requests, limits;
  bool guaranteed = true;
  // Adds the positive cpu and memory quantities of `list` to `sums`; returns their names.
  auto add = [](const Map<std::string, std::string>& list,
                std::map<std::string, lpv::api::Quantity>* sums) {
    std::set<std::string> found;
    for (const auto& [name, value] : list) {
      if (name != "cpu" && name != "memory") continue;
      auto q = lpv::api::Quantity::Parse(value);
      if (!q.ok() || q->Sign() <= 0) continue;
      (*sums)[name].Add(*q);
      found.insert(name);
    }
    return found;
  };
  for (const auto* containers : {&pod.spec().containers(), &pod.spec().init_containers()}) {
    for (const auto& c : *containers) {
      add(c.resources().requests(), &requests);
      if (add(c.resources().limits(), &limits).size() != 2) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  for (const auto& [name, request] : requests) {
    auto limit = limits.find(name);
    if (limit == limits.end() || limit->second.Cmp(request) != 0) guaranteed = false;
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

std::string DescribePod(const lpv::api::Pod& pod, const std::vector<lpv::api::Event>& events,
                        TimePoint now) {
  PrefixWriter w;
  const auto& meta = pod.metadata();
  const auto& spec = pod.spec();
  const auto& status = pod.status();
  w.Write(0, "Name:\t" + meta.name() + "\n");
  w.Write(0, "Namespace:\t" + meta.namespace_() + "\n");
  if (spec.has_priority()) w.Write(0, "Priority:\t" + std::to_string(spec.priority()) + "\n");
  if (!spec.service_account_name().empty()) {
    w.Write(0, "Service Account:\t" + spec.service_account_name() + "\n");
  }
  if (spec.node_name().empty()) {
    w.Write(0, "Node:\t<none>\n");
  } else {
    w.Write(0, "Node:\t" + spec.node_name() + "/" + status.host_ip() + "\n");
  }
  if (!status.start_time().empty()) {
    w.Write(0, "Start Time:\t" + internal::FormatRFC1123Z(status.start_time()) + "\n");
  }
  PrintLabelsMultiline(w, "Labels", meta.labels());
  PrintAnnotationsMultiline(w, "Annotations", meta.annotations());
  if (!meta.deletion_timestamp().empty() && status.phase() != "Failed" &&
      status.phase() != "Succeeded") {
    w.Write(0, StatusLine(meta, status.phase(), now));
    long long grace =
        meta.has_deletion_grace_period_seconds()
            ? meta.deletion_grace_period_seconds()
            : (spec.has_termination_grace_period_seconds() ? spec.termination_grace_period_seconds()
                                                           : 30);
    w.Write(0, "Termination Grace Period:\t" + std::to_string(grace) + "s\n");
  } else {
    w.Write(0, "Status:\t" + status.phase() + "\n");
  }
  if (!status.reason().empty()) w.Write(0, "Reason:\t" + status.reason() + "\n");
  if (!status.message().empty()) w.Write(0, "Message:\t" + status.message() + "\n");
  w.Write(0, "IP:\t" + status.pod_ip() + "\n");
  if (status.pod_ips().empty()) {
    w.Write(0, "IPs:\t<none>\n");
  } else {
    w.Write(0, "IPs:\n");
    for (const auto& ip : status.pod_ips()) w.Write(1, "IP:\t" + ip.ip() + "\n");
  }
  if (const auto* controller = internal::ControllerOf(meta)) {
    w.Write(0, "Controlled By:\t" + controller->kind() + "/" + controller->name() + "\n");
  }
  if (!status.nominated_node_name().empty()) {
    w.Write(0, "NominatedNodeName:\t" + status.nominated_node_name() + "\n");
  }
  if (!spec.init_containers().empty()) {
    // lpv keeps no init container statuses.
    DescribeContainers(w, "Init Containers", spec.init_containers(), nullptr, "");
  }
  DescribeContainers(w, "Containers", spec.containers(), &status.container_statuses(), "");
  if (!status.conditions().empty()) {
    w.Write(0, "Conditions:\n  Type\tStatus\n");
    for (const auto& c : status.conditions()) w.Write(1, c.type() + " \t" + c.status() + " \n");
  }
  DescribeVolumes(w, spec.volumes(), "");
  w.Write(0, "QoS Class:\t" + PodQOSClass(pod) + "\n");
  PrintLabelsMultiline(w, "Node-Selectors", spec.node_selector());
  PrintTolerationsMultiline(w, "Tolerations", spec.tolerations());
  DescribeEvents(w, events, now);
  return w.Text();
}

// ---- Node ----

std::string TaintString(const lpv::api::Taint& t) {
  std::string s = t.key();
  if (!t.value().empty()) s += "=" + t.value();
  if (!t.effect().empty()) s += ":" + t.effect();
  return s;
}

std::string DescribeNode(const lpv::api::Node& node, const std::vector<lpv::api::Event>& events,
                         TimePoint now) {
  PrefixWriter w;
  const auto& meta = node.metadata();
  const auto& status = node.status();
  w.Write(0, "Name:\t" + meta.name() + "\n");
  w.Write(0, "Roles:\t" + OrNone(Join(internal::NodeRoles(node), ",")) + "\n");
  PrintLabelsMultiline(w, "Labels", meta.labels());
  PrintAnnotationsMultiline(w, "Annotations", meta.annotations());
  w.Write(0, "CreationTimestamp:\t" + internal::FormatRFC1123Z(meta.creation_timestamp()) + "\n");

  w.Write(0, "Taints:\t");
  if (node.spec().taints().empty()) w.Write(0, "<none>\n");
  std::vector<const lpv::api::Taint*> taints;
  for (const auto& t : node.spec().taints()) taints.push_back(&t);
  std::stable_sort(taints.begin(), taints.end(), [](const auto* a, const auto* b) {
    return a->effect() + "," + a->key() < b->effect() + "," + b->key();
  });
  for (size_t i = 0; i < taints.size(); ++i) {
    if (i != 0) w.Write(0, "\t");
    w.Write(0, TaintString(*taints[i]) + "\n");
  }
  w.Write(
      0, std::string("Unschedulable:\t") + (node.spec().unschedulable() ? "true" : "false") + "\n");

  if (!status.conditions().empty()) {
    w.Write(0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\t"
            "Message\n");
    w.Write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const auto& c : status.conditions()) {
      w.Write(1, c.type() + " \t" + c.status() + " \t" +
                     internal::FormatRFC1123Z(c.last_heartbeat_time()) + " \t" +
                     internal::FormatRFC1123Z(c.last_transition_time()) + " \t" + c.reason() +
                     " \t" + c.message() + "\n");
    }
  }
  w.Write(0, "Addresses:\n");
  for (const auto& a : status.addresses()) w.Write(1, a.type() + ":\t" + a.address() + "\n");
  auto print_resources = [&](const char* title, const Map<std::string, std::string>& list) {
    if (list.empty()) return;
    w.Write(0, std::string(title) + ":\n");
    for (const std::string& name : SortedKeys(list)) {
      w.Write(0, "  " + name + ":\t" + list.at(name) + "\n");
    }
  };
  print_resources("Capacity", status.capacity());
  print_resources("Allocatable", status.allocatable());
  const auto& info = status.node_info();
  w.Write(0, "System Info:\n");
  w.Write(0, "  Machine ID:\t" + info.machine_id() + "\n");
  w.Write(0, "  System UUID:\t\n");
  w.Write(0, "  Boot ID:\t\n");
  w.Write(0, "  Kernel Version:\t" + info.kernel_version() + "\n");
  w.Write(0, "  OS Image:\t" + info.os_image() + "\n");
  w.Write(0, "  Operating System:\t" + info.operating_system() + "\n");
  w.Write(0, "  Architecture:\t" + info.architecture() + "\n");
  w.Write(0, "  Container Runtime Version:\t" + info.container_runtime_version() + "\n");
  w.Write(0, "  Kubelet Version:\t" + info.kubelet_version() + "\n");
  w.Write(0, "  Kube-Proxy Version:\t" + info.kube_proxy_version() + "\n");
  if (!node.spec().pod_cidr().empty()) w.Write(0, "PodCIDR:\t" + node.spec().pod_cidr() + "\n");
  if (!node.spec().provider_id().empty()) {
    w.Write(0, "ProviderID:\t" + node.spec().provider_id() + "\n");
  }
  DescribeEvents(w, events, now);
  return w.Text();
}

// ---- StorageClass ----

std::string DescribeStorageClass(const lpv::api::StorageClass& sc,
                                 const std::vector<lpv::api::Event>& events, TimePoint now) {
  PrefixWriter w;
  w.Write(0, "Name:\t" + sc.metadata().name() + "\n");
  w.Write(0, std::string("IsDefaultClass:\t") +
                 (internal::IsDefaultStorageClass(sc.metadata()) ? "Yes" : "No") + "\n");
  w.Write(0, "Annotations:\t" + FormatLabels(sc.metadata().annotations()) + "\n");
  w.Write(0, "Provisioner:\t" + sc.provisioner() + "\n");
  w.Write(0, "Parameters:\t" + FormatLabels(sc.parameters()) + "\n");
  w.Write(0, std::string("AllowVolumeExpansion:\t") +
                 (!sc.has_allow_volume_expansion() ? "<unset>"
                  : sc.allow_volume_expansion()    ? "True"
                                                   : "False") +
                 "\n");
  if (sc.mount_options().empty()) {
    w.Write(0, "MountOptions:\t<none>\n");
  } else {
    w.Write(0, "MountOptions:\n");
    for (const auto& option : sc.mount_options()) w.Write(1, option + "\n");
  }
  if (sc.has_reclaim_policy()) w.Write(0, "ReclaimPolicy:\t" + sc.reclaim_policy() + "\n");
  if (sc.has_volume_binding_mode()) {
    w.Write(0, "VolumeBindingMode:\t" + sc.volume_binding_mode() + "\n");
  }
  if (!sc.allowed_topologies().empty()) {
    w.Write(0, "AllowedTopologies:\t\n");
    for (int i = 0; i < sc.allowed_topologies_size(); ++i) {
      const auto& reqs = sc.allowed_topologies(i).match_label_expressions();
      w.Write(1, "Term " + std::to_string(i) + ":\t");
      if (reqs.empty()) w.Write(0, "<none>\n");
      for (int j = 0; j < reqs.size(); ++j) {
        if (j != 0) w.Write(1, "\t");
        std::string expr = reqs[j].key() + " in";
        if (!reqs[j].values().empty()) {
          expr += " [" + Join({reqs[j].values().begin(), reqs[j].values().end()}, ", ") + "]";
        }
        w.Write(0, expr + "\n");
      }
    }
  }
  DescribeEvents(w, events, now);
  return w.Text();
}

// ---- StatefulSet ----

bool ControlledBy(const lpv::api::Pod& pod, const lpv::api::StatefulSet& sts) {
  const auto* ref = internal::ControllerOf(pod.metadata());
  if (ref == nullptr || pod.metadata().namespace_() != sts.metadata().namespace_()) return false;
  if (!ref->uid().empty() && !sts.metadata().uid().empty()) {
    return ref->uid() == sts.metadata().uid();
  }
  return ref->kind() == "StatefulSet" && ref->name() == sts.metadata().name();
}

void DescribePodTemplate(PrefixWriter& w, const lpv::api::PodTemplateSpec& tmpl) {
  w.Write(0, "Pod Template:\n");
  PrintLabelsMultiline(w, "  Labels", tmpl.metadata().labels());
  if (!tmpl.metadata().annotations().empty()) {
    PrintAnnotationsMultiline(w, "  Annotations", tmpl.metadata().annotations());
  }
  const auto& spec = tmpl.spec();
  if (!spec.service_account_name().empty()) {
    w.Write(1, "Service Account:\t" + spec.service_account_name() + "\n");
  }
  if (!spec.init_containers().empty()) {
    DescribeContainers(w, "Init Containers", spec.init_containers(), nullptr, "  ");
  }
  DescribeContainers(w, "Containers", spec.containers(), nullptr, "  ");
  DescribeVolumes(w, spec.volumes(), "  ");
  PrintLabelsMultiline(w, "  Node-Selectors", spec.node_selector());
  PrintTolerationsMultiline(w, "  Tolerations", spec.tolerations());
}

std::string DescribeStatefulSet(const lpv::api::StatefulSet& sts,
                                const std::vector<lpv::api::Event>& events, TimePoint now,
                                const DescribeContext& context) {
  PrefixWriter w;
  const auto& meta = sts.metadata();
  const auto& spec = sts.spec();
  w.Write(0, "Name:\t" + meta.name() + "\n");
  w.Write(0, "Namespace:\t" + meta.namespace_() + "\n");
  w.Write(0, "CreationTimestamp:\t" + internal::FormatRFC1123Z(meta.creation_timestamp()) + "\n");
  w.Write(0, "Selector:\t" + FormatSelector(spec.selector()) + "\n");
  PrintLabelsMultiline(w, "Labels", meta.labels());
  PrintAnnotationsMultiline(w, "Annotations", meta.annotations());
  int desired = spec.has_replicas() ? spec.replicas() : 1;
  w.Write(0, "Replicas:\t" + std::to_string(desired) + " desired | " +
                 std::to_string(sts.status().replicas()) + " total\n");
  w.Write(0, "Update Strategy:\t" + spec.update_strategy().type() + "\n");
  if (spec.update_strategy().has_rolling_update() &&
      spec.update_strategy().rolling_update().has_partition()) {
    w.Write(1, "Partition:\t" +
                   std::to_string(spec.update_strategy().rolling_update().partition()) + "\n");
  }
  int running = 0, waiting = 0, succeeded = 0, failed = 0;
  for (const auto& pod : context.pods) {
    if (!ControlledBy(pod, sts)) continue;
    const std::string& phase = pod.status().phase();
    if (phase == "Running") ++running;
    if (phase == "Pending") ++waiting;
    if (phase == "Succeeded") ++succeeded;
    if (phase == "Failed") ++failed;
  }
  w.Write(0, "Pods Status:\t" + std::to_string(running) + " Running / " + std::to_string(waiting) +
                 " Waiting / " + std::to_string(succeeded) + " Succeeded / " +
                 std::to_string(failed) + " Failed\n");
  DescribePodTemplate(w, spec.template_());
  if (spec.volume_claim_templates().empty()) {
    w.Write(0, "Volume Claims:\t<none>\n");
  } else {
    w.Write(0, "Volume Claims:\n");
    for (const auto& pvc : spec.volume_claim_templates()) {
      w.Write(1, "Name:\t" + pvc.metadata().name() + "\n");
      w.Write(1, "StorageClass:\t" + internal::PersistentVolumeClaimClass(pvc) + "\n");
      PrintLabelsMultiline(w, "Labels", pvc.metadata().labels(), "  ");
      PrintLabelsMultiline(w, "Annotations", pvc.metadata().annotations(), "  ");
      auto storage = pvc.spec().resources().requests().find("storage");
      w.Write(1, "Capacity:\t" +
                     (storage == pvc.spec().resources().requests().end() ? std::string("<default>")
                                                                         : storage->second) +
                     "\n");
      w.Write(1, "Access Modes:\t" + GoList(pvc.spec().access_modes()) + "\n");
    }
  }
  DescribeEvents(w, events, now);
  return w.Text();
}

// ---- any other kind ----

std::string DescribeGeneric(const google::protobuf::Message& obj,
                            const std::vector<lpv::api::Event>& events, TimePoint now) {
  PrefixWriter w;
  static const lpv::api::ObjectMeta kEmpty;
  const lpv::api::ObjectMeta* meta = internal::MetaOf(obj);
  if (meta == nullptr) meta = &kEmpty;
  w.Write(0, "Name:\t" + meta->name() + "\n");
  w.Write(0, "Namespace:\t" + meta->namespace_() + "\n");
  PrintLabelsMultiline(w, "Labels", meta->labels());
  PrintAnnotationsMultiline(w, "Annotations", meta->annotations());
  DescribeEvents(w, events, now);
  return w.Text();
}

template <typename T>
const T* As(const google::protobuf::Message& obj) {
  return dynamic_cast<const T*>(&obj);
}

}  // namespace

std::string Describe(const google::protobuf::Message& obj,
                     const std::vector<lpv::api::Event>& events, TimePoint now,
                     const DescribeContext& context) {
  using namespace lpv::api;
  if (const auto* pv = As<PersistentVolume>(obj)) return DescribePersistentVolume(*pv, events, now);
  if (const auto* pvc = As<PersistentVolumeClaim>(obj)) {
    return DescribePersistentVolumeClaim(*pvc, events, now, context);
  }
  if (const auto* pod = As<Pod>(obj)) return DescribePod(*pod, events, now);
  if (const auto* node = As<Node>(obj)) return DescribeNode(*node, events, now);
  if (const auto* sc = As<StorageClass>(obj)) return DescribeStorageClass(*sc, events, now);
  if (const auto* sts = As<StatefulSet>(obj)) {
    return DescribeStatefulSet(*sts, events, now, context);
  }
  return DescribeGeneric(obj, events, now);
}

}  // namespace lpv::cmd
