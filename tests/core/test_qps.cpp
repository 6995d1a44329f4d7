// Tests of read_qps / write_qps: every section and bound type with exact data, fixed and free
// format, gzip, malformed input, round trips, and all Maros-Meszaros files against the manifest.
#include "qplayer/qps.hpp"

#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using qplayer::Problem;
using qplayer::QpsError;
using qplayer::RowRef;
using qplayer::SparseMatrix;
using qplayer::Vector;
namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A private scratch folder, removed when the test program exits.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("qplayer_test_qps_" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::string scratch(const std::string& file) {
  static ScratchDir dir;
  return (dir.path / file).string();
}

std::string write_text(const std::string& file, const std::string& text) {
  const std::string path = scratch(file);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string write_gzip(const std::string& file, const std::string& text) {
  const std::string path = scratch(file);
  gzFile gz = gzopen(path.c_str(), "wb");
  REQUIRE(gz != nullptr);
  REQUIRE(gzwrite(gz, text.data(), static_cast<unsigned>(text.size())) ==
          static_cast<int>(text.size()));
  REQUIRE(gzclose(gz) == Z_OK);
  return path;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Problem read_text(const std::string& file, const std::string& text) {
  return qplayer::read_qps(write_text(file, text));
}

Eigen::MatrixXd dense(const SparseMatrix& M) { return Eigen::MatrixXd(M); }

Vector vec(std::initializer_list<double> values) {
  Vector v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (double x : values) v[i++] = x;
  return v;
}

// Exact equality of all data and metadata (== on doubles: a round trip must be exact).
void check_same(const Problem& p, const Problem& q, bool compare_names = true) {
  CHECK(dense(p.H) == dense(q.H));
  CHECK(p.g == q.g);
  CHECK(p.c0 == q.c0);
  CHECK(dense(p.A) == dense(q.A));
  CHECK(p.b == q.b);
  CHECK(dense(p.C) == dense(q.C));
  CHECK(p.l == q.l);
  CHECK(p.u == q.u);
  CHECK(p.lb == q.lb);
  CHECK(p.ub == q.ub);
  CHECK(p.converted_from_max == q.converted_from_max);
  CHECK(p.name == q.name);
  if (!p.rows.empty()) {  // a problem not read from a file has no row order to keep
    REQUIRE(p.rows.size() == q.rows.size());
    for (std::size_t i = 0; i < p.rows.size(); ++i) {
      CHECK(p.rows[i].kind == q.rows[i].kind);
      CHECK(p.rows[i].index == q.rows[i].index);
    }
  }
  if (compare_names) {
    CHECK(p.variable_names == q.variable_names);
    CHECK(p.row_names == q.row_names);
  }
}

Problem round_trip(const Problem& p, const std::string& file) {
  const std::string path = scratch(file);
  qplayer::write_qps(p, path);
  return qplayer::read_qps(path);
}

// The QpsError message for `text`, which must name the file and `line`.
std::string error_of(const std::string& text, int line) {
  const std::string path = write_text("bad.qps", text);
  try {
    qplayer::read_qps(path);
  } catch (const QpsError& e) {
    const std::string message = e.what();
    CHECK_MESSAGE(message.rfind(path + ":" + std::to_string(line) + ": ", 0) == 0, message);
    return message;
  }
  FAIL("no QpsError for:\n" << text);
  return {};
}

const char* const kEverySection = R"(NAME          EVERY SECTION
* a comment line
OBJSENSE
    MIN
ROWS
 N  COST
 E  E1
 L  L1
 G  G1
 E  E2
 E  E3
 N  FREE
 L  L2
 G  G2
 E  E4
COLUMNS
    X1  COST  1.5   E1  1
    X1  L1  2   FREE  9
    X2  COST  -2   G1  3
    X2  E2  4   E3  5
    X3  L2  6   G2  7
    X3  E4  8
    X4  E1  -1
    X5  COST  0.5
    X6  L1  1
    X7  G1  1
    X8  E2  1

RHS
    RHS  COST  -10   E1  1
    RHS  L1  2   G1  3
    RHS  E2  4   E3  5
    RHS  L2  6   G2  7
    RHS  E4  8   FREE  100
RANGES
    RNG  E2  2   E3  -3
    RNG  L2  -4   G2  5
    RNG  E4  0
BOUNDS
 UP BND  X1  4
 LO BND  X2  -1
 UP BND  X2  1
 FX BND  X3  2.5
 FR BND  X4
 MI BND  X5
 PL BND  X6
 BV BND  X7
 LO BND  X8  1
QUADOBJ
    X1  X1  2
    X1  X2  -1
    X2  X2  3
    X5  X3  0.5
ENDATA
)";

// What kEverySection means, worked out by hand from the conventions in qps_reader.cpp.
void check_every_section(const Problem& p) {
  CHECK(p.name == "EVERY SECTION");
  CHECK(p.variable_names ==
        std::vector<std::string>{"X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8"});
  CHECK(p.row_names == std::vector<std::string>{"E1", "L1", "G1", "E2", "E3", "L2", "G2", "E4"});
  using K = RowRef::Kind;
  const std::vector<std::pair<K, int>> rows = {
      {K::Equality, 0},   {K::Inequality, 0}, {K::Inequality, 1}, {K::Inequality, 2},
      {K::Inequality, 3}, {K::Inequality, 4}, {K::Inequality, 5}, {K::Equality, 1}};
  REQUIRE(p.rows.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(p.rows[i].kind == rows[i].first);
    CHECK(p.rows[i].index == rows[i].second);
  }
  CHECK(p.g == vec({1.5, -2, 0, 0, 0.5, 0, 0, 0}));
  CHECK(p.c0 == 10.0);  // RHS on the objective row is -c0
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(2, 8);
  A(0, 0) = 1, A(0, 3) = -1, A(1, 2) = 8;
  CHECK(dense(p.A) == A);
  CHECK(p.b == vec({1, 8}));  // E4 has a zero range: still an equality
  Eigen::MatrixXd C = Eigen::MatrixXd::Zero(6, 8);
  C(0, 0) = 2, C(0, 5) = 1;  // L1
  C(1, 1) = 3, C(1, 6) = 1;  // G1
  C(2, 1) = 4, C(2, 7) = 1;  // E2, R = 2
  C(3, 1) = 5;               // E3, R = -3
  C(4, 2) = 6;               // L2, R = -4
  C(5, 2) = 7;               // G2, R = 5
  CHECK(dense(p.C) == C);
  CHECK(p.l == vec({-kInf, 3, 4, 2, 2, 7}));
  CHECK(p.u == vec({2, kInf, 6, 5, 6, 12}));
  CHECK(p.lb == vec({0, -1, 2.5, -kInf, -kInf, 0, 0, 1}));
  CHECK(p.ub == vec({4, 1, 2.5, kInf, kInf, kInf, 1, kInf}));
  Eigen::MatrixXd H = Eigen::MatrixXd::Zero(8, 8);
  H(0, 0) = 2, H(1, 1) = 3, H(0, 1) = H(1, 0) = -1, H(2, 4) = H(4, 2) = 0.5;
  CHECK(dense(p.H) == H);
  CHECK(p.H.nonZeros() == 6);  // both triangles, the diagonal once
  CHECK_FALSE(p.converted_from_max);
}

// A line with the fields at the fixed-MPS columns 2, 5, 15, 25, 40, 50.
std::string fixed(const std::string& f1, const std::string& f2, const std::string& f3 = "",
                  const std::string& f4 = "", const std::string& f5 = "",
                  const std::string& f6 = "") {
  std::string line(61, ' ');
  const std::size_t start[] = {1, 4, 14, 24, 39, 49};
  const std::string* fields[] = {&f1, &f2, &f3, &f4, &f5, &f6};
  for (int k = 0; k < 6; ++k) line.replace(start[k], fields[k]->size(), *fields[k]);
  return line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
}

}  // namespace

TEST_CASE("qps: free format with every section and bound type") {
  check_every_section(read_text("every.qps", kEverySection));
}

TEST_CASE("qps: CRLF line ends, tabs and a missing final newline read the same") {
  std::string text = kEverySection;
  std::string dos;
  for (char c : text) {
    if (c == '\n') dos += '\r';
    dos += c == ' ' && dos.size() > 0 && dos.back() == ' ' ? '\t' : c;
  }
  dos.pop_back();  // no newline after ENDATA
  dos.pop_back();
  check_every_section(read_text("dos.qps", dos));
}

TEST_CASE("qps: fixed format with blanks in names") {
  std::string text = "NAME          FIXED ONE\nROWS\n";
  text += fixed("N", "OBJ ROW") + fixed("L", "LIM 1") + fixed("E", "BAL 2") + fixed("G", "G");
  text += "COLUMNS\n";
  text += fixed("", "COL A", "OBJ ROW", "1.", "LIM 1", "-2.5");
  text += fixed("", "COL A", "BAL 2", "1");
  text += fixed("", "COL B", "LIM 1", ".5", "G", "1e1");
  text += "RHS\n" + fixed("", "", "LIM 1", "4", "BAL 2", "-3") + fixed("", "", "OBJ ROW", "2.25");
  text += "RANGES\n" + fixed("", "RNG 1", "LIM 1", "1.5");
  text += "BOUNDS\n" + fixed("UP", "BND 1", "COL A", "7") + fixed("MI", "BND 1", "COL B");
  text += "QUADOBJ\n" + fixed("", "COL A", "COL A", "4") + fixed("", "COL B", "COL A", "1");
  text += "ENDATA\n";
  const Problem p = read_text("fixed.qps", text);
  CHECK(p.name == "FIXED ONE");
  CHECK(p.variable_names == std::vector<std::string>{"COL A", "COL B"});
  CHECK(p.row_names == std::vector<std::string>{"LIM 1", "BAL 2", "G"});
  CHECK(p.g == vec({1, 0}));
  CHECK(p.c0 == -2.25);
  CHECK(dense(p.A) == (Eigen::MatrixXd(1, 2) << 1, 0).finished());
  CHECK(p.b == vec({-3}));
  CHECK(dense(p.C) == (Eigen::MatrixXd(2, 2) << -2.5, 0.5, 0, 10).finished());
  CHECK(p.l == vec({2.5, 0}));
  CHECK(p.u == vec({4, kInf}));
  CHECK(p.lb == vec({0, -kInf}));
  CHECK(p.ub == vec({7, kInf}));
  CHECK(dense(p.H) == (Eigen::MatrixXd(2, 2) << 4, 1, 1, 0).finished());
}

TEST_CASE("qps: set names may be omitted; only the first set is read") {
  const Problem p = read_text("sets.qps", R"(NAME
ROWS
 N  OBJ
 L  R1
 G  R2
COLUMNS
    X1  R1  1   R2  1
    X2  R1  1
    X3  R2  2
RHS
    R1  5   R2  1
    OTHER  R1  99
RANGES
    R1  2
BOUNDS
 UP X1 3
 FR X2
 MI X3 0
 UP OTHER X1 100
ENDATA
)");
  CHECK(p.name.empty());
  CHECK(p.l == vec({3, 1}));
  CHECK(p.u == vec({5, kInf}));
  CHECK(p.lb == vec({0, -kInf, -kInf}));
  CHECK(p.ub == vec({3, kInf, kInf}));
}

TEST_CASE("qps: OBJSENSE MAX in both forms gives the negated minimization") {
  const std::string body = R"(ROWS
 N  OBJ
 L  R1
COLUMNS
    X1  OBJ  3   R1  1
    X2  OBJ  -1   R1  1
RHS
    RHS  OBJ  4   R1  2
QUADOBJ
    X1  X1  -2
    X2  X1  1
    X2  X2  -4
ENDATA
)";
  const Problem next_line = read_text("max1.qps", "NAME M\nOBJSENSE\n    MAX\n" + body);
  const Problem one_line = read_text("max2.qps", "NAME M\nOBJSENSE MAXIMIZE\n" + body);
  const Problem min = read_text("min.qps", "NAME M\nOBJSENSE MIN\n" + body);
  for (const Problem* p : {&next_line, &one_line}) {
    CHECK(p->converted_from_max);
    CHECK(p->g == vec({-3, 1}));
    CHECK(p->c0 == 4.0);  // file constant is -4
    CHECK(dense(p->H) == (Eigen::MatrixXd(2, 2) << 2, -1, -1, 4).finished());
    CHECK(p->u == vec({2}));
  }
  CHECK_FALSE(min.converted_from_max);
  CHECK(min.g == vec({3, -1}));
  CHECK(min.c0 == -4.0);
  // The file's objective value is -objective(x) of the converted problem.
  const Vector x = vec({0.5, 1.5});
  CHECK(next_line.objective(x) == doctest::Approx(-min.objective(x)));
}

