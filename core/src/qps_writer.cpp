// write_qps: a Problem as free-format QPS that read_qps turns back into the same data: names
// kept (made unique and blank-free), numbers in shortest round-trip form, exact ranges.
#include "qplayer/qps.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace qplayer {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Buffered output; the biggest Maros-Meszaros problems give files of over 10 MB.
class Output {
 public:
  explicit Output(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    if (file_ == nullptr) fail();
    buffer_.reserve(kFlushSize + 4096);
  }
  ~Output() {
    if (file_ != nullptr) std::fclose(file_);
  }
  Output& operator<<(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() > kFlushSize) flush();
    return *this;
  }
  // Shortest text that reads back as the same double (std::to_chars guarantees it); it is
  // exact like %.17g without the noise digits. Infinities come out as "inf"/"-inf".
  Output& operator<<(double value) {
    char text[32];
    const auto result = std::to_chars(text, text + sizeof text, value);
    return *this << std::string_view(text, static_cast<std::size_t>(result.ptr - text));
  }
  void close() {
    flush();
    const int status = std::fclose(file_);
    file_ = nullptr;
    if (status != 0) fail();
  }

 private:
  static constexpr std::size_t kFlushSize = std::size_t{1} << 20;
  void flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      fail();
    buffer_.clear();
  }
  [[noreturn]] void fail() const {
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
  }

  std::string path_;
  std::FILE* file_;
  std::string buffer_;
};

// Free MPS cannot hold a blank inside a name, and the reader rejects repeated names, so each
// name is made blank-free and unique; missing ones are generated as prefix + position.
std::vector<std::string> writable_names(const std::vector<std::string>& given, std::size_t count,
                                        const std::string& prefix,
                                        std::unordered_set<std::string>& taken) {
  std::vector<std::string> wanted(count), out(count);
  for (std::size_t i = 0; i < count && i < given.size(); ++i) {
    std::string name = given[i];
    for (char& c : name)
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') c = '_';
    if (name == "'MARKER'") name.clear();  // would read as an integer marker
    wanted[i] = name;
    if (!name.empty() && taken.insert(name).second) out[i] = name;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (!out[i].empty()) continue;
    const std::string base = wanted[i].empty() ? prefix + std::to_string(i + 1) : wanted[i];
    std::string name = base;
    for (int k = 2; !taken.insert(name).second; ++k) name = base + "_" + std::to_string(k);
    out[i] = name;
  }
  return out;
}

// One constraint row as MPS states it.
struct FileRow {
  char type;
  double rhs;
  bool ranged;
  double range;
};

// The reader computes G: [r, r + |R|] and L: [r - |R|, r]. Pick the form and R for which
// that arithmetic gives back exactly l and u; R = u - l is rounded in general, so its
// neighbours are tried too.
FileRow two_sided_row(double l, double u) {
  const double r0 = u - l;
  double r = r0;
  for (int step = 0; step < 16; ++step) {
    if (r >= 0 && l + r == u) return {'G', l, true, r};
    if (r >= 0 && u - r == l) return {'L', u, true, r};
    // r0, r0+, r0-, r0++, r0--, ...
    const int k = step / 2 + 1;
    r = r0;
    for (int i = 0; i < k; ++i) r = std::nextafter(r, step % 2 == 0 ? kInf : -kInf);
  }
  return {'G', l, true, r0};  // not reached for the magnitudes met in practice
}

FileRow file_row(const Problem& p, const RowRef& ref) {
  if (ref.kind == RowRef::Kind::Equality) return {'E', p.b[ref.index], false, 0.0};
  const double l = p.l[ref.index], u = p.u[ref.index];
  if (l == -kInf) return {'L', u, false, 0.0};  // u may be +inf: a free row, kept as a row
  if (u == kInf) return {'G', l, false, 0.0};
  return two_sided_row(l, u);
}

// Problem::rows as the writer can use it: a file order that the reader reproduces (each kind
// numbered 0, 1, 2, ... in order). Anything else: equalities first, then inequalities.
std::vector<RowRef> file_order(const Problem& p) {
  std::vector<RowRef> order;
  int next[2] = {0, 0};
  bool usable = p.rows.size() == static_cast<std::size_t>(p.n_eq() + p.n_in());
  for (std::size_t i = 0; usable && i < p.rows.size(); ++i)
    usable = p.rows[i].index == next[static_cast<int>(p.rows[i].kind)]++;
  if (usable) return p.rows;
  for (int i = 0; i < p.n_eq(); ++i) order.push_back({RowRef::Kind::Equality, i});
  for (int i = 0; i < p.n_in(); ++i) order.push_back({RowRef::Kind::Inequality, i});
  return order;
}

