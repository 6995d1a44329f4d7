// Every Status value is reachable, each on a problem where it is the only honest answer, and
// infeasibility certificates are checked against the original data (kkt_check.hpp).
#include "kkt_check.hpp"
#include "qplayer/solver.hpp"

#include <Eigen/Eigenvalues>
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace qplayer;

using qplayer_test::none;
using qplayer_test::tight;
using qplayer_test::vec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

bool all_finite(const Result& r) {
  return r.x.allFinite() && r.y.allFinite() && r.z.allFinite() && r.z_box.allFinite();
}

// A valid Farkas certificate: value < 0, no mass on infinite bounds, and the radius it proves
// free of feasible points, −value/residual (user units, ℓ1), at least what the solver claims:
// (1 + ‖x‖₁)/eps_primal_inf at its iterate, and Info::infeasibility_radius.
void check_primal_certificate(const Problem& p, const Result& r, double eps_primal_inf) {
  REQUIRE(r.info.status == Status::PrimalInfeasible);
  const auto c = qplayer_test::primal_certificate(p, r);
  REQUIRE(c.sized);
  INFO("residual " << c.residual << ", value " << c.value << ", sign " << c.sign << ", norm "
                   << c.norm << ", claimed radius " << r.info.infeasibility_radius);
  CHECK(c.norm > 0.0);
  CHECK(c.value < 0.0);
  CHECK(c.sign == 0.0);
  CHECK(c.residual * (1.0 + r.x.lpNorm<1>()) <= eps_primal_inf * std::abs(c.value));
  CHECK(c.residual * r.info.infeasibility_radius <= (1.0 + 1e-9) * std::abs(c.value));
}

// The same problem at the default certificate strength and at a much stronger one (no
// feasible point within ℓ1 radius 1e6·(1 + ‖x‖₁)).
void check_primal_certificates(const Problem& p) {
  for (const double eps : {Settings().eps_primal_inf, 1e-6}) {
    CAPTURE(eps);
    Settings s = tight();
    s.eps_primal_inf = eps;
    Solver solver(p, s);
    check_primal_certificate(p, solver.solve(), eps);
  }
}

// A valid unboundedness direction (normalized to ‖d‖∞ = 1): gᵀd < 0 and every condition of
// the recession cone met to 1e-6·|gᵀd|.
void check_dual_certificate(const Problem& p, const Result& r) {
  REQUIRE(r.info.status == Status::DualInfeasible);
  const auto c = qplayer_test::dual_certificate(p, r);
  REQUIRE(c.sized);
  INFO("Hd " << c.hd << ", Ad " << c.ad << ", cone " << c.cone << ", gd " << c.gd);
  CHECK(c.gd < 0.0);
  CHECK(c.hd <= 1e-6 * std::abs(c.gd));
  CHECK(c.ad <= 1e-6 * std::abs(c.gd));
  CHECK(c.cone <= 1e-6 * std::abs(c.gd));
}

qplayer_test::Planted nontrivial(int n, unsigned seed) {
  qplayer_test::PlantedSpec spec;
  spec.n = n, spec.n_eq = n / 5, spec.n_in = n, spec.box = true, spec.seed = seed;
  return qplayer_test::planted_qp(spec);
}

}  // namespace

