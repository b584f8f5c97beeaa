#include "client/informer_factory.h"

namespace lpv::client {

SharedInformerFactory::SharedInformerFactory(Client* client, Clock* clock)
    : client_(client), clock_(clock ? clock : RealClock::Get()) {}

SharedInformerFactory::~SharedInformerFactory() { Stop(); }

Informer* SharedInformerFactory::InformerFor(const api::KindInfo& kind) {
  std::lock_guard<std::mutex> l(mu_);
  auto& slot = informers_[kind.kind];
  if (!slot) slot = std::make_unique<Informer>(client_, kind, "", ListOptions{}, clock_);
  return slot.get();
}

void SharedInformerFactory::Start() {
  std::lock_guard<std::mutex> l(mu_);
  if (stopped_) return;
  for (auto& [kind, informer] : informers_) informer->Start();
}

void SharedInformerFactory::Stop() {
  std::vector<Informer*> running;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopped_ = true;
    for (auto& [kind, informer] : informers_) running.push_back(informer.get());
  }
  // Not under mu_: a handler finishing meanwhile may still ask for an informer.
  for (Informer* informer : running) informer->Stop();
}

size_t SharedInformerFactory::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return informers_.size();
}

SharedInformerFactory* SharedOrOwn(SharedInformerFactory* shared,
                                   std::unique_ptr<SharedInformerFactory>* own, Client* client,
                                   Clock* clock) {
  if (shared) return shared;
  *own = std::make_unique<SharedInformerFactory>(client, clock);
  return own->get();
}

}  // namespace lpv::client
