// Maros–Meszaros dense subset at high accuracy (benchmarks.md rules): a "Solved" answer must pass
// r_p, r_d, r_g ≤ 1e-9 recomputed here from the original data and match the reference objective.
#include "core/kkt_check.hpp"
#include "qplayer/qps.hpp"
#include "qplayer/solver.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace qplayer;

namespace {

constexpr double kTol = 1e-9;  // qpbenchmark "high accuracy": eps_abs = gap tol = 1e-9
// The reference objectives have 9 significant digits; relative to max(1, |ref|) because a few
// are zero up to the reference solver's own accuracy (HS51 8.9e-16, TAME 3.5e-30, HS268 5.7e-7).
constexpr double kObjTol = 1e-6;
// Problems verified by the summary must not drop below this (raise it as the solver improves).
// 57 reached with the dense backend once the final active set is polished (QSCAGR7 joined;
// 56 before); QGROW15 (about 13 s of its 20 s on a loaded machine) is the closest call.
// 58 since H with round-off negative curvature is solved (VALUES); the floor stays at 57,
// one problem of margin for QGROW15's time on a loaded CI machine.
constexpr int kFloor = 57;

// Per-problem time limit (solve only, as Settings::time_limit); QPLAYER_MM_TIME_LIMIT overrides.
double time_limit() {
  const char* env = std::getenv("QPLAYER_MM_TIME_LIMIT");
  return env ? std::atof(env) : 20.0;
}

struct ManifestRow {
  std::string name;
  int n = 0, m_eq = 0, m_ineq = 0;
  bool has_reference = false;
  double reference = 0.0;
};

const std::map<std::string, ManifestRow>& manifest() {
  static const std::map<std::string, ManifestRow> rows = [] {
    std::map<std::string, ManifestRow> out;
    std::ifstream in(std::string(QPLAYER_MAROS_MESZAROS_DIR) + "/manifest.csv");
    std::string line;
    std::getline(in, line);  // header: name,n,m_eq,m_ineq,nnz_P,nnz_A,has_bounds,reference,source
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      std::string cell;
      while (f.size() < 8 && std::getline(ss, cell, ',')) f.push_back(cell);
      if (f.size() < 8) continue;
      ManifestRow r;
      r.name = f[0];
      r.n = std::stoi(f[1]), r.m_eq = std::stoi(f[2]), r.m_ineq = std::stoi(f[3]);
      r.has_reference = !f[7].empty();
      if (r.has_reference) r.reference = std::stod(f[7]);
      out[r.name] = r;
    }
    return out;
  }();
  return rows;
}

// The dense subset: n + m_eq + m_ineq ≤ 1000 with box rows NOT counted. This is the rule that
// yields the 62 problems of qpbenchmark's dense subset (counting a box row per variable with a
// bound would leave 48).
std::set<std::string> dense_subset() {
  std::set<std::string> out;
  for (const auto& [name, r] : manifest())
    if (r.n + r.m_eq + r.m_ineq <= 1000) out.insert(name);
  return out;
}

// True if H is verifiably not PSD on the null space of A (where the equality constraints let x
// move): then the problem is non-convex and NonConvex is an honest answer. The threshold is far
// above the round-off of a dense symmetric eigensolver (~1e-15·‖H‖).
bool verifiably_nonconvex(const Problem& p) {
  const Eigen::MatrixXd H(p.H);
  Eigen::MatrixXd Z = Eigen::MatrixXd::Identity(p.n(), p.n());
  if (p.n_eq() > 0) {
    const Eigen::MatrixXd kernel = Eigen::FullPivLU<Eigen::MatrixXd>(Eigen::MatrixXd(p.A)).kernel();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(kernel);
    Z = qr.householderQ() * Eigen::MatrixXd::Identity(p.n(), kernel.cols());
  }
  const Eigen::MatrixXd reduced = Z.transpose() * H * Z;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> reduced_eig(reduced, Eigen::EigenvaluesOnly);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> full_eig(H, Eigen::EigenvaluesOnly);
  const double scale = std::max(1.0, full_eig.eigenvalues().cwiseAbs().maxCoeff());
  return reduced_eig.eigenvalues().minCoeff() < -1e-9 * scale;
}

struct Outcome {
  std::string name;
  Status status = Status::NotRun;
  qplayer_test::Residuals res;
  double objective_error = NAN;  // |f − ref| / max(1, |ref|)
  double seconds = 0.0;          // setup + solve, wall clock measured here
  int factorizations = 0, rank_updates = 0;
  bool verified = false;
  bool nonconvex_verified = false;  // only computed when the solver says NonConvex
  std::string error;                // exception text if reading or setup threw
};

