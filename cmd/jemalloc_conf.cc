// jemalloc's options for the lpv binary (compiled in only when it links jemalloc, see
// LPV_JEMALLOC): pages freed and unused go back to the system after 1 s rather than 10,
// so a cluster that shrinks or idles does not hold its peak (B4s' peak RSS at 100 / 300
// nodes: 131 / 241 -> 95 / 184 MiB, pods/s unchanged). MALLOC_CONF in the environment
// still overrides this.
extern "C" {
// The name and type are jemalloc's: it reads this string when it starts.
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}