TEST_CASE("qps: a negative UP bound without a lower bound makes the lower bound -inf") {
  const Problem p = read_text("up.qps", R"(NAME
ROWS
 N  OBJ
COLUMNS
    X1  OBJ  1
    X2  OBJ  1
    X3  OBJ  1
    X4  OBJ  1
    X5  OBJ  1
BOUNDS
 UP BND  X1  -2
 UP BND  X2  0
 UP BND  X3  -2
 LO BND  X3  -5
 MI BND  X4
 UP BND  X4  -1
 LO BND  X5  -3
 UP BND  X5  -1
ENDATA
)");
  CHECK(p.lb == vec({-kInf, 0, -5, -kInf, -3}));
  CHECK(p.ub == vec({-2, 0, -2, -1, -1}));
}

TEST_CASE("qps: QMATRIX is taken as is and QSECTION reads like QUADOBJ") {
  const std::string head = R"(NAME
ROWS
 N  OBJ
COLUMNS
    X1  OBJ  1
    X2  OBJ  1
)";
  const Problem full = read_text("qmatrix.qps", head + R"(QMATRIX
    X1  X1  2
    X1  X2  -0.5
    X2  X1  -0.5
    X2  X2  1
ENDATA
)");
  const Problem section = read_text("qsection.qps", head + R"(QSECTION OBJ
    X1  X1  2
    X1  X2  -0.5
    X2  X2  1
ENDATA
)");
  const Eigen::MatrixXd H = (Eigen::MatrixXd(2, 2) << 2, -0.5, -0.5, 1).finished();
  CHECK(dense(full.H) == H);
  CHECK(dense(section.H) == H);
  const std::string message = error_of(head + R"(QMATRIX
    X1  X2  -0.5
    X2  X1  -0.25
ENDATA
)",
                                       8);
  CHECK(message.find("not symmetric") != std::string::npos);
}

