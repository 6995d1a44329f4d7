// The backward pass (vector-Jacobian product), method.md §4. At the solution the KKT
// conditions restricted to the active set J (β_J = the active side's bound),
//     F(x, y, z_J; θ) = (Hx + g + Aᵀy + C_Jᵀz_J,  Ax − b,  C_J x − β_J) = 0,
// give K d(x, y, z_J) = −∂F/∂θ dθ with K symmetric. For dL = ⟨v, d(x, y, z_J)⟩, let K w = −v;
// then dL = ⟨w, ∂F/∂θ dθ⟩, which reads off as
//     ∂L/∂g = w_x                    ∂L/∂H = ½(w_x xᵀ + x w_xᵀ)   (H is symmetric)
//     ∂L/∂b = −w_y                   ∂L/∂A = w_y xᵀ + y w_xᵀ
//     ∂L/∂β_J = −w_z                 ∂L/∂C = w_z xᵀ + z w_xᵀ   (rows of J; others 0)
// Rows outside J have z = 0 locally constant, so ∂L/∂z there does not propagate and their
// data has zero gradient. Box rows are rows of [C; I] like any other, without a matrix
// gradient. Matrix gradients are restricted to the stored pattern (that is what can move).
#include "active_kkt.hpp"
#include "qplayer/derivatives/view.hpp"

#include <stdexcept>
#include <string>

namespace qplayer::derivatives {
namespace {

void check_size(const Vector& v, Eigen::Index size, bool optional, const char* name) {
  if ((optional && v.size() == 0) || v.size() == size) return;
  throw std::invalid_argument(std::string("derivatives::backward: ") + name + " has size " +
                              std::to_string(v.size()) + ", expected " + std::to_string(size));
}

// Values of `pattern`'s entries set to value(i, j); same pattern, no structural change.
template <class F>
SparseMatrix on_pattern(const SparseMatrix& pattern, F&& value) {
  SparseMatrix out = pattern;
  for (int j = 0; j < out.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(out, j); it; ++it) it.valueRef() = value(it.row(), j);
  return out;
}

}  // namespace

Gradients backward(const View& view, const Vector& dl_dx, const Vector& dl_dy, const Vector& dl_dz,
                   const Vector& dl_dz_box) {
  view.check_current();
  const Solver& solver = view.solver();
  const Problem& p = solver.problem();
  const Result& r = solver.result();
  const int n = p.n(), n_eq = p.n_eq(), n_in = p.n_in();
  check_size(dl_dx, n, false, "dl_dx");
  check_size(dl_dy, n_eq, true, "dl_dy");
  check_size(dl_dz, n_in, true, "dl_dz");
  check_size(dl_dz_box, n, true, "dl_dz_box");

  detail::ActiveKkt& kkt = view.engine();
  const int m = kkt.m(), na = n + n_eq;
  const bool box = m > n_in;
  Vector rhs = Vector::Zero(kkt.size());
  rhs.head(n) = -dl_dx;
  if (dl_dy.size()) rhs.segment(n, n_eq) = -dl_dy;
  if (dl_dz.size()) rhs.segment(na, n_in) = -dl_dz;
  if (dl_dz_box.size() && box) rhs.tail(n) = -dl_dz_box;

  Vector w;
  Gradients out;
  out.report = kkt.solve(rhs, w);
  const auto wx = w.head(n);
  const auto wy = w.segment(n, n_eq);
  const auto wz = w.segment(na, m);
  const std::vector<signed char>& side = kkt.side();
  Vector z_active(n_in);
  for (int i = 0; i < n_in; ++i) z_active[i] = side[i] ? r.z[i] : 0.0;
  const Vector& x = r.x;
  const Vector& y = r.y;

  out.dg = wx;
  out.db = -wy;
  out.dH = on_pattern(p.H, [&](int i, int j) { return 0.5 * (wx[i] * x[j] + x[i] * wx[j]); });
  out.dA = on_pattern(p.A, [&](int i, int j) { return wy[i] * x[j] + y[i] * wx[j]; });
  out.dC = on_pattern(p.C, [&](int i, int j) { return wz[i] * x[j] + z_active[i] * wx[j]; });
  out.dl = Vector::Zero(n_in);
  out.du = Vector::Zero(n_in);
  for (int i = 0; i < n_in; ++i) {
    if (side[i] > 0) out.du[i] = -wz[i];
    if (side[i] < 0) out.dl[i] = -wz[i];
  }
  if (p.has_box()) {
    out.dlb = Vector::Zero(n);
    out.dub = Vector::Zero(n);
    for (int j = 0; j < n; ++j) {
      if (side[n_in + j] > 0) out.dub[j] = -wz[n_in + j];
      if (side[n_in + j] < 0) out.dlb[j] = -wz[n_in + j];
    }
  }
  return out;
}

Gradients backward(const Solver& solver, const Vector& dl_dx, const Vector& dl_dy,
                   const Vector& dl_dz, const Vector& dl_dz_box) {
  const View view(solver);
  return backward(view, dl_dx, dl_dy, dl_dz, dl_dz_box);
}

}  // namespace qplayer::derivatives
