// Solver::update / update_vectors must give what a fresh Solver gives on the new data, refuse
// pattern or size changes, and warm starts from a solution must finish in a few Newton steps.
#include "kkt_check.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <random>
#include <string>

using namespace qplayer;
using qplayer_test::Planted;
using qplayer_test::PlantedSpec;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kEps = 1e-9;

Settings tight(InitialGuess guess = InitialGuess::Cold) {
  Settings s;
  s.eps_abs = kEps;
  s.eps_rel = 0.0;
  s.initial_guess = guess;
  return s;
}

// About 20 active bounds and 8 equalities on 40 variables: x* is not pinned to a vertex, so a
// change of g (or of any bound) really moves the solution.
Planted base(unsigned seed = 3) {
  PlantedSpec spec;
  spec.n = 40, spec.n_eq = 8, spec.n_in = 25, spec.box = true, spec.active = 0.3;
  spec.seed = seed;
  return qplayer_test::planted_qp(spec);
}

// Plants a new KKT point for the matrices of `p` (same patterns) and rewrites g, b and the
// finite bounds around it; which bounds are infinite is kept, so only values change. Returns x*.
Vector replant(Problem& p, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unif(-1.0, 1.0), pos(0.2, 2.0), coin(0.0, 1.0);
  const Vector x = Vector::NullaryExpr(p.n(), [&] { return unif(rng); });
  const Vector y = Vector::NullaryExpr(p.n_eq(), [&] { return unif(rng); });
  auto plant = [&](double v, double& lo, double& hi) {
    const bool fl = std::isfinite(lo), fu = std::isfinite(hi);
    const double kind = coin(rng);
    double mult = 0.0;
    if (fu && kind < 0.35) {
      hi = v, lo = fl ? v - pos(rng) : -kInf, mult = pos(rng);
    } else if (fl && kind < 0.7) {
      lo = v, hi = fu ? v + pos(rng) : kInf, mult = -pos(rng);
    } else {
      lo = fl ? v - pos(rng) : -kInf, hi = fu ? v + pos(rng) : kInf;
    }
    return mult;
  };
  const Vector cx = p.C * x;
  Vector z(p.n_in()), zb = Vector::Zero(p.n());
  for (int i = 0; i < p.n_in(); ++i) z[i] = plant(cx[i], p.l[i], p.u[i]);
  for (int j = 0; j < p.n() && p.has_box(); ++j) zb[j] = plant(x[j], p.lb[j], p.ub[j]);
  p.b = p.A * x;
  p.g = -(p.H * x + p.A.transpose() * y + p.C.transpose() * z + zb);
  p.validate();
  return x;
}

// New matrix values on the same patterns: H ← 1.7H + 0.05I keeps H ≻ 0 (the diagonal is
// stored), A and C get every stored value perturbed.
void new_matrix_values(Problem& p, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> unif(-0.3, 0.3);
  for (int k = 0; k < p.H.nonZeros(); ++k) p.H.valuePtr()[k] *= 1.7;
  for (int j = 0; j < p.n(); ++j) p.H.coeffRef(j, j) += 0.05;
  for (SparseMatrix* M : {&p.A, &p.C})
    for (int k = 0; k < M->nonZeros(); ++k) M->valuePtr()[k] += unif(rng);
}

Result fresh_solve(const Problem& p) {
  Solver s(p, tight());
  return s.solve();
}

// Both results Solved, equal x, and the updated one satisfies the NEW problem's KKT conditions.
void check_same(const Problem& p, const Result& updated, const Result& fresh) {
  INFO("updated: " << std::string(to_string(updated.info.status))
                   << ", fresh: " << std::string(to_string(fresh.info.status)));
  REQUIRE(fresh.info.status == Status::Solved);
  REQUIRE(updated.info.status == Status::Solved);
  CHECK((updated.x - fresh.x).lpNorm<Eigen::Infinity>() <= 1e-7);
  const auto res = qplayer_test::residuals(p, updated);
  CHECK(res.primal <= kEps);
  CHECK(res.dual <= kEps);
  CHECK(res.gap <= kEps);
}

}  // namespace

