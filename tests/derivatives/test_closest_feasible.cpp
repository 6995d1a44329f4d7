// Derivatives of the closest-feasible solution map (x and the shifts) on infeasible QPs:
// backward against central finite differences block by block (g, b, l, u, lb, ub, then H, A,
// C), dense and sparse, with and without a box; forward against backward (dot-product
// identity); the factorization left untouched. Each evaluation is a fresh closest-feasible
// solve at eps_abs = 1e-10 (the tightest the closest-feasible phase reaches, see
// closest_settings), so the step is 1e-4 rather than test_backward_fd.cpp's 1e-5: solver noise
// ~1e-10/1e-4 = 1e-6 in the differences, truncation ~1e-8; the tolerance is the same 1e-5.
#include "closest_support.hpp"
#include "qplayer/derivatives/view.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

using namespace qplayer;
using namespace derivative_test;
namespace qd = qplayer::derivatives;

namespace {

constexpr double kStep = 1e-4;
constexpr double kTolerance = 1e-5;

double loss_at(const Problem& p, const ShiftLoss& loss, const Settings& s) {
  Solver solver(p, s);
  const Result& r = solver.solve();
  REQUIRE(r.info.status == Status::SolvedClosestFeasible);
  return loss(r);
}

template <class Perturb>
double central_difference(const Problem& p, const ShiftLoss& loss, const Settings& s,
                          Perturb&& perturb) {
  Problem plus = p, minus = p;
  perturb(plus, kStep);
  perturb(minus, -kStep);
  return (loss_at(plus, loss, s) - loss_at(minus, loss, s)) / (2 * kStep);
}

Vector vector_fd(const Problem& p, const ShiftLoss& loss, const Settings& s,
                 Vector Problem::*field) {
  const Vector& v = p.*field;
  Vector fd = Vector::Zero(v.size());
  for (int i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) continue;
    fd[i] = central_difference(p, loss, s, [&](Problem& q, double t) { (q.*field)[i] += t; });
  }
  return fd;
}

// Every stored entry; H's symmetric pairs move together (compared with dH_ij + dH_ji).
void matrix_fd(const Problem& p, const ShiftLoss& loss, const Settings& s,
               SparseMatrix Problem::*field, const SparseMatrix& gradient, bool symmetric,
               Vector& fd, Vector& predicted) {
  const SparseMatrix& M = p.*field;
  fd.setZero(M.nonZeros());
  predicted.setZero(M.nonZeros());
  int k = 0;
  for (int j = 0; j < M.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(M, j); it; ++it, ++k) {
      const int i = static_cast<int>(it.row());
      if (symmetric && i > j) continue;
      fd[k] = central_difference(p, loss, s, [&](Problem& q, double t) {
        (q.*field).coeffRef(i, j) += t;
        if (symmetric && i != j) (q.*field).coeffRef(j, i) += t;
      });
      predicted[k] = (symmetric && i != j) ? gradient.coeff(i, j) + gradient.coeff(j, i)
                                           : gradient.coeff(i, j);
    }
}

qd::Cotangent cotangent(const ShiftLoss& loss) {
  qd::Cotangent dl;
  dl.dx = loss.wx;
  dl.dshift_eq = loss.we;
  dl.dshift_in = loss.wi;
  dl.dshift_box = loss.wb;
  return dl;
}

void check_against_fd(const ClosestSpec& spec, Backend backend) {
  const Problem p = make_infeasible_problem(spec);
  const ShiftLoss loss(p, spec.seed + 1000);
  const Settings s = closest_settings(backend);
  Solver solver(p, s);
  REQUIRE(solver.solve().info.status == Status::SolvedClosestFeasible);
  const KktStats before = solver.kkt().stats();
  const qd::View view(solver);
  const qd::Gradients g = qd::backward(view, cotangent(loss));
  INFO("backend " << solver.result().info.backend << " seed " << spec.seed << " box " << spec.box
                  << " iterations " << g.report.iterations << " residual "
                  << g.report.relative_residual << " |J| " << g.report.active_rows);
  CHECK(g.report.converged);
  check_factorization_untouched(solver, before);

  CHECK(relative_error(vector_fd(p, loss, s, &Problem::g), g.dg) <= kTolerance);
  CHECK(relative_error(vector_fd(p, loss, s, &Problem::b), g.db) <= kTolerance);
  CHECK(relative_error(vector_fd(p, loss, s, &Problem::l), g.dl) <= kTolerance);
  CHECK(relative_error(vector_fd(p, loss, s, &Problem::u), g.du) <= kTolerance);
  if (p.has_box()) {
    CHECK(relative_error(vector_fd(p, loss, s, &Problem::lb), g.dlb) <= kTolerance);
    CHECK(relative_error(vector_fd(p, loss, s, &Problem::ub), g.dub) <= kTolerance);
  }
  Vector fd, predicted;
  matrix_fd(p, loss, s, &Problem::H, g.dH, true, fd, predicted);
  CHECK(relative_error(fd, predicted) <= kTolerance);
  matrix_fd(p, loss, s, &Problem::A, g.dA, false, fd, predicted);
  CHECK(relative_error(fd, predicted) <= kTolerance);
  matrix_fd(p, loss, s, &Problem::C, g.dC, false, fd, predicted);
  CHECK(relative_error(fd, predicted) <= kTolerance);
  CHECK(solver.kkt().stats().factorizations == before.factorizations);
}

}  // namespace

TEST_CASE("closest feasible: backward vs finite differences, dense backend, with box") {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    ClosestSpec spec;
    spec.seed = seed;
    check_against_fd(spec, Backend::Dense);
  }
}

TEST_CASE("closest feasible: backward vs finite differences, dense backend, no box") {
  ClosestSpec spec;
  spec.box = false;
  spec.conflict_in = 3;
  spec.seed = 5;
  check_against_fd(spec, Backend::Dense);
}

#ifdef QPLAYER_HAS_LDL
TEST_CASE("closest feasible: backward vs finite differences, sparse LDL backend") {
  for (unsigned seed = 11; seed <= 12; ++seed) {
    ClosestSpec spec;
    spec.n = 16, spec.n_eq = 3, spec.n_in = 8, spec.k = 3, spec.conflict_eq = 1;
    spec.conflict_in = 3, spec.conflict_box = 1, spec.density = 0.35, spec.seed = seed;
    check_against_fd(spec, Backend::Ldl);
  }
  ClosestSpec spec;
  spec.n = 16, spec.box = false, spec.k = 2, spec.conflict_eq = 2, spec.conflict_in = 2;
  spec.density = 0.35, spec.seed = 13;
  check_against_fd(spec, Backend::Ldl);
}
#endif

#ifdef QPLAYER_HAS_CHOLMOD
TEST_CASE("closest feasible: backward vs finite differences, sparse CHOLMOD backend") {
  ClosestSpec spec;
  spec.n = 16, spec.n_eq = 3, spec.n_in = 8, spec.k = 3, spec.conflict_in = 3;
  spec.density = 0.35, spec.seed = 21;
  check_against_fd(spec, Backend::Cholmod);
}
#endif
