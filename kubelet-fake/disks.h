// Simulated local disks of one node.
//
// A node lives in a directory of its own, its root (<data dir>/nodes/<node>/), laid out as
// the node's filesystem: a disk "mounted" at /mnt/disks/vol1 on the node is the real
// directory <root>/mnt/disks/vol1, so a user can `ls` it and see what pods wrote there.
// What makes a directory a disk (a mount point, to the provisioner) is its metadata file
// `.lpv-disk`, which holds the disk's capacity as a quantity ("368Gi"); wiping a disk
// deletes everything but that file.
//
// Thread-safety: Disks is safe for concurrent use. Listeners run on the thread that added
// or removed the disk, after the change, under the listeners' lock: they should only
// enqueue work and must not add or remove listeners.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/quantity.h"
#include "api/status.h"

namespace lpv::kubelet {

// The metadata file that marks a directory as a mounted disk and records its capacity.
inline constexpr char kDiskMetadataFile[] = ".lpv-disk";

struct Disk {
  std::string name;       // vol1
  std::string path;       // /mnt/disks/vol1: the path on the node, as a PV's local.path has it
  std::string host_path;  // <node root>/mnt/disks/vol1: where the directory really is
  api::Quantity capacity;
};

// Lexically normalizes an absolute node path ("/mnt//disks/./vol1/" -> "/mnt/disks/vol1").
// InvalidPath-style BadRequest for relative paths and any ".." (a node path may not climb
// out of the node's root).
Result<std::string> CleanNodePath(std::string_view node_path);
// <node root> + node path, after CleanNodePath.
Result<std::string> HostPathOf(const std::string& node_root, std::string_view node_path);

// Whether `host_path` is a directory carrying disk metadata (a "mount point").
bool IsDisk(const std::string& host_path);
// The capacity recorded in a disk's metadata.
Result<api::Quantity> ReadDiskCapacity(const std::string& host_path);
// Deletes everything inside `host_path` except the disk metadata, as the provisioner's
// cleanup (`rm -rf <mount>/*`) does.
Status WipeDirectory(const std::string& host_path);

class Disks {
 public:
  // `node_root`: the node's root directory (created if missing). `disks_dir`: where this
  // node mounts its disks, as a node path ("/mnt/disks").
  explicit Disks(std::string node_root, std::string disks_dir = "/mnt/disks");
  Disks(const Disks&) = delete;
  Disks& operator=(const Disks&) = delete;

  const std::string& node_root() const { return root_; }
  const std::string& disks_dir() const { return dir_; }
  // The real path of a node path: "/mnt/disks/vol1" -> "<root>/mnt/disks/vol1".
  Result<std::string> HostPath(std::string_view node_path) const;

  // Mounts a new, empty disk of `size`: at volN, N one more than any disk this node ever
  // had (so a removed disk's name, and its PV name, are not reused), or at `name`.
  // Errors: Invalid size (not positive) or name, AlreadyExists.
  Result<Disk> Add(const api::Quantity& size, const std::string& name = "");
  // Unmounts the disk and throws it away with its data. `disk` is a node path
  // ("/mnt/disks/vol2") or a name ("vol2"). NotFound if there is no such disk.
  Result<Disk> Remove(const std::string& disk);
  // Deletes the disk's contents, keeping its metadata. NotFound if there is no such disk.
  Status Wipe(const std::string& disk);
  Result<Disk> Get(const std::string& disk) const;
  // The mounted disks, by name (vol2 before vol10).
  std::vector<Disk> List() const;

  // Listeners hear of every Add and Remove. Returns an id for RemoveListener.
  int AddListener(std::function<void()> fn);
  void RemoveListener(int id);

 private:
  Result<std::string> Resolve(const std::string& disk) const;  // -> disk name
  Result<Disk> Load(const std::string& name) const;
  void Notify();

  const std::string root_;
  const std::string dir_;  // "/mnt/disks"
  mutable std::mutex mu_;  // serializes changes to the disks directory
  std::mutex listeners_mu_;
  std::map<int, std::function<void()>> listeners_;
  int next_listener_ = 1;
};

}  // namespace lpv::kubelet