TEST_CASE("qps: gzip is read transparently; truncated or corrupt gzip is an error") {
  const Problem plain = read_text("every_plain.qps", kEverySection);
  const std::string gz = write_gzip("every.qps.gz", kEverySection);
  check_same(plain, qplayer::read_qps(gz));

  // A real file, large enough that cutting it ends the deflate stream mid-way.
  const std::string mm = std::string(QPLAYER_MAROS_MESZAROS_DIR) + "/CVXQP1_S.QPS.gz";
  const std::string bytes = read_bytes(mm);
  REQUIRE(bytes.size() > 1000);
  const std::string cut = write_text("cut.qps.gz", bytes.substr(0, bytes.size() / 2));
  CHECK_THROWS_WITH_AS(qplayer::read_qps(cut), doctest::Contains("truncated gzip"), QpsError);
  std::string damaged = bytes;
  damaged[damaged.size() - 6] ^= 0x5a;  // inside the CRC-32 of the gzip trailer
  const std::string crc = write_text("crc.qps.gz", damaged);
  CHECK_THROWS_WITH_AS(qplayer::read_qps(crc), doctest::Contains((crc + ":").c_str()), QpsError);
}

TEST_CASE("qps: malformed input gives QpsError with file and line") {
  const std::string rows = "NAME\nROWS\n N  OBJ\n E  R1\n";                            // lines 1-4
  const std::string cols = rows + "COLUMNS\n    X1  OBJ  1   R1  1\n    X2  R1  2\n";  // 5-7
  struct Case {
    std::string text;
    int line;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {rows + "COLUMS\n", 5, "unknown section 'COLUMS'"},
      {cols + "RHS\n    RHS  R1  1.2.3\nENDATA\n", 9, "expected a number, got '1.2.3'"},
      {cols + "RHS\n    RHS  R1  nan\nENDATA\n", 9, "expected a number"},
      {rows + "COLUMNS\n    X1  R9  1\n", 6, "unknown row 'R9'"},
      {rows + "COLUMNS\n    X1  R1\n", 6, "expected a column name and one or two pairs"},
      {rows + "COLUMNS\n    X1  R1  inf\nENDATA\n", 6, "finite coefficient"},
      {cols + "BOUNDS\n UP BND  X9  1\nENDATA\n", 9, "unknown column 'X9'"},
      {cols + "BOUNDS\n UP BND  X1\nENDATA\n", 9, "unknown column 'BND'"},
      {cols + "BOUNDS\n XX BND  X1  1\nENDATA\n", 9, "unknown bound type 'XX'"},
      {cols + "BOUNDS\n UP BND  X1  1\n UP BND  X1  2\nENDATA\n", 10, "duplicate upper bound"},
      {cols + "BOUNDS\n FR BND  X1\n MI BND  X1\nENDATA\n", 10, "duplicate lower bound"},
      {cols + "BOUNDS\n LO BND  X1  5\n UP BND  X1  3\nENDATA\n", 10, "inconsistent"},
      {cols + "BOUNDS\n LO BND  X1  inf\nENDATA\n", 9, "wrong side"},
      {cols + "BOUNDS\n LI BND  X1  1\nENDATA\n", 9, "not supported"},
      {cols + "QUADOBJ\n    X1  X3  1\nENDATA\n", 9, "unknown column 'X3'"},
      {cols + "QUADOBJ\n    X1  X2  1\n    X2  X1  1\nENDATA\n", 10, "duplicate entry"},
      {cols + "QUADOBJ\n    X1  X1\nENDATA\n", 9, "expected two column names and a value"},
      {rows + " E  R1\n", 5, "duplicate row name 'R1'"},
      {rows + " K  R2\n", 5, "unknown row type 'K'"},
      {rows + "COLUMNS\n    X1  R1  1\n    X1  R1  2\nENDATA\n", 7, "duplicate entry"},
      {rows + "COLUMNS\n    X1  R1  1   R1  2\nENDATA\n", 6, "duplicate entry"},
      {cols + "RHS\n    RHS  R1  1\n    RHS  R1  2\nENDATA\n", 10, "duplicate RHS"},
      {cols + "RANGES\n    RNG  R1  1   R1  2\nENDATA\n", 9, "duplicate RANGES"},
      {cols + "RHS\n    RHS  R1  1  R1  2  R1  3\nENDATA\n", 9, "expected [set name] row name"},
      {cols + "RHS\n    RHS  R1  inf\nENDATA\n", 9, "no valid interval"},
      {cols + "RHS\n    RHS  OBJ  -inf\nENDATA\n", 9, "finite objective constant"},
      {cols, 7, "expected ENDATA"},
      {"", 0, "expected ENDATA"},
      {"    X1  R1  1\n", 1, "expected a section header"},
      {"NAME\nCOLUMNS\n", 2, "expected the ROWS section first"},
      {rows + "ROWS\n", 5, "appears twice"},
      {"NAME\nROWS extra\n", 2, "expected nothing after"},
      {"NAME\nBOUNDS\n", 2, "expected COLUMNS first"},
      {rows + "COLUMNS\n    MARKER  'MARKER'  'INTORG'\n", 6, "not supported"},
      {cols + "SOS\n", 8, "not supported"},
      {cols + "QCMATRIX  R1\n", 8, "not supported"},
      {cols + "QSECTION  R1\n", 8, "not supported"},
      {cols + "QUADOBJ\nQMATRIX\n", 9, "given twice"},
      {"NAME\nOBJSENSE\n    UPWARDS\n", 3, "expected MAX or MIN"},
      {"NAME\nOBJSENSE\nROWS\n", 3, "expected MAX or MIN"},
      {"NAME\n    oops\n", 2, "after NAME"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string message = error_of(c.text, c.line);
    CHECK_MESSAGE(message.find(c.expected) != std::string::npos, message);
  }
  const std::string missing = scratch("does_not_exist.qps");
  CHECK_THROWS_WITH_AS(qplayer::read_qps(missing),
                       doctest::Contains((missing + ":0: cannot open").c_str()), QpsError);
  CHECK_THROWS_AS(qplayer::read_qps(scratch("")), QpsError);  // a directory
}

TEST_CASE("qps: write then read gives back a hand-made problem exactly") {
  SUBCASE("every section") {
    const Problem p = read_text("every_rt.qps", kEverySection);
    check_same(p, round_trip(p, "every_written.qps"));
  }
  SUBCASE("maximization, no names, awkward two-sided rows") {
    // Limits whose difference is not a double: the writer must pick R so that the reader's
    // rhs ± |R| lands exactly on both limits.
    const Vector l = vec({0.1, 1e-20, -1, -kInf, 3, -kInf, 1.0 / 3, -1e300, 5});
    const Vector u = vec({0.3, 1, 1e-20, kInf, kInf, -7.25, 2.0 / 3, 1e-300, 5});
    const int m = static_cast<int>(l.size()), n = 4;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> dist(-1, 1);
    Eigen::MatrixXd C(m, n), A(2, n), M(n, n);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) C(i, j) = (i + j) % 3 == 0 ? 0.0 : dist(rng);
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < n; ++j) A(i, j) = dist(rng);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) M(i, j) = dist(rng);
    const Eigen::MatrixXd MMt = M * M.transpose();
    const Eigen::MatrixXd H = (MMt + MMt.transpose()) / 2;  // exactly symmetric
    Problem p(H, vec({dist(rng), 0, dist(rng), 1e-310}), A, vec({dist(rng), -0.1}), C, l, u,
              vec({-kInf, 0, -2.5, 1}), vec({kInf, 0.7, -1.5, 1}));
    p.c0 = 1.0 / 7;
    p.converted_from_max = true;
    const Problem q = round_trip(p, "random.qps");
    check_same(p, q, false);
    for (int i = 0; i < m + 2; ++i) {  // generated file order: equalities, then the rest
      CHECK(q.rows[static_cast<std::size_t>(i)].kind ==
            (i < 2 ? RowRef::Kind::Equality : RowRef::Kind::Inequality));
      CHECK(q.rows[static_cast<std::size_t>(i)].index == (i < 2 ? i : i - 2));
    }
    CHECK(q.variable_names == std::vector<std::string>{"X1", "X2", "X3", "X4"});
    CHECK(q.row_names.size() == static_cast<std::size_t>(m + 2));
    check_same(q, round_trip(q, "random2.qps"));  // now with names
  }
  SUBCASE("no box, an empty column, names with blanks and repeats") {
    Eigen::MatrixXd C = Eigen::MatrixXd::Zero(1, 3);
    C(0, 0) = 1;
    Problem p(Eigen::MatrixXd::Zero(3, 3), vec({1, 0, 0}), Eigen::MatrixXd::Zero(0, 3), Vector(), C,
              vec({-1}), vec({1}));
    p.variable_names = {"a b", "dup", "dup"};
    p.row_names = {"OBJ"};
    p.rows = {RowRef{RowRef::Kind::Inequality, 0}};
    const Problem q = round_trip(p, "names.qps");
    CHECK(q.variable_names == std::vector<std::string>{"a_b", "dup", "dup_2"});
    CHECK(q.row_names == std::vector<std::string>{"OBJ"});  // the objective row is renamed
    CHECK(q.lb == Vector::Constant(3, -kInf));              // no box: free columns
    CHECK(q.ub == Vector::Constant(3, kInf));
    CHECK(q.g == p.g);
    CHECK(dense(q.C) == C);
  }
}

