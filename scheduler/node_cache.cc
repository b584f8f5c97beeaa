#include "scheduler/node_cache.h"

#include <algorithm>

#include "api/quantity.h"
#include "api/scheme.h"

namespace lpv::scheduler {

namespace {

// schedutil.DefaultMilliCPURequest and DefaultMemoryRequest.
constexpr int64_t kDefaultMilliCPURequest = 100;
constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

int64_t MilliOf(const google::protobuf::Map<std::string, std::string>& list, const char* name,
                bool* present = nullptr) {
  auto it = list.find(name);
  if (present) *present = it != list.end();
  if (it == list.end()) return 0;
  auto q = api::Quantity::Parse(it->second);
  return q.ok() ? q->MilliValue() : 0;
}

int64_t ValueOf(const google::protobuf::Map<std::string, std::string>& list, const char* name,
                bool* present = nullptr) {
  auto it = list.find(name);
  if (present) *present = it != list.end();
  if (it == list.end()) return 0;
  auto q = api::Quantity::Parse(it->second);
  return q.ok() ? q->Value() : 0;
}

}  // namespace

PodResources ComputePodResources(const api::Pod& pod) {
  PodResources r;
  for (const auto& c : pod.spec().containers()) {
    bool has_cpu = false, has_mem = false;
    int64_t cpu = MilliOf(c.resources().requests(), "cpu", &has_cpu);
    int64_t mem = ValueOf(c.resources().requests(), "memory", &has_mem);
    r.milli_cpu += cpu;
    r.memory += mem;
    r.nonzero_milli_cpu += has_cpu ? cpu : kDefaultMilliCPURequest;
    r.nonzero_memory += has_mem ? mem : kDefaultMemoryRequest;
  }
  // Init containers run one at a time before the others: the pod needs the largest of them.
  for (const auto& c : pod.spec().init_containers()) {
    bool has_cpu = false, has_mem = false;
    int64_t cpu = MilliOf(c.resources().requests(), "cpu", &has_cpu);
    int64_t mem = ValueOf(c.resources().requests(), "memory", &has_mem);
    r.milli_cpu = std::max(r.milli_cpu, cpu);
    r.memory = std::max(r.memory, mem);
    r.nonzero_milli_cpu = std::max(r.nonzero_milli_cpu, has_cpu ? cpu : kDefaultMilliCPURequest);
    r.nonzero_memory = std::max(r.nonzero_memory, has_mem ? mem : kDefaultMemoryRequest);
  }
  return r;
}

const std::string& NodeInfo::name() const { return node_name; }

NodeInfo& NodeCache::MutableLocked(const std::string& name) {
  auto& info = nodes_[name];
  if (!info) {
    info = std::make_shared<NodeInfo>();
  } else if (info.use_count() > 1) {
    // A snapshot holds the current version: write a copy.
    info = std::make_shared<NodeInfo>(*info);
  }
  changed_since_snapshot_.insert(name);
  return *info;
}

const char* ImpliedReadyTaintKey(const api::Node& node) {
  for (const auto& c : node.status().conditions()) {
    if (c.type() != "Ready") continue;
    if (c.status() == "False") return kTaintNodeNotReady;
    if (c.status() == "Unknown") return kTaintNodeUnreachable;
    return nullptr;
  }
  return nullptr;
}

NodeCache::NodeCache(HostSlots* host_slots)
    : own_host_slots_(host_slots ? nullptr : std::make_unique<HostSlots>()),
      host_slots_(host_slots ? host_slots : own_host_slots_.get()) {}

void NodeCache::AddOrUpdateNode(NodeRef node) {
  std::lock_guard<std::mutex> l(mu_);
  NodeInfo& info = MutableLocked(node->metadata().name());
  if (!info.node) nodes_added_or_removed_ = true;
  const auto& status = node->status();
  const auto& alloc = status.allocatable().empty() ? status.capacity() : status.allocatable();
  info.allocatable_milli_cpu = MilliOf(alloc, "cpu");
  info.allocatable_memory = ValueOf(alloc, "memory");
  info.allowed_pod_number = ValueOf(alloc, "pods");
  auto h = node->metadata().labels().find(kHostnameLabel);
  info.hostname = h == node->metadata().labels().end() ? "" : h->second;
  info.host_slot = host_slots_->Intern(info.hostname);
  info.implied_ready_taint = ImpliedReadyTaintKey(*node);
  info.unschedulable = node->spec().unschedulable();
  info.has_taints = node->spec().taints_size() > 0;
  info.node_name = node->metadata().name();
  info.node = std::move(node);
}

void NodeCache::RemoveNode(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  if (it->second->pods.empty()) {
    nodes_.erase(it);
  } else {
    // Pods still point at the node: keep their accounting until they go.
    NodeInfo& info = MutableLocked(name);
    info.node.reset();
    info.node_name.clear();
  }
  nodes_added_or_removed_ = true;
}

void NodeCache::AddPodLocked(const std::string& node, const std::string& key, PodRef pod,
                             bool assumed) {
  NodeInfo& info = MutableLocked(node);
  PodResources r = ComputePodResources(*pod);
  info.requested.milli_cpu += r.milli_cpu;
  info.requested.memory += r.memory;
  info.requested.nonzero_milli_cpu += r.nonzero_milli_cpu;
  info.requested.nonzero_memory += r.nonzero_memory;
  info.pods[key] = std::move(pod);
  if (assumed) {
    info.assumed.insert(key);
  } else {
    info.assumed.erase(key);
  }
  pod_node_[key] = node;
}

void NodeCache::RemovePodLocked(const std::string& key) {
  auto pn = pod_node_.find(key);
  if (pn == pod_node_.end()) return;
  std::string node = pn->second;
  pod_node_.erase(pn);
  NodeInfo& info = MutableLocked(node);
  auto it = info.pods.find(key);
  if (it != info.pods.end()) {
    PodResources r = ComputePodResources(*it->second);
    info.requested.milli_cpu -= r.milli_cpu;
    info.requested.memory -= r.memory;
    info.requested.nonzero_milli_cpu -= r.nonzero_milli_cpu;
    info.requested.nonzero_memory -= r.nonzero_memory;
    info.pods.erase(it);
  }
  info.assumed.erase(key);
  if (!info.node && info.pods.empty()) nodes_.erase(node);
}

void NodeCache::AddOrUpdatePod(PodRef pod) {
  std::string key = api::KeyOf(*pod);
  std::lock_guard<std::mutex> l(mu_);
  if (pod->spec().node_name().empty()) {
    // Not bound yet: an update of a pod the scheduler assumed somewhere (its status, say)
    // says nothing about the assumption.
    auto pn = pod_node_.find(key);
    if (pn != pod_node_.end()) {
      auto node = nodes_.find(pn->second);
      if (node != nodes_.end() && node->second->assumed.count(key)) return;
    }
    RemovePodLocked(key);
    return;
  }
  RemovePodLocked(key);
  // Finished pods hold nothing (as the scheduler cache's pod informer filter).
  const std::string& phase = pod->status().phase();
  if (phase == "Succeeded" || phase == "Failed") return;
  std::string node = pod->spec().node_name();
  AddPodLocked(node, key, std::move(pod), false);
}

void NodeCache::RemovePod(const api::Pod& pod) {
  std::lock_guard<std::mutex> l(mu_);
  RemovePodLocked(api::KeyOf(pod));
}

Status NodeCache::AssumePod(PodRef pod) {
  std::string key = api::KeyOf(*pod);
  std::lock_guard<std::mutex> l(mu_);
  if (pod_node_.count(key)) {
    return Status::AlreadyExists("pods", key + " is already in the scheduler cache");
  }
  std::string node = pod->spec().node_name();
  AddPodLocked(node, key, std::move(pod), true);
  return Status::OK();
}

void NodeCache::ForgetPod(const std::string& pod_key) {
  std::lock_guard<std::mutex> l(mu_);
  auto pn = pod_node_.find(pod_key);
  if (pn == pod_node_.end()) return;
  auto node = nodes_.find(pn->second);
  if (node == nodes_.end() || !node->second->assumed.count(pod_key)) return;
  RemovePodLocked(pod_key);
}

bool NodeCache::IsAssumed(const std::string& pod_key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto pn = pod_node_.find(pod_key);
  if (pn == pod_node_.end()) return false;
  auto node = nodes_.find(pn->second);
  return node != nodes_.end() && node->second->assumed.count(pod_key);
}

std::string NodeCache::NodeOf(const std::string& pod_key) const {
  std::lock_guard<std::mutex> l(mu_);
  auto pn = pod_node_.find(pod_key);
  return pn == pod_node_.end() ? "" : pn->second;
}

NodeInfoRef NodeSnapshot::Get(const std::string& name) const {
  auto it = index.find(name);
  return it == index.end() ? nullptr : nodes[it->second];
}

void NodeCache::UpdateSnapshot(NodeSnapshot* snap) {
  std::lock_guard<std::mutex> l(mu_);
  if (nodes_added_or_removed_) {
    snap->nodes.clear();
    snap->host_slots.clear();
    snap->index.clear();
    snap->nodes.reserve(nodes_.size());
    snap->host_slots.reserve(nodes_.size());
    for (const auto& [name, info] : nodes_) {
      if (!info->node) continue;
      snap->index[name] = snap->nodes.size();
      snap->nodes.push_back(info);
      snap->host_slots.push_back(info->host_slot);
    }
  } else {
    for (const auto& name : changed_since_snapshot_) {
      auto pos = snap->index.find(name);
      // A name the snapshot lacks has no Node (a Node's arrival sets nodes_added_or_removed_).
      auto info = nodes_.find(name);
      if (pos == snap->index.end() || info == nodes_.end()) continue;
      snap->nodes[pos->second] = info->second;
      snap->host_slots[pos->second] = info->second->host_slot;
    }
  }
  changed_since_snapshot_.clear();
  nodes_added_or_removed_ = false;
}

std::vector<NodeInfoRef> NodeCache::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<NodeInfoRef> list;
  list.reserve(nodes_.size());
  for (const auto& [name, info] : nodes_) {
    if (info->node) list.push_back(info);
  }
  return list;
}

NodeInfoRef NodeCache::GetNodeInfo(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end() || !it->second->node) return nullptr;
  return it->second;
}

size_t NodeCache::NumNodes() const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (const auto& [name, info] : nodes_) n += info->node ? 1 : 0;
  return n;
}

}  // namespace lpv::scheduler
