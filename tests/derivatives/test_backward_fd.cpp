// The backward pass against central finite differences of the solution map, block by block
// (g, b, l, u, lb, ub, then H, A, C), on strictly complementary random QPs, for the dense
// backend and each sparse backend compiled in. Every evaluation is a fresh solve at
// eps_abs = 1e-12, so with a step of 1e-5 the differences carry ~1e-7 of solver noise and
// ~1e-10 of truncation error: a 1e-5 relative tolerance is tight yet safe.
#include "derivative_support.hpp"
#include "qplayer/derivatives/view.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace qplayer;
using namespace derivative_test;
namespace qd = qplayer::derivatives;

namespace {

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-5;

template <class Perturb>
double central_difference(const Problem& p, const Loss& loss, const Settings& s,
                          Perturb&& perturb) {
  Problem plus = p, minus = p;
  perturb(plus, kStep);
  perturb(minus, -kStep);
  return (loss_at(plus, loss, s) - loss_at(minus, loss, s)) / (2 * kStep);
}

// Finite differences of L along every finite entry of a vector field of the problem.
Vector vector_fd(const Problem& p, const Loss& loss, const Settings& s, Vector Problem::*field) {
  const Vector& v = p.*field;
  Vector fd = Vector::Zero(v.size());
  for (int i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) continue;  // an infinite bound does not move
    fd[i] = central_difference(p, loss, s, [&](Problem& q, double t) { (q.*field)[i] += t; });
  }
  return fd;
}

// Finite differences along every stored entry of a matrix, flattened in storage order.
// For H (symmetric) the pair (i, j), (j, i) moves together and is compared with
// dH_ij + dH_ji, which is what the symmetric gradient predicts.
void matrix_fd(const Problem& p, const Loss& loss, const Settings& s, SparseMatrix Problem::*field,
               const SparseMatrix& gradient, bool symmetric, Vector& fd, Vector& predicted) {
  const SparseMatrix& M = p.*field;
  fd.setZero(M.nonZeros());
  predicted.setZero(M.nonZeros());
  int k = 0;
  for (int j = 0; j < M.outerSize(); ++j)
    for (SparseMatrix::InnerIterator it(M, j); it; ++it, ++k) {
      const int i = static_cast<int>(it.row());
      if (symmetric && i > j) continue;  // covered by its partner
      fd[k] = central_difference(p, loss, s, [&](Problem& q, double t) {
        (q.*field).coeffRef(i, j) += t;
        if (symmetric && i != j) (q.*field).coeffRef(j, i) += t;
      });
      predicted[k] = (symmetric && i != j) ? gradient.coeff(i, j) + gradient.coeff(j, i)
                                           : gradient.coeff(i, j);
    }
}

void check_against_fd(const Spec& spec, Backend backend) {
  const Problem p = make_problem(spec);
  const Loss loss(p, spec.seed + 1000);
  const Settings s = precise(backend);
  Solver solver(p, s);
  REQUIRE(solver.solve().info.status == Status::Solved);
  const qd::View view(solver);
  const qd::Gradients g = qd::backward(view, loss.wx, loss.wy, loss.wz, loss.wb);
  INFO("backend " << solver.result().info.backend << " seed " << spec.seed << " iterations "
                  << g.report.iterations << " residual " << g.report.relative_residual << " |J| "
                  << g.report.active_rows);
  CHECK(g.report.converged);

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

  // The gradients have exactly the problem's patterns.
  CHECK(g.dH.nonZeros() == p.H.nonZeros());
  CHECK(g.dA.nonZeros() == p.A.nonZeros());
  CHECK(g.dC.nonZeros() == p.C.nonZeros());
}

}  // namespace

TEST_CASE("backward: finite differences, dense backend, with box") {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Spec spec;
    spec.seed = seed;
    check_against_fd(spec, Backend::Dense);
  }
}

TEST_CASE("backward: finite differences, dense backend, no box") {
  Spec spec;
  spec.box = false;
  spec.n_in = 10;
  spec.seed = 7;
  check_against_fd(spec, Backend::Dense);
}

#ifdef QPLAYER_HAS_LDL
TEST_CASE("backward: finite differences, sparse LDL backend") {
  for (unsigned seed = 11; seed <= 12; ++seed) {
    Spec spec;
    spec.n = 16, spec.n_eq = 4, spec.n_in = 10, spec.density = 0.35, spec.seed = seed;
    check_against_fd(spec, Backend::Ldl);
  }
}
#endif

#ifdef QPLAYER_HAS_CHOLMOD
TEST_CASE("backward: finite differences, sparse CHOLMOD backend") {
  Spec spec;
  spec.n = 16, spec.n_eq = 4, spec.n_in = 10, spec.density = 0.35, spec.seed = 21;
  check_against_fd(spec, Backend::Cholmod);
}
#endif
