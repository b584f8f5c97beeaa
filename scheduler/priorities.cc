#include "scheduler/priorities.h"

namespace lpv::scheduler {

namespace {

// leastRequestedScore: the unused share of capacity, in 0..100.
int64_t LeastRequestedScore(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

uint64_t Fnv1a(uint64_t h, const std::string& s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// splitmix64's finalizer: FNV's low bits are weak for short strings.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

int64_t LeastRequestedPriority(const PodResources& pod, const NodeInfo& node) {
  int64_t cpu = LeastRequestedScore(node.requested.nonzero_milli_cpu + pod.nonzero_milli_cpu,
                                    node.allocatable_milli_cpu);
  int64_t mem = LeastRequestedScore(node.requested.nonzero_memory + pod.nonzero_memory,
                                    node.allocatable_memory);
  return (cpu + mem) / 2;
}

namespace {

// TieBreakHash in two parts: the seed's and pod's, then the node's.
uint64_t PodHash(uint64_t seed, const std::string& pod_uid) {
  return Fnv1a(14695981039346656037ULL ^ Mix(seed), pod_uid);
}
uint64_t NodeRank(uint64_t pod_hash, const std::string& node) {
  return Mix(Fnv1a(pod_hash ^ 0xff, node));
}

}  // namespace

uint64_t TieBreakHash(uint64_t seed, const std::string& pod_uid, const std::string& node) {
  return NodeRank(PodHash(seed, pod_uid), node);
}

std::string SelectHost(const std::vector<NodeScore>& scores, uint64_t seed,
                       const std::string& pod_uid) {
  // The pod's part of the hash once, and a node's only when its score can win: a cycle
  // scores hundreds of nodes at 5,000.
  const uint64_t pod_hash = PodHash(seed, pod_uid);
  const NodeScore* best = nullptr;
  uint64_t best_rank = 0;
  for (const auto& s : scores) {
    if (best && s.score < best->score) continue;
    uint64_t rank = NodeRank(pod_hash, s.node);
    if (!best || s.score > best->score || (s.score == best->score && rank < best_rank)) {
      best = &s;
      best_rank = rank;
    }
  }
  return best ? best->node : "";
}

}  // namespace lpv::scheduler