Outcome run(const std::string& name) {
  Outcome o;
  o.name = name;
  const auto it = manifest().find(name);
  if (it == manifest().end()) {
    o.error = "not in manifest.csv";
    return o;
  }
  const ManifestRow& row = it->second;
  try {
    const Problem p = read_qps(std::string(QPLAYER_MAROS_MESZAROS_DIR) + "/" + name + ".QPS.gz");
    if (p.n() != row.n || p.n_eq() != row.m_eq || p.n_in() != row.m_ineq) {
      o.error = "dimensions differ from manifest.csv";
      return o;
    }
    Settings s;
    s.backend = Backend::Dense;
    s.eps_abs = kTol;
    s.eps_rel = 0.0;
    s.check_duality_gap = true;
    s.eps_gap_abs = kTol;
    s.eps_gap_rel = 0.0;
    s.time_limit = time_limit();
    const auto t0 = std::chrono::steady_clock::now();
    Solver solver(p, s);
    const Result& r = solver.solve();
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    o.status = r.info.status;
    o.factorizations = r.info.factorizations;
    o.rank_updates = r.info.rank_updates;
    o.res = qplayer_test::residuals(p, r);
    // The reference is for the file's objective; a MAX file was negated by the reader.
    const double f = p.converted_from_max ? -o.res.objective : o.res.objective;
    if (row.has_reference)
      o.objective_error = std::abs(f - row.reference) / std::max(1.0, std::abs(row.reference));
    if (o.status == Status::NonConvex) o.nonconvex_verified = verifiably_nonconvex(p);
    o.verified = o.status == Status::Solved && o.res.primal <= kTol && o.res.dual <= kTol &&
                 o.res.gap <= kTol && o.res.sign <= kTol && o.objective_error <= kObjTol;
  } catch (const std::exception& e) {
    o.error = e.what();
  }
  return o;
}

// Assertions for one problem: no exception; "Solved" must be true by our own check; any other
// status must be one that can honestly describe a feasible, bounded, convex problem.
void check(const Outcome& o) {
  INFO(o.name << ": " << std::string(to_string(o.status)) << ", r_p " << o.res.primal << ", r_d "
              << o.res.dual << ", r_g " << o.res.gap << ", sign " << o.res.sign
              << ", objective error " << o.objective_error << ", " << o.seconds << " s"
              << (o.error.empty() ? "" : ", error: " + o.error));
  REQUIRE(o.error.empty());
  if (o.status == Status::Solved) {
    CHECK(o.res.primal <= kTol);
    CHECK(o.res.dual <= kTol);
    CHECK(o.res.gap <= kTol);
    CHECK(o.res.sign <= kTol);
    CHECK(o.objective_error <= kObjTol);
  } else {
    // Every problem of the set is feasible and bounded (reference objectives exist), so an
    // infeasibility claim is false. NonConvex is honest only where the test itself finds H
    // indefinite on the null space of A (VALUES: λ_min(H) ≈ −1.3e-5).
    const bool honest = o.status == Status::MaxIterReached ||
                        o.status == Status::TimeLimitReached ||
                        o.status == Status::NumericalError ||
                        (o.status == Status::NonConvex && o.nonconvex_verified);
    CHECK(honest);
  }
}

const char* kProblems[] = {
    "CVXQP1_S", "CVXQP2_S", "CVXQP3_S", "DPKLO1",   "DUAL1",    "DUAL2",    "DUAL3",    "DUAL4",
    "DUALC1",   "DUALC2",   "DUALC5",   "DUALC8",   "GENHS28",  "HS118",    "HS21",     "HS268",
    "HS35",     "HS35MOD",  "HS51",     "HS52",     "HS53",     "HS76",     "LOTSCHD",  "PRIMAL1",
    "PRIMAL2",  "PRIMAL3",  "PRIMALC1", "PRIMALC2", "PRIMALC5", "PRIMALC8", "QADLITTL", "QAFIRO",
    "QBANDM",   "QBEACONF", "QBORE3D",  "QBRANDY",  "QCAPRI",   "QE226",    "QFORPLAN", "QGROW15",
    "QGROW7",   "QISRAEL",  "QPCBLEND", "QPCBOEI1", "QPCBOEI2", "QPCSTAIR", "QPTEST",   "QRECIPE",
    "QSC205",   "QSCAGR25", "QSCAGR7",  "QSCFXM1",  "QSCORPIO", "QSCSD1",   "QSCTAP1",  "QSHARE1B",
    "QSHARE2B", "QSTAIR",   "S268",     "TAME",     "VALUES",   "ZECEVIC2",
};

}  // namespace

// One test per problem, so `ctest -R maros_meszaros:QAFIRO` reruns a single one.
#define MM_PROBLEM(NAME) \
  TEST_CASE(NAME) { check(run(NAME)); }

