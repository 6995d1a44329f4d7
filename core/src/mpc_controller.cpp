// Receding-horizon steps on one Solver: only b (x_init) and g (references) change between
// steps, so the solver keeps its ordering and symbolic analysis for the whole run.
#include "qplayer/mpc/controller.hpp"

#include <algorithm>

namespace qplayer::mpc {

Controller::Controller(MpcProblem problem, Settings settings)
    : problem_(std::move(problem)),
      layout_(problem_),  // problem_ is validated by build_qp below before the solver sees it
      solver_(build_qp(problem_), settings) {
  plan_.resize(layout_);
  qp_ = solver_.problem();
  g_ = solver_.problem().g;
  b_ = solver_.problem().b;
  x0_.setZero(layout_.n());
  y0_.setZero(layout_.n_eq());
  z0_.setZero(layout_.n_in());
  z_box0_.setZero(layout_.n());
}

void Controller::set_reference(const Vector& x_ref, const Vector& u_ref) {
  if (x_ref.size() != layout_.nx())
    throw InvalidProblem("mpc: reference: x_ref has size " + std::to_string(x_ref.size()) +
                         ", expected " + std::to_string(layout_.nx()));
  if (u_ref.size() != 0 && u_ref.size() != layout_.nu())
    throw InvalidProblem("mpc: reference: u_ref has size " + std::to_string(u_ref.size()) +
                         ", expected " + std::to_string(layout_.nu()));
  if (!x_ref.allFinite() || !u_ref.allFinite())
    throw InvalidProblem("mpc: reference is not finite");
  x_ref_ = x_ref;
  if (u_ref.size())  // (not a conditional expression: that builds a temporary vector)
    u_ref_ = u_ref;
  else
    u_ref_.setZero(layout_.nu());
  reference_gradient(problem_, g_);
}

// Expanding ½(x−x_r)ᵀQ(x−x_r) + ½(u−u_r)ᵀR(u−u_r) + (u−u_r)ᵀS(x−x_r) gives the linear terms
// −Q x_r − Sᵀu_r on x and −R u_r − S x_r on u (the constant does not move the minimizer).
void Controller::reference_gradient(const MpcProblem& problem, Vector& g) const {
  build_g(problem, layout_, g);
  if (x_ref_.size() == 0) return;
  const int nx = layout_.nx(), nu = layout_.nu(), N = layout_.horizon();
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    auto gx = g.segment(layout_.x_offset(k), nx);
    auto gu = g.segment(layout_.u_offset(k), nu);
    if (s.Q.size()) gx.noalias() -= s.Q * x_ref_;
    if (s.R.size()) gu.noalias() -= s.R * u_ref_;
    if (s.S.size()) {
      gx.noalias() -= s.S.transpose() * u_ref_;
      gu.noalias() -= s.S * x_ref_;
    }
  }
  if (problem.terminal.Q.size())
    g.segment(layout_.x_offset(N), nx).noalias() -= problem.terminal.Q * x_ref_;
}

void Controller::update_problem(const MpcProblem& problem) {
  if (problem.nx != layout_.nx() || problem.nu != layout_.nu() ||
      problem.horizon() != layout_.horizon())
    throw InvalidProblem("mpc: update_problem: nx, nu or the horizon differ from the setup");
  problem.validate();
  int n_in = problem.terminal.n_con();
  for (const Stage& s : problem.stages) n_in += s.n_con();
  if (n_in != layout_.n_in())
    throw InvalidProblem("mpc: update_problem: the general constraints have other row counts");
  // The new QP is written into the QP's patterns in place (no allocation) and handed to the
  // solver before the controller's own data change, so a refusal leaves them as they were.
  // A nonzero outside the patterns takes the general path, where the solver refuses the new
  // pattern.
  if (!refill_qp(problem, layout_, qp_)) qp_ = build_qp(problem);
  reference_gradient(problem, qp_.g);
  try {
    solver_.update(qp_);  // throws if a sparsity pattern differs
  } catch (...) {
    qp_ = solver_.problem();  // the solver still holds the old data
    throw;
  }
  problem_ = problem;
  g_ = qp_.g;
  b_ = qp_.b;
}

const Trajectory& Controller::step(const Vector& x_init) { return solve(x_init, have_plan_); }

const Trajectory& Controller::solve_cold(const Vector& x_init) { return solve(x_init, false); }

const Trajectory& Controller::solve(const Vector& x_init, bool warm) {
  if (x_init.size() != layout_.nx() || !x_init.allFinite())
    throw InvalidProblem("mpc: x_init has size " + std::to_string(x_init.size()) + " (expected " +
                         std::to_string(layout_.nx()) + ") or is not finite");
  problem_.x_init = x_init;
  b_.segment(layout_.init_row(), layout_.nx()) = x_init;
  solver_.update_vectors(g_, b_);
  const Result* result;
  Settings& settings = solver_.settings();
  // The per-step changes below are undone on every exit, exceptions included.
  struct Restore {
    Settings& settings;
    const Settings user;
    ~Restore() { settings = user; }
  } restore{settings, settings};
  const Settings& user = restore.user;
  if (warm) {
    // A shifted plan is already close: starting the penalties at the user's (cold) values
    // would make the method walk μ down from 1e-1 again, about as many Newton steps as from
    // zero (measured: 9–10 instead of 1–2 at N = 10..300). Start them where the previous
    // solve ended instead, as ProxQP does on warm starts, and two BCL decreases lower: that
    // solve stopped as soon as its residuals met the tolerance, usually before the BCL had
    // lowered μ (a cold N = 10 solve ends at μ_in = 1e-3), and a warm step's first
    // subproblem leaves a primal residual of about μ·‖Δy‖: at the previous μ (3e-6 there)
    // it took a second outer step and a polishing factorization, 2 factorizations per step
    // for the first ten steps after a cold start where 0–1 suffice. mpc_bench, 40 steps,
    // warm/cold at the previous μ → two decreases lower: N = 10 hard 0.27 → 0.12, tracking at
    // N = 30–300 0.32–0.35 → 0.14–0.16, LTV 0.27–0.31 → 0.24–0.28; μ at the floors
    // directly measured the same as two decreases, one decrease in between.
    const Info& last = solver_.result().info;
    const double lower = user.mu_update_factor * user.mu_update_factor;
    settings.rho = std::max(last.rho, user.rho_min);
    settings.mu_eq = std::max(last.mu_eq * lower, user.mu_min_eq);
    settings.mu_in = std::max(last.mu_in * lower, user.mu_min_in);
    shifted_warm_start(layout_, plan_, x_init, x0_, y0_, z0_, z_box0_);
    result = &solver_.solve(x0_, y0_, z0_, z_box0_);
  } else {
    settings.initial_guess = InitialGuess::Cold;
    result = &solver_.solve();
  }
  extract(layout_, *result, plan_);
  // A failed solve leaves no plan worth shifting: the next step starts cold.
  const Status st = result->info.status;
  have_plan_ = st == Status::Solved || st == Status::SolvedClosestFeasible;
  return plan_;
}

}  // namespace qplayer::mpc
