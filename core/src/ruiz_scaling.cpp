// Ruiz equilibration of the KKT matrix [H Aᵀ Cᵀ; A 0 0; C 0 0] (box rows included in C),
// so that the penalty parameters mean the same thing on badly scaled problems.
#include "qplayer/ruiz_scaling.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace qplayer {
namespace {

// C (out) := the problem's C with one identity row per variable appended when it has a box.
// When out already holds that pattern (Solver::update: same patterns by contract, checked
// here entry by entry) only the values are written, so an update allocates nothing.
void stack_box_rows(const Problem& p, SparseMatrix& out) {
  const int n = p.n(), m = p.n_in();
  const int n_box = p.has_box() ? n : 0;
  bool same = out.rows() == m + n_box && out.cols() == n && out.isCompressed() &&
              out.nonZeros() == p.C.nonZeros() + n_box;
  for (int j = 0; same && j < n; ++j) {
    int q = out.outerIndexPtr()[j];
    for (SparseMatrix::InnerIterator it(p.C, j); same && it; ++it, ++q)
      same = q < out.outerIndexPtr()[j + 1] && out.innerIndexPtr()[q] == it.row();
    if (same && n_box) same = q < out.outerIndexPtr()[j + 1] && out.innerIndexPtr()[q++] == m + j;
    same = same && q == out.outerIndexPtr()[j + 1];
  }
  if (same) {
    for (int j = 0; j < n; ++j) {
      int q = out.outerIndexPtr()[j];
      for (SparseMatrix::InnerIterator it(p.C, j); it; ++it) out.valuePtr()[q++] = it.value();
      if (n_box) out.valuePtr()[q] = 1.0;
    }
    return;
  }
  SparseMatrix C(m + n_box, n);
  C.reserve(p.C.nonZeros() + n_box);
  for (int j = 0; j < n; ++j) {
    C.startVec(j);
    for (SparseMatrix::InnerIterator it(p.C, j); it; ++it) C.insertBack(it.row(), j) = it.value();
    if (n_box) C.insertBack(m + j, j) = 1.0;
  }
  C.finalize();
  out = std::move(C);
}

// The power of two nearest to v > 0 (in the log): scaling by it is exact.
double nearest_power_of_two(double v) { return std::exp2(std::round(std::log2(v))); }

// One sweep's scaling factor from an infinity norm: 1/sqrt(norm), with empty rows left alone.
double inverse_sqrt(double norm) { return norm > 1e-10 ? 1.0 / std::sqrt(norm) : 1.0; }

void scale_matrix(SparseMatrix& M, const Vector& row_scale, const Vector& col_scale) {
  for (int j = 0; j < M.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(M, j); it; ++it)
      it.valueRef() *= row_scale[it.row()] * col_scale[j];
}

// The cost factor of compute(): the power of two nearest to 1/max(mean column max of H,
// ‖g‖∞), clamped to [1e-4, 1e4]. `applied` is the factor H already carries (1 in compute()).
double cost_factor(const SparseMatrix& H, const Vector& g, double applied) {
  const int n = static_cast<int>(H.cols());
  double h_norm = 0.0;
  for (int j = 0; j < n; ++j) {
    double col = 0.0;
    for (SparseMatrix::InnerIterator it(H, j); it; ++it) col = std::max(col, std::abs(it.value()));
    h_norm += col / applied;
  }
  h_norm = n > 0 ? h_norm / n : 0.0;
  const double g_norm = g.size() ? g.lpNorm<Eigen::Infinity>() : 0.0;
  const double scale = std::max(h_norm, g_norm);
  return scale > 1e-10 ? nearest_power_of_two(std::clamp(1.0 / scale, 1e-4, 1e4)) : 1.0;
}

}  // namespace