TEST_CASE("status: the certificate checks accept derived certificates and reject others") {
  // x1 + x2 = 1, x1 + x2 = 2: y = (1, −1) is a certificate (Aᵀy = 0, bᵀy = −1); y = (1, 1) is
  // not (Aᵀy ≠ 0), nor is y = (−1, 1) (bᵀy = 1 > 0). Guards the helper the tests rely on.
  Eigen::MatrixXd A(2, 2);
  A << 1, 1, 1, 1;
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), A, vec({1, 2}), none(2), Vector(),
                  Vector());
  Result r;
  r.cert_z = Vector(0);
  r.cert_y = vec({1, -1});
  auto c = qplayer_test::primal_certificate(p, r);
  CHECK((c.sized && c.residual == 0.0 && c.value == -1.0));
  r.cert_y = vec({1, 1});
  CHECK(qplayer_test::primal_certificate(p, r).residual == 2.0);
  r.cert_y = vec({-1, 1});
  CHECK(qplayer_test::primal_certificate(p, r).value == 1.0);
  // min −x1, x1 − x2 = 0, x ≥ 0: d = (1, 1) is a ray; d = (1, 0) breaks Ad = 0 and
  // d = (−1, −1) leaves the box's recession cone.
  Eigen::MatrixXd B(1, 2);
  B << 1, -1;
  const Problem lp(Eigen::MatrixXd::Zero(2, 2), vec({-1, 0}), B, vec({0}), none(2), Vector(),
                   Vector(), vec({0, 0}), vec({kInf, kInf}));
  r.cert_x = vec({2, 2});
  const auto d = qplayer_test::dual_certificate(lp, r);
  CHECK((d.sized && d.gd == -1.0 && d.hd == 0.0 && d.ad == 0.0 && d.cone == 0.0));
  r.cert_x = vec({1, 0});
  CHECK(qplayer_test::dual_certificate(lp, r).ad == 1.0);
  r.cert_x = vec({-1, -1});
  CHECK(qplayer_test::dual_certificate(lp, r).cone == 1.0);
}

TEST_CASE("status: NotRun before the first solve, Solved after it") {
  const auto pl = nontrivial(20, 3);
  Solver solver(pl.problem, tight());
  CHECK(solver.result().info.status == Status::NotRun);
  CHECK(solver.solve().info.status == Status::Solved);
  CHECK(std::string(to_string(Status::Solved)) == "solved");
}

TEST_CASE("status: MaxIterReached") {
  // A 60-variable problem with ~half its rows active cannot be solved in one Newton step.
  const auto pl = nontrivial(60, 5);
  {
    Settings s = tight();
    s.max_iter = 1;
    Solver solver(pl.problem, s);
    const Result& r = solver.solve();
    CHECK(r.info.status == Status::MaxIterReached);
    CHECK(r.info.inner_iterations <= 1);
    CHECK(qplayer_test::dims_ok(pl.problem, r));
    CHECK(all_finite(r));
  }
  {
    Settings s = tight();
    s.max_outer_iter = 1;
    Solver solver(pl.problem, s);
    const Result& r = solver.solve();
    CHECK(r.info.status == Status::MaxIterReached);
    CHECK(r.info.outer_iterations <= 1);
  }
}

TEST_CASE("status: TimeLimitReached") {
  // 400 variables, dense: one factorization alone takes far more than the 1 µs allowed.
  const auto pl = nontrivial(400, 7);
  Settings s = tight();
  s.time_limit = 1e-6;
  Solver solver(pl.problem, s);
  const Result& r = solver.solve();
  CHECK(r.info.status == Status::TimeLimitReached);
  CHECK(qplayer_test::dims_ok(pl.problem, r));
  CHECK(all_finite(r));
}

TEST_CASE("status: PrimalInfeasible with contradicting equalities") {
  // x1 + x2 = 1 and x1 + x2 = 2: y = (t, −t) gives Aᵀy = 0 and bᵀy = −t < 0 for t > 0.
  Eigen::MatrixXd A(2, 2);
  A << 1, 1, 1, 1;
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), A, vec({1, 2}), none(2), Vector(),
                  Vector());
  check_primal_certificates(p);
}

TEST_CASE("status: PrimalInfeasible with an inequality contradicting the box") {
  // 3 ≤ x1 + x2 with 0 ≤ x ≤ 1: z = −1 (lower side), z_box = (1, 1) (upper sides) gives
  // Cᵀz + z_box = 0 and lᵀ[z]₋ + ubᵀ[z_box]₊ = −3 + 2 = −1 < 0.
  Eigen::MatrixXd C(1, 2);
  C << 1, 1;
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({1, -1}), none(2), Vector(), C, vec({3}),
                  vec({kInf}), vec({0, 0}), vec({1, 1}));
  check_primal_certificates(p);
}

