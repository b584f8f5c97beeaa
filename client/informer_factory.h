// SharedInformerFactory, as client-go's: one informer per kind for every controller that
// asks, so a kind is listed, decoded, cached and watched once in the process however many
// controllers follow it (kube-controller-manager's controllers share one the same way).
//
// Controllers take a factory in their options; one without builds its own. Informers are
// made on first request and started by Start() or by whichever controller starts one
// first. Whoever owns the factory stops it before the controllers whose handlers it calls
// are destroyed: Stop() joins every informer thread, after which no handler runs. A
// component that may go away earlier removes its handlers (Informer::RemoveEventHandler).
// Handlers must not call Stop().
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "client/informer.h"

namespace lpv::client {

class SharedInformerFactory {
 public:
  SharedInformerFactory(Client* client, Clock* clock = nullptr);
  ~SharedInformerFactory();
  SharedInformerFactory(const SharedInformerFactory&) = delete;
  SharedInformerFactory& operator=(const SharedInformerFactory&) = delete;

  // The informer of every object of `kind` in every namespace; the same one each time.
  Informer* InformerFor(const api::KindInfo& kind);
  // Starts every informer made so far (each Start is idempotent).
  void Start();
  void Stop();
  // How many informers the factory has made: one per kind asked for.
  size_t size() const;

 private:
  Client* client_;
  Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Informer>> informers_;  // by kind name
  bool stopped_ = false;
};

// A controller's factory: `shared` when given, else a new one of its own, kept in `*own`
// (which the controller stops with itself).
SharedInformerFactory* SharedOrOwn(SharedInformerFactory* shared,
                                   std::unique_ptr<SharedInformerFactory>* own, Client* client,
                                   Clock* clock);

}  // namespace lpv::client
