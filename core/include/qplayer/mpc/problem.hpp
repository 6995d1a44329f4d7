// The optimal-control problem an MPC front end takes: linear (time-varying or time-invariant)
// dynamics, quadratic stage and terminal costs, boxes and general stage constraints over a
// horizon of N stages. build_qp (layout.hpp) turns it into a banded sparse qplayer::Problem.
#pragma once

#include "qplayer/problem.hpp"

#include <Eigen/Dense>

#include <vector>

namespace qplayer::mpc {

/// Stage k (k = 0..N-1) of the horizon. Empty matrices and vectors mean "absent" (zero
/// cost/offset, no bound, no constraint), so a user only fills what the model has.
///   dynamics    x_{k+1} = A x_k + B u_k + c
///   cost        ½ x_kᵀ Q x_k + ½ u_kᵀ R u_k + u_kᵀ S x_k + qᵀ x_k + rᵀ u_k
///   boxes       x_min ≤ x_k ≤ x_max,  u_min ≤ u_k ≤ u_max   (entries may be ±infinity)
///   general     lo ≤ D x_k + E u_k ≤ hi
/// Stage 0's state box applies to x_0 = x_init as well: leave it empty when the measured
/// state must never make the QP infeasible.
struct Stage {
  Eigen::MatrixXd A;  ///< nx x nx (required)
  Eigen::MatrixXd B;  ///< nx x nu (required)
  Vector c;           ///< nx, affine term of the dynamics

  Eigen::MatrixXd Q;  ///< nx x nx, symmetric
  Eigen::MatrixXd R;  ///< nu x nu, symmetric
  Eigen::MatrixXd S;  ///< nu x nx, cross term
  Vector q;           ///< nx
  Vector r;           ///< nu

  Vector x_min, x_max;  ///< nx each
  Vector u_min, u_max;  ///< nu each

  Eigen::MatrixXd D;  ///< n_con x nx (may be empty if E is given)
  Eigen::MatrixXd E;  ///< n_con x nu (may be empty if D is given)
  Vector lo, hi;      ///< n_con each

  /// Rows of the general constraint (0 without one).
  int n_con() const;
};

/// Cost and constraints on the final state x_N.
struct Terminal {
  Eigen::MatrixXd Q;    ///< nx x nx, symmetric (P from a Riccati equation, or just Q)
  Vector q;             ///< nx
  Vector x_min, x_max;  ///< nx each
  Eigen::MatrixXd D;    ///< n_con x nx: lo ≤ D x_N ≤ hi
  Vector lo, hi;

  int n_con() const { return static_cast<int>(D.rows()); }
};

/// The whole horizon. `stages.size()` is N; every stage has the same nx and nu.
struct MpcProblem {
  int nx = 0;
  int nu = 0;
  std::vector<Stage> stages;
  Terminal terminal;
  Vector x_init;  ///< nx, the measured state (enters as the equality rows x_0 = x_init)

  int horizon() const { return static_cast<int>(stages.size()); }

  /// Time-invariant problem: `stage` repeated N times.
  static MpcProblem time_invariant(const Stage& stage, const Terminal& terminal, int horizon,
                                   const Vector& x_init);

  /// Checks every dimension, finiteness, symmetry of Q/R and order of the bounds; throws
  /// InvalidProblem whose message names the stage and the field ("mpc: stage 3: B is 12 x 4,
  /// expected 12 x 5").
  void validate() const;
};

}  // namespace qplayer::mpc
