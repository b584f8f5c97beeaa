// Selector parsing: `kubectl -l` label selectors, field selectors, and the node selector
// terms and label selectors inside objects (decoded from JSON, as in a manifest). The
// first byte picks which. A parsed selector prints as a string that parses back to the
// same selector, and matching never crashes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/codec.h"
#include "api/objects.pb.h"
#include "api/selectors.h"

namespace {

using namespace lpv::api;

const std::map<std::string, std::string>& Labels() {
  static const auto* labels = new std::map<std::string, std::string>{
      {"app", "web"}, {"kubernetes.io/hostname", "node-1"}, {"tier", "3"}, {"empty", ""}};
  return *labels;
}

void LabelText(std::string_view s) {
  auto sel = ParseSelector(s);
  if (!sel.ok()) return;
  (void)sel->Matches(Labels());
  (void)sel->RequiresExactMatch("app");
  std::string printed = sel->String();
  auto again = ParseSelector(printed);
  if (!again.ok() || again->String() != printed) {
    std::cerr << "label selector '" << s << "' printed as '" << printed
              << "': " << (again.ok() ? again->String() : again.status().ToString()) << "\n";
    std::abort();
  }
}

// The terms as a sorted list: Kubernetes sorts a field selector's raw terms before parsing,
// so "a==x,a=[y" and its printed form "a=x,a=[y" may list the same terms in another order.
std::vector<std::string> SortedTerms(const FieldSelector& sel) {
  std::vector<std::string> out;
  for (const auto& t : sel.terms()) out.push_back(t.field + (t.equals ? "=" : "!=") + t.value);
  std::sort(out.begin(), out.end());
  return out;
}

void FieldText(std::string_view s) {
  auto sel = ParseFieldSelector(s);
  if (!sel.ok()) return;
  (void)sel->Fields();
  (void)sel->RequiresExactMatch("metadata.name");
  (void)sel->Matches([](const std::string& f) -> std::optional<std::string> {
    if (f == "metadata.name") return "x";
    return std::nullopt;
  });
  std::string printed = sel->String();
  auto again = ParseFieldSelector(printed);
  if (!again.ok() || SortedTerms(*again) != SortedTerms(*sel)) {
    std::cerr << "field selector '" << s << "' printed as '" << printed << "': "
              << (again.ok() ? again->String() : again.status().ToString()) << "\n";
    std::abort();
  }
}

void NodeSelectorJson(std::string_view s) {
  NodeSelector ns;
  std::vector<std::string> warnings;
  if (!DecodeObject(s, &ns, &warnings).ok()) return;
  (void)NodeSelectorMatches(ns, Labels(), "node-1");
  (void)NodeSelectorMatches(ns, Labels(), "");
  for (const auto& term : ns.node_selector_terms())
    (void)NodeSelectorTermMatches(term, Labels(), "x");
}

void LabelSelectorJson(std::string_view s) {
  LabelSelector ls;
  std::vector<std::string> warnings;
  if (!DecodeObject(s, &ls, &warnings).ok()) return;
  auto sel = LabelSelectorAsSelector(ls);
  if (!sel.ok()) return;
  (void)sel->Matches(Labels());
  (void)sel->String();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view s(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      LabelText(s);
      break;
    case 1:
      FieldText(s);
      break;
    case 2:
      NodeSelectorJson(s);
      break;
    default:
      LabelSelectorJson(s);
      break;
  }
  return 0;
}
