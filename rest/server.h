// A small HTTP/1.1 server on Boost.Beast: one thread per connection, requests read
// synchronously and handed to a handler with a ResponseWriter. Keep-alive and chunked
// streaming (for watches) are supported; TLS is not (the server listens on loopback).
//
// Thread-safety: Start and Stop from one thread; the handler runs on connection threads
// concurrently. Stop wakes every blocked read and accept (shutdown(2)) and joins.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/status.h"
#include "rest/http.h"

namespace lpv::rest {

using Handler = std::function<void(const Request&, ResponseWriter*)>;

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // "http://127.0.0.1:PORT"
  virtual std::string url() const = 0;
  virtual int port() const = 0;
  virtual void Stop() = 0;
};

// Listens on host:port (port 0 picks a free one).
Result<std::unique_ptr<HttpServer>> StartHttpServer(const std::string& host, int port,
                                                    Handler handler);

}  // namespace lpv::rest
