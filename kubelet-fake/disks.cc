#include "kubelet-fake/disks.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace lpv::kubelet {

namespace fs = std::filesystem;

namespace {

// In the node root: the highest N of volN handed out by Add or removed by Remove, so that
// a new disk never takes a removed one's name (its PV may still be around). Disks named by
// the caller (a fresh fleet's vol1..volN) are listed instead, so building a node is one
// mkdir and one file per disk.
constexpr char kSeqFile[] = ".lpv-disk-seq";

// A disk's name is one path segment, readable in `ls`.
bool ValidDiskName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name[0] == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
  });
}

// "vol12" -> 12; -1 when the name is not vol<N>.
long VolNumber(const std::string& name) {
  if (name.size() <= 3 || name.compare(0, 3, "vol") != 0) return -1;
  long n = 0;
  for (size_t i = 3; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || n > 100000000) return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

// vol2 before vol10; other names after, alphabetically.
bool DiskNameLess(const std::string& a, const std::string& b) {
  long na = VolNumber(a), nb = VolNumber(b);
  if ((na >= 0) != (nb >= 0)) return na >= 0;
  if (na >= 0 && na != nb) return na < nb;
  return a < b;
}

long ReadSeq(const std::string& root) {
  std::ifstream in(fs::path(root) / kSeqFile);
  long n = 0;
  if (in >> n) return n;
  return 0;
}

}  // namespace

Result<std::string> CleanNodePath(std::string_view node_path) {
  if (node_path.empty() || node_path[0] != '/') {
    return Status::BadRequest("path \"" + std::string(node_path) + "\" is not absolute");
  }
  std::string out;
  std::stringstream ss{std::string(node_path)};
  std::string seg;
  while (std::getline(ss, seg, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      return Status::BadRequest("path \"" + std::string(node_path) +
                                "\" must not contain '..'");
    }
    out += "/" + seg;
  }
  return out.empty() ? std::string("/") : out;
}

Result<std::string> HostPathOf(const std::string& node_root, std::string_view node_path) {
  auto clean = CleanNodePath(node_path);
  if (!clean.ok()) return clean.status();
  if (*clean == "/") return node_root;
  return (fs::path(node_root) / clean->substr(1)).string();
}

bool IsDisk(const std::string& host_path) {
  std::error_code ec;
  return fs::is_directory(host_path, ec) &&
         fs::is_regular_file(fs::path(host_path) / kDiskMetadataFile, ec);
}

Result<api::Quantity> ReadDiskCapacity(const std::string& host_path) {
  std::ifstream in(fs::path(host_path) / kDiskMetadataFile);
  if (!in) return Status::NotFound("disks", host_path);
  std::string text;
  in >> text;
  auto q = api::Quantity::Parse(text);
  if (!q.ok()) {
    return Status::Internal("disk metadata " + host_path + "/" + kDiskMetadataFile +
                            " holds no capacity: " + q.status().message());
  }
  return *q;
}

Status WipeDirectory(const std::string& host_path) {
  std::error_code ec;
  if (!fs::is_directory(host_path, ec)) {
    return Status::NotFound("disks", host_path);
  }
  for (fs::directory_iterator it(host_path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename() == kDiskMetadataFile) continue;
    std::error_code rm_ec;
    fs::remove_all(it->path(), rm_ec);
    if (rm_ec) {
      return Status::Internal("unlinkat " + it->path().string() + ": " + rm_ec.message());
    }
  }
  if (ec) return Status::Internal("open " + host_path + ": " + ec.message());
  return Status::OK();
}

Disks::Disks(std::string node_root, std::string disks_dir)
    : root_(std::move(node_root)), dir_(CleanNodePath(disks_dir).ok()
                                            ? *CleanNodePath(disks_dir)
                                            : std::string("/mnt/disks")) {
  std::error_code ec;
  fs::create_directories(*HostPathOf(root_, dir_), ec);
}

Result<std::string> Disks::HostPath(std::string_view node_path) const {
  return HostPathOf(root_, node_path);
}

Result<std::string> Disks::Resolve(const std::string& disk) const {
  std::string name = disk;
  if (!disk.empty() && disk[0] == '/') {
    auto clean = CleanNodePath(disk);
    if (!clean.ok()) return clean.status();
    std::string prefix = dir_ + "/";
    if (clean->compare(0, prefix.size(), prefix) != 0 ||
        clean->find('/', prefix.size()) != std::string::npos) {
      return Status::NotFound("disks", disk);
    }
    name = clean->substr(prefix.size());
  }
  if (!ValidDiskName(name)) return Status::NotFound("disks", disk);
  return name;
}