TEST_CASE("status: PrimalInfeasible with two-sided rows only, LP") {
  // x1 − x2 ≥ 1 and x2 − x1 ≥ 1 sum to 0 ≥ 2: z = (−1, −1) gives Cᵀz = 0 and lᵀz = −2 < 0.
  // g = (1, −1) keeps the dual feasible (g + Cᵀz = 0 for z = (t, t + 1)), so the problem is
  // only primal infeasible: with g = (1, 1) d = (−1, −1) would also certify unboundedness.
  Eigen::MatrixXd C(2, 2);
  C << 1, -1, -1, 1;
  const Problem p(Eigen::MatrixXd::Zero(2, 2), vec({1, -1}), none(2), Vector(), C, vec({1, 1}),
                  vec({5, 5}));
  check_primal_certificates(p);
}

TEST_CASE("status: DualInfeasible, LP unbounded below") {
  // min −x1 s.t. x1 − x2 = 0, x ≥ 0: d = (1, 1) keeps Ad = 0, d ≥ 0, and gᵀd = −1 < 0.
  Eigen::MatrixXd A(1, 2);
  A << 1, -1;
  const Problem p(Eigen::MatrixXd::Zero(2, 2), vec({-1, 0}), A, vec({0}), none(2), Vector(),
                  Vector(), vec({0, 0}), vec({kInf, kInf}));
  Solver solver(p, tight());
  check_dual_certificate(p, solver.solve());
}

TEST_CASE("status: DualInfeasible, PSD QP unbounded along the kernel of H") {
  // min ½x1² − x2 s.t. x1 + x2 ≥ 0: d = (0, 1): Hd = 0, Cd = 1 ≥ 0 (lower bound finite),
  // gᵀd = −1 < 0. H is PSD, so the problem is convex and honestly unbounded.
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(2, 2), C(1, 2);
  H(0, 0) = 1;
  C << 1, 1;
  const Problem p(H, vec({0, -1}), none(2), Vector(), C, vec({0}), vec({kInf}));
  Solver solver(p, tight());
  check_dual_certificate(p, solver.solve());
}

TEST_CASE("status: NonConvex, indefinite H along a free direction") {
  // H = diag(1, −1): ½x1² − ½x2² is unbounded below along x2, and no constraint touches x2.
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(2, 2);
  H(0, 0) = 1, H(1, 1) = -1;
  {
    const Problem p(H, vec({0.5, 0.5}), none(2), Vector(), none(2), Vector(), Vector());
    Solver solver(p, tight());
    CHECK(solver.solve().info.status == Status::NonConvex);
  }
  {
    // With x1 = 1 fixed by an equality and a box that leaves x2 free.
    Eigen::MatrixXd A(1, 2);
    A << 1, 0;
    const Problem p(H, vec({0, 0}), A, vec({1}), none(2), Vector(), Vector(), vec({-1, -kInf}),
                    vec({2, kInf}));
    Solver solver(p, tight());
    CHECK(solver.solve().info.status == Status::NonConvex);
  }
}

TEST_CASE("status: NonConvex, indefinite H on a bounded box") {
  // −x2² on −1 ≤ x2 ≤ 1 has minimizers at both ends and a stationary point at 0: H is not PSD,
  // the contract (status.hpp) says the inertia check reports it rather than a local answer.
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(3, 3);
  H(0, 0) = 2, H(1, 1) = -2, H(2, 2) = 1;
  H(0, 2) = H(2, 0) = 0.5;
  const Problem p(H, vec({1, 0.1, -1}), none(3), Vector(), none(3), Vector(), Vector(),
                  vec({-1, -1, -1}), vec({1, 1, 1}));
  Solver solver(p, tight());
  CHECK(solver.solve().info.status == Status::NonConvex);
}

TEST_CASE("status: NumericalError when the optimal value overflows") {
  // min ½x² over 1e307 ≤ x ≤ 1e308: valid finite data, convex, feasible and bounded, with the
  // solution x = 1e307 representable but the objective ½·1e614 (and the gap term xᵀHx) beyond
  // the double range. Solved cannot be verified, infeasibility and unboundedness are false: the
  // iterates overflow, which the contract calls NumericalError.
  const Problem p(Eigen::MatrixXd::Identity(1, 1), vec({0}), none(1), Vector(), none(1), Vector(),
                  Vector(), vec({1e307}), vec({1e308}));
  Solver solver(p, tight());
  const Result& r = solver.solve();
  INFO("status " << std::string(to_string(r.info.status)));
  CHECK(r.info.status == Status::NumericalError);
}

