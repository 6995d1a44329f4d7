#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing qplayer needs, and only those
# that are missing (apt-get update runs only then). Non-interactive; run as root or with sudo.
set -euo pipefail

packages=(
  build-essential cmake              # g++ 12, make, CMake 3.25
  libeigen3-dev zlib1g-dev           # library: linear algebra, gzip'd QPS files
  doctest-dev                        # tests
  libcli11-dev nlohmann-json3-dev    # command-line tool: arguments, --json output
  libsuitesparse-dev libmetis-dev libopenblas-dev  # optional sparse backends (QPLAYER_WITH_*)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} required Debian packages are installed"
  exit 0
fi

as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi

echo "setup: installing ${#missing[@]} missing package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
