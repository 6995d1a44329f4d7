// Invalid problem data must be refused with InvalidProblem naming the field and the index, both
// at Problem construction and when a mutated Problem reaches the Solver; bad Settings too.
#include "qplayer/problem.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <cctype>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace qplayer;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The pieces of a valid problem with n = 4, n_eq = 2, n_in = 3 and a box; each test breaks one.
struct Data {
  Eigen::MatrixXd H = Eigen::MatrixXd::Identity(4, 4);
  Vector g = Vector::Ones(4);
  Eigen::MatrixXd A = Eigen::MatrixXd::Ones(2, 4);
  Vector b = Vector::Ones(2);
  Eigen::MatrixXd C = Eigen::MatrixXd::Ones(3, 4);
  Vector l = Vector::Constant(3, -1.0);
  Vector u = Vector::Constant(3, 3.0);  // inactive at the solution: a nondegenerate problem
  Vector lb = Vector::Constant(4, -2.0);
  Vector ub = Vector::Constant(4, 2.0);
  Data() { A(1, 0) = 2; }  // independent rows; validity does not need it, solving does
  Problem make() const { return Problem(H, g, A, b, C, l, u, lb, ub); }
};

// Splits a message into identifier/number tokens, so "lb" is not found inside "ub" or "label".
std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') {
      cur += ch;
    } else if (!cur.empty()) {
      out.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

bool has_token(const std::string& msg, const std::string& tok) {
  for (const auto& t : tokens(msg))
    if (t == tok) return true;
  return false;
}

// Expects InvalidProblem from `make`, naming one of `fields` and every index in `indices`.
void expect_invalid(const std::function<Problem()>& make, std::vector<std::string> fields,
                    std::vector<int> indices = {}) {
  std::string msg;
  try {
    make();
    FAIL("no exception");
  } catch (const InvalidProblem& e) {
    msg = e.what();
  }
  INFO("what(): " << msg);
  bool named = false;
  for (const auto& f : fields) named = named || has_token(msg, f);
  CHECK(named);
  for (int i : indices) CHECK(has_token(msg, std::to_string(i)));
}

// The common case: one defect applied to the reference data.
void expect_bad(const std::function<void(Data&)>& mutate, std::vector<std::string> fields,
                std::vector<int> indices = {}) {
  expect_invalid(
      [&] {
        Data d;
        mutate(d);
        return d.make();
      },
      std::move(fields), std::move(indices));
}

// The same defect, applied to the public fields of a valid Problem, must be caught by the
// Solver (which validates again) and reported the same way.
void expect_invalid_at_solver(const std::function<void(Problem&)>& mutate,
                              std::vector<std::string> fields, std::vector<int> indices = {}) {
  expect_invalid(
      [&] {
        Problem p = Data().make();
        mutate(p);
        Solver s(p);
        return p;
      },
      std::move(fields), std::move(indices));
}

}  // namespace

TEST_CASE("validation: the reference data is valid and solvable") {
  // Guards the tests below: each must fail because of its one defect, not of the base data.
  const Problem p = Data().make();
  Solver s(p);
  CHECK(s.solve().info.status == Status::Solved);
}

TEST_CASE("validation: wrong dimensions name the field") {
  // g fixes n, b fixes n_eq and l fixes n_in, so a wrong g, b or l shows up as a mismatch with
  // H, A or C: either name identifies the inconsistent pair.
  expect_bad([](Data& d) { d.H = Eigen::MatrixXd::Identity(3, 3); }, {"H"});
  expect_bad([](Data& d) { d.H = Eigen::MatrixXd::Ones(4, 5); }, {"H"});
  expect_bad([](Data& d) { d.g = Vector::Ones(5); }, {"g", "H"});
  expect_bad([](Data& d) { d.A = Eigen::MatrixXd::Ones(2, 3); }, {"A"});
  expect_bad([](Data& d) { d.A = Eigen::MatrixXd::Ones(3, 4); }, {"A", "b"});
  expect_bad([](Data& d) { d.b = Vector::Ones(1); }, {"b", "A"});
  expect_bad([](Data& d) { d.C = Eigen::MatrixXd::Ones(3, 5); }, {"C"});
  expect_bad([](Data& d) { d.C = Eigen::MatrixXd::Ones(2, 4); }, {"C", "l"});
  expect_bad([](Data& d) { d.l = Vector::Zero(2); }, {"l", "u", "C"});
  expect_bad([](Data& d) { d.u = Vector::Ones(4); }, {"u", "l"});
  expect_bad([](Data& d) { d.lb = Vector::Zero(3); }, {"lb"});
  expect_bad([](Data& d) { d.ub = Vector::Ones(5); }, {"ub"});
  // Only one side of the box given.
  expect_bad([](Data& d) { d.ub = Vector(); }, {"ub"});
  expect_bad([](Data& d) { d.lb = Vector(); }, {"lb"});
}

TEST_CASE("validation: non-finite matrix and vector entries name field and index") {
  for (double bad : {kNaN, kInf, -kInf}) {
    CAPTURE(bad);
    expect_bad([&](Data& d) { d.H(2, 2) = bad; }, {"H"}, {2});
    expect_bad([&](Data& d) { d.H(1, 3) = d.H(3, 1) = bad; }, {"H"}, {1, 3});
    expect_bad([&](Data& d) { d.g[3] = bad; }, {"g"}, {3});
    expect_bad([&](Data& d) { d.A(1, 2) = bad; }, {"A"}, {1, 2});
    expect_bad([&](Data& d) { d.b[1] = bad; }, {"b"}, {1});
    expect_bad([&](Data& d) { d.C(2, 3) = bad; }, {"C"}, {2, 3});
  }
}

