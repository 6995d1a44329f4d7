// Assembly of the banded QP of an MpcProblem (layout.hpp describes the order of variables
// and rows).
#include "qplayer/mpc/layout.hpp"

#include <limits>
#include <vector>

namespace qplayer::mpc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
using Triplets = std::vector<Eigen::Triplet<double, int>>;

/// Adds the nonzeros of `block` at (row, col); `sign` flips it (the dynamics rows hold -A, -B).
void add_block(Triplets& t, const Eigen::MatrixXd& block, int row, int col, double sign = 1.0) {
  for (int j = 0; j < block.cols(); ++j)
    for (int i = 0; i < block.rows(); ++i)
      if (block(i, j) != 0.0) t.emplace_back(row + i, col + j, sign * block(i, j));
}

void add_identity(Triplets& t, int size, int row, int col) {
  for (int i = 0; i < size; ++i) t.emplace_back(row + i, col + i, 1.0);
}

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

Problem build_qp(const MpcProblem& problem) {
  problem.validate();
  const Layout layout(problem);
  const int nx = layout.nx(), nu = layout.nu(), N = layout.horizon();

  // H: per stage the symmetric block [Q Sᵀ; S R], both triangles (Problem's convention).
  Triplets h;
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    add_block(h, s.Q, layout.x_offset(k), layout.x_offset(k));
    add_block(h, s.R, layout.u_offset(k), layout.u_offset(k));
    if (s.S.size()) {
      add_block(h, s.S, layout.u_offset(k), layout.x_offset(k));
      add_block(h, s.S.transpose(), layout.x_offset(k), layout.u_offset(k));
    }
  }
  add_block(h, problem.terminal.Q, layout.x_offset(N), layout.x_offset(N));

  // A: x_0 = x_init, then x_{k+1} - A_k x_k - B_k u_k = c_k.
  Triplets a;
  add_identity(a, nx, layout.init_row(), layout.x_offset(0));
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    const int row = layout.dynamics_row(k);
    add_block(a, s.A, row, layout.x_offset(k), -1.0);
    add_block(a, s.B, row, layout.u_offset(k), -1.0);
    add_identity(a, nx, row, layout.x_offset(k + 1));
  }

  // C: lo ≤ D x_k + E u_k ≤ hi per stage, then the terminal rows.
  Triplets c;
  Vector l(layout.n_in()), u(layout.n_in());
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    const int row = layout.con_row(k), m = layout.con_rows(k);
    add_block(c, s.D, row, layout.x_offset(k));
    add_block(c, s.E, row, layout.u_offset(k));
    if (m) {
      l.segment(row, m) = s.lo;
      u.segment(row, m) = s.hi;
    }
  }
  const int m_t = layout.con_rows(N);
  add_block(c, problem.terminal.D, layout.con_row(N), layout.x_offset(N));
  if (m_t) {
    l.segment(layout.con_row(N), m_t) = problem.terminal.lo;
    u.segment(layout.con_row(N), m_t) = problem.terminal.hi;
  }

  // Boxes: ±infinity where a stage has none.
  Vector lb(layout.n()), ub(layout.n());
  for (int k = 0; k < N; ++k) {
    const Stage& s = problem.stages[k];
    put(lb, layout.x_offset(k), nx, s.x_min, -kInf);
    put(ub, layout.x_offset(k), nx, s.x_max, kInf);
    put(lb, layout.u_offset(k), nu, s.u_min, -kInf);
    put(ub, layout.u_offset(k), nu, s.u_max, kInf);
  }
  put(lb, layout.x_offset(N), nx, problem.terminal.x_min, -kInf);
  put(ub, layout.x_offset(N), nx, problem.terminal.x_max, kInf);

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

}  // namespace qplayer::mpc
