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
#include "closest_products.hpp"
#include "pattern_values.hpp"
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

}  // namespace

namespace {

// The product itself, for a view known to be current (check_current() hashes the problem
// data: a quarter of a dense n = 100 backward, so the overload that makes its own view
// skips it).
void backward_current(const View& view, const Cotangent& dl, Gradients& out) {
  if (view.closest_feasible()) return detail::closest_backward(view, dl, out);
  // A feasible solution's shifts are identically zero: a loss on them has no gradient.
  const Vector& dl_dx = dl.dx;
  const Vector& dl_dy = dl.dy;
  const Vector& dl_dz = dl.dz;
  const Vector& dl_dz_box = dl.dz_box;
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
  detail::set_rank2_on_pattern(p.H, out.dH, wx, x, x, wx, 0.5);
  detail::set_rank2_on_pattern(p.A, out.dA, wy, x, y, wx);
  detail::set_rank2_on_pattern(p.C, out.dC, wz.head(n_in), x, z_active, wx);
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
  } else {  // (out may be reused from another problem)
    out.dlb.resize(0);
    out.dub.resize(0);
  }
}

Cotangent make_cotangent(const Vector& dl_dx, const Vector& dl_dy, const Vector& dl_dz,
                         const Vector& dl_dz_box) {
  Cotangent dl;
  dl.dx = dl_dx;
  dl.dy = dl_dy;
  dl.dz = dl_dz;
  dl.dz_box = dl_dz_box;
  return dl;
}

}  // namespace

void backward(const View& view, const Cotangent& dl, Gradients& out) {
  view.check_current();
  backward_current(view, dl, out);
}

Gradients backward(const View& view, const Cotangent& dl) {
  Gradients out;
  backward(view, dl, out);
  return out;
}

Gradients backward(const View& view, const Vector& dl_dx, const Vector& dl_dy, const Vector& dl_dz,
                   const Vector& dl_dz_box) {
  Gradients out;
  backward(view, make_cotangent(dl_dx, dl_dy, dl_dz, dl_dz_box), out);
  return out;
}

Gradients backward(const Solver& solver, const Vector& dl_dx, const Vector& dl_dy,
                   const Vector& dl_dz, const Vector& dl_dz_box) {
  const View view(solver);  // current by construction
  Gradients out;
  backward_current(view, make_cotangent(dl_dx, dl_dy, dl_dz, dl_dz_box), out);
  return out;
}

}  // namespace qplayer::derivatives
