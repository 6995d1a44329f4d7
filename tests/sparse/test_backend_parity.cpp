// Parity of the full solver across linear-algebra backends: the same problems solved with
// Settings::backend = Dense, Ldl and Cholmod (each one compiled in) must all reach the
// tolerance on residuals the tests recompute, and agree with each other on the objective and
// on whatever the problem determines uniquely: (x, y, z, z_box) for strictly convex,
// strictly complementary planted QPs satisfying LICQ, x for the data/ files whose optimum is
// unique, the objective everywhere.
#include "core/kkt_check.hpp"
#include "qplayer/qps.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace qplayer;
using qplayer_test::PlantedSpec;

namespace {

constexpr double kEps = 1e-9;  // eps_abs of qplayer_test::tight(), residuals recomputed

struct NamedBackend {
  std::string name;  // what Info::backend must say
  Backend backend;
};

std::vector<NamedBackend> compiled_backends() {
  std::vector<NamedBackend> list = {{"dense", Backend::Dense}};
#ifdef QPLAYER_HAS_LDL
  list.push_back({"ldl", Backend::Ldl});
#endif
#ifdef QPLAYER_HAS_CHOLMOD
  list.push_back({"cholmod", Backend::Cholmod});
#endif
#ifdef QPLAYER_HAS_SUPERNODAL
  list.push_back({"supernodal", Backend::Supernodal});
#endif
  return list;
}

struct Run {
  std::string backend;
  Result result;
  qplayer_test::Residuals residuals;
};

/// Solves `p` with every compiled backend; each run must be Solved with recomputed residuals
/// within the tolerance and report the backend it was asked for.
std::vector<Run> solve_everywhere(const Problem& p) {
  std::vector<Run> runs;
  for (const NamedBackend& b : compiled_backends()) {
    INFO("backend " << b.name);
    Settings settings = qplayer_test::tight();
    settings.backend = b.backend;
    Solver solver(p, settings);
    Run run{b.name, solver.solve(), {}};
    const Info& info = run.result.info;
    INFO("status " << std::string(to_string(info.status)) << ", " << info.inner_iterations
                   << " Newton steps, " << info.factorizations << " factorizations");
    CHECK(info.backend == b.name);
    REQUIRE(info.status == Status::Solved);
    REQUIRE(qplayer_test::dims_ok(p, run.result));
    run.residuals = qplayer_test::residuals(p, run.result);
    const auto& r = run.residuals;
    INFO("r_p " << r.primal << " r_d " << r.dual << " r_g " << r.gap << " sign " << r.sign);
    CHECK(r.primal <= kEps);
    CHECK(r.dual <= kEps);
    CHECK(r.gap <= kEps);
    CHECK(r.sign <= kEps);
    runs.push_back(std::move(run));
  }
  return runs;
}

/// ‖v − reference‖∞ / max(1, ‖reference‖∞).
double difference(const Vector& v, const Vector& reference) {
  if (v.size() != reference.size()) return std::numeric_limits<double>::infinity();
  if (v.size() == 0) return 0.0;
  return qplayer_test::inf_norm(v - reference) / std::max(1.0, qplayer_test::inf_norm(reference));
}

/// Every run against the first (dense) one.
void check_parity(const std::vector<Run>& runs, bool unique_x, bool unique_multipliers) {
  REQUIRE(!runs.empty());
  const Run& ref = runs.front();
  for (const Run& run : runs) {
    INFO(run.backend << " vs " << ref.backend);
    CHECK(run.residuals.objective ==
          doctest::Approx(ref.residuals.objective).epsilon(1e-7).scale(1.0));
    if (unique_x) CHECK(difference(run.result.x, ref.result.x) <= 1e-6);
    if (unique_multipliers) {
      CHECK(difference(run.result.y, ref.result.y) <= 1e-6);
      CHECK(difference(run.result.z, ref.result.z) <= 1e-6);
      CHECK(difference(run.result.z_box, ref.result.z_box) <= 1e-6);
    }
  }
}

std::string describe(const PlantedSpec& s) {
  std::ostringstream os;
  os << "n=" << s.n << " n_eq=" << s.n_eq << " n_in=" << s.n_in << " box=" << s.box
     << " density=" << s.density << " active=" << s.active << " seed=" << s.seed;
  return os.str();
}

}  // namespace

