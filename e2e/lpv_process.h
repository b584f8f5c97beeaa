// Driving the real `lpv` binary from tests: a server process on an ephemeral loopback
// port with its own data dir, and client verbs run as child processes with their output
// and exit code captured. Nothing here sleeps: the server's address is read from its
// first line of output, and commands are waited for.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace lpv::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(int fd) {
  std::string s;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, static_cast<size_t>(n));
  }
  return s;
}

inline std::string MakeTempDir(const std::string& prefix = "lpv-test-");

// execv's argv for `binary args...`, built before fork: the child of a multithreaded
// process may only make async-signal-safe calls until exec. An allocation there can wait
// forever on a lock another thread held at the fork (ASan's allocator spins on it).
// The pointers borrow from `binary` and `args`, which must outlive the exec.
inline std::vector<char*> ArgvOf(const std::string& binary, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

// Runs `binary args...` with `input` on stdin; waits for it to exit. Output goes through
// files, so neither stream can fill up and block the child.
inline CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                                const std::string& input = "") {
  // One directory per test process, removed when the process exits (children exec or
  // _exit, so only the test process runs this destructor).
  struct CommandDir {
    std::string path = MakeTempDir("lpv-cmd-");
    ~CommandDir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const CommandDir command_dir;
  const std::string& dir = command_dir.path;
  static int counter = 0;
  std::string base = dir + "/" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::string in_path = base + ".in", out_path = base + ".out", err_path = base + ".err";
  {
    FILE* f = std::fopen(in_path.c_str(), "w");
    std::fwrite(input.data(), 1, input.size(), f);
    std::fclose(f);
  }
  std::vector<char*> argv = ArgvOf(binary, args);
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec (see ArgvOf).
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  auto slurp = [](const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY);
    std::string s = fd >= 0 ? ReadAll(fd) : "";
    if (fd >= 0) close(fd);
    std::filesystem::remove(path);
    return s;
  };
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  std::filesystem::remove(in_path);
  return r;
}

inline std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return tmpl;
}

// `lpv server` in a child process.
class ServerProcess {
 public:
  ServerProcess(std::string binary, std::string data_dir, std::vector<std::string> extra = {})
      : binary_(std::move(binary)), data_dir_(std::move(data_dir)), extra_(std::move(extra)) {}
  ~ServerProcess() { Kill(SIGKILL); }

  // Starts the server and waits for its "listening on" line.
  void Start() {
    int out[2];
    if (pipe(out)) throw std::runtime_error("pipe");
    std::vector<std::string> args = {"server", "--data-dir", data_dir_, "--listen",
                                     "127.0.0.1:0"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    std::vector<char*> argv = ArgvOf(binary_, args);
    pid_ = fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec (see ArgvOf).
      dup2(out[1], 1);
      close(out[0]);
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 2);
      execv(binary_.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    // The first line: "lpv server listening on 127.0.0.1:PORT (data dir ...)".
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    out_fd_ = out[0];
    const std::string marker = "listening on ";
    auto pos = line.find(marker);
    if (pos == std::string::npos) throw std::runtime_error("server did not start: " + line);
    address_ = line.substr(pos + marker.size());
    address_ = address_.substr(0, address_.find(' '));
  }

  void Kill(int sig) {
    if (pid_ > 0) {
      kill(pid_, sig);
      int status;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
    if (out_fd_ >= 0) {
      close(out_fd_);
      out_fd_ = -1;
    }
  }

  const std::string& address() const { return address_; }
  const std::string& data_dir() const { return data_dir_; }

  // The server's next line of output after the "listening on" line, e.g. "lpv Kubernetes
  // API on http://127.0.0.1:PORT (kubeconfig DATA/kubeconfig)"; "" at end of output.
  std::string NextLine() {
    std::string line;
    char c;
    while (out_fd_ >= 0 && read(out_fd_, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }

  // Runs `lpv --server ADDRESS args...`.
  CommandResult Lpv(std::vector<std::string> args, const std::string& input = "") const {
    std::vector<std::string> full = {"--server", address_};
    full.insert(full.end(), args.begin(), args.end());
    return RunCommand(binary_, full, input);
  }

 private:
  std::string binary_;
  std::string data_dir_;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string address_;
};

}  // namespace lpv::testing
