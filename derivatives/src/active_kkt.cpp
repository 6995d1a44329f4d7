// The derivative engine's KKT solve. Choices (method.md §4), and why:
//  * Active set J at the solution, not the factorization's: a row is in J when its multiplier
//    is nonzero (beyond a tolerance) or its slack is zero (within one). Weakly active rows
//    (zero multiplier, at the bound) are INCLUDED and held at their bound: this is the
//    derivative of the problem with that row as an equality, one element of the conservative
//    Jacobian; the extra row can only make K rank-deficient, which the solve tolerates.
//  * Work in the equilibrated space. The solver's factorization is of the scaled matrix, so
//    the operator is applied from the solver's scaled H, A, C (kkt().multiply_*, no copy) and
//    the right-hand side / solution are mapped with the Ruiz factors at the boundary only.
//  * GMRES (restarted, right-preconditioned) rather than plain iterative refinement. The
//    preconditioner is the regularized matrix M on the factorization's active set J_s. When
//    J = J_s, M⁻¹K = I + O(ρ, μ) and GMRES stops after 1–3 steps, like refinement would.
//    But J can differ from J_s (weakly active rows, a last Newton step that changed the set):
//    a row of J that M holds as decoupled makes Richardson iteration diverge, whereas GMRES
//    absorbs each mismatched row in a couple of extra iterations (a low-rank perturbation).
//    It also minimizes the residual, so a singular K (duplicate equality rows, LICQ failure)
//    gives a finite least-squares answer; the range-restricted variant (see gmres()) keeps
//    the nullspace component at 0, where plain GMRES or refinement would amplify the part of
//    the right-hand side outside range(K) by 1/μ.
#include "active_kkt.hpp"

#include "closest_point.hpp"
#include "qplayer/dense/kkt_system.hpp"
#include "qplayer/sparse/kkt_system.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace qplayer::derivatives::detail {

ActiveKkt::ActiveKkt(const Solver& solver, const Options& options, const ClosestPoint* closest)
    : solver_(solver), kkt_(solver.kkt()), options_(options) {
  const RuizScaling& s = solver.scaling();
  n_ = solver.problem().n();
  n_eq_ = solver.problem().n_eq();
  n_user_in_ = solver.problem().n_in();
  m_ = static_cast<int>(s.C.rows());
  d_ = s.d;
  e_ = s.e;
  f_ = s.f;
  c_ = s.c;
  if (closest) {  // the KKT system holds the row-uniform values (see ClosestPoint::sigma)
    e_.setConstant(closest->sigma);
    f_.setConstant(closest->sigma);
  }

  dense_ = dynamic_cast<const dense::KktSystem*>(&kkt_);
  sparse_ = dynamic_cast<const sparse::KktSystem*>(&kkt_);
  if (!dense_ && !sparse_)
    throw std::logic_error("derivatives: unknown KKT system '" + kkt_.backend_name() + "'");
  const FactorStatus status = dense_ ? dense_->status() : sparse_->status();
  if (status != FactorStatus::Ok)
    throw std::logic_error("derivatives: the solver's final factorization is not usable");
  // The factorization's own regularization: its diagonal for rows it holds inactive, and
  // the difference M − K that makes the implicit operator (see apply_preconditioned).
  rho_ = sparse_ ? sparse_->rho() : dense_->rho();
  mu_eq_ = sparse_ ? sparse_->mu_eq() : dense_->mu_eq();
  mu_in_ = sparse_ ? sparse_->mu_in() : dense_->mu_in();
  if (!(mu_in_ > 0.0)) mu_in_ = 1.0;

  singular_ = closest != nullptr;  // the violated rows are dependent by construction
  if (closest) {
    side_ = closest->side;
    in_j_.assign(m_, 0);
    for (int i = 0; i < m_; ++i) in_j_[i] = side_[i] != 0;
    weakly_active_ = closest->weakly_active;
  } else {
    find_active_set(solver);
  }

  const ActiveSet& held = dense_ ? dense_->active_set() : sparse_->factored_active_set();
  for (int i = 0; i < m_; ++i) mismatch_ += (held[i] != 0) != (in_j_[i] != 0);
  implicit_ = mismatch_ == 0 && !singular_;

  tx_.resize(n_);
  ty_.resize(n_eq_);
  tz_.resize(m_);
  ox_.resize(n_);
  reduced_.resize(size());
}

