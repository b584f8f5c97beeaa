#include "rest/list_pages.h"

#include <algorithm>
#include <cstring>

#include "api/codec.h"

namespace lpv::rest {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64.RawURLEncoding (no padding), as Kubernetes encodes continue tokens.
std::string Base64Url(const std::string& in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

bool UnBase64Url(const std::string& in, std::string* out) {
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kAlphabet, c);
    if (p == nullptr || c == '\0') return false;
    acc = (acc << 6) | uint32_t(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return true;
}

std::string KeyOf(const google::protobuf::Message& obj) {
  const auto& m = api::Meta(obj);
  return m.namespace_().empty() ? m.name() : m.namespace_() + "/" + m.name();
}

}  // namespace

Result<Page> Paginate(const api::KindInfo& kind, apiserver::ObjectList all,
                      const std::string& limit_text, const std::string& token) {
  (void)kind;
  Page page;
  page.list.resource_version = all.resource_version;
  std::string start;
  if (!token.empty()) {
    std::string decoded;
    api::Json j;
    if (UnBase64Url(token, &decoded)) j = api::Json::parse(decoded, nullptr, false);
    if (!j.is_object() || !j.contains("start") || !j["start"].is_string() ||
        !j.contains("rv") || !j["rv"].is_number_integer()) {
      return Status::BadRequest("continue key is not valid: incorrect encoded start "
                                "resourceVersion (version meta.k8s.io/v1)");
    }
    start = j["start"].get<std::string>();
    page.list.resource_version = std::to_string(j["rv"].get<int64_t>());
  }
  int64_t limit = 0;
  if (!limit_text.empty()) {
    try {
      limit = std::stoll(limit_text);
    } catch (...) {
      return Status::BadRequest("invalid limit: " + limit_text);
    }
  }
  // Key order, as the store lists.
  std::sort(all.items.begin(), all.items.end(),
            [](const auto& a, const auto& b) { return KeyOf(*a) < KeyOf(*b); });
  std::vector<apiserver::ObjectPtr> rest;
  for (auto& item : all.items) {
    if (!start.empty() && KeyOf(*item) <= start) continue;
    rest.push_back(std::move(item));
  }
  if (limit <= 0 || static_cast<int64_t>(rest.size()) <= limit) {
    page.list.items = std::move(rest);
    return page;
  }
  for (int64_t i = 0; i < limit; ++i) page.list.items.push_back(std::move(rest[i]));
  page.remaining = static_cast<int64_t>(rest.size()) - limit;
  api::Json t;
  t["v"] = "meta.k8s.io/v1";
  t["rv"] = std::stoll(page.list.resource_version);
  t["start"] = KeyOf(*page.list.items.back());
  page.continue_token = Base64Url(t.dump());
  return page;
}

}  // namespace lpv::rest
