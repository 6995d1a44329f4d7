// "The solve loop allocates nothing after setup": once a Solver has solved once (which sizes
// its buffers), solving again — cold, warm-started, after update_vectors, with polishing,
// through the closest-feasible phase — and an MPC controller's receding-horizon step make no
// heap allocation, on every compiled backend. The answers are checked too: an allocation-free
// path that returns a wrong point would not count.
#include "infeasible_check.hpp"
#include "kkt_check.hpp"
#include "qplayer/mpc/controller.hpp"
#include "qplayer/mpc/models.hpp"
#include "qplayer/solver.hpp"
#include "support/allocation_counter.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace qplayer;

namespace {

constexpr double kEps = 1e-9;

struct Case {
  Backend backend;
  std::string name;
};

std::vector<Case> backends() {
  std::vector<Case> all{{Backend::Auto, "auto"}, {Backend::Dense, "dense"}};
#ifdef QPLAYER_HAS_LDL
  all.push_back({Backend::Ldl, "ldl"});
#endif
#ifdef QPLAYER_HAS_CHOLMOD
  all.push_back({Backend::Cholmod, "cholmod"});
#endif
#ifdef QPLAYER_HAS_SUPERNODAL
  all.push_back({Backend::Supernodal, "supernodal"});
#endif
  return all;
}

Settings tight(Backend backend) {
  Settings s;
  s.eps_abs = kEps;
  s.eps_rel = 0.0;
  s.backend = backend;
  return s;
}

// The point meets the tolerance on the original data (recomputed here, not the solver's Info).
void check_solution(const Problem& p, const Result& r) {
  REQUIRE(r.info.status == Status::Solved);
  const qplayer_test::Residuals res = qplayer_test::residuals(p, r);
  CHECK(res.primal <= 10 * kEps);
  CHECK(res.dual <= 10 * kEps);
  CHECK(res.gap <= 10 * kEps);
}

// 40 variables, 8 equalities, 25 inequalities and a box, a third of the rows active: dense
// storage for the dense backend, sparse for the others.
Problem planted_problem(Backend backend, unsigned seed) {
  qplayer_test::PlantedSpec spec;
  spec.n = 40, spec.n_eq = 8, spec.n_in = 25, spec.box = true, spec.active = 0.3;
  spec.sparse = backend != Backend::Dense;
  spec.seed = seed;
  return qplayer_test::planted_qp(spec).problem;
}

// Four masses, horizon 20, every state displaced: a few active bounds in the first stages.
mpc::MpcProblem chain() {
  mpc::OscillatingMasses model;
  model.masses = 4;
  model.horizon = 20;
  mpc::MpcProblem p = model.build();
  p.x_init = Vector::Constant(p.nx, 0.8);
  return p;
}

}  // namespace

TEST_CASE("allocations: a re-solve allocates nothing, cold, warm and after new vectors") {
  for (const Case& c : backends()) {
    CAPTURE(c.name);
    Problem p = planted_problem(c.backend, 11);
    Solver solver(p, tight(c.backend));
    check_solution(p, solver.solve());  // the first solve sizes what later ones reuse

    qplayer_test::begin_no_allocation();
    const Result& cold = solver.solve();
    const long cold_allocations = qplayer_test::end_no_allocation();
    CHECK(cold_allocations == 0);
    check_solution(p, cold);

    const Vector x = cold.x, y = cold.y, z = cold.z, z_box = cold.z_box;
    qplayer_test::begin_no_allocation();
    const Result& warm = solver.solve(x, y, z, z_box);
    const long warm_allocations = qplayer_test::end_no_allocation();
    CHECK(warm_allocations == 0);
    check_solution(p, warm);

    // A new linear term moves the solution (the planted point has active rows).
    Vector g = p.g;
    for (int j = 0; j < g.size(); ++j) g[j] += 0.1 * ((j % 3) - 1.0);
    const Vector b = p.b;
    qplayer_test::begin_no_allocation();
    solver.update_vectors(g, b);
    const Result& updated = solver.solve();
    const long update_allocations = qplayer_test::end_no_allocation();
    CHECK(update_allocations == 0);
    p.g = g;
    check_solution(p, updated);
  }
}

TEST_CASE("allocations: update with new matrix values, then solve, allocates nothing") {
  for (const Case& c : backends()) {
    CAPTURE(c.name);
    Problem p = planted_problem(c.backend, 17);
    Solver solver(p, tight(c.backend));
    check_solution(p, solver.solve());
    // Same patterns, new values (H stays symmetric and convex: scaled up; A and C perturbed).
    p.H *= 1.5;
    for (int q = 0; q < p.A.nonZeros(); ++q) p.A.valuePtr()[q] *= 1.0 + 0.01 * (q % 3);
    for (int q = 0; q < p.C.nonZeros(); ++q) p.C.valuePtr()[q] *= 1.0 - 0.01 * (q % 2);
    solver.update(p);  // the first update may size what later ones reuse
    check_solution(p, solver.solve());
    p.H *= 1.0 / 1.5;
    qplayer_test::begin_no_allocation();
    solver.update(p);
    const Result& r = solver.solve();
    const long allocations = qplayer_test::end_no_allocation();
    CHECK(allocations == 0);
    check_solution(p, r);
  }
}

