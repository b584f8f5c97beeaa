// The helpers shared by the table printer and the describers: kubectl's duration and
// access-mode formats, time formatting, and the Go tabwriter emulation.
#include "cmd/printers.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <set>

#include "api/clock.h"
#include "cmd/printers_internal.h"

namespace lpv::cmd {

std::string HumanDuration(std::chrono::seconds d) {
  // apimachinery's duration.HumanDuration: about two significant figures, coarser as the
  // duration grows. Up to a second in the future is clock skew and reads "0s".
  const long long seconds = d.count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  const long long minutes = seconds / 60;
  if (minutes < 10) {
    const long long s = seconds % 60;
    if (s == 0) return std::to_string(minutes) + "m";
    return std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  const long long hours = seconds / 3600;
  if (hours < 8) {
    const long long m = minutes % 60;
    if (m == 0) return std::to_string(hours) + "h";
    return std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    const long long h = hours % 24;
    if (h == 0) return std::to_string(hours / 24) + "d";
    return std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    const long long dy = (hours / 24) % 365;
    if (dy == 0) return std::to_string(hours / 24 / 365) + "y";
    return std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::string TranslateTimestampSince(const std::string& rfc3339,
                                    std::chrono::system_clock::time_point now) {
  if (rfc3339.empty()) return "<unknown>";
  std::optional<TimePoint> t = ParseRFC3339(rfc3339);
  if (!t) return "<unknown>";
  // Go truncates toward zero (int(d.Seconds())); so does duration_cast.
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *t));
}

std::string FormatAccessModes(const google::protobuf::RepeatedPtrField<std::string>& modes) {
  static constexpr std::pair<const char*, const char*> kAbbreviations[] = {
      {"ReadWriteOnce", "RWO"},
      {"ReadOnlyMany", "ROX"},
      {"ReadWriteMany", "RWX"},
      {"ReadWriteOncePod", "RWOP"},
  };
  std::vector<std::string> out;
  for (const auto& [mode, abbreviation] : kAbbreviations) {
    if (std::find(modes.begin(), modes.end(), mode) != modes.end()) out.push_back(abbreviation);
  }
  return internal::Join(out, ",");
}

namespace internal {
namespace {

// Go counts a cell's width in runes; continuation bytes of UTF-8 add nothing.
int RuneCount(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

struct Cell {
  std::string_view text;
  int width = 0;
};

// One pass of text/tabwriter's format(): `widths` holds the widths of the columns left of
// the one being laid out; each column block found recurses for the columns right of it.
class Formatter {
 public:
  Formatter(const std::vector<std::vector<Cell>>& lines, int min_width, int padding,
            std::string* out)
      : lines_(lines), min_width_(min_width), padding_(padding), out_(out) {}

  void Format(size_t line0, size_t line1) {
    const size_t column = widths_.size();
    for (size_t current = line0; current < line1; ++current) {
      // The last cell of a line is not tab-terminated and belongs to no column.
      if (column + 1 >= lines_[current].size()) continue;
      // A block of this column starts here; the lines before it are done.
      WriteLines(line0, current);
      line0 = current;
      int width = min_width_;
      for (; current < line1; ++current) {
        const auto& line = lines_[current];
        if (column + 1 >= line.size()) break;
        width = std::max(width, line[column].width + padding_);
      }
      widths_.push_back(width);
      Format(line0, current);
      widths_.pop_back();
      line0 = current;
    }
    WriteLines(line0, line1);
  }

 private:
  void WriteLines(size_t line0, size_t line1) {
    for (size_t i = line0; i < line1; ++i) {
      const auto& line = lines_[i];
      for (size_t j = 0; j < line.size(); ++j) {
        out_->append(line[j].text);
        if (j < widths_.size()) out_->append(widths_[j] - line[j].width, ' ');
      }
      // The text after the last newline has none of its own.
      if (i + 1 < lines_.size()) out_->push_back('\n');
    }
  }

  const std::vector<std::vector<Cell>>& lines_;
  const int min_width_;
  const int padding_;
  std::string* out_;
  std::vector<int> widths_;
};

}  // namespace

std::string TabWriter::Format(std::string_view text) const {
  std::vector<std::vector<Cell>> lines;
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    std::string_view line =
        text.substr(start, end == std::string_view::npos ? text.size() - start : end - start);
    std::vector<Cell> cells;
    size_t cell_start = 0;
    while (true) {
      size_t tab = line.find('\t', cell_start);
      std::string_view cell = line.substr(
          cell_start, tab == std::string_view::npos ? line.size() - cell_start : tab - cell_start);
      cells.push_back({cell, RuneCount(cell)});
      if (tab == std::string_view::npos) break;
      cell_start = tab + 1;
    }
    lines.push_back(std::move(cells));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::string out;
  out.reserve(text.size() * 2);
  Formatter(lines, min_width_, padding_, &out).Format(0, lines.size());
  return out;
}

const lpv::api::ObjectMeta* MetaOf(const google::protobuf::Message& obj) {
  const google::protobuf::FieldDescriptor* field = obj.GetDescriptor()->FindFieldByName("metadata");
  if (field == nullptr || field->message_type() != lpv::api::ObjectMeta::descriptor()) {
    return nullptr;
  }
  return dynamic_cast<const lpv::api::ObjectMeta*>(&obj.GetReflection()->GetMessage(obj, field));
}

std::string FormatRFC1123Z(const std::string& rfc3339) {
  std::optional<TimePoint> t = ParseRFC3339(rfc3339);
  if (!t) return "Mon, 01 Jan 0001 00:00:00 +0000";
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = std::chrono::system_clock::to_time_t(*t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string StorageQuantity(const google::protobuf::Map<std::string, std::string>& resources) {
  auto it = resources.find("storage");
  return it == resources.end() ? "0" : it->second;
}

namespace {
constexpr char kBetaStorageClassAnnotation[] = "volume.beta.kubernetes.io/storage-class";
}  // namespace

std::string PersistentVolumeClass(const lpv::api::PersistentVolume& pv) {
  const auto& annotations = pv.metadata().annotations();
  if (auto it = annotations.find(kBetaStorageClassAnnotation); it != annotations.end()) {
    return it->second;
  }
  return pv.spec().storage_class_name();
}

std::string PersistentVolumeClaimClass(const lpv::api::PersistentVolumeClaim& pvc) {
  const auto& annotations = pvc.metadata().annotations();
  if (auto it = annotations.find(kBetaStorageClassAnnotation); it != annotations.end()) {
    return it->second;
  }
  return pvc.spec().storage_class_name();
}

bool IsDefaultStorageClass(const lpv::api::ObjectMeta& meta) {
  for (const char* key : {"storageclass.kubernetes.io/is-default-class",
                          "storageclass.beta.kubernetes.io/is-default-class"}) {
    auto it = meta.annotations().find(key);
    if (it != meta.annotations().end() && it->second == "true") return true;
  }
  return false;
}

std::vector<std::string> NodeRoles(const lpv::api::Node& node) {
  constexpr std::string_view kRolePrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  for (const auto& [key, value] : node.metadata().labels()) {
    if (key.size() > kRolePrefix.size() && key.compare(0, kRolePrefix.size(), kRolePrefix) == 0) {
      roles.insert(key.substr(kRolePrefix.size()));
    } else if (key == "kubernetes.io/role" && !value.empty()) {
      roles.insert(value);
    }
  }
  return {roles.begin(), roles.end()};
}

const lpv::api::OwnerReference* ControllerOf(const lpv::api::ObjectMeta& meta) {
  for (const auto& ref : meta.owner_references()) {
    if (ref.has_controller() && ref.controller()) return &ref;
  }
  return nullptr;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

}  // namespace internal
}  // namespace lpv::cmd
