#include "kubelet-fake/fleet.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <tuple>

#include "api/scheme.h"
#include "api/validation.h"

namespace lpv::kubelet {

namespace fs = std::filesystem;

namespace {

// Per-node bookkeeping in the node's root, so a restarted fleet finds its nodes as they were.
constexpr char kIndexFile[] = ".lpv-node-index";
constexpr char kStoppedFile[] = ".lpv-node-stopped";

Status ValidateNodeName(const std::string& name) {
  auto errs = api::IsDNS1123Subdomain(name);
  if (errs.empty()) return Status::OK();
  FieldErrors fe;
  for (const auto& e : errs) fe.push_back(FieldError::Invalid("metadata.name", name, e));
  return Status::Invalid("Node", name, std::move(fe));
}

}  // namespace

Fleet::Fleet(client::Client* client, FleetOptions options)
    : client_(client), options_(std::move(options)),
      clock_(options_.clock ? options_.clock : RealClock::Get()),
      nodes_dir_((fs::path(options_.data_dir) / "nodes").string()) {}

Result<std::unique_ptr<Fleet>> Fleet::Start(client::Client* client, FleetOptions options) {
  if (options.data_dir.empty()) return Status::BadRequest("fleet: no data dir");
  auto disk_size = api::Quantity::Parse(options.disk_size);
  if (!disk_size.ok()) return disk_size.status();
  std::unique_ptr<Fleet> fleet(new Fleet(client, std::move(options)));
  Status s = fleet->Init();
  if (!s.ok()) return s;
  return fleet;
}

Status Fleet::Init() {
  std::error_code ec;
  fs::create_directories(nodes_dir_, ec);
  if (ec) return Status::Internal("mkdir " + nodes_dir_ + ": " + ec.message());

  workers_ = std::make_unique<client::WorkerPool>("node-workers", options_.workers);
  events_ = std::make_unique<client::EventBroadcaster>(client_, clock_, options_.event_writers);
  auto* informers = client::SharedOrOwn(options_.informers, &own_informers_, client_, clock_);
  pods_ = informers->InformerFor(*api::KindOf("Pod"));
  FakeKubelet::AddIndexers(pods_);
  {
    auto route = [this](const client::ObjectRef& o) { RoutePod(o); };
    handlers_.emplace_back(pods_, pods_->AddEventHandler(
        {route, [route](const client::ObjectRef&, const client::ObjectRef& o) { route(o); },
         route}));
  }
  // The heartbeats' first read of each Node (see KubeletOptions::nodes).
  node_informer_ = informers->InformerFor(*api::KindOf("Node"));
  pods_->Start();
  node_informer_->Start();

  if (options_.run_provisioners) {
    volumes_ = informers->InformerFor(*api::KindOf("PersistentVolume"));
    LocalProvisioner::AddIndexers(volumes_);
    auto route = [this](const client::ObjectRef& o, bool deleted) {
      if (LocalProvisioner::NeedsSync(o, deleted)) RouteVolume(o);
    };
    handlers_.emplace_back(volumes_, volumes_->AddEventHandler(
        {[route](const client::ObjectRef& o) { route(o, false); },
         [this, route](const client::ObjectRef& old, const client::ObjectRef& o) {
           route(o, false);
           if (LocalProvisioner::BecameAvailable(old, o)) RouteVolume(o, /*if_disk_gone=*/true);
         },
         [route](const client::ObjectRef& o) { route(o, true); }}));
    classes_ = informers->InformerFor(*api::KindOf("StorageClass"));
    auto all = [this](const client::ObjectRef&) { ResyncProvisioners(); };
    handlers_.emplace_back(classes_, classes_->AddEventHandler(
        {all, [all](const client::ObjectRef&, const client::ObjectRef& o) { all(o); }, all}));
    volumes_->Start();
    classes_->Start();
  }
  if (options_.run_node_lifecycle) {
    NodeLifecycleOptions lo = options_.node_lifecycle;
    lo.clock = clock_;
    lo.informers = informers;
    // Started once the fleet's caches have synced (WaitForCaches): its own wait for them
    // would hold up the nodes' registration.
    lifecycle_ = std::make_unique<NodeLifecycleController>(client_, lo);
  }

  std::lock_guard<std::mutex> l(mu_);
  // Adopt the nodes of a previous run, in the order they were added.
  std::vector<std::unique_ptr<Node>> found;
  for (fs::directory_iterator it(nodes_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory()) continue;
    std::string name = it->path().filename().string();
    if (!ValidateNodeName(name).ok()) continue;
    found.push_back(std::make_unique<Node>());
    found.back()->name = std::move(name);
  }
  // Each node's index and stopped marker are two small file reads; thousands of them one
  // after another held up every registration behind them, so they are read concurrently.
  std::vector<Node*> adopted;
  for (const auto& node : found) adopted.push_back(node.get());
  Status read = ForEachNode(adopted, [this](Node& node) {
    fs::path root = NodeRoot(node.name);
    std::ifstream(root / kIndexFile) >> node.index;
    std::error_code exists_ec;
    node.start = !fs::exists(root / kStoppedFile, exists_ec);
    return Status::OK();
  });
  if (!read.ok()) return read;
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a->index, a->name) < std::tie(b->index, b->name);
  });
  for (const auto& node : found) next_index_ = std::max(next_index_, node->index + 1);
  // Adopted nodes are rebuilt from their directories as fresh ones are made: concurrently.
  adopted.clear();
  for (auto& node : found) {
    node->index_on_disk = node->index > 0;
    if (node->index <= 0) node->index = next_index_++;
    adopted.push_back(node.get());
    nodes_.push_back(std::move(node));
  }
  if (!adopted.empty()) {
    Status s = StartNodesLocked(adopted, /*fresh_disks=*/0);
    // One that could not be rebuilt is no node of this fleet; its directory stays as it was.
    if (!s.ok()) DropUnbuiltLocked(/*remove_dirs=*/false);
    return s;
  }
  std::vector<Node*> fresh;
  for (int i = 1; i <= options_.nodes; ++i) {
    auto node = std::make_unique<Node>();
    node->name = options_.node_name_prefix + std::to_string(i);
    node->index = next_index_++;
    fresh.push_back(node.get());
    nodes_.push_back(std::move(node));
  }
  Status s = StartNodesLocked(fresh, options_.disks_per_node);
  // A fresh node that could not be built has no parts: not a node. Its directory goes too,
  // or the next start would adopt it half made.
  if (!s.ok()) DropUnbuiltLocked(/*remove_dirs=*/true);
  return s;
}

