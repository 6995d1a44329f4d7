// Receding-horizon control: one qplayer::Solver set up once for the horizon's QP, then per
// step a new initial state (and references), a vector-only update of b and g, and a solve
// warm-started from the previous plan shifted by one stage.
//
// Per step nothing is re-analysed: with the references unchanged only b moves, which
// Solver::update_vectors applies with the equilibration already computed, leaving the KKT
// values and the factorization valid; the warm-started solve then starts from the held
// factorization (moved to the new active set by row updates, or refactorized when that is
// cheaper). A new reference changes g and costs one rescaling and factorization.
#pragma once

#include "qplayer/mpc/layout.hpp"
#include "qplayer/mpc/problem.hpp"
#include "qplayer/mpc/trajectory.hpp"
#include "qplayer/settings.hpp"
#include "qplayer/solver.hpp"

namespace qplayer::mpc {

class Controller {
 public:
  /// Builds the QP and the solver (ordering and symbolic analysis happen here, once).
  explicit Controller(MpcProblem problem, Settings settings = Settings());

  /// Solves for the initial state `x_init`. The first call, and any call after a failed
  /// solve, starts cold; the others start from the previous plan shifted by one stage
  /// (shifted_warm_start). Returns the plan; status and counters are in result().info.
  const Trajectory& step(const Vector& x_init);
  /// The same, always from the solver's cold start (for comparisons).
  const Trajectory& solve_cold(const Vector& x_init);

  /// Tracking references, the same for every stage: the costs become ½(x−x_ref)ᵀQ(x−x_ref) +
  /// ½(u−u_ref)ᵀR(u−u_ref) + (u−u_ref)ᵀS(x−x_ref) plus the linear terms given in the problem
  /// (terminal: ½(x−x_ref)ᵀQ_N(x−x_ref)). Empty u_ref means zero. Takes effect at the next step.
  void set_reference(const Vector& x_ref, const Vector& u_ref = Vector());

  /// New matrices for LTV use (same dimensions; nonzeros within the patterns of the setup's
  /// blocks, new zeros allowed: Solver::update, no new analysis, no allocation). Throws
  /// InvalidProblem, keeping the previous data, otherwise. The next step still warm-starts
  /// from the shifted plan.
  void update_problem(const MpcProblem& problem);

  /// The first input of the current plan (what a controller applies).
  const Vector& input() const { return plan_.u.front(); }
  const Trajectory& plan() const { return plan_; }
  const Result& result() const { return solver_.result(); }
  const MpcProblem& problem() const { return problem_; }
  const Layout& layout() const { return layout_; }
  Solver& solver() { return solver_; }

 private:
  const Trajectory& solve(const Vector& x_init, bool warm);
  // g := the QP's linear term for `problem` with the current references.
  void reference_gradient(const MpcProblem& problem, Vector& g) const;

  MpcProblem problem_;
  Layout layout_;
  Solver solver_;
  Trajectory plan_;
  bool have_plan_ = false;
  Vector x_ref_, u_ref_;  // empty: no reference
  // Per-step buffers, sized once: the QP's g and b, and the shifted warm start.
  Vector g_, b_, x0_, y0_, z0_, z_box0_;
  // update_problem(): the QP, written in place.
  Problem qp_;
};

}  // namespace qplayer::mpc