TEST_CASE("qps: Maros-Meszaros files survive a write/read round trip") {
  for (const char* name : {"HS21", "QAFIRO", "CVXQP1_S", "PRIMALC1", "QFORPLAN"}) {
    CAPTURE(name);
    const Problem p =
        qplayer::read_qps(std::string(QPLAYER_MAROS_MESZAROS_DIR) + "/" + name + ".QPS.gz");
    // QFORPLAN's names hold blanks, which free MPS cannot: the writer turns them into '_'.
    const bool blanks = std::string(name) == "QFORPLAN";
    check_same(p, round_trip(p, std::string(name) + ".qps"), !blanks);
  }
}

TEST_CASE("qps: facts read off Maros-Meszaros files") {
  const std::string dir = QPLAYER_MAROS_MESZAROS_DIR;
  // HS21: "RHS OBJ.FUNC 0.100000e+03", QUADOBJ diagonal 0.02 and 2, G row R------1 >= 10.
  const Problem hs21 = qplayer::read_qps(dir + "/HS21.QPS.gz");
  CHECK(hs21.c0 == -100.0);
  CHECK(dense(hs21.H) == (Eigen::MatrixXd(2, 2) << 0.02, 0, 0, 2).finished());
  CHECK(hs21.l == vec({10}));
  CHECK(hs21.lb == vec({2, -50}));
  // The reference optimum -99.96 is attained at x = (2, 0).
  CHECK(hs21.objective(vec({2, 0})) == doctest::Approx(-99.96).epsilon(1e-12));
  // QAFIRO: the N row COST comes last among 28 rows; X02 COST -.4.
  const Problem qafiro = qplayer::read_qps(dir + "/QAFIRO.QPS.gz");
  CHECK(qafiro.rows.size() == 27);
  CHECK(qafiro.g[1] == -0.4);
  // QFORPLAN is fixed format: "G  LTSYCT", RHS 10., RANGES 284990. (set name "RNG 1").
  const Problem forplan = qplayer::read_qps(dir + "/QFORPLAN.QPS.gz");
  const auto& names = forplan.row_names;
  const auto at = std::find(names.begin(), names.end(), "LTSYCT") - names.begin();
  REQUIRE(at < static_cast<long>(names.size()));
  const RowRef ref = forplan.rows[static_cast<std::size_t>(at)];
  CHECK(ref.kind == RowRef::Kind::Inequality);
  CHECK(forplan.l[ref.index] == 10.0);
  CHECK(forplan.u[ref.index] == 285000.0);
  CHECK(std::find(names.begin(), names.end(), "DEDO3 1R") != names.end());
}

