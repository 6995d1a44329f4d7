// Batched solve + backward: same answers as one-at-a-time calls, bitwise identical for any
// number of threads.
#include "derivative_support.hpp"
#include "qplayer/derivatives/batch.hpp"
#include "qplayer/derivatives/view.hpp"

#include <doctest/doctest.h>

using namespace qplayer;
using namespace derivative_test;
namespace qd = qplayer::derivatives;

namespace {

bool identical(const SparseMatrix& a, const SparseMatrix& b) {
  return a.nonZeros() == b.nonZeros() &&
         std::equal(a.valuePtr(), a.valuePtr() + a.nonZeros(), b.valuePtr());
}

bool identical(const qd::BatchItem& a, const qd::BatchItem& b) {
  const qd::Gradients& ga = a.gradients;
  const qd::Gradients& gb = b.gradients;
  return a.result.x == b.result.x && a.result.z == b.result.z && ga.dg == gb.dg && ga.db == gb.db &&
         ga.dl == gb.dl && ga.du == gb.du && ga.dlb == gb.dlb && ga.dub == gb.dub &&
         identical(ga.dH, gb.dH) && identical(ga.dA, gb.dA) && identical(ga.dC, gb.dC);
}

}  // namespace

TEST_CASE("batch: deterministic across thread counts and equal to single calls") {
  std::vector<Problem> problems;
  std::vector<Vector> dl_dx;
  for (unsigned seed = 1; seed <= 12; ++seed) {
    Spec spec;
    spec.n = 20 + static_cast<int>(seed), spec.n_eq = 4, spec.n_in = 12, spec.seed = seed;
    problems.push_back(make_problem(spec));
    dl_dx.push_back(Loss(problems.back(), seed).wx);
  }
  Settings s;
  s.backend = Backend::Dense;
  const auto one = qd::solve_and_backward(problems, dl_dx, s, 1);
  const auto two = qd::solve_and_backward(problems, dl_dx, s, 2);
  const auto four = qd::solve_and_backward(problems, dl_dx, s, 4);
  REQUIRE(one.size() == problems.size());
  for (std::size_t i = 0; i < problems.size(); ++i) {
    INFO("item " << i);
    REQUIRE(one[i].result.info.status == Status::Solved);
    CHECK(identical(one[i], two[i]));
    CHECK(identical(one[i], four[i]));
  }
  // Item 3 by hand.
  Solver solver(problems[3], s);
  solver.solve();
  const qd::Gradients g = qd::backward(solver, dl_dx[3]);
  CHECK(g.dg == one[3].gradients.dg);
  CHECK(identical(g.dC, one[3].gradients.dC));
}

TEST_CASE("batch: argument checks") {
  std::vector<Problem> problems(2, make_problem(Spec()));
  CHECK_THROWS_AS(qd::solve_and_backward(problems, {Vector::Ones(12)}), std::invalid_argument);
}
