// The MPC front end's QP (qplayer/mpc/layout.hpp): equal, entry by entry, to one written out
// by hand on a small LTV case; written to QPS and read back unchanged; bad input rejected
// with messages naming stage and field; the model helpers (expm, Riccati) checked against
// their definitions.
#include "qplayer/mpc/layout.hpp"
#include "qplayer/mpc/models.hpp"
#include "qplayer/qps.hpp"

#include <doctest/doctest.h>
#include <unistd.h>
#include <unsupported/Eigen/MatrixFunctions>

#include <cstdio>
#include <limits>
#include <string>

using namespace qplayer;
using namespace qplayer::mpc;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Vector vec(std::initializer_list<double> v) {
  Vector out(static_cast<Eigen::Index>(v.size()));
  Eigen::Index i = 0;
  for (double e : v) out(i++) = e;
  return out;
}

Eigen::MatrixXd mat(int rows, int cols, std::initializer_list<double> row_major) {
  Eigen::MatrixXd m(rows, cols);
  auto it = row_major.begin();
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) m(i, j) = *it++;
  return m;
}

// N = 2, nx = 2, nu = 1, time-varying, every kind of term present somewhere.
MpcProblem small_case() {
  MpcProblem p;
  p.nx = 2, p.nu = 1;
  p.x_init = vec({0.3, -0.7});
  Stage s0;
  s0.A = mat(2, 2, {1, 0.1, 0.2, 0.9});
  s0.B = mat(2, 1, {0, 0.5});
  s0.c = vec({0.1, -0.2});
  s0.Q = mat(2, 2, {2, 0.5, 0.5, 1});
  s0.R = mat(1, 1, {3});
  s0.S = mat(1, 2, {0.4, -0.1});
  s0.q = vec({1, 2});
  s0.r = vec({-1});
  s0.x_min = vec({-5, -kInf});
  s0.x_max = vec({5, 6});
  s0.u_min = vec({-0.5});
  s0.u_max = vec({0.5});
  s0.D = mat(1, 2, {1, 1});
  s0.E = mat(1, 1, {2});
  s0.lo = vec({-1});
  s0.hi = vec({1});
  Stage s1;  // no c, S, q, boxes or constraint; other A, B
  s1.A = mat(2, 2, {0.5, 0, 0.3, 1.1});
  s1.B = mat(2, 1, {1, -1});
  s1.Q = mat(2, 2, {4, 0, 0, 5});
  s1.R = mat(1, 1, {7});
  s1.r = vec({0.25});
  p.stages = {s0, s1};
  p.terminal.Q = mat(2, 2, {6, 1, 1, 8});
  p.terminal.q = vec({-3, 0});
  p.terminal.x_min = vec({-2, -2});
  p.terminal.x_max = vec({2, kInf});
  p.terminal.D = mat(1, 2, {1, -1});
  p.terminal.lo = vec({-kInf});
  p.terminal.hi = vec({0.5});
  return p;
}

void check_equal(const SparseMatrix& got, const Eigen::MatrixXd& expected, const char* name) {
  INFO(name);
  REQUIRE(got.rows() == expected.rows());
  REQUIRE(got.cols() == expected.cols());
  const Eigen::MatrixXd dense(got);
  for (Eigen::Index i = 0; i < expected.rows(); ++i)
    for (Eigen::Index j = 0; j < expected.cols(); ++j) {
      INFO("(" << i << ", " << j << ")");
      CHECK(dense(i, j) == expected(i, j));
    }
}

void check_equal(const Vector& got, const Vector& expected, const char* name) {
  INFO(name);
  REQUIRE(got.size() == expected.size());
  for (Eigen::Index i = 0; i < expected.size(); ++i) {
    INFO("entry " << i);
    CHECK(got(i) == expected(i));
  }
}

}  // namespace

