#!/usr/bin/env bash
# Sets up and starts LinkMic Studio with the embedded link-mic server.
# With an Electron binary present: the desktop app. Without one (CI, headless boxes): the same
# studio core as a web host on 127.0.0.1, printed URL to open in a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
ELECTRON_SKIP_BINARY_DOWNLOAD=0 bash scripts/setup.sh || bash scripts/setup.sh
npm run --silent build
exec node dist/main/studio-launcher.js "$@"
