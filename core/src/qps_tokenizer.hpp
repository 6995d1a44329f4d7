// Internal helpers of the QPS reader: a gzip-transparent line source, the splitting of a
// data line into free-format tokens or fixed-format fields, and locale-free number parsing.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

struct gzFile_s;  // zlib's handle; kept out of this header so zlib.h stays private

namespace qplayer::detail {

/// A name or token as error messages show it: 'NAME'.
inline std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

/// Reads a text file line by line. gzip input is recognised by its magic bytes and
/// decompressed on the fly; plain files are read as they are. Every failure (cannot open,
/// corrupt or truncated gzip data) throws QpsError "FILE:LINE: message".
class QpsLineSource {
 public:
  explicit QpsLineSource(std::string path);
  ~QpsLineSource();
  QpsLineSource(const QpsLineSource&) = delete;
  QpsLineSource& operator=(const QpsLineSource&) = delete;

  /// The next line without its end-of-line characters, valid until the next call; false at
  /// the end of the file.
  bool next(std::string_view& line);

  /// 1-based number of the line last returned (0 before the first).
  int line_number() const { return line_; }

  /// Throws QpsError "FILE:LINE: message" for the line last returned (or `line` if given).
  [[noreturn]] void fail(const std::string& message, int line = -1) const;

 private:
  bool refill();

  std::string path_;
  gzFile_s* file_ = nullptr;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unread byte of buffer_
  std::size_t end_ = 0;    // one past the last valid byte of buffer_
  bool at_end_ = false;
  std::string carry_;  // a line that spans two buffer refills
  int line_ = 0;
};

/// Splits on blanks and tabs (free MPS). `tokens` is reused to avoid allocations.
void split_tokens(std::string_view line, std::vector<std::string_view>& tokens);

/// The six fields of fixed MPS: columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61, each trimmed.
struct FixedFields {
  std::array<std::string_view, 6> field;
  /// False if text sits in a column that fixed MPS keeps blank, or beyond column 61: such
  /// a line was not written in fixed format.
  bool conforming = true;
};
FixedFields split_fixed(std::string_view line);

/// What a data line of a section holds, as text; names are resolved by the reader.
enum class LineKind { Rows, Columns, RhsOrRanges, Bounds, Quadratic };
struct LineFields {
  std::string_view type;      ///< ROWS: row type; BOUNDS: bound type
  std::string_view owner;     ///< COLUMNS, quadratic: column; RHS, RANGES, BOUNDS: set name
  std::string_view name[2];   ///< ROWS: row; COLUMNS, RHS: rows; BOUNDS, quadratic: column
  std::string_view value[2];  ///< numbers as text, empty when absent
  int count = 0;              ///< how many (name, value) pairs are present
};

/// Reads the fields of a free-format line from its tokens. BOUNDS lines may omit both the set
/// name and (for FR, MI, PL, BV) the value; `is_column` settles "FR set col" vs "FR col 0".
/// False, with `error` saying what was expected, if the tokens do not fit.
bool free_layout(LineKind kind, const std::vector<std::string_view>& tokens,
                 const std::function<bool(std::string_view)>& is_column, LineFields& out,
                 std::string& error);

/// The same from the fixed-format columns of `fields`.
bool fixed_layout(LineKind kind, const FixedFields& fields, LineFields& out, std::string& error);

/// Whether a BOUNDS type carries a value (UP, LO, FX); false for FR, MI, PL, BV.
bool bound_type_has_value(std::string_view type);

/// Parses a whole token as a number ("1.", "-.5e+01", "+2", "inf"); false if the token is
/// not exactly one number. NaN is rejected. Independent of the C locale.
bool parse_number(std::string_view text, double& value);

/// Case-insensitive comparison with an upper-case keyword.
bool equals_keyword(std::string_view text, std::string_view upper_keyword);

}  // namespace qplayer::detail
