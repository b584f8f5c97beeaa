// The HTTP exchange as the REST handlers see it, apart from the socket: a parsed request
// and a writer for a whole response or a stream of chunks (watch). The Beast server
// (server.h) implements the writer; tests can drive handlers without a socket.
#pragma once

#include <map>
#include <string>

namespace lpv::rest {

struct Request {
  std::string method;                        // GET, POST, PUT, PATCH, DELETE
  std::string path;                          // percent-decoded, no query
  std::map<std::string, std::string> query;  // percent-decoded; the last value of a repeated key
  std::string accept;
  std::string content_type;
  std::string authorization;  // the Authorization header, "Bearer <token>"
  std::string body;

  // The query value or "" when absent.
  std::string Param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? "" : it->second;
  }
};

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  // A complete response.
  virtual void Send(int code, const std::string& content_type, const std::string& body) = 0;
  // A streamed response (chunked): the header now, then chunks. False once the client is
  // gone, after which the handler should stop.
  virtual bool BeginStream(int code, const std::string& content_type) = 0;
  virtual bool WriteChunk(const std::string& data) = 0;
  // True when the peer has closed its side or the server is stopping.
  virtual bool ClientGone() = 0;
};

}  // namespace lpv::rest