void Fleet::DropUnbuiltLocked(bool remove_dirs) {
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [&](const auto& n) {
                                if (n->kubelet) return false;
                                std::error_code rm_ec;
                                if (remove_dirs) fs::remove_all(NodeRoot(n->name), rm_ec);
                                return true;
                              }),
               nodes_.end());
}

Status Fleet::StartNodesLocked(const std::vector<Node*>& nodes, int fresh_disks) {
  // A booting kubelet reports its node before it looks at any pod: every node registers
  // while the informers' first lists are still running (tens of thousands of objects after
  // a restart), and only the pods and disks wait for them. Once they have synced (a fresh
  // store's at once), a node starts right after it registers.
  std::mutex deferred_mu;
  std::vector<Node*> deferred;
  Status s = ForEachNode(nodes, [&](Node& node) {
    Status built = fresh_disks >= 0 ? BuildNode(node, fresh_disks) : Status::OK();
    if (!built.ok() || !node.start) return built;
    Status registered = node.kubelet->Register();
    if (!registered.ok()) return registered;
    if (CachesSynced()) return StartNodeLocked(node);
    std::lock_guard<std::mutex> l(deferred_mu);
    deferred.push_back(&node);
    return Status::OK();
  });
  if (!s.ok()) return s;
  s = WaitForCaches();
  if (!s.ok()) return s;
  return ForEachNode(deferred, [&](Node& node) { return StartNodeLocked(node); });
}