TEST_CASE("backend parity: planted strictly complementary QPs give the same x, y, z") {
  // H = MᵀM/n + 0.1 I ≻ 0 makes x unique. Multipliers are unique when the active constraint
  // gradients are independent (LICQ): n_eq + E[active rows and bounds] stays well below n,
  // and random rows are in general position. No weakly active rows (degenerate = false).
  struct Shape {
    int n, n_eq, n_in;
    bool box;
    double density, active;
  };
  const Shape shapes[] = {{8, 2, 4, false, 1.0, 0.5},
                          {30, 5, 15, false, 1.0, 0.5},
                          {60, 10, 40, true, 1.0, 0.3},
                          {120, 20, 80, true, 0.1, 0.3},
                          {200, 20, 100, true, 0.05, 0.3}};
  for (const Shape& sh : shapes)
    for (unsigned seed = 1; seed <= 2; ++seed) {
      PlantedSpec spec;
      spec.n = sh.n, spec.n_eq = sh.n_eq, spec.n_in = sh.n_in, spec.box = sh.box;
      spec.density = sh.density, spec.active = sh.active, spec.seed = 40 + seed;
      spec.sparse = sh.density < 1.0;
      const qplayer_test::Planted pl = qplayer_test::planted_qp(spec);
      INFO(describe(spec));
      const std::vector<Run> runs = solve_everywhere(pl.problem);
      check_parity(runs, true, true);
      for (const Run& run : runs) {  // and all of them at the planted point
        INFO(run.backend << " vs the planted solution");
        CHECK(run.residuals.objective == doctest::Approx(pl.objective).epsilon(1e-7).scale(1.0));
        CHECK(difference(run.result.x, pl.x) <= 1e-6);
        CHECK(difference(run.result.y, pl.y) <= 1e-6);
        CHECK(difference(run.result.z, pl.z) <= 1e-6);
        if (spec.box) CHECK(difference(run.result.z_box, pl.z_box) <= 1e-6);
      }
    }
}

TEST_CASE("backend parity: the data/ problems give the same objective, and x where unique") {
  // Unique optima per the derivations in the files (data/README.md): degenerate_qp has a
  // non-unique x by design and gen_sparse_150 a singular H, so only their objectives count.
  const std::set<std::string> unique_x = {"lp_vertex", "eq_qp", "box_qp", "range_max",
                                          "gen_dense_30"};
  const std::string dir = std::string(QPLAYER_SOURCE_DIR) + "/data";
  std::ifstream manifest(dir + "/manifest.csv");
  REQUIRE(manifest.good());
  std::string line;
  std::getline(manifest, line);  // header: name,n,m_eq,m_ineq,reference_objective,description
  int files = 0;
  while (std::getline(manifest, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string name, n, m_eq, m_in, reference;
    std::getline(fields, name, ',');
    std::getline(fields, n, ',');
    std::getline(fields, m_eq, ',');
    std::getline(fields, m_in, ',');
    std::getline(fields, reference, ',');
    INFO("data/" << name << ".qps");
    const Problem p = read_qps(dir + "/" + name + ".qps");
    const std::vector<Run> runs = solve_everywhere(p);
    check_parity(runs, unique_x.count(name) > 0, false);
    // The manifest gives the optimal value in the file's own sense.
    const double sense = p.converted_from_max ? -1.0 : 1.0;
    for (const Run& run : runs) {
      INFO(run.backend << " vs the reference objective");
      CHECK(sense * run.residuals.objective ==
            doctest::Approx(std::stod(reference)).epsilon(1e-7).scale(1.0));
    }
    ++files;
  }
  CHECK(files == 7);
}