void ActiveKkt::find_active_set(const Solver& solver) {
  const Problem& p = solver.problem();
  const Result& r = solver.result();
  const int n_box = m_ - n_user_in_;
  Vector value(m_), lower(m_), upper(m_), z(m_);
  if (n_user_in_ > 0) value.head(n_user_in_) = p.C * r.x;
  lower.head(n_user_in_) = p.l;
  upper.head(n_user_in_) = p.u;
  z.head(n_user_in_) = r.z;
  if (n_box > 0) {
    value.tail(n_box) = r.x;
    lower.tail(n_box) = p.lb;
    upper.tail(n_box) = p.ub;
    z.tail(n_box) = r.z_box;
  }
  double tol = options_.activity_tolerance;
  if (tol < 0) {
    const Settings& st = solver.settings();
    tol = 100.0 * (st.eps_abs > 0 ? st.eps_abs : st.eps_rel);
  }
  tol = std::max(tol, 1e-14);
  const double z_tol = tol * (1.0 + (m_ > 0 ? z.lpNorm<Eigen::Infinity>() : 0.0));

  side_.assign(m_, 0);
  in_j_.assign(m_, 0);
  weakly_active_ = 0;
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (int i = 0; i < m_; ++i) {
    const double to_upper = std::isfinite(upper[i]) ? upper[i] - value[i] : inf;
    const double to_lower = std::isfinite(lower[i]) ? value[i] - lower[i] : inf;
    // (an infinite bound is never reached: inf <= tol·inf would say it is)
    const bool at_upper = std::isfinite(upper[i]) && to_upper <= tol * (1.0 + std::abs(upper[i]));
    const bool at_lower = std::isfinite(lower[i]) && to_lower <= tol * (1.0 + std::abs(lower[i]));
    if (std::abs(z[i]) > z_tol) {
      side_[i] = z[i] > 0 ? 1 : -1;
    } else if (at_upper || at_lower) {
      side_[i] = (at_upper && (!at_lower || to_upper <= to_lower)) ? 1 : -1;
      ++weakly_active_;
    }
    in_j_[i] = side_[i] != 0;
  }
}

void ActiveKkt::apply_operator(const Vector& v, Vector& out) {
  out.resize(size());
  tx_ = v.head(n_);
  Vector& ox = ox_;
  kkt_.multiply_H(tx_, ox);
  out.head(n_) = ox;
  if (n_eq_ > 0) {
    ty_ = v.segment(n_, n_eq_);
    kkt_.multiply_At(ty_, ox);
    out.head(n_) += ox;
    kkt_.multiply_A(tx_, ty_);
    out.segment(n_, n_eq_) = ty_;
  }
  if (m_ > 0) {
    for (int i = 0; i < m_; ++i) tz_[i] = in_j_[i] ? v[n_ + n_eq_ + i] : 0.0;
    kkt_.multiply_Ct(tz_, ox);
    out.head(n_) += ox;
    kkt_.multiply_C(tx_, tz_);
    for (int i = 0; i < m_; ++i) {
      const double vi = v[n_ + n_eq_ + i];
      out[n_ + n_eq_ + i] = in_j_[i] ? tz_[i] : -mu_in_ * vi;
    }
  }
}

