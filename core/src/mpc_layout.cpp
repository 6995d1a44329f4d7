// Assembly of the banded QP of an MpcProblem (layout.hpp describes the order of variables
// and rows).
#include "qplayer/mpc/layout.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace qplayer::mpc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Triplets = std::vector<Eigen::Triplet<double, int>>;

/// Copies an optional vector into out.segment(offset, size), or `fill` when it is empty.
void put(Vector& out, int offset, int size, const Vector& value, double fill) {
  if (value.size() == 0)
    out.segment(offset, size).setConstant(fill);
  else
    out.segment(offset, size) = value;
}

SparseMatrix from_triplets(int rows, int cols, const Triplets& t) {
  SparseMatrix m(rows, cols);
  m.setFromTriplets(t.begin(), t.end());
  m.makeCompressed();
  return m;
}

}  // namespace

Layout::Layout(const MpcProblem& problem)
    : nx_(problem.nx), nu_(problem.nu), horizon_(problem.horizon()) {
  con_offset_.assign(static_cast<std::size_t>(horizon_) + 2, 0);
  for (int k = 0; k < horizon_; ++k)
    con_offset_[k + 1] = con_offset_[k] + problem.stages[k].n_con();
  con_offset_[horizon_ + 1] = con_offset_[horizon_] + problem.terminal.n_con();
}

void build_g(const MpcProblem& problem, const Layout& layout, Vector& g) {
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();
  for (int k = 0; k < N; ++k) {
    put(g, layout.x_offset(k), nx, problem.stages[k].q, 0.0);
    put(g, layout.u_offset(k), nu, problem.stages[k].r, 0.0);
  }
  put(g, layout.x_offset(N), nx, problem.terminal.q, 0.0);
}

void build_b(const MpcProblem& problem, const Layout& layout, Vector& b) {
  const int nx = layout.nx();
  b.segment(layout.init_row(), nx) = problem.x_init;
  for (int k = 0; k < layout.horizon(); ++k)
    put(b, layout.dynamics_row(k), nx, problem.stages[k].c, 0.0);
}

namespace {

// Every matrix entry of the QP, in one fixed order: emit(matrix, row, col, value) with matrix 0
// = H, 1 = A, 2 = C. Zeros of the stage blocks are skipped (they are not in the pattern).
template <class Emit>
void visit_entries(const MpcProblem& problem, const Layout& layout, Emit&& emit) {
  const int nx = layout.nx(), N = layout.horizon();
  auto block = [&](int matrix, const auto& m, int row, int col, double sign) {
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i)
        if (m(i, j) != 0.0)
          emit(matrix, row + static_cast<int>(i), col + static_cast<int>(j), sign * m(i, j));
  };
  auto identity = [&](int row, int col) {
    for (int i = 0; i < nx; ++i) emit(1, row + i, col + i, 1.0);
  };
  // H: per stage the symmetric block [Q Sᵀ; S R], both triangles (Problem's convention).
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    block(0, s.Q, layout.x_offset(k), layout.x_offset(k), 1.0);
    block(0, s.R, layout.u_offset(k), layout.u_offset(k), 1.0);
    if (s.S.size()) {
      block(0, s.S, layout.u_offset(k), layout.x_offset(k), 1.0);
      block(0, s.S.transpose(), layout.x_offset(k), layout.u_offset(k), 1.0);
    }
  }
  block(0, problem.terminal.Q, layout.x_offset(N), layout.x_offset(N), 1.0);
  // A: x_0 = x_init, then x_{k+1} - A_k x_k - B_k u_k = c_k.
  identity(layout.init_row(), layout.x_offset(0));
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    const int row = layout.dynamics_row(k);
    block(1, s.A, row, layout.x_offset(k), -1.0);
    block(1, s.B, row, layout.u_offset(k), -1.0);
    identity(row, layout.x_offset(k + 1));
  }
  // C: lo ≤ D x_k + E u_k ≤ hi per stage, then the terminal rows.
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    block(2, s.D, layout.con_row(k), layout.x_offset(k), 1.0);
    block(2, s.E, layout.con_row(k), layout.u_offset(k), 1.0);
  }
  block(2, problem.terminal.D, layout.con_row(N), layout.x_offset(N), 1.0);
}

