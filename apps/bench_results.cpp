// results.csv: written row by row, read back by header name. Numbers are written in their
// shortest round-trip form so a summary recomputed from the file equals the one of the run.
#include "bench_results.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace qplayer::cli {
namespace {

std::string number(double value) {
  if (std::isnan(value)) return "nan";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string quoted(const std::string& field) {
  if (field.find_first_of(",\"") == std::string::npos) return field;
  std::string text = "\"";
  for (char c : field) {
    if (c == '"') text += '"';
    text += c;
  }
  return text + '"';
}

// Cells of one data line, looked up by column name; a missing column is the file's fault.
class Cells {
 public:
  Cells(const std::map<std::string, std::size_t>& index, std::vector<std::string> fields,
        std::string where)
      : index_(index), fields_(std::move(fields)), where_(std::move(where)) {}

  std::string text(const std::string& column) const {
    const std::size_t i = index_.at(column);
    return i < fields_.size() ? fields_[i] : std::string();
  }
  double real(const std::string& column) const {
    const std::string cell = text(column);
    if (cell.empty()) return BenchRow::kNaN;
    char* end = nullptr;
    const double value = std::strtod(cell.c_str(), &end);
    if (*end != '\0') throw std::runtime_error(where_ + ": bad number '" + cell + "' in " + column);
    return value;
  }
  int integer(const std::string& column) const {
    const double value = real(column);
    return std::isfinite(value) ? static_cast<int>(value) : -1;
  }
  std::optional<bool> flag(const std::string& column) const {
    const std::string cell = text(column);
    if (cell.empty()) return std::nullopt;
    if (cell == "yes") return true;
    if (cell == "no") return false;
    throw std::runtime_error(where_ + ": expected yes/no in " + column + ", got '" + cell + "'");
  }

 private:
  const std::map<std::string, std::size_t>& index_;
  std::vector<std::string> fields_;
  std::string where_;
};

std::map<std::string, std::size_t> header_index(const std::string& header) {
  std::map<std::string, std::size_t> index;
  const auto names = split_csv_line(header);
  for (std::size_t i = 0; i < names.size(); ++i) index[names[i]] = i;
  return index;
}

std::string strip_cr(std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();  // files edited on Windows
  return line;
}

}  // namespace

const std::vector<std::string>& results_columns() {
  static const std::vector<std::string> columns = {"name",
                                                   "n",
                                                   "m",
                                                   "status",
                                                   "setup_s",
                                                   "solve_s",
                                                   "iterations",
                                                   "primal_residual",
                                                   "dual_residual",
                                                   "duality_gap",
                                                   "objective",
                                                   "reference_objective",
                                                   "objective_match",
                                                   "verified",
                                                   "tolerance",
                                                   "time_limit_s"};
  return columns;
}

ResultsCsv::ResultsCsv(std::string path, bool append) : path_(std::move(path)) {
  std::ifstream existing(path_);
  const bool has_header =
      append && existing && existing.peek() != std::ifstream::traits_type::eof();
  existing.close();
  std::ofstream out(path_, append ? std::ios::app : std::ios::trunc);
  if (!out) throw std::runtime_error(path_ + ": cannot write (" + std::strerror(errno) + ")");
  if (!has_header) {
    const auto& columns = results_columns();
    for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
    out << '\n';
  }
  if (!out.flush()) throw std::runtime_error(path_ + ": write failed");
}

void ResultsCsv::append(const BenchRow& row) {
  // Reopened per row: the file is complete on disk after each problem, whatever happens next.
  std::ofstream out(path_, std::ios::app);
  const auto optional_number = [](const std::optional<double>& v) {
    return v ? number(*v) : std::string();
  };
  const auto yes_no = [](bool v) { return std::string(v ? "yes" : "no"); };
  const auto count = [](int v) { return v >= 0 ? std::to_string(v) : std::string(); };
  out << quoted(row.name) << ',' << count(row.n) << ',' << count(row.m) << ',' << quoted(row.status)
      << ',' << number(row.setup_s) << ',' << number(row.solve_s) << ',' << row.iterations << ','
      << number(row.primal_residual) << ',' << number(row.dual_residual) << ','
      << number(row.duality_gap) << ',' << number(row.objective) << ','
      << optional_number(row.reference_objective) << ','
      << (row.objective_match ? yes_no(*row.objective_match) : std::string()) << ','
      << yes_no(row.verified) << ',' << number(row.tolerance) << ',' << number(row.time_limit_s)
      << '\n';
  if (!out.flush()) throw std::runtime_error(path_ + ": write failed");
}

std::vector<BenchRow> read_results_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error(path + ": empty file");
  const auto index = header_index(strip_cr(line));
  for (const auto& column : results_columns())
    if (!index.count(column)) throw std::runtime_error(path + ": no column '" + column + "'");

  std::vector<BenchRow> rows;
  for (int number = 2; std::getline(in, line); ++number) {
    line = strip_cr(line);
    if (line.empty()) continue;
    const Cells cells(index, split_csv_line(line), path + ":" + std::to_string(number));
    BenchRow row;
    row.name = cells.text("name");
    row.n = cells.integer("n");
    row.m = cells.integer("m");
    row.status = cells.text("status");
    row.setup_s = cells.real("setup_s");
    row.solve_s = cells.real("solve_s");
    row.iterations = std::max(cells.integer("iterations"), 0);
    row.primal_residual = cells.real("primal_residual");
    row.dual_residual = cells.real("dual_residual");
    row.duality_gap = cells.real("duality_gap");
    row.objective = cells.real("objective");
    const double reference = cells.real("reference_objective");
    if (!std::isnan(reference)) row.reference_objective = reference;
    row.objective_match = cells.flag("objective_match");
    row.verified = cells.flag("verified").value_or(false);
    row.tolerance = cells.real("tolerance");
    row.time_limit_s = cells.real("time_limit_s");
    rows.push_back(std::move(row));
  }
  return rows;
}

std::map<std::string, double> read_reference_objectives(const std::string& manifest_path) {
  std::map<std::string, double> references;
  std::ifstream in(manifest_path);
  std::string line;
  if (!in || !std::getline(in, line)) return references;
  const auto index = header_index(strip_cr(line));
  if (!index.count("name") || !index.count("reference_objective")) return references;
  for (int number = 2; std::getline(in, line); ++number) {
    line = strip_cr(line);
    if (line.empty()) continue;
    const Cells cells(index, split_csv_line(line), manifest_path + ":" + std::to_string(number));
    const double reference = cells.real("reference_objective");
    if (!std::isnan(reference)) references[cells.text("name")] = reference;
  }
  return references;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool in_quotes = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

}  // namespace qplayer::cli
