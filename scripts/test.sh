#!/usr/bin/env bash
# Runs every test. Installs what the tests need and the machine lacks first:
# a Java runtime (Debian package) and the Nu HTML Checker (npm, pinned in
# .ci/package.json, installed under .ci/node_modules). Extra arguments go to
# `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "The tests need: ${need[*]}. Install them (sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
fi
if [ ! -f .ci/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  (cd .ci && npm ci --no-audit --no-fund --silent)
fi

cargo test --locked "$@"