TEST_CASE("validation: bounds") {
  // NaN is never a bound.
  expect_bad([](Data& d) { d.l[2] = kNaN; }, {"l"}, {2});
  expect_bad([](Data& d) { d.u[1] = kNaN; }, {"u"}, {1});
  expect_bad([](Data& d) { d.lb[3] = kNaN; }, {"lb"}, {3});
  expect_bad([](Data& d) { d.ub[2] = kNaN; }, {"ub"}, {2});
  // +inf as a lower bound / −inf as an upper bound makes the row empty.
  expect_bad([](Data& d) { d.l[1] = d.u[1] = kInf; }, {"l"}, {1});
  expect_bad([](Data& d) { d.u[2] = d.l[2] = -kInf; }, {"u"}, {2});
  expect_bad([](Data& d) { d.lb[1] = d.ub[1] = kInf; }, {"lb"}, {1});
  expect_bad([](Data& d) { d.ub[3] = d.lb[3] = -kInf; }, {"ub"}, {3});
  // Crossed bounds.
  expect_bad([](Data& d) { d.l[2] = 4; }, {"l", "u"}, {2});
  expect_bad([](Data& d) { d.lb[1] = 3; }, {"lb", "ub"}, {1});
  // Allowed: infinite sides where they mean "no bound", and l = u.
  Data d;
  d.l[0] = -kInf, d.u[1] = kInf, d.lb[2] = -kInf, d.ub[3] = kInf, d.l[2] = d.u[2] = 0.5;
  CHECK_NOTHROW(d.make());
}

TEST_CASE("validation: non-symmetric H names both entries") {
  expect_bad([](Data& d) { d.H(0, 2) = 0.5; }, {"H"}, {0, 2});
  expect_bad([](Data& d) { d.H(3, 1) = 1e-3, d.H(1, 3) = -1e-3; }, {"H"}, {1, 3});
  // A symmetric off-diagonal pair is accepted.
  Data d;
  d.H(0, 2) = d.H(2, 0) = 0.5;
  CHECK_NOTHROW(d.make());
}

TEST_CASE("validation: the Solver re-validates mutated problems") {
  expect_invalid_at_solver([](Problem& p) { p.g[1] = kNaN; }, {"g"}, {1});
  expect_invalid_at_solver(
      [](Problem& p) {
        p.b.resize(3);
        p.b.setOnes();
      },
      {"b", "A"});
  expect_invalid_at_solver([](Problem& p) { p.u[2] = -5; }, {"l", "u"}, {2});
  expect_invalid_at_solver([](Problem& p) { p.ub[3] = kNaN; }, {"ub"}, {3});
  expect_invalid_at_solver([](Problem& p) { p.H.coeffRef(1, 2) = 4; }, {"H"}, {1, 2});
  expect_invalid_at_solver([](Problem& p) { p.C.coeffRef(0, 1) = kInf; }, {"C"}, {0, 1});
  expect_invalid_at_solver([](Problem& p) { p.c0 = kNaN; }, {"c0"});
}

namespace {

// Each entry is a setting no algorithm could honour (a negative tolerance, penalty or count).
const std::vector<std::pair<const char*, std::function<void(Settings&)>>>& bad_settings() {
  static const std::vector<std::pair<const char*, std::function<void(Settings&)>>> bad = {
      {"eps_abs < 0", [](Settings& s) { s.eps_abs = -1e-9; }},
      {"eps_abs NaN", [](Settings& s) { s.eps_abs = kNaN; }},
      {"eps_rel < 0", [](Settings& s) { s.eps_rel = -1.0; }},
      {"max_iter < 0", [](Settings& s) { s.max_iter = -1; }},
      {"max_outer_iter < 0", [](Settings& s) { s.max_outer_iter = -3; }},
      {"time_limit < 0", [](Settings& s) { s.time_limit = -1.0; }},
      {"time_limit NaN", [](Settings& s) { s.time_limit = kNaN; }},
      {"rho < 0", [](Settings& s) { s.rho = -1e-6; }},
      {"mu_eq < 0", [](Settings& s) { s.mu_eq = -1e-3; }},
      {"mu_in < 0", [](Settings& s) { s.mu_in = -0.1; }},
      {"mu_min_eq < 0", [](Settings& s) { s.mu_min_eq = -1e-9; }},
      {"mu_update_factor < 0", [](Settings& s) { s.mu_update_factor = -0.1; }},
      {"ruiz_iterations < 0", [](Settings& s) { s.ruiz_iterations = -1; }},
      {"refinement_steps < 0", [](Settings& s) { s.refinement_steps = -1; }},
      {"max_update_fraction < 0", [](Settings& s) { s.max_update_fraction = -0.5; }},
      {"eps_primal_inf < 0", [](Settings& s) { s.eps_primal_inf = -1.0; }},
  };
  return bad;
}

}  // namespace

TEST_CASE("validation: invalid settings are refused at setup with std::invalid_argument") {
  const Problem p = Data().make();
  for (const auto& [what, mutate] : bad_settings()) {
    INFO("setting: " << std::string(what));
    Settings s;
    mutate(s);
    CHECK_THROWS_AS(Solver(p, s), std::invalid_argument);
  }
}

TEST_CASE("validation: settings changed after setup are checked by solve()") {
  // Solver::settings() hands out a mutable reference, so setup-time validation alone would let
  // a negative tolerance through to the iterations.
  const Problem p = Data().make();
  for (const auto& [what, mutate] : bad_settings()) {
    INFO("setting: " << std::string(what));
    Solver solver(p);
    mutate(solver.settings());
    CHECK_THROWS_AS(solver.solve(), std::invalid_argument);
  }
}
