#!/usr/bin/env bash
# Idempotent setup for a fresh Debian/Ubuntu machine: system packages the studio and its tests use,
# then npm packages from the lock file. Called by scripts/studio.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# `--print-missing`: print the packages that would be installed, one a line, and stop (the list can be
# another file through SETUP_PACKAGE_LIST; scripts/test/system-programs.test.ts uses both).
# One list of system programs and packages: scripts/system-packages.txt (`<command> <package>` or
# `- <package>` a line). A command is looked for on PATH (and sbin, where nginx lives); a package with
# no command of its own through dpkg.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
missing=()
while read -r cmd pkg _; do
  case "$cmd" in ''|'#'*) continue ;; esac
  if [ "$cmd" = "-" ]; then
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  else
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  fi
done < "${SETUP_PACKAGE_LIST:-scripts/system-packages.txt}"
if [ "${1:-}" = "--print-missing" ]; then
  [ "${#missing[@]}" -gt 0 ] && printf '%s\n' "${missing[@]}" | sort -u
  exit 0
fi
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install: ${missing[*]} (no apt-get here)" >&2
    exit 1
  fi
fi

# npm packages, exactly as locked. The Electron binary cannot be downloaded on CI machines.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm packages (npm ci)"
  ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}" npm ci --no-audit --no-fund --loglevel=error
fi