// nnz_P in manifest.csv counts the full symmetric P (both triangles), like Problem::H; the
// README of the set says so and HS21 (two diagonal entries, nnz_P = 2) agrees.
TEST_CASE("qps: every Maros-Meszaros file matches manifest.csv") {
  const std::string dir = QPLAYER_MAROS_MESZAROS_DIR;
  std::ifstream manifest(dir + "/manifest.csv");
  REQUIRE(manifest.good());
  std::string line;
  std::getline(manifest, line);
  REQUIRE(line.rfind("name,n,m_eq,m_ineq,nnz_P,nnz_A,", 0) == 0);
  int files = 0;
  double slowest = 0.0;
  std::string slowest_name;
  while (std::getline(manifest, line)) {
    std::stringstream fields(line);
    std::string name, n, m_eq, m_ineq, nnz_p, nnz_a;
    std::getline(fields, name, ',');
    std::getline(fields, n, ',');
    std::getline(fields, m_eq, ',');
    std::getline(fields, m_ineq, ',');
    std::getline(fields, nnz_p, ',');
    std::getline(fields, nnz_a, ',');
    CAPTURE(name);
    const auto start = std::chrono::steady_clock::now();
    const Problem p = qplayer::read_qps(dir + "/" + name + ".QPS.gz");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds > slowest) slowest = seconds, slowest_name = name;
    CHECK(p.n() == std::stoi(n));
    CHECK(p.n_eq() == std::stoi(m_eq));
    CHECK(p.n_in() == std::stoi(m_ineq));
    CHECK(p.H.nonZeros() == std::stol(nnz_p));
    CHECK(p.A.nonZeros() + p.C.nonZeros() == std::stol(nnz_a));
    CHECK(p.has_box());
    CHECK(p.rows.size() == static_cast<std::size_t>(p.n_eq() + p.n_in()));
    CHECK(p.variable_names.size() == static_cast<std::size_t>(p.n()));
    ++files;
  }
  CHECK(files == 137);
  MESSAGE("slowest read: " << slowest_name << " in " << slowest << " s");
  CHECK(slowest < 10.0);  // generous: the machine may be shared; typical is well under 1 s
}
