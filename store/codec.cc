#include "store/codec.h"

namespace lpv::store::internal {
namespace {

void PutFixed64BE(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint64_t GetFixed64BE(std::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool GetLengthPrefixed(std::string_view* in, std::string_view* out) {
  uint64_t len = 0;
  if (!GetVarint(in, &len) || len > in->size()) return false;
  *out = in->substr(0, len);
  in->remove_prefix(len);
  return true;
}

enum : uint8_t { kPut = 0, kDelete = 1 };
enum : uint8_t { kCreatedFlag = 1 };

}  // namespace

std::string ObjectKey(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  out.push_back(kObjectPrefix);
  out.append(key);
  return out;
}

std::string LogKey(int64_t revision) {
  std::string out;
  out.reserve(9);
  out.push_back(kLogPrefix);
  PutFixed64BE(&out, static_cast<uint64_t>(revision));
  return out;
}

bool ParseLogKey(std::string_view log_key, int64_t* revision) {
  if (log_key.size() != 9 || log_key[0] != kLogPrefix) return false;
  *revision = static_cast<int64_t>(GetFixed64BE(log_key.substr(1)));
  return true;
}

std::string PrefixUpperBound(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    auto last = static_cast<uint8_t>(bound.back());
    if (last != 0xff) {
      bound.back() = static_cast<char>(last + 1);
      return bound;
    }
    bound.pop_back();
  }
  return bound;
}

std::string EncodeRevision(int64_t revision) {
  std::string out;
  PutFixed64BE(&out, static_cast<uint64_t>(revision));
  return out;
}

bool DecodeRevision(std::string_view in, int64_t* revision) {
  if (in.size() != 8) return false;
  *revision = static_cast<int64_t>(GetFixed64BE(in));
  return true;
}

std::string EncodeObject(int64_t mod_revision, int64_t create_revision, std::string_view value) {
  std::string out;
  out.reserve(16 + value.size());
  PutFixed64BE(&out, static_cast<uint64_t>(mod_revision));
  PutFixed64BE(&out, static_cast<uint64_t>(create_revision));
  out.append(value);
  return out;
}

bool DecodeObject(std::string_view in, KeyValue* kv) {
  if (in.size() < 16) return false;
  kv->mod_revision = static_cast<int64_t>(GetFixed64BE(in));
  kv->create_revision = static_cast<int64_t>(GetFixed64BE(in.substr(8)));
  kv->value.assign(in.substr(16));
  return true;
}

std::string EncodeEvent(const Event& ev) {
  std::string out;
  bool put = ev.type == Event::Type::kPut;
  out.reserve(12 + ev.key.size() + ev.value.size() + (put ? ev.prev_value.size() : 0));
  out.push_back(static_cast<char>(put ? kPut : kDelete));
  out.push_back(static_cast<char>(ev.created ? kCreatedFlag : 0));
  PutVarint(&out, ev.key.size());
  out.append(ev.key);
  if (put) {
    PutVarint(&out, ev.value.size());
    out.append(ev.value);
    out.append(ev.prev_value);
  } else {
    out.append(ev.value);
  }
  return out;
}

bool DecodeEventKey(std::string_view in, std::string_view* key) {
  if (in.size() < 2) return false;
  in.remove_prefix(2);
  return GetLengthPrefixed(&in, key);
}

bool DecodeEvent(std::string_view in, Event* ev) {
  if (in.size() < 2) return false;
  uint8_t type = static_cast<uint8_t>(in[0]);
  uint8_t flags = static_cast<uint8_t>(in[1]);
  in.remove_prefix(2);
  std::string_view key;
  if (!GetLengthPrefixed(&in, &key)) return false;
  ev->key.assign(key);
  ev->created = (flags & kCreatedFlag) != 0;
  if (type == kPut) {
    std::string_view value;
    if (!GetLengthPrefixed(&in, &value)) return false;
    ev->type = Event::Type::kPut;
    ev->value.assign(value);
    ev->prev_value.assign(in);
    return true;
  }
  if (type == kDelete) {
    ev->type = Event::Type::kDelete;
    ev->value.assign(in);
    ev->prev_value.assign(in);
    return true;
  }
  return false;
}

}  // namespace lpv::store::internal
