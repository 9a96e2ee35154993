#!/usr/bin/env bash
# The whole test suite: setup, lint, type-check each layer, unit + integration tests (vitest,
# real ffmpeg / origin / WebSockets / Chromium), then the Playwright end-to-end specs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint"; npx eslint . --max-warnings=0
echo "== typecheck"; node scripts/typecheck.mjs
echo "== build"; npm run --silent build
echo "== tests"; npx vitest run
if [ -f playwright.config.ts ]; then
  echo "== end-to-end"; npx playwright test
fi
