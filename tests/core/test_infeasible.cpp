// Infeasibility detection (which test fired) and the closest-feasible mode (method.md §3):
// hand-made problems with closed-form closest solutions, random infeasible QPs judged by the
// optimality conditions of the closest feasible QP recomputed from the original data,
// unbounded problems, and feasible controls that the mode must leave unchanged.
#include "infeasible_check.hpp"
#include "kkt_check.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <vector>

using namespace qplayer;

using qplayer_test::none;
using qplayer_test::tight;
using qplayer_test::vec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTol = 1e-7;  // on conditions recomputed from the data (solver asks 1e-9)

Settings closest() {
  Settings s = tight();
  s.closest_feasible = true;
  return s;
}

// The closest-feasible optimality conditions, all from the original data.
void check_closest(const Problem& p, const Result& r) {
  INFO("status " << std::string(to_string(r.info.status)));
  REQUIRE(r.info.status == Status::SolvedClosestFeasible);
  CHECK(r.info.infeasibility_test == "primal_farkas");
  const auto c = qplayer_test::closest_check(p, r);
  REQUIRE(c.sized);
  INFO("shift error " << c.shift_error << ", ls " << c.ls << ", shifted r_p " << c.shifted.primal
                      << ", r_d " << c.shifted.dual << ", r_g " << c.shifted.gap << ", sign "
                      << c.shifted.sign << ", |s| " << c.shift_norm);
  CHECK(c.shift_norm > 1e-3);  // really infeasible
  CHECK(c.shift_error <= 1e-12 * (1 + c.shift_norm));
  CHECK(c.ls <= kTol);
  CHECK(c.shifted.primal <= kTol);
  CHECK(c.shifted.dual <= kTol);
  CHECK(c.shifted.gap <= kTol);
  CHECK(c.shifted.sign <= kTol);
}

void check_vector(const Vector& got, const Vector& want, double tol = 1e-7) {
  REQUIRE(got.size() == want.size());
  INFO("got " << got.transpose() << ", want " << want.transpose());
  CHECK((got - want).lpNorm<Eigen::Infinity>() <= tol);
}

Eigen::MatrixXd row2(double a, double b, double c, double d) {
  Eigen::MatrixXd M(2, 2);
  M << a, b, c, d;
  return M;
}

}  // namespace

TEST_CASE("infeasible: Info names the test that fired, empty on feasible problems") {
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), row2(1, 1, 1, 1), vec({1, 3}),
                  none(2), Vector(), Vector());
  Solver solver(p, tight());
  const Result& r = solver.solve();
  CHECK(r.info.status == Status::PrimalInfeasible);
  CHECK(r.info.infeasibility_test == "primal_farkas");
  CHECK(r.shift_eq.size() == 0);  // no shifts outside the closest-feasible mode

  Eigen::MatrixXd A(1, 2);
  A << 1, -1;
  const Problem unbounded(Eigen::MatrixXd::Zero(2, 2), vec({-1, 0}), A, vec({0}), none(2), Vector(),
                          Vector(), vec({0, 0}), vec({kInf, kInf}));
  Solver s2(unbounded, tight());
  CHECK(s2.solve().info.status == Status::DualInfeasible);
  CHECK(s2.result().info.infeasibility_test == "dual_ray");

  const auto pair = qplayer_test::infeasible_pair(40, 2);
  Solver s3(pair.feasible, tight());
  CHECK(s3.solve().info.status == Status::Solved);
  CHECK(s3.result().info.infeasibility_test.empty());
  CHECK(std::string(to_string(Status::SolvedClosestFeasible)) == "closest_feasible");
}

TEST_CASE("infeasible: closest feasible, inconsistent equalities (closed form)") {
  // x1 + x2 = 1 and x1 + x2 = 3 with H = I: t = x1 + x2 = 2, shifts (+1, −1), x = (1, 1).
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), row2(1, 1, 1, 1), vec({1, 3}),
                  none(2), Vector(), Vector());
  Solver solver(p, closest());
  const Result& r = solver.solve();
  check_closest(p, r);
  check_vector(r.x, vec({1, 1}));
  check_vector(r.shift_eq, vec({1, -1}));
  check_vector(r.shift_box, vec({0, 0}), 0.0);
  CHECK(r.cert_y.size() == 2);  // the detection's Farkas certificate is kept
}

