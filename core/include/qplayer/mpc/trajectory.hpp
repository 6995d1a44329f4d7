// A QP solution read back in the problem's terms: states, inputs and multipliers per stage.
#pragma once

#include "qplayer/mpc/layout.hpp"
#include "qplayer/result.hpp"

#include <vector>

namespace qplayer::mpc {

/// Sign conventions are the solver's (Result): y multiplies the equality rows as written in
/// layout.hpp (+I on x_{k+1}), z > 0 on an active upper bound, z < 0 on an active lower bound.
struct Trajectory {
  std::vector<Vector> x;      ///< N + 1 states x_0..x_N
  std::vector<Vector> u;      ///< N inputs u_0..u_{N-1}
  Vector y_init;              ///< nx, multiplier of x_0 = x_init
  std::vector<Vector> y_dyn;  ///< N, multiplier of the dynamics x_{k+1} = A x_k + B u_k + c
  std::vector<Vector> z_con;  ///< N + 1, multipliers of the general rows (terminal last)
  std::vector<Vector> z_x;    ///< N + 1, multipliers of the state boxes
  std::vector<Vector> z_u;    ///< N, multipliers of the input boxes
  double objective = 0.0;     ///< QP objective at the solution

  /// Sizes every vector for `layout` (the only allocation; extract reuses them).
  void resize(const Layout& layout);
};

/// Copies the parts of `result` into `out`, which must have been resized for `layout`.
void extract(const Layout& layout, const Result& result, Trajectory& out);

/// Builds the shifted warm start of a receding-horizon step from the trajectory of the
/// previous step: stage k takes stage k+1's values, the last stage repeats its own, and x_0
/// is set to the new x_init. Writes into (x0, y0, z0, z_box0), sized n, n_eq, n_in, n.
void shifted_warm_start(const Layout& layout, const Trajectory& previous, const Vector& x_init,
                        Vector& x0, Vector& y0, Vector& z0, Vector& z_box0);

}  // namespace qplayer::mpc
