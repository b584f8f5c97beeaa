// A plain HTTP/1.1 client for the REST tests (Boost.Beast, synchronous): one request per
// connection, and a watch reader that returns the stream's lines as they arrive.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace lpv::rest::testing {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpResponse {
  int code = 0;
  std::string content_type;
  std::string body;
  nlohmann::ordered_json json() const { return nlohmann::ordered_json::parse(body); }
};

// "http://127.0.0.1:PORT" -> host, port
inline std::pair<std::string, std::string> HostPort(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  return {rest.substr(0, rest.find(':')), rest.substr(rest.find(':') + 1)};
}

inline HttpResponse Call(const std::string& url, const std::string& method,
                         const std::string& target, const std::string& body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
  net::io_context io;
  tcp::resolver resolver(io);
  tcp::socket socket(io);
  auto [host, port] = HostPort(url);
  net::connect(socket, resolver.resolve(host, port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, host);
  bool has_content_type = false;
  for (auto& [k, v] : headers) {
    req.set(k, v);
    if (k == "Content-Type") has_content_type = true;
  }
  if (!has_content_type && !body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(socket, buf, res);
  boost::system::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  return {static_cast<int>(res.result_int()), std::string(res[http::field::content_type].data(), res[http::field::content_type].size()),
          res.body()};
}

// A streaming GET: the status code at once, then the body line by line.
class LineStream {
 public:
  LineStream(const std::string& url, const std::string& target,
             std::vector<std::pair<std::string, std::string>> headers = {})
      : resolver_(io_), socket_(io_) {
    auto [host, port] = HostPort(url);
    net::connect(socket_, resolver_.resolve(host, port));
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host);
    for (auto& [k, v] : headers) req.set(k, v);
    http::write(socket_, req);
    parser_.body_limit(boost::none);
    on_chunk_ = [this](uint64_t, boost::string_view data, boost::system::error_code&) {
      pending_.append(data.data(), data.size());
      return data.size();
    };
    parser_.on_chunk_body(on_chunk_);
    http::read_header(socket_, buf_, parser_);
    code_ = static_cast<int>(parser_.get().result_int());
  }

  int code() const { return code_; }

  // The next line without its newline; "" when the stream ended.
  std::string NextLine() {
    for (;;) {
      size_t nl = pending_.find('\n');
      if (nl != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        return line;
      }
      if (parser_.is_done()) return "";
      boost::system::error_code ec;
      http::read_some(socket_, buf_, parser_, ec);
      if (ec) return "";
    }
  }

  nlohmann::ordered_json NextEvent() {
    std::string line = NextLine();
    return line.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(line);
  }

 private:
  net::io_context io_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  boost::beast::flat_buffer buf_;
  // The parser keeps a reference to the callback: declared first, destroyed last.
  std::function<size_t(uint64_t, boost::string_view, boost::system::error_code&)> on_chunk_;
  http::response_parser<http::string_body> parser_;
  std::string pending_;
  int code_ = 0;
};

}  // namespace lpv::rest::testing
