// Products through the closest-feasible solution map (method.md §3, §4), by block elimination
// onto the active KKT matrix K = [H Rᵀ; R 0] the feasible products use (R = the rows of J:
// the least-squares rows M and the rows C0 active at an unshifted bound; see ClosestPoint).
//
// Linearization. With β the active side's bound of each row and r_i = da_iᵀx − dβ_i, the
// closest-feasible solution (x, s) moves by
//     ds_M = M dx + r_M                                  (s = Mx − β on the rows of M)
//     Mᵀ ds_M = −dMᵀs =: −r3                            (least squares: Mᵀs = 0)
//     H dx + Rᵀ dλ = −(dH x + dg + dRᵀλ) =: −r1          (stationarity of the shifted QP)
//     C0 dx = −r_0
// The first two say that dx solves the linearized first level min ½‖M dx + r_M‖² + r3ᵀdx;
// with r3 = Mᵀa this is min ½‖M dx + r_M + a‖², so M dx = −P(r_M + a), P the projector on
// range(M); the rest is the second level. Hence the elimination:
//   forward:  q = K⁺(r3, 0) gives a (its M rows, up to nullspace(Mᵀ), which P removes);
//             (dx, ·) = K⁺(−r1, −(r_M + q_M), −r_0) in the least-squares sense (the M rows
//             of that right-hand side are generally outside range(M): the projection P);
//             ds_M = M dx + r_M.
//   backward: the transpose, for dL = ⟨v_x, dx⟩ + ⟨v_s, ds⟩ = ⟨v_x + Mᵀv_s, dx⟩ + ⟨v_s, r_M⟩:
//             W = K⁺(−(v_x + Mᵀv_s), 0)                   (consistent)
//             E = [K⁺(0, W_M, 0)]_x, W̄_M = M E = P W_M     (least squares: see below)
//             Ω = W̄ + v_s on M, W on C0, 0 elsewhere, and
//             ∂L/∂g = W_x, ∂L/∂H = ½(W_x xᵀ + x W_xᵀ), ∂L/∂a_i = Ω_i x + λ_i W_x + s_i E,
//             ∂L/∂β_i = −Ω_i.
// K⁺ is symmetric, so the two are exact transposes (the dot-product identity holds for every
// direction, also those along which the rank of M would change and the map has no derivative).
// Both use only K: the solver's final factorization as preconditioner, nothing else.
#include "closest_products.hpp"

#include "active_kkt.hpp"
#include "closest_point.hpp"
#include "pattern_values.hpp"

#include <stdexcept>
#include <string>

