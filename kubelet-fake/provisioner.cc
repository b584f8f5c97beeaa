#include "kubelet-fake/provisioner.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "api/quantity.h"
#include "api/scheme.h"
#include "kubelet-fake/disks.h"

namespace lpv::kubelet {

namespace fs = std::filesystem;

namespace {

constexpr char kSyncKey[] = "sync";
constexpr int64_t kMiB = int64_t{1} << 20;
constexpr int64_t kGiB = int64_t{1} << 30;

const api::KindInfo& PVKind() { return *api::KindOf("PersistentVolume"); }

std::string ProvisionedBy(const google::protobuf::Message& m) {
  const auto& ann = api::Meta(m).annotations();
  auto it = ann.find(kAnnProvisionedBy);
  return it == ann.end() ? "" : it->second;
}

}  // namespace

std::string LocalProvisioner::PVName(const std::string& file, const std::string& node,
                                     const std::string& storage_class) {
  uint32_t h = 2166136261u;  // FNV-1a 32 offset basis
  for (const std::string* part : {&file, &node, &storage_class}) {
    for (unsigned char c : *part) {
      h ^= c;
      h *= 16777619u;
    }
  }
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", h);
  return std::string("local-pv-") + buf;
}

int64_t LocalProvisioner::RoundDownCapacityPretty(int64_t bytes) {
  for (int64_t unit : {kGiB, kMiB}) {
    int64_t size = bytes / unit;
    if (size >= 10) return size * unit;
  }
  return bytes;
}

bool LocalProvisioner::NeedsSync(const client::ObjectRef& pv, bool deleted) {
  return deleted || static_cast<const api::PersistentVolume&>(*pv).status().phase() == "Released";
}

bool LocalProvisioner::BecameAvailable(const client::ObjectRef& old, const client::ObjectRef& pv) {
  auto phase = [](const client::ObjectRef& o) -> const std::string& {
    return static_cast<const api::PersistentVolume&>(*o).status().phase();
  };
  return phase(pv) == "Available" && phase(old) != "Available";
}

void LocalProvisioner::ResyncIfDiskGone(const api::PersistentVolume& pv) {
  if (!pv.spec().has_local()) return;
  auto host = HostPathOf(options_.node_root, pv.spec().local().path());
  std::error_code ec;
  if (host.ok() && !fs::exists(*host, ec)) Resync();
}

void LocalProvisioner::AddIndexers(client::Informer* volumes) {
  volumes->AddIndexer(kProvisionedByIndex, [](const google::protobuf::Message& m) {
    std::string by = ProvisionedBy(m);
    return by.empty() ? std::vector<std::string>{} : std::vector<std::string>{by};
  });
}

LocalProvisioner::LocalProvisioner(client::Client* client, ProvisionerOptions options)
    : client_(client), options_(std::move(options)),
      clock_(options_.clock ? options_.clock : RealClock::Get()) {}

LocalProvisioner::~LocalProvisioner() { Stop(); }

std::string LocalProvisioner::HostDir(const StorageClassConfig& config) const {
  std::string dir = config.host_dir;
  if (dir.empty() || dir[0] != '/') dir = "/" + dir;
  auto clean = CleanNodePath(dir);
  return clean.ok() ? *clean : dir;
}

Status LocalProvisioner::Start() {
  if (started_) return Status::OK();
  auto node = client_->Get<api::Node>("", options_.node_name);
  if (!node.ok()) return node.status();
  const auto& labels = node->metadata().labels();
  auto host = labels.find("kubernetes.io/hostname");
  if (host == labels.end()) {
    return Status::BadRequest("Node does not have expected label kubernetes.io/hostname");
  }
  hostname_ = host->second;
  name_ = "local-volume-provisioner-" + options_.node_name;
  if (!options_.use_node_name_only) name_ += "-" + node->metadata().uid();
  pv_labels_.clear();
  for (const auto& l : options_.node_labels_for_pv) {
    auto it = labels.find(l);
    if (it != labels.end()) pv_labels_[l] = it->second;
  }
  for (const auto& [k, v] : options_.labels_for_pv) pv_labels_[k] = v;
  recorder_ = options_.events ? std::make_unique<client::EventRecorder>(options_.events, name_)
                              : std::make_unique<client::EventRecorder>(client_, clock_, name_);

  auto queue = std::make_shared<client::WorkQueue>(clock_, options_.retry);
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    queue_ = queue;
  }
  volumes_ = options_.volumes;
  classes_ = options_.storage_classes;
  if (volumes_ == nullptr) {
    own_volumes_ = std::make_unique<client::Informer>(client_, PVKind(), "",
                                                      client::ListOptions{}, clock_);
    AddIndexers(own_volumes_.get());
    std::string mine = name_;
    auto on = [queue, mine](const client::ObjectRef& o, bool deleted) {
      if (ProvisionedBy(*o) == mine && NeedsSync(o, deleted)) queue->Add(kSyncKey);
    };
    own_volumes_->AddEventHandler(
        {[on](const client::ObjectRef& o) { on(o, false); },
         [this, on, mine](const client::ObjectRef& old, const client::ObjectRef& o) {
           on(o, false);
           if (ProvisionedBy(*o) == mine && BecameAvailable(old, o)) {
             ResyncIfDiskGone(static_cast<const api::PersistentVolume&>(*o));
           }
         },
         [on](const client::ObjectRef& o) { on(o, true); }});
    volumes_ = own_volumes_.get();
  }
  if (classes_ == nullptr) {
    own_classes_ = std::make_unique<client::Informer>(
        client_, *api::KindOf("StorageClass"), "", client::ListOptions{}, clock_);
    auto on = [queue](const client::ObjectRef&) { queue->Add(kSyncKey); };
    own_classes_->AddEventHandler(
        {on, [on](const client::ObjectRef&, const client::ObjectRef& o) { on(o); }, on});
    classes_ = own_classes_.get();
  }
  if (own_volumes_) own_volumes_->Start();
  if (own_classes_) own_classes_->Start();
  // Discovery against an empty cache would try to create every PV again.
  volumes_->WaitForCacheSync(std::chrono::seconds(30));
  classes_->WaitForCacheSync(std::chrono::seconds(30));