TEST_CASE("update: all values changed, same patterns, matches a fresh solve") {
  for (InitialGuess guess : {InitialGuess::Cold, InitialGuess::PreviousSolution}) {
    CAPTURE(static_cast<int>(guess));
    const Planted pl = base();
    Solver solver(pl.problem, tight(guess));
    const Result r0 = solver.solve();
    REQUIRE(r0.info.status == Status::Solved);

    Problem p1 = pl.problem;
    p1.c0 = 3.5;  // update() takes every field, the objective constant included
    new_matrix_values(p1, 17);
    const Vector x1_star = replant(p1, 18);
    // The new solution must differ from the old one, or an ignored update would pass.
    REQUIRE((x1_star - r0.x).lpNorm<Eigen::Infinity>() > 1e-2);
    solver.update(p1);
    const Result r1 = solver.solve();
    check_same(p1, r1, fresh_solve(p1));
    CHECK((r1.x - x1_star).lpNorm<Eigen::Infinity>() <= 1e-6);
    CHECK(r1.info.objective ==
          doctest::Approx(qplayer_test::residuals(p1, r1).objective).epsilon(1e-12));
    // And back: the first problem again through the same solver.
    solver.update(pl.problem);
    check_same(pl.problem, solver.solve(), fresh_solve(pl.problem));
  }
}

TEST_CASE("update: update_vectors, one field at a time and all together") {
  const Planted pl = base(5);
  std::mt19937 rng(99);
  std::uniform_real_distribution<double> unif(-0.5, 0.5);
  auto noise = [&](int n) { return Vector(Vector::NullaryExpr(n, [&] { return unif(rng); })); };
  // Relaxing finite bounds by 0.3 keeps x* feasible, so every variant below stays feasible;
  // the new g and b move the solution. Infinite bounds stay infinite (inf + 0.3 = inf).
  const Problem& p0 = pl.problem;
  const Vector g1 = p0.g + noise(p0.n());
  const Vector b1 = p0.b + 0.05 * noise(p0.n_eq());
  const Vector l1 = p0.l.array() - 0.3, u1 = p0.u.array() + 0.3;
  const Vector lb1 = p0.lb.array() - 0.3, ub1 = p0.ub.array() + 0.3;
  struct Variant {
    const char* name;
    Vector g, b, l, u, lb, ub;  // empty = unchanged
  };
  const Variant variants[] = {
      {"g", g1, {}, {}, {}, {}, {}},     {"b", {}, b1, {}, {}, {}, {}},
      {"l, u", {}, {}, l1, u1, {}, {}},  {"lb, ub", {}, {}, {}, {}, lb1, ub1},
      {"all", g1, b1, l1, u1, lb1, ub1},
  };
  for (const Variant& v : variants) {
    INFO("variant: " << std::string(v.name));
    Solver solver(p0, tight());
    const Result r0 = solver.solve();
    REQUIRE(r0.info.status == Status::Solved);
    Problem p1 = p0;
    if (v.g.size()) p1.g = v.g;
    if (v.b.size()) p1.b = v.b;
    if (v.l.size()) p1.l = v.l, p1.u = v.u;
    if (v.lb.size()) p1.lb = v.lb, p1.ub = v.ub;
    solver.update_vectors(v.g, v.b, v.l, v.u, v.lb, v.ub);
    const Result r1 = solver.solve();
    const Result rf = fresh_solve(p1);
    check_same(p1, r1, rf);
    CHECK((rf.x - r0.x).lpNorm<Eigen::Infinity>() > 1e-3);  // the change mattered
  }
}

