// Planted-solution random QPs (kkt_check.hpp builds them around a chosen KKT point): the solver
// must reach eps_abs = 1e-9 on residuals the test recomputes, and x* itself when H ≻ 0.
#include "kkt_check.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

using namespace qplayer;
using qplayer_test::Planted;
using qplayer_test::PlantedSpec;

namespace {

constexpr double kEps = 1e-9;

Settings tight() {
  Settings s;
  s.eps_abs = kEps;
  s.eps_rel = 0.0;
  s.check_duality_gap = true;
  return s;
}

std::string describe(const PlantedSpec& s) {
  std::ostringstream os;
  os << "n=" << s.n << " n_eq=" << s.n_eq << " n_in=" << s.n_in << " box=" << s.box
     << " rank_h=" << s.rank_h << " shift=" << s.shift << " density=" << s.density
     << " degenerate=" << s.degenerate << " sparse=" << s.sparse << " seed=" << s.seed;
  return os.str();
}

// Solves the planted problem and checks everything that the planting makes exact:
// status, the four residuals against 1e-9 (no slack: the tolerance is on these very
// quantities, unscaled), the optimal value, and x = x* when the minimizer is unique.
void check_planted(const PlantedSpec& spec, bool unique_x) {
  const Planted pl = qplayer_test::planted_qp(spec);
  INFO(describe(spec));
  Solver solver(pl.problem, tight());
  const Result& r = solver.solve();
  INFO("status " << to_string(r.info.status) << ", " << r.info.inner_iterations
                 << " Newton steps");
  REQUIRE(r.info.status == Status::Solved);
  REQUIRE(qplayer_test::dims_ok(pl.problem, r));
  const auto res = qplayer_test::residuals(pl.problem, r);
  INFO("r_p " << res.primal << " r_d " << res.dual << " r_g " << res.gap << " sign "
              << res.sign);
  CHECK(res.primal <= kEps);
  CHECK(res.dual <= kEps);
  CHECK(res.gap <= kEps);
  CHECK(res.sign <= kEps);
  // Optimal value: unique even when x is not. With feasibility and gap at 1e-9 the value is
  // within a few 1e-9 times the multiplier norms; 1e-7 relative is far above that.
  CHECK(res.objective == doctest::Approx(pl.objective).epsilon(1e-7).scale(1.0));
  // The solver's own report must agree with the returned point.
  CHECK(r.info.objective == doctest::Approx(res.objective).epsilon(1e-12).scale(1.0));
  if (unique_x) {
    // Strong convexity (λ_min(H) ≥ shift = 0.1) and KKT residuals of 1e-9 put x within
    // ~1e-8·‖multipliers‖ of x*: 1e-6 is a loose but meaningful bound.
    const double err = (r.x - pl.x).lpNorm<Eigen::Infinity>();
    INFO("‖x − x*‖∞ = " << err);
    CHECK(err <= 1e-6);
  }
}

struct Size {
  int n, n_eq, n_in;
};
constexpr Size kSizes[] = {{5, 2, 3}, {10, 3, 5}, {30, 10, 20}, {60, 20, 40}, {100, 50, 50},
                           {200, 40, 150}};

}  // namespace

TEST_CASE("random: strictly convex planted QPs without box") {
  for (const Size& sz : kSizes)
    for (unsigned seed = 1; seed <= 3; ++seed) {
      PlantedSpec spec;
      spec.n = sz.n, spec.n_eq = sz.n_eq, spec.n_in = sz.n_in, spec.seed = seed;
      check_planted(spec, true);
    }
}

TEST_CASE("random: strictly convex planted QPs with box") {
  for (const Size& sz : kSizes)
    for (unsigned seed = 11; seed <= 13; ++seed) {
      PlantedSpec spec;
      spec.n = sz.n, spec.n_eq = sz.n_eq, spec.n_in = sz.n_in, spec.box = true, spec.seed = seed;
      check_planted(spec, true);
    }
}

TEST_CASE("random: box-only and inequality-only planted QPs") {
  for (unsigned seed = 21; seed <= 23; ++seed) {
    PlantedSpec box_only;
    box_only.n = 40, box_only.n_eq = 0, box_only.n_in = 0, box_only.box = true;
    box_only.seed = seed;
    check_planted(box_only, true);
    PlantedSpec ineq_only;
    ineq_only.n = 40, ineq_only.n_eq = 0, ineq_only.n_in = 60, ineq_only.seed = seed;
    check_planted(ineq_only, true);
    PlantedSpec eq_only;
    eq_only.n = 40, eq_only.n_eq = 15, eq_only.n_in = 0, eq_only.seed = seed;
    check_planted(eq_only, true);
  }
}

