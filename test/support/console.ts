import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { consoleDist } from '../../api/app.js';
import type { TestStack } from './stack.js';

/**
 * The console in a real browser against the real stack: the built react-admin app served
 * by the API at /admin, its data provider talking to /api/admin in the simple REST protocol.
 * Shared by every console test file.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const noChromium = !existsSync(chromiumPath);
if (noChromium) {
  console.warn(`[console test] skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH; .ci/run installs Debian's chromium).`);
}

/** Every screen at the size a front desk uses, for a person to look at (git-ignored). */
const ARTIFACTS = path.resolve(import.meta.dirname, '..', '..', 'test-artifacts', 'console');
export const VIEWPORT = { width: 1440, height: 900 };

export async function screenshot(page: Page, name: string): Promise<void> {
  // A dialog or panel covers the window, not the whole scrolled page.
  const overlay = await page.locator('.MuiModal-root:not(.MuiModal-hidden)').count();
  // `animations: 'disabled'` lands a sliding panel or fading dialog where it ends.
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: overlay === 0, animations: 'disabled' });
}

const consoleRoot = path.resolve(consoleDist, '..');

async function newestChange(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (full !== consoleDist) newest = Math.max(newest, await newestChange(full));
    } else {
      newest = Math.max(newest, (await stat(full)).mtimeMs);
    }
  }
  return newest;
}

/**
 * The API serves admin/dist (api/app.ts), so the test builds exactly there, in a child
 * process like `npm run build:admin`: the test runner's NODE_ENV=test would otherwise
 * give React's development build. Console test files run in parallel and share that
 * folder, so one builds while the others wait on a lock directory, then find it fresh.
 */
export async function buildConsole(): Promise<void> {
  const lock = `${consoleDist}.lock`;
  for (let waited = 0; ; waited += 200) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || waited > 240_000) throw error;
      // A build takes under a minute; an older lock was left by a run that was killed.
      if (Date.now() - (await stat(lock)).mtimeMs > 300_000) await rmdir(lock);
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    const built = path.join(consoleDist, 'index.html');
    if (existsSync(built) && (await stat(built)).mtimeMs > (await newestChange(consoleRoot))) return;
    const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--config', 'admin/vite.config.ts', '--logLevel', 'warn'], {
      cwd: path.resolve(consoleRoot, '..'),
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } finally {
    await rmdir(lock);
  }
}

/** A staff member's page that records every failed API call and page error, for the test to assert none. */
export interface WatchedPage {
  page: Page;
  failures: string[];
}

export interface ConsoleBrowser {
  base: string;
  browser: Browser;
  /** A fresh page at the front desk's size, watched for failures. */
  newPage(): Promise<WatchedPage>;
  /** Fills the login form; the caller waits for what signing in should show. */
  signIn(page: Page, email: string, password: string): Promise<void>;
  /** A new page signed in and on the dashboard. */
  signedInPage(email: string, password: string): Promise<WatchedPage>;
  close(): Promise<void>;
}

/** Serves the stack's app on a free port and opens headless Chromium against it; build the console first. */
export async function openConsole(stack: TestStack): Promise<ConsoleBrowser> {
  await stack.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  const newPage = async (): Promise<WatchedPage> => {
    const page = await browser.newPage({ viewport: VIEWPORT, locale: 'en-US' });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.url().includes('/api/') && response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    return { page, failures };
  };
  const signIn = async (page: Page, email: string, password: string) => {
    await page.goto(`${base}/admin/`);
    // Required fields' labels end in " *".
    await page.getByLabel(/^Email/).fill(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  return {
    base,
    browser,
    newPage,
    signIn,
    async signedInPage(email, password) {
      const watched = await newPage();
      await signIn(watched.page, email, password);
      await watched.page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
      return watched;
    },
    close: () => browser.close(),
  };
}
