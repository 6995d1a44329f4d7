// Line source and field splitting for the QPS reader. Files are read in large gzread chunks
// because line-by-line gzgets dominates the reading time of the 100k-column problems.
#include "qps_tokenizer.hpp"

#include "qplayer/qps.hpp"

#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <utility>

namespace qplayer::detail {
namespace {

constexpr std::size_t kChunk = std::size_t{1} << 18;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

QpsLineSource::QpsLineSource(std::string path) : path_(std::move(path)) {
  file_ = gzopen(path_.c_str(), "rb");
  if (file_ == nullptr) {
    const int err = errno;
    fail(
        std::string("cannot open file (") + (err != 0 ? std::strerror(err) : "out of memory") + ")",
        0);
  }
  gzbuffer(file_, static_cast<unsigned>(kChunk));
  buffer_.resize(kChunk);
}

QpsLineSource::~QpsLineSource() {
  if (file_ != nullptr) gzclose(file_);
}

void QpsLineSource::fail(const std::string& message, int line) const {
  throw QpsError(path_ + ":" + std::to_string(line < 0 ? line_ : line) + ": " + message);
}

bool QpsLineSource::refill() {
  begin_ = end_ = 0;
  if (at_end_) return false;
  const int got = gzread(file_, buffer_.data(), static_cast<unsigned>(buffer_.size()));
  int err = Z_OK;
  const char* message = gzerror(file_, &err);
  // A truncated gzip stream is not an error for gzread (it returns what it could inflate
  // and sets Z_BUF_ERROR), so the error state is checked on every read, not only on -1.
  if (got < 0 || (err != Z_OK && err != Z_STREAM_END)) {
    std::string what = err == Z_ERRNO ? std::strerror(errno) : (message ? message : "");
    if (err == Z_BUF_ERROR) what = "truncated gzip data (" + what + ")";
    fail("read error: " + what + "; expected the rest of the file", line_ + 1);
  }
  if (got == 0) {
    at_end_ = true;
    return false;
  }
  end_ = static_cast<std::size_t>(got);
  return true;
}

bool QpsLineSource::next(std::string_view& line) {
  carry_.clear();
  for (;;) {
    if (begin_ < end_) {
      const char* start = buffer_.data() + begin_;
      const void* nl = std::memchr(start, '\n', end_ - begin_);
      if (nl != nullptr) {
        const auto length = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
        begin_ += length + 1;
        if (carry_.empty()) {
          line = std::string_view(start, length);
        } else {
          carry_.append(start, length);
          line = carry_;
        }
        break;
      }
      carry_.append(start, end_ - begin_);
    }
    if (!refill()) {
      if (carry_.empty()) return false;  // clean end of file
      line = carry_;                     // last line without a newline
      break;
    }
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++line_;
  return true;
}

void split_tokens(std::string_view line, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    while (i < n && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < n && !is_blank(line[i])) ++i;
    if (i > start) tokens.push_back(line.substr(start, i - start));
  }
}

FixedFields split_fixed(std::string_view line) {
  // 0-based [first, first + length) of the six fields.
  static constexpr std::size_t first[6] = {1, 4, 14, 24, 39, 49};
  static constexpr std::size_t length[6] = {2, 8, 8, 12, 8, 12};
  FixedFields out;
  for (int k = 0; k < 6; ++k) {
    if (first[k] < line.size()) out.field[k] = trim(line.substr(first[k], length[k]));
  }
  // Gaps between fields: column 1, 4, 13-14, 23-24, 37-39, 48-49 and past 61 (1-based).
  static constexpr std::size_t gap_first[7] = {0, 3, 12, 22, 36, 47, 61};
  static constexpr std::size_t gap_length[7] = {1, 1, 2, 2, 3, 2, std::string_view::npos};
  for (int k = 0; k < 7 && out.conforming; ++k) {
    if (gap_first[k] >= line.size()) break;
    for (char c : line.substr(gap_first[k], gap_length[k]))
      if (!is_blank(c)) {
        out.conforming = false;
        break;
      }
  }
  return out;
}

bool bound_type_has_value(std::string_view type) {
  return equals_keyword(type, "UP") || equals_keyword(type, "LO") || equals_keyword(type, "FX");
}

bool free_layout(LineKind kind, const std::vector<std::string_view>& t,
                 const std::function<bool(std::string_view)>& is_column, LineFields& out,
                 std::string& error) {
  out = LineFields{};
  const std::size_t n = t.size();
  switch (kind) {
    case LineKind::Rows:
      if (n != 2) break;
      out.type = t[0];
      out.name[0] = t[1];
      out.count = 1;
      return true;
    case LineKind::Columns:
    case LineKind::RhsOrRanges: {
      // COLUMNS always starts with the column; RHS/RANGES start with a set name unless it is
      // omitted, which the parity of the token count tells.
      std::size_t first = 0;
      if (kind == LineKind::Columns) {
        if (n != 3 && n != 5) break;
        out.owner = t[0];
        first = 1;
      } else {
        if (n < 2 || n > 5) break;
        if (n % 2 == 1) out.owner = t[0];
        first = n % 2;
      }
      out.count = static_cast<int>((n - first) / 2);
      for (int k = 0; k < out.count; ++k) {
        out.name[k] = t[first + 2 * k];
        out.value[k] = t[first + 2 * k + 1];
      }
      return true;
    }
    case LineKind::Bounds:
      if (n < 2 || n > 4) break;
      out.type = t[0];
      out.count = 1;
      if (bound_type_has_value(t[0])) {
        if (n == 2) break;
        if (n == 4) out.owner = t[1];
        out.name[0] = t[n - 2];
        out.value[0] = t[n - 1];
      } else if (n == 2) {
        out.name[0] = t[1];
      } else if (n == 4 || is_column(t[2])) {
        out.owner = t[1];
        out.name[0] = t[2];
        if (n == 4) out.value[0] = t[3];
      } else {
        out.name[0] = t[1];  // "FR col value": the value of a valueless bound type
        out.value[0] = t[2];
      }
      return true;
    case LineKind::Quadratic:
      if (n != 3) break;
      out.owner = t[0];
      out.name[0] = t[1];
      out.value[0] = t[2];
      out.count = 1;
      return true;
  }
  static const char* const expected[] = {
      "expected a row type (N, E, L or G) and a row name",
      "expected a column name and one or two pairs of row name and value",
      "expected [set name] row name value [row name value]",
      "expected a bound type, [set name], a column name and (for UP, LO, FX) a value",
      "expected two column names and a value"};
  error = expected[static_cast<int>(kind)];
  return false;
}

bool fixed_layout(LineKind kind, const FixedFields& fields, LineFields& out, std::string& error) {
  out = LineFields{};
  const auto& f = fields.field;
  if (!fields.conforming) {
    error = "text outside the fixed-format columns";
    return false;
  }
  const bool pairs = kind == LineKind::Columns || kind == LineKind::RhsOrRanges;
  const bool typed = kind == LineKind::Rows || kind == LineKind::Bounds;
  const bool tail_empty = f[4].empty() && f[5].empty();
  if ((!typed && !f[0].empty()) || (!pairs && !tail_empty) ||
      (kind == LineKind::Rows && !(f[2].empty() && f[3].empty()))) {
    error = "fields are not where fixed MPS puts them";
    return false;
  }
  out.type = f[0];
  if (kind == LineKind::Rows) {
    out.name[0] = f[1];
  } else {
    out.owner = f[1];
    out.name[0] = f[2];
    out.value[0] = f[3];
    if (pairs && !tail_empty) {
      out.name[1] = f[4];
      out.value[1] = f[5];
    }
  }
  out.count = pairs && !tail_empty ? 2 : 1;
  return true;
}

bool parse_number(std::string_view text, double& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  const char* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, value);
  if (result.ec != std::errc() || result.ptr != end) return false;
  return !std::isnan(value);
}

bool equals_keyword(std::string_view text, std::string_view upper_keyword) {
  if (text.size() != upper_keyword.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_keyword[i]) return false;
  }
  return true;
}

}  // namespace qplayer::detail