void ActiveKkt::apply_preconditioner(const Eigen::Ref<const Vector>& in, Vector& out) {
  out = in;
  if (sparse_) {
    sparse_->backend().solve_in_place(out);
    return;
  }
  // Dense: the factorization covers [x | y | active rows in activation order]; the rows it
  // holds inactive are the decoupled −μ_in equations.
  const int na = n_ + n_eq_;
  const std::vector<int>& order = dense_->active_order();
  const std::vector<int>& position = dense_->position();
  const int nj = static_cast<int>(order.size());
  reduced_.resize(size());
  reduced_.head(na) = in.head(na);
  for (int p = 0; p < nj; ++p) reduced_[na + p] = in[na + order[p]];
  dense_->ldlt().solve_in_place(reduced_.head(na + nj));
  out.head(na) = reduced_.head(na);
  for (int i = 0; i < m_; ++i)
    out[na + i] = position[i] >= 0 ? reduced_[na + position[i]] : -in[na + i] / mu_in_;
}

void ActiveKkt::apply_preconditioned(const Eigen::Ref<const Vector>& in, Vector& z, Vector& out) {
  apply_preconditioner(in, z);
  if (!implicit_) return apply_operator(z, out);
  // K = M − Δ with Δ = diag(ρI, −μ_eq I, −μ_in on the rows of J, 0 elsewhere) when the
  // factorization holds J itself (M z = in up to its rounding): K M⁻¹ in = in − Δz, which
  // costs O(N) instead of the products with H, A and C (a quarter of a sparse backward, a
  // third of a dense one). gmres() checks the result with the true operator at the end.
  const int na = n_ + n_eq_;
  out.resize(size());
  out.head(n_) = in.head(n_) - rho_ * z.head(n_);
  out.segment(n_, n_eq_) = in.segment(n_, n_eq_) + mu_eq_ * z.segment(n_, n_eq_);
  for (int i = 0; i < m_; ++i) out[na + i] = in[na + i] + (in_j_[i] ? mu_in_ * z[na + i] : 0.0);
}

SolveReport ActiveKkt::solve(const Vector& r, Vector& u, bool least_squares) {
  if (r.size() != size()) throw std::invalid_argument("derivatives: right-hand side size");
  const int na = n_ + n_eq_;
  // User → equilibrated: r̃ = (c D r_x, E r_y, F r_z) (method: K̃ = diag(cD, E, F) K diag(D,
  // E/c, F/c), from H̃ = cDHD, Ã = EAD, C̃ = FCD).
  Vector rhs(size());
  rhs.head(n_) = c_ * d_.cwiseProduct(r.head(n_));
  rhs.segment(n_, n_eq_) = e_.cwiseProduct(r.segment(n_, n_eq_));
  for (int i = 0; i < m_; ++i) rhs[na + i] = in_j_[i] ? f_[i] * r[na + i] : 0.0;

  SolveReport report;
  Vector scaled;
  // First the plain right-preconditioned GMRES, which reaches the target one preconditioner
  // application sooner when K is nonsingular (the common case: 3 instead of 4 at n = 100).
  // It cannot be trusted where K is singular: the part of r outside range(K) comes back
  // amplified by 1/μ. So it is only tried for a feasible solution's consistent solves, and
  // its answer only kept when it met the target; otherwise the range-restricted run starts
  // from zero (the iterations of both are reported).
  bool done = false;
  if (!least_squares && !singular_) {
    gmres(rhs, scaled, report, false, /*restricted=*/false);
    done = report.converged;
  }
  if (!done) {
    const int spent = report.iterations;
    gmres(rhs, scaled, report, least_squares, /*restricted=*/true);
    report.iterations += spent;
  }
  report.active_rows = 0;
  for (int i = 0; i < m_; ++i) report.active_rows += in_j_[i];
  report.weakly_active_rows = weakly_active_;
  report.preconditioner_mismatch = mismatch_;

  u.resize(size());
  u.head(n_) = d_.cwiseProduct(scaled.head(n_));
  u.segment(n_, n_eq_) = e_.cwiseProduct(scaled.segment(n_, n_eq_)) / c_;
  for (int i = 0; i < m_; ++i) u[na + i] = in_j_[i] ? f_[i] * scaled[na + i] / c_ : 0.0;
  return report;
}

}  // namespace qplayer::derivatives::detail
