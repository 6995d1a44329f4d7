// The value types of the derivative engine: what a backward pass returns (Gradients), what a
// forward pass takes (Perturbation) and returns (Tangent), and the knobs of both (Options).
// Everything is in the user's units: the engine hides the Ruiz scaling the solver works in.
#pragma once

#include "qplayer/problem.hpp"

namespace qplayer::derivatives {

/// Knobs of the KKT solve shared by backward() and forward().
struct Options {
  /// Target of the linear solve: ‖r − K w‖₂ ≤ tolerance·‖r‖₂ in the equilibrated space.
  double tolerance = 1e-8;
  /// Krylov iterations in total, and per restart cycle (memory: restart vectors of size N).
  int max_iterations = 200;
  int restart = 40;
  /// A row counts as active when its multiplier exceeds activity_tolerance·(1 + ‖z‖∞) or its
  /// slack to a bound is below activity_tolerance·(1 + |bound|). Negative: 100·eps_abs of the
  /// solver's settings (the accuracy the solution was computed to).
  double activity_tolerance = -1.0;
};

/// How the KKT solve behind one backward/forward call went (diagnostics, never an error).
struct SolveReport {
  int iterations = 0;              ///< Krylov iterations (preconditioner applications - 1)
  double relative_residual = 0.0;  ///< final ‖r − K w‖₂ / ‖r‖₂, equilibrated space
  bool converged = false;          ///< relative_residual ≤ Options::tolerance
  int active_rows = 0;             ///< |J|, user inequality and box rows together
  int weakly_active_rows = 0;  ///< rows of J at their bound with a (numerically) zero multiplier
  int preconditioner_mismatch = 0;  ///< rows where J differs from the factorization's active set
};

/// ∂L/∂(problem data) for a loss L(x, y, z, z_box) of the solution. dH, dA, dC have exactly the
/// sparsity pattern of the problem's H, A, C (the gradient restricted to the entries that exist).
/// dH is the symmetric gradient ½(w xᵀ + x wᵀ): moving the pair H_ij = H_ji by t changes L by
/// t·(dH_ij + dH_ji). dlb/dub are empty when the problem has no box. Derivatives with respect
/// to an infinite bound are 0.
struct Gradients {
  SparseMatrix dH, dA, dC;
  Vector dg, db, dl, du, dlb, dub;
  SolveReport report;
};

/// ∂L/∂(solution) for backward(): dx is required, every other field may be empty (= zero).
/// The shift fields are for a closest-feasible solution (Status::SolvedClosestFeasible): the
/// loss on Result::shift_eq, shift_in, shift_box (e.g. a term pushing a learned model towards
/// feasibility); for a solved (feasible) QP they are ignored, its shifts being identically
/// zero. dy, dz, dz_box must be empty (or zero) for a closest-feasible solution: its
/// multipliers are not unique (any multiple of the shift can be added), so no loss can
/// depend on them.
struct Cotangent {
  Vector dx, dy, dz, dz_box;
  Vector dshift_eq, dshift_in, dshift_box;
};

/// A direction in data space for forward(). Empty fields mean zero. dH, dA, dC may have any
/// pattern (dimensions must match); dH must be symmetric (both triangles stored).
struct Perturbation {
  SparseMatrix dH, dA, dC;
  Vector dg, db, dl, du, dlb, dub;
};

/// The directional derivative of the solution map: (dx, dy, dz, dz_box), user units. For a
/// closest-feasible solution also the shifts' (dshift_*, zero on rows whose shift is locally
/// zero); its dy, dz, dz_box are then one derivative of the drift-free multipliers among many
/// (see Cotangent) and are left empty.
struct Tangent {
  Vector dx, dy, dz, dz_box;
  Vector dshift_eq, dshift_in, dshift_box;
  SolveReport report;
};

/// ⟨G, P⟩ = Σ G_ij P_ij over all matrix entries plus the vector dot products: the pairing under
/// which ⟨v, J p⟩ = ⟨Jᵀv, p⟩ holds between forward() and backward().
double inner_product(const Gradients& gradients, const Perturbation& perturbation);

}  // namespace qplayer::derivatives
