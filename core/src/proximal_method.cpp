// The ProxQP-family iteration: proximal method of multipliers outside, semismooth Newton
// with an exact line search inside, penalties driven by the BCL rule.
#include "proximal_method.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qplayer::detail {
namespace {

// Unscaled primal residual below which polishing is tried (see run()).
constexpr double kPolishPrimal = 1e-6;
// A collapsed Newton step raises ρ only when its direction is at least this long relative to
// 1 + ‖x‖∞ (see the inner loop of run()).
constexpr double kLongDirection = 0.1;
// Accepted outer steps whose dual residual falls by less than 1 − kDriftRatio while the
// proximal term carries it: after kDriftSteps of them ρ shrinks (see run()).
constexpr double kDriftRatio = 0.9;
constexpr int kDriftSteps = 3;
}  // namespace

double ProximalMethod::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProximalMethod::evaluate_point() {
  Workspace& w = w_;
  kkt_.multiply_H(w.x, w.Hx);
  kkt_.multiply_A(w.x, w.Ax);
  kkt_.multiply_C(w.x, w.Cx);
  // Active set of the subproblem: rows whose shifted value Cx + μ·ze leaves [l, u].
  w.w = w.Cx + mu_in_ * w.ze;
  for (int i = 0; i < w.n_in; ++i) w.active[i] = w.w[i] > s_->u[i] || w.w[i] < s_->l[i];
  kkt_.multiply_At(w.y, w.Aty);
  kkt_.multiply_Ct(w.z, w.Ctz);
  w.grad = w.Hx + s_->g + w.Aty + w.Ctz;  // dual residual of the QP itself (scaled)
}

double ProximalMethod::inner_residual() {
  Workspace& w = w_;
  // Residual of the subproblem's optimality system F(x, y, z) = 0.
  double err = (w.grad + rho_ * (w.x - w.xe)).lpNorm<Eigen::Infinity>();
  for (int i = 0; i < w.n_eq; ++i)
    err = std::max(err, std::abs(w.Ax[i] - s_->b[i] + mu_eq_ * (w.ye[i] - w.y[i])));
  for (int i = 0; i < w.n_in; ++i) {
    double r;
    if (w.w[i] > s_->u[i])
      r = w.Cx[i] - s_->u[i] + mu_in_ * (w.ze[i] - w.z[i]);
    else if (w.w[i] < s_->l[i])
      r = w.Cx[i] - s_->l[i] + mu_in_ * (w.ze[i] - w.z[i]);
    else
      r = mu_in_ * w.z[i];
    err = std::max(err, std::abs(r));
  }
  return err;
}