// Row names in `order`, taken from p.row_names through p.rows where they say which row is which.
std::vector<std::string> given_row_names(const Problem& p, const std::vector<RowRef>& order) {
  if (p.row_names.size() != p.rows.size()) return {};
  std::vector<std::string> by_kind[2] = {std::vector<std::string>(p.n_eq()),
                                         std::vector<std::string>(p.n_in())};
  for (std::size_t i = 0; i < p.rows.size(); ++i) {
    auto& names = by_kind[static_cast<int>(p.rows[i].kind)];
    if (p.rows[i].index >= 0 && static_cast<std::size_t>(p.rows[i].index) < names.size())
      names[static_cast<std::size_t>(p.rows[i].index)] = p.row_names[i];
  }
  std::vector<std::string> out;
  for (const RowRef& ref : order)
    out.push_back(by_kind[static_cast<int>(ref.kind)][static_cast<std::size_t>(ref.index)]);
  return out;
}

}  // namespace

void write_qps(const Problem& problem, const std::string& path) {
  const Problem& p = problem;
  p.validate();
  const int n = p.n();
  // A problem that came from OBJSENSE MAX is written back as that maximization.
  const double sense = p.converted_from_max ? -1.0 : 1.0;

  const std::vector<RowRef> order = file_order(p);
  std::unordered_set<std::string> taken;
  const std::vector<std::string> row_names =
      writable_names(given_row_names(p, order), order.size(), "R", taken);
  std::string objective = "OBJ";
  for (int k = 2; taken.count(objective) != 0; ++k) objective = "OBJ_" + std::to_string(k);
  taken.clear();  // columns have a namespace of their own
  const std::vector<std::string> columns =
      writable_names(p.variable_names, static_cast<std::size_t>(n), "X", taken);
  std::vector<const std::string*> name_of[2] = {std::vector<const std::string*>(p.n_eq()),
                                                std::vector<const std::string*>(p.n_in())};
  std::vector<FileRow> rows;
  for (std::size_t i = 0; i < order.size(); ++i) {
    name_of[static_cast<int>(order[i].kind)][static_cast<std::size_t>(order[i].index)] =
        &row_names[i];
    rows.push_back(file_row(p, order[i]));
  }

  Output out(path);
  std::string name = p.name;
  for (char& c : name)
    if (c == '\n' || c == '\r') c = ' ';
  out << "NAME          " << name << "\n";
  if (p.converted_from_max) out << "OBJSENSE\n    MAX\n";
  out << "ROWS\n N  " << objective << "\n";
  for (std::size_t i = 0; i < rows.size(); ++i)
    out << " " << std::string_view(&rows[i].type, 1) << "  " << row_names[i] << "\n";

  out << "COLUMNS\n";
  for (int j = 0; j < n; ++j) {
    bool written = false;
    const auto entry = [&](const std::string& row, double value) {
      out << "    " << columns[static_cast<std::size_t>(j)] << "  " << row << "  " << value << "\n";
      written = true;
    };
    if (p.g[j] != 0.0) entry(objective, sense * p.g[j]);
    for (SparseMatrix::InnerIterator it(p.A, j); it; ++it)
      if (it.value() != 0.0) entry(*name_of[0][static_cast<std::size_t>(it.row())], it.value());
    for (SparseMatrix::InnerIterator it(p.C, j); it; ++it)
      if (it.value() != 0.0) entry(*name_of[1][static_cast<std::size_t>(it.row())], it.value());
    if (!written) entry(objective, 0.0);  // a column exists only through a COLUMNS line
  }

  out << "RHS\n";
  if (p.c0 != 0.0) out << "    RHS  " << objective << "  " << -(sense * p.c0) << "\n";
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].rhs != 0.0) out << "    RHS  " << row_names[i] << "  " << rows[i].rhs << "\n";

  bool any_range = false;
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].ranged) {
      if (!any_range) out << "RANGES\n";
      any_range = true;
      out << "    RNG  " << row_names[i] << "  " << rows[i].range << "\n";
    }

  out << "BOUNDS\n";
  for (int j = 0; j < n; ++j) {
    const std::string& column = columns[static_cast<std::size_t>(j)];
    const double lb = p.has_box() ? p.lb[j] : -kInf, ub = p.has_box() ? p.ub[j] : kInf;
    if (lb == -kInf && ub == kInf) {
      out << " FR BND  " << column << "\n";
    } else if (lb == ub) {
      out << " FX BND  " << column << "  " << lb << "\n";
    } else {
      // LO before UP and MI for -inf: a negative UP then never meets the reader's
      // "no lower bound given" rule. lb = 0 is the default and is left out.
      if (lb == -kInf)
        out << " MI BND  " << column << "\n";
      else if (lb != 0.0)
        out << " LO BND  " << column << "  " << lb << "\n";
      if (ub != kInf) out << " UP BND  " << column << "  " << ub << "\n";
    }
  }

  bool any_quadratic = false;
  for (int j = 0; j < n; ++j)
    for (SparseMatrix::InnerIterator it(p.H, j); it; ++it) {
      if (it.row() < j || it.value() == 0.0) continue;  // lower triangle only
      if (!any_quadratic) out << "QUADOBJ\n";
      any_quadratic = true;
      out << "    " << columns[static_cast<std::size_t>(j)] << "  "
          << columns[static_cast<std::size_t>(it.row())] << "  " << sense * it.value() << "\n";
    }
  out << "ENDATA\n";
  out.close();
}

}  // namespace qplayer