TEST_CASE("update: a different pattern or size is refused") {
  const Planted pl = base(7);
  Solver solver(pl.problem, tight());
  REQUIRE(solver.solve().info.status == Status::Solved);
  {
    Problem p = pl.problem;  // an entry of A dropped: same size, different pattern
    p.A.coeffRef(1, 2) = 0.0;
    p.A.prune(0.0);
    CHECK_THROWS_AS(solver.update(p), InvalidProblem);
  }
  {
    Problem p = pl.problem;  // C with one row fewer
    const int m = p.n_in() - 1;
    p.C = SparseMatrix(p.C.topRows(m));
    p.l.conservativeResize(m);
    p.u.conservativeResize(m);
    p.validate();
    CHECK_THROWS_AS(solver.update(p), InvalidProblem);
  }
  {
    // H diagonal vs H with an off-diagonal pair: build both fresh, same sizes.
    const Eigen::MatrixXd Hd = Eigen::MatrixXd::Identity(3, 3);
    Eigen::MatrixXd Ho = Hd;
    Ho(0, 1) = Ho(1, 0) = 0.5;
    const Eigen::MatrixXd none(0, 3);
    Solver s(Problem(Hd, Vector::Ones(3), none, Vector(), none, Vector(), Vector()), tight());
    CHECK_THROWS_AS(
        s.update(Problem(Ho, Vector::Ones(3), none, Vector(), none, Vector(), Vector())),
        InvalidProblem);
    const Eigen::MatrixXd none4(0, 4);
    CHECK_THROWS_AS(s.update(Problem(Eigen::MatrixXd::Identity(4, 4), Vector::Ones(4), none4,
                                     Vector(), none4, Vector(), Vector())),
                    InvalidProblem);
  }
  // Vectors of the wrong size, and invalid values, through update_vectors.
  CHECK_THROWS_AS(solver.update_vectors(Vector::Ones(pl.problem.n() + 1)), std::invalid_argument);
  CHECK_THROWS_AS(solver.update_vectors(Vector(), Vector::Ones(1)), std::invalid_argument);
  Vector bad_g = pl.problem.g;
  bad_g[4] = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(solver.update_vectors(bad_g), InvalidProblem);
  Vector bad_l = pl.problem.l;
  bad_l[2] = pl.problem.u[2] + 1.0;  // crosses u
  CHECK_THROWS_AS(solver.update_vectors(Vector(), Vector(), bad_l), InvalidProblem);
}

TEST_CASE("update: warm start from the solution converges in very few iterations") {
  const Planted pl = base(9);
  Solver cold(pl.problem, tight());
  const Result rc = cold.solve();
  REQUIRE(rc.info.status == Status::Solved);
  INFO("cold: " << rc.info.inner_iterations << " Newton steps");

  // Started at a point that already meets the tolerances, at most a step or two of polishing
  // is needed (scaling round-off may push a residual just above 1e-9 once).
  Solver warm(pl.problem, tight());
  const Result& rw = warm.solve(rc.x, rc.y, rc.z, rc.z_box);
  INFO("warm: " << rw.info.inner_iterations << " Newton steps");
  REQUIRE(rw.info.status == Status::Solved);
  CHECK(rw.info.inner_iterations <= 2);
  CHECK(rw.info.inner_iterations < rc.info.inner_iterations);
  CHECK((rw.x - rc.x).lpNorm<Eigen::Infinity>() <= 1e-7);

  // InitialGuess::PreviousSolution: a second solve() of the same data behaves alike.
  cold.settings().initial_guess = InitialGuess::PreviousSolution;
  const Result& again = cold.solve();
  INFO("previous-solution restart: " << again.info.inner_iterations << " Newton steps");
  REQUIRE(again.info.status == Status::Solved);
  CHECK(again.info.inner_iterations <= 2);
}

TEST_CASE("update: warm start with vectors of the wrong size is refused") {
  const Planted pl = base(9);
  Solver solver(pl.problem, tight());
  const Problem& p = pl.problem;
  const Vector x = Vector::Zero(p.n()), y = Vector::Zero(p.n_eq()), z = Vector::Zero(p.n_in());
  CHECK_THROWS_AS(solver.solve(Vector::Zero(p.n() + 1), y, z), std::invalid_argument);
  CHECK_THROWS_AS(solver.solve(x, Vector::Zero(p.n_eq() + 2), z), std::invalid_argument);
  CHECK_THROWS_AS(solver.solve(x, y, Vector::Zero(1)), std::invalid_argument);
  CHECK_THROWS_AS(solver.solve(x, y, z, Vector::Zero(p.n() - 1)), std::invalid_argument);
  // The zero guess of the right size is a valid start.
  CHECK(solver.solve(x, y, z).info.status == Status::Solved);
}

