#!/usr/bin/env bash
# The web console's real-browser tests: Debian's chromium (never a downloaded browser) driven by
# playwright-core against a real server. Fails when chromium cannot be installed or found.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  apt-get update
  apt-get install -y chromium
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)" >&2
  exit 1
fi
chromium --version

# Builds the console first (when missing or stale), prints the first-page bundle size, runs the tests.
pnpm test:browser