TEST_CASE("infeasible: closest feasible is the user-unit l2 shift, not the scaled one") {
  // 10(x1 + x2) = 10 and x1 + x2 = 3: minimizing (10t − 10)² + (t − 3)² gives t = 103/101
  // (Ruiz scaling would weigh both rows alike and give t = 2). x = (t/2, t/2) with H = I.
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), row2(10, 10, 1, 1), vec({10, 3}),
                  none(2), Vector(), Vector());
  Solver solver(p, closest());
  const Result& r = solver.solve();
  check_closest(p, r);
  const double t = 103.0 / 101.0;
  check_vector(r.x, vec({t / 2, t / 2}));
  check_vector(r.shift_eq, vec({10 * t - 10, t - 3}));
}

TEST_CASE("infeasible: closest feasible, the objective picks among least-squares points") {
  // Same rows on (x1, x2), x3 free: min ½‖x‖² + x1 − x3 s.t. x1 + x2 = 2 (the closest
  // shifted rows): x1 = 0.5, x2 = 1.5, x3 = 1.
  Eigen::MatrixXd A(2, 3);
  A << 1, 1, 0, 1, 1, 0;
  const Problem p(Eigen::MatrixXd::Identity(3, 3), vec({1, 0, -1}), A, vec({1, 3}), none(3),
                  Vector(), Vector());
  Solver solver(p, closest());
  const Result& r = solver.solve();
  check_closest(p, r);
  check_vector(r.x, vec({0.5, 1.5, 1}));
}

TEST_CASE("infeasible: closest feasible, contradicting inequalities (closed form)") {
  // x1 + x2 ≤ 1 and x1 + x2 ≥ 3: t = 2, shift_in = (+1, −1), x = (1, 1).
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({0, 0}), none(2), Vector(), row2(1, 1, 1, 1),
                  vec({-kInf, 3}), vec({1, kInf}));
  Solver solver(p, closest());
  const Result& r = solver.solve();
  check_closest(p, r);
  check_vector(r.x, vec({1, 1}));
  check_vector(r.shift_in, vec({1, -1}));
  CHECK(r.shift_eq.size() == 0);
}

TEST_CASE("infeasible: closest feasible, a row against the box (closed form)") {
  // x1 + x2 ≥ 3, 0 ≤ x ≤ 1: with x = 1 + a, min (1 − a1 − a2)² + a1² + a2² gives a = 1/3:
  // x = (4/3, 4/3), shift_in = −1/3, shift_box = (1/3, 1/3); the objective plays no part.
  Eigen::MatrixXd C(1, 2);
  C << 1, 1;
  const Problem p(Eigen::MatrixXd::Identity(2, 2), vec({1, -1}), none(2), Vector(), C, vec({3}),
                  vec({kInf}), vec({0, 0}), vec({1, 1}));
  Solver solver(p, closest());
  const Result& r = solver.solve();
  check_closest(p, r);
  check_vector(r.x, vec({4.0 / 3, 4.0 / 3}));
  check_vector(r.shift_in, vec({-1.0 / 3}));
  check_vector(r.shift_box, vec({1.0 / 3, 1.0 / 3}));
}

TEST_CASE("infeasible: closest feasible on random infeasible QPs (dense backend)") {
  for (int n : {20, 60, 100, 200}) {
    for (unsigned seed = 4; seed <= 6; ++seed) {
      CAPTURE(n);
      CAPTURE(seed);
      const auto pair = qplayer_test::infeasible_pair(n, seed, seed != 5);
      Settings s = closest();
      s.backend = Backend::Dense;
      Solver solver(pair.infeasible, s);
      check_closest(pair.infeasible, solver.solve());
    }
  }
}

TEST_CASE("infeasible: closest feasible, slow least-squares instance" * doctest::may_fail()) {
  // Known limitation, kept visible: with μ fixed, a row whose closest-feasible shift is small
  // gets its multiplier only by increments shift/μ, so x creeps for hundreds to thousands of
  // outer steps; meanwhile the large shifts' multipliers drift to ~k·s/μ ≈ 1e7 and their
  // round-off in Aᵀy + Cᵀz (~1e-9) keeps the dual residual above 1e-9. Here the shift
  // converges (least-squares residual 3e-13) but r_d stalls at 9e-9 (2000 outer steps, ~3 s).
  // 2 of 32 random instances (n = 100…800, seeds 1…8) fail like this; at n = 5000–10000
  // most do (see the report of the closest-feasible work).
  const auto pair = qplayer_test::infeasible_pair(800, 7, true);
  Solver solver(pair.infeasible, closest());
  check_closest(pair.infeasible, solver.solve());
}

