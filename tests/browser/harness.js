'use strict';
// Headless Debian Chromium (never a downloaded browser) driving the playground page: the
// real sidebar next to the emulated sheet, against the real server and a fresh database.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { freePort } = require('../e2e/harness/server');
const { openStack } = require('../e2e/harness/stack');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SCREENSHOTS = path.resolve(__dirname, '..', 'artifacts', 'screenshots');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** playwright-core, or an error saying how to install it: the browser tests never skip. */
function playwright() {
  try {
    return require('playwright-core');
  } catch (e) {
    throw new Error(`playwright-core is not installed (${e.message.split('\n')[0]}): run scripts/ensure-tools, or cd tests && npm ci`);
  }
}

/**
 * Launches Chromium with a fresh profile, with `args` added to the usual flags; resolves to
 * { context, close }.
 */
async function launchBrowser({ args = [], viewport = { width: 1280, height: 860 } } = {}) {
  const { chromium } = playwright();
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/ensure-tools (it installs Debian's chromium), or set CHROMIUM_PATH`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sheetsync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS.concat(args),
    viewport,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Starts scripts/playground's server as a child process; resolves to { url, stop }. */
function startPlayground({ serverUrl, token, databaseUrl, port, delayMs = 0 }) {
  return new Promise((resolve, reject) => {
    const args = [path.join(__dirname, '..', 'playground', 'server.js'), '--server-url', serverUrl, '--token', token,
      '--port', String(port), '--delay-ms', String(delayMs)];
    // Without a database the playground has no SQL box (a stand-in server has no database).
    if (databaseUrl) args.push('--database-url', databaseUrl);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => reject(new Error(`the playground exited with ${code}: ${err}`)));
    child.stdout.on('data', (d) => {
      const m = /playground at (\S+)/.exec(String(d));
      if (m) {
        resolve({
          url: m[1],
          async stop() {
            if (child.exitCode !== null) return;
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}

/**
 * The whole rig for one browser test file: database + server (allowing the playground's
 * origin), the playground, and Chromium. Resolves to { stack, playground, browser, close }.
 */
async function openRig({ label, tables, delayMs = 0 }) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const stack = await openStack('mariadb', { label, tables, corsOrigins: [origin] });
  let playground;
  let browser;
  try {
    playground = await startPlayground({ serverUrl: stack.url, token: stack.token, databaseUrl: stack.db.url, port, delayMs });
    browser = await launchBrowser();
  } catch (e) {
    if (playground) await playground.stop();
    await stack.close();
    throw e;
  }
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    stack,
    playground,
    browser,
    async close() {
      await browser.close();
      await playground.stop();
      await stack.close();
    },
  };
}

/**
 * Opens the playground in a new page of the rig's browser, connects its sidebar to the rig's
 * server and binds the sheet to `table`. Script errors on the page are pushed to `errors`.
 * Resolves to { page, sidebar } once the bind was clicked; the caller waits for what it needs.
 */
async function openBoundSidebar(rig, table, errors) {
  const page = await rig.browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(rig.playground.url);
  await page.waitForSelector('[data-testid=cell-A1]');
  const sidebar = page.frameLocator('[data-testid=sidebar-frame]');
  await sidebar.locator('[data-testid=server-url]').fill(rig.stack.url);
  await sidebar.locator('[data-testid=server-token]').fill(rig.stack.token);
  await sidebar.locator('[data-testid=connect-button]').click();
  await sidebar.locator(`[data-testid=table-select] option[value=${table}]`).waitFor({ state: 'attached' });
  await sidebar.locator('[data-testid=table-select]').selectOption(table);
  await sidebar.locator('[data-testid=bind-button]').click();
  return { page, sidebar };
}

/** Saves a screenshot of the page and one of the sidebar alone, as NN-name(.sidebar).png. */
async function snap(page, name) {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.locator('[data-testid=sidebar-frame]').screenshot({ path: path.join(SCREENSHOTS, `${name}.sidebar.png`) });
}

module.exports = { openRig, openBoundSidebar, launchBrowser, startPlayground, snap, SCREENSHOTS, CHROMIUM_ARGS };
