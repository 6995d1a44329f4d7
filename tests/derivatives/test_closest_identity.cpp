// Closest-feasible products beyond finite differences: forward against backward (the
// dot-product identity, along every data direction, including those that would change the
// rank of the violated rows), the factorization untouched, the stale-view guard, the
// refusal of a loss on the (non-unique) multipliers, and the batch entry point.
#include "closest_support.hpp"
#include "qplayer/derivatives/batch.hpp"
#include "qplayer/derivatives/view.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>

using namespace qplayer;
using namespace derivative_test;
namespace qd = qplayer::derivatives;

namespace {

qd::Cotangent cotangent(const ShiftLoss& loss, bool box) {
  qd::Cotangent dl;
  dl.dx = loss.wx;
  dl.dshift_eq = loss.we;
  dl.dshift_in = loss.wi;
  if (box) dl.dshift_box = loss.wb;
  return dl;
}

double pairing(const ShiftLoss& v, const qd::Tangent& t, bool box) {
  double value = v.wx.dot(t.dx) + v.we.dot(t.dshift_eq) + v.wi.dot(t.dshift_in);
  if (box) value += v.wb.dot(t.dshift_box);
  return value;
}

void check_identity(const ClosestSpec& spec, Backend backend) {
  const Problem p = make_infeasible_problem(spec);
  Solver solver(p, closest_settings(backend));
  REQUIRE(solver.solve().info.status == Status::SolvedClosestFeasible);
  const KktStats before = solver.kkt().stats();
  qd::Options options;
  // 1e-10, not test_forward_backward.cpp's 1e-12: the forward's least-squares solve reports
  // the normal equations' residual ‖K̃r‖/(‖K̃‖‖rhs‖), which levels off at 1e-12–2e-11 here
  // however many Krylov steps are taken (rounding in the rank-deficient first level). The
  // identity itself is still checked at 1e-8.
  options.tolerance = 1e-10;
  const qd::View view(solver, options);
  REQUIRE(view.closest_feasible());
  const ShiftLoss v(p, spec.seed + 7);
  const qd::Perturbation d = random_direction(p, spec.seed + 13);
  const qd::Tangent t = qd::forward(view, d);
  const qd::Gradients g = qd::backward(view, cotangent(v, p.has_box()));
  INFO("backend " << solver.result().info.backend << " seed " << spec.seed << ", iterations "
                  << t.report.iterations << " / " << g.report.iterations << ", residuals "
                  << t.report.relative_residual << " / " << g.report.relative_residual);
  CHECK(t.report.converged);
  CHECK(g.report.converged);
  CHECK(t.dx.allFinite());
  const double lhs = pairing(v, t, p.has_box());
  const double rhs = qd::inner_product(g, d);
  INFO("<v, J d> = " << lhs << ", <J^T v, d> = " << rhs);
  CHECK(std::abs(lhs - rhs) <= 1e-8 * std::max(std::abs(lhs), std::abs(rhs)));

  check_factorization_untouched(solver, before);  // neither call touched it
  CHECK(view.is_current());
}

}  // namespace

TEST_CASE("closest feasible: dot-product identity, dense") {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    ClosestSpec spec;
    spec.n = 30, spec.n_eq = 5, spec.n_in = 15, spec.k = 3, spec.conflict_in = 3;
    spec.conflict_box = 2, spec.seed = seed;
    check_identity(spec, Backend::Dense);
  }
}

TEST_CASE("closest feasible: dot-product identity along rank-changing directions") {
  // Zeros stored in the conflict rows: a direction on them makes the violated rows
  // independent (the map jumps there, no finite differences), yet forward and backward
  // must still be exact transposes of each other (one least-squares element).
  ClosestSpec spec;
  spec.n = 20, spec.n_eq = 3, spec.n_in = 10, spec.store_zeros = true, spec.seed = 4;
  check_identity(spec, Backend::Dense);
}

#ifdef QPLAYER_HAS_LDL
TEST_CASE("closest feasible: dot-product identity, sparse LDL") {
  for (unsigned seed = 1; seed <= 2; ++seed) {
    ClosestSpec spec;
    spec.n = 60, spec.n_eq = 8, spec.n_in = 30, spec.k = 3, spec.conflict_in = 3;
    spec.density = 0.1, spec.seed = seed;
    check_identity(spec, Backend::Ldl);
  }
}
#endif

TEST_CASE("closest feasible: no loss on multipliers, stale view, batch") {
  ClosestSpec spec;
  const Problem p = make_infeasible_problem(spec);
  const Settings s = closest_settings(Backend::Dense);
  Solver solver(p, s);
  REQUIRE(solver.solve().info.status == Status::SolvedClosestFeasible);
  const ShiftLoss v(p, 1);
  qd::View view(solver);
  qd::Cotangent dl = cotangent(v, true);
  dl.dy = Vector::Ones(p.n_eq());
  CHECK_THROWS_AS(qd::backward(view, dl), std::invalid_argument);
  dl.dy = Vector::Zero(p.n_eq());  // zero is no loss: accepted
  const qd::Gradients g = qd::backward(view, dl);
  CHECK(g.report.converged);

  // Writing into a reused Gradients (the allocation-free form) gives the same numbers, also
  // when it held another problem's (feasible, differently shaped) gradients before.
  qd::Gradients reused;
  {
    Solver other(make_problem(Spec()), precise(Backend::Dense));
    REQUIRE(other.solve().info.status == Status::Solved);
    reused = qd::backward(other, Vector::Ones(other.problem().n()));
  }
  for (int pass = 0; pass < 2; ++pass) {
    qd::backward(view, dl, reused);
    CHECK((reused.dg - g.dg).lpNorm<Eigen::Infinity>() == 0.0);
    CHECK(Eigen::MatrixXd(reused.dA - g.dA).lpNorm<Eigen::Infinity>() == 0.0);
    CHECK(Eigen::MatrixXd(reused.dC - g.dC).lpNorm<Eigen::Infinity>() == 0.0);
    CHECK(Eigen::MatrixXd(reused.dH - g.dH).lpNorm<Eigen::Infinity>() == 0.0);
    CHECK((reused.dub - g.dub).lpNorm<Eigen::Infinity>() == 0.0);
  }

  // The positional overload is the loss on x alone; the batch gives the same numbers.
  const qd::Gradients gx = qd::backward(view, v.wx);
  const std::vector<qd::BatchItem> batch = qd::solve_and_backward({p, p}, {v.wx, v.wx}, s, 2);
  REQUIRE(batch.size() == 2);
  for (const qd::BatchItem& item : batch) {
    REQUIRE(item.result.info.status == Status::SolvedClosestFeasible);
    CHECK(item.gradients.dg.isApprox(gx.dg, 1e-12));
  }

  solver.solve();
  CHECK_FALSE(view.is_current());
  CHECK_THROWS_WITH_AS(qd::backward(view, dl), doctest::Contains("stale"), std::logic_error);
}