TEST_CASE("infeasible: unbounded problems stay DualInfeasible in the closest-feasible mode") {
  Eigen::MatrixXd A(1, 2);
  A << 1, -1;
  const Problem lp(Eigen::MatrixXd::Zero(2, 2), vec({-1, 0}), A, vec({0}), none(2), Vector(),
                   Vector(), vec({0, 0}), vec({kInf, kInf}));
  Solver solver(lp, closest());
  CHECK(solver.solve().info.status == Status::DualInfeasible);
  CHECK(solver.result().info.infeasibility_test == "dual_ray");
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(2, 2), C(1, 2);
  H(0, 0) = 1;
  C << 1, 1;
  const Problem qp(H, vec({0, -1}), none(2), Vector(), C, vec({0}), vec({kInf}));
  Solver s2(qp, closest());
  CHECK(s2.solve().info.status == Status::DualInfeasible);
}

TEST_CASE("infeasible: feasible controls are unchanged by the closest-feasible mode") {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    CAPTURE(seed);
    const auto pair = qplayer_test::infeasible_pair(50, seed);
    Solver plain(pair.feasible, tight());
    Solver mode(pair.feasible, closest());
    const Result& a = plain.solve();
    const Result& b = mode.solve();
    CHECK(a.info.status == Status::Solved);
    REQUIRE(b.info.status == Status::Solved);
    CHECK(b.info.inner_iterations == a.info.inner_iterations);  // same path, no extra cost
    CHECK((b.x - a.x).lpNorm<Eigen::Infinity>() == 0.0);
    CHECK(b.shift_eq.size() == pair.feasible.n_eq());
    CHECK(b.shift_eq.lpNorm<Eigen::Infinity>() == 0.0);
    CHECK(b.shift_in.lpNorm<Eigen::Infinity>() == 0.0);
    CHECK(b.shift_box.lpNorm<Eigen::Infinity>() == 0.0);
  }
}

TEST_CASE("infeasible: a second solve after a closest-feasible one starts clean") {
  // The KKT system holds the phase's row-uniform values after the first solve; the next
  // solve (here of the feasible twin through update()) must not see them.
  const auto pair = qplayer_test::infeasible_pair(30, 7);
  Solver solver(pair.infeasible, closest());
  check_closest(pair.infeasible, solver.solve());
  check_closest(pair.infeasible, solver.solve());  // same again: same verdict
  solver.update(pair.feasible);
  const Result& r = solver.solve();
  CHECK(r.info.status == Status::Solved);
  const auto res = qplayer_test::residuals(pair.feasible, r);
  CHECK(res.primal <= kTol);
  CHECK(res.dual <= kTol);
}

TEST_CASE("infeasible: timing figures, n = 100 dense (MESSAGE only)") {
  // Figures for the report, not assertions (timings are machine- and load-dependent):
  // detection and closest-feasible solve times over the feasible twin's solve time.
  auto seconds = [](const Problem& p, bool closest_mode, Status expect) {
    Settings s;  // default eps_abs = 1e-8
    s.backend = Backend::Dense;
    s.closest_feasible = closest_mode;
    double best = 1e300;
    for (int k = 0; k < 3; ++k) {  // best of 3 against scheduling noise
      Solver solver(p, s);
      const Result& r = solver.solve();
      CHECK(r.info.status == expect);
      best = std::min(best, r.info.solve_time);
    }
    return best;
  };
  std::vector<double> detect, closest_ratio;
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const auto pair = qplayer_test::infeasible_pair(100, 100 + seed, true, 50);
    const double t_feasible = seconds(pair.feasible, false, Status::Solved);
    detect.push_back(seconds(pair.infeasible, false, Status::PrimalInfeasible) / t_feasible);
    closest_ratio.push_back(seconds(pair.infeasible, true, Status::SolvedClosestFeasible) /
                            t_feasible);
  }
  std::sort(detect.begin(), detect.end());
  std::sort(closest_ratio.begin(), closest_ratio.end());
  MESSAGE("n = 100 dense, 5 seeds: detection / feasible solve median "
          << detect[2] << "x (max " << detect[4]
          << "x); closest feasible (eps 1e-8) / feasible solve median " << closest_ratio[2]
          << "x (max " << closest_ratio[4] << "x)");
}
