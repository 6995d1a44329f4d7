// Model helpers: matrix exponential, zero-order-hold discretization, Riccati terminal cost
// and the oscillating-masses benchmark.
#include "qplayer/mpc/models.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace qplayer::mpc {

Eigen::MatrixXd expm(const Eigen::MatrixXd& m) {
  if (m.rows() != m.cols()) throw std::invalid_argument("expm: matrix is not square");
  if (!m.allFinite()) throw std::invalid_argument("expm: matrix is not finite");
  const Eigen::Index n = m.rows();
  using Mat = Eigen::MatrixXd;
  // Padé [13/13] coefficients and the 1-norm below which it needs no scaling (Higham 2005,
  // "The scaling and squaring method for the matrix exponential revisited", Table 2.3).
  static const double b[] = {64764752532480000.0,
                             32382376266240000.0,
                             7771770303897600.0,
                             1187353796428800.0,
                             129060195264000.0,
                             10559470521600.0,
                             670442572800.0,
                             33522128640.0,
                             1323241920.0,
                             40840800.0,
                             960960.0,
                             16380.0,
                             182.0,
                             1.0};
  constexpr double theta13 = 5.371920351148152;
  const double norm = m.cwiseAbs().colwise().sum().maxCoeff();
  int squarings = 0;
  if (norm > theta13) squarings = static_cast<int>(std::ceil(std::log2(norm / theta13)));
  const Mat a = m / std::ldexp(1.0, squarings);
  const Mat I = Mat::Identity(n, n);
  const Mat a2 = a * a, a4 = a2 * a2, a6 = a4 * a2;
  const Mat u_inner =
      a6 * (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * I;
  const Mat u = a * u_inner;
  const Mat v =
      a6 * (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * I;
  Mat r = (v - u).partialPivLu().solve(v + u);
  for (int i = 0; i < squarings; ++i) r = r * r;
  return r;
}

void discretize(const Eigen::MatrixXd& Ac, const Eigen::MatrixXd& Bc, double dt, Eigen::MatrixXd& A,
                Eigen::MatrixXd& B) {
  const Eigen::Index nx = Ac.rows(), nu = Bc.cols();
  if (Ac.cols() != nx || Bc.rows() != nx)
    throw std::invalid_argument("discretize: Ac must be nx x nx and Bc nx x nu");
  // exp([Ac Bc; 0 0]·dt) = [A B; 0 I]: B = ∫₀^dt exp(Ac s) ds · Bc without inverting Ac.
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(nx + nu, nx + nu);
  m.topLeftCorner(nx, nx) = Ac * dt;
  m.topRightCorner(nx, nu) = Bc * dt;
  const Eigen::MatrixXd e = expm(m);
  A = e.topLeftCorner(nx, nx);
  B = e.topRightCorner(nx, nu);
}

Eigen::MatrixXd riccati(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B,
                        const Eigen::MatrixXd& Q, const Eigen::MatrixXd& R, double tol,
                        int max_iter) {
  Eigen::MatrixXd P = Q;
  for (int it = 0; it < max_iter; ++it) {
    const Eigen::MatrixXd PA = P * A, PB = P * B;
    const Eigen::MatrixXd K = (R + B.transpose() * PB).ldlt().solve(PB.transpose() * A);
    Eigen::MatrixXd next = Q + A.transpose() * PA - (A.transpose() * PB) * K;
    next = 0.5 * (next + next.transpose());  // keep it exactly symmetric for the QP checks
    const double change = (next - P).cwiseAbs().maxCoeff();
    P = std::move(next);
    if (change <= tol * std::max(1.0, P.cwiseAbs().maxCoeff())) return P;
  }
  throw std::runtime_error("riccati: no convergence (is (A, B) stabilizable?)");
}

MpcProblem OscillatingMasses::build() const {
  if (masses < 2) throw std::invalid_argument("OscillatingMasses: needs at least 2 masses");
  const int M = masses, nx = 2 * M, nu = M - 1;
  // Unit masses and springs: the force on mass i is p_{i-1} - 2 p_i + p_{i+1} (walls at 0).
  Eigen::MatrixXd T = -2.0 * Eigen::MatrixXd::Identity(M, M);
  for (int i = 0; i + 1 < M; ++i) T(i, i + 1) = T(i + 1, i) = 1.0;
  // Actuator i sits between masses i and i+1 and pushes them apart.
  Eigen::MatrixXd F = Eigen::MatrixXd::Zero(M, nu);
  for (int i = 0; i < nu; ++i) F(i, i) = 1.0, F(i + 1, i) = -1.0;
  Eigen::MatrixXd Ac = Eigen::MatrixXd::Zero(nx, nx), Bc = Eigen::MatrixXd::Zero(nx, nu);
  Ac.topRightCorner(M, M).setIdentity();
  Ac.bottomLeftCorner(M, M) = T;
  Bc.bottomRows(M) = F;

  Stage s;
  discretize(Ac, Bc, dt, s.A, s.B);
  s.Q = Eigen::MatrixXd::Identity(nx, nx);
  s.R = Eigen::MatrixXd::Identity(nu, nu);
  s.x_min = Vector::Constant(nx, -x_bound);
  s.x_max = Vector::Constant(nx, x_bound);
  s.u_min = Vector::Constant(nu, -u_bound);
  s.u_max = Vector::Constant(nu, u_bound);
  Terminal t;
  t.Q = riccati_terminal ? riccati(s.A, s.B, s.Q, s.R) : s.Q;
  t.x_min = s.x_min;
  t.x_max = s.x_max;
  return MpcProblem::time_invariant(s, t, horizon, Vector::Zero(nx));
}

}  // namespace qplayer::mpc
