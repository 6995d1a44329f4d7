// Iterative refinement of a KKT solve, shared by every KKT system: the factorization is the
// preconditioner, the operator is applied matrix-free from the problem's own data.
#pragma once

#include "qplayer/problem.hpp"

namespace qplayer {

struct RefinementOutcome {
  int steps = 0;          ///< corrections applied
  double residual = 0.0;  ///< final ‖rhs − K solution‖∞
};

/// solution ← K⁻¹ rhs: starts from apply_inverse(rhs), then corrects with apply_inverse of
/// the residual until ‖rhs − K solution‖∞ ≤ tol·(1 + ‖rhs‖∞), max_steps corrections, or a
/// step that does not reduce the residual (undone: the better iterate is kept).
/// apply_inverse(in, out) and apply_operator(in, out) must not alias in and out; residual
/// and correction are caller-owned buffers of the right size, so nothing is allocated.
template <class ApplyInverse, class ApplyOperator>
RefinementOutcome refine(const Vector& rhs, Vector& solution, Vector& residual, Vector& correction,
                         int max_steps, double tol, ApplyInverse&& apply_inverse,
                         ApplyOperator&& apply_operator) {
  auto inf_norm = [](const Vector& v) {
    return v.size() == 0 ? 0.0 : v.template lpNorm<Eigen::Infinity>();
  };
  apply_inverse(rhs, solution);
  const double target = tol * (1.0 + inf_norm(rhs));
  apply_operator(solution, residual);
  residual = rhs - residual;
  RefinementOutcome outcome;
  outcome.residual = inf_norm(residual);
  while (outcome.steps < max_steps && outcome.residual > target) {
    apply_inverse(residual, correction);
    solution += correction;
    apply_operator(solution, residual);
    residual = rhs - residual;
    const double next = inf_norm(residual);
    ++outcome.steps;
    if (!(next < outcome.residual)) {  // stagnation (or NaN): keep the better iterate
      solution -= correction;
      break;
    }
    outcome.residual = next;
  }
  return outcome;
}

}  // namespace qplayer
