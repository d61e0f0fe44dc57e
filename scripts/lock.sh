#!/usr/bin/env bash
# Rewrites package-lock.json so that `npm ci` accepts it on every npm 11 (see .ci/run): npm 11.19
# drops other platforms' optional packages from the lockfile and then refuses it in `npm ci`;
# npm 11.6 keeps placeholder entries for them. Run it after adding or upgrading a dependency.
set -euo pipefail
cd "$(dirname "$0")/.."
ONNXRUNTIME_NODE_INSTALL=skip npx --yes npm@11.6 install --package-lock-only --ignore-scripts --no-audit --no-fund
npm ci --dry-run --ignore-scripts --no-audit --no-fund >/dev/null && echo "package-lock.json: npm ci accepts it"
