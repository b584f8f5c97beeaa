// limit and continue for lists: a page of at most `limit` items in key order, and an
// opaque token (base64url of {"v","rv","start"}, as Kubernetes' etcd3 continue keys) that
// resumes after the last key returned.
//
// Unlike Kubernetes, which serves every page from the snapshot of the first, lpv lists the
// current state for each page (the store keeps no snapshots for lists): an object changed
// between pages may be missed or seen twice. Every page carries the first page's
// resourceVersion.
#pragma once

#include <string>

#include "api/scheme.h"
#include "apiserver/apiserver.h"

namespace lpv::rest {

struct Page {
  apiserver::ObjectList list;
  std::string continue_token;  // "" on the last page
  int64_t remaining = 0;       // items after this page (remainingItemCount)
};

// `limit` and `token` as the query gives them ("" = absent). A malformed token is
// BadRequest "continue key is not valid: ...".
Result<Page> Paginate(const api::KindInfo& kind, apiserver::ObjectList all,
                      const std::string& limit, const std::string& token);

}  // namespace lpv::rest
