#include "kubelet-fake/ticker.h"

#include <mutex>

namespace lpv::kubelet {

struct Ticker::State {
  Clock* clock;
  Duration period;
  std::function<void()> fn;
  // Held while the function runs, so Stop() waits for a tick in flight.
  std::mutex mu;
  bool stopped = false;
  TimerId timer = 0;
};

Ticker::Ticker(Clock* clock, Duration period, std::function<void()> fn)
    : state_(std::make_shared<State>()) {
  state_->clock = clock;
  state_->period = period;
  state_->fn = std::move(fn);
  std::lock_guard<std::mutex> l(state_->mu);
  Arm(state_);
}

Ticker::~Ticker() { Stop(); }

// Requires state->mu.
void Ticker::Arm(const std::shared_ptr<State>& state) {
  // The timer holds the state alive; a stopped ticker's last timer finds it stopped.
  state->timer = state->clock->AfterFunc(state->period, [state] {
    std::lock_guard<std::mutex> l(state->mu);
    if (state->stopped) return;
    Arm(state);
    state->fn();
  });
}

void Ticker::Stop() {
  std::lock_guard<std::mutex> l(state_->mu);
  if (state_->stopped) return;
  state_->stopped = true;
  state_->clock->CancelTimer(state_->timer);
}

}  // namespace lpv::kubelet
