// The forward pass against the backward pass (dot-product identity), the promise not to touch
// the solver's factorization, the stale-view guard, and finite answers on degenerate QPs.
#include "derivative_support.hpp"
#include "qplayer/derivatives/view.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>

using namespace qplayer;
using namespace derivative_test;
namespace qd = qplayer::derivatives;

namespace {

void check_identity(const Spec& spec, Backend backend) {
  const Problem p = make_problem(spec);
  Settings s;
  s.backend = backend;
  s.eps_abs = 1e-9;
  Solver solver(p, s);
  REQUIRE(solver.solve().info.status == Status::Solved);
  const KktStats before = solver.kkt().stats();
  // Each product is accurate to the solve tolerance times the conditioning of K, so the
  // identity is checked at 1e-8 with solves at 1e-12 (the default 1e-8 gives ~1e-7 here).
  qd::Options options;
  options.tolerance = 1e-12;
  const qd::View view(solver, options);
  const Loss v(p, spec.seed + 7);
  const qd::Perturbation d = random_direction(p, spec.seed + 13);
  const qd::Tangent t = qd::forward(view, d);
  const qd::Gradients g = qd::backward(view, v.wx, v.wy, v.wz, v.wb);
  INFO("backend " << solver.result().info.backend << " seed " << spec.seed << ", iterations "
                  << t.report.iterations << " / " << g.report.iterations);
  CHECK(t.report.converged);
  CHECK(g.report.converged);

  double lhs = v.wx.dot(t.dx) + v.wy.dot(t.dy) + v.wz.dot(t.dz);
  if (v.wb.size()) lhs += v.wb.dot(t.dz_box);
  const double rhs = qd::inner_product(g, d);
  INFO("<v, J d> = " << lhs << ", <J^T v, d> = " << rhs);
  CHECK(std::abs(lhs - rhs) <= 1e-8 * std::max(std::abs(lhs), std::abs(rhs)));

  check_factorization_untouched(solver, before);  // neither call touched it
  CHECK(view.is_current());
}

}  // namespace

TEST_CASE("forward/backward: dot-product identity, dense") {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    Spec spec;
    spec.n = 40, spec.n_eq = 10, spec.n_in = 30, spec.seed = seed;
    check_identity(spec, Backend::Dense);
  }
}

#ifdef QPLAYER_HAS_LDL
TEST_CASE("forward/backward: dot-product identity, sparse LDL") {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Spec spec;
    spec.n = 80, spec.n_eq = 15, spec.n_in = 50, spec.density = 0.1, spec.seed = seed;
    check_identity(spec, Backend::Ldl);
  }
}
#endif

#ifdef QPLAYER_HAS_CHOLMOD
TEST_CASE("forward/backward: dot-product identity, sparse CHOLMOD") {
  Spec spec;
  spec.n = 80, spec.n_eq = 15, spec.n_in = 50, spec.density = 0.1, spec.seed = 5;
  check_identity(spec, Backend::Cholmod);
}
#endif

TEST_CASE("view: refuses unsolved solvers and goes stale after a re-solve or an update") {
  Spec spec;
  const Problem p = make_problem(spec);
  Solver solver(p, precise(Backend::Dense));
  CHECK_THROWS_AS(qd::View{solver}, std::logic_error);
  CHECK_THROWS_AS(qd::backward(solver, Vector::Ones(p.n())), std::logic_error);
  REQUIRE(solver.solve().info.status == Status::Solved);

  qd::View view(solver);
  CHECK_NOTHROW(qd::backward(view, Vector::Ones(p.n())));
  solver.solve();  // a new factorization and a new result
  CHECK_FALSE(view.is_current());
  CHECK_THROWS_WITH_AS(qd::backward(view, Vector::Ones(p.n())), doctest::Contains("stale"),
                       std::logic_error);
  CHECK_THROWS_AS(qd::forward(view, qd::Perturbation()), std::logic_error);

  qd::View fresh(solver);
  CHECK(fresh.is_current());
  Vector g = p.g;
  g[0] += 1.0;
  solver.update_vectors(g);  // new data, same factors until the next solve
  CHECK_THROWS_AS(qd::backward(fresh, Vector::Ones(p.n())), std::logic_error);

  // update() as well; and the solver's data stamp never repeats, not across solvers either.
  REQUIRE(solver.solve().info.status == Status::Solved);
  qd::View third(solver);
  CHECK(third.is_current());
  solver.update(p);
  CHECK_FALSE(third.is_current());
  Solver other(p, precise(Backend::Dense));
  CHECK(other.data_version() != solver.data_version());
}

