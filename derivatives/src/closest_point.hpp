// What the derivative engine needs to know about a closest-feasible solution (method.md §3,
// §4): which rows form the least-squares level, which side each active row sits on, drift-free
// multipliers, and the scaling the solver's final factorization was computed in. Private.
#pragma once

#include "qplayer/solver.hpp"

#include <cstdint>
#include <vector>

namespace qplayer::derivatives::detail {

/// Rows are numbered [equality rows | C rows | box rows] (box rows only with a box), the order
/// of the solver's KKT system minus its x block.
///
/// The closest-feasible solution map, locally (strict complementarity, rank of the violated
/// rows stable under the perturbation): with M = the rows of the least-squares level (every
/// equality row, every inequality/box row with a nonzero shift) and C0 = the rows active at an
/// unshifted bound, s = Mx − β_M is the least-squares residual (Mᵀs = 0) and x minimizes
/// ½xᵀHx + gᵀx over {Mx = β_M + s, C0 x = β_0}. M is rank-deficient by construction (s ≠ 0
/// lies in the nullspace of Mᵀ), which is why the products need least-squares solves.
struct ClosestPoint {
  /// The closest-feasible phase refactorizes on a row-uniform scaling: every row factor of
  /// the solver's Ruiz scaling replaced by their geometric mean σ (core/src/closest_feasible.cpp,
  /// make_row_uniform_scaling). The KKT system holds those values at the end of the solve, so
  /// the engine must map user units with σ, not with Solver::scaling()'s e and f.
  double sigma = 1.0;
  Vector shift;       ///< per row, user units (Result::shift_eq, shift_in, shift_box)
  Vector multiplier;  ///< per row, the solver's multipliers minus their drift along shift
  std::vector<std::uint8_t> least_squares;  ///< per row: 1 for the rows of M
  /// Per [C; I] row: +1 upper side active (shifted or not), −1 lower, 0 inactive.
  std::vector<signed char> side;
  int weakly_active = 0;  ///< rows of C0 at their bound with a (numerically) zero multiplier
};

/// Reads the closest-feasible solution held by `solver` (status SolvedClosestFeasible).
/// `activity_tolerance` as in Options (negative: 100·eps_abs).
ClosestPoint make_closest_point(const Solver& solver, double activity_tolerance);

/// The row-uniform factor σ the closest-feasible phase scaled every row with, read from the
/// scaling the solver's KKT system holds (Solver::kkt_scaling()).
double row_uniform_factor(const Solver& solver);

}  // namespace qplayer::derivatives::detail