TEST_CASE("allocations: re-solving an infeasible problem (certificate) allocates nothing") {
  for (const Case& c : backends()) {
    CAPTURE(c.name);
    const qplayer_test::InfeasiblePair pair = qplayer_test::infeasible_pair(60, 4);
    Solver solver(pair.infeasible, tight(c.backend));
    REQUIRE(solver.solve().info.status == Status::PrimalInfeasible);

    qplayer_test::begin_no_allocation();
    const Result& again = solver.solve();
    const long allocations = qplayer_test::end_no_allocation();
    CHECK(allocations == 0);
    REQUIRE(again.info.status == Status::PrimalInfeasible);
    // The certificate proves infeasibility on the original data: for every feasible x,
    // σ = bᵀy + uᵀ[z]₊ + lᵀ[z]₋ (+ box terms) ≥ xᵀ(Aᵀy + Cᵀz + z_box), so σ < 0 rules out
    // every x with ‖x‖₁ < −σ / ‖Aᵀy + Cᵀz + z_box‖∞ (this instance's points are O(1)).
    const Problem& p = pair.infeasible;
    Vector product = p.A.transpose() * again.cert_y + p.C.transpose() * again.cert_z;
    if (again.cert_z_box.size()) product += again.cert_z_box;
    auto support = [](double z, double lo, double hi) {
      return z > 0 ? hi * z : z < 0 ? lo * z : 0.0;  // (0·∞ is no term)
    };
    double sigma = p.b.dot(again.cert_y);
    for (int i = 0; i < p.n_in(); ++i) sigma += support(again.cert_z[i], p.l[i], p.u[i]);
    for (int j = 0; j < again.cert_z_box.size(); ++j)
      sigma += support(again.cert_z_box[j], p.lb[j], p.ub[j]);
    CHECK(sigma < 0.0);
    CHECK(-sigma >= 1e3 * product.lpNorm<Eigen::Infinity>());
  }
}

TEST_CASE("allocations: a closest-feasible re-solve allocates nothing") {
  for (const Case& c : backends()) {
    CAPTURE(c.name);
    const qplayer_test::InfeasiblePair pair = qplayer_test::infeasible_pair(60, 4);
    Settings s = tight(c.backend);
    s.eps_abs = 1e-8;
    s.closest_feasible = true;
    Solver solver(pair.infeasible, s);
    REQUIRE(solver.solve().info.status == Status::SolvedClosestFeasible);

    qplayer_test::begin_no_allocation();
    const Result& again = solver.solve();
    const long allocations = qplayer_test::end_no_allocation();
    CHECK(allocations == 0);
    REQUIRE(again.info.status == Status::SolvedClosestFeasible);
    const qplayer_test::ClosestCheck check = qplayer_test::closest_check(pair.infeasible, again);
    CHECK(check.sized);
    CHECK(check.shift_error <= 1e-7);
    CHECK(check.ls <= 1e-7);
    CHECK(check.shifted.primal <= 1e-7);
    CHECK(check.shifted.dual <= 1e-7);
  }
}

TEST_CASE("allocations: an MPC receding-horizon step allocates nothing, reference moving or not") {
  const mpc::MpcProblem p = chain();
  for (const Case& c : backends()) {
    CAPTURE(c.name);
    for (const bool tracking : {false, true}) {
      CAPTURE(tracking);
      mpc::Controller controller(p, tight(c.backend));
      Vector x = p.x_init;
      Vector x_ref = Vector::Zero(p.nx);
      const mpc::Stage& stage = p.stages[0];
      for (int step = 0; step < 6; ++step) {
        x_ref(0) = 0.5 * std::sin(0.3 * step);  // a new g every step when tracking
        // The first step sets up the warm start and may allocate: it runs outside the
        // counter (whose Eigen guard aborts on any allocation in builds without NDEBUG).
        if (step > 0) qplayer_test::begin_no_allocation();
        if (tracking) controller.set_reference(x_ref);
        controller.step(x);
        if (step > 0) CHECK(qplayer_test::end_no_allocation() == 0);
        REQUIRE(controller.result().info.status == Status::Solved);
        x = stage.A * x + stage.B * controller.input();
      }
    }
  }
}

TEST_CASE(
    "allocations: an LTV step (new model matrices through update_problem) allocates nothing") {
  const mpc::MpcProblem p = chain();
  for (const Case& c : backends()) {
    CAPTURE(c.name);
    mpc::Controller controller(p, tight(c.backend));
    mpc::MpcProblem varying = p;
    Vector x = p.x_init;
    for (int step = 0; step < 5; ++step) {
      // A time-varying model: every stage's A and B scaled a little differently each step
      // (zeros stay zeros, so the patterns hold).
      for (std::size_t k = 0; k < varying.stages.size(); ++k) {
        const double scale = 1.0 + 1e-3 * std::sin(0.7 * step + 0.1 * static_cast<double>(k));
        varying.stages[k].A = scale * p.stages[k].A;
        varying.stages[k].B = scale * p.stages[k].B;
      }
      if (step > 0) qplayer_test::begin_no_allocation();
      controller.update_problem(varying);
      controller.step(x);
      if (step > 0) CHECK(qplayer_test::end_no_allocation() == 0);
      REQUIRE(controller.result().info.status == Status::Solved);
      // The plan obeys the model it was given.
      const mpc::Trajectory& plan = controller.plan();
      for (int k = 0; k < varying.horizon(); ++k) {
        const mpc::Stage& s = varying.stages[k];
        CHECK((plan.x[k + 1] - s.A * plan.x[k] - s.B * plan.u[k]).lpNorm<Eigen::Infinity>() <=
              1e-8);
      }
      x = varying.stages[0].A * x + varying.stages[0].B * controller.input();
    }
  }
}
