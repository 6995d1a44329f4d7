// Infeasibility detection and the closest-feasible mode through every compiled backend:
// the same verdict, the same x and the same shifts (up to the tolerance) on sparse random
// infeasible QPs, each answer checked on the original data (core/infeasible_check.hpp).
#include "core/infeasible_check.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace qplayer;

namespace {

Settings with(Backend backend, bool closest) {
  Settings s = qplayer_test::tight();
  s.backend = backend;
  s.closest_feasible = closest;
  return s;
}

}  // namespace

TEST_CASE("infeasible parity: every backend detects the same infeasibility") {
  for (int n : {40, 200}) {
    const auto pair = qplayer_test::infeasible_pair(n, 11);
    for (Backend b : qplayer_test::compiled_solver_backends()) {
      CAPTURE(n);
      CAPTURE(static_cast<int>(b));
      Solver infeasible(pair.infeasible, with(b, false));
      const Result& r = infeasible.solve();
      CHECK(r.info.status == Status::PrimalInfeasible);
      CHECK(r.info.infeasibility_test == "primal_farkas");
      Solver feasible(pair.feasible, with(b, false));
      CHECK(feasible.solve().info.status == Status::Solved);
      CHECK(feasible.result().info.infeasibility_test.empty());
    }
  }
}

TEST_CASE("infeasible parity: same closest-feasible x and shifts through every backend") {
  constexpr double kTol = 1e-7;
  for (int n : {40, 200, 400}) {
    for (unsigned seed : {4u, 5u}) {
      const auto pair = qplayer_test::infeasible_pair(n, seed, seed == 5);
      const Problem& p = pair.infeasible;
      std::vector<Result> results;
      for (Backend b : qplayer_test::compiled_solver_backends()) {
        CAPTURE(n);
        CAPTURE(seed);
        CAPTURE(static_cast<int>(b));
        Solver solver(p, with(b, true));
        const Result& r = solver.solve();
        INFO("status " << std::string(to_string(r.info.status)) << ", backend " << r.info.backend);
        REQUIRE(r.info.status == Status::SolvedClosestFeasible);
        const auto c = qplayer_test::closest_check(p, r);
        REQUIRE(c.sized);
        INFO("ls " << c.ls << ", shifted r_p " << c.shifted.primal << ", r_d " << c.shifted.dual
                   << ", r_g " << c.shifted.gap << ", |s| " << c.shift_norm);
        CHECK(c.shift_norm > 1e-3);
        CHECK(c.ls <= kTol);
        CHECK(c.shifted.primal <= kTol);
        CHECK(c.shifted.dual <= kTol);
        CHECK(c.shifted.gap <= kTol);
        CHECK(c.shifted.sign <= kTol);
        results.push_back(r);
      }
      // The closest feasible x is unique here (H ≻ 0), and so are the shifts.
      for (std::size_t k = 1; k < results.size(); ++k) {
        CAPTURE(k);
        const Result& a = results.front();
        const Result& r = results[k];
        CHECK((r.x - a.x).lpNorm<Eigen::Infinity>() <= 1e-6);
        CHECK((r.shift_eq - a.shift_eq).lpNorm<Eigen::Infinity>() <= 1e-6);
        CHECK((r.shift_in - a.shift_in).lpNorm<Eigen::Infinity>() <= 1e-6);
        CHECK((r.shift_box - a.shift_box).lpNorm<Eigen::Infinity>() <= 1e-6);
      }
    }
  }
}
