// Independent check of a `qplayer solve --json` document against the QPS file alone: a
// solution passes on KKT residuals recomputed here, never on what qplayer reports.
#include "qplayer/qps.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

// Usage: check_json FILE.qps OUT.json REFERENCE_OBJECTIVE N M_EQ M_INEQ
constexpr double kResidualTol = 1e-8;   // stationarity and primal feasibility, absolute
constexpr double kObjectiveTol = 1e-6;  // relative to max(1, |reference|)
constexpr double kGapTol = 1e-7;        // complementarity, relative to max(1, |objective|)

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "FAIL: " << what << "\n";
    ++failures;
  }
}

std::string num(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

qplayer::Vector vector_of(const nlohmann::json& document, const char* key) {
  const std::vector<double> values = document.at(key).get<std::vector<double>>();
  return Eigen::Map<const qplayer::Vector>(values.data(), static_cast<Eigen::Index>(values.size()));
}

// uᵀ[y]₊ + lᵀ[y]₋ for one row; a multiplier pushing against an infinite side is a sign error.
double support_term(double y, double lo, double hi, const std::string& row) {
  if (y > 0) {
    expect(std::isfinite(hi) || y <= kResidualTol,
           row + ": multiplier " + num(y) + " > 0 but the upper side is infinite");
    return std::isfinite(hi) ? hi * y : 0.0;
  }
  if (y < 0) {
    expect(std::isfinite(lo) || -y <= kResidualTol,
           row + ": multiplier " + num(y) + " < 0 but the lower side is infinite");
    return std::isfinite(lo) ? lo * y : 0.0;
  }
  return 0.0;
}

int check(const std::string& qps_path, const std::string& json_path, double reference, int n,
          int m_eq, int m_ineq) {
  const qplayer::Problem p = qplayer::read_qps(qps_path);
  std::ifstream in(json_path);
  if (!in) {
    std::cerr << "FAIL: cannot open " << json_path << "\n";
    return 1;
  }
  const nlohmann::json document = nlohmann::json::parse(in);

  expect(p.n() == n && p.n_eq() == m_eq && p.n_in() == m_ineq,
         "sizes: file read as n=" + std::to_string(p.n()) + " m_eq=" + std::to_string(p.n_eq()) +
             " m_ineq=" + std::to_string(p.n_in()) + ", manifest says " + std::to_string(n) + "/" +
             std::to_string(m_eq) + "/" + std::to_string(m_ineq));
  const std::string status = document.at("status").get<std::string>();
  expect(status == "solved", "status is '" + status + "', expected 'solved'");

  const qplayer::Vector x = vector_of(document, "x");
  const qplayer::Vector y = vector_of(document, "y");
  const qplayer::Vector z_box = vector_of(document, "z_box");
  const auto rows = static_cast<Eigen::Index>(p.rows.size());
  if (x.size() != p.n() || y.size() != rows || z_box.size() != p.n() ||
      rows != p.n_eq() + p.n_in()) {
    std::cerr << "FAIL: lengths x=" << x.size() << " y=" << y.size() << " z_box=" << z_box.size()
              << " for n=" << p.n() << " and " << rows << " file rows\n";
    return 1;
  }

  // Split the file-order multipliers back onto A and C; every row must be hit exactly once.
  qplayer::Vector y_eq = qplayer::Vector::Zero(p.n_eq()), y_in = qplayer::Vector::Zero(p.n_in());
  std::vector<int> hits_eq(p.n_eq(), 0), hits_in(p.n_in(), 0);
  for (Eigen::Index i = 0; i < rows; ++i) {
    const qplayer::RowRef& row = p.rows[static_cast<std::size_t>(i)];
    if (row.kind == qplayer::RowRef::Kind::Equality) {
      y_eq[row.index] = y[i];
      ++hits_eq[row.index];
    } else {
      y_in[row.index] = y[i];
      ++hits_in[row.index];
    }
  }
  for (int h : hits_eq) expect(h == 1, "Problem::rows does not map onto A one-to-one");
  for (int h : hits_in) expect(h == 1, "Problem::rows does not map onto C one-to-one");

  // Stationarity of the minimization read_qps returns (a MAX file arrives negated).
  qplayer::Vector r = p.H * x + p.g + p.A.transpose() * y_eq + p.C.transpose() * y_in + z_box;
  const double stationarity = r.lpNorm<Eigen::Infinity>();
  expect(stationarity <= kResidualTol, "stationarity residual " + num(stationarity));

  double primal = 0.0;
  if (p.n_eq() > 0) primal = (p.A * x - p.b).lpNorm<Eigen::Infinity>();
  const qplayer::Vector cx = p.C * x;
  for (int i = 0; i < p.n_in(); ++i) primal = std::max({primal, cx[i] - p.u[i], p.l[i] - cx[i]});
  for (int j = 0; j < p.n() && p.has_box(); ++j)
    primal = std::max({primal, x[j] - p.ub[j], p.lb[j] - x[j]});
  expect(primal <= kResidualTol, "primal residual " + num(primal));

  // Duality gap: xᵀHx + gᵀx + bᵀy + Σ support terms; zero at a KKT point.
  double gap = x.dot(p.H * x) + p.g.dot(x) + p.b.dot(y_eq);
  for (int i = 0; i < p.n_in(); ++i)
    gap += support_term(y_in[i], p.l[i], p.u[i], "row C" + std::to_string(i));
  for (int j = 0; j < p.n(); ++j) {
    const double lo = p.has_box() ? p.lb[j] : -INFINITY, hi = p.has_box() ? p.ub[j] : INFINITY;
    gap += support_term(z_box[j], lo, hi, "bound of x" + std::to_string(j));
  }
  const double sign = p.converted_from_max ? -1.0 : 1.0;
  const double objective = sign * p.objective(x);
  expect(std::abs(gap) <= kGapTol * std::max(1.0, std::abs(objective)), "duality gap " + num(gap));

  const double reported = document.at("objective").get<double>();
  expect(std::abs(reported - objective) <= 1e-9 * std::max(1.0, std::abs(objective)),
         "reported objective " + num(reported) + " but the file's objective at x is " +
             num(objective));
  expect(std::abs(objective - reference) <= kObjectiveTol * std::max(1.0, std::abs(reference)),
         "objective " + num(objective) + " vs reference " + num(reference));

  std::cout << (failures == 0 ? "ok" : "FAILED") << ": " << qps_path << " objective "
            << num(objective) << " stationarity " << num(stationarity) << " primal " << num(primal)
            << " gap " << num(gap) << "\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: check_json FILE.qps OUT.json REFERENCE_OBJECTIVE N M_EQ M_INEQ\n";
    return 2;
  }
  try {
    return check(argv[1], argv[2], std::strtod(argv[3], nullptr), std::atoi(argv[4]),
                 std::atoi(argv[5]), std::atoi(argv[6]));
  } catch (const std::exception& e) {
    std::cerr << "FAIL: " << e.what() << "\n";
    return 1;
  }
}