TEST_CASE("status: no false claim on data beyond the double range") {
  // Each problem is convex, feasible and bounded, but its solution or optimal value is not
  // representable, so Solved cannot be true and neither can an infeasibility, unboundedness
  // or non-convexity claim; running out of budget or NumericalError are the honest answers.
  auto check_honest = [](const Problem& p) {
    Solver solver(p, tight());
    const Status s = solver.solve().info.status;
    INFO("status " << std::string(to_string(s)));
    CHECK((s == Status::NumericalError || s == Status::MaxIterReached ||
           s == Status::TimeLimitReached));
  };
  // x1 = 1e308 and x2 − 10·x1 = 0: the unique feasible point (1e308, 1e309) overflows, and A
  // is invertible, so no Farkas certificate exists (Aᵀy = 0 forces y = 0).
  Eigen::MatrixXd A(2, 2);
  A << 1, 0, -10, 1;
  check_honest(Problem(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), A, vec({1e308, 0}), none(2),
                       Vector(), Vector()));
  // min ½x² − 1e200·x: x = 1e200 is representable, the optimal value −½·1e400 is not.
  check_honest(Problem(Eigen::MatrixXd::Identity(1, 1), vec({-1e200}), none(1), Vector(), none(1),
                       Vector(), Vector()));
}

namespace {

// A Gaussian-kernel correlation matrix (PSD, numerically rank-deficient) written with six
// decimals, as QPS files print VALUES's: the rounding leaves negative eigenvalues at the
// level of the data's round-off.
Eigen::MatrixXd printed_correlation(int n) {
  Eigen::MatrixXd H(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const double d = (i - j) / 8.0;
      H(i, j) = std::round(std::exp(-d * d) * 1e6) / 1e6;
    }
  return H;
}

}  // namespace

TEST_CASE("status: negative curvature at the data's round-off is not NonConvex") {
  const int n = 60;
  const Eigen::MatrixXd H = printed_correlation(n);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(H, Eigen::EigenvaluesOnly);
  const double lambda_min = eig.eigenvalues().minCoeff();
  const double h_norm = H.cwiseAbs().rowwise().sum().maxCoeff();
  INFO("lambda_min " << lambda_min << ", |H|inf " << h_norm);
  // The rounding did make H indefinite, by the round-off of six decimals and no more.
  REQUIRE(lambda_min < 0.0);
  REQUIRE(-lambda_min < 1e-6 * h_norm);
  Vector g(n), lb = Vector::Zero(n), ub = Vector::Constant(n, 10.0);
  for (int i = 0; i < n; ++i) g[i] = std::sin(0.7 * i) - 0.2;
  Eigen::MatrixXd A = Eigen::MatrixXd::Ones(1, n);
  const Problem p(H, g, A, vec({5.0}), none(n), Vector(), Vector(), lb, ub);
  for (Backend backend : qplayer_test::compiled_solver_backends()) {
    INFO("backend " << static_cast<int>(backend));
    Settings s = tight();
    s.backend = backend;
    Solver solver(p, s);
    const Result& r = solver.solve();
    REQUIRE(r.info.status == Status::Solved);
    const auto res = qplayer_test::residuals(p, r);
    INFO("r_p " << res.primal << " r_d " << res.dual << " r_g " << res.gap);
    CHECK(std::max({res.primal, res.dual, res.gap, res.sign}) <= 1e-9);
    // Info says that ρ was held up for it (scaled units: ‖H̃‖∞ is O(1) after equilibration).
    CHECK(r.info.convexity_rho > 0.0);
    CHECK(r.info.rho >= r.info.convexity_rho);
    // Without the tolerance the inertia check sees the negative eigenvalue and says so.
    s.convexity_tolerance = 0.0;
    Solver strict(p, s);
    CHECK(strict.solve().info.status == Status::NonConvex);
  }
}