namespace qplayer::derivatives::detail {
namespace {

// The rows of [A; C; I] (I only with a box) in user units: out = R x, and x = Rᵀ w.
void rows_times(const Problem& p, int m, const Vector& x, Vector& out) {
  const int n_eq = p.n_eq(), n_in = p.n_in();
  out.resize(n_eq + m);
  if (n_eq > 0) out.head(n_eq).noalias() = p.A * x;
  if (n_in > 0) out.segment(n_eq, n_in).noalias() = p.C * x;
  if (m > n_in) out.tail(m - n_in) = x;
}

Vector rows_transpose_times(const Problem& p, int m, const Vector& w) {
  const int n_eq = p.n_eq(), n_in = p.n_in();
  Vector out = Vector::Zero(p.n());
  if (n_eq > 0) out.noalias() += p.A.transpose() * w.head(n_eq);
  if (n_in > 0) out.noalias() += p.C.transpose() * w.segment(n_eq, n_in);
  if (m > n_in) out += w.tail(m - n_in);
  return out;
}

// An optional input: empty means zero, otherwise its size must match.
bool given(const Vector& v, Eigen::Index size, const char* name) {
  if (v.size() == 0) return false;
  if (v.size() != size)
    throw std::invalid_argument(std::string("derivatives: ") + name + " has size " +
                                std::to_string(v.size()) + ", expected " + std::to_string(size));
  return true;
}

bool given(const SparseMatrix& M, Eigen::Index rows, Eigen::Index cols, const char* name) {
  if (M.rows() == 0 && M.cols() == 0) return false;
  if (M.rows() != rows || M.cols() != cols)
    throw std::invalid_argument(std::string("derivatives::forward: ") + name +
                                " has the wrong dimensions");
  return true;
}

void merge(SolveReport& into, const SolveReport& other) {
  into.iterations += other.iterations;
  into.relative_residual = std::max(into.relative_residual, other.relative_residual);
  into.converged = into.converged && other.converged;
}

}  // namespace

void refine_multipliers(const Solver& solver, ActiveKkt& kkt, ClosestPoint& point) {
  // The solver's multipliers satisfy Hx + g + Rᵀλ ≈ 0 to its tolerance only together with
  // their drift t·s; removing the drift (ClosestPoint) leaves the residual t·Mᵀs, with t up
  // to ~1e5 and Mᵀs ~ eps_abs: 1e-5 relative errors in ∂L/∂A seen against finite
  // differences. That residual lies in range(Rᵀ), so one solve K(Δx, Δλ) = (−residual, 0)
  // (Δx = 0 in exact arithmetic) removes it.
  const Problem& p = solver.problem();
  const Vector& x = solver.result().x;
  const int n = p.n(), m = kkt.m();
  Vector residual = p.H * x + p.g + rows_transpose_times(p, m, point.multiplier);
  Vector rhs = Vector::Zero(kkt.size()), u;
  rhs.head(n) = -residual;
  kkt.solve(rhs, u);
  const int rows = p.n_eq() + m;
  for (int i = 0; i < rows; ++i)
    if (i < p.n_eq() || kkt.side()[i - p.n_eq()] != 0) point.multiplier[i] += u[n + i];
}

void closest_backward(const View& view, const Cotangent& dl, Gradients& out) {
  const Solver& solver = view.solver();
  const Problem& p = solver.problem();
  const Vector& x = solver.result().x;
  const ClosestPoint& cp = *view.closest();
  ActiveKkt& kkt = view.engine();
  const int n = p.n(), n_eq = p.n_eq(), n_in = p.n_in(), m = kkt.m(), rows = n_eq + m;
  if (!given(dl.dx, n, "dl_dx")) throw std::invalid_argument("derivatives: dl_dx is required");
  for (const Vector* v : {&dl.dy, &dl.dz, &dl.dz_box})
    if (v->size() && !v->isZero(0.0))
      throw std::invalid_argument(
          "derivatives::backward: a closest-feasible solution's multipliers are not unique "
          "(the shift can be added to them); a loss on y or z has no gradient");

  // ∂L/∂s on the rows of M (other rows have a locally constant zero shift).
  Vector v_s = Vector::Zero(rows);
  if (given(dl.dshift_eq, n_eq, "dl_dshift_eq")) v_s.head(n_eq) = dl.dshift_eq;
  if (given(dl.dshift_in, n_in, "dl_dshift_in")) v_s.segment(n_eq, n_in) = dl.dshift_in;
  if (given(dl.dshift_box, n, "dl_dshift_box") && m > n_in) v_s.tail(n) = dl.dshift_box;
  for (int i = 0; i < rows; ++i)
    if (!cp.least_squares[i]) v_s[i] = 0.0;

  Vector rhs = Vector::Zero(kkt.size()), w, u;
  rhs.head(n) = -(dl.dx + rows_transpose_times(p, m, v_s));
  out.report = kkt.solve(rhs, w);
  rhs.setZero();
  for (int i = 0; i < rows; ++i)
    if (cp.least_squares[i]) rhs[n + i] = w[n + i];
  // Consistent in exact arithmetic (W_M ∈ range(M)), but W_M carries the first solve's
  // rounding along nullspace(Mᵀ): solved as least squares, which is what P W_M asks for.
  merge(out.report, kkt.solve(rhs, u, /*least_squares=*/true));
  const Vector wx = w.head(n);
  const Vector e = u.head(n);
  Vector omega;
  rows_times(p, m, e, omega);  // W̄ = M E = P W_M on the rows of M
  for (int i = 0; i < rows; ++i) {
    const bool in_j = i < n_eq || kkt.side()[i - n_eq] != 0;
    omega[i] = cp.least_squares[i] ? omega[i] + v_s[i] : (in_j ? w[n + i] : 0.0);
  }
  const Vector& lambda = cp.multiplier;
  const Vector& s = cp.shift;

  out.dg = wx;
  out.db = -omega.head(n_eq);
  set_on_pattern(p.H, out.dH, [&](int i, int j) { return 0.5 * (wx[i] * x[j] + x[i] * wx[j]); });
  set_on_pattern(p.A, out.dA,
                 [&](int i, int j) { return omega[i] * x[j] + lambda[i] * wx[j] + s[i] * e[j]; });
  set_on_pattern(p.C, out.dC, [&](int i, int j) {
    const int k = n_eq + i;
    return omega[k] * x[j] + lambda[k] * wx[j] + s[k] * e[j];
  });
  out.dl = Vector::Zero(n_in);
  out.du = Vector::Zero(n_in);
  const std::vector<signed char>& side = kkt.side();
  for (int i = 0; i < n_in; ++i) {
    if (side[i] > 0) out.du[i] = -omega[n_eq + i];
    if (side[i] < 0) out.dl[i] = -omega[n_eq + i];
  }
  if (p.has_box()) {
    out.dlb = Vector::Zero(n);
    out.dub = Vector::Zero(n);
    for (int j = 0; j < n; ++j) {
      if (side[n_in + j] > 0) out.dub[j] = -omega[n_eq + n_in + j];
      if (side[n_in + j] < 0) out.dlb[j] = -omega[n_eq + n_in + j];
    }
  } else {  // (out may be reused from another problem)
    out.dlb.resize(0);
    out.dub.resize(0);
  }
}

Tangent closest_forward(const View& view, const Perturbation& d) {
  const Solver& solver = view.solver();
  const Problem& p = solver.problem();
  const Vector& x = solver.result().x;
  const ClosestPoint& cp = *view.closest();
  ActiveKkt& kkt = view.engine();
  const int n = p.n(), n_eq = p.n_eq(), n_in = p.n_in(), m = kkt.m(), rows = n_eq + m;
  const std::vector<signed char>& side = kkt.side();
  const Vector& lambda = cp.multiplier;
  const Vector& s = cp.shift;

  // r1 = dH x + dg + dRᵀλ, r3 = dMᵀs, r_i = da_iᵀx − dβ_i.
  Vector r1 = Vector::Zero(n), r3 = Vector::Zero(n), r = Vector::Zero(rows);
  if (given(d.dH, n, n, "dH")) r1.noalias() += d.dH * x;
  if (given(d.dg, n, "dg")) r1 += d.dg;
  if (given(d.dA, n_eq, n, "dA")) {
    r1.noalias() += d.dA.transpose() * lambda.head(n_eq);
    r3.noalias() += d.dA.transpose() * s.head(n_eq);
    r.head(n_eq).noalias() += d.dA * x;
  }
  if (given(d.db, n_eq, "db")) r.head(n_eq) -= d.db;
  if (given(d.dC, n_in, n, "dC")) {
    r1.noalias() += d.dC.transpose() * lambda.segment(n_eq, n_in);
    r3.noalias() += d.dC.transpose() * s.segment(n_eq, n_in);
    r.segment(n_eq, n_in).noalias() += d.dC * x;
  }
  const bool has_l = given(d.dl, n_in, "dl"), has_u = given(d.du, n_in, "du");
  for (int i = 0; i < n_in; ++i) {
    if (side[i] > 0 && has_u) r[n_eq + i] -= d.du[i];
    if (side[i] < 0 && has_l) r[n_eq + i] -= d.dl[i];
  }
  if (m > n_in) {
    const bool has_lb = given(d.dlb, n, "dlb"), has_ub = given(d.dub, n, "dub");
    for (int j = 0; j < n; ++j) {
      if (side[n_in + j] > 0 && has_ub) r[n_eq + n_in + j] -= d.dub[j];
      if (side[n_in + j] < 0 && has_lb) r[n_eq + n_in + j] -= d.dlb[j];
    }
  }

  Tangent out;
  Vector rhs = Vector::Zero(kkt.size()), q, t;
  rhs.head(n) = r3;
  out.report = kkt.solve(rhs, q);
  rhs.head(n) = -r1;
  for (int i = 0; i < rows; ++i) {
    const bool in_j = i < n_eq || side[i - n_eq] != 0;
    rhs[n + i] = cp.least_squares[i] ? -(r[i] + q[n + i]) : (in_j ? -r[i] : 0.0);
  }
  merge(out.report, kkt.solve(rhs, t, /*least_squares=*/true));
  out.dx = t.head(n);
  Vector ds;
  rows_times(p, m, out.dx, ds);
  for (int i = 0; i < rows; ++i) ds[i] = cp.least_squares[i] ? ds[i] + r[i] : 0.0;
  out.dshift_eq = ds.head(n_eq);
  out.dshift_in = ds.segment(n_eq, n_in);
  out.dshift_box = m > n_in ? Vector(ds.tail(n)) : Vector(Vector::Zero(n));
  return out;
}

}  // namespace qplayer::derivatives::detail
