// What the table printer (table_printer.cc) and the describers (describe.cc) share. Not
// part of cmd's interface: include printers.h instead.
#pragma once

#include <google/protobuf/map.h>
#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <vector>

#include "api/objects.pb.h"

namespace lpv::cmd::internal {

// Go's text/tabwriter as kubectl configures it, for a whole text at once. Cells are
// tab-terminated; the text after a line's last tab is not part of any column. A column
// block is a run of consecutive lines that all have a cell in that column; each cell of
// the block is padded to the widest cell + `padding` (at least `min_width`). Widths count
// UTF-8 code points, as Go counts runes.
class TabWriter {
 public:
  TabWriter(int min_width, int padding) : min_width_(min_width), padding_(padding) {}

  std::string Format(std::string_view text) const;

 private:
  int min_width_;
  int padding_;
};

// `kubectl get`'s writer (cli-runtime printers.GetNewTabWriter): minwidth 6, padding 3.
inline TabWriter TableTabWriter() { return TabWriter(6, 3); }
// `kubectl describe`'s writer (describe.tabbedString): minwidth 0, padding 2.
inline TabWriter DescribeTabWriter() { return TabWriter(0, 2); }

// The object's metadata, found by reflection (every kind has `metadata` as field 3);
// nullptr for a message without one.
const lpv::api::ObjectMeta* MetaOf(const google::protobuf::Message& obj);

// An RFC 3339 timestamp as Go's time.RFC1123Z ("Wed, 25 Nov 2026 14:00:00 +0000"), in
// UTC. Empty or unparsable is Go's zero time, as kubectl prints an unset metav1.Time.
std::string FormatRFC1123Z(const std::string& rfc3339);

// The storage quantity of a resource list ("368Gi"), or "0" when absent, as the zero
// resource.Quantity prints.
std::string StorageQuantity(const google::protobuf::Map<std::string, std::string>& resources);

// The class of a volume or claim: the beta annotation
// volume.beta.kubernetes.io/storage-class wins over the field, as kubectl's
// GetPersistentVolumeClass / GetPersistentVolumeClaimClass decide.
std::string PersistentVolumeClass(const lpv::api::PersistentVolume& pv);
std::string PersistentVolumeClaimClass(const lpv::api::PersistentVolumeClaim& pvc);

// storageclass.kubernetes.io/is-default-class (or its beta twin) is "true".
bool IsDefaultStorageClass(const lpv::api::ObjectMeta& meta);

// Sorted, unique roles from node-role.kubernetes.io/<role> labels and the
// kubernetes.io/role label.
std::vector<std::string> NodeRoles(const lpv::api::Node& node);

// The owner reference with controller=true, or nullptr.
const lpv::api::OwnerReference* ControllerOf(const lpv::api::ObjectMeta& meta);

std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace lpv::cmd::internal
