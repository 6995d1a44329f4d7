// The oscillating-masses QPs the benchmark programs share (mpc_bench, derivatives_bench).
#pragma once

#include "qplayer/mpc/models.hpp"
#include "qplayer/mpc/problem.hpp"

#include <random>

namespace qplayer::bench {

/// nx values uniform in [−scale, scale], reproducible from the seed.
inline Vector random_state(int nx, double scale, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-scale, scale);
  Vector x(nx);
  for (int i = 0; i < nx; ++i) x(i) = dist(gen);
  return x;
}

// Easy: Riccati terminal cost, random initial state in [−1, 1] (only the first stages have
// active constraints). Hard: terminal cost Q, mass 0 displaced by 3.5 and moving at 1 (its
// free motion reaches |x| = 4.27 > 4), tracking a reference that displaces mass 0 by 1.
// (Displacing every mass instead makes the QP infeasible: the actuators push neighbours
// apart, so they cannot move the chain's centre of mass.)
struct Variant {
  bool hard = false;
  const char* name() const { return hard ? "hard" : "easy"; }
};

/// The model of `masses` masses over `horizon` stages in variant v; x_ref (if given) receives
/// the hard variant's reference state.
inline mpc::MpcProblem make(int masses, int horizon, Variant v, Vector* x_ref) {
  mpc::OscillatingMasses model;
  model.masses = masses;
  model.horizon = horizon;
  model.riccati_terminal = !v.hard;
  mpc::MpcProblem p = model.build();
  if (!v.hard) {
    p.x_init = random_state(p.nx, 1.0, 42);
    return p;
  }
  p.x_init.setZero();
  p.x_init(0) = 3.5;
  p.x_init(masses) = 1.0;
  Vector ref = Vector::Zero(p.nx);
  ref(0) = 1.0;
  for (mpc::Stage& s : p.stages) s.q = -s.Q * ref;
  p.terminal.q = -p.terminal.Q * ref;
  if (x_ref) *x_ref = ref;
  return p;
}

}  // namespace qplayer::bench