Status Fleet::ForEachNode(const std::vector<Node*>& nodes,
                          const std::function<Status(Node&)>& fn) {
  // Machines boot at once, not one after another: each start is a few synced writes, and
  // concurrent writers share their syncs (the store's group commit), so a thousand nodes
  // come up in about the time of a few hundred syncs rather than thousands. Building a
  // fresh node is a dozen file system calls, which overlap the same way.
  constexpr size_t kParallel = 64;
  std::atomic<size_t> next{0};
  std::mutex err_mu;
  Status first_error;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min(kParallel, nodes.size()); ++t) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < nodes.size(); i = next++) {
        Status s = fn(*nodes[i]);
        if (!s.ok()) {
          std::lock_guard<std::mutex> l(err_mu);
          if (first_error.ok()) first_error = s;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return first_error;
}

bool Fleet::CachesSynced() const {
  for (client::Informer* informer : {pods_, node_informer_, volumes_, classes_}) {
    if (informer && !informer->HasSynced()) return false;
  }
  return true;
}

Status Fleet::WaitForCaches() {
  for (client::Informer* informer : {pods_, node_informer_, volumes_, classes_}) {
    if (informer && !informer->WaitForCacheSync(std::chrono::seconds(30))) {
      return Status::Make(Reason::Timeout, "fleet: informers did not sync");
    }
  }
  if (lifecycle_) lifecycle_->Start();  // waits for its own informers too
  return Status::OK();
}

Fleet::~Fleet() { Stop(); }

void Fleet::Stop() {
  std::lock_guard<std::mutex> l(mu_);
  if (stopped_) return;
  stopped_ = true;
  // No more routed events first, then the machines, then the control loop watching them.
  // Shared informers run on (a fleet that failed to start goes away while they do): its
  // handlers leave them.
  for (auto& [informer, id] : handlers_) informer->RemoveEventHandler(id);
  handlers_.clear();
  if (own_informers_) own_informers_->Stop();
  for (auto& node : nodes_) {
    if (node->provisioner) node->provisioner->Stop();
    node->kubelet->Stop();
  }
  if (lifecycle_) lifecycle_->Stop();
}

Fleet::Node* Fleet::Find(const std::string& name) const {
  for (const auto& n : nodes_) {
    if (n->name == name) return n.get();
  }
  return nullptr;
}

std::string Fleet::NodeRoot(const std::string& node) const {
  return (fs::path(nodes_dir_) / node).string();
}

Status Fleet::AddNodeLocked(const std::string& name, int index, bool up) {
  auto node = std::make_unique<Node>();
  node->name = name;
  node->index = index;
  Status s = BuildNode(*node, 0);
  if (!s.ok()) return s;
  Node& ref = *node;
  nodes_.push_back(std::move(node));
  return up ? StartNodeLocked(ref) : Status::OK();
}

Status Fleet::BuildNode(Node& node, int fresh_disks) {
  std::string root = NodeRoot(node.name);
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::Internal("mkdir " + root + ": " + ec.message());
  // Rewriting an unchanged file would cost a flush of it (ext4 flushes a file truncated
  // and rewritten when it is closed): a restart of thousands of nodes would wait on it.
  if (!node.index_on_disk) std::ofstream(fs::path(root) / kIndexFile) << node.index << "\n";

  auto disks = std::make_unique<Disks>(root);
  if (fresh_disks > 0) {
    auto size = api::Quantity::MustParse(options_.disk_size);
    for (int d = 1; d <= fresh_disks; ++d) {
      // Named, so that adding one does not list the ones before it.
      auto disk = disks->Add(size, "vol" + std::to_string(d));
      if (!disk.ok()) return disk.status();
    }
  }

  KubeletOptions ko = options_.kubelet;
  ko.node_name = node.name;
  ko.node_root = root;
  ko.node_index = node.index;
  ko.clock = clock_;
  ko.pods = pods_;
  ko.nodes = node_informer_;
  ko.workers = workers_.get();
  ko.events = events_.get();
  auto kubelet = std::make_unique<FakeKubelet>(client_, ko);

  std::unique_ptr<LocalProvisioner> provisioner;
  if (options_.run_provisioners) {
    ProvisionerOptions po = options_.provisioner;
    po.node_name = node.name;
    po.node_root = root;
    po.clock = clock_;
    po.disks = disks.get();
    po.volumes = volumes_;
    po.storage_classes = classes_;
    po.workers = workers_.get();
    po.events = events_.get();
    provisioner = std::make_unique<LocalProvisioner>(client_, po);
  }
  {
    std::lock_guard<std::mutex> l(routes_mu_);
    kubelets_[node.name] = kubelet.get();
  }
  node.disks = std::move(disks);
  node.kubelet = std::move(kubelet);
  node.provisioner = std::move(provisioner);
  return Status::OK();
}

Status Fleet::StartNodeLocked(Node& node) {
  Status s = node.kubelet->Start();
  if (!s.ok()) return s;
  if (node.provisioner) {
    s = node.provisioner->Start();
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> l(routes_mu_);
      routes_[node.provisioner->name()] = node.provisioner.get();
    }
    // Events routed before the route existed went nowhere: look again.
    node.provisioner->Resync();
  }
  std::error_code ec;
  fs::remove(fs::path(NodeRoot(node.name)) / kStoppedFile, ec);
  return Status::OK();
}

