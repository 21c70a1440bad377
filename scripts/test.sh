#!/usr/bin/env bash
# Runs every test. Installs what the tests need and the machine lacks first:
# a Java runtime, OpenSSH's server and client, rsync and nginx (Debian
# packages; the last four for the publish tests) and the Nu HTML Checker
# (npm, pinned in .ci/package.json, installed under .ci/node_modules), and
# Exim with Python 3 for the reminder tests, and
# for the s3 publish tests moto's S3 server (pip) and s3s-fs (cargo install).
# The site checks (tests/site_quality.rs) need Debian's chromium, with Noto
# fonts, and xmllint, and the npm packages axe-core, @axe-core/playwright,
# lighthouse and sitemap (pinned in .ci/package.json too).
# Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || need+=(npm)
# The site checks and serve's browser test (tests/e2e/serve.js): a browser,
# the fonts a phone shows, xmllint.
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-core >/dev/null 2>&1 || need+=(fonts-noto-core)
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
# The publish end-to-end tests start a real OpenSSH server and nginx.
has() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
has sshd || need+=(openssh-server)
{ has ssh && has ssh-keygen; } || need+=(openssh-client)
has rsync || need+=(rsync)
has nginx || need+=(nginx)
# remind --send is tested against Debian's Exim on 127.0.0.1 (tests/chase_cli.rs),
# and the reminders are parsed with Python's `email` package.
has exim4 || need+=(exim4-daemon-light)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The Word export's tests (tests/document_cli.rs): LibreOffice converts the
# .docx to PDF, python-docx reads it back, poppler reads the PDF's text.
has soffice || need+=(libreoffice-writer-nogui)
/usr/bin/python3 -c "import docx" >/dev/null 2>&1 || need+=(python3-docx)
has pdftotext || need+=(poppler-utils)
command -v pip3 >/dev/null 2>&1 || command -v pip >/dev/null 2>&1 || need+=(python3-pip)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "The tests need: ${need[*]}. Install them (sudo apt-get install ${need[*]}) and run again." >&2
    exit 1
  fi
fi
# The s3 publish tests (tests/publish_s3.rs): moto's S3 server from PyPI
# (about 20 s with pip's cache, 40 s without) and s3s-fs from crates.io
# (3-4 minutes of compiling on 2 cores, once: it stays in ~/.cargo/bin).
command -v python3 >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends python3 python3-pip >/dev/null; }
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  python3 -m pip install -q 'moto[server]==5.2.1' \
    || python3 -m pip install -q --break-system-packages 'moto[server]==5.2.1'
fi
if ! command -v s3s-fs >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  cargo install -q --locked s3s-fs@0.14.1 --features binary
fi
# The npm tools, unless they were installed from this very lock file.
if ! cmp -s .ci/package-lock.json .ci/node_modules/.installed-from-lock.json; then
  (cd .ci && npm ci --no-audit --no-fund --silent && cp package-lock.json node_modules/.installed-from-lock.json)
fi

# The open-data test validates the data package with frictionless (PyPI).
command -v frictionless >/dev/null 2>&1 || python3 -m pip install --quiet "frictionless==5.21.0" \
  || python3 -m pip install --quiet --break-system-packages "frictionless==5.21.0"

# Everything is installed now, so a test that still finds a tool missing
# fails instead of skipping as plain `cargo test` does
# (tests/support/tools.rs): CI never passes by silently skipping.
export PLANPRESS_TEST_ALL=1
cargo test --locked "$@"