TEST_CASE("mpc: the front end's QP equals the hand-built one (N=2, nx=2, nu=1)") {
  const Problem qp = build_qp(small_case());
  // Variables (x0a, x0b, u0, x1a, x1b, u1, x2a, x2b).
  const Eigen::MatrixXd H = mat(8, 8, {2,   0.5, 0.4, 0, 0, 0, 0, 0,  //
                                       0.5, 1,   -.1, 0, 0, 0, 0, 0,  //
                                       0.4, -.1, 3,   0, 0, 0, 0, 0,  //
                                       0,   0,   0,   4, 0, 0, 0, 0,  //
                                       0,   0,   0,   0, 5, 0, 0, 0,  //
                                       0,   0,   0,   0, 0, 7, 0, 0,  //
                                       0,   0,   0,   0, 0, 0, 6, 1,  //
                                       0,   0,   0,   0, 0, 0, 1, 8});
  // Rows: x0 = x_init; x1 - A0 x0 - B0 u0 = c0; x2 - A1 x1 - B1 u1 = 0.
  const Eigen::MatrixXd A = mat(6, 8, {1,    0,    0,    0,    0,    0,  0, 0,  //
                                       0,    1,    0,    0,    0,    0,  0, 0,  //
                                       -1,   -0.1, 0,    1,    0,    0,  0, 0,  //
                                       -0.2, -0.9, -0.5, 0,    1,    0,  0, 0,  //
                                       0,    0,    0,    -0.5, 0,    -1, 1, 0,  //
                                       0,    0,    0,    -0.3, -1.1, 1,  0, 1});
  // Rows: stage 0's x0a + x0b + 2 u0, the terminal x2a - x2b.
  const Eigen::MatrixXd C = mat(2, 8,
                                {1, 1, 2, 0, 0, 0, 0, 0,  //
                                 0, 0, 0, 0, 0, 0, 1, -1});
  check_equal(qp.H, H, "H");
  check_equal(qp.A, A, "A");
  check_equal(qp.C, C, "C");
  check_equal(qp.g, vec({1, 2, -1, 0, 0, 0.25, -3, 0}), "g");
  check_equal(qp.b, vec({0.3, -0.7, 0.1, -0.2, 0, 0}), "b");
  check_equal(qp.l, vec({-1, -kInf}), "l");
  check_equal(qp.u, vec({1, 0.5}), "u");
  check_equal(qp.lb, vec({-5, -kInf, -0.5, -kInf, -kInf, -kInf, -2, -2}), "lb");
  check_equal(qp.ub, vec({5, 6, 0.5, kInf, kInf, kInf, 2, kInf}), "ub");

  const Layout layout(small_case());
  CHECK(layout.n() == 8);
  CHECK(layout.n_eq() == 6);
  CHECK(layout.n_in() == 2);
  CHECK(layout.u_offset(1) == 5);
  CHECK(layout.dynamics_row(1) == 4);
  CHECK(layout.con_rows(1) == 0);
  CHECK(layout.con_row(2) == 1);
}

TEST_CASE("mpc: the QP written as QPS reads back unchanged") {
  const Problem qp = build_qp(small_case());
  const std::string path = "/tmp/qplayer_test_mpc_" + std::to_string(::getpid()) + ".qps";
  write_qps(qp, path);
  const Problem back = read_qps(path);
  std::remove(path.c_str());
  check_equal(back.H, Eigen::MatrixXd(qp.H), "H");
  check_equal(back.A, Eigen::MatrixXd(qp.A), "A");
  check_equal(back.C, Eigen::MatrixXd(qp.C), "C");
  check_equal(back.g, qp.g, "g");
  check_equal(back.b, qp.b, "b");
  check_equal(back.l, qp.l, "l");
  check_equal(back.u, qp.u, "u");
  check_equal(back.lb, qp.lb, "lb");
  check_equal(back.ub, qp.ub, "ub");
}

