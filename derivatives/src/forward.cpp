// The forward pass (Jacobian-vector product): differentiating the active KKT conditions
//     Hx + g + Aᵀy + C_Jᵀz_J = 0,   Ax = b,   C_J x = β_J
// along a data direction gives
//     K (dx, dy, dz_J) = −(dH x + dg + dAᵀy + dC_Jᵀz_J,  dA x − db,  dC_J x − dβ_J),
// the same K as the backward pass and the same solve, so ⟨v, J p⟩ = ⟨Jᵀv, p⟩ holds up to the
// solve tolerance. Multipliers of rows outside J have zero derivative.
#include "active_kkt.hpp"
#include "closest_products.hpp"
#include "qplayer/derivatives/view.hpp"

#include <stdexcept>
#include <string>

namespace qplayer::derivatives {
namespace {

bool present(const Vector& v, Eigen::Index size, const char* name) {
  if (v.size() == 0) return false;
  if (v.size() != size)
    throw std::invalid_argument(std::string("derivatives::forward: ") + name + " has size " +
                                std::to_string(v.size()) + ", expected " + std::to_string(size));
  return true;
}

bool present(const SparseMatrix& M, Eigen::Index rows, Eigen::Index cols, const char* name) {
  if (M.rows() == 0 && M.cols() == 0) return false;
  if (M.rows() != rows || M.cols() != cols)
    throw std::invalid_argument(std::string("derivatives::forward: ") + name +
                                " has the wrong dimensions");
  return true;
}

double pair(const SparseMatrix& a, const SparseMatrix& b) {
  if (a.nonZeros() == 0 || b.nonZeros() == 0 || a.rows() != b.rows() || a.cols() != b.cols())
    return 0.0;
  return a.cwiseProduct(b).sum();
}

double pair(const Vector& a, const Vector& b) {
  return a.size() == 0 || b.size() != a.size() ? 0.0 : a.dot(b);
}

}  // namespace

Tangent forward(const View& view, const Perturbation& d) {
  view.check_current();
  if (view.closest_feasible()) return detail::closest_forward(view, d);
  const Solver& solver = view.solver();
  const Problem& p = solver.problem();
  const Result& r = solver.result();
  const int n = p.n(), n_eq = p.n_eq(), n_in = p.n_in();
  detail::ActiveKkt& kkt = view.engine();
  const int m = kkt.m(), na = n + n_eq;
  const std::vector<signed char>& side = kkt.side();
  Vector z_active(n_in);
  for (int i = 0; i < n_in; ++i) z_active[i] = side[i] ? r.z[i] : 0.0;

  Vector rhs = Vector::Zero(kkt.size());
  auto rx = rhs.head(n);
  auto ry = rhs.segment(n, n_eq);
  auto rz = rhs.segment(na, m);
  if (present(d.dH, n, n, "dH")) rx -= d.dH * r.x;
  if (present(d.dg, n, "dg")) rx -= d.dg;
  if (present(d.dA, n_eq, n, "dA")) {
    rx -= d.dA.transpose() * r.y;
    ry -= d.dA * r.x;
  }
  if (present(d.db, n_eq, "db")) ry += d.db;
  if (present(d.dC, n_in, n, "dC")) {
    rx -= d.dC.transpose() * z_active;
    rz.head(n_in) -= d.dC * r.x;
  }
  const bool has_l = present(d.dl, n_in, "dl"), has_u = present(d.du, n_in, "du");
  for (int i = 0; i < n_in; ++i) {
    if (side[i] > 0 && has_u) rz[i] += d.du[i];
    if (side[i] < 0 && has_l) rz[i] += d.dl[i];
  }
  if (m > n_in) {
    const bool has_lb = present(d.dlb, n, "dlb"), has_ub = present(d.dub, n, "dub");
    for (int j = 0; j < n; ++j) {
      if (side[n_in + j] > 0 && has_ub) rz[n_in + j] += d.dub[j];
      if (side[n_in + j] < 0 && has_lb) rz[n_in + j] += d.dlb[j];
    }
  }
  for (int i = 0; i < m; ++i)
    if (!side[i]) rz[i] = 0.0;

  Vector u;
  Tangent out;
  out.report = kkt.solve(rhs, u);
  out.dx = u.head(n);
  out.dy = u.segment(n, n_eq);
  out.dz = u.segment(na, n_in);
  out.dz_box = m > n_in ? Vector(u.tail(n)) : Vector(Vector::Zero(n));
  return out;
}

Tangent forward(const Solver& solver, const Perturbation& direction) {
  const View view(solver);
  return forward(view, direction);
}

double inner_product(const Gradients& g, const Perturbation& p) {
  return pair(g.dH, p.dH) + pair(g.dA, p.dA) + pair(g.dC, p.dC) + pair(g.dg, p.dg) +
         pair(g.db, p.db) + pair(g.dl, p.dl) + pair(g.du, p.du) + pair(g.dlb, p.dlb) +
         pair(g.dub, p.dub);
}

}  // namespace qplayer::derivatives
