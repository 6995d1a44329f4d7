// Residuals from the original data: the definition every stopping test and every
// benchmark verification refers to, accumulated in long double.
#include "qplayer/residuals.hpp"

#include <algorithm>
#include <cmath>

namespace qplayer {
namespace {

using Long = long double;
using LongVector = Eigen::Matrix<Long, Eigen::Dynamic, 1>;

double inf_norm(const Vector& v) { return v.size() ? v.lpNorm<Eigen::Infinity>() : 0.0; }
double inf_norm(const LongVector& v) {
  Long m = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) m = std::max(m, std::abs(v[i]));
  return static_cast<double>(m);
}

// out = M x and out_t = Mᵀ y over the stored entries, in long double.
void multiply(const SparseMatrix& M, const Vector& x, LongVector& out) {
  out.setZero();
  for (int j = 0; j < M.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(M, j); it; ++it)
      out[it.row()] += static_cast<Long>(it.value()) * x[j];
}
void multiply_transpose(const SparseMatrix& M, const Vector& y, LongVector& out) {
  for (int j = 0; j < M.outerSize(); ++j) {
    Long sum = 0;
    for (SparseMatrix::InnerIterator it(M, j); it; ++it)
      sum += static_cast<Long>(it.value()) * y[it.row()];
    out[j] = sum;
  }
}

// Adds bound * multiplier over finite bounds: upper bounds take the positive part.
void add_bound_terms(const Vector& lo, const Vector& hi, const Vector& mult, Long& sum,
                     double& scale) {
  for (Eigen::Index i = 0; i < mult.size(); ++i) {
    Long term = 0;
    if (mult[i] > 0 && std::isfinite(hi[i])) term = static_cast<Long>(hi[i]) * mult[i];
    if (mult[i] < 0 && std::isfinite(lo[i])) term = static_cast<Long>(lo[i]) * mult[i];
    sum += term;
    scale = std::max(scale, static_cast<double>(std::abs(term)));
  }
}

double bound_violation(const LongVector& v, const Vector& lo, const Vector& hi) {
  Long worst = 0;
  for (Eigen::Index i = 0; i < v.size(); ++i) worst = std::max({worst, v[i] - hi[i], lo[i] - v[i]});
  return static_cast<double>(worst);
}

}  // namespace

ResidualEvaluator::ResidualEvaluator(const Problem& p)
    : Hx_(p.n()), Ax_(p.n_eq()), Cx_(p.n_in()), Aty_(p.n()), Ctz_(p.n()) {}

Residuals ResidualEvaluator::evaluate(const Problem& p, const Vector& x, const Vector& y,
                                      const Vector& z, const Vector& z_box) {
  Residuals r;
  multiply(p.H, x, Hx_);
  multiply(p.A, x, Ax_);
  multiply(p.C, x, Cx_);
  multiply_transpose(p.A, y, Aty_);
  multiply_transpose(p.C, z, Ctz_);

  // Primal.
  Long eq = 0;
  for (int i = 0; i < p.n_eq(); ++i) eq = std::max(eq, std::abs(Ax_[i] - p.b[i]));
  r.primal = std::max({static_cast<double>(eq), bound_violation(Cx_, p.l, p.u), 0.0});
  const bool box = p.has_box() && z_box.size() == p.n();
  if (p.has_box()) {
    for (int j = 0; j < p.n(); ++j) r.primal = std::max({r.primal, x[j] - p.ub[j], p.lb[j] - x[j]});
  }
  r.primal_scale =
      std::max({inf_norm(Ax_), inf_norm(p.b), inf_norm(Cx_), p.has_box() ? inf_norm(x) : 0.0});

  // Dual.
  Long dual = 0;
  for (int j = 0; j < p.n(); ++j) {
    Long v = Hx_[j] + p.g[j] + Aty_[j] + Ctz_[j];
    if (box) v += z_box[j];
    dual = std::max(dual, std::abs(v));
  }
  r.dual = static_cast<double>(dual);
  r.dual_scale = std::max(
      {inf_norm(Hx_), inf_norm(p.g), inf_norm(Aty_), inf_norm(Ctz_), box ? inf_norm(z_box) : 0.0});

  // Gap.
  Long xHx = 0, gx = 0, by = 0;
  for (int j = 0; j < p.n(); ++j) {
    xHx += Hx_[j] * x[j];
    gx += static_cast<Long>(p.g[j]) * x[j];
  }
  for (int i = 0; i < p.n_eq(); ++i) by += static_cast<Long>(p.b[i]) * y[i];
  Long sum = xHx + gx + by;
  double scale = static_cast<double>(std::max({std::abs(xHx), std::abs(gx), std::abs(by)}));
  add_bound_terms(p.l, p.u, z, sum, scale);
  if (box) add_bound_terms(p.lb, p.ub, z_box, sum, scale);
  r.gap = static_cast<double>(std::abs(sum));
  r.gap_scale = scale;
  return r;
}

void ResidualEvaluator::residual_vectors(const Problem& p, const Vector& x, const Vector& y,
                                         const Vector& z, const Vector& z_box, Vector& r_x,
                                         Vector& r_eq, Vector& Cx) {
  multiply(p.H, x, Hx_);
  multiply(p.A, x, Ax_);
  multiply(p.C, x, Cx_);
  multiply_transpose(p.A, y, Aty_);
  multiply_transpose(p.C, z, Ctz_);
  const bool box = p.has_box() && z_box.size() == p.n();
  for (int j = 0; j < p.n(); ++j) {
    Long v = Hx_[j] + p.g[j] + Aty_[j] + Ctz_[j];
    if (box) v += z_box[j];
    r_x[j] = static_cast<double>(v);
  }
  for (int i = 0; i < p.n_eq(); ++i) r_eq[i] = static_cast<double>(Ax_[i] - p.b[i]);
  for (int i = 0; i < p.n_in(); ++i) Cx[i] = static_cast<double>(Cx_[i]);
}

Residuals compute_residuals(const Problem& problem, const Vector& x, const Vector& y,
                            const Vector& z, const Vector& z_box) {
  ResidualEvaluator evaluator(problem);
  return evaluator.evaluate(problem, x, y, z, z_box);
}

}  // namespace qplayer
