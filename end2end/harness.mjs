// Shared set-up for the browser tests: a real gateai server on a free port with a fresh
// SQLite database, the operator CLI against the same configuration, and Debian's Chromium
// driven by playwright-core. Console errors and page errors are collected per page so
// every test can assert clean hydration.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
export const screenshotsDir = join(here, 'screenshots');

const BIN = process.env.GATEAI_BIN || join(root, 'target', 'debug', 'gateai');
const SITE = process.env.GATEAI_SITE_ROOT || join(root, 'target', 'site');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startServer(extraEnv = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gateai-e2e-'));
  const port = await freePort();
  const env = {
    ...process.env,
    DATABASE_URL: `sqlite://${join(dir, 'gateai.db')}`,
    GATEAI_DATA_DIR: dir,
    GATEAI_ADDR: `127.0.0.1:${port}`,
    GATEAI_SITE_ROOT: SITE,
    GATEAI_SECRET: 'e2e-secret-e2e-secret-e2e-secret-0123456',
    GATEAI_LOG: 'warn',
    ...extraEnv,
  };
  const proc = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gateai exited early:\n${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`gateai did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    env,
    output: () => output,
    cli: (args) => execFileSync(BIN, args, { env, encoding: 'utf8' }).trim(),
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A fresh browser context and page that records console errors and page errors. */
export async function newPage(browser) {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (m) => {
    // A 4xx answer to a server function is an expected answer (shown to the person), which
    // Chromium also logs as a failed resource load; everything else counts.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    if (m.type() === 'error' || m.type() === 'warning') page.consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.consoleErrors.push(`pageerror: ${e.message}`));
  return page;
}

/** Waits until the wasm bundle has hydrated the page. */
export async function hydrated(page) {
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 30_000 });
}

export async function shot(page, name) {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), fullPage: true });
}

/** Starts a server and a browser before the file's tests and stops both after them. */
export function serverAndBrowser(extraEnv = {}) {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer(extraEnv);
    ctx.browser = await launchBrowser();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

/**
 * Starts the upstream double (`cargo build -p testkit --bin upstream-double`) on a free port:
 * point the server's providers at `url` (`OPENAI_BASE_URL: `${url}/v1``, `ANTHROPIC_BASE_URL: url`).
 * `args`: more of its flags, e.g. `['--chunk-delay-ms', '100']`.
 */
export async function startUpstreamDouble(args = []) {
  const bin = process.env.UPSTREAM_DOUBLE_BIN || join(root, 'target', 'debug', 'upstream-double');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: cargo build -p testkit --bin upstream-double`);
  const port = await freePort();
  const proc = spawn(bin, ['--addr', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`upstream-double did not start:\n${output}`)), 20_000);
    proc.stdout.on('data', (d) => {
      output += d;
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.stderr.on('data', (d) => (output += d));
    proc.on('exit', () => reject(new Error(`upstream-double exited:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on('exit', r)));
    },
  };
}

/** Signs in on the sign-in page and waits for the dashboard to hydrate. */
export async function signIn(page, baseUrl, email, password) {
  await page.goto(`${baseUrl}/sign-in`);
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await page.waitForURL(`${baseUrl}/`);
  await hydrated(page);
}

/** Presses Tab until `check(activeElement)` holds (in the page) or gives up. */
export async function tabUntil(page, check, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(check)) return true;
  }
  return false;
}