TEST_CASE("update: a bounds-only update keeps the factorization for a warm re-solve") {
  // The MPC pattern: only b (the initial state) moves, the solve is warm-started with the
  // penalties where the previous one ended. The equilibration depends on the matrices and g
  // only, so the held factorization is still that of the new KKT matrix: a re-solve whose
  // active set does not change needs no numeric factorization, and must equal a fresh solve.
  const Planted pl = base(11);
  Settings s = tight();
  Solver solver(pl.problem, s);
  const Result r0 = solver.solve();
  REQUIRE(r0.info.status == Status::Solved);

  Problem p1 = pl.problem;
  p1.b *= 1.0 + 1e-7;  // small enough to keep the active set
  solver.settings().rho = r0.info.rho;
  solver.settings().mu_eq = r0.info.mu_eq;
  solver.settings().mu_in = r0.info.mu_in;
  solver.settings().rho_min = std::min(s.rho_min, r0.info.rho);
  solver.settings().mu_min_eq = std::min(s.mu_min_eq, r0.info.mu_eq);
  solver.settings().mu_min_in = std::min(s.mu_min_in, r0.info.mu_in);
  solver.update_vectors(Vector(), p1.b);
  const Result& r1 = solver.solve(r0.x, r0.y, r0.z, r0.z_box);
  REQUIRE(r1.info.status == Status::Solved);
  CHECK(r1.info.factorizations == 0);
  check_same(p1, r1, fresh_solve(p1));

  // A new g that moves the cost factor: H's scaled values change and the next solve
  // factorizes again. (One that leaves it keeps them: see the test below.)
  const double c_before = solver.scaling().c;
  solver.update_vectors(pl.problem.g * 2.0);
  REQUIRE(solver.scaling().c != c_before);
  const Result& r2 = solver.solve(r0.x, r0.y, r0.z, r0.z_box);
  REQUIRE(r2.info.status == Status::Solved);
  CHECK(r2.info.factorizations >= 1);
}

namespace {

// Every field of two equilibrations, exactly (update_vectors claims the same arithmetic as a
// fresh setup, not an approximation of it).
void check_identical(const RuizScaling& a, const RuizScaling& b) {
  CHECK(a.c == b.c);
  CHECK(a.d == b.d);
  CHECK(a.e == b.e);
  CHECK(a.f == b.f);
  CHECK(a.g == b.g);
  CHECK(a.b == b.b);
  CHECK(a.l == b.l);
  CHECK(a.u == b.u);
  CHECK((Eigen::MatrixXd(a.H) - Eigen::MatrixXd(b.H)).cwiseAbs().maxCoeff() == 0.0);
  CHECK((Eigen::MatrixXd(a.A) - Eigen::MatrixXd(b.A)).cwiseAbs().maxCoeff() == 0.0);
  CHECK((Eigen::MatrixXd(a.C) - Eigen::MatrixXd(b.C)).cwiseAbs().maxCoeff() == 0.0);
}

}  // namespace

TEST_CASE("update: a new g is rescaled exactly as a fresh setup would, H only when c moves") {
  // g small against H: the cost factor comes from H's norm first (the path where the
  // rescaling must divide out the factor H already carries), from g's after the second update.
  Planted pl = base(13);
  pl.problem.g *= 1e-4;
  Solver solver(pl.problem, tight());
  REQUIRE(solver.solve().info.status == Status::Solved);
  const RuizScaling before = solver.scaling();
  REQUIRE(before.c != 1.0);  // (otherwise the test could not tell c from no factor)

  // A small change of g leaves the cost factor (a power of two) where it was: the scaled H,
  // and with it the KKT values and the factorization, are untouched.
  Problem p1 = pl.problem;
  for (int j = 0; j < p1.n(); ++j) p1.g[j] *= 1.0 + 1e-3 * ((j % 5) - 2.0);
  solver.update_vectors(p1.g);
  REQUIRE(solver.scaling().c == before.c);
  CHECK((Eigen::MatrixXd(solver.scaling().H) - Eigen::MatrixXd(before.H)).cwiseAbs().maxCoeff() ==
        0.0);
  check_identical(solver.scaling(), Solver(p1, tight()).scaling());
  check_same(p1, solver.solve(), fresh_solve(p1));

  // A g 10⁵ times larger moves c: H is rescaled (by a power of two, exactly).
  Problem p2 = pl.problem;
  p2.g *= 1e5;
  solver.update_vectors(p2.g);
  REQUIRE(solver.scaling().c != before.c);
  check_identical(solver.scaling(), Solver(p2, tight()).scaling());
  check_same(p2, solver.solve(), fresh_solve(p2));
}
