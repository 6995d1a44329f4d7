#!/usr/bin/env bash
# Applies .clang-format to every tracked C++ file (or, with --check, lists the files that
# differ and exits nonzero). Needs clang-format (Debian: apt-get install clang-format).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mapfile -t files < <(git ls-files '*.hpp' '*.cpp' '*.h' '*.cc')
if ((${#files[@]} == 0)); then
  echo "format: no C++ files tracked"
  exit 0
fi

if [[ ${1:-} == --check ]]; then
  unformatted=()
  for file in "${files[@]}"; do
    clang-format --dry-run --Werror "$file" >/dev/null 2>&1 || unformatted+=("$file")
  done
  if ((${#unformatted[@]} > 0)); then
    printf 'format: not formatted: %s\n' "${unformatted[@]}"
    exit 1
  fi
  echo "format: all ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
  echo "format: formatted ${#files[@]} files"
fi
