// Where each stage of an MpcProblem lives in the QP, and the QP itself.
//
// Variables are stage-interleaved, (x_0, u_0, x_1, u_1, ..., x_{N-1}, u_{N-1}, x_N), and so
// are the rows: equalities (x_0 = x_init, then x_{k+1} - A_k x_k - B_k u_k = c_k for k = 0..N-1)
// and general inequality rows (stage 0's, stage 1's, ..., the terminal ones). H is block
// diagonal and every row touches two neighbouring stages at most, so the KKT matrix is banded
// up to a permutation a fill-reducing ordering finds. Boxes go to lb/ub (±infinity where a
// stage has none), so the solver keeps one box row per variable and a bound can change value
// without changing the pattern.
#pragma once

#include "qplayer/mpc/problem.hpp"
#include "qplayer/problem.hpp"

namespace qplayer::mpc {

class Layout {
 public:
  Layout() = default;
  explicit Layout(const MpcProblem& problem);

  int nx() const { return nx_; }
  int nu() const { return nu_; }
  int horizon() const { return horizon_; }
  int n() const { return horizon_ * (nx_ + nu_) + nx_; }
  int n_eq() const { return (horizon_ + 1) * nx_; }
  int n_in() const { return con_offset_.back(); }

  /// Offset of x_k (k = 0..N) and u_k (k = 0..N-1) in the QP variable.
  int x_offset(int k) const { return k * (nx_ + nu_); }
  int u_offset(int k) const { return k * (nx_ + nu_) + nx_; }
  /// First equality row of x_0 = x_init (row 0) and of stage k's dynamics (k = 0..N-1).
  int init_row() const { return 0; }
  int dynamics_row(int k) const { return (k + 1) * nx_; }
  /// First inequality row and row count of stage k's general constraint (k = N: terminal).
  int con_row(int k) const { return con_offset_[k]; }
  int con_rows(int k) const { return con_offset_[k + 1] - con_offset_[k]; }

 private:
  int nx_ = 0, nu_ = 0, horizon_ = 0;
  std::vector<int> con_offset_ = {0};  ///< N + 2 entries
};

/// The QP of `problem` (validated first; throws InvalidProblem). Exact zeros of the dense
/// blocks are dropped from the patterns. Controller::update_problem writes later values into
/// those patterns (refill_qp): a new zero stays an explicit zero, a new nonzero outside them
/// is refused (Solver::update: pattern differs).
Problem build_qp(const MpcProblem& problem);

/// The vector parts only, written into vectors already sized by a previous build_qp (no
/// allocation): g from q, r and the terminal q; b from x_init and the c_k.
void build_g(const MpcProblem& problem, const Layout& layout, Vector& g);
void build_b(const MpcProblem& problem, const Layout& layout, Vector& b);

/// Writes the QP of `problem` into `qp`, which holds the QP of a problem of the same layout
/// (built by build_qp): values into its patterns, vectors in place, no allocation (an LTV
/// model's new matrices every step). Does not validate `problem`. Returns false, with qp's
/// matrices left unspecified, when a nonzero of `problem` lies outside those patterns.
bool refill_qp(const MpcProblem& problem, const Layout& layout, Problem& qp);

}  // namespace qplayer::mpc