Result<Disk> Disks::Load(const std::string& name) const {
  Disk d;
  d.name = name;
  d.path = dir_ + "/" + name;
  d.host_path = *HostPathOf(root_, d.path);
  if (!IsDisk(d.host_path)) return Status::NotFound("disks", d.path);
  auto cap = ReadDiskCapacity(d.host_path);
  if (!cap.ok()) return cap.status();
  d.capacity = *cap;
  return d;
}

Result<Disk> Disks::Add(const api::Quantity& size, const std::string& name) {
  if (size.Sign() <= 0) {
    return Status::BadRequest("disk size must be positive, not " + size.String());
  }
  Disk d;
  {
    std::lock_guard<std::mutex> l(mu_);
    std::string chosen = name;
    if (chosen.empty()) {
      long seq = ReadSeq(root_);
      for (const auto& disk : List()) seq = std::max(seq, VolNumber(disk.name));
      chosen = "vol" + std::to_string(seq + 1);
      std::ofstream(fs::path(root_) / kSeqFile) << seq + 1 << "\n";
    } else if (!ValidDiskName(chosen)) {
      return Status::BadRequest("invalid disk name \"" + chosen +
                                "\": letters, digits, '-', '_' and '.', not first");
    }
    d.name = chosen;
    d.path = dir_ + "/" + chosen;
    d.host_path = *HostPathOf(root_, d.path);
    d.capacity = size;
    std::error_code ec;
    if (fs::exists(d.host_path, ec)) return Status::AlreadyExists("disks", d.path);
    fs::create_directories(d.host_path, ec);
    if (ec) return Status::Internal("mkdir " + d.host_path + ": " + ec.message());
    {
      std::ofstream meta(fs::path(d.host_path) / kDiskMetadataFile);
      meta << size.String() << "\n";
      if (!meta) return Status::Internal("cannot write disk metadata in " + d.host_path);
    }
  }
  Notify();
  return d;
}

Result<Disk> Disks::Remove(const std::string& disk) {
  Disk d;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto name = Resolve(disk);
    if (!name.ok()) return name.status();
    auto loaded = Load(*name);
    if (!loaded.ok()) return loaded.status();
    d = *loaded;
    std::error_code ec;
    long n = VolNumber(d.name);
    if (n > ReadSeq(root_)) std::ofstream(fs::path(root_) / kSeqFile) << n << "\n";
    fs::remove_all(d.host_path, ec);
    if (ec) return Status::Internal("rm -rf " + d.host_path + ": " + ec.message());
  }
  Notify();
  return d;
}

Status Disks::Wipe(const std::string& disk) {
  std::lock_guard<std::mutex> l(mu_);
  auto name = Resolve(disk);
  if (!name.ok()) return name.status();
  auto loaded = Load(*name);
  if (!loaded.ok()) return loaded.status();
  return WipeDirectory(loaded->host_path);
}

Result<Disk> Disks::Get(const std::string& disk) const {
  auto name = Resolve(disk);
  if (!name.ok()) return name.status();
  return Load(*name);
}

std::vector<Disk> Disks::List() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(*HostPathOf(root_, dir_), ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (ValidDiskName(name) && IsDisk(it->path().string())) names.push_back(name);
  }
  std::sort(names.begin(), names.end(), DiskNameLess);
  std::vector<Disk> out;
  for (const auto& name : names) {
    auto d = Load(name);
    if (d.ok()) out.push_back(std::move(*d));
  }
  return out;
}

int Disks::AddListener(std::function<void()> fn) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  int id = next_listener_++;
  listeners_[id] = std::move(fn);
  return id;
}

void Disks::RemoveListener(int id) {
  std::lock_guard<std::mutex> l(listeners_mu_);
  listeners_.erase(id);
}

void Disks::Notify() {
  // Called under the listeners' lock, so a listener removed by RemoveListener is never
  // called afterwards (its owner may be gone).
  std::lock_guard<std::mutex> l(listeners_mu_);
  for (const auto& [id, fn] : listeners_) fn();
}

}  // namespace lpv::kubelet
