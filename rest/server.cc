#include "rest/server.h"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <list>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace lpv::rest {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr size_t kMaxBody = 8 * 1024 * 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

Request ToRequest(const http::request<http::string_body>& req) {
  Request r;
  r.method = std::string(req.method_string().data(), req.method_string().size());
  std::string_view target(req.target().data(), req.target().size());
  size_t q = target.find('?');
  r.path = PercentDecode(target.substr(0, q), false);
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      size_t eq = pair.find('=');
      std::string key = PercentDecode(pair.substr(0, eq), true);
      std::string value = eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true);
      if (!key.empty()) r.query[key] = value;
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  auto header = [&](http::field f) {
    auto v = req[f];
    return std::string(v.data(), v.size());
  };
  r.accept = header(http::field::accept);
  r.content_type = header(http::field::content_type);
  r.authorization = header(http::field::authorization);
  r.body = req.body();
  return r;
}

class Connection : public ResponseWriter {
 public:
  Connection(tcp::socket socket, const std::atomic<bool>* stopping)
      : socket_(std::move(socket)), stopping_(stopping) {}

  int fd() { return socket_.native_handle(); }

  void Serve(const Handler& handler) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxBody);
      boost::system::error_code ec;
      http::read(socket_, buffer, parser, ec);
      if (ec) break;
      const auto& req = parser.get();
      version_ = req.version();
      keep_alive_ = req.keep_alive();
      streamed_ = false;
      handler(ToRequest(req), this);
      if (streamed_) EndStream();
      if (!keep_alive_ || streamed_ || failed_ || stopping_->load()) break;
    }
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
  }

  void Send(int code, const std::string& content_type, const std::string& body) override {
    http::response<http::string_body> res{static_cast<http::status>(code), version_};
    res.set(http::field::content_type, content_type);
    res.set(http::field::cache_control, "no-cache, private");
    res.keep_alive(keep_alive_);
    res.body() = body;
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(socket_, res, ec);
    if (ec) failed_ = true;
  }

  bool BeginStream(int code, const std::string& content_type) override {
    streamed_ = true;
    http::response<http::empty_body> res{static_cast<http::status>(code), version_};
    res.set(http::field::content_type, content_type);
    res.set(http::field::cache_control, "no-cache, private");
    res.set(http::field::transfer_encoding, "chunked");
    res.keep_alive(false);
    http::response_serializer<http::empty_body> sr{res};
    boost::system::error_code ec;
    http::write_header(socket_, sr, ec);
    if (ec) failed_ = true;
    return !failed_;
  }

  bool WriteChunk(const std::string& data) override {
    if (failed_) return false;
    boost::system::error_code ec;
    net::write(socket_, http::make_chunk(net::buffer(data)), ec);
    if (ec) failed_ = true;
    return !failed_;
  }

  bool ClientGone() override {
    if (failed_ || stopping_->load()) return true;
    pollfd p{fd(), POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return true;
    return false;
  }

  void EndStream() {
    if (!streamed_ || failed_) return;
    boost::system::error_code ec;
    net::write(socket_, http::make_chunk_last(), ec);
  }

 private:
  tcp::socket socket_;
  const std::atomic<bool>* stopping_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool streamed_ = false;
  bool failed_ = false;
};

class Server : public HttpServer {
 public:
  Server(Handler handler) : handler_(std::move(handler)), acceptor_(io_) {}
  ~Server() override { Stop(); }

  Status Listen(const std::string& host, int port) {
    boost::system::error_code ec;
    tcp::endpoint ep(net::ip::make_address(host, ec), static_cast<unsigned short>(port));
    if (ec) return Status::BadRequest("bad listen address " + host + ": " + ec.message());
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Make(Reason::ServiceUnavailable,
                          "cannot listen on " + host + ":" + std::to_string(port) + ": " +
                              ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    url_ = "http://" + host + ":" + std::to_string(port_);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    return Status::OK();
  }

  std::string url() const override { return url_; }
  int port() const override { return port_; }

  void Stop() override {
    if (stopping_.exchange(true)) return;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    if (accept_thread_.joinable()) accept_thread_.join();
    std::list<Worker> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& w : workers_) ::shutdown(w.conn->fd(), SHUT_RDWR);
      workers.splice(workers.end(), workers_);
    }
    for (auto& w : workers) w.thread.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  struct Worker {
    std::shared_ptr<Connection> conn;
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };

  void AcceptLoop() {
    while (!stopping_.load()) {
      boost::system::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) {
        if (stopping_.load()) return;
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket), &stopping_);
      auto done = std::make_shared<std::atomic<bool>>(false);
      std::lock_guard<std::mutex> lock(mu_);
      Reap();
      workers_.push_back(Worker{conn, std::thread([this, conn, done] {
                                  conn->Serve(handler_);
                                  done->store(true);
                                }),
                                done});
    }
  }

  // Joins the threads of finished connections. mu_ held.
  void Reap() {
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
  }

  Handler handler_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  std::thread accept_thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::list<Worker> workers_;
  int port_ = 0;
  std::string url_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> StartHttpServer(const std::string& host, int port,
                                                    Handler handler) {
  auto server = std::make_unique<Server>(std::move(handler));
  Status s = server->Listen(host, port);
  if (!s.ok()) return s;
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace lpv::rest
