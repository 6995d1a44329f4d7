// Ruiz equilibration: diagonal scalings that bring every row and column of the KKT
// matrix to unit infinity norm, plus a cost scaling; and the maps back to user units.
#pragma once

#include "qplayer/problem.hpp"

namespace qplayer {

/// Scaled problem: H~ = c D H D, g~ = c D g, A~ = E A D, b~ = E b, C~ = F C D, l~/u~ = F l/u.
/// Box bounds become rows of C~: when the problem has a box, one row per variable is
/// appended (rows with both bounds infinite never activate), so that changing a bound
/// between finite and infinite keeps the KKT pattern.
/// Unscaling: x = D x~, y = E y~ / c, z = F z~ / c.
struct RuizScaling {
  Vector d;                  ///< column scaling (n)
  Vector e;                  ///< equality-row scaling (n_eq)
  Vector f;                  ///< inequality-row scaling (n_in + box rows)
  double c = 1.0;            ///< cost scaling
  bool cost_scaled = false;  ///< c was computed (compute() with iterations > 0), not fixed at 1

  int n_box = 0;  ///< box rows appended to C (0 or n)

  // Scaled data (C and l/u include the box rows).
  SparseMatrix H, A, C;
  Vector g, b, l, u;

  /// Computes the scaling with `iterations` sweeps and fills the scaled data. Depends on
  /// the matrices and g only, so the same problem always gives the same scaling.
  void compute(const Problem& problem, int iterations);

  /// Rescales b, l, u (and the box rows' bounds) of `problem` with the factors already
  /// computed: a bounds-only update keeps the matrices and so the equilibration.
  /// Allocation-free.
  void rescale_bounds(const Problem& problem);

  /// Rescales g of `problem` with d, e, f already computed (they depend on the matrices
  /// only) and recomputes the cost factor c exactly as the last compute() would have (with
  /// its number of sweeps). Returns true when c changed; H was then rescaled in place by the
  /// ratio of two powers of two (exact), and the KKT values must be refreshed.
  /// Allocation-free: a new linear term (an MPC reference) is a vector update, not a new
  /// equilibration.
  bool rescale_cost(const Problem& problem);

 private:
  Vector sweep_d_, sweep_e_, sweep_f_;  // compute(): one sweep's norms, kept between calls
};

}  // namespace qplayer
