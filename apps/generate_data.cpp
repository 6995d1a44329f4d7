// Writes data/gen_*.qps: random convex QPs with a planted optimal primal-dual point, so the
// reference objective is known exactly. Usage: qplayer_generate_data DATA_DIR (see data/README.md).
#include "qplayer/problem.hpp"
#include "qplayer/qps.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace qplayer::cli {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Shape {
  const char* name;
  int n, m_eq, m_in;
  int h_rank;  // rows of M in H = MᵀM (+ I if `positive_definite`)
  bool positive_definite;
  double density;  // of M, A and C
  unsigned seed;
  const char* description;
};

// Integer data and half-integer x* keep every product below exact in double, so the planted
// point and the reference objective carry no rounding at all.
class Draw {
 public:
  explicit Draw(unsigned seed) : engine_(seed) {}
  // std::mt19937's output is fixed by the standard, distributions are not: map it by hand so
  // every platform generates the same files.
  int integer(int lo, int hi) { return lo + static_cast<int>(engine_() % unsigned(hi - lo + 1)); }
  bool chance(double p) { return (engine_() % 1000000u) < unsigned(p * 1e6); }
  int nonzero(int magnitude) {
    const int v = integer(1, magnitude);
    return chance(0.5) ? v : -v;
  }

 private:
  std::mt19937 engine_;
};

SparseMatrix random_sparse(Draw& draw, int rows, int cols, double density, int magnitude) {
  std::vector<Eigen::Triplet<double>> entries;
  for (int i = 0; i < rows; ++i) {
    bool any = false;
    for (int j = 0; j < cols; ++j)
      if (draw.chance(density)) {
        entries.emplace_back(i, j, draw.nonzero(magnitude));
        any = true;
      }
    if (!any) entries.emplace_back(i, draw.integer(0, cols - 1), draw.nonzero(magnitude));
  }
  SparseMatrix M(rows, cols);
  M.setFromTriplets(entries.begin(), entries.end());
  return M;
}

struct Planted {
  Problem problem;
  Vector x, y, z, z_box;
  double objective = 0.0;
};

Planted generate(const Shape& shape) {
  Draw draw(shape.seed);
  const int n = shape.n;
  const SparseMatrix M = random_sparse(draw, shape.h_rank, n, shape.density, 2);
  SparseMatrix H = SparseMatrix(M.transpose()) * M;
  if (shape.positive_definite) {
    SparseMatrix identity(n, n);
    identity.setIdentity();
    H += identity;
  }
  const SparseMatrix A = random_sparse(draw, shape.m_eq, n, shape.density, 3);
  const SparseMatrix C = random_sparse(draw, shape.m_in, n, shape.density, 3);

  Planted p;
  p.x.resize(n);
  for (int j = 0; j < n; ++j) p.x[j] = draw.integer(-6, 6) / 2.0;
  p.y.resize(shape.m_eq);
  for (int i = 0; i < shape.m_eq; ++i) p.y[i] = draw.integer(-3, 3);

  // Each inequality is made active exactly where its multiplier is nonzero, on the side its
  // sign says: that is complementarity, the one KKT condition not forced by g and b.
  const Vector cx = C * p.x;
  Vector l(shape.m_in), u(shape.m_in);
  p.z = Vector::Zero(shape.m_in);
  for (int i = 0; i < shape.m_in; ++i) {
    const double gap_low = draw.chance(0.3) ? kInf : draw.integer(1, 5);
    const double gap_up = draw.chance(0.3) ? kInf : draw.integer(1, 5);
    switch (draw.integer(0, 3)) {
      case 0:
        u[i] = cx[i];
        l[i] = cx[i] - gap_low;
        p.z[i] = draw.integer(1, 4);
        break;
      case 1:
        l[i] = cx[i];
        u[i] = cx[i] + gap_up;
        p.z[i] = -draw.integer(1, 4);
        break;
      default:  // inactive, with at least one finite side so the row is not free
        l[i] = cx[i] - draw.integer(1, 5);
        u[i] = cx[i] + gap_up;
    }
  }
  Vector lb(n), ub(n);
  p.z_box = Vector::Zero(n);
  for (int j = 0; j < n; ++j) {
    const double width = draw.chance(0.3) ? kInf : draw.integer(1, 4);
    switch (draw.integer(0, 5)) {
      case 0:
        ub[j] = p.x[j];
        lb[j] = p.x[j] - width;
        p.z_box[j] = draw.integer(1, 4);
        break;
      case 1:
        lb[j] = p.x[j];
        ub[j] = p.x[j] + width;
        p.z_box[j] = -draw.integer(1, 4);
        break;
      case 2:
        lb[j] = -kInf;
        ub[j] = kInf;
        break;
      default: lb[j] = p.x[j] - draw.integer(1, 4); ub[j] = p.x[j] + width;
    }
  }
  const Vector Hx = H * p.x;
  const Vector g = -(Hx + A.transpose() * p.y + C.transpose() * p.z + p.z_box);
  const Vector b = A * p.x;
  p.objective = 0.5 * p.x.dot(Hx) + g.dot(p.x);

  p.problem = Problem(H, g, A, b, C, l, u, lb, ub);
  p.problem.name = shape.name;
  for (int j = 0; j < n; ++j) p.problem.variable_names.push_back("x" + std::to_string(j + 1));
  // Interleave equality and inequality rows in the file so the file-order mapping matters.
  int next_eq = 0, next_in = 0;
  while (next_eq < shape.m_eq || next_in < shape.m_in) {
    const bool take_eq =
        next_in == shape.m_in ||
        (next_eq < shape.m_eq && draw.integer(0, shape.m_eq + shape.m_in) < shape.m_eq);
    RowRef row;
    row.kind = take_eq ? RowRef::Kind::Equality : RowRef::Kind::Inequality;
    row.index = take_eq ? next_eq++ : next_in++;
    p.problem.rows.push_back(row);
    p.problem.row_names.push_back((take_eq ? "e" : "c") + std::to_string(row.index + 1));
  }
  p.problem.validate();
  return p;
}

