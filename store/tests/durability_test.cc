// Acknowledged writes survive kill -9: a child process writes with sync on and reports
// each acknowledged write; the test kills it mid-stream and reopens the store.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <sstream>
#include <string>

#include "store/store.h"
#include "store/tests/test_util.h"

namespace lpv::store {
namespace {

using testing::TempDir;

// Reads whole lines from `fd` until `want` have arrived or the stream ends.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}

  // False at end of stream (or error) with no further full line.
  bool ReadLine(std::string* line) {
    while (true) {
      size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return true;
      }
      char chunk[4096];
      ssize_t n = read(fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // a partial last line was never acknowledged
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

TEST(DurabilityTest, AcknowledgedWritesSurviveSigkill) {
  TempDir dir;
  std::string db_dir = dir.Sub("db");

  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    execl(STORE_CRASH_WRITER, STORE_CRASH_WRITER, db_dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);

  constexpr int kAcksBeforeKill = 300;
  std::map<std::string, int64_t> acked;  // key -> revision
  LineReader reader(fds[0]);
  std::string line;
  while (static_cast<int>(acked.size()) < kAcksBeforeKill && reader.ReadLine(&line)) {
    std::istringstream in(line);
    std::string key;
    int64_t rev = 0;
    ASSERT_TRUE(in >> key >> rev) << line;
    acked[key] = rev;
  }
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  // Lines already in the pipe were acknowledged too.
  while (reader.ReadLine(&line)) {
    std::istringstream in(line);
    std::string key;
    int64_t rev = 0;
    if (in >> key >> rev) acked[key] = rev;
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "writer exited early with status " << wstatus;
  EXPECT_EQ(WTERMSIG(wstatus), SIGKILL);
  ASSERT_GE(static_cast<int>(acked.size()), kAcksBeforeKill);

  Options options;
  options.dir = db_dir;
  auto store = testing::OpenStore(options);
  ASSERT_NE(store, nullptr);
  int64_t max_acked = 0;
  for (const auto& [key, rev] : acked) {
    auto kv = store->Get(key);
    ASSERT_TRUE(kv.ok()) << key << " acknowledged at " << rev << " was lost";
    EXPECT_EQ(kv->mod_revision, rev) << key;
    max_acked = std::max(max_acked, rev);
  }
  // The writer may have committed a write it never got to print, so the store may be
  // ahead of the acknowledgements, never behind.
  int64_t reopened = store->Revision();
  EXPECT_GE(reopened, max_acked);
  auto next = store->Create("/after-crash", "v");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, reopened + 1);
  EXPECT_GT(*next, max_acked);

  // The replayed history agrees with the acknowledgements.
  auto w = store->Watch("/crash/", 0);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto events = testing::TakeEvents(w->get(), acked.size());
  ASSERT_EQ(events.size(), acked.size());
  for (const Event& ev : events) {
    auto it = acked.find(ev.key);
    ASSERT_NE(it, acked.end()) << ev.key;
    EXPECT_EQ(it->second, ev.revision);
  }
}

}  // namespace
}  // namespace lpv::store
