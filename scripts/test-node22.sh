#!/usr/bin/env bash
# Runs the whole test suite on Node 22 beside the machine's Node (20 here): installs the npm
# registry's `node@22` package into a folder outside the project, rebuilds better-sqlite3 against
# its headers, runs the tests, then rebuilds better-sqlite3 for the machine's Node again so the
# checkout keeps working (skip that with TRAILSCOPE_KEEP_NODE22_BUILD=1, as CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE22_HOME="${TRAILSCOPE_NODE22_HOME:-${TMPDIR:-/tmp}/trailscope-node22}"
if [ ! -x "$NODE22_HOME/node_modules/node/bin/node" ]; then
  mkdir -p "$NODE22_HOME"
  npm install --no-audit --no-fund --no-save --prefix "$NODE22_HOME" node@22 >/dev/null
fi
NODE22_BIN="$NODE22_HOME/node_modules/node/bin"
NODE22_HEADERS="$(ls -d "$NODE22_HOME"/node_modules/node/node_modules/node-linux-* | head -n1)"
echo "node22: $("$NODE22_BIN/node" --version) (headers: $NODE22_HEADERS)"

restore() {
  if [ "${TRAILSCOPE_KEEP_NODE22_BUILD:-}" != "1" ]; then
    echo "node22: rebuilding better-sqlite3 for $(node --version)"
    npm rebuild better-sqlite3 >/dev/null
  fi
}
trap restore EXIT

PATH="$NODE22_BIN:$PATH" npm_config_nodedir="$NODE22_HEADERS" npm rebuild better-sqlite3 >/dev/null
PATH="$NODE22_BIN:$PATH" node scripts/run-tests.mjs "$@"
