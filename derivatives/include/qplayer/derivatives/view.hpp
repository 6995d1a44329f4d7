// A View is the derivative engine's handle on one solve: it pins the solver's final
// factorization (by epoch) and the solution it produced, finds the active set at that
// solution once, and refuses to be used after the solver has moved on.
#pragma once

#include "qplayer/derivatives/gradients.hpp"
#include "qplayer/solver.hpp"

#include <cstdint>
#include <memory>

namespace qplayer::derivatives {

namespace detail {
class ActiveKkt;
struct ClosestPoint;
}  // namespace detail

/// Make it right after solve(). Holds a pointer to the solver: the solver must outlive the view
/// and must not be moved. Using the view after the solver was solved again, updated, or
/// refactorized throws std::logic_error (a derivative of a different solution would otherwise
/// come back silently). Not thread-safe: it keeps scratch buffers; one view per thread.
class View {
 public:
  /// Throws std::logic_error unless solver.result().info.status is Status::Solved or
  /// Status::SolvedClosestFeasible (then the derivatives are those of the closest feasible
  /// QP's solution and of its shifts, method.md §4).
  explicit View(const Solver& solver, const Options& options = Options());
  ~View();
  View(View&&) noexcept;
  View& operator=(View&&) noexcept;
  View(const View&) = delete;
  View& operator=(const View&) = delete;

  const Solver& solver() const { return *solver_; }
  const Options& options() const { return options_; }
  /// True for a closest-feasible solution (the shifts are part of the solution map).
  bool closest_feasible() const { return closest_ != nullptr; }

  /// False once the solver's factorization, result or data differ from those at construction.
  bool is_current() const;
  /// Throws std::logic_error with an explanation when !is_current().
  void check_current() const;

  /// The engine (internal; used by backward() and forward()).
  detail::ActiveKkt& engine() const { return *engine_; }
  /// The closest-feasible linearization point (internal; null unless closest_feasible()).
  const detail::ClosestPoint* closest() const { return closest_.get(); }

 private:
  const Solver* solver_;
  Options options_;
  std::uint64_t epoch_ = 0;
  int factorizations_ = 0;
  int rank_updates_ = 0;
  std::uint64_t data_version_ = 0;  // Solver::data_version() at construction
  Status status_ = Status::NotRun;
  std::unique_ptr<detail::ClosestPoint> closest_;
  std::unique_ptr<detail::ActiveKkt> engine_;
};

/// ∂L/∂data from a Cotangent (∂L/∂x, optional ∂L/∂y, ∂L/∂z, ∂L/∂z_box for a solved QP, or
/// optional ∂L/∂shift_* for a closest-feasible one). The closest-feasible case solves the
/// extended system of method.md §4 by block elimination onto the same final factorization:
/// two least-squares solves with the active KKT matrix (report: iterations of both, the worse
/// residual). Directions that change the rank of the violated rows (where the closest-feasible
/// map jumps) get one element of the least-squares answer. (A closest-feasible View also spends
/// one KKT solve at construction, making the drift-free multipliers exactly stationary.)
Gradients backward(const View& view, const Cotangent& dl);
/// Same, written into `out`: when out's dH, dA, dC already have the problem's patterns (a
/// Gradients reused across calls, e.g. in a training loop) they are overwritten in place, so
/// a call allocates nothing of size nnz (at n = 10⁴ fresh memory costs page faults worth
/// several triangular solves).
void backward(const View& view, const Cotangent& dl, Gradients& out);

/// ∂L/∂data from ∂L/∂x and optionally ∂L/∂y, ∂L/∂z, ∂L/∂z_box (empty = zero), in user units.
/// Reads the solver's factorization through the view; never refactorizes.
///
/// Active set J (decided once, in the View): a row is in J when |z_i| > tol·(1 + ‖z‖∞) (side =
/// sign of z_i) or when it sits at a finite bound within tol·(1 + |bound|) (weakly active:
/// held at that bound, the one-sided derivative of the problem with the row as an equality).
/// Outside J, z_i is locally constant zero: ∂L/∂z_i there does not propagate and the row's
/// data gets zero gradient. For a row with l_i = u_i the gradient goes to the side z_i acts on.
/// Dependent active constraints (rank-deficient A, LICQ failure) give a Tikhonov-damped
/// least-squares answer: finite, with Gradients::report.converged false when the right-hand
/// side is not in the range of the KKT matrix (e.g. ∂L/∂y on duplicated equality rows).
Gradients backward(const View& view, const Vector& dl_dx, const Vector& dl_dy = Vector(),
                   const Vector& dl_dz = Vector(), const Vector& dl_dz_box = Vector());
/// Same, through a view made on the spot (Solved or SolvedClosestFeasible result).
Gradients backward(const Solver& solver, const Vector& dl_dx, const Vector& dl_dy = Vector(),
                   const Vector& dl_dz = Vector(), const Vector& dl_dz_box = Vector());

/// The Jacobian-vector product: the first-order change of (x, y, z, z_box) along `direction`.
Tangent forward(const View& view, const Perturbation& direction);
Tangent forward(const Solver& solver, const Perturbation& direction);

}  // namespace qplayer::derivatives