// The KKT residual of the planted point against the problem as read back from the file:
// proves the file (writer and reader) carries the planted optimum.
double kkt_residual(const Problem& q, const Planted& p) {
  Vector r = q.H * p.x + q.g + q.A.transpose() * p.y + q.C.transpose() * p.z;
  if (q.has_box()) r += p.z_box;
  double worst = r.lpNorm<Eigen::Infinity>();
  if (q.n_eq() > 0) worst = std::max(worst, (q.A * p.x - q.b).lpNorm<Eigen::Infinity>());
  const Vector cx = q.C * p.x;
  for (int i = 0; i < q.n_in(); ++i) worst = std::max({worst, cx[i] - q.u[i], q.l[i] - cx[i]});
  return worst;
}

void insert_comments(const std::string& path, const std::vector<std::string>& comments) {
  std::ifstream in(path);
  std::ostringstream body;
  std::string line;
  bool inserted = false;
  while (std::getline(in, line)) {
    body << line << '\n';
    if (!inserted && line.rfind("NAME", 0) == 0) {
      for (const auto& comment : comments) body << "* " << comment << '\n';
      inserted = true;
    }
  }
  in.close();
  std::ofstream(path) << body.str();
}

int run(const std::string& directory) {
  const Shape shapes[] = {
      {"gen_dense_30", 30, 6, 24, 30, true, 0.3, 20240601u,
       "generated: dense strictly convex QP with a planted optimum (bounds and ranges)"},
      {"gen_sparse_150", 150, 30, 90, 100, false, 0.02, 20240602u,
       "generated: sparse QP with singular PSD H and a planted optimum"},
  };
  for (const Shape& shape : shapes) {
    const Planted planted = generate(shape);
    const std::string path = directory + "/" + shape.name + ".qps";
    write_qps(planted.problem, path);
    char objective[64];
    std::snprintf(objective, sizeof objective, "%.17g", planted.objective);
    insert_comments(
        path,
        {
            std::string(shape.name) + ": " + shape.description + ".",
            "Written by apps/generate_data.cpp (seed " + std::to_string(shape.seed) +
                "); regenerate with: qplayer_generate_data data",
            "Derivation: integer H = M'M" + std::string(shape.positive_definite ? " + I" : "") +
                ", A, C and a half-integer x*, integer y*, z*, z_box* were drawn first;",
            "each inequality and bound is active at x* exactly where its multiplier is nonzero,",
            "on the side of its sign; then b = A x* and g = -(H x* + A'y* + C'z* + z_box*).",
            "So (x*, y*, z*, z_box*) satisfies the KKT conditions of this convex QP: x* is optimal",
            std::string("and the optimal value 1/2 x*'H x* + g'x* = ") + objective +
                " (exact: all data are dyadic).",
        });
    const double residual = kkt_residual(read_qps(path), planted);
    if (residual > 1e-12) {
      std::cerr << path << ": planted point does not survive the round trip (residual " << residual
                << ")\n";
      return 1;
    }
    std::cout << shape.name << "," << shape.n << "," << shape.m_eq << "," << shape.m_in << ","
              << objective << "," << shape.description << "\n";
  }
  return 0;
}

}  // namespace
}  // namespace qplayer::cli

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: qplayer_generate_data DATA_DIR  (prints the manifest.csv lines)\n";
    return 2;
  }
  try {
    return qplayer::cli::run(argv[1]);
  } catch (const std::exception& e) {
    std::cerr << "qplayer_generate_data: " << e.what() << "\n";
    return 1;
  }
}
