// The closest-feasible phase of the proximal method (method.md §3), entered once primal
// infeasibility has been detected with Settings::closest_feasible set.
//
// Why it works. With μ fixed, the proximal method of multipliers is the proximal point
// method on the dual. On an infeasible problem the dual is unbounded above along the Farkas
// directions, and the iterates split in two: x_k converges (linearly, rate ~ μ/(μ + σ) with
// σ the dual curvature along the range of [A; C]) to the solution of the closest feasible
// QP, while the multipliers drift, y_{k+1} − y_k = (Ax − b)/μ → s_e/μ (likewise z on the
// violated rows). Since x_k converges, Aᵀy_k + Cᵀz_k must stay bounded, so the drift
// direction s = (s_e, s_i, s_box) satisfies Aᵀs_e + Cᵀs_i + s_box = 0: the least-squares
// stationarity of the shift, i.e. s is the smallest (ℓ2, in the scaled rows' metric — hence
// the row-uniform scaling below) shift that makes the constraints feasible.
//
// Which multipliers certify the shifted QP. Write (y, z) = (ŷ, ẑ) + t·s: adding t·s to any
// multipliers of the shifted QP changes neither its Lagrangian's gradient (Aᵀs_e + Cᵀs_i +
// s_box = 0) nor its complementarity (s is nonzero only on rows where the shifted bound is
// active, with the sign of the active side) nor its duality gap (the change is
// t·xᵀ(Aᵀs_e + Cᵀs_i + s_box) = 0). So the proximal iterate's own (y, z), drift included,
// ARE multipliers of the shifted QP, and the subproblem's stationarity Hx + g + ρ(x − x_e) +
// Aᵀy + Cᵀz = 0 makes its dual residual as small as the inner tolerance allows (the
// proximal term ρ(x − x_e) vanishes as x converges). No need to strip the drift off (y, z),
// which could flip signs on the violated rows. What the drift does cost is round-off:
// ε·‖y‖ in Aᵀy and in the gap's terms, with ‖y‖ ~ k·‖s‖/μ after k outer steps; hence μ is
// fixed at Settings::mu_closest_feasible (1e-4), never at μ_min (1e-9).
//
// Known limitation: the convergence of x is only fast where the shift's least-squares
// problem is well conditioned relative to μ·H. A row whose final shift is small gets its
// multiplier by increments shift/μ, so x can creep for hundreds of outer steps (many random
// instances with n ≥ 1000), and by then ‖y‖ ~ 1e7 puts the dual residual's round-off near
// 1e-9: such solves end at MaxIterReached / TimeLimitReached instead.
//
// Stopping test, all on the original data in user units, with s = the current violations:
//   ‖Aᵀs_e + Cᵀs_i + s_box‖∞ ≤ eps_abs + eps_rel·scale       (least-squares stationarity)
//   primal, dual and gap of the shifted QP                    (its KKT conditions)
// where the shifted QP has b + s_e, [l, u] + s_i, [lb, ub] + s_box (x is feasible for it by
// construction of s; the primal test only guards round-off).
#include "closest_feasible.hpp"

#include "proximal_method.hpp"

#include <algorithm>
#include <cmath>