// l, u of the general rows and the boxes (±infinity where a stage has none).
void fill_bounds(const MpcProblem& problem, const Layout& layout, Vector& l, Vector& u, Vector& lb,
                 Vector& ub) {
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    const int row = layout.con_row(k), m = layout.con_rows(k);
    if (m) {
      l.segment(row, m) = s.lo;
      u.segment(row, m) = s.hi;
    }
    put(lb, layout.x_offset(k), nx, s.x_min, -kInf);
    put(ub, layout.x_offset(k), nx, s.x_max, kInf);
    put(lb, layout.u_offset(k), nu, s.u_min, -kInf);
    put(ub, layout.u_offset(k), nu, s.u_max, kInf);
  }
  const int m_t = layout.con_rows(N);
  if (m_t) {
    l.segment(layout.con_row(N), m_t) = problem.terminal.lo;
    u.segment(layout.con_row(N), m_t) = problem.terminal.hi;
  }
  put(lb, layout.x_offset(N), nx, problem.terminal.x_min, -kInf);
  put(ub, layout.x_offset(N), nx, problem.terminal.x_max, kInf);
}

}  // namespace

Problem build_qp(const MpcProblem& problem) {
  problem.validate();
  const Layout layout(problem);
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();
  Triplets t[3];
  visit_entries(problem, layout, [&](int matrix, int row, int col, double v) {
    t[matrix].emplace_back(row, col, v);
  });
  Vector l(layout.n_in()), u(layout.n_in()), lb(layout.n()), ub(layout.n());
  fill_bounds(problem, layout, l, u, lb, ub);
  const Triplets &h = t[0], &a = t[1], &c = t[2];

  Vector g(layout.n()), b(layout.n_eq());
  build_g(problem, layout, g);
  build_b(problem, layout, b);
  Problem qp(from_triplets(layout.n(), layout.n(), h), std::move(g),
             from_triplets(layout.n_eq(), layout.n(), a), std::move(b),
             from_triplets(layout.n_in(), layout.n(), c), std::move(l), std::move(u), std::move(lb),
             std::move(ub));
  qp.name = "MPC_N" + std::to_string(N);
  qp.variable_names.reserve(static_cast<std::size_t>(layout.n()));
  for (int k = 0; k <= N; ++k) {
    for (int i = 0; i < nx; ++i)
      qp.variable_names.push_back("X" + std::to_string(k) + "_" + std::to_string(i));
    if (k < N)
      for (int i = 0; i < nu; ++i)
        qp.variable_names.push_back("U" + std::to_string(k) + "_" + std::to_string(i));
  }
  return qp;
}

bool refill_qp(const MpcProblem& problem, const Layout& layout, Problem& qp) {
  SparseMatrix* matrices[3] = {&qp.H, &qp.A, &qp.C};
  for (SparseMatrix* m : matrices) std::fill_n(m->valuePtr(), m->nonZeros(), 0.0);
  bool fits = true;
  visit_entries(problem, layout, [&](int matrix, int row, int col, double v) {
    if (!fits) return;
    const SparseMatrix& m = *matrices[matrix];
    const int* begin = m.innerIndexPtr() + m.outerIndexPtr()[col];
    const int* end = m.innerIndexPtr() + m.outerIndexPtr()[col + 1];
    const int* at = std::lower_bound(begin, end, row);  // (compressed: rows sorted)
    if (at == end || *at != row) {
      fits = false;  // a nonzero outside the pattern
      return;
    }
    matrices[matrix]->valuePtr()[at - m.innerIndexPtr()] += v;
  });
  if (!fits) return false;
  fill_bounds(problem, layout, qp.l, qp.u, qp.lb, qp.ub);
  build_g(problem, layout, qp.g);
  build_b(problem, layout, qp.b);
  return true;
}

}  // namespace qplayer::mpc
