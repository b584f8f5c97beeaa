// The store's on-disk layout: how keys, object records and change-log events are laid out
// in the one RocksDB keyspace. Private to store/.
//
//   o<key>                      -> object record: mod_revision, create_revision, value
//   l<8-byte big-endian rev>    -> change-log event of the write at that revision
//   m:rev                       -> current revision (8-byte big-endian)
//   m:compacted                 -> log entries at or below it are gone (8-byte big-endian)
//
// Revisions are big-endian so RocksDB's bytewise order is revision order, which lets a
// watch replay be one forward scan and compaction one DeleteRange.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.h"

namespace lpv::store::internal {

inline constexpr char kObjectPrefix = 'o';
inline constexpr char kLogPrefix = 'l';
inline constexpr std::string_view kRevisionKey = "m:rev";
inline constexpr std::string_view kCompactedKey = "m:compacted";

std::string ObjectKey(std::string_view key);
std::string LogKey(int64_t revision);
bool ParseLogKey(std::string_view log_key, int64_t* revision);

// The smallest string greater than every string starting with `prefix`, or "" when there
// is none (prefix empty or all 0xff), for RocksDB's iterate_upper_bound.
std::string PrefixUpperBound(std::string_view prefix);

std::string EncodeRevision(int64_t revision);
bool DecodeRevision(std::string_view in, int64_t* revision);

// Object records. DecodeObject leaves kv->key alone.
std::string EncodeObject(int64_t mod_revision, int64_t create_revision, std::string_view value);
bool DecodeObject(std::string_view in, KeyValue* kv);

// Log events. The revision lives in the log key, not in the encoding. A delete stores the
// last value once: it is both the event's value and its prev_value.
std::string EncodeEvent(const Event& ev);
bool DecodeEvent(std::string_view in, Event* ev);
// Only the key, so a replay can skip other prefixes without copying values.
bool DecodeEventKey(std::string_view in, std::string_view* key);

}  // namespace lpv::store::internal
