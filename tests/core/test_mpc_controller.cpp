// Receding-horizon use of the MPC front end (qplayer/mpc/controller.hpp) on the
// oscillating-masses model: the plan satisfies the dynamics, warm-started steps give the cold
// solution, a closed loop stays within the bounds, references move the plan, and an infeasible
// initial state gives the closest feasible plan with its shifts instead of a failure.
#include "qplayer/mpc/controller.hpp"
#include "qplayer/mpc/models.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace qplayer;
using namespace qplayer::mpc;

namespace {

constexpr double kEps = 1e-9;

Settings tight() {
  Settings s;
  s.eps_abs = kEps;
  return s;
}

Vector random_state(int nx, double scale, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(-scale, scale);
  Vector x(nx);
  for (int i = 0; i < nx; ++i) x(i) = dist(gen);
  return x;
}

MpcProblem masses(int M, int N, bool riccati = true) {
  OscillatingMasses model;
  model.masses = M;
  model.horizon = N;
  model.riccati_terminal = riccati;
  return model.build();
}

double inf_norm(const Vector& v) { return v.size() ? v.cwiseAbs().maxCoeff() : 0.0; }

double dynamics_error(const MpcProblem& p, const Trajectory& t) {
  double worst = (t.x[0] - p.x_init).cwiseAbs().maxCoeff();
  for (int k = 0; k < p.horizon(); ++k) {
    const Stage& s = p.stages[k];
    Vector residual = t.x[k + 1] - s.A * t.x[k] - s.B * t.u[k];
    if (s.c.size()) residual -= s.c;
    worst = std::max(worst, residual.cwiseAbs().maxCoeff());
  }
  return worst;
}

// Largest violation of |x| ≤ x_bound, |u| ≤ u_bound over the plan.
double bound_violation(const Trajectory& t, double x_bound, double u_bound) {
  double worst = 0.0;
  for (const Vector& x : t.x) worst = std::max(worst, x.cwiseAbs().maxCoeff() - x_bound);
  for (const Vector& u : t.u) worst = std::max(worst, u.cwiseAbs().maxCoeff() - u_bound);
  return worst;
}

}  // namespace

TEST_CASE("mpc: the plan satisfies the dynamics and the bounds") {
  for (bool riccati : {true, false}) {
    MpcProblem p = masses(4, 25, riccati);
    p.x_init = random_state(p.nx, 2.5, 11);
    Controller controller(p, tight());
    const Trajectory& plan = controller.step(p.x_init);
    REQUIRE(controller.result().info.status == Status::Solved);
    CHECK(plan.x.size() == 26);
    CHECK(plan.u.size() == 25);
    CHECK(dynamics_error(controller.problem(), plan) <= 1e-9);
    CHECK(bound_violation(plan, 4.0, 0.5) <= 1e-8);
    // A scale of 2.5 with |u| ≤ 0.5 saturates the inputs early on.
    CHECK(plan.u[0].cwiseAbs().maxCoeff() == doctest::Approx(0.5).epsilon(1e-6));
    CHECK(plan.objective == doctest::Approx(controller.result().info.objective));
  }
}

TEST_CASE("mpc: warm-started receding-horizon steps equal cold solves") {
  MpcProblem p = masses(5, 30, false);
  p.x_init = random_state(p.nx, 2.0, 5);
  Controller warm(p, tight()), cold(p, tight());
  const Stage& s = p.stages[0];
  Vector x = p.x_init;
  int warm_iterations = 0, cold_iterations = 0;
  for (int step = 0; step < 8; ++step) {
    const Trajectory& a = warm.step(x);
    const Trajectory& b = cold.solve_cold(x);
    REQUIRE(warm.result().info.status == Status::Solved);
    REQUIRE(cold.result().info.status == Status::Solved);
    for (int k = 0; k <= p.horizon(); ++k) CHECK((a.x[k] - b.x[k]).cwiseAbs().maxCoeff() < 1e-7);
    for (int k = 0; k < p.horizon(); ++k) CHECK((a.u[k] - b.u[k]).cwiseAbs().maxCoeff() < 1e-7);
    if (step > 0) {
      warm_iterations += warm.result().info.inner_iterations;
      cold_iterations += cold.result().info.inner_iterations;
    }
    x = s.A * x + s.B * a.u[0];
  }
  // The shifted plan is a good guess: fewer Newton steps than from zero in total.
  CHECK(warm_iterations < cold_iterations);
}

