// Loading and solving one problem file, and mapping the solution back to the file's rows.
// Everything a user sees about a file goes through here, so the file order is decided once.
#include "problem_run.hpp"

#include "qplayer/qps.hpp"
#include "qplayer/solver.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace qplayer::cli {

Problem load_problem(const std::string& path) {
  // Checked here rather than left to the reader so a typo in a path gets the OS's reason.
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw InputError(path + ": cannot open (" + std::strerror(errno) + ")");
  probe.close();
  try {
    return read_qps(path);
  } catch (const QpsError& e) {
    // The reader's message already reads "FILE:LINE: ...".
    throw InputError(one_line(e.what()));
  } catch (const InvalidProblem& e) {
    throw InputError(path + ": invalid problem: " + one_line(e.what()));
  } catch (const std::bad_alloc&) {
    throw InputError(path + ": out of memory while reading");
  }
}

Result solve_problem(const Problem& problem, const Settings& settings, const std::string& path) {
  try {
    Solver solver(problem, settings);
    return solver.solve();
  } catch (const InvalidProblem& e) {
    // InvalidProblem derives from std::invalid_argument, so it must be caught first.
    throw InputError(path + ": invalid problem: " + one_line(e.what()));
  } catch (const std::invalid_argument& e) {
    throw SettingsError(one_line(e.what()));
  }
}

std::string problem_label(const std::string& path) {
  std::string name = path;
  const auto slash = name.find_last_of('/');
  if (slash != std::string::npos) name.erase(0, slash + 1);
  const auto strip = [&name](const char* suffix) {
    const std::size_t length = std::strlen(suffix);
    if (name.size() > length) {
      std::string tail = name.substr(name.size() - length);
      for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (tail == suffix) {
        name.erase(name.size() - length);
        return true;
      }
    }
    return false;
  };
  strip(".gz");
  if (!strip(".qps")) strip(".mps");
  return name;
}

std::string one_line(const std::string& text) {
  std::string line = text;
  for (char& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

double file_objective(const Problem& problem, double objective) {
  return problem.converted_from_max ? -objective : objective;
}

Vector multipliers_in_file_order(const Problem& problem, const Result& result) {
  const auto value = [](const Vector& v, int i) { return i < v.size() ? v[i] : 0.0; };
  if (problem.rows.empty()) {
    Vector all(problem.n_eq() + problem.n_in());
    for (int i = 0; i < problem.n_eq(); ++i) all[i] = value(result.y, i);
    for (int i = 0; i < problem.n_in(); ++i) all[problem.n_eq() + i] = value(result.z, i);
    return all;
  }
  Vector in_file(static_cast<Eigen::Index>(problem.rows.size()));
  for (std::size_t i = 0; i < problem.rows.size(); ++i) {
    const RowRef& row = problem.rows[i];
    in_file[static_cast<Eigen::Index>(i)] = row.kind == RowRef::Kind::Equality
                                                ? value(result.y, row.index)
                                                : value(result.z, row.index);
  }
  return in_file;
}

Vector box_multipliers(const Problem& problem, const Result& result) {
  if (problem.has_box() && result.z_box.size() == problem.n()) return result.z_box;
  return Vector::Zero(problem.n());
}

}  // namespace qplayer::cli