  worker_.Start(queue, [this](const std::string&) { return Sync(); }, options_.workers,
                "provisioner");
  if (options_.disks) listener_ = options_.disks->AddListener([this] { Resync(); });
  started_ = true;
  queue->Add(kSyncKey);
  return Status::OK();
}

void LocalProvisioner::Stop() {
  if (!started_) return;
  started_ = false;
  if (options_.disks) options_.disks->RemoveListener(listener_);
  {
    std::lock_guard<std::mutex> l(queue_mu_);
    queue_.reset();  // Resync stops here; the worker keeps its own reference
  }
  worker_.Stop();  // what is queued still runs
  own_volumes_.reset();
  own_classes_.reset();
  volumes_ = nullptr;
  classes_ = nullptr;
  recorder_->Flush();
}

void LocalProvisioner::Resync() {
  std::lock_guard<std::mutex> l(queue_mu_);
  if (queue_) queue_->Add(kSyncKey);
}

bool LocalProvisioner::Sync() {
  // As upstream's loop: release what was released, then discover.
  bool ok = DeletePVs();
  ok = Discover() && ok;
  return ok;
}

// ---------------------------------------------------------------- deleter

bool LocalProvisioner::DeletePVs() {
  bool ok = true;
  for (const auto& obj : volumes_->ByIndex(kProvisionedByIndex, name_)) {
    const auto& pv = static_cast<const api::PersistentVolume&>(*obj);
    if (!pv.metadata().deletion_timestamp().empty()) continue;  // already on its way out
    bool should_delete = false;
    const std::string& phase = pv.status().phase();
    if (phase == "Released") {
      should_delete = true;
    } else if (phase == "Available" && pv.spec().has_local()) {
      // The disk was taken out of the node: an unclaimed volume for it must go.
      auto host = HostPathOf(options_.node_root, pv.spec().local().path());
      std::error_code ec;
      should_delete = host.ok() && !fs::exists(*host, ec);
    }
    if (!should_delete) continue;
    const std::string& policy = pv.spec().persistent_volume_reclaim_policy();
    if (policy == "Retain") continue;
    if (policy == "Recycle") {
      recorder_->Event(pv, "Warning", "VolumeUnsupportedReclaimPolicy",
                       "Volume has unsupported PersistentVolumeReclaimPolicy: Recycle");
    } else if (policy == "Delete") {
      Status s = DeletePV(pv);
      if (!s.ok()) {
        recorder_->Event(pv, "Warning", "VolumeFailedDelete",
                         "Error cleaning PV \"" + pv.metadata().name() + "\": " + s.message());
        ok = false;
      }
    } else {
      recorder_->Event(pv, "Warning", "VolumeUnknownReclaimPolicy",
                       "Volume has unrecognized PersistentVolumeReclaimPolicy");
    }
  }
  return ok;
}

Status LocalProvisioner::DeletePV(const api::PersistentVolume& pv) {
  if (!pv.spec().has_local()) return Status::BadRequest("Unsupported volume type");
  auto config = options_.storage_class_map.find(pv.spec().storage_class_name());
  if (config == options_.storage_class_map.end()) {
    return Status::BadRequest("Unknown storage class name " + pv.spec().storage_class_name());
  }
  std::string dir = HostDir(config->second);
  auto path = CleanNodePath(pv.spec().local().path());
  // Make absolutely sure nothing outside the class's directory is deleted.
  if (!path.ok() || path->compare(0, dir.size() + 1, dir + "/") != 0) {
    return Status::BadRequest("Unexpected error pv \"" + pv.metadata().name() + "\" mountPath " +
                              pv.spec().local().path() + " but mount dir is " + dir);
  }
  std::string host = *HostPathOf(options_.node_root, *path);
  std::error_code ec;
  if (fs::exists(host, ec)) {
    Status s = WipeDirectory(host);
    if (!s.ok()) return s;
  }
  client::DeleteOptions opts;
  opts.uid = pv.metadata().uid();
  auto r = client_->Delete(PVKind(), "", pv.metadata().name(), opts);
  if (!r.ok() && !r.status().IsNotFound()) {
    return Status::Make(r.status().reason(),
                        "Error deleting PV \"" + pv.metadata().name() + "\": " +
                            r.status().message());
  }
  return Status::OK();
}