Status Fleet::AddNode(const std::string& name) {
  Status s = ValidateNodeName(name);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> l(mu_);
  if (stopped_) return Status::Make(Reason::ServiceUnavailable, "fleet is stopped");
  if (Find(name)) return Status::AlreadyExists("nodes", name);
  auto existing = client_->Get<api::Node>("", name);
  if (existing.ok()) return Status::AlreadyExists("nodes", name);
  return AddNodeLocked(name, next_index_++, /*up=*/true);
}

Status Fleet::StopNode(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(name);
  if (!node) return Status::NotFound("nodes", name);
  // The machine goes down: its provisioner with it.
  if (node->provisioner) node->provisioner->Stop();
  node->kubelet->Stop();
  std::ofstream(fs::path(NodeRoot(name)) / kStoppedFile) << "stopped\n";
  return Status::OK();
}

Status Fleet::StartNode(const std::string& name) {
  std::lock_guard<std::mutex> l(mu_);
  if (stopped_) return Status::Make(Reason::ServiceUnavailable, "fleet is stopped");
  Node* node = Find(name);
  if (!node) return Status::NotFound("nodes", name);
  return StartNodeLocked(*node);
}

Result<Disk> Fleet::AddDisk(const std::string& node_name, const std::string& size,
                            const std::string& name) {
  auto q = api::Quantity::Parse(size.empty() ? options_.disk_size : size);
  if (!q.ok()) return q.status();
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(node_name);
  if (!node) return Status::NotFound("nodes", node_name);
  auto disk = node->disks->Add(*q, name);  // the provisioner hears of it
  if (disk.ok()) node->kubelet->Resync();  // pods waiting for this path
  return disk;
}

Result<Disk> Fleet::RemoveDisk(const std::string& node_name, const std::string& disk) {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(node_name);
  if (!node) return Status::NotFound("nodes", node_name);
  return node->disks->Remove(disk);
}

std::vector<std::string> Fleet::Nodes() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n->name);
  return out;
}

bool Fleet::NodeRunning(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(name);
  return node && node->kubelet->running();
}

Result<std::vector<Disk>> Fleet::ListDisks(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(name);
  if (!node) return Status::NotFound("nodes", name);
  return node->disks->List();
}

FakeKubelet* Fleet::kubelet(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(name);
  return node ? node->kubelet.get() : nullptr;
}

LocalProvisioner* Fleet::provisioner(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(name);
  return node ? node->provisioner.get() : nullptr;
}

Disks* Fleet::disks(const std::string& name) const {
  std::lock_guard<std::mutex> l(mu_);
  Node* node = Find(name);
  return node ? node->disks.get() : nullptr;
}

void Fleet::RoutePod(const client::ObjectRef& pod) {
  const std::string& node = static_cast<const api::Pod&>(*pod).spec().node_name();
  if (node.empty()) return;  // not scheduled yet: no kubelet's business
  std::lock_guard<std::mutex> l(routes_mu_);
  auto it = kubelets_.find(node);
  if (it != kubelets_.end()) it->second->Enqueue(api::KeyOf(*pod));
}

void Fleet::RouteVolume(const client::ObjectRef& pv, bool if_disk_gone) {
  const auto& ann = api::Meta(*pv).annotations();
  auto it = ann.find(kAnnProvisionedBy);
  if (it == ann.end()) return;
  std::lock_guard<std::mutex> l(routes_mu_);
  auto route = routes_.find(it->second);
  if (route == routes_.end()) return;
  if (if_disk_gone) {
    route->second->ResyncIfDiskGone(static_cast<const api::PersistentVolume&>(*pv));
  } else {
    route->second->Resync();
  }
}

void Fleet::ResyncProvisioners() {
  std::lock_guard<std::mutex> l(routes_mu_);
  for (const auto& [name, p] : routes_) p->Resync();
}

}  // namespace lpv::kubelet
