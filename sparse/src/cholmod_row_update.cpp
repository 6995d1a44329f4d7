// CholmodBackend::replace_row: row and column k of the factored matrix replaced in place by
// CHOLMOD's Modify module (cholmod_rowdel, then cholmod_rowadd), with QPLAYER_WITH_CHOLMOD_MODIFY.
// The Modify module is GPL-2+ (README.md, "Licensing"); without it supports_row_updates() is
// false and callers refactorize instead.
#ifdef QPLAYER_HAS_CHOLMOD

#include "cholmod_impl.hpp"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace qplayer::sparse {

#ifdef QPLAYER_HAS_CHOLMOD_MODIFY

void CholmodBackend::Impl::prepare_row_updates(std::vector<int> inverse) {
  const int dim = static_cast<int>(inverse.size());
  perm_inverse = std::move(inverse);
  // Symmetric pattern of PAPᵀ without the diagonal: replace_row checks its input against
  // it, and walks the etree from it to find row k of L for cholmod_rowdel.
  sym_p.assign(dim + 1, 0);
  for (int j = 0; j < dim; ++j) {
    for (int q = pattern_p[j]; q < pattern_p[j + 1]; ++q) {
      if (pattern_i[q] < j) {
        ++sym_p[perm_inverse[pattern_i[q]] + 1];
        ++sym_p[perm_inverse[j] + 1];
      }
    }
  }
  for (int j = 0; j < dim; ++j) sym_p[j + 1] += sym_p[j];
  sym_i.resize(sym_p[dim]);
  std::vector<int> next(sym_p.begin(), sym_p.end() - 1);
  for (int j = 0; j < dim; ++j) {
    for (int q = pattern_p[j]; q < pattern_p[j + 1]; ++q) {
      if (pattern_i[q] < j) {
        const int pi = perm_inverse[pattern_i[q]], pj = perm_inverse[j];
        sym_i[next[pi]++] = pj;
        sym_i[next[pj]++] = pi;
      }
    }
  }
  mark.assign(dim, 0);
  stamp = 0;
  add_p.assign(2, 0);
  add_i.resize(dim);
  add_x.resize(dim);
  del_p.assign(2, 0);
  del_i.resize(dim);
  // rowadd and rowdel ask for Flag (n), Iwork (2n) and Xwork (2n). cholmod_allocate_work
  // only ever grows the workspace, so sizing it now leaves nothing for replace_row to do.
  const std::size_t twice = 2 * static_cast<std::size_t>(dim);
  if (!cholmod_allocate_work(dim, twice, twice, &c)) cholmod_fail("cholmod_allocate_work", c);
}

int CholmodBackend::Impl::next_stamp() {
  if (stamp == INT_MAX) {  // start over rather than let old stamps collide
    std::fill(mark.begin(), mark.end(), 0);
    stamp = 0;
  }
  return ++stamp;
}

bool CholmodBackend::supports_row_updates() const { return true; }

