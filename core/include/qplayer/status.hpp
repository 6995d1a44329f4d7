// Solver outcome codes and their stable string names (used by the CLI and JSON output).
// Every status is an honest statement about the returned point; nothing is "solved" unless checked.
#pragma once

#include <string>

namespace qplayer {

enum class Status {
  Solved,            ///< primal, dual residual (and gap when asked) below tolerance
  MaxIterReached,    ///< iteration budget exhausted before convergence
  TimeLimitReached,  ///< Settings::time_limit exceeded
  PrimalInfeasible,  ///< a certificate (y, z) proves Ax = b, l <= Cx <= u, lb <= x <= ub empty
  DualInfeasible,    ///< a certificate dx proves the objective unbounded below
  NonConvex,         ///< inertia shows H not PSD, beyond Settings::convexity_tolerance·‖H‖∞
  NumericalError,    ///< factorization failed or iterates became non-finite
  NotRun,            ///< solve() has not been called yet
  /// Settings::closest_feasible only: the constraints are infeasible (detected as for
  /// PrimalInfeasible) and the returned point solves the closest feasible QP, i.e. the QP
  /// with the smallest ℓ2 shifts (Result::shift_*) of b, [l, u], [lb, ub] that make it
  /// feasible; its residuals are those of that shifted QP.
  SolvedClosestFeasible,
};

/// Stable lower-case identifier: solved, max_iter, time_limit, primal_infeasible,
/// dual_infeasible, non_convex, numerical_error, not_run,
/// closest_feasible.
const char* to_string(Status status);

}  // namespace qplayer
