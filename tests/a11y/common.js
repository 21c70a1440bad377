// Shared by the browser checks: where the tools are and how Debian's
// chromium is started. The tools are the npm packages pinned in
// .ci/package.json (installed by `bash scripts/test.sh`).
"use strict";

const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const REPO = path.resolve(__dirname, "..", "..");
const CI = path.join(REPO, ".ci");
const ciRequire = createRequire(path.join(CI, "package.json"));

/** `require` a tool from .ci/node_modules, or exit with a message that says how to install it. */
function tool(name) {
  try {
    return ciRequire(name);
  } catch (e) {
    fail(`npm package ${name} is missing (${e.code || e.message}): run \`bash scripts/test.sh\`, which installs .ci/package.json`);
  }
}

/** Path of a tool's file, e.g. lighthouse's ESM entry. */
function toolPath(name) {
  try {
    return ciRequire.resolve(name);
  } catch (e) {
    fail(`npm package ${name} is missing (${e.code || e.message}): run \`bash scripts/test.sh\``);
  }
}

const CHROMIUM = process.env.CHROME_PATH || "/usr/bin/chromium";

/**
 * Flags for a headless chromium that never reaches outside the machine:
 * no background networking, component updates, sync or QUIC.
 */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--metrics-recording-only",
  "--password-store=basic",
  "--use-mock-keychain",
];

function checkChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    fail(`chromium not found at ${CHROMIUM}: run \`bash scripts/test.sh\` (it installs Debian's chromium), or set CHROME_PATH`);
  }
}

/** Launches chromium through playwright-core with a fresh profile. */
async function launch() {
  checkChromium();
  const { chromium } = tool("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS.filter((f) => f !== "--headless"), headless: true });
}

/** The viewports every page is checked at. */
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/** `--name value` arguments into an object; repeated names into arrays. */
function args(argv) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith("--")) {
      const key = a.slice(2);
      const value = argv[i + 1] !== undefined && !argv[i + 1].startsWith("--") ? argv[++i] : true;
      if (out[key] === undefined) out[key] = value;
      else out[key] = [].concat(out[key], value);
    } else {
      out._.push(a);
    }
  }
  return out;
}

module.exports = { REPO, CI, CHROMIUM, CHROMIUM_FLAGS, VIEWPORTS, tool, toolPath, launch, checkChromium, fail, args };