void RuizScaling::compute(const Problem& problem, int iterations) {
  const int n = problem.n(), n_eq = problem.n_eq();
  H = problem.H;
  A = problem.A;
  stack_box_rows(problem, C);
  n_box = static_cast<int>(C.rows()) - problem.n_in();
  const int n_in = static_cast<int>(C.rows());
  g = problem.g;
  b = problem.b;
  l.resize(n_in);
  u.resize(n_in);
  l.head(problem.n_in()) = problem.l;
  u.head(problem.n_in()) = problem.u;
  if (n_box) {
    l.tail(n_box) = problem.lb;
    u.tail(n_box) = problem.ub;
  }

  d = Vector::Ones(n);
  e = Vector::Ones(n_eq);
  f = Vector::Ones(n_in);
  c = 1.0;
  // Each sweep reads the norms of the currently scaled matrix, diag(d, e, f)·K·diag(d, e, f),
  // entry by entry, and only the final factors are applied to the matrices: one pass over
  // the entries per sweep instead of a norm pass and a scaling pass (the scaling pass was
  // half of Ruiz's time, and Ruiz a tenth of a dense n = 100 setup + solve).
  // (Members, not locals: a re-equilibration by Solver::update allocates nothing.)
  Vector &dd = sweep_d_, &de = sweep_e_, &df = sweep_f_;
  dd.resize(n);
  de.resize(n_eq);
  df.resize(n_in);
  for (int sweep = 0; sweep < iterations; ++sweep) {
    // Infinity norms of the KKT columns: x-columns see H, A and C; constraint columns
    // see their row of A or C.
    dd.setZero();
    de.setZero();
    df.setZero();
    for (int j = 0; j < n; ++j) {
      const double dj = d[j];
      double column = 0.0;
      for (SparseMatrix::InnerIterator it(H, j); it; ++it)
        column = std::max(column, std::abs(it.value()) * d[it.row()]);
      for (SparseMatrix::InnerIterator it(A, j); it; ++it) {
        const double v = std::abs(it.value()) * e[it.row()];
        column = std::max(column, v);
        de[it.row()] = std::max(de[it.row()], v * dj);
      }
      for (SparseMatrix::InnerIterator it(C, j); it; ++it) {
        const double v = std::abs(it.value()) * f[it.row()];
        column = std::max(column, v);
        df[it.row()] = std::max(df[it.row()], v * dj);
      }
      dd[j] = column * dj;
    }
    double worst = 0.0;
    for (int j = 0; j < n; ++j) worst = std::max(worst, std::abs(1.0 - dd[j]));
    for (int i = 0; i < n_eq; ++i) worst = std::max(worst, std::abs(1.0 - de[i]));
    for (int i = 0; i < n_in; ++i) worst = std::max(worst, std::abs(1.0 - df[i]));
    for (int j = 0; j < n; ++j) d[j] *= inverse_sqrt(dd[j]);
    for (int i = 0; i < n_eq; ++i) e[i] *= inverse_sqrt(de[i]);
    for (int i = 0; i < n_in; ++i) f[i] *= inverse_sqrt(df[i]);
    if (worst < 1e-3) break;  // already equilibrated: further sweeps change nothing useful
  }
  // Factors rounded to powers of two: scaling and unscaling are then exact, so the scaled
  // problem is the user's problem in other units, not a rounded copy of it, and a solution
  // maps back without rounding (the equilibration is off by at most √2 per row or column).
  for (Vector* v : {&d, &e, &f}) *v = v->unaryExpr(&nearest_power_of_two);
  scale_matrix(H, d, d);
  scale_matrix(A, e, d);
  scale_matrix(C, f, d);
  g.array() *= d.array();
  b.array() *= e.array();
  l.array() *= f.array();  // ±inf stays ±inf since f > 0
  u.array() *= f.array();

  // Cost scaling: bring the objective's gradient and curvature to order one.
  cost_scaled = iterations > 0;
  if (cost_scaled) {
    c = cost_factor(H, g, 1.0);
    H *= c;
    g *= c;
  }
}

bool RuizScaling::rescale_cost(const Problem& problem) {
  g = problem.g.cwiseProduct(d);
  // H holds c·DHD: dividing by the power of two c is exact, so the norm below is the one
  // compute() took before applying c.
  const double next = cost_scaled ? cost_factor(H, g, c) : 1.0;
  g *= next;
  if (next == c) return false;
  H *= next / c;  // a power of two: exact
  c = next;
  return true;
}

void RuizScaling::rescale_bounds(const Problem& problem) {
  const int m = problem.n_in();
  b = problem.b.cwiseProduct(e);
  l.head(m) = problem.l.cwiseProduct(f.head(m));
  u.head(m) = problem.u.cwiseProduct(f.head(m));
  if (n_box) {
    l.tail(n_box) = problem.lb.cwiseProduct(f.tail(n_box));
    u.tail(n_box) = problem.ub.cwiseProduct(f.tail(n_box));
  }
}

}  // namespace qplayer
