#include "scheduler/host_slots.h"

namespace lpv::scheduler {

HostSlots::Slot HostSlots::Intern(const std::string& hostname) {
  if (hostname.empty()) return kNone;
  std::lock_guard<std::mutex> l(mu_);
  return slots_.try_emplace(hostname, static_cast<Slot>(slots_.size())).first->second;
}

HostSlots::Slot HostSlots::Find(const std::string& hostname) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = slots_.find(hostname);
  return it == slots_.end() ? kNone : it->second;
}

}  // namespace lpv::scheduler