TEST_CASE("random: degenerate planted QPs (weakly active rows, l = u rows)") {
  // Zero multipliers on active rows and equality-valued C rows: x* stays unique (H ≻ 0), but
  // the active set is ambiguous, which is where active-set logic tends to cycle.
  for (const Size& sz : kSizes)
    for (unsigned seed = 31; seed <= 32; ++seed) {
      PlantedSpec spec;
      spec.n = sz.n, spec.n_eq = sz.n_eq, spec.n_in = sz.n_in, spec.box = true;
      spec.degenerate = true, spec.seed = seed;
      check_planted(spec, true);
    }
}

TEST_CASE("random: rank-deficient H and LPs (H = 0)") {
  // x* is optimal but not necessarily unique: residuals and the optimal value are checked.
  for (unsigned seed = 41; seed <= 43; ++seed) {
    PlantedSpec psd;
    psd.n = 50, psd.n_eq = 10, psd.n_in = 40, psd.box = true, psd.rank_h = 10, psd.shift = 0.0;
    psd.seed = seed;
    check_planted(psd, false);
    PlantedSpec lp = psd;
    lp.rank_h = 0;  // H = 0
    check_planted(lp, false);
  }
}

TEST_CASE("random: sparse planted QPs") {
  // Sparse constructor, 10 % dense data (H keeps its diagonal shift): the same checks.
  for (unsigned seed = 51; seed <= 53; ++seed) {
    PlantedSpec spec;
    spec.n = 150, spec.n_eq = 30, spec.n_in = 100, spec.box = true, spec.density = 0.1;
    spec.sparse = true, spec.seed = seed;
    check_planted(spec, true);
  }
}

TEST_CASE("random: badly scaled planted QP") {
  // Rows and columns scaled over six orders of magnitude: Ruiz equilibration must undo it,
  // and the stopping test must still hold on the unscaled data.
  PlantedSpec spec;
  spec.n = 30, spec.n_eq = 8, spec.n_in = 20, spec.box = true, spec.seed = 61;
  Planted pl = qplayer_test::planted_qp(spec);
  // Variable substitution x = D x' keeps the problem equivalent: H' = DHD, g' = Dg, A' = AD,
  // C' = CD, bounds of x' are those of x divided by D; x'* = D⁻¹x*. Row scaling of A and C by
  // E, F (with b, l, u scaled alike) changes only the multipliers.
  Vector d(spec.n), e(spec.n_eq), f(spec.n_in);
  for (int j = 0; j < spec.n; ++j) d[j] = std::pow(10.0, (j % 7) - 3);
  for (int i = 0; i < spec.n_eq; ++i) e[i] = std::pow(10.0, (i % 5) - 2);
  for (int i = 0; i < spec.n_in; ++i) f[i] = std::pow(10.0, 2 - (i % 5));
  Problem& p = pl.problem;
  auto scaled = [](const Vector& rows, const SparseMatrix& M, const Vector& cols) {
    const Eigen::MatrixXd S = rows.asDiagonal() * Eigen::MatrixXd(M) * cols.asDiagonal();
    return SparseMatrix(S.sparseView(0.0, 0.0));
  };
  p.H = scaled(d, p.H, d);
  p.g = d.cwiseProduct(p.g);
  p.A = scaled(e, p.A, d);
  p.b = e.cwiseProduct(p.b);
  p.C = scaled(f, p.C, d);
  p.l = f.cwiseProduct(p.l);
  p.u = f.cwiseProduct(p.u);
  p.lb = p.lb.cwiseQuotient(d);
  p.ub = p.ub.cwiseQuotient(d);
  p.validate();
  Solver solver(p, tight());
  const Result& r = solver.solve();
  INFO("status " << to_string(r.info.status));
  REQUIRE(r.info.status == Status::Solved);
  const auto res = qplayer_test::residuals(p, r);
  INFO("r_p " << res.primal << " r_d " << res.dual << " r_g " << res.gap);
  CHECK(res.primal <= kEps);
  CHECK(res.dual <= kEps);
  CHECK(res.gap <= kEps);
  CHECK(res.sign <= kEps);
  CHECK(res.objective == doctest::Approx(pl.objective).epsilon(1e-7).scale(1.0));
  // x is compared in the original variables, where x* has O(1) entries. There the KKT residuals
  // are the returned ones divided by the scalings (at most 1e-9 / 1e-3 = 1e-6), so x is within
  // a modest multiple of 1e-6 of x*: 1e-5.
  const Vector x_star = pl.x.cwiseQuotient(d);
  CHECK((r.x - x_star).cwiseProduct(d).lpNorm<Eigen::Infinity>() <= 1e-5);
}
