// Model helpers for MPC problems: zero-order-hold discretization, the discrete Riccati
// equation for a terminal cost, and the oscillating-masses benchmark model.
#pragma once

#include "qplayer/mpc/problem.hpp"

#include <Eigen/Dense>

namespace qplayer::mpc {

/// exp(M) by scaling and squaring with a degree-13 Padé approximant (Higham 2005): accurate
/// to about machine precision relative to ‖exp(M)‖ for the small matrices of models.
Eigen::MatrixXd expm(const Eigen::MatrixXd& m);

/// Zero-order hold: the (A, B) of x_{k+1} = A x_k + B u_k for dx/dt = Ac x + Bc u over dt,
/// from exp([Ac Bc; 0 0]·dt).
void discretize(const Eigen::MatrixXd& Ac, const Eigen::MatrixXd& Bc, double dt, Eigen::MatrixXd& A,
                Eigen::MatrixXd& B);

/// P of the discrete algebraic Riccati equation P = Q + AᵀPA − AᵀPB(R + BᵀPB)⁻¹BᵀPA, by
/// iterating it from P = Q until the relative change is below `tol` (throws
/// std::runtime_error if `max_iter` iterations do not get there).
Eigen::MatrixXd riccati(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B,
                        const Eigen::MatrixXd& Q, const Eigen::MatrixXd& R, double tol = 1e-12,
                        int max_iter = 100000);

/// The oscillating-masses benchmark: `masses` unit masses in a chain with unit springs
/// between them and to two walls, `masses − 1` actuators each pushing two neighbours apart
/// (nx = 2·masses: positions then velocities, nu = masses − 1), discretized with dt,
/// |x| ≤ 4, |u| ≤ 0.5, Q = I, R = I. Terminal cost: P from the Riccati equation when
/// `riccati_terminal`, else Q. x_init is zero (set it before solving).
struct OscillatingMasses {
  int masses = 6;
  int horizon = 10;
  double dt = 0.5;
  bool riccati_terminal = true;
  double x_bound = 4.0;
  double u_bound = 0.5;

  MpcProblem build() const;
};

}  // namespace qplayer::mpc
