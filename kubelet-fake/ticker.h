// Ticker: calls a function every period on a Clock, at a fixed rate, until stopped.
//
// Fixed rate (the next tick is armed before the function runs) so that a FakeClock::Step
// over several periods delivers every tick, as wall time would. The function must be
// short (enqueue work; the kubelet's heartbeat and the node monitor do exactly that).
//
// Thread-safety: Stop() may be called from any thread but the function's own; once it
// returns the function is not running and will not run again, so the function may
// capture its owner.
#pragma once

#include <functional>
#include <memory>

#include "api/clock.h"

namespace lpv::kubelet {

class Ticker {
 public:
  // Starts ticking: the first call is one `period` from now.
  Ticker(Clock* clock, Duration period, std::function<void()> fn);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void Stop();

 private:
  struct State;
  static void Arm(const std::shared_ptr<State>& state);
  std::shared_ptr<State> state_;
};

}  // namespace lpv::kubelet