bool CholmodBackend::replace_row(int k, const int* rows, const double* values, int count) {
  Impl& s = *impl_;
  if (!s.factorized) {
    throw std::logic_error("cholmod backend: replace_row without a valid factorization");
  }
  if (k < 0 || k >= s.n || count < 0 || count > s.n) {
    throw std::invalid_argument("cholmod backend: replace_row(" + std::to_string(k) + ", count " +
                                std::to_string(count) + ") out of range");
  }
  // rowdel and rowadd modify the factor of PAPᵀ: k and R in the permuted numbering.
  const int kp = s.perm_inverse[k];
  const int in_pattern = s.next_stamp();
  for (int q = s.sym_p[kp]; q < s.sym_p[kp + 1]; ++q) s.mark[s.sym_i[q]] = in_pattern;
  s.mark[kp] = in_pattern;
  const int seen = s.next_stamp();
  for (int t = 0; t < count; ++t) {
    const int r = rows[t];
    const int rp = (r >= 0 && r < s.n) ? s.perm_inverse[r] : -1;
    if (rp < 0 || s.mark[rp] != in_pattern) {
      const bool twice = rp >= 0 && s.mark[rp] == seen;
      throw std::invalid_argument(
          "cholmod backend: replace_row: row " + std::to_string(r) +
          (twice ? " given twice"
                 : " is not in the analyzed pattern of column " + std::to_string(k)));
    }
    s.mark[rp] = seen;
    s.add_i[t] = rp;
    s.add_x[t] = values[t];
  }

  // Pattern of row kp of L, for rowdel (which otherwise searches all columns 0..kp-1): the
  // etree reach of column kp's pattern above the diagonal. The parent of column i is its
  // first entry below the diagonal; L keeps its whole symbolic pattern (explicit zeros
  // included, final_resymbol off), so this is the etree of the analysis.
  const int* Lp = static_cast<const int*>(s.L->p);
  const int* Li = static_cast<const int*>(s.L->i);
  const int* Lnz = static_cast<const int*>(s.L->nz);
  const int reach = s.next_stamp();
  int len = 0;
  for (int q = s.sym_p[kp]; q < s.sym_p[kp + 1]; ++q) {
    for (int i = s.sym_i[q]; i >= 0 && i < kp && s.mark[i] != reach;) {
      s.mark[i] = reach;
      s.del_i[len++] = i;
      i = Lnz[i] > 1 ? Li[Lp[i] + 1] : -1;
    }
  }

  // n x 1 headers over the buffers of prepare_row_updates.
  cholmod_sparse del{};  // pattern only, rows < kp
  del.nrow = del.nzmax = static_cast<std::size_t>(s.n);
  del.ncol = 1;
  s.del_p[1] = len;
  del.p = s.del_p.data();
  del.i = s.del_i.data();
  del.itype = CHOLMOD_INT;
  del.xtype = CHOLMOD_PATTERN;
  del.dtype = CHOLMOD_DOUBLE;
  del.packed = true;
  cholmod_sparse add = del;  // column kp of the new PAPᵀ, unsorted, diagonal included
  s.add_p[1] = count;
  add.p = s.add_p.data();
  add.i = s.add_i.data();
  add.x = s.add_x.data();
  add.xtype = CHOLMOD_REAL;

  ++s.epoch;
  s.factorized = false;
  // rowdel: row and column kp of L become those of the identity (the entries stay, as
  // explicit zeros), and L22 takes back the old rank-one term: an update if D(kp) > 0, a
  // downdate if D(kp) < 0. rowadd: row kp of L by a sparse triangular solve with R above
  // the diagonal, then D(kp) and column kp, then the rank-one downdate (D(kp) > 0) or
  // update (D(kp) < 0) of L22. cholmod_updown works on D itself (Method C1 of Gill, Golub,
  // Murray and Saunders, no square root of a pivot), so pivots of either sign are fine.
  // R lies in the analyzed pattern, so no column of L grows past its symbolic pattern; the
  // one spare slot per column (Impl()) keeps rowadd from reallocating: no allocation here.
  if (!cholmod_rowdel(kp, &del, s.L, &s.c) || s.c.status < CHOLMOD_OK) {
    cholmod_fail("cholmod_rowdel", s.c);
  }
  if (!cholmod_rowadd(kp, &add, s.L, &s.c) || s.c.status < CHOLMOD_OK) {
    cholmod_fail("cholmod_rowadd", s.c);
  }
  // Only the pivots on the etree path of kp changed, but one O(n) pass over D also yields
  // the inertia; it costs far less than the update itself.
  s.factorized = s.scan_pivots();
  return s.factorized;
}

#else  // !QPLAYER_HAS_CHOLMOD_MODIFY

bool CholmodBackend::supports_row_updates() const { return false; }

bool CholmodBackend::replace_row(int, const int*, const double*, int) {
  throw std::logic_error(
      "cholmod backend: replace_row needs CHOLMOD's Modify module (QPLAYER_WITH_CHOLMOD_MODIFY)");
}

#endif  // QPLAYER_HAS_CHOLMOD_MODIFY

}  // namespace qplayer::sparse

#endif  // QPLAYER_HAS_CHOLMOD
