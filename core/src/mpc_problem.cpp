// Validation of MpcProblem: every message names the stage and the field, since a dimension
// error deep inside the assembled QP would otherwise be impossible to trace back.
#include "qplayer/mpc/problem.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace qplayer::mpc {
namespace {

class Checker {
 public:
  explicit Checker(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw InvalidProblem("mpc: " + where_ + ": " + message);
  }

  /// A matrix that must be rows x cols (or empty when optional).
  void matrix(const Eigen::MatrixXd& m, const char* name, Eigen::Index rows, Eigen::Index cols,
              bool optional) const {
    if (optional && m.size() == 0) return;
    if (m.rows() != rows || m.cols() != cols) {
      std::ostringstream os;
      os << name << " is " << m.rows() << " x " << m.cols() << ", expected " << rows << " x "
         << cols;
      fail(os.str());
    }
    if (!m.allFinite()) fail(std::string(name) + " has a non-finite entry");
  }

  void symmetric(const Eigen::MatrixXd& m, const char* name) const {
    if (m.size() == 0) return;
    const double scale = std::max(1.0, m.cwiseAbs().maxCoeff());
    if ((m - m.transpose()).cwiseAbs().maxCoeff() > 1e-12 * scale)
      fail(std::string(name) + " is not symmetric");
  }

  /// An optional vector of `size` entries; `allow_inf` for bounds (NaN never).
  void vector(const Vector& v, const char* name, Eigen::Index size, bool allow_inf) const {
    if (v.size() == 0) return;
    if (v.size() != size) {
      std::ostringstream os;
      os << name << " has size " << v.size() << ", expected " << size;
      fail(os.str());
    }
    for (Eigen::Index i = 0; i < v.size(); ++i)
      if (std::isnan(v(i)) || (!allow_inf && !std::isfinite(v(i)))) {
        std::ostringstream os;
        os << name << "(" << i << ") is " << v(i);
        fail(os.str());
      }
  }

  /// lower ≤ upper entrywise, when both are given.
  void ordered(const Vector& lower, const Vector& upper, const char* lname,
               const char* uname) const {
    if (lower.size() == 0 || upper.size() == 0) return;
    for (Eigen::Index i = 0; i < lower.size(); ++i)
      if (lower(i) > upper(i)) {
        std::ostringstream os;
        os << lname << "(" << i << ") = " << lower(i) << " > " << uname << "(" << i
           << ") = " << upper(i);
        fail(os.str());
      }
  }

 private:
  std::string where_;
};

}  // namespace

int Stage::n_con() const { return static_cast<int>(std::max(D.rows(), E.rows())); }

MpcProblem MpcProblem::time_invariant(const Stage& stage, const Terminal& terminal, int horizon,
                                      const Vector& x_init) {
  if (horizon < 1) throw InvalidProblem("mpc: horizon must be >= 1");
  MpcProblem p;
  p.nx = static_cast<int>(stage.A.rows());
  p.nu = static_cast<int>(stage.B.cols());
  p.stages.assign(static_cast<std::size_t>(horizon), stage);
  p.terminal = terminal;
  p.x_init = x_init;
  return p;
}

void MpcProblem::validate() const {
  const Checker top("problem");
  if (nx < 1) top.fail("nx must be >= 1");
  if (nu < 0) top.fail("nu must be >= 0");
  if (stages.empty()) top.fail("the horizon is empty (no stages)");
  if (x_init.size() != nx) {
    std::ostringstream os;
    os << "x_init has size " << x_init.size() << ", expected " << nx;
    top.fail(os.str());
  }
  top.vector(x_init, "x_init", nx, false);

  for (std::size_t k = 0; k < stages.size(); ++k) {
    const Stage& s = stages[k];
    const Checker c("stage " + std::to_string(k));
    c.matrix(s.A, "A", nx, nx, false);
    c.matrix(s.B, "B", nx, nu, false);
    c.vector(s.c, "c", nx, false);
    c.matrix(s.Q, "Q", nx, nx, true);
    c.matrix(s.R, "R", nu, nu, true);
    c.matrix(s.S, "S", nu, nx, true);
    c.symmetric(s.Q, "Q");
    c.symmetric(s.R, "R");
    c.vector(s.q, "q", nx, false);
    c.vector(s.r, "r", nu, false);
    c.vector(s.x_min, "x_min", nx, true);
    c.vector(s.x_max, "x_max", nx, true);
    c.vector(s.u_min, "u_min", nu, true);
    c.vector(s.u_max, "u_max", nu, true);
    c.ordered(s.x_min, s.x_max, "x_min", "x_max");
    c.ordered(s.u_min, s.u_max, "u_min", "u_max");
    const int m = s.n_con();
    c.matrix(s.D, "D", m, nx, true);
    c.matrix(s.E, "E", m, nu, true);
    if (s.lo.size() != m || s.hi.size() != m) {
      std::ostringstream os;
      os << "lo and hi have sizes " << s.lo.size() << " and " << s.hi.size() << ", expected " << m
         << " (rows of D/E)";
      c.fail(os.str());
    }
    c.vector(s.lo, "lo", m, true);
    c.vector(s.hi, "hi", m, true);
    c.ordered(s.lo, s.hi, "lo", "hi");
  }

  const Terminal& t = terminal;
  const Checker c("terminal");
  c.matrix(t.Q, "Q", nx, nx, true);
  c.symmetric(t.Q, "Q");
  c.vector(t.q, "q", nx, false);
  c.vector(t.x_min, "x_min", nx, true);
  c.vector(t.x_max, "x_max", nx, true);
  c.ordered(t.x_min, t.x_max, "x_min", "x_max");
  const int m = t.n_con();
  c.matrix(t.D, "D", m, nx, true);
  if (t.lo.size() != m || t.hi.size() != m) {
    std::ostringstream os;
    os << "lo and hi have sizes " << t.lo.size() << " and " << t.hi.size() << ", expected " << m
       << " (rows of D)";
    c.fail(os.str());
  }
  c.vector(t.lo, "lo", m, true);
  c.vector(t.hi, "hi", m, true);
  c.ordered(t.lo, t.hi, "lo", "hi");
}

}  // namespace qplayer::mpc