namespace qplayer::detail {
namespace {

double tolerance(double abs, double rel, double scale) { return abs + rel * scale; }

void scale_rows(SparseMatrix& M, const Vector& row_scale) {
  for (int j = 0; j < M.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(M, j); it; ++it) it.valueRef() *= row_scale[it.row()];
}

double excess(double v, double lo, double hi) { return v > hi ? v - hi : (v < lo ? v - lo : 0.0); }

}  // namespace

void make_row_uniform_scaling(const RuizScaling& base, RuizScaling& out) {
  out = base;
  double log_sum = 0.0;
  const Eigen::Index rows = base.e.size() + base.f.size();
  for (Eigen::Index i = 0; i < base.e.size(); ++i) log_sum += std::log(base.e[i]);
  for (Eigen::Index i = 0; i < base.f.size(); ++i) log_sum += std::log(base.f[i]);
  const double sigma = rows > 0 ? std::exp(log_sum / static_cast<double>(rows)) : 1.0;
  // Row i of the scaled data was multiplied by e_i (f_i): multiply again by σ / e_i.
  // (Factors written into out.e and out.f, which end up σ: no temporary vectors.)
  out.e = sigma * base.e.cwiseInverse();
  out.f = sigma * base.f.cwiseInverse();
  scale_rows(out.A, out.e);
  scale_rows(out.C, out.f);
  out.b.array() *= out.e.array();
  out.l.array() *= out.f.array();  // ±inf stays ±inf (the factors are > 0)
  out.u.array() *= out.f.array();
  out.e.setConstant(sigma);
  out.f.setConstant(sigma);
}

void compute_shifts(const Problem& p, const Vector& x, Vector& shift_eq, Vector& shift_in,
                    Vector& shift_box) {
  if (p.n_eq() > 0) {
    shift_eq.noalias() = p.A * x;
    shift_eq -= p.b;
  }
  if (p.n_in() > 0) {
    shift_in.noalias() = p.C * x;
    for (int i = 0; i < p.n_in(); ++i) shift_in[i] = excess(shift_in[i], p.l[i], p.u[i]);
  }
  if (p.has_box()) {
    for (int j = 0; j < p.n(); ++j) shift_box[j] = excess(x[j], p.lb[j], p.ub[j]);
  } else {
    shift_box.setZero();
  }
}

void apply_shifts(const Problem& p, const Vector& shift_eq, const Vector& shift_in,
                  const Vector& shift_box, Problem& out) {
  out.b = p.b + shift_eq;
  out.l = p.l + shift_in;
  out.u = p.u + shift_in;
  if (p.has_box()) {
    out.lb = p.lb + shift_box;
    out.ub = p.ub + shift_box;
  }
}

void ProximalMethod::begin_closest_feasible() {
  Workspace& w = w_;
  make_row_uniform_scaling(*s_, w.closest_scaling);
  const RuizScaling& cs = w.closest_scaling;
  kkt_.set_values(KktData{&cs.H, &cs.A, &cs.C});
  w.kkt_holds_closest = true;
  s_ = &cs;              // same d and c: the scaled x is unchanged
  w.shifted = problem_;  // one copy; only its vectors change from now on
  // The multipliers carry a drift of size ~1/μ_min from the detection phase, useless in the
  // new scaling and harmful to round-off: restart them. x is kept.
  w.y.setZero();
  w.z.setZero();
  mu_eq_ = mu_in_ = settings_.mu_closest_feasible;
  refactorize_ = true;
  closest_ = true;
}

double ProximalMethod::closest_inner_tolerance() const {
  // Below the outer tolerance, so that the subproblems' own stationarity (the dual residual
  // of the shifted QP, see above) is not what stops convergence; above the round-off of the
  // products with the drifting multipliers, else Newton steps are spent chasing noise.
  return std::max({1e-2 * settings_.eps_abs, settings_.eps_inner_min, multiplier_noise()});
}

double ProximalMethod::multiplier_noise() const {
  const double y_norm = w_.y.size() ? w_.y.lpNorm<Eigen::Infinity>() : 0.0;
  const double z_norm = w_.z.size() ? w_.z.lpNorm<Eigen::Infinity>() : 0.0;
  return 1e-15 * std::max(y_norm, z_norm);
}

ProximalMethod::Check ProximalMethod::check_closest_feasible() {
  Workspace& w = w_;
  const Settings& st = settings_;
  double dual = 0.0, dual_scale = 0.0;
  unscaled_dual(dual, dual_scale);  // cheap pre-test in the scaled space
  if (dual > tolerance(st.eps_abs, st.eps_rel, dual_scale)) return Check::Continue;

  w.x_user = w.x.cwiseProduct(s_->d);
  compute_shifts(problem_, w.x_user, w.shift_eq_user, w.shift_in_user, w.shift_box_user);
  // Least-squares stationarity of the shift (w.cert_x is free in this phase: it only
  // carries the dual certificate, recomputed at each outer step).
  Vector& ls = w.cert_x;
  ls = w.shift_box_user;
  double ls_scale = w.shift_box_user.lpNorm<Eigen::Infinity>();
  if (problem_.n_eq() > 0) {
    w.tmp_n.noalias() = problem_.A.transpose() * w.shift_eq_user;
    ls_scale = std::max(ls_scale, w.tmp_n.lpNorm<Eigen::Infinity>());
    ls += w.tmp_n;
  }
  if (problem_.n_in() > 0) {
    w.tmp_n.noalias() = problem_.C.transpose() * w.shift_in_user;
    ls_scale = std::max(ls_scale, w.tmp_n.lpNorm<Eigen::Infinity>());
    ls += w.tmp_n;
  }
  if (!std::isfinite(ls_scale)) return Check::NotFinite;
  if (ls.lpNorm<Eigen::Infinity>() > tolerance(st.eps_abs, st.eps_rel, ls_scale))
    return Check::Continue;

  // KKT of the shifted QP with the iterate's own multipliers (see the header comment).
  for (int i = 0; i < w.n_in; ++i)  // same clean-up as check_convergence
    if ((w.z[i] > 0 && !std::isfinite(s_->u[i])) || (w.z[i] < 0 && !std::isfinite(s_->l[i])))
      w.z[i] = 0.0;
  w.y_user = w.y.cwiseProduct(s_->e) / s_->c;
  w.z_all_user = w.z.cwiseProduct(s_->f) / s_->c;
  const int m = problem_.n_in();
  w.z_user = w.z_all_user.head(m);
  if (s_->n_box) w.z_box_user = w.z_all_user.tail(s_->n_box);
  apply_shifts(problem_, w.shift_eq_user, w.shift_in_user, w.shift_box_user, w.shifted);
  const Vector no_box;  // (a conditional with Vector() would copy z_box_user)
  const Residuals r = w.evaluator.evaluate(w.shifted, w.x_user, w.y_user, w.z_user,
                                           s_->n_box ? w.z_box_user : no_box);
  return verdict(r);
}

}  // namespace qplayer::detail