double ProximalMethod::newton_step() {
  Workspace& w = w_;
  const int n = w.n, n_eq = w.n_eq, n_in = w.n_in;
  // Primal-dual semismooth Newton system (method.md §2). y and z are unknowns of their own,
  // never recomputed from x: (Ax − b)/μ would amplify round-off by 1/μ.
  for (int i = 0; i < n_in; ++i) w.tmp_in[i] = w.active[i] ? 0.0 : w.z[i];
  kkt_.multiply_Ct(w.tmp_in, w.tmp_n);  // C_Iᵀ z_I, removed from the first block
  w.rhs.head(n) = -(w.grad + rho_ * (w.x - w.xe) - w.tmp_n);
  w.rhs.segment(n, n_eq) = -(w.Ax - s_->b + mu_eq_ * (w.ye - w.y));
  for (int i = 0; i < n_in; ++i) {
    double r;
    if (w.w[i] > s_->u[i])
      r = -(w.Cx[i] - s_->u[i] + mu_in_ * (w.ze[i] - w.z[i]));
    else if (w.w[i] < s_->l[i])
      r = -(w.Cx[i] - s_->l[i] + mu_in_ * (w.ze[i] - w.z[i]));
    else
      r = mu_in_ * w.z[i];  // gives dz_i = −z_i on an inactive row
    w.rhs[n + n_eq + i] = r;
  }
  kkt_.solve(w.rhs, w.sol);
  w.dx = w.sol.head(n);
  kkt_.multiply_H(w.dx, w.Hdx);
  kkt_.multiply_A(w.dx, w.Adx);
  kkt_.multiply_C(w.dx, w.Cdx);
  // dx is also the Newton direction of the primal merit φ(x) (eliminating dy, dz gives
  // ∇²φ dx = −∇φ), so the step length minimizes φ exactly along dx.
  double a0 = w.dx.dot(w.Hx + s_->g + rho_ * (w.x - w.xe)) + w.Adx.dot(w.ye);
  for (int i = 0; i < n_eq; ++i) a0 += w.Adx[i] * (w.Ax[i] - s_->b[i]) / mu_eq_;
  const double a1 = w.dx.dot(w.Hdx) + rho_ * w.dx.squaredNorm() + w.Adx.squaredNorm() / mu_eq_;
  if (!std::isfinite(a0) || !std::isfinite(a1)) return -1.0;  // overflow: no step exists
  // dx = 0 leaves the primal merit flat: the full step then only moves the multipliers,
  // which is exactly what an infeasible problem needs for its certificate to grow.
  const double alpha =
      a1 > 0 ? w.line_search.minimize(a0, a1, mu_in_, w.w, w.Cdx, s_->l, s_->u) : 1.0;
  // α = 0 means the slope along dx came out non-negative, which the line search only sees
  // from round-off amplified by 1/μ: x is already the merit's minimizer to working
  // precision. The multipliers must still move to their values at that x (the full step
  // gives y + dy = ye + (Ax − b + A·dx)/μ): without this, with μ at its floor on an
  // infeasible problem, y and z froze and the certificate (their growth) never appeared.
  // Only with the penalties at their floors: earlier, a zero step is better left to the
  // outer loop (forcing the dual step there stalled QSCAGR25's gap at 2.5e-8).
  const double alpha_dual = alpha > 0 || !penalties_at_floors(1.0) ? alpha : 1.0;
  last_alpha_ = alpha;
  last_dx_norm_ = w.dx.lpNorm<Eigen::Infinity>();
  w.x += alpha * w.dx;
  w.y += alpha_dual * w.sol.segment(n, n_eq);
  w.z += alpha_dual * w.sol.tail(n_in);
  return alpha * w.dx.lpNorm<Eigen::Infinity>();
}

