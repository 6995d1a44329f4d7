#!/usr/bin/env bash
# The main job: install what is missing, build qplayer (Release, no tests) into build/,
# then solve every problem bundled in data/ with the command-line tool, which prints one
# table row per problem (status, objective, residuals, time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

jobs=${QPLAYER_JOBS:-$(nproc)}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DQPLAYER_BUILD_TESTS=OFF -DQPLAYER_BUILD_APPS=ON
cmake --build build -j"$jobs"

shopt -s nullglob
problems=(data/*.qps data/*.QPS data/*.qps.gz data/*.QPS.gz)
if ((${#problems[@]} == 0)); then
  echo "run-main: no problems found in data/" >&2
  exit 1
fi
echo
echo "run-main: build/apps/qplayer solve ${problems[*]}"
exec build/apps/qplayer solve "${problems[@]}"