MM_PROBLEM("CVXQP1_S")
MM_PROBLEM("CVXQP2_S")
MM_PROBLEM("CVXQP3_S")
MM_PROBLEM("DPKLO1")
MM_PROBLEM("DUAL1")
MM_PROBLEM("DUAL2")
MM_PROBLEM("DUAL3")
MM_PROBLEM("DUAL4")
MM_PROBLEM("DUALC1")
MM_PROBLEM("DUALC2")
MM_PROBLEM("DUALC5")
MM_PROBLEM("DUALC8")
MM_PROBLEM("GENHS28")
MM_PROBLEM("HS118")
MM_PROBLEM("HS21")
MM_PROBLEM("HS268")
MM_PROBLEM("HS35")
MM_PROBLEM("HS35MOD")
MM_PROBLEM("HS51")
MM_PROBLEM("HS52")
MM_PROBLEM("HS53")
MM_PROBLEM("HS76")
MM_PROBLEM("LOTSCHD")
MM_PROBLEM("PRIMAL1")
MM_PROBLEM("PRIMAL2")
MM_PROBLEM("PRIMAL3")
MM_PROBLEM("PRIMALC1")
MM_PROBLEM("PRIMALC2")
MM_PROBLEM("PRIMALC5")
MM_PROBLEM("PRIMALC8")
MM_PROBLEM("QADLITTL")
MM_PROBLEM("QAFIRO")
MM_PROBLEM("QBANDM")
MM_PROBLEM("QBEACONF")
MM_PROBLEM("QBORE3D")
MM_PROBLEM("QBRANDY")
MM_PROBLEM("QCAPRI")
MM_PROBLEM("QE226")
MM_PROBLEM("QFORPLAN")
MM_PROBLEM("QGROW15")
MM_PROBLEM("QGROW7")
MM_PROBLEM("QISRAEL")
MM_PROBLEM("QPCBLEND")
MM_PROBLEM("QPCBOEI1")
MM_PROBLEM("QPCBOEI2")
MM_PROBLEM("QPCSTAIR")
MM_PROBLEM("QPTEST")
MM_PROBLEM("QRECIPE")
MM_PROBLEM("QSC205")
MM_PROBLEM("QSCAGR25")
MM_PROBLEM("QSCAGR7")
MM_PROBLEM("QSCFXM1")
MM_PROBLEM("QSCORPIO")
MM_PROBLEM("QSCSD1")
MM_PROBLEM("QSCTAP1")
MM_PROBLEM("QSHARE1B")
MM_PROBLEM("QSHARE2B")
MM_PROBLEM("QSTAIR")
MM_PROBLEM("S268")
MM_PROBLEM("TAME")
MM_PROBLEM("VALUES")
MM_PROBLEM("ZECEVIC2")

TEST_CASE("summary") {
  // The list above must be exactly the manifest's dense subset.
  const std::set<std::string> subset = dense_subset();
  const std::set<std::string> listed(std::begin(kProblems), std::end(kProblems));
  REQUIRE(subset.size() == 62);
  REQUIRE(listed == subset);

  std::vector<Outcome> outcomes;
  for (const char* name : kProblems) {
    outcomes.push_back(run(name));
    check(outcomes.back());
  }

  int verified = 0, false_solved = 0;
  std::vector<double> times;
  std::printf("%-10s %-18s %9s %9s %9s %9s %9s %9s %6s %7s\n", "problem", "status", "r_p", "r_d",
              "r_g", "sign", "obj_err", "time_s", "fact", "updates");
  std::ofstream csv("maros_meszaros_summary.csv");
  csv << "name,status,verified,r_p,r_d,r_g,sign,objective_error,time_s,factorizations,"
         "rank_updates\n";
  for (const Outcome& o : outcomes) {
    verified += o.verified;
    false_solved += o.status == Status::Solved && !o.verified;
    times.push_back(o.seconds);
    const std::string status = o.error.empty() ? to_string(o.status) : "error";
    std::printf("%-10s %-18s %9.2e %9.2e %9.2e %9.2e %9.2e %9.3f %6d %7d%s\n", o.name.c_str(),
                status.c_str(), o.res.primal, o.res.dual, o.res.gap, o.res.sign, o.objective_error,
                o.seconds, o.factorizations, o.rank_updates, o.verified ? "" : "  <- not verified");
    csv << o.name << ',' << status << ',' << o.verified << ',' << o.res.primal << ',' << o.res.dual
        << ',' << o.res.gap << ',' << o.res.sign << ',' << o.objective_error << ',' << o.seconds
        << ',' << o.factorizations << ',' << o.rank_updates << '\n';
  }
  std::sort(times.begin(), times.end());
  const double median = 0.5 * (times[(times.size() - 1) / 2] + times[times.size() / 2]);
  std::printf(
      "verified %d / %zu (floor %d), solved but failing the check %d, median time %.4f s, "
      "time limit %.1f s\n",
      verified, outcomes.size(), kFloor, false_solved, median, time_limit());
  CHECK(verified >= kFloor);
}
