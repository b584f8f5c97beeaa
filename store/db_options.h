// The RocksDB options the store opens its database with. Public so that a benchmark of raw
// RocksDB writes (B7) compares against the very same database settings.
#pragma once

#include <rocksdb/options.h>

namespace lpv::store {

rocksdb::Options DBOptions();

}  // namespace lpv::store
