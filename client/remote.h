// Reaching a running lpv server from another process: where it listens, and the two
// calls outside the object API (server info and the admin verbs).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/status.h"

namespace lpv::client {

// The default data dir: $LPV_DATA_DIR, else $HOME/.lpv.
std::string DefaultDataDir();

// The server address: `flag` if set, else $LPV_SERVER, else the address file a running
// server wrote into `data_dir`. NotFound-style error when none is known.
Result<std::string> ResolveServer(const std::string& flag, const std::string& data_dir);

// The bearer token to send: `flag` if set, else $LPV_TOKEN, else the token file a server
// listening beyond loopback wrote into `data_dir` (default data dir when empty); "" = none.
std::string ResolveToken(const std::string& flag, const std::string& data_dir);

struct ServerInfo {
  std::string version;
  std::string revision;
  std::string data_dir;
};
// Fails with ServiceUnavailable when nothing answers within `timeout_ms`, Unauthorized
// when the server wants a token and `token` is not it.
Result<ServerInfo> GetServerInfo(const std::string& target, int timeout_ms = 2000,
                                 const std::string& token = "");

Result<std::string> CallAdmin(const std::string& target, const std::string& verb,
                              const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& options = {},
                              const std::string& token = "");

}  // namespace lpv::client