TEST_CASE("backward: degenerate QPs give finite answers") {
  for (Backend backend : {Backend::Dense
#ifdef QPLAYER_HAS_LDL
                          ,
                          Backend::Ldl
#endif
       }) {
    // Duplicate equality rows: A is rank-deficient, y is not unique (only y0 + y1 is).
    Spec spec;
    spec.duplicate_equality = true;
    spec.seed = 3;
    const Problem p = make_problem(spec);
    Solver solver(p, precise(backend));
    REQUIRE(solver.solve().info.status == Status::Solved);
    const qd::View view(solver);
    const Loss loss(p, 99);
    INFO("backend " << solver.result().info.backend);

    // dL/dx only: the right-hand side is consistent and x is a smooth function of the data,
    // so the gradient is still exact (checked on g against finite differences).
    const qd::Gradients gx = qd::backward(view, loss.wx);
    CHECK(gx.report.converged);
    CHECK(gx.dg.allFinite());
    const Loss x_only = [&] {
      Loss l = loss;
      l.wy.setZero();
      l.wz.setZero();
      l.wb.setZero();
      return l;
    }();
    Vector fd(p.n());
    for (int j = 0; j < p.n(); ++j) {
      Problem plus = p, minus = p;
      plus.g[j] += 1e-5;
      minus.g[j] -= 1e-5;
      fd[j] = (loss_at(plus, x_only, precise(backend)) - loss_at(minus, x_only, precise(backend))) /
              2e-5;
    }
    CHECK(relative_error(fd, gx.dg) <= 1e-5);

    // dL/dy on the duplicated rows: inconsistent (y0 − y1 is undetermined); the answer is a
    // least-squares one, and must be finite.
    const qd::Gradients gy = qd::backward(view, loss.wx, loss.wy, loss.wz, loss.wb);
    CHECK(gy.dg.allFinite());
    CHECK(gy.db.allFinite());
    CHECK(Eigen::MatrixXd(gy.dH).allFinite());
    CHECK(Eigen::MatrixXd(gy.dA).allFinite());
    CHECK(Eigen::MatrixXd(gy.dC).allFinite());
    CHECK(gy.dl.allFinite());
    CHECK(gy.du.allFinite());
    MESSAGE("inconsistent degenerate case: relative residual "
            << gy.report.relative_residual << ", ‖dg‖∞ " << gy.dg.lpNorm<Eigen::Infinity>());
  }
}

TEST_CASE("backward/forward: weakly active rows are held at their bound") {
  // Rows at their bound with a zero multiplier: the solution map has a kink there; the engine
  // returns the one-sided derivative that keeps such rows active (documented choice), which
  // must be finite, consistent between forward and backward, and solved to tolerance even
  // when the factorization's last active set left those rows out.
  Spec spec;
  spec.n = 30, spec.n_eq = 5, spec.n_in = 20, spec.weakly_active = 2, spec.seed = 41;
  const Problem p = make_problem(spec);
  Solver solver(p, precise(Backend::Dense));
  REQUIRE(solver.solve().info.status == Status::Solved);
  qd::Options options;
  options.tolerance = 1e-12;
  const qd::View view(solver, options);
  const Loss v(p, 3);
  const qd::Gradients g = qd::backward(view, v.wx, v.wy, v.wz, v.wb);
  const qd::Perturbation d = random_direction(p, 5);
  const qd::Tangent t = qd::forward(view, d);
  INFO("weakly active " << g.report.weakly_active_rows << ", mismatch with the factorization "
                        << g.report.preconditioner_mismatch << ", iterations "
                        << g.report.iterations);
  CHECK(g.report.weakly_active_rows >= 1);
  CHECK(g.report.converged);
  CHECK(t.report.converged);
  CHECK(g.dg.allFinite());
  CHECK(t.dx.allFinite());
  const double lhs = v.wx.dot(t.dx) + v.wy.dot(t.dy) + v.wz.dot(t.dz) + v.wb.dot(t.dz_box);
  const double rhs = qd::inner_product(g, d);
  CHECK(std::abs(lhs - rhs) <= 1e-8 * std::max(std::abs(lhs), std::abs(rhs)));
}

TEST_CASE("backward/forward: converge against K when J differs from the factorization's set") {
  // A huge activity tolerance pulls inactive rows into J (as if weakly active): the solver's
  // factorization holds them as decoupled rows, so the preconditioner is off on those rows
  // and the Krylov solve must still reach the target against the true K.
  Spec spec;
  spec.n = 30, spec.n_eq = 3, spec.n_in = 10, spec.box = false, spec.seed = 8;
  const Problem p = make_problem(spec);
  Solver solver(p, precise(Backend::Dense));
  REQUIRE(solver.solve().info.status == Status::Solved);
  qd::Options options;
  options.tolerance = 1e-12;
  options.activity_tolerance = 0.6;
  const qd::View view(solver, options);
  const Loss v(p, 4);
  const qd::Gradients g = qd::backward(view, v.wx, v.wy, v.wz);
  const qd::Tangent t = qd::forward(view, random_direction(p, 6));
  INFO("mismatch " << g.report.preconditioner_mismatch << ", iterations " << g.report.iterations
                   << ", residual " << g.report.relative_residual);
  CHECK(g.report.preconditioner_mismatch > 0);
  CHECK(g.report.converged);
  CHECK(t.report.converged);
  const double lhs = v.wx.dot(t.dx) + v.wy.dot(t.dy) + v.wz.dot(t.dz);
  const double rhs = qd::inner_product(g, random_direction(p, 6));
  CHECK(std::abs(lhs - rhs) <= 1e-8 * std::max(std::abs(lhs), std::abs(rhs)));
}
