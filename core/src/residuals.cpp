// Residuals from the original data: the definition every stopping test and every
// benchmark verification refers to.
#include "qplayer/residuals.hpp"

#include <algorithm>
#include <cmath>

namespace qplayer {
namespace {

double inf_norm(const Vector& v) { return v.size() ? v.lpNorm<Eigen::Infinity>() : 0.0; }

// Adds bound * multiplier over finite bounds: upper bounds take the positive part.
void add_bound_terms(const Vector& lo, const Vector& hi, const Vector& mult, double& sum,
                     double& scale) {
  for (Eigen::Index i = 0; i < mult.size(); ++i) {
    double term = 0.0;
    if (mult[i] > 0 && std::isfinite(hi[i])) term = hi[i] * mult[i];
    if (mult[i] < 0 && std::isfinite(lo[i])) term = lo[i] * mult[i];
    sum += term;
    scale = std::max(scale, std::abs(term));
  }
}

double bound_violation(const Vector& v, const Vector& lo, const Vector& hi) {
  double worst = 0.0;
  for (Eigen::Index i = 0; i < v.size(); ++i)
    worst = std::max({worst, v[i] - hi[i], lo[i] - v[i]});
  return worst;
}

}  // namespace

ResidualEvaluator::ResidualEvaluator(const Problem& p)
    : Hx_(p.n()), Ax_(p.n_eq()), Cx_(p.n_in()), Aty_(p.n()), Ctz_(p.n()) {}

Residuals ResidualEvaluator::evaluate(const Problem& p, const Vector& x, const Vector& y,
                                      const Vector& z, const Vector& z_box) {
  Residuals r;
  Hx_.noalias() = p.H * x;
  Ax_.noalias() = p.A * x;
  Cx_.noalias() = p.C * x;
  Aty_.noalias() = p.A.transpose() * y;
  Ctz_.noalias() = p.C.transpose() * z;

  // Primal.
  double eq = 0.0;
  for (int i = 0; i < p.n_eq(); ++i) eq = std::max(eq, std::abs(Ax_[i] - p.b[i]));
  r.primal = std::max({eq, bound_violation(Cx_, p.l, p.u), 0.0});
  if (p.has_box()) r.primal = std::max(r.primal, bound_violation(x, p.lb, p.ub));
  r.primal_scale = std::max({inf_norm(Ax_), inf_norm(p.b), inf_norm(Cx_),
                             p.has_box() ? inf_norm(x) : 0.0});

  // Dual.
  double dual = 0.0;
  const bool box = p.has_box() && z_box.size() == p.n();
  for (int j = 0; j < p.n(); ++j) {
    double v = Hx_[j] + p.g[j] + Aty_[j] + Ctz_[j];
    if (box) v += z_box[j];
    dual = std::max(dual, std::abs(v));
  }
  r.dual = dual;
  r.dual_scale = std::max({inf_norm(Hx_), inf_norm(p.g), inf_norm(Aty_), inf_norm(Ctz_),
                           box ? inf_norm(z_box) : 0.0});

  // Gap.
  const double xHx = x.dot(Hx_), gx = p.g.dot(x), by = p.b.dot(y);
  double sum = xHx + gx + by;
  double scale = std::max({std::abs(xHx), std::abs(gx), std::abs(by)});
  add_bound_terms(p.l, p.u, z, sum, scale);
  if (box) add_bound_terms(p.lb, p.ub, z_box, sum, scale);
  r.gap = std::abs(sum);
  r.gap_scale = scale;
  return r;
}

Residuals compute_residuals(const Problem& problem, const Vector& x, const Vector& y,
                            const Vector& z, const Vector& z_box) {
  ResidualEvaluator evaluator(problem);
  return evaluator.evaluate(problem, x, y, z, z_box);
}

}  // namespace qplayer