TEST_CASE("mpc: a closed loop stays within the bounds") {
  MpcProblem p = masses(6, 20);
  p.x_init = random_state(p.nx, 2.0, 7);
  Controller controller(p, tight());
  const Stage& s = p.stages[0];
  Vector x = p.x_init;
  for (int step = 0; step < 30; ++step) {
    const Trajectory& plan = controller.step(x);
    REQUIRE(controller.result().info.status == Status::Solved);
    CHECK(bound_violation(plan, 4.0, 0.5) <= 1e-8);
    CHECK(dynamics_error(controller.problem(), plan) <= 1e-9);
    x = s.A * x + s.B * controller.input();
    CHECK(x.cwiseAbs().maxCoeff() <= 4.0 + 1e-8);
  }
  // The Riccati terminal cost makes the loop converge to the origin.
  CHECK(x.norm() < 0.1 * p.x_init.norm());
}

TEST_CASE("mpc: a reference shifts the plan's gradient as the expanded tracking cost says") {
  MpcProblem p = masses(3, 15, false);
  p.x_init = random_state(p.nx, 1.0, 3);
  Vector x_ref = Vector::Zero(p.nx);
  x_ref(0) = 0.8;  // first mass displaced: needs a steady push, so u_ref ≠ 0 is not optimal
  Controller controller(p, tight());
  controller.set_reference(x_ref);
  const Trajectory& plan = controller.step(p.x_init);
  REQUIRE(controller.result().info.status == Status::Solved);

  // The same problem with q = −Q x_ref, written as an MpcProblem and solved from scratch.
  MpcProblem shifted = p;
  for (Stage& s : shifted.stages) s.q = -s.Q * x_ref;
  shifted.terminal.q = -shifted.terminal.Q * x_ref;
  Controller reference(shifted, tight());
  const Trajectory& expected = reference.step(p.x_init);
  for (int k = 0; k <= p.horizon(); ++k)
    CHECK((plan.x[k] - expected.x[k]).cwiseAbs().maxCoeff() < 1e-7);
  // The plan moves towards the reference: mass 0 is on average further right than without.
  Controller free(p, tight());
  const Trajectory& unreferenced = free.step(p.x_init);
  double with = 0.0, without = 0.0;
  for (int k = 1; k <= p.horizon(); ++k) with += plan.x[k](0), without += unreferenced.x[k](0);
  CHECK(with - without > 0.05 * p.horizon());

  CHECK_THROWS_AS(controller.set_reference(Vector::Zero(2)), InvalidProblem);
  CHECK_THROWS_AS(controller.step(Vector::Zero(p.nx + 1)), InvalidProblem);
}

TEST_CASE("mpc: an initial state outside the state box gives the closest feasible plan") {
  MpcProblem p = masses(4, 20);
  p.x_init = random_state(p.nx, 1.0, 9);
  p.x_init(0) = 5.0;  // |x| ≤ 4 applies to x_0 = x_init: the QP is infeasible

  Controller plain(p, tight());
  plain.step(p.x_init);
  CHECK(plain.result().info.status == Status::PrimalInfeasible);

  Settings settings = tight();
  settings.closest_feasible = true;
  Controller controller(p, settings);
  const Trajectory& plan = controller.step(p.x_init);
  const Result& r = controller.result();
  REQUIRE(r.info.status == Status::SolvedClosestFeasible);
  const double shift =
      std::max(inf_norm(r.shift_eq), std::max(inf_norm(r.shift_in), inf_norm(r.shift_box)));
  CHECK(shift > 0.1);  // the violation (1.0) is split between x_0 = x_init and the box
  CHECK(shift <= 1.0 + 1e-6);
  CHECK(controller.input().allFinite());
  // The input keeps |u| ≤ 0.5 up to its own box shift (the ℓ2 shift spreads over all rows).
  const Vector u_shift = r.shift_box.segment(controller.layout().u_offset(0), p.nu);
  CHECK((controller.input() - u_shift).cwiseAbs().maxCoeff() <= 0.5 + 1e-6);
  // The plan is the solution of the shifted QP: dynamics hold from x_1 on.
  for (int k = 0; k < p.horizon(); ++k) {
    const Stage& s = p.stages[k];
    CHECK((plan.x[k + 1] - s.A * plan.x[k] - s.B * plan.u[k]).cwiseAbs().maxCoeff() <
          1e-6 + inf_norm(r.shift_eq));
  }

  // Back inside the box, the same controller solves normally.
  Vector inside = p.x_init;
  inside(0) = 3.0;
  controller.step(inside);
  CHECK(controller.result().info.status == Status::Solved);
}

