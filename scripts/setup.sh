#!/usr/bin/env bash
# Idempotent setup for a fresh Debian/Ubuntu machine: system packages the studio and its tests use,
# then npm packages from the lock file. Called by scripts/studio.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package
declare -A NEEDED=(
  [ffmpeg]=ffmpeg [ffprobe]=ffmpeg [chromium]=chromium [Xvfb]=xvfb [xauth]=xauth
  [pulseaudio]=pulseaudio [pactl]=pulseaudio-utils [espeak-ng]=espeak-ng [sox]=sox
)
missing=()
for cmd in "${!NEEDED[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDED[$cmd]}")
done
# packages with no command of their own: fonts for Chinese UI text, Mesa for OBS/Chromium software GL
for pkg in fonts-noto-cjk libgl1-mesa-dri; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
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