void ProximalMethod::run(Info& info, Result& result) {
  Workspace& w = w_;
  const Settings& st = settings_;
  start_ = std::chrono::steady_clock::now();
  rho_ = rho_base_ = st.rho;
  rho_floor_ = st.rho_min;
  convexity_rho_ = 0.0;
  closest_ = false;
  mu_eq_ = st.mu_eq;
  mu_in_ = st.mu_in;
  mu_floor_eq_ = st.mu_min_eq;
  mu_floor_in_ = st.mu_min_in;
  crawl_steps_ = 0;
  last_primal_ = 0.0;
  last_dual_ = 0.0;
  drift_steps_ = 0;
  floors_locked_ = false;
  refactorize_ = true;
  may_reuse_factor_ = true;
  double eta_ext = st.bcl_eta_ext_init;
  double eta_in = 1.0;
  int inner_total = 0, outer = 0;
  int dual_inf_count = 0;
  // Polishing attempts back off exponentially: on a problem whose active set keeps
  // changing, they cost at most a logarithmic number of extra factorizations.
  // A run that starts with the penalties at their floors is a warm start from a converged
  // solve (mpc::Controller passes the previous penalties): its Newton steps start next to
  // the answer and reuse the held factorization, while a polishing attempt costs a
  // factorization of its own (MPC hard, N = 10: 41 % of a warm step). The first attempt
  // waits two outer steps there: such a run converges in its third outer step on its own
  // (MPC hard, N = 10: 2.8 Newton steps), and an attempt after the second, which polishing
  // usually turns into the answer, still costs its factorization and 2–4 refinement
  // passes in long double, more than the Newton step it saves.
  constexpr int kWarmPolishDelay = 2;
  int next_polish = penalties_at_floors(kNearFloor) ? kWarmPolishDelay : 0, polish_interval = 1;
  w.polished.assign(w.n_in, 2);
  Status status = Status::MaxIterReached;

  for (; outer < st.max_outer_iter; ++outer) {
    w.xe = w.x;
    w.ye = w.y;
    w.ze = w.z;
    bool stalled = false;
    bool finished = false;
    bool certified = false;  // primal infeasibility proven within the subproblem
    // Penalties at their floors, exactly: 0.1·1e-7 rounds one ulp above a 1e-8 floor, which
    // costs infeasibility detection one more rejected subproblem, but a relative slack here
    // accepts centres one subproblem earlier on feasible problems and stalled QSCAGR25's
    // gap at 2.5e-8 (dense subset, 1e-9).
    const bool at_floor = penalties_at_floors(1.0);
    // Near the floors (the exact test above would wait for one more rejected subproblem)
    // the inner tolerance stops at the multipliers' round-off (below).
    const bool near_floors = !closest_ && penalties_at_floors(kNearFloor);
    int steps = 0;
    // Inner loop: semismooth Newton on the subproblem centred at (xe, ye, ze).
    for (;;) {
      evaluate_point();
      if (!w.x.allFinite() || !w.grad.allFinite()) {
        status = Status::NumericalError;
        finished = true;
        break;
      }
      const Check check = closest_ ? check_closest_feasible() : check_convergence();
      if (check != Check::Continue) {
        const Status solved = closest_ ? Status::SolvedClosestFeasible : Status::Solved;
        status = check == Check::Converged ? solved : Status::NumericalError;
        finished = true;
        break;
      }
      if (inner_total >= st.max_iter) {
        status = Status::MaxIterReached;
        finished = true;
        break;
      }
      if (elapsed() > st.time_limit) {
        status = Status::TimeLimitReached;
        finished = true;
        break;
      }
      const double err_in = inner_residual();
      // At least one Newton step per subproblem: with a centre that already meets the
      // inner tolerance (scaled units can hide an unscaled residual) the outer loop would
      // otherwise spin without moving.
      // With the penalties spent, the multipliers of an infeasible problem grow like
      // violation/μ and the subproblem's residual cannot drop below the round-off of
      // Aᵀy + Cᵀz: Newton steps past that chase noise (50 per subproblem, 90 % of a
      // detection's work). The closest-feasible phase has the same floor in its tolerance.
      const double tol_in = near_floors ? std::max(eta_in, multiplier_noise()) : eta_in;
      if ((err_in <= tol_in && steps > 0) || stalled || steps >= st.max_inner_iter) break;
      if (!prepare_factorization(status)) {
        finished = true;
        break;
      }
      const double step = newton_step();
      if (step < 0) {
        status = Status::NumericalError;
        finished = true;
        break;
      }
      ++inner_total;
      ++steps;
      // A collapsed step (α ≪ 1) means the direction runs far along directions the proximal
      // term barely curves (H ≈ 0 on the rows the step frees, ρ = 1e-6: |dx| ~ 1e5 on
      // QSHIP12L) and the exact line search stops at the first breakpoints: 50 steps per
      // subproblem. A larger ρ shortens the direction to what the active set supports;
      // it decays back after the subproblem (below).
      // Noise-level steps near a solution are short too: only a direction longer than a
      // tenth of the iterate counts (QSCAGR25 and QGROW15 broke without this test).
      const double x_size = 1.0 + w.x.lpNorm<Eigen::Infinity>();
      const bool long_direction = last_dx_norm_ > kLongDirection * x_size;
      // And only where H is flat along dx (curvature below rho_max): where H curves the
      // direction more than the largest ρ would, a raise cannot shorten it and only costs
      // refactorizations, one up and one per decaying outer step (random dense QPs with
      // H ⪰ 0.1·I, n = 100: 9.5 factorizations per solve, 4 without those raises).
      // Except once a crawl has lowered the floors: there the raises help although the
      // curvature is 0.64 (LISWET8: max_iter without them, 8 s with them; not understood,
      // see benchmarks/README.md).
      // (The O(n) curvature only once the cheap conditions hold.)
      const bool collapsed = last_alpha_ < st.short_step && long_direction && rho_ < st.rho_max;
      const bool crawl_lowered = mu_floor_in_ < st.mu_min_in;
      if (collapsed && (crawl_lowered || w.dx.dot(w.Hdx) < st.rho_max * w.dx.squaredNorm())) {
        rho_ = std::min(rho_ / st.rho_update_factor, st.rho_max);
        refactorize_ = true;
      }
      stalled = step <= 1e-15 * x_size;
      // An infeasible problem's subproblems are the hardest of the run (the penalty term
      // pulls x towards a feasible set that does not exist, the active set churns: 20–50
      // Newton steps each at n = 10,000), yet the multiplier step is a certificate after a
      // few: stop there. The test is a proof (primal_infeasible()), so it needs no
      // confirmation by a second subproblem; a feasible problem cannot pass it unless its
      // feasible points all lie 1/eps_primal_inf times further out than the iterate.
      if (!closest_ && primal_infeasible()) {
        certified = true;
        break;
      }
    }
    if (finished) break;

    // Infeasibility. The primal certificate was tested after every Newton step above, the
    // last one included. The closest-feasible phase knows the problem is infeasible and
    // grows its multipliers on purpose; only unboundedness is still watched for there.
    const bool penalties_spent = at_floor;
    dual_inf_count = dual_infeasible() ? dual_inf_count + 1 : 0;
    if (certified) {
      info.infeasibility_test = "primal_farkas";
      info.infeasibility_radius = last_infeasibility_radius_;
      if (!st.closest_feasible) {
        status = Status::PrimalInfeasible;
        break;
      }
      // The certificate is kept with the closest-feasible answer: it proves why shifts
      // were needed.
      store_certificates(result, Status::PrimalInfeasible);
      begin_closest_feasible();
      eta_in = closest_inner_tolerance();
      continue;
    }
    if (dual_inf_count >= 2) {
      info.infeasibility_test = "dual_ray";
      status = Status::DualInfeasible;
      break;
    }

    // BCL: accept the multipliers if the primal residual met the target, else keep the old
    // ones and tighten the penalties.
    double primal = 0.0;
    for (int i = 0; i < w.n_eq; ++i)
      primal = std::max(primal, std::abs(w.Ax[i] - s_->b[i]) / s_->e[i]);
    for (int i = 0; i < w.n_in; ++i)
      primal = std::max(primal, std::max(w.Cx[i] - s_->u[i], s_->l[i] - w.Cx[i]) / s_->f[i]);
    // With the penalties at their floor a rejection could change nothing but the
    // multipliers, and resetting those would stall the dual progress: accept then.
    // The closest-feasible phase accepts every centre: its multipliers must keep growing
    // by shift/μ (method.md §3) with μ fixed.
    const bool accept = closest_ || primal <= eta_ext || penalties_spent;
    if (accept) {
      // The target never drops below the final tolerance: past it every step would be
      // rejected for round-off. (The closest-feasible phase keeps its own inner tolerance.)
      eta_ext = std::max(eta_ext * std::pow(mu_in_, st.bcl_beta), 0.1 * st.eps_abs);
      eta_in = closest_ ? closest_inner_tolerance() : std::max(eta_in * mu_in_, st.eps_inner_min);
      // A subproblem solved by one Newton step means the active set has settled and only
      // the proximal term slows the outer convergence (rate ρ/(ρ + curvature)): shrink ρ.
      // Likewise when the proximal term is what holds the dual residual up: x then travels
      // ‖grad‖/ρ per outer step along a direction the QP barely curves, and the residual
      // barely falls (QSHARE1B at 1e-3: 1.3e-4 scaled for 2000 outer steps at ρ = 1e-6;
      // solved in 119 at ρ = 1e-7).
      const double dual_now = w.grad.lpNorm<Eigen::Infinity>();
      // (Only on subproblems solved to their tolerance, at the schedule's own ρ: a ρ raised
      // for collapsed steps, or a subproblem cut at max_inner_iter, is a different story
      // (QPILOTNO lost its solution to drift shrinks there).)
      const bool drifting = !closest_ && rho_ == rho_base_ && steps < st.max_inner_iter &&
                            dual_now > kDriftRatio * last_dual_ &&
                            rho_ * (w.x - w.xe).lpNorm<Eigen::Infinity>() >= 0.5 * dual_now;
      drift_steps_ = drifting ? drift_steps_ + 1 : 0;
      last_dual_ = dual_now;
      if ((steps == 1 || drift_steps_ >= kDriftSteps) && rho_base_ > rho_floor_) {
        if (st.verbose && steps != 1) std::printf("drift      rho %.1e -> smaller\n", rho_base_);
        rho_base_ = std::max(rho_base_ * st.rho_update_factor, rho_floor_);
        drift_steps_ = 0;
      }
    }
    // A ρ raised for short steps decays back to the schedule's value, one factor per outer
    // step, so it cannot slow the outer convergence (rate ρ/(ρ + curvature)) for long.
    const double next_rho = std::max(rho_ * st.rho_update_factor, rho_base_);
    if (next_rho != rho_) {
      rho_ = next_rho;
      refactorize_ = true;
    }
    if (!accept) {
      w.y = w.ye;
      w.z = w.ze;
      decrease_penalties();
      eta_ext = st.bcl_eta_ext_init * std::pow(mu_in_, st.bcl_alpha);
      eta_in = std::max(mu_in_, st.eps_inner_min);
    }
    lower_floors_if_crawling(accept, primal);
    if (st.verbose)
      std::printf(
          "outer %4d  inner %5d  primal %.3e  dual(scaled) %.3e  rho %.1e  mu_eq %.1e  "
          "mu_in %.1e  %s  t %.3fs\n",
          outer, inner_total, primal, w.grad.lpNorm<Eigen::Infinity>(), rho_, mu_eq_, mu_in_,
          accept ? "accept" : "reject", elapsed());
    // Polish once the active set has had time to settle: the penalties at their floors
    // (kNearFloor), or the primal residual already at the tolerance with penalties the BCL
    // rule no longer lowers (LASER: μ stays at 1e-5 while the gap stalls at 1.8e-9). Only
    // after an accepted subproblem; the closest-feasible phase has its own stopping test.
    const bool near_floor = penalties_at_floors(kNearFloor);
    // And only near a solution: far from it the active set is a poor guess and the
    // attempt costs factorizations for nothing (QSHIP04L at primal 1).
    const bool settled =
        (near_floor || primal <= st.eps_abs) && primal <= std::max(kPolishPrimal, 1e3 * st.eps_abs);
    if (st.polish && !closest_ && settled && accept && outer >= next_polish &&
        w.active != w.polished) {
      if (polish() == Check::Converged) {
        status = Status::Solved;
        break;
      }
      next_polish = outer + polish_interval;
      polish_interval *= 2;
    }
  }

  info.status = status;
  info.outer_iterations = outer + (outer < st.max_outer_iter ? 1 : 0);
  info.inner_iterations = inner_total;
  info.rho = rho_;
  info.mu_eq = mu_eq_;
  info.mu_in = mu_in_;
  info.convexity_rho = convexity_rho_;
  store_certificates(result, status);
}

}  // namespace qplayer::detail