TEST_CASE("mpc: bad input names the stage and the field") {
  auto message = [](const MpcProblem& p) {
    try {
      build_qp(p);
    } catch (const InvalidProblem& e) {
      return std::string(e.what());
    }
    return std::string("(no exception)");
  };
  MpcProblem p = small_case();
  p.stages[1].B = mat(2, 2, {1, 0, 0, 1});
  CHECK(message(p) == "mpc: stage 1: B is 2 x 2, expected 2 x 1");
  p = small_case();
  p.stages[0].Q(0, 1) = 0.7;
  CHECK(message(p) == "mpc: stage 0: Q is not symmetric");
  p = small_case();
  p.stages[0].lo(0) = 2;
  CHECK(message(p) == "mpc: stage 0: lo(0) = 2 > hi(0) = 1");
  p = small_case();
  p.stages[0].u_max = vec({0.5, 1});
  CHECK(message(p) == "mpc: stage 0: u_max has size 2, expected 1");
  p = small_case();
  p.terminal.hi = Vector();
  CHECK(message(p).find("mpc: terminal: lo and hi have sizes 1 and 0") == 0);
  p = small_case();
  p.x_init = vec({1, 2, 3});
  CHECK(message(p) == "mpc: problem: x_init has size 3, expected 2");
  p = small_case();
  p.stages[1].c = vec({0, std::nan("")});
  CHECK(message(p) == "mpc: stage 1: c(1) is nan");
  p = small_case();
  p.stages.clear();
  CHECK(message(p) == "mpc: problem: the horizon is empty (no stages)");
  CHECK_THROWS_AS(MpcProblem::time_invariant(small_case().stages[0], Terminal(), 0, vec({0, 0})),
                  InvalidProblem);
}

TEST_CASE("mpc: expm and the discretization agree with their definitions") {
  Eigen::MatrixXd m(3, 3);
  m << 0.1, 2.0, -1.0, -3.0, 0.4, 0.5, 0.0, 7.0, -0.2;  // 1-norm 9.4: needs squarings
  const Eigen::MatrixXd ours = expm(m);
  const Eigen::MatrixXd eigen = m.exp();
  CHECK((ours - eigen).cwiseAbs().maxCoeff() <= 1e-12 * eigen.cwiseAbs().maxCoeff());
  CHECK((expm(m) * expm(-m) - Eigen::MatrixXd::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-10);

  // Zero-order hold of a double integrator: A = [1 dt; 0 1], B = [dt²/2; dt].
  Eigen::MatrixXd Ac(2, 2), Bc(2, 1), A, B;
  Ac << 0, 1, 0, 0;
  Bc << 0, 1;
  discretize(Ac, Bc, 0.5, A, B);
  CHECK(A(0, 1) == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(A(0, 0) == doctest::Approx(1.0).epsilon(1e-14));
  CHECK(B(0, 0) == doctest::Approx(0.125).epsilon(1e-14));
  CHECK(B(1, 0) == doctest::Approx(0.5).epsilon(1e-14));
}

TEST_CASE("mpc: the Riccati terminal cost solves the Riccati equation") {
  OscillatingMasses model;
  model.masses = 4;
  const MpcProblem p = model.build();
  const Eigen::MatrixXd& A = p.stages[0].A;
  const Eigen::MatrixXd& B = p.stages[0].B;
  const Eigen::MatrixXd& P = p.terminal.Q;
  const Eigen::MatrixXd Q = Eigen::MatrixXd::Identity(8, 8), R = Eigen::MatrixXd::Identity(3, 3);
  const Eigen::MatrixXd rhs =
      Q + A.transpose() * P * A -
      A.transpose() * P * B * (R + B.transpose() * P * B).inverse() * B.transpose() * P * A;
  CHECK((rhs - P).cwiseAbs().maxCoeff() <= 1e-9 * P.cwiseAbs().maxCoeff());
  CHECK(P.selfadjointView<Eigen::Lower>().ldlt().isPositive());
  CHECK(p.nx == 8);
  CHECK(p.nu == 3);
  // Springs conserve energy and the walls hold the chain: the discrete A is not unstable
  // beyond round-off (spectral radius 1, undamped).
  const double radius = A.eigenvalues().cwiseAbs().maxCoeff();
  CHECK(radius == doctest::Approx(1.0).epsilon(1e-10));
}
