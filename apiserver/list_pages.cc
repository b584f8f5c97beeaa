#include "apiserver/list_pages.h"

#include <cstring>

#include "api/codec.h"

namespace lpv::apiserver {
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

}  // namespace

std::string EncodeContinue(const ContinueToken& token) {
  api::Json t;
  t["v"] = "meta.k8s.io/v1";
  t["rv"] = token.resource_version;
  t["start"] = token.start;
  return Base64Url(t.dump());
}

Result<ContinueToken> DecodeContinue(const std::string& token) {
  std::string decoded;
  api::Json j;
  if (UnBase64Url(token, &decoded)) j = api::Json::parse(decoded, nullptr, false);
  if (!j.is_object()) {
    return Status::BadRequest("continue key is not valid: incorrect encoded start "
                              "resourceVersion (version meta.k8s.io/v1)");
  }
  if (!j.contains("v") || j["v"] != "meta.k8s.io/v1") {
    return Status::BadRequest(
        "continue key is not valid: server does not recognize this encoded version " +
        (j.contains("v") && j["v"].is_string() ? j["v"].get<std::string>() : std::string()));
  }
  // rv 0 is no revision; -1 is the latest (a token from a 410).
  if (!j.contains("rv") || !j["rv"].is_number_integer() || j["rv"].get<int64_t>() == 0 ||
      j["rv"].get<int64_t>() < -1) {
    return Status::BadRequest("continue key is not valid: incorrect encoded start "
                              "resourceVersion (version meta.k8s.io/v1)");
  }
  if (!j.contains("start") || !j["start"].is_string() || j["start"].get<std::string>().empty()) {
    return Status::BadRequest("continue key is not valid: encoded start key empty");
  }
  ContinueToken out;
  out.resource_version = j["rv"].get<int64_t>();
  out.start = j["start"].get<std::string>();
  return out;
}

std::string InconsistentContinueToken(const std::string& token) {
  auto decoded = DecodeContinue(token);
  if (!decoded.ok()) return "";
  decoded->resource_version = -1;
  return EncodeContinue(*decoded);
}

}  // namespace lpv::apiserver