namespace {

// A random time-varying problem with every kind of term, general rows on every stage.
MpcProblem random_ltv(unsigned seed, int N = 8) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  auto random = [&](int r, int c) {
    Eigen::MatrixXd m(r, c);
    for (int i = 0; i < r; ++i)
      for (int j = 0; j < c; ++j) m(i, j) = d(gen);
    return m;
  };
  MpcProblem p;
  p.nx = 3, p.nu = 2;
  for (int k = 0; k < N; ++k) {
    Stage s;
    s.A = Eigen::MatrixXd::Identity(3, 3) + 0.3 * random(3, 3);
    s.B = random(3, 2);
    s.c = 0.1 * random(3, 1);
    const Eigen::MatrixXd L = random(5, 5);
    const Eigen::MatrixXd W = L * L.transpose() + 0.5 * Eigen::MatrixXd::Identity(5, 5);
    s.Q = W.topLeftCorner(3, 3), s.R = W.bottomRightCorner(2, 2), s.S = W.bottomLeftCorner(2, 3);
    s.q = random(3, 1), s.r = random(2, 1);
    s.x_min = Vector::Constant(3, -3.0), s.x_max = Vector::Constant(3, 3.0);
    s.u_min = Vector::Constant(2, -1.0), s.u_max = Vector::Constant(2, 1.0);
    s.D = random(1, 3), s.E = random(1, 2), s.lo = Vector::Constant(1, -0.5);
    s.hi = Vector::Constant(1, 0.5);
    p.stages.push_back(s);
  }
  p.terminal.Q = 2.0 * Eigen::MatrixXd::Identity(3, 3);
  p.terminal.D = random(2, 3), p.terminal.lo = Vector::Constant(2, -1.0);
  p.terminal.hi = Vector::Constant(2, 1.0);
  p.x_init = 0.5 * random(3, 1);
  return p;
}

}  // namespace

TEST_CASE("mpc: time-varying data through update_problem equals a fresh controller") {
  const MpcProblem first = random_ltv(21);
  Controller controller(first, tight());
  controller.step(first.x_init);
  REQUIRE(controller.result().info.status == Status::Solved);
  CHECK(dynamics_error(first, controller.plan()) <= 1e-9);

  // Next step: every matrix changes value (same nonzero pattern: dense random blocks).
  MpcProblem next = random_ltv(22);
  next.x_init = controller.plan().x[1];
  controller.update_problem(next);
  const Trajectory& warm = controller.step(next.x_init);
  REQUIRE(controller.result().info.status == Status::Solved);
  Controller fresh(next, tight());
  const Trajectory& cold = fresh.step(next.x_init);
  REQUIRE(fresh.result().info.status == Status::Solved);
  CHECK(dynamics_error(next, warm) <= 1e-9);
  for (int k = 0; k <= next.horizon(); ++k) CHECK((warm.x[k] - cold.x[k]).norm() < 1e-7);
  for (int k = 0; k <= next.horizon(); ++k) CHECK((warm.z_con[k] - cold.z_con[k]).norm() < 1e-6);

  // The general rows hold on the plan.
  for (int k = 0; k < next.horizon(); ++k) {
    const Stage& s = next.stages[k];
    const double v = (s.D * warm.x[k] + s.E * warm.u[k])(0);
    CHECK(v >= -0.5 - 1e-8);
    CHECK(v <= 0.5 + 1e-8);
  }

  // The patterns are fixed at setup. A zero where there was an entry stays in them as an
  // explicit zero: the same answer as a fresh controller (which drops it).
  MpcProblem zeroed = next;
  zeroed.stages[2].B(0, 0) = 0.0;
  controller.update_problem(zeroed);
  const Trajectory& with_zero = controller.step(zeroed.x_init);
  REQUIRE(controller.result().info.status == Status::Solved);
  Controller fresh_zeroed(zeroed, tight());
  const Trajectory& cold_zeroed = fresh_zeroed.step(zeroed.x_init);
  REQUIRE(fresh_zeroed.result().info.status == Status::Solved);
  for (int k = 0; k <= zeroed.horizon(); ++k)
    CHECK((with_zero.x[k] - cold_zeroed.x[k]).norm() < 1e-7);
  // A nonzero where there was none is refused, not silently re-analysed, and the controller
  // keeps the data it had.
  MpcProblem other = zeroed;
  other.terminal.Q(0, 1) = other.terminal.Q(1, 0) = 0.1;
  CHECK_THROWS_AS(controller.update_problem(other), InvalidProblem);
  const Trajectory& after = controller.step(zeroed.x_init);
  REQUIRE(controller.result().info.status == Status::Solved);
  for (int k = 0; k <= zeroed.horizon(); ++k) CHECK((after.x[k] - cold_zeroed.x[k]).norm() < 1e-7);
  MpcProblem longer = random_ltv(23, 9);
  CHECK_THROWS_AS(controller.update_problem(longer), InvalidProblem);
}