// ---------------------------------------------------------------- discovery

bool LocalProvisioner::Discover() {
  bool ok = true;
  for (const auto& [storage_class, config] : options_.storage_class_map) {
    std::string reclaim = "Delete";
    std::vector<std::string> mount_options;
    client::ObjectRef sc = classes_->Get(storage_class);
    if (sc) {
      const auto& cls = static_cast<const api::StorageClass&>(*sc);
      if (cls.has_reclaim_policy()) reclaim = cls.reclaim_policy();
      mount_options.assign(cls.mount_options().begin(), cls.mount_options().end());
    } else if (options_.require_storage_class) {
      // Discovered as soon as the class appears (the class informer triggers a sync).
      continue;
    }
    if (reclaim != "Retain" && reclaim != "Delete") {
      spdlog::warn("{}: unsupported ReclaimPolicy \"{}\" from storage class \"{}\", supported "
                   "policy are Retain and Delete",
                   name_, reclaim, storage_class);
      continue;
    }
    std::string dir = HostDir(config);
    std::string host_dir = *HostPathOf(options_.node_root, dir);
    std::vector<std::string> files;
    std::error_code ec;
    for (fs::directory_iterator it(host_dir, ec), end; !ec && it != end; it.increment(ec)) {
      files.push_back(it->path().filename().string());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      if (fnmatch(config.name_pattern.c_str(), file.c_str(), 0) != 0) continue;
      std::string pv_name = PVName(file, options_.node_name, storage_class);
      if (client::ObjectRef existing = volumes_->Get(pv_name)) {
        if (ProvisionedBy(*existing) != name_) {
          spdlog::warn("{}: PV {} for volume at {}/{} exists and is not ours", name_, pv_name,
                       dir, file);
        }
        continue;
      }
      std::string file_path = host_dir + "/" + file;
      if (!fs::is_directory(file_path, ec)) continue;  // not a filesystem volume
      if (!IsDisk(file_path)) {
        spdlog::debug("{}: path \"{}/{}\" is not an actual mountpoint", name_, dir, file);
        continue;
      }
      auto capacity = ReadDiskCapacity(file_path);
      if (!capacity.ok()) {
        spdlog::warn("{}: path \"{}/{}\" fs stats error: {}", name_, dir, file,
                     capacity.status().message());
        continue;
      }
      Status s = CreatePV(file, storage_class, config, reclaim, mount_options,
                          RoundDownCapacityPretty(capacity->Value()));
      if (!s.ok() && !s.IsAlreadyExists()) {
        spdlog::warn("{}: error creating PV \"{}\" for volume at \"{}/{}\": {}", name_, pv_name,
                     dir, file, s.message());
        ok = false;
      }
    }
  }
  return ok;
}

Status LocalProvisioner::CreatePV(const std::string& file, const std::string& storage_class,
                                  const StorageClassConfig& config,
                                  const std::string& reclaim_policy,
                                  const std::vector<std::string>& mount_options,
                                  int64_t capacity_bytes) {
  api::PersistentVolume pv;
  auto* meta = pv.mutable_metadata();
  meta->set_name(PVName(file, options_.node_name, storage_class));
  for (const auto& [k, v] : pv_labels_) (*meta->mutable_labels())[k] = v;
  (*meta->mutable_annotations())[kAnnProvisionedBy] = name_;
  auto* spec = pv.mutable_spec();
  spec->set_persistent_volume_reclaim_policy(reclaim_policy);
  (*spec->mutable_capacity())["storage"] = api::Quantity::FromBytes(capacity_bytes).String();
  spec->mutable_local()->set_path(HostDir(config) + "/" + file);
  if (!config.fs_type.empty()) spec->mutable_local()->set_fs_type(config.fs_type);
  spec->add_access_modes("ReadWriteOnce");
  spec->set_storage_class_name(storage_class);
  spec->set_volume_mode(config.volume_mode);
  for (const auto& o : mount_options) spec->add_mount_options(o);
  auto* expr = spec->mutable_node_affinity()
                   ->mutable_required()
                   ->add_node_selector_terms()
                   ->add_match_expressions();
  expr->set_key("kubernetes.io/hostname");
  expr->set_operator_("In");
  expr->add_values(hostname_);
  auto r = client_->Create(pv);
  if (!r.ok()) return r.status();
  spdlog::debug("{}: created PV \"{}\" for volume at \"{}/{}\"", name_, pv.metadata().name(),
               HostDir(config), file);
  return Status::OK();
}

}  // namespace lpv::kubelet
